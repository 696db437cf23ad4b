"""Closing per unit (gkctl accept) and the guard on closing a whole task (gkctl close) that
units it is expected from have not reported done: real files, the real resolver, a real git
repository for `log`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gkctl.core import status
from gkctl.store import loader
from tests.conftest import DATA
from tests.test_log import OFFICE, commit, git

Run = Callable[..., Any]
TODAY = {"GKCTL_TODAY": "2024-11-05"}
AS_OF = "2024-11-05"
REPORTED = ("区经委", "区民政局")


def _report_two(gk: Run, data: Path) -> None:
    for day, unit in zip(("2024-11-01", "2024-11-02"), REPORTED, strict=True):
        done = gk(
            "progress", "add", "28", "-u", unit, "-s", "done", "--date", day, data=data, env=TODAY
        )
        assert done.exit_code == 0, done.stderr


def _due_ids(gk: Run, data: Path, unit: str) -> list[int]:
    shown = gk("due", "--unit", unit, "--as-of", AS_OF, "--format", "json", data=data)
    assert shown.exit_code == 0, shown.stderr
    return [t["id"] for t in json.loads(shown.stdout)["tasks"]]


def test_close_of_a_group_task_with_2_of_40_reports_names_the_38_missing(
    gk: Run, data_copy: Path
) -> None:
    _report_two(gk, data_copy)
    before = (data_copy / "tasks.yaml").read_bytes()
    dataset = loader.load(data_copy)
    expected = status.expected_units(dataset, dataset.plan.require(28))
    missing = [u for u in expected if u not in REPORTED]
    assert (len(expected), len(missing)) == (40, 38)

    refused = gk("close", "28", data=data_copy, env=TODAY)

    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"任务 28 应报完成的 40 个单位中只有 2 个已报完成，未报的 38 个：{'、'.join(missing)}。"
        "可先逐个确认已完成的单位（gkctl accept 28 --unit 单位），或核实后加 --force 整体销号。\n"
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before

    forced = gk("close", "28", "--force", data=data_copy, env=TODAY)
    assert forced.exit_code == 0, forced.stderr
    assert "    closed: 2024-11-05\n" in forced.stdout


def test_close_counts_the_reports_made_by_the_closing_day(gk: Run, data_copy: Path) -> None:
    """A report dated after the closing day did not exist when the task was closed."""
    _report_two(gk, data_copy)
    refused = gk("close", "28", "--date", "2024-11-01", data=data_copy, env=TODAY)
    assert refused.exit_code == 1
    assert "只有 1 个已报完成，未报的 39 个：" in refused.stderr


def test_a_task_of_one_unit_closes_without_a_report(gk: Run, data_copy: Path) -> None:
    """Closing is then the office's own finding about that one unit, as before."""
    closed = gk("close", "2", "--date", "2024-11-04", data=data_copy, env=TODAY)
    assert closed.exit_code == 0, closed.stderr


def test_accepting_one_unit_takes_28_out_of_its_due_only(gk: Run, data_copy: Path) -> None:
    assert 28 in _due_ids(gk, data_copy, "区财政局")
    assert 28 in _due_ids(gk, data_copy, "区民政局")

    ok = gk(
        "accept",
        "28",
        "--unit",
        "财政局",
        "--note",
        "电话核实已发布目录",
        data=data_copy,
        env=TODAY,
    )

    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.startswith("已确认任务 28 区财政局 完成（2024-11-05）：")
    assert ok.stdout.endswith(
        "      - date: 2024-11-05\n        unit: 区财政局\n        status: done\n"
        "        note: 电话核实已发布目录\n        accepted: 2024-11-05\n"
    )
    assert 28 not in _due_ids(gk, data_copy, "区财政局")
    assert 28 in _due_ids(gk, data_copy, "区民政局")
    shown = gk("show", "28", "--as-of", AS_OF, data=data_copy)
    assert "进展      2024-11-05 区财政局 已完成：电话核实已发布目录；2024-11-05 确认完成" in (
        shown.stdout
    )
    assert gk("validate", data=data_copy).exit_code == 0


def test_accepting_a_report_marks_it_and_it_can_no_longer_be_returned(
    gk: Run, data_copy: Path
) -> None:
    _report_two(gk, data_copy)
    ok = gk("accept", "28", "-u", "区经委", "--date", "2024-11-04", data=data_copy, env=TODAY)
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.endswith(
        "      - date: 2024-11-01\n        unit: 区经委\n        status: done\n"
        "        recorded: 2024-11-05\n"
        # Accepted on 11-04, written on 11-05: each day beside its own date.
        "        accepted: 2024-11-04\n        accept_recorded: 2024-11-05\n"
    )
    task = loader.load(data_copy).plan.require(28)
    assert [(p.unit, p.accepted) for p in task.progress] == [
        ("区经委", date(2024, 11, 4)),
        ("区民政局", None),
    ]
    before = (data_copy / "tasks.yaml").read_bytes()
    back = gk("return", "28", "-u", "区经委", "-r", "材料不全", data=data_copy, env=TODAY)
    assert (back.exit_code, back.stderr) == (
        2,
        "区经委 在任务 28 上的完成报告已于 2024-11-04 确认，不能再退办；"
        "如确需退办，请手工删除该记录的 accepted 后再运行。\n",
    )
    again = gk("accept", "28", "-u", "区经委", data=data_copy, env=TODAY)
    assert (again.exit_code, again.stderr) == (
        2,
        "区经委 在任务 28 上的完成报告已于 2024-11-04 确认，无需再确认。\n",
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-u", "区民政局", "--date", "2024-11-01"],
            "确认日期 2024-11-01 早于 区民政局 的完成报告（2024-11-02）：只能确认已经报送的完成报告。",
        ),
        (
            ["-u", "区民政局", "--note", "x"],
            "区民政局 已有完成报告（2024-11-02），确认时不另写说明；"
            "--note 只用于没有完成报告时由区政府办公室直接确认。",
        ),
        (
            ["-u", "区经委", "--date", "2024-11-06"],
            "确认日期 2024-11-06 晚于今天（2024-11-05）：只能记录已经发生的事。",
        ),
        (
            ["-u", "戊园区"],
            None,
        ),
    ],
    ids=["before-report", "note-on-report", "future", "unknown-unit"],
)
def test_accept_refusals_leave_the_file_alone(
    gk: Run, data_copy: Path, args: list[str], message: str | None
) -> None:
    _report_two(gk, data_copy)
    before = (data_copy / "tasks.yaml").read_bytes()
    refused = gk("accept", "28", *args, data=data_copy, env=TODAY)
    assert refused.exit_code == 2
    if message is not None:
        assert refused.stderr == message + "\n"
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_accept_of_a_closed_task_is_refused(gk: Run, data_copy: Path) -> None:
    assert gk("close", "2", "--date", "2024-11-04", data=data_copy, env=TODAY).exit_code == 0
    refused = gk("accept", "2", "-u", "区经委", data=data_copy, env=TODAY)
    assert (refused.exit_code, refused.stderr) == (
        2,
        "任务 2 已于 2024-11-04 整体销号，无需逐个单位确认。\n",
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "status: doing\n        accepted: 2024-11-03",
            "只有已完成（done）的进展才能确认（accepted）",
        ),
        (
            "status: done\n        accepted: 2024-10-30",
            "确认日期 2024-10-30 早于报送日期 2024-11-01",
        ),
        (
            "status: done\n        returned: 2024-11-02\n        return_reason: 缺链接\n"
            "        accepted: 2024-11-03",
            "已退办（returned）的完成报告不能同时确认（accepted）",
        ),
    ],
    ids=["doing", "before-report", "returned"],
)
def test_validate_names_a_wrong_acceptance_at_its_line(
    gk: Run, data_copy: Path, entry: str, message: str
) -> None:
    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "    units: [区政府办公室, 各部门, 街镇, 高新区]\n    deadline: 11月底前\n"
    assert text.count(anchor) == 1  # task 28
    added = f"    progress:\n      - date: 2024-11-01\n        unit: 区经委\n        {entry}\n"
    changed = text.replace(anchor, anchor + added)
    path.write_text(changed, encoding="utf-8")
    line = changed.splitlines().index("        accepted: " + entry.rsplit("accepted: ", 1)[1]) + 1

    found = gk("validate", data=data_copy)

    assert found.exit_code == 1
    assert f"tasks.yaml:{line}:19: {message}" in found.stdout + found.stderr


def test_diff_and_log_tell_the_acceptance(gk: Run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    data = root / "data"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    shutil.copytree(DATA, data)
    _report_two(gk, data)
    commit(root, "任务28 两个单位报完成", OFFICE, "2024-11-02")
    assert gk("accept", "28", "-u", "区经委", data=data, env=TODAY).exit_code == 0

    told = gk("diff", "HEAD", "--as-of", AS_OF, "--format", "markdown", data=data)
    assert told.exit_code == 0, told.stderr
    assert "2024-11-05 确认完成" in told.stdout

    commit(root, "确认区经委完成任务28", OFFICE, "2024-11-05")
    log = gk("log", "28", "--format", "json", data=data)
    assert log.exit_code == 0, log.stderr
    newest = json.loads(log.stdout)["entries"][0]
    (event,) = newest["changes"]
    assert event["kind"] == "accept"
    assert event["before"]["accepted"] is None
    assert event["after"]["accepted"] == "2024-11-05"
    shown = gk("log", "28", data=data)
    assert "确认完成" in shown.stdout


def test_the_reports_period_changes_list_the_acceptance(gk: Run, data_copy: Path) -> None:
    _report_two(gk, data_copy)
    assert gk("accept", "28", "-u", "区经委", data=data_copy, env=TODAY).exit_code == 0
    made = gk("report", "--as-of", AS_OF, "--since", "2024-11-01", data=data_copy)
    assert made.exit_code == 0, made.stderr
    section = made.stdout.split("确认完成（1 条）", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 11月")]
    assert rows == [
        "| 11月5日 | 28 | 及时制定发布全区各级行政机关的年度重大行政决策目录，做好“五大法定程序”履行情况的公开 | 区经委 | 11月1日 |  |"
    ]
    earlier = gk("report", "--as-of", "2024-11-04", "--since", "2024-10-31", data=data_copy)
    assert "确认完成" not in earlier.stdout  # accepted after that period


def test_the_sites_period_lists_the_acceptance_as_the_report_does(
    gk: Run, data_copy: Path, tmp_path: Path
) -> None:
    _report_two(gk, data_copy)
    assert gk("accept", "28", "-u", "区经委", data=data_copy, env=TODAY).exit_code == 0
    out = tmp_path / "site"
    made = gk("site", "-o", str(out), "--as-of", AS_OF, "--since", "2024-11-01", data=data_copy)
    assert made.exit_code == 0, made.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-period="accepted">1</b>' in page
    table = page.split("<h3>确认完成（1 条）</h3>", 1)[1].split("</table>", 1)[0]
    assert '<td class="unit">区经委</td>' in table
    assert "2024年11月5日</span>" in table or "2024年11月5日" in table
    assert "tasks/28.html" in table
    earlier = tmp_path / "earlier"
    made = gk(
        "site",
        "-o",
        str(earlier),
        "--as-of",
        "2024-11-04",
        "--since",
        "2024-10-31",
        data=data_copy,
    )
    assert made.exit_code == 0, made.stderr
    assert 'data-period="accepted">0</b>' in (earlier / "index.html").read_text(encoding="utf-8")
