"""Small text helpers shared by the table renderers and the reports (no Rich here)."""

from __future__ import annotations

import re
from datetime import date

_FIRST_SENTENCE = re.compile(r"(?<=[。；])")


def zh_date(value: date | str | None, empty: str = "—") -> str:
    """2024-11-30 (a date or its ISO text) -> 2024年11月30日; None -> `empty`."""
    if value is None or value == "":
        return empty
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def short(text: str, limit: int = 60) -> str:
    """The first sentence, cut to `limit` characters: how a list shows a task."""
    first = _FIRST_SENTENCE.split(text, maxsplit=1)[0].rstrip("。；")
    return first if len(first) <= limit else first[: limit - 1] + "…"
