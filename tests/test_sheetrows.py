"""Rows written as text (gkctl.exchange.sheetrows) are the rows openpyxl writes.

The reference is openpyxl itself: the same values put in cells with the same styles and
heights and saved through the same writer (xlsx_io.saved). The two sheets are compared as
XML (canonical form), since the text rows are UTF-8 where lxml writes character
references; the styles part must be the same too. And a form's row heights, now worked
out in its layout, are still those of its tallest cell.
"""

import io
import sys
import zipfile
from copy import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from gkctl.exchange import form, sheetrows
from gkctl.exchange.sheetrows import Rows
from gkctl.exchange.table import lines_needed
from gkctl.exchange.xlsx_io import saved
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES, ROOT

_THIN = Side(style="thin", color="000000")
STYLES: list[dict[str, Any] | None] = [
    {"font": Font(name="宋体", size=10), "border": Border(left=_THIN, right=_THIN)},
    None,
    {"fill": PatternFill("solid", fgColor="EDEDED"), "alignment": Alignment(wrap_text=True)},
    {"number_format": "yyyy-mm-dd", "protection": Protection(locked=False)},
    None,
]

# Text as a cell may hold it once core.textsafe has shown its controls: anything but C0
# controls other than tab, LF and CR (openpyxl refuses those) and lone surrogates (the
# loader refuses them). Chinese, astral characters, XML's specials and white space at
# either end (xml:space) are what matter.
_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"],
)
_TEXT = st.one_of(
    st.text(_CHARS, max_size=30),
    st.text(st.sampled_from("汉字 &<>\"'\r\n\t\u3000=#N/A😀"), max_size=12),
)
_VALUE = st.one_of(st.none(), _TEXT, st.integers(min_value=0, max_value=10**9))
# Dates in the column with a date format, as in a form (Rows' contract).
_DATED = st.one_of(_VALUE, st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)))
_ROW = st.tuples(*(_DATED if s and "number_format" in s else _VALUE for s in STYLES)).map(list)


# A second kind of row (a heading, say): other styles in some columns.
OTHER: list[dict[str, Any] | None] = [
    {"font": Font(name="黑体", size=11, bold=True)},
    {"border": Border(top=_THIN, bottom=_THIN)},
    None,
    STYLES[3],
    {"alignment": Alignment(horizontal="center")},
]


def _ids(workbook: Workbook, ws: Any, styles: list[dict[str, Any] | None]) -> list[int | None]:
    """`styles` registered column by column, as form.py registers them."""
    ids: list[int | None] = []
    for j, style in enumerate(styles):
        if style is None:
            ids.append(None)
            continue
        scratch = Cell(ws, row=1, column=j + 1)
        for name, value in style.items():
            setattr(scratch, name, value)
        ids.append(scratch.style_id)
    return ids


def _workbook() -> tuple[Workbook, Any, list[int | None]]:
    workbook = Workbook()
    ws = workbook.active
    return workbook, ws, _ids(workbook, ws, STYLES)


def _parts(data: bytes) -> dict[str, bytes]:
    """The sheet and the styles, canonical."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            name: etree.tostring(etree.fromstring(z.read(name)), method="c14n")
            for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml")
        }


def by_openpyxl(
    values: list[list[Any]], heights: list[float | None], kinds: list[str] | None = None
) -> dict[str, bytes]:
    workbook, ws, plain = _workbook()
    other = _ids(workbook, ws, OTHER) if kinds else plain
    for i, (row, height) in enumerate(zip(values, heights, strict=True), start=1):
        ids = other if kinds and kinds[i - 1] == "other" else plain
        for j, value in enumerate(row):
            cell = ws.cell(i, j + 1, value)
            # What gkctl writes as text is text: openpyxl reads "=..." as a formula and
            # "#N/A" as an error (the form turned the first back; sheetrows writes both).
            if cell.data_type in ("f", "e"):
                cell.data_type = "s"
            if ids[j] is not None:
                cell._style = copy(workbook._cell_styles[ids[j]])
        if height is not None:
            ws.row_dimensions[i].height = height
    return _parts(saved(workbook))


def by_rows(
    values: list[list[Any]], heights: list[float | None], kinds: list[str] | None = None
) -> dict[str, bytes]:
    workbook, ws, ids = _workbook()
    by_kind = {"plain": ids, "other": _ids(workbook, ws, OTHER)} if kinds else {}
    return _parts(saved(workbook, {ws: Rows(1, values, heights, ids, kinds, by_kind)}))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            _ROW,
            st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_rows_as_text_are_the_rows_openpyxl_writes(rows: list[tuple[list[Any], Any]]) -> None:
    values = [v for v, _ in rows]
    heights = [h for _, h in rows]
    assert by_rows(values, heights) == by_openpyxl(values, heights)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_ROW, st.sampled_from(["plain", "other"]), st.sampled_from([None, 22, 49.5])),
        min_size=1,
        max_size=6,
    )
)
def test_rows_of_two_kinds_take_each_kind_s_styles(rows: list[tuple[list[Any], str, Any]]) -> None:
    values, kinds, heights = [v for v, _, _ in rows], [k for _, k, _ in rows], [h for *_, h in rows]
    assert by_rows(values, heights, kinds) == by_openpyxl(values, heights, kinds)


def test_a_long_text_is_cut_where_openpyxl_cuts_it_and_read_back() -> None:
    long = "长" * (sheetrows.MAX_TEXT + 10)
    values: list[list[Any]] = [[" 前后有空格 ", None, long, date(2024, 11, 30), 7]]
    assert by_rows(values, [32]) == by_openpyxl(values, [32])
    workbook, ws, ids = _workbook()
    sheet = load_workbook(io.BytesIO(saved(workbook, {ws: Rows(3, values, [32], ids)}))).active
    assert sheet.max_row == 3 and sheet.max_column == len(STYLES)
    assert sheet["A3"].value == " 前后有空格 " and sheet["C3"].value == long[: sheetrows.MAX_TEXT]
    assert sheet["D3"].value.date() == date(2024, 11, 30) and sheet["E3"].value == 7
    assert sheet.row_dimensions[3].height == 32


def test_what_xml_cannot_carry_is_written_as_an_escape_not_a_broken_file() -> None:
    """A text holding a C0 control or U+FFFE (a plan folder's name on the form's hidden
    sheet is not shown through textsafe.visible): the sheet stays XML that Excel and
    openpyxl read, the character shown as its escape; tab, LF and CR stay themselves."""
    values: list[list[Any]] = [["任务 2025\x07/3", None, "甲\ufffe乙\x00", None, "行\n\t\r尾"]]
    workbook, ws, ids = _workbook()
    data = saved(workbook, {ws: Rows(1, values, [None], ids)})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        etree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # well-formed
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "任务 2025\\x07/3"
    assert sheet["C1"].value == "甲\\ufffe乙\\x00"
    assert sheet["E1"].value == "行\n\t\r尾"


def test_rows_below_openpyxl_s_own_cells_widen_its_dimension() -> None:
    workbook, ws, ids = _workbook()
    ws["A1"] = "标题"
    ws["G2"] = "右边"
    rows = Rows(3, [["一", None, "三"], ["四"]], [None, 20], ids[:3])
    with zipfile.ZipFile(io.BytesIO(saved(workbook, {ws: rows}))) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:G4"/>' in sheet
    read = load_workbook(io.BytesIO(saved(workbook, {ws: rows}))).active
    assert [read.cell(r, 1).value for r in range(1, 5)] == ["标题", None, "一", "四"]
    assert read["C3"].value == "三" and read["G2"].value == "右边"


def _generated(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(400, tmp)
    return tmp


@pytest.mark.parametrize("source", ["bundled", "generated", "progress"])
def test_a_form_row_is_as_tall_as_its_tallest_cell(source: str, tmp_path: Path) -> None:
    """The height each row gets from its layout (its task's text measured once for all
    the units' forms) is the one of its tallest cell, on every unit's form, one plan's
    and across plans."""
    from gkctl.core import plans as across

    folders = {"bundled": DATA, "progress": FIXTURES / "progress" / "plan"}
    folder = folders[source] if source in folders else _generated(tmp_path)
    dataset = loader.load(folder)
    day = date(2024, 10, 15)
    checked = 0
    layouts = [layout for _, layout in form.form_layouts(dataset, day)]
    layouts += [form.form_layout(dataset, dataset.directory.units[0], day)]
    running = across.running([across.NamedPlan("p", dataset)], day)
    for unit in dataset.directory.units[:5]:
        states = across.unit_form_states(running, unit, day)
        layouts.append(form.plans_form_layout([("p", dataset)], unit, states, day))
    for layout in layouts:
        for row in layout.rows:
            cells = enumerate(row.cells)
            assert row.lines == max(lines_needed(t, layout.widths[j]) for j, t in cells)
            checked += 1
    assert checked >= len(dataset.plan.tasks)


def test_booleans_and_numbers_without_a_value_are_written_as_openpyxl_writes_them() -> None:
    values: list[list[Any]] = [[True, False, float("nan"), float("inf"), 2.5]]
    assert by_rows(values, [None]) == by_openpyxl(values, [None])


def test_rows_that_would_interleave_with_openpyxl_s_own_are_refused() -> None:
    """Rows out of order make a file Excel calls corrupt: a caller's mistake, refused."""
    workbook, ws, ids = _workbook()
    ws.row_dimensions[7].height = 30
    with pytest.raises(ValueError, match="rows from 6 under openpyxl's row 7"):
        saved(workbook, {ws: Rows(6, [["a"]], [None], ids[:1])})


def test_a_merge_over_text_rows_keeps_a_cell_openpyxl_already_holds() -> None:
    from gkctl.exchange.xlsx_io import add_merge

    _, ws, _ = _workbook()
    ws["A1"] = "标题"
    add_merge(ws, "A1:C1")
    add_merge(ws, "A2:C2")  # over a row written as text: no cell of openpyxl's is left
    assert ws["A1"].value == "标题" and (2, 1) not in ws._cells
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1", "A2:C2"}


@pytest.mark.parametrize("unit", ["区经委", "empty"])
def test_a_form_registers_only_the_cell_styles_it_uses(unit: str) -> None:
    """Every cell style in styles.xml is one a cell of the form uses (a form without rows
    registers none of the rows' styles, as a cell per value registered none)."""
    import re
    from dataclasses import replace

    from gkctl.store.formkey import FormKey

    dataset = loader.load(DATA)
    one = dataset.directory.unit("区经委")
    assert one is not None
    layout = form.form_layout(dataset, one, date(2024, 10, 15))
    if unit == "empty":  # as `form --unit` writes one for a unit with no task
        layout = replace(layout, rows=())
    data = form.write_form(layout, FormKey(b"k" * 32, "test"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
        sheets = "".join(z.read(n).decode() for n in z.namelist() if "worksheets/" in n)
    count = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))
    used = {int(n) for n in re.findall(r' s="(\d+)"', sheets)}
    assert used == set(range(1, count))
