"""Tasks without a 时间节点 (imported from a table without a deadline column): the key is
absent, validate warns without failing, and every view shows them apart as 未明确时限."""

import json
import re
from pathlib import Path

import pytest

from gkctl.core import deadlines, status
from gkctl.store import loader

AS_OF = "2024-10-15"


def _drop_deadline(data: Path, *ids: int) -> list[int]:
    """Remove the deadline line of tasks `ids`; returns the 1-based line of each task."""
    path = data / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    lines = []
    for task_id in ids:
        text, n = re.subn(
            rf"(  - id: {task_id}\n(?:    (?!deadline).*\n)*?)    deadline: .*\n", r"\1", text
        )
        assert n == 1
        lines.append(text.splitlines().index(f"  - id: {task_id}") + 1)
    path.write_text(text, encoding="utf-8")
    return lines


def test_undated_deadline_is_a_kind_of_its_own() -> None:
    found = deadlines.undated(2024)
    assert (found.text, found.kind, found.due, found.kind.value) == ("", "undated", None, "undated")
    assert found.rule.startswith("未明确时限：")
    with pytest.raises(deadlines.DeadlineError):
        deadlines.resolve("", 2024)  # an empty cell is still not a deadline text


def test_validate_warns_but_passes(gk, data_copy) -> None:
    (line,) = _drop_deadline(data_copy, 31)
    result = gk("validate", data=data_copy)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("数据有效：75 项任务，其中 1 项未明确时限，")
    assert result.stderr == (
        f"{data_copy / 'tasks.yaml'}:{line}:5: 警告：任务 31 未明确时限（没有时间节点）："
        "确定后写 deadline（时间节点）或 due（日期）\n"
    )
    data = json.loads(gk("validate", "--format", "json", data=data_copy).stdout)
    assert data["problems"] == []
    assert [(w["line"], w["code"]) for w in data["warnings"]] == [(line, "undated")]
    github = gk("validate", "--format", "github", data=data_copy)
    assert github.exit_code == 0
    assert github.stdout.startswith(f"::warning file={data_copy / 'tasks.yaml'},line={line},col=5")


def test_due_date_given_later_clears_the_warning(gk, data_copy) -> None:
    _drop_deadline(data_copy, 31)
    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  - id: 31\n", "  - id: 31\n    due: 2024-11-15\n", 1
    )
    path.write_text(text, encoding="utf-8")
    result = gk("validate", data=data_copy)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(gk("show", "31", "--as-of", AS_OF, "--format", "json", data=data_copy).stdout)


def test_status_and_views(gk, data_copy) -> None:
    _drop_deadline(data_copy, 31, 72)
    dataset = loader.load(data_copy)
    states = {s.task.id: s for s in status.plan_states(dataset, date_of(AS_OF))}
    assert states[31].status is status.Status.UNDATED
    assert states[31].deadline.kind is deadlines.Kind.UNDATED
    assert states[31].due is None

    due = gk("due", "--unit", "区经委", "--as-of", AS_OF, data=data_copy)
    assert due.exit_code == 0, due.stderr
    out = due.stdout
    assert "未明确时限 2" in out.splitlines()[1]
    group = out.index("未明确时限（2）")
    assert out.index("待市级部署（1）") < group
    assert re.search(r"\n\s+31\s+用足用好.*未明确时限\s+未明确", out)

    summary = gk("due", "--as-of", AS_OF, data=data_copy).stdout
    assert "未明" in summary.splitlines()[1]  # its own column, only when some task has it
    assert "未明" not in gk("due", "--as-of", AS_OF).stdout.splitlines()[1]

    show = gk("show", "31", "--as-of", AS_OF, data=data_copy).stdout
    assert re.search(r"时间节点\s+未明确时限\s*\n", show)
    assert re.search(r"状态\s+未明确时限\s*\n", show)

    listed = json.loads(
        gk("list", "--status", "undated", "--as-of", AS_OF, "-f", "json", data=data_copy).stdout
    )
    assert [(t["id"], t["deadline"]["text"], t["deadline"]["kind"]) for t in listed["tasks"]] == [
        (31, "", "undated"),
        (72, "", "undated"),
    ]

    report = gk("report", "--as-of", AS_OF, data=data_copy).stdout
    assert "| 未明确时限 | 2 |" in report
    assert "## 未明确时限（2 项）" in report
    assert (
        "| 31 | 用足用好集成式发布成果，推出更多政策集成应用产品 | 区经委、各相关部门 |" in report
    )
    plain = gk("report", "--as-of", AS_OF).stdout
    assert "未明确时限" not in plain  # the bundled plan reads as it always did

    ics = gk("ics", "--as-of", AS_OF, data=data_copy)
    assert ics.exit_code == 0
    assert "-task-31@" not in ics.stdout


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)
