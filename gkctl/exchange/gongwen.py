"""The 通报 as a Word document laid out as GB/T 9704-2012 (党政机关公文格式) prescribes.

The content is the Markdown report itself (views/mdblocks.py reads it back), so the Word
通报 says exactly what `gkctl report` says, for the built-in templates and custom ones.

Layout, from the standard: A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right
(版心 156 × 225 mm); 22 lines of 3号 (16 pt) text a page; title in 2号 (22 pt) 方正小标宋简体;
body in 3号 仿宋_GB2312; first-level headings (一、) in 黑体, second-level ((一)) in
楷体_GB2312, indented two characters like the body; page numbers in 4号 (14 pt) 宋体 as
“— 1 —”, odd pages at the right and even pages at the left, one character in. The
founder fonts are not on every computer: the font table names 宋体, 仿宋 and 楷体 as their
alternates, which Word and LibreOffice use in their place. Tables (not in the standard's
body text) use 五号 (10.5 pt), header row in 黑体, repeated at the top of every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from gkctl.core import textsafe
from gkctl.exchange.docx_layout import (
    column_widths,
    saved,
    set_font,
    set_table_widths,
    text_em,
)
from gkctl.views.mdblocks import Block, Heading, Paragraph, Table, parse

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm

TITLE_FONT, TITLE_PT = "方正小标宋简体", 22.0  # 2号
BODY_FONT, BODY_PT = "仿宋_GB2312", 16.0  # 3号
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
TABLE_PT = 10.5  # 五号
PAGE_NUMBER_FONT, PAGE_NUMBER_PT = "宋体", 14.0  # 4号
LATIN_FONT = "Times New Roman"
# 22 lines in the 225 mm 版心: exactly 28.95 pt from one line to the next.
LINE_PT = 28.95
# Where a computer lacks the founder fonts, these stand in (the font table's altName).
ALTERNATES = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}

_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 35 -> 三十五 (headings count to 99)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return head + "十" + (_NUMERALS[ones - 1] if ones else "")


def write_report(markdown: str, as_of: date, subject: str) -> bytes:
    """The report as a .docx; the document's dates are `as_of`, so the same report gives
    the same bytes."""
    import docx
    from docx.shared import Mm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    # The page number's 一字线 sits 7 mm below the 版心.
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - PAGE_NUMBER_PT * 25.4 / 72)
    _normal_style(document)
    _font_alternates(document)
    _page_numbers(document, section)

    blocks = parse(markdown)
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), subject)
    _lay_out(document, blocks)

    return saved(document, title, subject, as_of)


def _lay_out(document: Any, blocks: Sequence[Block]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    h1 = h2 = 0
    after_title = False
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            p = _paragraph(document, _title_lines(block.text), TITLE_FONT, TITLE_PT, indent=False)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = _pt(LINE_PT)  # a blank line below the title
            after_title = True
            continue
        if isinstance(block, Heading):
            if block.level == 2:
                h1, h2 = h1 + 1, 0
                _paragraph(document, f"{chinese_number(h1)}、{block.text}", H1_FONT, BODY_PT)
            else:
                h2 += 1
                _paragraph(document, f"（{chinese_number(h2)}）{block.text}", H2_FONT, BODY_PT)
        elif isinstance(block, Paragraph):
            if after_title:
                # The line under the title (as of, issuer, window): centred, in 楷体.
                p = _paragraph(document, _meta_lines(block.text), H2_FONT, BODY_PT, indent=False)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                text = f"·{block.text}" if block.item else block.text
                _paragraph(document, text, BODY_FONT, BODY_PT)
        else:
            _table(document, block)
        after_title = False


def _title_lines(title: str) -> str:
    """A title too long for one line breaks at its last space (2024年…工作要点 / 督办情况汇总),
    not wherever the line runs out."""
    per_line = TEXT_WIDTH_MM / (TITLE_PT * 25.4 / 72)
    if text_em(title) <= per_line or " " not in title:
        return title
    head, _, tail = title.rpartition(" ")
    return f"{head}\n{tail}"


def _meta_lines(text: str) -> str:
    """The line under the title, broken between its ｜-separated parts (or at a space
    inside a part) where it is too long for one line, so that a 文号 such as 金府办发〔2024〕
    5号 is never split."""
    per_line = TEXT_WIDTH_MM / (BODY_PT * 25.4 / 72)
    if text_em(text) <= per_line:
        return text
    parts: list[str] = []
    for part in text.split("｜"):
        words = part.split(" ")
        line = ""
        for word in words:  # a part too long for a line breaks at its spaces
            joined = f"{line} {word}" if line else word
            if line and text_em(joined) > per_line:
                parts.append(line)
                line = word
            else:
                line = joined
        parts.append(line)
    lines: list[str] = []
    for part in parts:
        joined = f"{lines[-1]}｜{part}" if lines else part
        if lines and text_em(joined) <= per_line:
            lines[-1] = joined
        else:
            lines.append(part)
    return "\n".join(lines)


def _pt(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def _paragraph(document: Any, text: str, font: str, size: float, indent: bool = True) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = _pt(LINE_PT if size <= BODY_PT else size * 1.5)
    fmt.space_before = fmt.space_after = _pt(0)
    if indent:
        fmt.first_line_indent = _pt(2 * size)  # two characters
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _add_lines(p, text, font, size)
    return p


def _add_lines(p: Any, text: str, font: str, size: float) -> None:
    """The lines of `text` into paragraph `p`, a line break between them, in `font`."""
    # Every text of the 通报 comes here: what XML 1.0 (Word) cannot hold, and bidirectional
    # controls, shown as escapes (core.textsafe).
    for i, line in enumerate(textsafe.visible(text).split("\n")):
        run = p.add_run()
        if i:
            run.add_break()
        run.add_text(line)
        set_font(run, font, size, LATIN_FONT)


def _table(document: Any, table: Table) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    n = len(table.header)
    grid = document.add_table(rows=1 + len(table.rows), cols=n)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    columns = [table.column(j) for j in range(n)]
    widths, whole = column_widths(table.header, columns, TEXT_WIDTH_MM, TABLE_PT)
    for r, row in enumerate(grid.rows):
        tr_pr = row._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")  # a row is never split over two pages
        tr_pr.append(keep)
        if r == 0:
            repeat = OxmlElement("w:tblHeader")  # the header row again on every page
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        texts = table.header if r == 0 else table.rows[r - 1]
        for j, cell in enumerate(row.cells):
            text = texts[j] if j < len(texts) else ""
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            fmt = p.paragraph_format
            fmt.space_before = fmt.space_after = _pt(0)
            if r == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif table.right[j] if j < len(table.right) else False:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif whole[j]:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_lines(p, text, H1_FONT if r == 0 else "仿宋_GB2312", TABLE_PT)
    set_table_widths(grid, widths, whole)
    # A blank line after each table, so the next heading does not touch it.
    _paragraph(document, "", BODY_FONT, BODY_PT, indent=False)


def _normal_style(document: Any) -> None:
    from docx.oxml.ns import qn

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = _pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _font_alternates(document: Any) -> None:
    """Entries in the font table naming each founder font's stand-in (w:altName), with the
    GB2312 character set, so that a computer without it uses 宋体/仿宋/楷体."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    part = None
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
    if part is None:
        return
    root = parse_xml(part.blob)
    for name, alternate in ALTERNATES.items():
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternate}"/>'
                '<w:charset w:val="86"/><w:family w:val="modern"/>'
                '<w:pitch w:val="fixed"/></w:font>'
            )
        )
    from docx.opc.oxml import serialize_part_xml

    part._blob = serialize_part_xml(root)


def _page_numbers(document: Any, section: Any) -> None:
    """— 1 — at the foot: odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.settings.odd_and_even_pages_header_footer = True
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = alignment
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = _pt(PAGE_NUMBER_PT)
        else:
            p.paragraph_format.left_indent = _pt(PAGE_NUMBER_PT)
        set_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_PT, PAGE_NUMBER_FONT)
        _page_field(p)
        set_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_PT, PAGE_NUMBER_FONT)


def _page_field(paragraph: Any) -> None:
    """A PAGE field (begin, instruction, separate, a placeholder, end) that Word and
    LibreOffice fill in with the page's number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_PT, PAGE_NUMBER_FONT)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    run_with(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)
