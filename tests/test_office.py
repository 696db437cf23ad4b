"""approve, reject and return through the CLI, on copies of the data: the decision is
written into the entry it decides and nothing else changes; refusals exit 2 and leave the
file as it was; the views follow the decision from its date."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.test_progress import Run, git_diff, task_json, tasks, unit_statuses

TODAY = {"GKCTL_TODAY": "2024-11-06"}


def run_ok(gk: Run, data: Path, *args: str) -> Any:
    result = gk(*args, data=data, env=TODAY)
    assert result.exit_code == 0, result.stderr
    return result


def request(gk: Run, data: Path, task: str = "31", to: str = "2024-11-30") -> None:
    run_ok(gk, data, "extend", task, "-u", "经委", "--to", to, "-r", "等待市级平台上线",
           "--date", "2024-10-20")  # fmt: skip


def report_done(gk: Run, data: Path, day: str = "2024-11-01", task: str = "31") -> None:
    run_ok(gk, data, "progress", "add", task, "-u", "经委", "-s", "done", "--date", day,
           "--note", "已上线")  # fmt: skip


# --- approve and reject ----------------------------------------------------------------------


def test_approve_writes_the_decision_into_the_request(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    request(gk, data_copy)
    before = tmp_path / "before.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", before)
    result = run_ok(
        gk, data_copy, "approve", "31", "-u", "经委", "--date", "2024-10-25", "-n", "同意"
    )
    assert result.stdout == (
        "已批准任务 31 区经委 的延期申请（延期至 2024-11-30，自 2024-10-25 起生效）："
        f"{data_copy / 'tasks.yaml'} 第 279–287 行。\n"
        "      - date: 2024-10-20\n"
        "        unit: 区经委\n"
        "        to: 2024-11-30\n"
        "        reason: 等待市级平台上线\n"
        "        decision: approved\n"
        # Typed in on 11-06 (TODAY), the request and its decision each say so.
        "        recorded: 2024-11-06\n"
        "        decided: 2024-10-25\n"
        "        decision_note: 同意\n"
        "        decision_recorded: 2024-11-06\n"
    )
    assert git_diff(before, data_copy / "tasks.yaml") == [
        "-        decision: requested",
        "+        decision: approved",
        "+        decided: 2024-10-25",
        "+        decision_note: 同意",
        "+        decision_recorded: 2024-11-06",
    ]
    # The extension counts from the decision's day, not from the request's.
    assert unit_statuses(gk, data_copy, "经委", "2024-10-24")[31] == "due_soon"
    assert unit_statuses(gk, data_copy, "经委", "2024-11-05")[31] == "due_soon"
    record = task_json(gk, data_copy, 31, "--unit", "经委", "--as-of", "2024-11-05")
    assert record["deadline"]["due"] == "2024-11-30"
    assert record["extension"]["decision"] == "approved"
    assert record["extension_request"] is None
    before_decision = task_json(gk, data_copy, 31, "--unit", "经委", "--as-of", "2024-10-24")
    assert before_decision["deadline"]["due"] == "2024-10-31"
    # It was waiting on that day, and reads so: the decision made the day after is not there
    # yet (Task.as_of), as in every view of that day.
    waiting = before_decision["extension_request"]
    assert (waiting["decision"], waiting["decided"], waiting["decision_note"]) == (
        "requested",
        None,
        "",
    )
    assert [e["decision"] for e in before_decision["extensions"]] == ["requested"]


def test_scene_two_a_late_request_changes_nothing_until_decided(gk: Run, data_copy: Path) -> None:
    """Issue 18, scene 2: `extend 72 --late` no longer turns an overdue task into 即将到期
    the moment it is typed; a rejection keeps it overdue, with the reason on record."""
    run_ok(gk, data_copy, "extend", "72", "-u", "经委", "--to", "2024-11-30", "-r", "补报",
           "--late", "--date", "2024-11-04")  # fmt: skip
    assert unit_statuses(gk, data_copy, "经委", "2024-11-05")[72] == "overdue"
    due = gk("due", "-u", "经委", "--as-of", "2024-11-05", data=data_copy)
    assert "延期申请待批 至11-30" in due.stdout
    run_ok(gk, data_copy, "reject", "72", "-u", "经委", "-r", "理由不充分", "--date", "2024-11-06")
    assert unit_statuses(gk, data_copy, "经委", "2024-11-06")[72] == "overdue"
    record = task_json(gk, data_copy, 72, "--unit", "经委", "--as-of", "2024-11-06")
    assert record["extension_request"] is None
    assert [(e["decision"], e["decided"], e["decision_note"]) for e in record["extensions"]] == [
        ("rejected", "2024-11-06", "理由不充分")
    ]
    shown = gk("show", "72", "-u", "经委", "--as-of", "2024-11-06", data=data_copy)
    # The request was typed in two days after it was made; the line wraps at the width.
    flat = " ".join(line.strip() for line in shown.stdout.splitlines())
    assert "补报（逾期后申请）（2024-11-06 录入）；2024-11-06 不批准：理由不充分" in flat
    # Rejected: the unit may ask again.
    run_ok(gk, data_copy, "extend", "72", "-u", "经委", "--to", "2024-11-15", "-r", "补报",
           "--late", "--date", "2024-11-06")  # fmt: skip


def test_dry_run_decides_nothing(gk: Run, data_copy: Path) -> None:
    request(gk, data_copy)
    before = tasks(data_copy)
    result = run_ok(gk, data_copy, "approve", "31", "-u", "经委", "--dry-run")
    assert result.stdout.startswith(
        "未写入（--dry-run）。将批准任务 31 区经委 的延期申请（延期至 2024-11-30，自 2024-11-06 "
        f"起生效），{data_copy / 'tasks.yaml'} 第 279–285 行将改为：\n"
    )
    assert tasks(data_copy) == before


def test_a_flow_style_request_is_decided_in_place(gk: Run, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "    deadline: 10月底前\n",
        "    deadline: 10月底前\n    extensions: [{date: 2024-10-20, unit: 区经委, "
        "to: 2024-11-30, reason: 等待, decision: requested}]  # 手写\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    run_ok(
        gk, data_copy, "reject", "31", "-u", "经委", "-r", "不同意: 见通知", "--date", "2024-10-21"
    )
    assert (
        "    extensions: [{date: 2024-10-20, unit: 区经委, to: 2024-11-30, reason: 等待, "
        'decision: rejected, decided: 2024-10-21, decision_note: "不同意: 见通知", '
        "decision_recorded: 2024-11-06}]  # 手写\n"
    ) in path.read_text(encoding="utf-8")


DECISION_REFUSALS = [
    (
        ["approve", "2", "-u", "经委"],
        "区经委 在任务 2 上没有待批的延期申请（可用 gkctl show 2 查看延期记录）。",
    ),
    (
        ["approve", "31", "-u", "发改委"],
        "区发改委 在任务 31 上没有待批的延期申请（可用 gkctl show 31 查看延期记录）。",
    ),
    (
        ["approve", "2", "-u", "发改委"],
        "任务 2 的责任单位（区经委）不包括“区发改委”，不能记录它的延期决定。",
    ),
    (
        ["approve", "31", "-u", "经委", "--date", "2024-10-19"],
        "决定日期 2024-10-19 早于申请日期 2024-10-20：只能在申请之后决定。",
    ),
    (
        ["approve", "31", "-u", "经委", "--date", "2024-11-07"],
        "决定日期 2024-11-07 晚于今天（2024-11-06）：只能记录已经发生的事。",
    ),
    (["reject", "31", "-u", "经委", "-r", " "], "不批准的理由不能为空。"),
    (["reject", "31", "-u", "经委"], "错误：缺少选项 --reason/-r。"),
]


@pytest.mark.parametrize(("args", "message"), DECISION_REFUSALS)
def test_refused_decisions_leave_the_file_untouched(
    gk: Run, data_copy: Path, args: list[str], message: str
) -> None:
    request(gk, data_copy)
    before = tasks(data_copy)
    result = gk(*args, data=data_copy, env=TODAY)
    assert result.exit_code == 2
    assert message in result.stderr
    assert tasks(data_copy) == before


def test_a_decided_request_cannot_be_decided_again(gk: Run, data_copy: Path) -> None:
    request(gk, data_copy)
    run_ok(gk, data_copy, "reject", "31", "-u", "经委", "-r", "不同意", "--date", "2024-10-22")
    before = tasks(data_copy)
    again = gk("approve", "31", "-u", "经委", data=data_copy, env=TODAY)
    assert (again.exit_code, tasks(data_copy)) == (2, before)


def test_closed_task_needs_no_decision(gk: Run, data_copy: Path) -> None:
    request(gk, data_copy)
    run_ok(gk, data_copy, "close", "31", "--date", "2024-10-23")
    before = tasks(data_copy)
    result = gk("approve", "31", "-u", "经委", data=data_copy, env=TODAY)
    assert (result.exit_code, result.stderr) == (
        2,
        "任务 31 已于 2024-10-23 销号，无需决定延期。\n",
    )
    assert tasks(data_copy) == before


# --- return (退办) -----------------------------------------------------------------------------


def test_return_sends_the_report_back(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    report_done(gk, data_copy)
    assert task_json(gk, data_copy, 31, "--as-of", "2024-11-05")["status"] == "reported"
    before = tmp_path / "before.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", before)
    result = run_ok(
        gk, data_copy, "return", "31", "-u", "经委", "-r", "未附公开链接", "--date", "2024-11-04"
    )
    assert result.stdout.startswith(
        f"已退办任务 31 区经委 2024-11-01 的完成报告：{data_copy / 'tasks.yaml'} 第 279–286 行。\n"
    )
    assert git_diff(before, data_copy / "tasks.yaml") == [
        "+        returned: 2024-11-04",
        "+        return_reason: 未附公开链接",
        "+        return_recorded: 2024-11-06",
    ]
    # Judged by its date again, plan-wide and for the unit, from the day it was sent back.
    assert task_json(gk, data_copy, 31, "--as-of", "2024-11-03")["status"] == "reported"
    assert task_json(gk, data_copy, 31, "--as-of", "2024-11-05")["status"] == "overdue"
    assert unit_statuses(gk, data_copy, "经委", "2024-11-05")[31] == "overdue"
    shown = gk("show", "31", "-u", "经委", "--as-of", "2024-11-05", data=data_copy)
    assert "已退办" in shown.stdout
    assert "2024-11-01 区经委 已完成：已上线（2024-11-06 录入）；2024-11-04 退办：未附公开链接" in (
        shown.stdout
    )
    # The unit reports again; the office can close.
    report_done(gk, data_copy, "2024-11-05")
    assert task_json(gk, data_copy, 31, "--as-of", "2024-11-05")["status"] == "reported"


RETURN_REFUSALS = [
    (["return", "31", "-u", "经委", "-r", "x"], "区经委 在任务 31 上没有可退办的完成报告。"),
    (
        ["return", "31", "-u", "经委", "-r", "x", "--date", "2024-10-30"],
        "退办日期 2024-10-30 早于 区经委 的完成报告（2024-11-01）：只能退办已经报送的完成报告。",
    ),
    (["return", "31", "-u", "经委", "-r", ""], "退办理由不能为空。"),
    (
        ["return", "31", "-u", "经委", "-r", "x", "--date", "2024-11-07"],
        "退办日期 2024-11-07 晚于今天（2024-11-06）：只能记录已经发生的事。",
    ),
]


@pytest.mark.parametrize(("args", "message"), RETURN_REFUSALS)
def test_refused_returns_leave_the_file_untouched(
    gk: Run, data_copy: Path, args: list[str], message: str
) -> None:
    if "--date" in args:
        report_done(gk, data_copy)
    before = tasks(data_copy)
    result = gk(*args, data=data_copy, env=TODAY)
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert tasks(data_copy) == before


def test_a_returned_report_is_not_returned_twice_and_a_closed_task_not_at_all(
    gk: Run, data_copy: Path
) -> None:
    report_done(gk, data_copy)
    run_ok(gk, data_copy, "return", "31", "-u", "经委", "-r", "x", "--date", "2024-11-02")
    twice = gk("return", "31", "-u", "经委", "-r", "y", data=data_copy, env=TODAY)
    assert (twice.exit_code, twice.stderr) == (2, "区经委 在任务 31 上没有可退办的完成报告。\n")
    report_done(gk, data_copy, "2024-11-03")
    run_ok(gk, data_copy, "close", "31", "--date", "2024-11-04")
    closed = gk("return", "31", "-u", "经委", "-r", "y", data=data_copy, env=TODAY)
    assert (closed.exit_code, closed.stderr) == (
        2,
        "任务 31 已于 2024-11-04 销号；如需退办，请先运行 gkctl reopen 31。\n",
    )


def test_crlf_file_stays_crlf(gk: Run, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report_done(gk, data_copy)
    run_ok(gk, data_copy, "return", "31", "-u", "经委", "-r", "x", "--date", "2024-11-02")
    raw = path.read_bytes()
    assert b"        returned: 2024-11-02\r\n        return_reason: x\r\n" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")


# --- the office's queue ----------------------------------------------------------------------


def test_review_lists_what_waits_for_the_office(gk: Run, data_copy: Path) -> None:
    report_done(gk, data_copy, "2024-11-01")
    run_ok(gk, data_copy, "extend", "72", "-u", "经委", "--to", "2024-11-30", "-r", "补报",
           "--late", "--date", "2024-11-04")  # fmt: skip
    run_ok(gk, data_copy, "extend", "73", "-u", "经委", "--to", "2024-11-30", "-r", "待会议",
           "--late", "--date", "2024-11-02")  # fmt: skip
    result = gk("review", "--as-of", "2024-11-05", "-f", "json", data=data_copy)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "version",
        "as_of",
        "plan_end",
        "plan_ended",
        "to_close",
        "extension_requests",
        "ranked_by",
        "chase",
        "forms",
    ]
    assert doc["version"] == 1 and doc["as_of"] == "2024-11-05"
    [close] = doc["to_close"]
    assert (close["id"], close["reported_on"], close["days_waiting"]) == (31, "2024-11-01", 4)
    assert close["reported"] == {"units": ["区经委"], "count": 1, "expected": 1}
    assert [(r["unit"], r["note"]) for r in close["reports"]] == [("区经委", "已上线")]
    # Oldest request first, with the days it has waited and the deadline still in force.
    assert [(r["id"], r["unit"], r["days_waiting"], r["due"], r["decision"]) for r in
            doc["extension_requests"]] == [
        (73, "区经委", 3, "2024-10-31", "requested"),
        (72, "区经委", 1, "2024-10-31", "requested"),
    ]  # fmt: skip
    chase = {c["unit"]: [t["id"] for t in c["tasks"]] for c in doc["chase"]}
    assert "区经委" not in chase  # 31 is reported; 72 and 73 reach it through 各部门
    assert chase["区政府办公室"][:2] == [41, 36]
    # Recent progress on a task takes it off the chase list.
    run_ok(gk, data_copy, "progress", "add", "41", "-u", "政府办", "-s", "doing", "--date",
           "2024-11-01")  # fmt: skip
    doc = json.loads(gk("review", "--as-of", "2024-11-05", "-f", "json", data=data_copy).stdout)
    chase = {c["unit"]: [t["id"] for t in c["tasks"]] for c in doc["chase"]}
    assert 41 not in chase["区政府办公室"]
    # Closed and decided: nothing of those waits any more.
    run_ok(gk, data_copy, "close", "31", "--date", "2024-11-06")
    run_ok(gk, data_copy, "approve", "72", "-u", "经委", "--date", "2024-11-06")
    doc = json.loads(gk("review", "--as-of", "2024-11-06", "-f", "json", data=data_copy).stdout)
    assert doc["to_close"] == []
    assert [r["id"] for r in doc["extension_requests"]] == [73]


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_review_table_reads_at_any_width(
    gk: Run, data_copy: Path, columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    report_done(gk, data_copy, "2024-11-01")
    run_ok(gk, data_copy, "extend", "72", "-u", "经委", "--to", "2024-11-30", "-r", "补报",
           "--late", "--date", "2024-11-04")  # fmt: skip
    result = gk("review", "--as-of", "2024-11-05", data=data_copy)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "区政府办公室待办 · 截至 2024年11月5日"
    assert all(line == line.rstrip() for line in lines)  # piped: no padding
    assert "  31  已报 1/1  2024-11-01 报齐，已等 4 天" in lines
    assert any(line.startswith("  72  区经委  申请至 2024-11-30") for line in lines)
    assert "  第1名 区政府办公室  9 项，最久逾期 219 天" in lines


def test_the_plan_diff_says_what_was_decided(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    request(gk, data_copy)
    report_done(gk, data_copy)
    base = tmp_path / "base"
    shutil.copytree(data_copy, base)
    run_ok(gk, data_copy, "approve", "31", "-u", "经委", "--date", "2024-11-02", "-n", "同意")
    run_ok(gk, data_copy, "return", "31", "-u", "经委", "-r", "缺链接", "--date", "2024-11-03")
    result = gk(
        "diff", str(base / "tasks.yaml"), str(data_copy / "tasks.yaml"), "--as-of", "2024-11-05",
        "-f", "markdown", data=None,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "申请延期至 2024-11-30：等待市级平台上线；待批" in out
    assert "申请延期至 2024-11-30：等待市级平台上线；2024-11-02 批准：同意" in out
    assert "已完成：已上线；2024-11-03 退办：缺链接" in out
