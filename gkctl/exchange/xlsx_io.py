"""The 任务分解表 as an Excel workbook (openpyxl, imported inside the functions)."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Hashable
from copy import copy
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from gkctl.core import textsafe
from gkctl.exchange import sheetrows
from gkctl.exchange.package import pinned_member
from gkctl.exchange.sheetrows import Rows
from gkctl.exchange.table import ExportTable, HeadingRow, Sheet, TaskRow, lines_needed

SHEET_TITLE = "任务分解表"
_FONT = "宋体"
_HEADING_FONT = "黑体"
_LINE_HEIGHT = 14.5  # points per line of 11-point 宋体
_CENTERED = {0, 1, 4, 5, 6}  # 序号, 任务名称, 时间节点, 截止日期, 状态


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, shown: str) -> list[Sheet]:
    """Every worksheet as a Sheet, the active one first; merged ranges take the value of
    their top-left cell in every cell they cover. A file that is not a sane workbook
    (gkctl.exchange.package) or that openpyxl cannot read is the one import error."""
    from gkctl.exchange import package

    return package.guarded(path, shown, "xlsx", lambda: _read(path, shown))


def open_workbook(path: Path, shown: str) -> Any:
    """The workbook in `path` with cell values (not formulas), through the same checks as
    read_xlsx: how a returned 填报表 is opened (gkctl.exchange.form_read)."""
    from openpyxl import load_workbook

    from gkctl.exchange import package

    return package.guarded(path, shown, "xlsx", lambda: load_workbook(path, data_only=True))


def _read(path: Path, shown: str) -> list[Sheet]:
    from openpyxl import load_workbook

    # Not read-only: merged ranges are only known in the normal mode.
    workbook = load_workbook(path, data_only=True)
    worksheets = list(workbook.worksheets)
    active = workbook.active
    if active in worksheets:
        worksheets.remove(active)
        worksheets.insert(0, active)
    props = workbook.properties
    return [_sheet(ws, shown, props.title or "", props.description or "") for ws in worksheets]


def _sheet(ws: Any, shown: str, title: str, meta: str) -> Sheet:
    # The grid spans the cells that hold a value and the merged ranges, not every styled
    # empty cell openpyxl keeps (package.check has capped both).
    cells = {key: _text(cell.value) for key, cell in ws._cells.items() if cell.value is not None}
    merged = list(ws.merged_cells.ranges)
    height = max([r for r, _ in cells] + [m.max_row for m in merged], default=0)
    width = max([c for _, c in cells] + [m.max_col for m in merged], default=0)
    grid = [[cells.get((r, c), "") for c in range(1, width + 1)] for r in range(1, height + 1)]
    for m in merged:
        top = grid[m.min_row - 1][m.min_col - 1]
        for r in range(m.min_row - 1, m.max_row):
            for c in range(m.min_col - 1, m.max_col):
                grid[r][c] = top
    rows = tuple((n, tuple(cells)) for n, cells in enumerate(grid, start=1))
    return Sheet(shown, rows, (), title, meta)


def cell_text(value: Any) -> Any:
    """A value for a cell or a property: text as core.textsafe.visible shows it (XML 1.0,
    so Excel, cannot hold C0 controls: openpyxl refused the whole workbook)."""
    return textsafe.visible(value) if isinstance(value, str) else value


def write_xlsx(table: ExportTable) -> bytes:
    """The table as the office prints it: title, header repeated on every page, merged
    任务名称, section rows, landscape A4 fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    ncol = len(table.header)
    last = get_column_letter(ncol)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=_FONT, size=11)
    wrap = Alignment(wrap_text=True, vertical="center")
    middle = Alignment(wrap_text=True, vertical="center", horizontal="center")

    # Rows are counted here: ws.max_row and ws[r] scan every cell of the sheet (quadratic:
    # 64 s of the 98 s an export of 10,000 tasks took).
    ws.append([cell_text(table.title)])
    merge(ws, f"A1:{last}1")
    ws["A1"].font = Font(name=_HEADING_FONT, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([cell_text(table.subtitle)])
    merge(ws, f"A2:{last}2")
    ws["A2"].font = body
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.append(list(table.header))
    header_row = 3
    for j in range(1, ncol + 1):
        cell = ws.cell(header_row, j)
        cell.font = Font(name=_HEADING_FONT, size=11, bold=True)
        cell.alignment = middle
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    ws.row_dimensions[header_row].height = 22
    r = header_row

    heading_font = Font(name=_HEADING_FONT, size=11, bold=True)
    heading_align = Alignment(vertical="center")
    heading = [{"font": heading_font, "border": border, "alignment": heading_align}]
    heading += [{"border": border}] * (ncol - 1)
    heading_kinds = ["heading"] + ["heading rest"] * (ncol - 1)
    task = [
        {"font": body, "border": border, "alignment": middle if j in _CENTERED else wrap}
        | ({"number_format": "yyyy-mm-dd"} if j == 5 else {})  # column F holds the due date
        for j in range(ncol)
    ]
    # The rows go in as text (sheetrows), a kind of row each: a section heading merged
    # across, a task row, and a task row under a merged 任务名称 (its B cell covered, the
    # last one closing the merge's border). Each kind's styles are what openpyxl gave its
    # cells when it wrote a cell per value, registered in the order it registered them:
    # the same styles part and the same style indices (RowStyles).
    kinds = RowStyles(workbook)
    values: list[list[Any]] = []
    heights: list[float] = []
    row_kinds: list[str] = []
    merges: list[tuple[int, int]] = []
    covered = 0  # rows of the 任务名称 merged above still to come
    for row in table.rows:
        r += 1
        if isinstance(row, HeadingRow):
            kinds.merged("heading", list(zip(heading_kinds, heading, strict=True)), ncol)
            values.append([cell_text(row.text)] + [None] * (ncol - 1))
            heights.append(22)
            row_kinds.append("heading")
            add_merge(ws, f"A{r}:{last}{r}")
            continue
        kinds.plain("task", [((j == 5, j in _CENTERED), style) for j, style in enumerate(task)])
        values.append([cell_text(v) for v in _values(row)])
        # A merged 任务名称 spreads over its rows; a single one must fit its own row.
        lines = max(
            lines_needed(text, table.widths[j])
            for j, text in enumerate(row.cells)
            if j != 1 or row.name_rows == 1
        )
        heights.append(max(1, lines) * _LINE_HEIGHT + 6)
        if row.name_rows > 1:
            merges.append((r, r + row.name_rows - 1))
            covered = row.name_rows - 1
            row_kinds.append("task")
        elif covered:
            covered -= 1
            row_kinds.append("covered" if covered else "covered last")
        else:
            row_kinds.append("task")
    for first, last_row in merges:
        add_merge(ws, f"B{first}:B{last_row}")
    if merges:
        kinds.covered_name("task", "covered", "covered last")
    styles = kinds.indices(ws, row_kinds)
    rows = {ws: Rows(header_row + 1, values, heights, [], row_kinds, styles)}
    # Text that starts with "=" is text, never a formula: in the title and subtitle, which
    # come from the plan as much as the rows (written as text by sheetrows) do.
    for row_cells in ws.iter_rows():
        for cell in row_cells:
            if cell.data_type == "f":
                cell.data_type = "s"
    for j, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width + 1
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = f"A{header_row + 1}"
    print_landscape(ws, "第 &P 页，共 &N 页", sides=0.5, ends=0.6)

    stamp = datetime.combine(table.as_of, time(0))
    props = workbook.properties
    props.title = cell_text(table.document.title)
    props.subject = SHEET_TITLE
    props.description = cell_text(table.meta)
    props.creator = props.lastModifiedBy = "gkctl"
    props.created = props.modified = stamp
    return saved(workbook, rows)


class _PinnedZip(zipfile.ZipFile):
    """A zip whose members are all pinned (package.pinned_member), whichever way openpyxl
    adds them, with `rows` spliced into the worksheets they are for (sheetrows.splice:
    member name -> rows)."""

    rows: dict[str, Rows]

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        member = zinfo_or_arcname
        if isinstance(member, str):
            member = pinned_member(member)
        super().writestr(member, data, compress_type, compresslevel)

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = str(arcname or filename)
        member = pinned_member(name)
        rows = self.rows.get(name)
        # In pieces, as ZipFile.write copies: a sheet of 100,000 rows is tens of MB.
        with open(filename, "rb") as source, self.open(member, "w", force_zip64=True) as to:
            if rows is None:
                shutil.copyfileobj(source, to, 1 << 20)
                return
            for piece in sheetrows.splice(source.read(), rows):
                to.write(piece)


def saved(workbook: Any, rows: dict[Any, Rows] | None = None) -> bytes:
    """The workbook's bytes, the same for the same workbook whenever it is written: its
    properties keep the dates set on them (openpyxl's Workbook.save stamps `modified` with
    the current time) and every zip member is dated 1980-01-01 (zipfile dates a member
    with the clock, or with the temporary file openpyxl wrote a sheet to). A 填报表 or
    任务分解表 made again in CI from the same data and date is then the same file.

    `rows` (worksheet -> sheetrows.Rows) are written below each worksheet's own cells."""
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    archive = _PinnedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    # openpyxl numbers the worksheets' parts in the workbook's order (ExcelWriter).
    sheets = workbook.worksheets
    archive.rows = {
        f"xl/worksheets/sheet{sheets.index(ws) + 1}.xml": more for ws, more in (rows or {}).items()
    }
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def merge(ws: Any, coord: str) -> None:
    """ws.merge_cells(coord) for a range that overlaps no range merged before (each range
    gkctl merges is a row of its own or a run of one column's rows): openpyxl checks a new
    range against every merged range (MultiCellRange.add), which made an export's 4,300
    merges at 100,000 tasks quadratic. The rest is what merge_cells does."""
    from openpyxl.worksheet.merge import MergedCellRange

    merged = MergedCellRange(ws, coord)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


class RowStyles:
    """The styles of each kind of row written as text (sheetrows), registered in the
    workbook as openpyxl registered them when each cell was written as a value: fonts,
    borders and the rest when a kind's style is first set (StyleStamps), a merged range's
    borders when it is merged, cell styles in the order the cells are written (`indices`).
    Each kind is laid out once on a worksheet of its own that is never saved, with
    openpyxl's own merge, so that its covered cells are what openpyxl makes them."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.stamps = StyleStamps()
        self.arrays: dict[str, list[Any]] = {}

    def _sheet(self, columns: list[tuple[Hashable, dict[str, Any]]]) -> Any:
        from openpyxl.worksheet.worksheet import Worksheet

        ws = Worksheet(self.workbook)
        for j, (stamp, style) in enumerate(columns, start=1):
            self.stamps.put(ws.cell(1, j), stamp, **style)
        return ws

    def plain(self, kind: str, columns: list[tuple[Hashable, dict[str, Any]]]) -> None:
        """A row of cells, each with its stamp's style."""
        if kind not in self.arrays:
            ws = self._sheet(columns)
            self.arrays[kind] = [copy(ws.cell(1, j)._style) for j in range(1, len(columns) + 1)]

    def merged(self, kind: str, columns: list[tuple[Hashable, dict[str, Any]]], ncol: int) -> None:
        """A row merged across: its first cell's style, the others covered."""
        if kind not in self.arrays:
            from openpyxl.utils import get_column_letter

            ws = self._sheet(columns)
            merge(ws, f"A1:{get_column_letter(ncol)}1")
            self.arrays[kind] = [copy(ws._cells[1, j]._style) for j in range(1, ncol + 1)]

    def covered_name(self, kind: str, middle: str, last: str) -> None:
        """Rows of `kind` under a merged 任务名称 (column B): the covered cells of the merge
        (`middle`) and the last of them (`last`), which closes its border."""
        from openpyxl.worksheet.worksheet import Worksheet

        plain = self.arrays[kind]
        ws = Worksheet(self.workbook)
        for r in (1, 2, 3):
            for j, array in enumerate(plain, start=1):
                ws.cell(r, j)._style = copy(array)
        merge(ws, "B1:B3")
        self.arrays[middle] = [copy(ws._cells[2, j]._style) for j in range(1, len(plain) + 1)]
        self.arrays[last] = [copy(ws._cells[3, j]._style) for j in range(1, len(plain) + 1)]

    def indices(self, ws: Any, row_kinds: list[str]) -> dict[str, list[int | None]]:
        """Each kind's style index per column, numbered as openpyxl numbers them while it
        writes: the sheet's own cells first, then each kind of row where it first comes."""
        for _, cell in sorted(ws._cells.items()):
            if cell.has_style:
                cell.style_id  # noqa: B018 (registers the style, in openpyxl's order)
        styles = self.workbook._cell_styles
        return {
            kind: [styles.add(a) if any(a) else None for a in self.arrays[kind]]
            for kind in dict.fromkeys(row_kinds)
        }


def add_merge(ws: Any, coord: str) -> None:
    """A merged range over cells written as text (sheetrows), which openpyxl never holds:
    merge's covered cells (and its border on them) are the row kinds' (RowStyles)."""
    from openpyxl.worksheet.merge import MergedCellRange

    start = ws._cells.get(coord_start := _start_of(coord))
    merged = MergedCellRange(ws, coord)
    if start is None:
        # Made to be the range's start cell: the cell is a text row's, not openpyxl's.
        del ws._cells[coord_start]
    ws.merged_cells.ranges.add(merged)


def _start_of(coord: str) -> tuple[int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, _, _ = range_boundaries(coord)
    return (min_row, min_col)


class StyleStamps:
    """Cell styles set once through openpyxl's setters and copied to every like cell
    after. Each setter hashes the style object and looks it up in the workbook's list
    (about 45 µs): at 10,000 rows of seven cells that was 10 s of an export. The copy is
    openpyxl's own per-cell style record (the index of each style in the workbook's
    lists), so the file written is the same byte for byte."""

    def __init__(self) -> None:
        self._arrays: dict[Hashable, Any] = {}

    def put(self, cell: Any, kind: Hashable, **styles: Any) -> None:
        """Give `cell` the `styles` of its `kind` (one kind, one set of styles)."""
        known = self._arrays.get(kind)
        if known is None:
            for name, value in styles.items():
                setattr(cell, name, value)
            self._arrays[kind] = copy(cell._style)
        else:
            cell._style = copy(known)


def _values(row: TaskRow) -> list[Any]:
    values: list[Any] = list(row.cells)
    values[0] = int(row.cells[0])
    if row.name_rows == 0:
        values[1] = None  # covered by the merged cell above
    if row.due is not None:
        values[5] = row.due
    return values


def print_landscape(ws: Any, footer: str, sides: float, ends: float) -> None:
    """Print `ws` on A4 landscape, one page wide and as many long as the rows need,
    centred, with margins in inches and `footer` (&P, &N: page numbers) at the foot."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = sides
    ws.page_margins.top = ws.page_margins.bottom = ends
    ws.oddFooter.center.text = footer
