"""Build a 任务分解表 as an office types it, in Word (python-docx) and Excel (openpyxl).

A table is a grid of cell texts. LEFT marks a cell merged into the one on its left (a label
spanning columns, a section row across the table); UP one merged into the cell above (a
任务名称 or a section column merged down over its rows). A line break in a text is a new
paragraph in Word and Alt+Enter in Excel. `above` is the title (paragraphs in Word, a
merged row in Excel), `below` the notes under the table.
"""

from __future__ import annotations

from pathlib import Path

LEFT = "<LEFT>"
UP = "<UP>"

Grid = list[list[str]]


def _spans(grid: Grid) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """(row, first col, last col) of horizontal merges; (col, first row, last row) of vertical."""
    across = []
    for r, row in enumerate(grid):
        c = 0
        while c < len(row):
            end = c
            while end + 1 < len(row) and row[end + 1] == LEFT:
                end += 1
            if end > c:
                across.append((r, c, end))
            c = end + 1
    down = []
    width = max(len(row) for row in grid)
    for c in range(width):
        r = 0
        while r < len(grid):
            end = r
            while end + 1 < len(grid) and c < len(grid[end + 1]) and grid[end + 1][c] == UP:
                end += 1
            if end > r:
                down.append((c, r, end))
            r = end + 1
    return across, down


def _widths(grid: Grid) -> list[int]:
    """Each column as wide as an office would make it: its longest line, within limits."""
    width = max(len(row) for row in grid)
    out = []
    for c in range(width):
        texts = [
            row[c]
            for row in grid
            if c < len(row) and row[c] not in (LEFT, UP) and LEFT not in row[c + 1 : c + 2]
        ]
        longest = max((len(line) for t in texts for line in t.split("\n")), default=2)
        out.append(min(max(longest, 3), 24))
    return out


def _wrapped(text: str, width: int) -> int:
    """Lines a cell's text takes in a column `width` Latin letters wide."""
    from gkctl.exchange.table import lines_needed

    return lines_needed(text, width)


def build_docx(path: Path, grid: Grid, above: list[str] = (), below: list[str] = ()) -> Path:  # type: ignore[assignment]
    import docx

    document = docx.Document()
    for line in above:
        document.add_paragraph(line)
    width = max(len(row) for row in grid)
    table = document.add_table(rows=len(grid), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    from docx.shared import Cm

    widths = _widths(grid)
    for c, w in enumerate(widths):
        table.columns[c].width = Cm(16 * w / sum(widths))  # the grid LibreOffice lays out by
        for cell in table.columns[c].cells:
            cell.width = Cm(16 * w / sum(widths))
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value in (LEFT, UP) or not value:
                continue
            lines = value.split("\n")
            cell = table.cell(r, c)
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    across, down = _spans(grid)
    for r, first, last in across:
        table.cell(r, first).merge(table.cell(r, last))
    for c, first, last in down:
        table.cell(first, c).merge(table.cell(last, c))
    for line in below:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def build_xlsx(path: Path, grid: Grid, above: list[str] = (), below: list[str] = ()) -> Path:  # type: ignore[assignment]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    ws = workbook.active
    ws.title = "Sheet1"
    width = max(len(row) for row in grid)
    widths = _widths(grid)
    merges: list[tuple[int, int, int, int]] = []
    for line in above:
        ws.append([line])
        merges.append((ws.max_row, 1, ws.max_row, width))
    top = ws.max_row + 1 if above else 1
    for r, row in enumerate(grid):
        values: list[object] = []
        for value in row:
            if value in (LEFT, UP) or value == "":
                values.append(None)
            elif value.isdigit():
                values.append(int(value))  # Excel keeps a typed number as a number
            else:
                values.append(value)
        if r == 0 and top == 1 and not above:
            ws.append(values)
        else:
            ws.append(values)
        # LibreOffice does not grow rows: as high as the longest cell wraps in its column.
        lines = max(
            (_wrapped(v, 2 * widths[c] + 2) for c, v in enumerate(values) if isinstance(v, str)),
            default=1,
        )
        ws.row_dimensions[ws.max_row].height = 16 * lines
        thin = Side(style="thin")
        for c in range(1, width + 1):
            cell = ws.cell(ws.max_row, c)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    across, down = _spans(grid)
    merges += [(top + r, first + 1, top + r, last + 1) for r, first, last in across]
    merges += [(top + first, c + 1, top + last, c + 1) for c, first, last in down]
    for line in below:
        ws.append([line])
        merges.append((ws.max_row, 1, ws.max_row, width))
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_cells(
            start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
        )
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = 2 * w + 2
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(str(path))
    return path


BUILDERS = {"docx": build_docx, "xlsx": build_xlsx}
