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

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from gkctl.core import textsafe
from gkctl.exchange.docx_layout import (
    add_hyperlink,
    column_widths,
    fits,
    saved,
    set_font,
    set_table_widths,
    text_em,
)
from gkctl.views.mdblocks import Block, Heading, Paragraph, Span, Table, parse, plain

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
CODE_FONT = "Courier New"
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
    base = 2  # the heading level numbered 一、; a level deeper inside an 附件
    after_title = False
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            _title(document, block.text)
            after_title = True
            continue
        if isinstance(block, Heading) and block.level == 2 and block.text.startswith("附件"):
            _attachment(document, block.text)
            h1 = h2 = 0
            base = 3
            after_title = True
            continue
        if isinstance(block, Heading):
            if block.level <= base:
                h1, h2 = h1 + 1, 0
                p = _paragraph(document, f"{chinese_number(h1)}、{block.text}", H1_FONT, BODY_PT)
            else:
                h2 += 1
                p = _paragraph(document, f"（{chinese_number(h2)}）{block.text}", H2_FONT, BODY_PT)
            # A heading never ends a page: it goes over with what it heads.
            p.paragraph_format.keep_with_next = True
        elif isinstance(block, Paragraph):
            if block.align == "right":
                _signature(document, block.text)
            elif after_title and block.text.endswith("："):
                # 主送机关: the line under the title, flush left, ending in a colon.
                p = _paragraph(document, "", BODY_FONT, BODY_PT, indent=False)
                add_spans(p, block.spans, BODY_FONT, BODY_PT)
                after_title = True  # the 正文 may open without a heading
                continue
            elif after_title and "｜" in block.text and not block.item:
                # The line under the title, its parts (as of, issuer, window) between ｜
                # marks: centred, in 楷体.
                p = _paragraph(document, _meta_lines(block.text), H2_FONT, BODY_PT, indent=False)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                _body(document, block)
        else:
            _table(document, block)
        after_title = False


def _title(document: Any, text: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = _paragraph(document, _title_lines(text), TITLE_FONT, TITLE_PT, indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = _pt(LINE_PT)  # a blank line below the title
    return p


def _attachment(document: Any, heading: str) -> None:
    """附件 on a new page: the word 附件 at the top left in 黑体, then the attachment's
    title (what follows 附件 in the heading) centred as a title (GB/T 9704 8)."""
    label = _paragraph(document, "附件", H1_FONT, BODY_PT, indent=False)
    label.paragraph_format.page_break_before = True
    rest = heading[len("附件") :].lstrip("：: 　")
    if rest:
        _title(document, rest)


def _signature(document: Any, text: str) -> None:
    """发文机关署名 and 成文日期 (GB/T 9704 7.3.5.1, without a seal): a blank line below the
    正文, the office two characters in from the right, the date below it starting two
    characters further right; a date longer than the office moves the office left."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return
    names, dated = (lines[:-1], lines[-1]) if len(lines) > 1 else (lines, None)
    name_em = max(text_em(n) for n in names)
    name_right = 2.0
    date_right = 2.0
    if dated is not None:
        date_right = name_em - text_em(dated)
        if date_right < 2.0:
            date_right = 2.0
            name_right = date_right + text_em(dated) + 2.0 - name_em
    # Never a page of nothing but the 落款 (GB/T 9704 7.3.5.1 has the text moved to keep
    # it company): the 正文's last paragraph goes with it, and its lines stay together.
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    shown = [*names, *([dated] if dated else [])]
    for i, line in enumerate(shown):
        p = _paragraph(document, line, BODY_FONT, BODY_PT, indent=False)
        p.paragraph_format.keep_with_next = i < len(shown) - 1
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        right = date_right if dated is not None and i == len(names) else name_right
        if line in names:
            # Centred over the longest name where there are several.
            right += (name_em - text_em(line)) / 2
        p.paragraph_format.right_indent = _pt(right * BODY_PT)
        if i == 0:
            p.paragraph_format.space_before = _pt(LINE_PT)


def _body(document: Any, block: Paragraph) -> None:
    """A paragraph of the 正文: list items with their number or dot and a hanging indent,
    quotes in 楷体 set in two characters more, code in a fixed-width font."""
    if block.code:
        p = _paragraph(document, "", BODY_FONT, BODY_PT, indent=False)
        for i, line in enumerate(block.text.split("\n")):
            run = p.add_run()
            if i:
                run.add_break()
            run.add_text(textsafe.visible(line))
            set_font(run, BODY_FONT, TABLE_PT, CODE_FONT)
        p.paragraph_format.left_indent = _pt(2 * BODY_PT)
        return
    font = H2_FONT if block.quote else BODY_FONT
    p = _paragraph(document, "", font, BODY_PT)
    fmt = p.paragraph_format
    if block.item:
        # The marker hangs in the first-line indent; nested lists two characters further.
        fmt.left_indent = _pt((2 * block.depth + 1) * BODY_PT)
        fmt.first_line_indent = _pt(-BODY_PT)
        run = p.add_run(f"{block.marker}" + ("" if block.marker == "·" else " "))
        set_font(run, font, BODY_PT, LATIN_FONT)
    if block.quote:
        fmt.left_indent = _pt((fmt.left_indent.pt if fmt.left_indent else 0) + 2 * BODY_PT)
    if block.text.startswith("附件：") and not block.item:
        fmt.space_before = _pt(LINE_PT)  # 附件说明: a blank line below the 正文
    add_spans(p, block.spans, font, BODY_PT)


def add_spans(p: Any, spans: Sequence[Span], font: str, size: float) -> None:
    """Formatted text into paragraph `p`: strong, emphasis, strikethrough, code in a
    fixed-width font, links as Word hyperlinks; a line break where the text has one."""
    for span in spans:
        if span.link and span.link.lower().startswith(("http://", "https://", "mailto:")):
            run = add_hyperlink(p, span.link, textsafe.visible(span.text), font, size, LATIN_FONT)
            _format(run, span)
            continue
        for i, line in enumerate(textsafe.visible(span.text).split("\n")):
            run = p.add_run()
            if i:
                run.add_break()
            run.add_text(line)
            set_font(run, font, size, CODE_FONT if span.code else LATIN_FONT)
            _format(run, span)


def _format(run: Any, span: Span) -> None:
    if span.bold:
        run.font.bold = True
    if span.italic:
        run.font.italic = True
    if span.strike:
        run.font.strike = True


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
    if text:
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


# Table sizes from 五号 down: a table whose headers do not fit on one line at 五号 is set
# in 小五, then 六号, before any header is allowed a second line.
TABLE_SIZES = (TABLE_PT, 9.0, 7.5)
# A date is one word: a WORD JOINER (U+2060) between its characters keeps LibreOffice
# and Word from breaking 2024年10月31日 over two lines of a narrow cell. So is the verb
# after a 本期变化 entry's days (10月28日完成，11月5日报送: labels.entry_dates).
_DATE = re.compile(
    r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日)(?:完成|申请|报送)?"
)
JOINER = "\u2060"
# The second of those days on a line of its own: LibreOffice finds no break between the
# comma and the number, and a break anywhere else would cut a day or its verb.
_SECOND_DAY = re.compile(r"，(?=(?:\d{4}年)?\d{1,2}月\d{1,2}日报送)")


def keep_whole(text: str) -> str:
    """Dates in `text` made unbreakable (JOINER between their characters); a 本期变化
    entry's second day on a line of its own."""
    return _DATE.sub(lambda m: JOINER.join(m.group(0)), _SECOND_DAY.sub("，\n", text))


def _cells(table: Table) -> tuple[list[list[tuple[Span, ...]]], list[str]]:
    """The table's cells as spans, each link replaced by a note mark [n] that links to it,
    and the notes' addresses in order: an address is printed whole under the table, where
    the whole width of the page is room for it, rather than broken in a narrow cell."""
    notes: list[str] = []
    rows: list[list[tuple[Span, ...]]] = []
    for r in range(len(table.rows) + 1):
        row = []
        for j in range(len(table.header)):
            spans = []
            for span in table.cell(r, j):
                if span.link and r:
                    if span.link not in notes:
                        notes.append(span.link)
                    mark = f"[{notes.index(span.link) + 1}]"
                    if span.text != span.link:
                        spans.append(replace(span, text=span.text, link=None))
                        mark = f" {mark}"
                    spans.append(replace(span, text=mark))
                else:
                    spans.append(replace(span, text=keep_whole(span.text)) if r else span)
            row.append(tuple(spans))
        rows.append(row)
    return rows, notes


def _table(document: Any, table: Table) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    n = len(table.header)
    if n == 0:
        return
    cells, notes = _cells(table)
    texts = [[plain(c).replace(JOINER, "") for c in row] for row in cells]
    columns = [[row[j] for row in texts[1:]] for j in range(n)]
    size = next((pt for pt in TABLE_SIZES if fits(texts[0], columns, TEXT_WIDTH_MM, pt)), None)
    one_line = size is not None
    size = size or TABLE_SIZES[-1]
    widths, whole = column_widths(texts[0], columns, TEXT_WIDTH_MM, size)
    grid = document.add_table(rows=len(cells), cols=n)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(grid.rows):
        tr_pr = row._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")  # a row is never split over two pages
        tr_pr.append(keep)
        if r == 0:
            repeat = OxmlElement("w:tblHeader")  # the header row again on every page
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        for j, cell in enumerate(row.cells):
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
            add_spans(p, cells[r][j], H1_FONT if r == 0 else BODY_FONT, size)
    set_table_widths(grid, widths, whole)
    if one_line:
        _header_whole(grid)
    for k, url in enumerate(notes, start=1):
        note = _paragraph(document, f"[{k}] ", BODY_FONT, size, indent=False)
        note.paragraph_format.line_spacing = _pt(size * 1.5)
        add_hyperlink(note, url, textsafe.visible(url), BODY_FONT, size, LATIN_FONT)
    # A blank line after each table, so the next heading does not touch it.
    _paragraph(document, "", BODY_FONT, BODY_PT, indent=False)


def _header_whole(grid: Any) -> None:
    """The header row's cells never wrap (their widths were made for one line)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tc in grid.rows[0]._tr.tc_lst:
        tc_pr = tc.get_or_add_tcPr()
        if tc_pr.find(qn("w:noWrap")) is None:
            tc_pr.append(OxmlElement("w:noWrap"))


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
