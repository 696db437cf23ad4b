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
