"""Issue 18's scenes, replayed on a copy of the bundled plan: the same data and date tell
one story in every view. (Scene 2, the extension request, is in test_office.py.)"""

import json
from pathlib import Path
from typing import Any

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
