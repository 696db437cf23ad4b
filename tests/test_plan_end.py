"""An ended plan (issue 23): the plan's last day, and final statuses after it."""

from datetime import date

import pytest

from gkctl.core import planyear
from gkctl.store import loader
from tests.conftest import DATA

D = date.fromisoformat
PLAN = loader.load(DATA).plan


def test_the_bundled_plan_ends_on_the_last_day_of_its_year() -> None:
    assert PLAN.document.year == 2024
    assert planyear.plan_end(PLAN) == D("2024-12-31")
    assert planyear.plan_end(PLAN.document) == D("2024-12-31")


@pytest.mark.parametrize(
    ("day", "ended"),
    [
        ("2024-01-01", False),
        ("2024-12-31", False),  # the last day is still inside the plan
        ("2025-01-01", True),
        ("2026-12-04", True),
        ("2023-12-31", False),  # before the plan: not ended (a view before it starts)
    ],
)
def test_a_view_date_after_the_last_day_reads_the_plan_as_ended(day: str, ended: bool) -> None:
    assert planyear.ended(PLAN, D(day)) is ended
    assert planyear.ending(PLAN, D(day)) == (D("2024-12-31"), ended)


def test_the_ended_sentence_names_the_last_day() -> None:
    assert planyear.ending(PLAN, D("2025-01-15")).label == "本计划已于2024年12月31日结束"


# --- final statuses (core.status after the plan's end) ----------------------------------------

from gkctl.core import status  # noqa: E402
from gkctl.core.model import (  # noqa: E402
    Dataset,
    Decision,
    Extension,
    Progress,
    ProgressStatus,
)
from gkctl.core.status import Status  # noqa: E402

BASE = loader.load(DATA)
DONE, DOING = ProgressStatus.DONE, ProgressStatus.DOING
AFTER = D("2025-01-15")


def with_records(**changes: dict[str, object]) -> Dataset:
    """The bundled plan with fields of some tasks replaced: with_records(t31={...})."""
    wanted = {int(key[1:]): fields for key, fields in changes.items()}
    tasks = tuple(
        t._replace(**wanted[t.id]) if t.id in wanted else t  # type: ignore[arg-type]
        for t in BASE.plan.tasks
    )
    return BASE._replace(plan=BASE.plan._replace(tasks=tasks))


def unit_state(ds: Dataset, task_id: int, unit: str, day: date = AFTER) -> status.TaskState:
    found = ds.directory.unit(unit)
    assert found is not None
    return status.state(ds, ds.plan.require(task_id), day, unit=found)


def approved(to: str, asked: str = "2024-10-20", unit: str = "区经委") -> Extension:
    return Extension(D(asked), unit, D(to), "等待", decision=Decision.APPROVED, decided=D(asked))


@pytest.mark.parametrize(
    ("records", "expected", "late"),
    [
        # 31 is 区经委's, 10月底前 (2024-10-31).
        ({}, Status.UNFINISHED, 61),  # counted to 12-31, never on
        ({"progress": (Progress(D("2024-10-30"), "区经委", DONE),)}, Status.DONE_ON_TIME, None),
        ({"progress": (Progress(D("2024-10-31"), "区经委", DONE),)}, Status.DONE_ON_TIME, None),
        ({"progress": (Progress(D("2024-11-05"), "区经委", DONE),)}, Status.DONE_LATE, 5),
        # A report made after the plan's end still counts, as done late.
        ({"progress": (Progress(D("2025-01-10"), "区经委", DONE),)}, Status.DONE_LATE, 71),
        # Made after the view date: not yet there.
        ({"progress": (Progress(D("2025-02-01"), "区经委", DONE),)}, Status.UNFINISHED, 61),
        ({"progress": (Progress(D("2024-10-20"), "区经委", DOING),)}, Status.UNFINISHED, 61),
        # Sent back, and not reported again: unfinished.
        (
            {"progress": (Progress(D("2024-10-20"), "区经委", DONE, returned=D("2024-10-25")),)},
            Status.UNFINISHED,
            61,
        ),
        (
            {
                "extensions": (approved("2024-11-30"),),
                "progress": (Progress(D("2024-11-20"), "区经委", DONE),),
            },
            Status.DONE_AFTER_EXTENSION,
            None,
        ),
        (
            {
                "extensions": (approved("2024-11-30"),),
                "progress": (Progress(D("2024-12-03"), "区经委", DONE),),
            },
            Status.DONE_LATE,
            3,
        ),
        ({"extensions": (approved("2024-11-30"),)}, Status.UNFINISHED, 31),
        # Closed by the office: done on that day.
        ({"closed": D("2024-10-28")}, Status.DONE_ON_TIME, None),
        ({"closed": D("2024-12-20")}, Status.DONE_LATE, 50),
    ],
)
def test_final_outcome_of_a_dated_task(
    records: dict[str, object], expected: Status, late: int | None
) -> None:
    s = unit_state(with_records(t31=records), 31, "区经委")
    assert (s.status, s.days_late, s.days_left) == (expected, late, None)
    assert s.final


def test_the_example_of_the_issue_a_report_after_the_end_for_an_11_month_task() -> None:
    # 28 is 11月底前 (2024-11-30) and reaches 区经委 through 各部门.
    ds = with_records(t28={"progress": (Progress(D("2025-01-10"), "区经委", DONE),)})
    s = unit_state(ds, 28, "区经委")
    assert (s.status, s.days_late, s.finished) == (Status.DONE_LATE, 41, D("2025-01-10"))


def test_an_extension_past_the_end_is_late_work_still_running() -> None:
    ds = with_records(t31={"extensions": (approved("2025-03-31"),)})
    s = unit_state(ds, 31, "区经委")
    assert (s.status, s.due, s.days_left) == (Status.OPEN, D("2025-03-31"), 75)
    assert not s.final
    assert unit_state(ds, 31, "区经委", D("2025-04-02")).status is Status.OVERDUE
    done = with_records(
        t31={
            "extensions": (approved("2025-03-31"),),
            "progress": (Progress(D("2025-03-01"), "区经委", DONE),),
        }
    )
    assert unit_state(done, 31, "区经委", D("2025-03-05")).status is Status.DONE_AFTER_EXTENSION


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ({}, Status.ONGOING_UNREPORTED),
        ({"progress": (Progress(D("2024-06-01"), "区经委", DOING),)}, Status.ONGOING_REPORTED),
        ({"progress": (Progress(D("2025-02-01"), "区经委", DOING),)}, Status.ONGOING_UNREPORTED),
        ({"progress": (Progress(D("2024-12-30"), "区经委", DONE),)}, Status.DONE_ON_TIME),
    ],
)
def test_a_whole_year_task_ends_reported_or_not(
    records: dict[str, object], expected: Status
) -> None:
    # 2 is 区经委's alone, 全年: not overdue on 1 January, the year is over.
    assert unit_state(with_records(t2=records), 2, "区经委").status is expected


def test_a_task_the_city_never_deployed_ends_not_deployed() -> None:
    s = status.state(BASE, BASE.plan.require(64), AFTER)
    assert (s.status, s.days_late) == (Status.NOT_DEPLOYED, None)
    closed = with_records(t64={"closed": D("2024-09-01")})
    assert status.state(closed, closed.plan.require(64), AFTER).status is Status.DONE_ON_TIME


def test_plan_wide_a_task_is_done_when_its_last_expected_unit_reported() -> None:
    # 39: 区行政服务中心 + 各相关部门 (only it is expected); 31: 区经委 alone.
    ds = with_records(
        t31={"progress": (Progress(D("2024-11-04"), "区经委", DONE),)},
    )
    s = status.state(ds, ds.plan.require(31), AFTER)
    assert (s.status, s.days_late, s.finished) == (Status.DONE_LATE, 4, D("2024-11-04"))


def test_inside_the_year_nothing_changes() -> None:
    ds = with_records(t31={"progress": (Progress(D("2024-11-05"), "区经委", DONE),)})
    s = unit_state(ds, 31, "区经委", D("2024-12-31"))
    assert (s.status, s.days_late, s.final) == (Status.DONE, None, False)


def test_the_bundled_plan_ended_reads_as_final_for_every_unit() -> None:
    today = D("2026-12-04")
    for unit in BASE.directory.units:
        for s in status.unit_states(BASE, unit, today):
            assert s.final and s.days_left is None
            assert s.days_late is None or s.days_late <= 365


# --- writes into an ended plan -----------------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

ENDED = {"GKCTL_TODAY": "2026-12-04"}
REFUSED = (
    "本计划已于2024年12月31日结束，今天（2026-12-04）已在计划之外：补记请用 --date YYYY-MM-DD "
    "写明事情发生的日期（如 --date 2025-01-10），记录会注明是计划结束后录入的。"
)


@pytest.mark.parametrize(
    "args",
    [
        ("progress", "add", "60", "-u", "区经委", "-s", "done"),
        ("close", "60"),
        ("extend", "31", "-u", "区经委", "--to", "2025-03-31", "-r", "等待", "--late"),
        ("approve", "31", "-u", "区经委"),
        ("reject", "31", "-u", "区经委", "-r", "不同意"),
        ("return", "31", "-u", "区经委", "-r", "材料不全"),
    ],
)
def test_a_write_into_an_ended_plan_needs_its_date(
    gk, data_copy: Path, args: tuple[str, ...]
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    result = gk(*args, data=data_copy, env=ENDED)
    assert result.exit_code == 2
    assert result.stderr.strip() == REFUSED
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_a_late_report_with_its_date_is_written_and_says_when(gk, data_copy: Path) -> None:
    result = gk("progress", "add", "28", "-u", "区经委", "-s", "done", "--date", "2025-01-10",
                data=data_copy, env=ENDED)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "        recorded: 2026-12-04\n" in result.stdout
    shown = json.loads(
        gk("show", "28", "-u", "区经委", "-f", "json", data=data_copy, env=ENDED).stdout
    )
    assert shown["plan_ended"] is True
    task = shown["task"]
    assert (task["status"], task["days_late"], task["finished"]) == ("done_late", 41, "2025-01-10")
    assert task["progress"][-1]["recorded"] == "2026-12-04"
    table = gk("show", "28", "-u", "区经委", data=data_copy, env=ENDED).stdout
    assert "2025-01-10 区经委 已完成（2026-12-04 录入）" in table
    assert "逾期完成  晚41天" in table


def test_the_office_s_late_decisions_record_when_they_were_entered(gk, data_copy: Path) -> None:
    ok = {"GKCTL_TODAY": "2024-10-20"}
    assert gk("extend", "31", "-u", "区经委", "--to", "2024-11-30", "-r", "等待",
              data=data_copy, env=ok).exit_code == 0  # fmt: skip
    assert gk("approve", "31", "-u", "区经委", "--date", "2024-10-25",
              data=data_copy, env=ENDED).exit_code == 0  # fmt: skip
    assert gk("close", "31", "--date", "2024-11-20", data=data_copy, env=ENDED).exit_code == 0
    text = (data_copy / "tasks.yaml").read_text(encoding="utf-8")
    assert "decision_recorded: 2026-12-04" in text and "closed_recorded: 2026-12-04" in text
    assert gk("validate", data=data_copy).exit_code == 0
    shown = json.loads(gk("show", "31", "-f", "json", data=data_copy, env=ENDED).stdout)
    assert shown["task"]["status"] == "done_after_extension"


def test_inside_the_year_a_write_takes_today_and_records_nothing_more(gk, data_copy: Path) -> None:
    result = gk("progress", "add", "60", "-u", "区经委", "-s", "doing",
                data=data_copy, env={"GKCTL_TODAY": "2024-10-15"})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "date: 2024-10-15" in result.stdout and "recorded" not in result.stdout


def test_a_recorded_day_before_the_entry_is_a_data_error(gk, data_copy: Path) -> None:
    path = data_copy / "tasks.yaml"
    assert gk("progress", "add", "60", "-u", "区经委", "-s", "done", "--date", "2025-01-10",
              data=data_copy, env=ENDED).exit_code == 0  # fmt: skip
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recorded: 2026-12-04", "recorded: 2025-01-09"), encoding="utf-8")
    result = gk("validate", data=data_copy)
    assert result.exit_code == 1
    line = next(
        i
        for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "recorded: 2025-01-09" in t
    )
    assert (
        f"tasks.yaml:{line}:19: 录入日期 2025-01-09 早于记录的日期 2025-01-10"
        in result.stdout + result.stderr
    )


# --- the statistics of an ended plan name what they count -------------------------------------


@pytest.mark.parametrize("width", ["120", "60"])
def test_stats_of_an_ended_plan_count_unfinished_not_overdue(gk, monkeypatch, width: str) -> None:
    # Past the end the late figure is what stayed 未完成 at the end; 逾期/临期 columns (and
    # a 临期窗口) would read as a running plan's and 临期 could only ever be 0.
    monkeypatch.setenv("COLUMNS", width)
    ended = gk("stats", "--as-of", "2025-01-15").stdout
    assert "未完成" in ended and "年终的按期完成率见 gkctl report -t year" in ended
    assert "临期" not in ended and "逾期" not in ended.replace("逾期完成", "")
    running = gk("stats", "--as-of", "2024-11-05").stdout
    assert "临期窗口 30 天" in running and "未完成" not in running


def test_the_board_of_an_ended_plan_counts_unfinished(gk, tmp_path) -> None:
    out = tmp_path / "site"
    assert gk("site", "-o", str(out), "--as-of", "2025-01-15").exit_code == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    board = page.split('id="board"', 1)[1].split("</section>", 1)[0]
    assert "未完成 <b" in board and "临期" not in board and "逾期 <b" not in board
    tables = page.split('id="sections"', 1)[1]
    assert '<th class="num">未完成</th>' in tables and "即将到期" not in tables
    # Nor does the page's heading speak of a 临期 window, nor its banner of a CLI option.
    assert "临期窗口" not in page and "--as-of" not in page
