"""When a plan ends, and whether a view date is past it (issue 23).

A 工作要点 is a plan for one calendar year: it ends on 31 December of its document's year.
A view dated after that day reads the plan as ended (final statuses: 按期完成, 逾期完成,
未完成 …); a view dated inside the year reads it as running. Every view, write command and
the several-plans layer asks this one module, so that they agree on the day.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from gkctl.core.model import Document, Plan


class Ending(NamedTuple):
    """The plan's last day and whether the view date is past it."""

    end: date
    ended: bool

    @property
    def label(self) -> str:
        """The sentence every ended view shows (banner, report, Word, site, form)."""
        return f"本计划已于{self.end.year}年{self.end.month}月{self.end.day}日结束"


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
