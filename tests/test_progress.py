"""progress add, close, reopen, extend and stats through the CLI, on copies of the data:
what is written, what is refused (file untouched), how the views see it, and what two
writers at once or a killed writer leave behind."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gkctl.store import loader

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "progress"
PLAN = FIXTURES / "plan"
TODAY = {"GKCTL_TODAY": "2024-10-20"}

Run = Callable[..., Any]


def tasks(data: Path) -> bytes:
    return (data / "tasks.yaml").read_bytes()


def git_diff(old: Path, new: Path) -> list[str]:
    """The changed lines of `git diff --no-index`, without its headers."""
    result = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "-U0", str(old), str(new)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode in (0, 1), result.stderr
    return [
        line
        for line in result.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def task_json(gk: Run, data: Path, task_id: int, *args: str) -> dict[str, Any]:
    result = gk("show", str(task_id), "-f", "json", *args, data=data)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["task"]  # type: ignore[no-any-return]


def unit_statuses(gk: Run, data: Path, unit: str, as_of: str) -> dict[int, str]:
    result = gk("due", "-u", unit, "--all", "--as-of", as_of, "-f", "json", data=data)
    assert result.exit_code == 0, result.stderr
    return {t["id"]: t["status"] for t in json.loads(result.stdout)["tasks"]}


def approve(data: Path, day: str) -> None:
    """Approve the one request in the file by editing its text, as a person would."""
    path = data / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("decision: requested") == 1
    indent = text.split("decision: requested")[0].rsplit("\n", 1)[1]
    path.write_text(
        text.replace("decision: requested", f"decision: approved\n{indent}decided: {day}"),
        encoding="utf-8",
    )


# --- progress add ---------------------------------------------------------------------------------


def test_progress_add_only_adds_lines(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    original = tmp_path / "original.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", original)
    result = gk(
        "progress",
        "add",
        "28",
        "--unit",
        "经委",
        "--status",
        "done",
        "--date",
        "2024-10-15",
        "--note",
        "已发布：2024年度重大行政决策目录",
        "--link",
        "https://www.jinshan.gov.cn/zdxzjc/2024.html",
        data=data_copy,
        env=TODAY,
    )
    assert result.exit_code == 0, result.stderr
    added = [
        "    progress:",
        "      - date: 2024-10-15",
        "        unit: 区经委",
        "        status: done",
        "        note: 已发布：2024年度重大行政决策目录",
        "        link: https://www.jinshan.gov.cn/zdxzjc/2024.html",
        # Written on 10-20 for 10-15: the day it reached the office is said beside it.
        "        recorded: 2024-10-20",
    ]
    assert result.stdout == (
        f"已记录任务 28 的进展（区经委 已完成，2024-10-15）："
        f"{data_copy / 'tasks.yaml'} 第 253–259 行。\n" + "".join(line + "\n" for line in added)
    )
    assert result.stderr == ""
    assert git_diff(original, data_copy / "tasks.yaml") == ["+" + line for line in added]
    assert (
        loader.load(data_copy).plan.task(28).progress[0].note == "已发布：2024年度重大行政决策目录"
    )  # type: ignore[union-attr]


def test_progress_add_appends_to_the_list(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    first = ("progress", "add", "75", "-u", "区经委", "-s", "doing", "--date", "2024-05-06")
    assert gk(*first, data=data_copy, env=TODAY).exit_code == 0
    original = tmp_path / "original.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", original)
    result = gk(
        "progress",
        "add",
        "75",
        "-u",
        "石化",
        "-s",
        "done",
        "--date",
        "2024-05-09",
        "--note",
        "yes: 已报送",
        data=data_copy,
        env=TODAY,
    )
    assert result.exit_code == 0, result.stderr
    assert git_diff(original, data_copy / "tasks.yaml") == [
        "+      - date: 2024-05-09",
        "+        unit: 石化街道",
        "+        status: done",
        '+        note: "yes: 已报送"',
        "+        recorded: 2024-10-20",
    ]
    entries = task_json(gk, data_copy, 75)["progress"]
    assert [(p["unit"], p["status"], p["note"]) for p in entries] == [
        ("区经委", "doing", ""),
        ("石化街道", "done", "yes: 已报送"),
    ]


def test_progress_add_defaults_to_today(gk: Run, data_copy: Path) -> None:
    result = gk("progress", "add", "2", "-u", "经委", "-s", "doing", data=data_copy, env=TODAY)
    assert result.exit_code == 0
    assert "      - date: 2024-10-20\n" in result.stdout


def test_dry_run_shows_the_lines_and_writes_nothing(gk: Run, data_copy: Path) -> None:
    before = tasks(data_copy)
    result = gk(
        "progress",
        "add",
        "2",
        "-u",
        "经委",
        "-s",
        "done",
        "--date",
        "2024-10-01",
        "--dry-run",
        data=data_copy,
        env=TODAY,
    )
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "未写入（--dry-run）。将记录任务 2 的进展（区经委 已完成，"
        f"2024-10-01），在 {data_copy / 'tasks.yaml'} 第 45 行添加：\n"
        "    progress:\n"
    )
    assert tasks(data_copy) == before


REFUSALS = [
    (
        ["progress", "add", "99", "-u", "经委", "-s", "done"],
        "没有序号为 99 的任务（现有序号：1–75）。",
    ),
    (
        ["progress", "add", "2", "-u", "发改委", "-s", "done"],
        "任务 2 的责任单位（区经委）不包括“区发改委”，不能记录它的进展。",
    ),
    (
        ["progress", "add", "2", "-u", "区经委会", "-s", "done"],
        "未知单位“区经委会”。是否为“区经委”？",
    ),
    (
        ["progress", "add", "2", "-u", "各部门", "-s", "done"],
        "“各部门”是统称（区政府各部门（每个区级部门）），请指定具体单位，例如“区政府办公室”。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--date", "2024-13-01"],
        "--date“2024-13-01”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--date", "2024-10-21"],
        "进展日期 2024-10-21 晚于今天（2024-10-20）：只能记录已经发生的事。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--link", "ftp://example.org/a"],
        "链接“ftp://example.org/a”不是有效的网址（应以 http:// 或 https:// 开头）。未写入。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--link", "www.jinshan.gov.cn"],
        "链接“www.jinshan.gov.cn”不是有效的网址（应以 http:// 或 https:// 开头）。未写入。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--note", "a\x1bb"],
        "说明中有控制字符（U+001B，第 2 个字符），请删去后重试。",
    ),
    # The loader's text policy, for what comes in on the command line too (issue 22,
    # item 13): "理由\u202e意同" reads as ending in 同意.
    (
        ["progress", "add", "2", "-u", "经委", "-s", "doing", "--note", "理由\u202e意同"],
        "说明中有看不见的字符（U+202E，第 3 个字符），请删去后重试。",
    ),
    (
        ["extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "人手\u2066不足"],
        "延期理由中有看不见的字符（U+2066，第 3 个字符），请删去后重试。",
    ),
    (
        ["close", "2", "--note", "已完成\u200b"],
        "销号说明中有看不见的字符（U+200B，第 4 个字符），请删去后重试。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--link", "https://a.cn/x\ny"],
        "链接中有换行符（U+000A，第 15 个字符）：这里只能写一行，请删去后重试。",
    ),
    (
        ["close", "2", "--date", "2024-10-21"],
        "销号日期 2024-10-21 晚于今天（2024-10-20）：只能记录已经发生的事。",
    ),
    (
        ["close", "28", "--date", "2014-01-02"],
        "销号日期 2014-01-02 早于计划发布日期 2024-04-10：计划发布之前不会有它的记录。",
    ),
    (
        ["progress", "add", "2", "-u", "经委", "-s", "done", "--date", "2015-06-01"],
        "进展日期 2015-06-01 早于计划发布日期 2024-04-10：计划发布之前不会有它的记录。",
    ),
    (
        ["extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "x", "--date", "2024-04-09"],
        "申请日期 2024-04-09 早于计划发布日期 2024-04-10：计划发布之前不会有它的记录。",
    ),
    (["close", "0"], "没有序号为 0 的任务（现有序号：1–75）。"),
    (["reopen", "2"], "任务 2 尚未销号，无需撤销。"),
    (
        ["extend", "2", "-u", "发改委", "--to", "2025-01-31", "-r", "x", "--date", "2024-10-01"],
        "任务 2 的责任单位（区经委）不包括“区发改委”，不能记录它的延期。",
    ),
    (
        ["extend", "40", "-u", "政府办", "--to", "2025-01-31", "-r", "x", "--date", "2024-10-01"],
        "任务 40 的时间节点“按市级部署”没有确定的截止日期，无需延期。",
    ),
    (
        ["extend", "31", "-u", "经委", "--to", "2024-10-31", "-r", "x", "--date", "2024-10-01"],
        "延期至 2024-10-31 不晚于现行截止日期 2024-10-31，不是延期。",
    ),
    (
        ["extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "  ", "--date", "2024-10-01"],
        "延期理由不能为空。",
    ),
    (
        ["extend", "31", "-u", "经委", "--to", "2024-11-31", "-r", "x"],
        "--to“2024-11-31”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。",
    ),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS, ids=[m[:16] for _, m in REFUSALS])
def test_refused_input_leaves_the_file_untouched(
    gk: Run, data_copy: Path, args: list[str], message: str
) -> None:
    before = tasks(data_copy)
    result = gk(*args, data=data_copy, env=TODAY)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert tasks(data_copy) == before
    assert not list(data_copy.glob(".tasks.yaml.*.tmp"))


def test_a_bad_status_is_a_usage_error(gk: Run, data_copy: Path) -> None:
    before = tasks(data_copy)
    result = gk("progress", "add", "2", "-u", "经委", "-s", "finished", data=data_copy)
    assert result.exit_code == 2
    assert "finished" in result.stderr
    assert tasks(data_copy) == before


def test_the_same_entry_twice_is_refused(gk: Run, data_copy: Path) -> None:
    args = ("progress", "add", "2", "-u", "经委", "-s", "done", "--date", "2024-10-01")
    assert gk(*args, data=data_copy, env=TODAY).exit_code == 0
    before = tasks(data_copy)
    again = gk(*args, data=data_copy, env=TODAY)
    assert again.exit_code == 2
    assert again.stderr == (
        f"任务 2 已有同样的进展记录（{data_copy / 'tasks.yaml'} 第 46 行），未重复写入。\n"
    )
    assert tasks(data_copy) == before


def test_invalid_data_is_reported_and_not_written(gk: Run, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    path.write_bytes(
        path.read_bytes().replace("units: [区经委]".encode(), "units: [区经委会]".encode(), 1)
    )
    before = tasks(data_copy)
    result = gk("progress", "add", "28", "-u", "经委", "-s", "done", data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:43:13: 未知责任单位“区经委会”，是否为“区经委”？\n"
        "共发现 1 个问题，请先修正（gkctl validate 可列出全部问题）。\n"
    )
    assert tasks(data_copy) == before


# --- close and reopen -------------------------------------------------------------------------------


def test_close_then_reopen_gives_back_the_same_bytes(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", original)
    closed = gk(
        "close",
        "75",
        "--date",
        "2024-10-18",
        "--note",
        "经核查：已全部报送",
        "--force",
        data=data_copy,
        env=TODAY,
    )
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout == (
        f"已为任务 75 销号（2024-10-18）：{data_copy / 'tasks.yaml'} 第 637–639 行。\n"
        "    closed: 2024-10-18\n    closed_note: 经核查：已全部报送\n"
        "    closed_recorded: 2024-10-20\n"
    )
    assert git_diff(original, data_copy / "tasks.yaml") == [
        "+    closed: 2024-10-18",
        "+    closed_note: 经核查：已全部报送",
        "+    closed_recorded: 2024-10-20",
    ]
    again = gk("close", "75", data=data_copy, env=TODAY)
    assert (again.exit_code, again.stderr) == (
        2,
        "任务 75 已于 2024-10-18 销号；如需改动，请先运行 gkctl reopen 75。\n",
    )
    reopened = gk("reopen", "75", data=data_copy)
    assert reopened.exit_code == 0
    assert reopened.stdout == f"已撤销任务 75 的销号：{data_copy / 'tasks.yaml'}。\n"
    assert tasks(data_copy) == original.read_bytes()


def test_progress_then_close_then_reopen_keep_the_progress(gk: Run, data_copy: Path) -> None:
    assert (
        gk(
            "progress",
            "add",
            "31",
            "-u",
            "经委",
            "-s",
            "done",
            "--date",
            "2024-10-10",
            data=data_copy,
            env=TODAY,
        ).exit_code
        == 0
    )
    with_progress = tasks(data_copy)
    assert gk("close", "31", "--date", "2024-10-12", data=data_copy, env=TODAY).exit_code == 0
    assert tasks(data_copy).startswith(with_progress.split(b"\n  - id: 32")[0])
    assert gk("reopen", "31", data=data_copy).exit_code == 0
    assert tasks(data_copy) == with_progress


# --- the views take progress and closing into account ------------------------------------------------


def test_views_count_a_units_done_entry_for_that_unit_only(gk: Run, data_copy: Path) -> None:
    assert unit_statuses(gk, data_copy, "经委", "2024-10-20")[31] == "due_soon"
    assert (
        gk(
            "progress",
            "add",
            "31",
            "-u",
            "经委",
            "-s",
            "done",
            "--date",
            "2024-10-18",
            "--note",
            "政策服务包已上线",
            data=data_copy,
            env=TODAY,
        ).exit_code
        == 0
    )
    assert unit_statuses(gk, data_copy, "经委", "2024-10-20")[31] == "done"
    assert unit_statuses(gk, data_copy, "经委", "2024-10-17")[31] == "due_soon"  # not yet
    assert unit_statuses(gk, data_copy, "发改委", "2024-10-20")[31] == "due_soon"  # its own
    # 区经委 is the only unit task 31 names (the other is 各相关部门): plan-wide it now
    # waits for the office to close it.
    record = task_json(gk, data_copy, 31, "--as-of", "2024-10-20")
    assert record["status"] == "reported"
    assert record["reported"] == {"units": ["区经委"], "count": 1, "expected": 1}
    table = gk("due", "-u", "经委", "--as-of", "2024-10-20", "--all", data=data_copy)
    assert "已完成（1）" in table.stdout
    shown = gk("show", "31", "--as-of", "2024-10-20", data=data_copy)
    assert "进展      2024-10-18 区经委 已完成：政策服务包已上线" in shown.stdout
    listed = gk(
        "list",
        "-u",
        "经委",
        "--status",
        "done",
        "--as-of",
        "2024-10-20",
        "-f",
        "json",
        data=data_copy,
    )
    assert [t["id"] for t in json.loads(listed.stdout)["tasks"]] == [31]


def test_views_count_a_closed_task_done_for_everyone(gk: Run, data_copy: Path) -> None:
    assert gk("close", "31", "--date", "2024-10-19", data=data_copy, env=TODAY).exit_code == 0
    for unit in ("经委", "发改委"):
        assert unit_statuses(gk, data_copy, unit, "2024-10-20")[31] == "done"
    listed = gk("list", "--status", "done", "--as-of", "2024-10-20", "-f", "json", data=data_copy)
    assert [t["id"] for t in json.loads(listed.stdout)["tasks"]] == [31]
    record = task_json(gk, data_copy, 31, "--as-of", "2024-10-20")
    assert (record["status"], record["closed"]) == ("done", "2024-10-19")
    shown = gk("show", "31", "--as-of", "2024-10-20", data=data_copy)
    assert "销号      2024-10-19" in shown.stdout


# --- extend ------------------------------------------------------------------------------------------


def test_extend_records_a_request_that_moves_nothing_until_decided(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.yaml"
    shutil.copyfile(data_copy / "tasks.yaml", original)
    result = gk(
        "extend",
        "31",
        "-u",
        "经委",
        "--to",
        "2024-11-30",
        "--reason",
        "等待市级平台上线",
        "--date",
        "2024-10-20",
        data=data_copy,
        env=TODAY,
    )
    assert result.exit_code == 0, result.stderr
    assert git_diff(original, data_copy / "tasks.yaml") == [
        "+    extensions:",
        "+      - date: 2024-10-20",
        "+        unit: 区经委",
        "+        to: 2024-11-30",
        "+        reason: 等待市级平台上线",
        "+        decision: requested",
    ]
    # A request: the unit's view still judges the task by its own date, and says so.
    assert unit_statuses(gk, data_copy, "经委", "2024-10-20")[31] == "due_soon"
    due = gk("due", "-u", "经委", "--as-of", "2024-10-20", "-f", "json", "--all", data=data_copy)
    record = next(t for t in json.loads(due.stdout)["tasks"] if t["id"] == 31)
    assert record["deadline"]["due"] == "2024-10-31"
    assert record["extension"] is None
    assert record["extension_request"] == {
        "unit": "区经委",
        "date": "2024-10-20",
        "to": "2024-11-30",
        "reason": "等待市级平台上线",
        "late": False,
        "decision": "requested",
        "decided": None,
        "decision_note": "",
        "legacy": False,
        # Written the day it was asked: it reached the office that day.
        "recorded": "2024-10-20",
    }
    table = gk("due", "-u", "经委", "--as-of", "2024-10-20", data=data_copy)
    assert "延期申请待批 至11-30" in table.stdout
    shown = gk("show", "31", "--as-of", "2024-10-20", data=data_copy)
    assert (
        "延期      2024-10-20 区经委 申请延期至 2024-11-30：等待市级平台上线；待批" in shown.stdout
    )


def test_a_second_request_waits_for_the_first_decision(gk: Run, data_copy: Path) -> None:
    first = ["extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "一", "--date", "2024-10-20"]
    assert gk(*first, data=data_copy, env=TODAY).exit_code == 0
    before = tasks(data_copy)
    again = ["extend", "31", "-u", "经委", "--to", "2024-12-15", "-r", "二", "--date", "2024-10-20"]
    refused = gk(*again, data=data_copy, env=TODAY)
    assert (refused.exit_code, refused.stderr) == (
        2,
        "区经委 已于 2024-10-20 申请任务 31 延期至 2024-11-30，尚待区政府办公室决定"
        "（gkctl approve 或 gkctl reject），决定之后才能再次申请。\n",
    )
    assert tasks(data_copy) == before


def test_a_late_extension_needs_late(gk: Run, data_copy: Path) -> None:
    args = [
        "extend",
        "31",
        "-u",
        "经委",
        "--to",
        "2024-11-30",
        "-r",
        "补报",
        "--date",
        "2024-11-02",
    ]
    before = tasks(data_copy)
    refused = gk(*args, data=data_copy, env={"GKCTL_TODAY": "2024-11-05"})
    assert (refused.exit_code, refused.stderr) == (
        2,
        (
            "申请日期 2024-11-02 已过原截止日期 2024-10-31，属于逾期后申请延期；"
            "如确需登记，请加 --late。\n"
        ),
    )
    assert tasks(data_copy) == before
    accepted = gk(*args, "--late", data=data_copy, env={"GKCTL_TODAY": "2024-11-05"})
    assert accepted.exit_code == 0
    assert accepted.stdout.endswith(
        "        reason: 补报\n        late: true\n        decision: requested\n"
        "        recorded: 2024-11-05\n"
    )
    shown = gk("show", "31", "--as-of", "2024-11-05", data=data_copy)
    assert "申请延期至 2024-11-30：补报（逾期后申请）" in shown.stdout


def test_a_second_extension_is_judged_against_the_first(gk: Run, data_copy: Path) -> None:
    env = {"GKCTL_TODAY": "2024-11-20"}
    first = ["extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "一", "--date", "2024-10-20"]
    assert gk(*first, data=data_copy, env=env).exit_code == 0
    approve(data_copy, "2024-10-21")
    # After the original date (10-31), though before the extended one: the rule
    # calls that late, so it needs --late and is recorded as such.
    again = ["extend", "31", "-u", "经委", "--to", "2024-12-15", "-r", "二", "--date", "2024-11-20"]
    refused = gk(*again, data=data_copy, env=env)
    assert refused.exit_code == 2
    assert "已过原截止日期 2024-10-31" in refused.stderr
    second = gk(*again, "--late", data=data_copy, env=env)
    assert second.exit_code == 0, second.stderr
    assert "late: true" in second.stdout
    approve(data_copy, "2024-11-20")
    shorter = gk(
        "extend",
        "31",
        "-u",
        "经委",
        "--to",
        "2024-12-10",
        "-r",
        "三",
        "--date",
        "2024-11-20",
        "--late",
        data=data_copy,
        env=env,
    )
    assert shorter.stderr == (
        "延期至 2024-12-10 不晚于现行截止日期 2024-12-15（已延期，原 2024-10-31），不是延期。\n"
    )
    assert unit_statuses(gk, data_copy, "经委", "2024-11-20")[31] == "due_soon"
    due = gk("due", "-u", "经委", "--as-of", "2024-11-20", "-f", "json", data=data_copy)
    record = next(t for t in json.loads(due.stdout)["tasks"] if t["id"] == 31)
    assert record["deadline"]["due"] == "2024-12-15"


def test_extending_a_done_or_closed_task_is_refused(gk: Run, data_copy: Path) -> None:
    assert (
        gk(
            "progress",
            "add",
            "31",
            "-u",
            "经委",
            "-s",
            "done",
            "--date",
            "2024-10-10",
            data=data_copy,
            env=TODAY,
        ).exit_code
        == 0
    )
    done = gk(
        "extend",
        "31",
        "-u",
        "经委",
        "--to",
        "2024-11-30",
        "-r",
        "x",
        "--date",
        "2024-10-20",
        data=data_copy,
        env=TODAY,
    )
    assert (done.exit_code, done.stderr) == (2, "区经委 已报告完成任务 31，无需延期。\n")
    assert gk("close", "31", "--date", "2024-10-12", data=data_copy, env=TODAY).exit_code == 0
    before = tasks(data_copy)
    # Dated before the closing too: such a request would be one that approve and reject
    # refuse to decide and review does not list.
    for day in ("2024-10-20", "2024-10-01"):
        closed = gk(
            "extend",
            "31",
            "-u",
            "发改委",
            "--to",
            "2024-11-30",
            "-r",
            "x",
            "--date",
            day,
            data=data_copy,
            env=TODAY,
        )
        assert (closed.exit_code, closed.stderr) == (
            2,
            "任务 31 已于 2024-10-12 销号，不能再申请延期；"
            "如确需延期，请先运行 gkctl reopen 31 撤销销号。\n",
        )
        assert tasks(data_copy) == before


def test_decisions_and_returns_before_the_plan_are_refused(gk: Run, data_copy: Path) -> None:
    """approve, reject and return take no date before the request or report they answer,
    which itself is not before the plan."""
    for args in (
        ("extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "x", "--date", "2024-10-01"),
        ("progress", "add", "28", "-u", "经委", "-s", "done", "--date", "2024-10-02"),
    ):
        assert gk(*args, data=data_copy, env=TODAY).exit_code == 0
    before = tasks(data_copy)
    for args, message in (
        (("approve", "31"), "决定日期 2014-01-02 早于申请日期 2024-10-01：只能在申请之后决定。"),
        (
            ("reject", "31", "--reason", "x"),
            "决定日期 2014-01-02 早于申请日期 2024-10-01：只能在申请之后决定。",
        ),
        (
            ("return", "28", "--reason", "x"),
            "退办日期 2014-01-02 早于 区经委 的完成报告（2024-10-02）：只能退办已经报送的完成报告。",
        ),
    ):
        result = gk(*args, "-u", "经委", "--date", "2014-01-02", data=data_copy, env=TODAY)
        assert (result.exit_code, result.stderr) == (2, message + "\n")
        assert tasks(data_copy) == before


# --- stats ---------------------------------------------------------------------------------------------


def row(
    name: str, tasks: int, done: int, overdue: int, due_soon: int, extensions: int, light: str
) -> dict[str, Any]:
    return {
        "tasks": tasks,
        "done": done,
        "overdue": overdue,
        "due_soon": due_soon,
        "completion": round(done / tasks, 4),
        "extensions": extensions,
        "light": light,
    }


def test_stats_on_a_plan_with_known_progress(gk: Run) -> None:
    result = gk("stats", "--as-of", "2024-10-15", "-f", "json", data=PLAN)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "version": 1,
        "as_of": "2024-10-15",
        "plan_end": "2024-12-31",
        "plan_ended": False,
        "within": 30,
        # No --since: nothing to compare with.
        "since": None,
        "ranked_by": [
            "lead_overdue",
            "overdue",
            "lead_due_soon",
            "due_soon",
            "group_overdue",
            "group_due_soon",
            "directory",
        ],
        "units": [
            # 1 overdue; 2 done by its own entry; 3 open; 7 pending; 6 only possibly.
            {
                "rank": 1,
                "unit": "区甲委",
                "kind": "department",
                **row("", 4, 1, 1, 0, 0, "red"),
                "possible": 1,
                "direct": {
                    "tasks": 3,
                    "overdue": 1,
                    "lead_overdue": 1,
                    "due_soon": 0,
                    "lead_due_soon": 0,
                },
                "via_groups": {"overdue": 0, "due_soon": 0},
                "move": None,
            },
            # 2 due soon (its entry is `doing`); 3 and 5 moved by its extensions.
            {
                "rank": 2,
                "unit": "区乙局",
                "kind": "department",
                **row("", 3, 0, 0, 1, 2, "yellow"),
                "possible": 1,
                "direct": {
                    "tasks": 2,
                    "overdue": 0,
                    "lead_overdue": 0,
                    "due_soon": 1,
                    "lead_due_soon": 0,
                },
                "via_groups": {"overdue": 0, "due_soon": 0},
                "move": None,
            },
            # 4 closed; 5 due soon (区乙局's extension is not 丙镇's).
            {
                "rank": 3,
                "unit": "丙镇",
                "kind": "town",
                **row("", 2, 1, 0, 1, 0, "yellow"),
                "possible": 1,
                "direct": {
                    "tasks": 2,
                    "overdue": 0,
                    "lead_overdue": 0,
                    "due_soon": 1,
                    "lead_due_soon": 0,
                },
                "via_groups": {"overdue": 0, "due_soon": 0},
                "move": None,
            },
            {
                "rank": 4,
                "unit": "区丁办",
                "kind": "department",
                **row("", 1, 0, 0, 0, 0, "green"),
                "possible": 1,
                "direct": {
                    "tasks": 0,
                    "overdue": 0,
                    "lead_overdue": 0,
                    "due_soon": 0,
                    "lead_due_soon": 0,
                },
                "via_groups": {"overdue": 0, "due_soon": 0},
                "move": None,
            },
        ],
        "sections": [
            {"section": "一", "title": "第一部分", **row("", 3, 0, 1, 1, 1, "red")},
            {"section": "二", "title": "第二部分", **row("", 4, 1, 0, 0, 1, "green")},
        ],
        "groups": [],
    }


def test_stats_follow_new_progress(gk: Run, tmp_path: Path) -> None:
    data = tmp_path / "plan"
    shutil.copytree(PLAN, data)
    assert (
        gk(
            "progress",
            "add",
            "1",
            "-u",
            "甲委",
            "-s",
            "done",
            "--date",
            "2024-10-14",
            data=data,
            env=TODAY,
        ).exit_code
        == 0
    )
    assert (
        gk(
            "extend",
            "5",
            "-u",
            "丙镇",
            "--to",
            "2024-12-31",
            "-r",
            "同乙局",
            "--date",
            "2024-10-14",
            data=data,
            env=TODAY,
        ).exit_code
        == 0
    )
    approve(data, "2024-10-15")
    result = gk("stats", "--as-of", "2024-10-15", "-f", "json", data=data)
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    assert (units["区甲委"]["done"], units["区甲委"]["overdue"], units["区甲委"]["light"]) == (
        2,
        0,
        "green",
    )
    assert (units["丙镇"]["due_soon"], units["丙镇"]["extensions"], units["丙镇"]["light"]) == (
        0,
        1,
        "green",
    )


def test_stats_csv(gk: Run) -> None:
    result = gk("stats", "--as-of", "2024-10-15", "-f", "csv", data=PLAN)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "\ufeffscope,name,tasks,done,overdue,due_soon,completion,extensions,light,possible,"
        "direct_tasks,direct_overdue,lead_overdue,direct_due_soon,group_overdue,group_due_soon",
        "unit,区甲委,4,1,1,0,0.2500,0,red,1,3,1,1,0,0,0",
        "unit,区乙局,3,0,0,1,0.0000,2,yellow,1,2,0,0,1,0,0",
        "unit,丙镇,2,1,0,1,0.5000,0,yellow,1,2,0,0,1,0,0",
        "unit,区丁办,1,0,0,0,0.0000,0,green,1,0,0,0,0,0,0",
        "section,一,3,0,1,1,0.0000,1,red,,,,,,,",
        "section,二,4,1,0,0,0.2500,1,green,,,,,,,",
    ]


def test_stats_table(gk: Run, golden: Callable[[str, str], None]) -> None:
    result = gk("stats", "--as-of", "2024-10-15", data=PLAN)
    assert result.exit_code == 0
    assert "● 红灯  区甲委" in result.stdout
    golden("stats_fixture.txt", result.stdout)


def test_stats_on_the_bundled_plan(gk: Run) -> None:
    result = gk("stats", "--as-of", "2024-10-15", "--within", "10", "-f", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "version",
        "as_of",
        "plan_end",
        "plan_ended",
        "within",
        "since",
        "ranked_by",
        "units",
        "sections",
        "groups",
    ]
    assert list(data["units"][0]) == [
        "rank",
        "unit",
        "kind",
        "tasks",
        "done",
        "overdue",
        "due_soon",
        "completion",
        "extensions",
        "light",
        "possible",
        "direct",
        "via_groups",
        "move",
    ]
    # Ranked by what each answers for directly; 60 is overdue for 各部门 and 各街镇 alike.
    # (--within 10: 区经委's task 31, due in 16 days, is not due soon.)
    assert [u["unit"] for u in data["units"][:3]] == ["区政府办公室", "区行政服务中心", "高新区"]
    assert {"group": "各部门", "task": 60, "status": "overdue"}.items() <= data["groups"][1].items()
    assert [s["section"] for s in data["sections"]] == ["一", "二", "三", "四", "五"]
    assert sum(s["tasks"] for s in data["sections"]) == 75
    assert data["within"] == 10


def test_stats_refuses_other_formats(gk: Run) -> None:
    result = gk("stats", "-f", "markdown")
    assert (result.exit_code, result.stderr) == (
        2,
        "此命令不支持 --format markdown，可用：table、json、csv。\n",
    )


# --- help ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["progress", "add"], ["close"], ["reopen"], ["extend"], ["stats"], ["progress"]]
)
def test_every_command_has_chinese_help_with_an_example(gk: Run, command: list[str]) -> None:
    result = gk(*command, "--help", data=None)
    assert result.exit_code == 0
    assert f"示例：gkctl {' '.join(command)}" in result.stdout


# --- two writers at once, and a writer killed mid-write ----------------------------------------------

WRITER = """
import sys, time
from datetime import date
from pathlib import Path
from gkctl.store import writes
from gkctl.core.model import ProgressStatus

data, who, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    writes.add_progress(data, 28, "区经委", ProgressStatus.DOING, date(2024, 10, 15),
                        date(2024, 10, 20), note=f"{who}-{i}")
"""


def test_two_writers_at_once_lose_no_entry(data_copy: Path, tmp_path: Path) -> None:
    count, go = 15, tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_copy), who, str(count), str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
    notes = [p.note for p in loader.load(data_copy).plan.task(28).progress]  # type: ignore[union-attr]
    assert sorted(notes) == sorted(f"{w}-{i}" for w in "ab" for i in range(count))


STALLED = """
import os, sys, time
from pathlib import Path

data, marker, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

def stall(*args, **kwargs):
    marker.touch()
    time.sleep(60)

setattr(os, name, stall)
from gkctl.cli.app import app
app(["progress", "add", "28", "--unit", "区经委", "--status", "done", "--date", "2024-10-15",
     "--data", data])
"""


@pytest.mark.parametrize("stalls_in", ["fsync", "replace"])
def test_a_writer_killed_mid_write_leaves_the_old_file(
    gk: Run, data_copy: Path, tmp_path: Path, stalls_in: str
) -> None:
    before = tasks(data_copy)
    marker = tmp_path / "stalled"
    writer = subprocess.Popen(
        [sys.executable, "-c", STALLED, str(data_copy), str(marker), stalls_in],
        env={**os.environ, **TODAY},
    )
    try:
        end = time.monotonic() + 30
        while not marker.exists():
            assert writer.poll() is None, "the writer ended before it stalled"
            assert time.monotonic() < end
            time.sleep(0.01)
    finally:
        writer.kill()  # SIGKILL; on Windows TerminateProcess with exit code 1 (no SIGKILL there)
        writer.wait(10)
    assert writer.returncode == (1 if sys.platform == "win32" else -signal.SIGKILL)
    assert tasks(data_copy) == before
    assert loader.check(data_copy)[1] == []
    # The half-done write is a temporary file beside it, which nothing reads.
    assert len(list(data_copy.glob(".tasks.yaml.*.tmp"))) == 1
    # The lock died with the writer: the next write goes through.
    after = gk(
        "progress",
        "add",
        "28",
        "-u",
        "经委",
        "-s",
        "done",
        "--date",
        "2024-10-15",
        data=data_copy,
        env=TODAY,
    )
    assert after.exit_code == 0, after.stderr
    assert len(loader.load(data_copy).plan.task(28).progress) == 1  # type: ignore[union-attr]
    # ... and removes the dead writer's temporary file (not on Windows, where a writer's pid
    # cannot be probed and every writer counts as alive: atomic._alive).
    left = list(data_copy.glob(".tasks.yaml.*.tmp"))
    assert len(left) == (1 if sys.platform == "win32" else 0)


@pytest.mark.parametrize(
    ("figures", "light"),
    [
        # named, lead_overdue, overdue, lead_due_soon, due_soon, group_overdue, group_due_soon
        ((3, 1, 1, 0, 0, 5, 0), "red"),  # leads a late task, whatever else
        ((3, 0, 2, 1, 1, 5, 0), "orange"),  # late only where named as co-operating unit
        ((3, 0, 0, 0, 0, 2, 0), "yellow"),  # late only on a 各部门/各街镇 task
        ((3, 0, 0, 0, 1, 0, 0), "yellow"),  # something due soon
        ((3, 0, 0, 0, 0, 0, 1), "yellow"),
        ((3, 0, 0, 0, 0, 0, 0), "green"),
    ],
)
def test_a_units_light_is_what_it_answers_for_itself(figures: tuple[int, ...], light: str) -> None:
    from gkctl.core import behind, stats
    from gkctl.core.model import Unit, UnitKind

    unit = Unit("区甲委", UnitKind.DEPARTMENT)
    assert stats.unit_light(behind.Answer(unit, *figures)).value == light


def test_stats_since_shows_each_units_move(gk: Run) -> None:
    """--since: each row says how the unit moved since then, in rank and in late tasks."""
    result = gk("stats", "--as-of", "2024-11-05", "--since", "2024-10-20", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["since"] == "2024-10-20"
    then = {
        u["unit"]: u
        for u in json.loads(gk("stats", "--as-of", "2024-10-20", "-f", "json").stdout)["units"]
    }
    for u in data["units"]:
        before = then[u["unit"]]
        late = u["direct"]["overdue"] + u["via_groups"]["overdue"]
        late_then = before["direct"]["overdue"] + before["via_groups"]["overdue"]
        assert u["move"] == {
            "since": "2024-10-20",
            "rank": before["rank"],
            "up": before["rank"] - u["rank"],
            "late": late - late_then,
        }
    assert any(u["move"]["up"] for u in data["units"]) and any(
        u["move"]["late"] for u in data["units"]
    )
    table = gk("stats", "--as-of", "2024-11-05", "--since", "2024-10-20", env={"COLUMNS": "120"})
    assert "较上期：与 2024年10月20日" in table.stdout
