"""Status rules and the one-pass unit summary, checked against the unit-by-unit view."""

from datetime import date

import pytest

from gkctl.core import status
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES


@pytest.mark.parametrize(
    "data", [DATA, FIXTURES / "progress" / "plan"], ids=["bundled", "progress"]
)
@pytest.mark.parametrize(
    "as_of", [date(2024, 4, 15), date(2024, 10, 15), date(2024, 12, 20), date(2025, 1, 5)]
)
@pytest.mark.parametrize("direct_only", [False, True])
def test_unit_summaries_match_unit_views(data, as_of: date, direct_only: bool) -> None:
    dataset = loader.load(data)
    fast = {r.unit.name: r for r in status.unit_summaries(dataset, as_of, 30, direct_only)}
    for unit in dataset.directory.units:
        slow = status.summarize(status.unit_states(dataset, unit, as_of, 30, direct_only), unit)
        assert fast[unit.name] == slow, unit.name


def test_status_boundaries() -> None:
    dataset = loader.load(DATA)
    task28 = dataset.plan.task(28)  # 11月底前 → 2024-11-30
    assert task28 is not None
    cases = {
        date(2024, 10, 31): status.Status.DUE_SOON,  # 30 days left
        date(2024, 10, 30): status.Status.OPEN,  # 31 days left
        date(2024, 11, 30): status.Status.DUE_SOON,  # due today: not yet overdue
        date(2024, 12, 1): status.Status.OVERDUE,  # the end of the due day has passed
    }
    for as_of, expected in cases.items():
        assert status.state(dataset, task28, as_of, 30).status is expected, as_of
    task40 = dataset.plan.task(40)  # 按市级部署
    assert task40 is not None
    assert status.state(dataset, task40, date(2024, 12, 31), 30).status is status.Status.PENDING
    task2 = dataset.plan.task(2)  # 全年
    assert task2 is not None
    assert status.state(dataset, task2, date(2024, 6, 1), 30).status is status.Status.ONGOING
    assert status.state(dataset, task2, date(2024, 12, 15), 30).status is status.Status.DUE_SOON
    # The year is over, not overdue: a 全年 task ends as reported or not (issue 23).
    assert (
        status.state(dataset, task2, date(2025, 1, 1), 30).status
        is status.Status.ONGOING_UNREPORTED
    )


def _with_extensions(data_copy, entries: dict[int, list[tuple[str, str, str]]]):
    """Add extension entries (unit, asked on, to) after given tasks' deadline lines."""
    import re

    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    for task_id, rows in entries.items():
        block = "    extensions:\n" + "".join(
            f"      - date: {asked}\n        unit: {unit}\n        to: {to}\n        reason: 测试\n"
            for unit, asked, to in rows
        )
        pattern = re.compile(rf"(  - id: {task_id}\n(?:    .*\n)*?    deadline: .*\n)")
        text, n = pattern.subn(lambda m, block=block: m.group(1) + block, text, count=1)
        assert n == 1
    path.write_text(text, encoding="utf-8")
    return loader.load(data_copy)


def test_only_the_lead_units_extension_moves_the_plan_wide_view(data_copy) -> None:
    # Task 60 (8月底前) is led by 区政府办公室; 区经委 takes part through 各部门.
    dataset = _with_extensions(data_copy, {60: [("区经委", "2024-08-20", "2024-11-30")]})
    task = dataset.plan.task(60)
    jingwei = dataset.directory.unit("区经委")
    office = dataset.directory.unit("区政府办公室")
    day = date(2024, 10, 15)
    assert status.state(dataset, task, day).status is status.Status.OVERDUE
    assert status.state(dataset, task, day, unit=office).status is status.Status.OVERDUE
    own = status.state(dataset, task, day, unit=jingwei)
    assert own.status is status.Status.OPEN and own.due == date(2024, 11, 30)
    assert own.original_due == date(2024, 8, 31) and own.extended


def test_lead_extension_moves_plan_wide_view_from_the_day_it_was_asked(data_copy) -> None:
    # Task 31 (10月底前) is led by 区经委.
    dataset = _with_extensions(data_copy, {31: [("区经委", "2024-10-20", "2024-12-31")]})
    task = dataset.plan.task(31)
    before = status.state(dataset, task, date(2024, 10, 15))
    assert before.due == date(2024, 10, 31) and not before.extended
    after = status.state(dataset, task, date(2024, 10, 25))
    assert after.due == date(2024, 12, 31) and after.extended
