"""When a plan ends, and whether a view date is past it (issue 23).

A 工作要点 is a plan for one calendar year: it ends on 31 December of its document's year.
A view dated after that day reads the plan as ended (final statuses: 按期完成, 逾期完成,
未完成 …); a view dated inside the year reads it as running. Every view, write command and
the several-plans layer asks this one module, so that they agree on the day.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from gkctl.core.errors import UsageError
from gkctl.core.model import Document, Plan


class Ending(NamedTuple):
    """The plan's last day and whether the view date is past it."""

    end: date
    ended: bool

    @property
    def label(self) -> str:
        """The sentence every ended view shows (banner, report, Word, site, form)."""
        return f"本计划已于{self.end.year}年{self.end.month}月{self.end.day}日结束"


def entry_date(plan: Plan | Document, given: date | None, today: date) -> date:
    """The date a write records: the one given, else today while the plan runs. After the
    plan's end today is refused: an entry into an ended plan is a late report, whose date
    must be said (it is rarely today)."""
    if given is not None:
        return given
    ending_ = ending(plan, today)
    if ending_.ended:
        raise UsageError(
            f"{ending_.label}，今天（{today.isoformat()}）已在计划之外：补记请用 --date YYYY-MM-DD "
            "写明事情发生的日期（如 --date 2025-01-10），记录会注明是计划结束后录入的。"
        )
    return today


def plan_end(plan: Plan | Document) -> date:
    """The plan's last day: 31 December of its year. A task whose approved extension runs
    past it is still judged on its extended date (late work), not on this day."""
    document = plan.document if isinstance(plan, Plan) else plan
    return date(document.year, 12, 31)


def ended(plan: Plan | Document, as_of: date) -> bool:
    """Whether a view dated `as_of` reads the plan as ended (the day after its last day on)."""
    return as_of > plan_end(plan)


def ending(plan: Plan | Document, as_of: date) -> Ending:
    end = plan_end(plan)
    return Ending(end, as_of > end)
