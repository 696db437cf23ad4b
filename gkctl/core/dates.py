"""Calendar dates as gkctl reads them: exactly YYYY-MM-DD, and only near the plan's year.

Python's date.fromisoformat also takes 20241015 and 2024-W42-2, which every message
describes as wrong; and a date at the end of the calendar (9999-12-31) passes every
check and then overflows whatever adds a day to it (an ICS event's end). So dates are read
strictly and kept within ten years either side of the plan year.
"""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
SPAN_YEARS = 10
# The plan years the loader accepts; so no date gkctl keeps lies outside these.
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST, LATEST = date(FIRST_YEAR - SPAN_YEARS, 1, 1), date(LAST_YEAR + SPAN_YEARS, 12, 31)


def parse_iso(text: str) -> date:
    """YYYY-MM-DD and nothing else; ValueError otherwise."""
    text = text.strip()
    if not _ISO.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def plan_range(year: int) -> tuple[date, date]:
    """The dates a plan of `year` may hold (any plan's where the year is unknown)."""
    if not year:
        return EARLIEST, LATEST
    return date(year - SPAN_YEARS, 1, 1), date(year + SPAN_YEARS, 12, 31)


def out_of_range(day: date, year: int) -> str | None:
    """A message where `day` lies outside the plan's range, else None."""
    first, last = plan_range(year)
    if first <= day <= last:
        return None
    around = f"计划年度 {year} 年前后 {SPAN_YEARS} 年" if year else "合理范围"
    return f"日期 {day.isoformat()} 超出{around}（{first.isoformat()} 至 {last.isoformat()}）"


def plan_start(published: date | None, year: int) -> date | None:
    """The first day a record of the plan may carry: its publication (nothing was done,
    asked or closed under a plan before it existed), else 1 January of its year; None where
    the year is not known either."""
    if published is not None:
        return published
    return date(year, 1, 1) if year else None


def before_plan(day: date, published: date | None, year: int) -> str | None:
    """Where `day` comes before the plan existed (see plan_start), the rest of a message
    that starts with what the date is, else None."""
    start = plan_start(published, year)
    if start is None or day >= start:
        return None
    since = "计划发布日期" if published else f"计划年度 {year} 年的第一天"
    return f"{day.isoformat()} 早于{since} {start.isoformat()}：计划发布之前不会有它的记录"
