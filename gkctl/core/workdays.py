"""Working days: Chinese statutory holidays and adjusted working weekends.

chinese-calendar carries the State Council's yearly holiday notices; for a year it has no
data for, only weekends count as days off, and callers are told so (calendar_known=False).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset[date], frozenset[date], int, int]:
    # Imported lazily: only views that show 最后工作日 pay for it.
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = [d.year for d in holidays]
    return holidays, workdays, min(years), max(years)


def calendar_covers(year: int) -> bool:
    _, _, first, last = _calendar()
    return first <= year <= last


def is_workday(day: date) -> bool:
    holidays, workdays, _, _ = _calendar()
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


# Answers by date. The parsed-plan cache stores this table with the plan, so that a warm run
# need not load the holiday calendar at all.
_LAST: dict[date, tuple[date, bool]] = {}


def memo() -> dict[date, tuple[date, bool]]:
    return dict(_LAST)


def remember(entries: dict[date, tuple[date, bool]]) -> None:
    _LAST.update(entries)


def last_workday(day: date) -> tuple[date, bool]:
    """The last working day on or before `day`, and whether the holiday data covers it."""
    found = _LAST.get(day)
    if found is None:
        current = day
        while not is_workday(current):
            current -= timedelta(days=1)
        found = _LAST[day] = (current, calendar_covers(current.year) and calendar_covers(day.year))
    return found


def after_workdays(day: date, n: int) -> date:
    """The n-th working day after `day` (a reply within n working days is due then)."""
    current, left = day, n
    while left > 0:
        current += timedelta(days=1)
        left -= is_workday(current)
    return current
