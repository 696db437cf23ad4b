"""Issue 18's scenes, replayed on a copy of the bundled plan: the same data and date tell
one story in every view. (Scene 2, the extension request, is in test_office.py.)"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from gkctl.store import loader
from tests.conftest import DATA
from tests.test_progress import Run

AS_OF = "2024-11-05"


def ok(gk: Run, data: Path, *args: str, today: str = AS_OF) -> Any:
    result = gk(*args, data=data, env={"GKCTL_TODAY": today})
    assert result.exit_code == 0, result.stderr
    return result


def test_scene_one_a_done_report_is_one_story(gk: Run, data_copy: Path) -> None:
    """`progress add 31 --unit 经委 --status done`: 区经委 is the only unit task 31 names
    (the other is 各相关部门). On 11-05 show, list, report, stats and due must all say the
    task waits for 销号, not that it is overdue — and 区经委 counts it done."""
    ok(gk, data_copy, "progress", "add", "31", "--unit", "经委", "--status", "done")
    shown = ok(gk, data_copy, "show", "31", "--as-of", AS_OF).stdout
    assert "状态      已报完成，待销号" in shown
    assert "已逾期" not in shown
    assert "已报      1/1：区经委" in shown
    listed = json.loads(ok(gk, data_copy, "list", "--as-of", AS_OF, "-f", "json").stdout)
    by_id = {t["id"]: t for t in listed["tasks"]}
    assert by_id[31]["status"] == "reported"
    csv = ok(gk, data_copy, "list", "--as-of", AS_OF, "-f", "csv").stdout
    row = next(line for line in csv.splitlines() if line.startswith("31,"))
    assert ",reported,已报完成，待销号,-5,1,1" in row
    report = ok(gk, data_copy, "report", "--as-of", AS_OF).stdout
    overdue = report.split("## 逾期任务", 1)[1].split("\n## ", 1)[0]
    assert "| 31 |" not in overdue
    assert "| 已报完成，待销号 | 1 |" in report
    summary = json.loads(ok(gk, data_copy, "due", "--as-of", AS_OF, "-f", "json").stdout)
    jingwei = next(u for u in summary["units"] if u["unit"] == "区经委")
    assert jingwei["done"] == 1
    stats = json.loads(ok(gk, data_copy, "stats", "--as-of", AS_OF, "-f", "json").stdout)
    assert next(u for u in stats["units"] if u["unit"] == "区经委")["done"] == 1
    # The unit's own view keeps `done`; the office's close makes it done everywhere.
    own = json.loads(
        ok(gk, data_copy, "show", "31", "-u", "经委", "--as-of", AS_OF, "-f", "json").stdout
    )
    assert own["task"]["status"] == "done"
    ok(gk, data_copy, "close", "31", "--date", AS_OF)
    closed = json.loads(ok(gk, data_copy, "show", "31", "--as-of", AS_OF, "-f", "json").stdout)
    assert closed["task"]["status"] == "done"


def test_scene_three_the_report_of_a_period(gk: Run, data_copy: Path) -> None:
    """The 通报 says what happened since the last one, and 落后单位 names the units behind
    on their own tasks, with the tasks late for every department once, as group lines."""
    ok(gk, data_copy, "progress", "add", "28", "-u", "政府办", "-s", "doing", "--date",
       "2024-10-20", "--note", "目录初稿已完成", today="2024-10-20")  # fmt: skip
    ok(gk, data_copy, "extend", "72", "-u", "经委", "--to", "2024-11-30", "-r", "补报",
       "--late", "--date", "2024-11-04", today="2024-11-04")  # fmt: skip
    report = ok(gk, data_copy, "report", "--as-of", AS_OF, "--since", "2024-10-01").stdout
    period = report.split("## 本期变化（2024年10月1日之后至2024年11月5日）\n", 1)[1]
    period = period.split("\n## ", 1)[0]
    assert "| 10月20日 | 28 |" in period and "目录初稿已完成" in period
    overdue = period.split("### 新增逾期", 1)[1].split("###", 1)[0]
    assert [int(n) for n in re.findall(r"^\| (\d+) \|", overdue, re.MULTILINE)] == [31, 69, 72, 73]
    assert "| 11月4日 | 72 |" in period.split("### 延期申请", 1)[1]
    behind = report.split("## 落后单位", 1)[1]
    rows = re.findall(r"^\| ([^-|][^|]*) \|", behind, re.MULTILINE)[1:]
    assert len(rows) < 10  # not 40 red rows
    assert "- 各部门：任务 60 已逾期（逾期66天），已报 0/28" in behind
    # Without --since the report has no such section.
    plain = ok(gk, data_copy, "report", "--as-of", AS_OF).stdout
    assert "本期变化" not in plain


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_stats_fits_the_terminal(gk: Run, columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """No column vanishes, no unit name is cut or wrapped, no trailing spaces when piped."""
    monkeypatch.setenv("COLUMNS", str(columns))
    out = gk("stats", "--as-of", "2024-10-15").stdout
    lines = out.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert all(cell_len(line) <= columns for line in lines)
    assert "…" not in out
    names = [u.name for u in loader.load(DATA).directory.units]
    for name in names:  # every unit is named whole: in a row, or in a list of alike ones
        assert re.search(rf"(^|[ 、：]){name}([ 、等]|$)", out, re.MULTILINE), name
    figures = "任务36 完成0 逾期7 临期3 直接7/2 完成率0% 延期0 可能11"
    if columns < 80:
        assert f"    {figures}" in lines
    else:
        assert re.search(r"^● 红灯  区政府办公室 +36 +0 +7 +3 +0% +0 +7/2 +11$", out, re.M)
