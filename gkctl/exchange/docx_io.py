"""The 任务分解表 as a Word document (python-docx, imported inside the functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gkctl.core import textsafe
from gkctl.exchange.docx_layout import column_widths, saved, set_table_widths
from gkctl.exchange.table import ExportTable, HeadingRow, Sheet, TaskRow

_FONT = "宋体"
_HEADING_FONT = "黑体"
_PAGE_WIDTH_CM, _PAGE_HEIGHT_CM, _MARGIN_CM = 29.7, 21.0, 2.0
_CENTERED = {0, 1, 4, 5, 6}  # 序号, 任务名称, 时间节点, 截止日期, 状态
_TABLE_PT = 10.5


def read_docx(path: Path, shown: str) -> list[Sheet]:
    """Every table of the document as a Sheet, with the paragraphs above it.

    A vertically merged cell's text stands in every row it covers and a horizontally merged
    cell's text in every grid column it spans (as python-docx's row.cells gives them, but
    without its recursion, which a long vertical merge exhausted). A file that is not a
    sane document (gkctl.exchange.package) is the one import error.
    """
    from gkctl.exchange import package

    return package.guarded(path, shown, "docx", lambda: _read(path, shown))


def _read(path: Path, shown: str) -> list[Sheet]:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    props = document.core_properties
    preamble: list[str] = []
    sheets: list[Sheet] = []
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            preamble.append(block.text)
            continue
        rows = tuple(enumerate(_rows(block), start=1))
        sheets.append(Sheet(shown, rows, tuple(preamble), props.title or "", props.comments or ""))
    return sheets


def read_docx_text(path: Path, shown: str) -> tuple[list[str], str]:
    """The document's paragraphs in order (a 要点 written as text, exchange.yaodian) and its
    title property."""
    from gkctl.exchange import package

    def read() -> tuple[list[str], str]:
        import docx

        document = docx.Document(str(path))
        return [p.text for p in document.paragraphs], document.core_properties.title or ""

    return package.guarded(path, shown, "docx", read)


def _rows(table: Any) -> list[tuple[str, ...]]:
    """The text of each grid cell, row by row; a cell continuing a vertical merge takes the
    text of the cell above it at the same grid column (looked up, not recursed)."""
    from docx.table import _Cell

    above: dict[int, str] = {}
    out = []
    for tr in table._tbl.tr_lst:
        column = tr.grid_before
        texts: list[str] = []
        current: dict[int, str] = {}
        for tc in tr.tc_lst:
            span = tc.grid_span
            text = above.get(column, "") if tc.vMerge == "continue" else _Cell(tc, table).text
            texts.extend([text] * span)
            current[column] = text
            column += span
        above = current
        out.append(tuple(texts))
    return out


def write_docx(table: ExportTable) -> bytes:
    """The table as the office prints it: landscape A4, a title, the header row repeated
    on every page (w:tblHeader), merged 任务名称, section rows spanning the table."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(_PAGE_WIDTH_CM), Cm(_PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(_MARGIN_CM))
    for side in ("top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))

    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10.5)
    # Word picks the font of Chinese text from the East Asian slot, not from w:ascii.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _FONT)

    def font(run: Any, name: str, size: float, bold: bool = False) -> None:
        run.font.name = name
        run.font.size = Pt(size)
        run.font.bold = bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(title.add_run(textsafe.visible(table.title)), _HEADING_FONT, 16)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(textsafe.visible(table.subtitle))

    ncol = len(table.header)
    grid = document.add_table(rows=1 + len(table.rows), cols=ncol)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Measured widths: 序号, dates and statuses whole; the text columns share the rest.
    cells = [row.cells for row in table.rows if isinstance(row, TaskRow)]
    widths_mm, whole = column_widths(
        table.header,
        [[c[j] for c in cells] for j in range(ncol)],
        (_PAGE_WIDTH_CM - 2 * _MARGIN_CM) * 10,
        _TABLE_PT,
    )
    widths = [Mm(w) for w in widths_mm]
    rows = list(grid.rows)

    header = rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat this row at the top of every page
    repeat.set(qn("w:val"), "true")
    header_pr.append(repeat)
    for j, cell in enumerate(header.cells):
        _fill(cell, table.header[j], widths[j], centered=True)
        font(cell.paragraphs[0].runs[0], _HEADING_FONT, 10.5, bold=True)

    merges: list[tuple[int, int]] = []
    headings: list[int] = []
    for r, row in enumerate(table.rows, start=1):
        cells = rows[r].cells
        if isinstance(row, HeadingRow):
            for j, cell in enumerate(cells):
                cell.width = widths[j]
            _fill(cells[0], row.text, widths[0], centered=False)
            font(cells[0].paragraphs[0].runs[0], _HEADING_FONT, 10.5, bold=True)
            headings.append(r)
            continue
        assert isinstance(row, TaskRow)
        for j, cell in enumerate(cells):
            text = "" if j == 1 and row.name_rows == 0 else row.cells[j]
            _fill(cell, text, widths[j], centered=j in _CENTERED)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if row.name_rows > 1:
            merges.append((r, r + row.name_rows - 1))
    for r in headings:
        grid.cell(r, 0).merge(grid.cell(r, ncol - 1))
    for first, last in merges:
        grid.cell(first, 1).merge(grid.cell(last, 1))
    set_table_widths(grid, widths_mm, whole)

    _page_footer(section, OxmlElement, qn)
    return saved(document, table.document.title, "任务分解表", table.as_of, table.meta)


def _fill(cell: Any, text: str, width: Any, centered: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.width = width
    paragraph = cell.paragraphs[0]
    if text:
        # XML 1.0 (Word) cannot hold C0 controls: python-docx refused the whole file.
        paragraph.add_run(textsafe.visible(text))
    if centered:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page_footer(section: Any, element: Any, qn: Any) -> None:
    """第 N 页 in the footer, with a PAGE field that Word fills in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    field = element("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = element("w:r")
    text = element("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" 页")
