"""core.period.changes: what happened in (since, as_of], on the bundled plan with invented
records (the plan's own data holds none)."""

from datetime import date

import pytest

from gkctl.core import period
from gkctl.core.errors import UsageError
from gkctl.core.model import Dataset, Decision, Extension, Progress, ProgressStatus
from gkctl.store import loader
from tests.conftest import DATA

D = date.fromisoformat
DONE, DOING = ProgressStatus.DONE, ProgressStatus.DOING


@pytest.fixture(scope="module")
def plan() -> Dataset:
    return loader.load(DATA)


def with_records(dataset: Dataset, **changes: dict[str, object]) -> Dataset:
    """The dataset with fields of some tasks replaced: with_records(ds, t31={...})."""
    wanted = {int(key[1:]): fields for key, fields in changes.items()}
    tasks = tuple(
        t._replace(**wanted[t.id]) if t.id in wanted else t  # type: ignore[arg-type]
        for t in dataset.plan.tasks
    )
    return dataset._replace(plan=dataset.plan._replace(tasks=tasks))


def ids(tasks: object) -> list[int]:
    return [t.id for t in tasks]  # type: ignore[attr-defined]


def test_progress_is_counted_inside_the_period_only(plan: Dataset) -> None:
    ds = with_records(
        plan,
        t31={
            "progress": (
                Progress(D("2024-10-15"), "区经委", DOING, "at since: before the period"),
                Progress(D("2024-10-16"), "区经委", DOING, "first day"),
                Progress(D("2024-11-05"), "区经委", DONE, "as_of: last day"),
                Progress(D("2024-11-06"), "区经委", DONE, "after"),
            )
        },
    )
    got = period.changes(ds, D("2024-10-15"), D("2024-11-05"))
    assert [(c.task.id, c.progress.note) for c in got.progress] == [
        (31, "first day"),
        (31, "as_of: last day"),
    ]


def test_closed_and_newly_overdue(plan: Dataset) -> None:
    ds = with_records(plan, t28={"closed": D("2024-10-20")}, t73={"closed": D("2024-10-10")})
    got = period.changes(ds, D("2024-10-15"), D("2024-11-05"))
    assert ids(got.closed) == [28]
    # Due 10-31: 31, 72, 73 (closed before), and the tasks overdue already on 10-15 are not new.
    assert 31 in ids(s.task for s in got.became_overdue)
    assert 72 in ids(s.task for s in got.became_overdue)
    assert 73 not in ids(s.task for s in got.became_overdue)
    assert 60 not in ids(s.task for s in got.became_overdue)
    assert all(s.status.value == "overdue" for s in got.became_overdue)


def test_a_reported_task_does_not_become_overdue(plan: Dataset) -> None:
    ds = with_records(plan, t31={"progress": (Progress(D("2024-10-30"), "区经委", DONE),)})
    got = period.changes(ds, D("2024-10-15"), D("2024-11-05"))
    assert 31 not in ids(s.task for s in got.became_overdue)


def test_requests_and_decisions(plan: Dataset) -> None:
    requested = Extension(D("2024-10-20"), "区经委", D("2024-11-30"), "一")
    approved = Extension(
        D("2024-10-01"),
        "区发改委",
        D("2024-11-30"),
        "二",
        decision=Decision.APPROVED,
        decided=D("2024-10-18"),
        decision_note="同意",
    )
    legacy = Extension(
        D("2024-10-02"),
        "区财政局",
        D("2024-12-31"),
        "三",
        decision=Decision.APPROVED,
        decided=D("2024-10-02"),
        legacy=True,
    )
    ds = with_records(
        plan, t31={"extensions": (requested, approved)}, t72={"extensions": (legacy,)}
    )
    got = period.changes(ds, D("2024-10-01"), D("2024-10-25"))
    assert [(c.task.id, c.extension.reason) for c in got.requests] == [(72, "三"), (31, "一")]
    # A legacy entry's "decision" is only how it reads: it is no decision made in the period.
    assert [(c.task.id, c.extension.reason) for c in got.decisions] == [(31, "二")]


def test_one_units_changes(plan: Dataset) -> None:
    ds = with_records(
        plan,
        t31={
            "progress": (
                Progress(D("2024-10-20"), "区经委", DONE, "经委"),
                Progress(D("2024-10-21"), "区发改委", DOING, "发改委"),
            ),
            "extensions": (Extension(D("2024-10-20"), "区发改委", D("2024-11-30"), "x"),),
        },
    )
    unit = ds.directory.unit("区经委")
    assert unit is not None
    got = period.changes(ds, D("2024-10-15"), D("2024-11-05"), unit=unit)
    assert [c.progress.note for c in got.progress] == ["经委"]
    assert got.requests == ()
    # In its own view 31 is done, so it did not become overdue; 72 reaches it through 各部门.
    assert 31 not in ids(s.task for s in got.became_overdue)
    assert 72 in ids(s.task for s in got.became_overdue)


def test_returned_reports_are_changes_of_the_period(plan: Dataset) -> None:
    back = Progress(
        D("2024-10-20"), "区经委", DONE, returned=D("2024-10-25"), return_reason="缺链接"
    )
    ds = with_records(plan, t31={"progress": (back,)})
    got = period.changes(ds, D("2024-10-21"), D("2024-11-05"))
    assert got.progress == ()
    assert [(c.task.id, c.progress.return_reason) for c in got.returned] == [(31, "缺链接")]
    assert 31 in ids(s.task for s in got.became_overdue)


def test_an_empty_period(plan: Dataset) -> None:
    got = period.changes(plan, D("2024-10-16"), D("2024-10-17"))
    assert got.empty and got.since == D("2024-10-16") and got.as_of == D("2024-10-17")


@pytest.mark.parametrize("since", ["2024-11-05", "2024-12-01"])
def test_since_must_come_before_as_of(plan: Dataset, since: str) -> None:
    with pytest.raises(UsageError) as caught:
        period.changes(plan, D(since), D("2024-11-05"))
    assert caught.value.message == (
        f"--since {since} 应早于查看日期 2024-11-05（本期为 since 之后到查看日期为止）。"
    )


@pytest.mark.parametrize(
    ("day", "recorded", "october", "november"),
    [
        # Done 10-28, reached the office 11-05: November's, not October's.
        ("2024-10-28", "2024-11-05", False, True),
        # Written on its own day (no `recorded:`): the period of that day.
        ("2024-10-28", None, True, False),
        ("2024-10-28", "2024-10-28", True, False),
        # Done and entered inside October.
        ("2024-10-02", "2024-10-30", True, False),
        # Entered after November's view date: in neither yet.
        ("2024-11-20", "2024-12-02", False, False),
    ],
)
def test_a_report_belongs_to_the_period_it_reached_the_office_in(
    plan: Dataset, day: str, recorded: str | None, october: bool, november: bool
) -> None:
    entry = Progress(D(day), "区经委", DONE, recorded=D(recorded) if recorded else None)
    request = Extension(D(day), "区经委", D("2024-12-20"), "等待", recorded=entry.recorded)
    ds = with_records(plan, t31={"progress": (entry,), "extensions": (request,)})
    for since, as_of, expected in (
        ("2024-09-30", "2024-10-31", october),
        ("2024-10-31", "2024-11-30", november),
    ):
        got = period.changes(ds, D(since), D(as_of))
        assert [c.progress for c in got.progress] == ([entry] if expected else [])
        assert [c.extension for c in got.requests] == ([request] if expected else [])


def test_the_period_lists_reports_in_the_order_they_arrived(plan: Dataset) -> None:
    late = Progress(D("2024-10-20"), "区经委", DONE, "late", recorded=D("2024-11-06"))
    early = Progress(D("2024-11-02"), "区发改委", DOING, "early")
    ds = with_records(plan, t31={"progress": (late,)}, t28={"progress": (early,)})
    got = period.changes(ds, D("2024-10-31"), D("2024-11-30"))
    assert [c.progress.note for c in got.progress] == ["early", "late"]
