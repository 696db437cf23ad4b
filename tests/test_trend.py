"""The trend (stats --trend, the 通报's table, the site's chart): counts by status at each
month's end, and 序时进度 against the share done, checked against counts made by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gkctl.core import status, trend
from gkctl.core.status import Status
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES

PROGRESS = FIXTURES / "progress" / "plan"


def _point(points: tuple[trend.Point, ...], day: date) -> trend.Point:
    (found,) = [p for p in points if p.day == day]
    return found


def test_months_run_from_publication_to_the_view_date() -> None:
    t = trend.compute(loader.load(PROGRESS), date(2024, 10, 15))
    assert t.start == date(2024, 4, 10) and t.end == date(2024, 12, 31)
    assert [p.day for p in t.points] == [
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
        date(2024, 7, 31),
        date(2024, 8, 31),
        date(2024, 9, 30),
        date(2024, 10, 15),
    ]


# By hand, from tests/fixtures/progress/plan (7 tasks; window 30 days):
# 1 9月底前; 2 10月底前 (区甲委 done 10-10, 区乙局 doing); 3 11月底前 (乙局's extension, not
# the lead's); 4 8月底前, closed 09-01; 5 10月底前, the lead 区乙局 extended to 12-31 on
# 10-12; 6 全年; 7 按市级部署 (no date).
HAND = {
    # 08-31: 1 due in 30 days, 4 due that very day (not yet closed): due soon; 2, 3, 5 open.
    date(2024, 8, 31): (
        {Status.DUE_SOON: 2, Status.OPEN: 3, Status.ONGOING: 1, Status.PENDING: 1},
        6,  # dated: all but 7
        1,  # passed: 4 (08-31)
        0,  # done
    ),
    # 09-30: 4 closed; 1 due that day; 2 and 5 are 31 days away: open.
    date(2024, 9, 30): (
        {
            Status.DONE: 1,
            Status.DUE_SOON: 1,
            Status.OPEN: 3,
            Status.ONGOING: 1,
            Status.PENDING: 1,
        },
        6,
        2,  # 4 and 1
        1,
    ),
    # 10-15: 1 overdue; 2 due in 16 days (only one of two units reported); 5 extended to
    # 12-31 (open), yet its planned date 10-31 is what 序时进度 counts; 3 open.
    date(2024, 10, 15): (
        {
            Status.OVERDUE: 1,
            Status.DUE_SOON: 1,
            Status.OPEN: 2,
            Status.DONE: 1,
            Status.ONGOING: 1,
            Status.PENDING: 1,
        },
        6,
        2,
        1,
    ),
}


@pytest.mark.parametrize("day", sorted(HAND))
def test_counts_and_shares_match_a_count_by_hand(day: date) -> None:
    t = trend.compute(loader.load(PROGRESS), date(2024, 10, 15))
    p = _point(t.points, day)
    counts, dated, passed, done = HAND[day]
    assert {st: n for st, n in p.counts.items() if n} == counts
    assert (p.total, p.dated, p.passed, p.done) == (7, dated, passed, done)
    assert p.schedule == passed / dated and p.progress == done / dated


@pytest.mark.parametrize("data", [DATA, PROGRESS], ids=["bundled", "progress"])
def test_each_point_is_the_status_every_view_shows_that_day(data) -> None:
    """A task whose records all come after a day counts as a task without records then:
    the shortcut gives what core.status gives for every task."""
    dataset = loader.load(data)
    t = trend.compute(dataset, date(2024, 10, 15))
    for p in t.points:
        states = status.plan_states(dataset, p.day)
        assert p.counts == {st: sum(1 for s in states if s.status is st) for st in Status}


def test_an_ended_plan_runs_to_its_last_day() -> None:
    t = trend.compute(loader.load(PROGRESS), date(2025, 3, 1))
    assert t.points[-1].day == date(2024, 12, 31)
    assert len(t.points) == 9  # April to December


def test_before_the_plan_starts_there_is_no_trend(gk) -> None:
    assert trend.compute(loader.load(PROGRESS), date(2024, 3, 1)).points == ()
    result = gk("stats", "--trend", "--as-of", "2024-03-01", data=PROGRESS)
    assert result.exit_code == 0
    assert "查看日期在计划开始（2024年4月10日）之前，还没有走势。" in result.stdout


def test_stats_trend_json(gk) -> None:
    result = gk("stats", "--trend", "--as-of", "2024-10-15", "--format", "json", data=PROGRESS)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc) == ["version", "as_of", "within", "start", "end", "months"]
    last = doc["months"][-1]
    assert last == {
        "month": "2024-10",
        "day": "2024-10-15",
        "counts": {
            "done": 1,
            "overdue": 1,
            "due_soon": 1,
            "pending": 1,
            "ongoing": 1,
            "open": 2,
            "undated": 0,
            "reported": 0,
        },
        "total": 7,
        "dated": 6,
        "passed": 2,
        "dated_done": 1,
        "schedule": 0.3333,
        "progress": 0.1667,
    }
    # The last month is the view date's status totals, as `list` counts them.
    listed = json.loads(
        gk("list", "--as-of", "2024-10-15", "--format", "json", data=PROGRESS).stdout
    )
    assert sum(last["counts"].values()) == len(listed["tasks"])
    for key, n in last["counts"].items():
        assert n == sum(1 for t in listed["tasks"] if t["status"] == key)


def test_stats_trend_csv(gk) -> None:
    result = gk("stats", "--trend", "--as-of", "2024-10-15", "--format", "csv", data=PROGRESS)
    assert result.exit_code == 0
    lines = result.stdout.lstrip("\ufeff").splitlines()
    assert lines[0] == (
        "month,day,done,overdue,due_soon,pending,ongoing,open,undated,reported,"
        "total,dated,passed,dated_done,schedule,progress"
    )
    assert lines[-1] == "2024-10,2024-10-15,1,1,1,1,1,2,0,0,7,6,2,1,0.3333,0.1667"
    assert len(lines) == 1 + 7


def test_stats_trend_table_at_80_and_60_columns(gk) -> None:
    wide = gk("stats", "--trend", "--as-of", "2024-10-15", data=PROGRESS, env={"COLUMNS": "80"})
    assert wide.exit_code == 0
    assert (
        "月份      逾期  临期  待部署  全年持续  未到期  已完成  序时进度  完成进度" in wide.stdout
    )
    assert (
        "10月15日     1     1       1         1       2       1     33.3%     16.7%" in wide.stdout
    )
    assert max(len(line) for line in wide.stdout.splitlines()) <= 80
    narrow = gk("stats", "--trend", "--as-of", "2024-10-15", data=PROGRESS, env={"COLUMNS": "60"})
    assert "10月15日  序时进度 33.3% 完成进度 16.7%" in narrow.stdout
    assert "    已逾期1 即将到期1 待市级部署1 全年持续1 未到期2 已完成1" in narrow.stdout


def test_the_summary_report_has_the_trend_table(gk) -> None:
    result = gk("report", "--as-of", "2024-10-15", data=PROGRESS)
    assert result.exit_code == 0
    assert "| 月份 | 已完成 | 已逾期 | 即将到期 | 序时进度 | 完成进度 |" in result.stdout
    assert "| 9月 | 1 | 0 | 1 | 33.3% | 16.7% |" in result.stdout
    assert "| 10月15日 | 1 | 1 | 1 | 33.3% | 16.7% |" in result.stdout
