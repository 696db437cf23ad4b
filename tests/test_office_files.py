"""Broken and hostile Word/Excel files (tests/hostilefiles.py) end as the one Chinese import
error, exit 1, nothing written (issue 12, items 9 and 10); a long vertical merge reads without
recursion. How fast the hostile ones are refused is measured in benchmarks/run.py (make bench),
not here: machines are shared and noisy."""

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gkctl.exchange.docx_io import read_docx
from tests.hostilefiles import DOCX_CASES, SHEET, XLSX_CASES, docx_with_rows

Run = Callable[..., Any]


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_a_broken_xlsx_is_the_import_error(gk: Run, tmp_path: Path, case: str) -> None:
    make, reason = XLSX_CASES[case]
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(make())
    result = gk("import", str(path), "-o", str(tmp_path / "out" / "tasks.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法读取 {path}：不是有效的 Excel 文件（.xlsx）：{reason}")
    assert result.stderr.endswith("。\n") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


# --- Word ---------------------------------------------------------------------------------------


def test_a_long_vertical_merge_reads_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "merged.docx"
    path.write_bytes(docx_with_rows(5000))
    (sheet,) = read_docx(path, "merged.docx")
    assert len(sheet.rows) == 5001
    assert sheet.rows[1] == (2, ("1", "任务甲", "内容1", "区经委", "11月底前"))
    assert sheet.rows[-1] == (5001, ("5000", "任务甲", "内容5000", "区经委", "11月底前"))


@pytest.mark.parametrize("case", sorted(DOCX_CASES))
def test_a_broken_docx_is_the_import_error(gk: Run, tmp_path: Path, case: str) -> None:
    make, reason = DOCX_CASES[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(make())
    result = gk("import", str(path), "-o", str(tmp_path / "out" / "tasks.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法读取 {path}：不是有效的 Word 文件（.docx）：{reason}")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


# --- exported workbooks hold no formulas (item 15) ----------------------------------------------


def test_no_exported_cell_is_a_formula(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    for line, evil in (
        ("  title: 2024年金山区政务公开工作要点", '=HYPERLINK("http://x","点此")'),
        ("    title: 融入中心服务大局，高质量深层次推进主动公开", "=cmd|' /C calc'!A0"),
        ("    name: 围绕落实重大战略任务做好信息公开", "=1+1"),
    ):
        key = line.split(":")[0]
        text = text.replace(line + "\n", f"{key}: {json.dumps(evil, ensure_ascii=False)}\n", 1)
    path.write_text(text, encoding="utf-8")
    assert gk("validate", data=data_copy).exit_code == 0
    out = tmp_path / "t.xlsx"
    result = gk("export", "-o", str(out), "--as-of", "2024-10-15", data=data_copy)
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        sheet = package.read(SHEET).decode("utf-8")
        names = package.namelist()
        strings = sheet + (
            package.read("xl/sharedStrings.xml").decode("utf-8")
            if "xl/sharedStrings.xml" in names
            else ""
        )
    assert "<f>" not in sheet and "<f " not in sheet
    for shown in ("=HYPERLINK(", "=cmd|", "=1+1"):
        assert shown in strings.replace("&quot;", '"').replace("&apos;", "'")


# --- a workbook made again from the same data and date is the same file ----------------------


@pytest.mark.parametrize(
    "command",
    [("export", "--as-of", "2024-10-15"), ("form", "--unit", "经委", "--as-of", "2024-10-15")],
)
def test_a_written_workbook_holds_no_clock(
    gk: Run, data_copy: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """openpyxl stamps a saved workbook's `modified` property and zipfile each member with
    the current time: the same 填报表 made twice in CI was two different files. Dated by the
    as-of date and 1980-01-01 instead, it is one."""
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for out in (first, second):
        result = gk(*command, "-o", str(out), data=data_copy)
        assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(first) as package:
        assert {m.date_time for m in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode("utf-8")
    assert "2024-10-15T00:00:00Z</dcterms:modified>" in core
    assert "2024-10-15T00:00:00Z</dcterms:created>" in core
    assert first.read_bytes() == second.read_bytes()
