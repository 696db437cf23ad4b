"""Small text helpers shared by the table renderers and the reports (no Rich here)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gkctl.core.planyear import Ending

_SENTENCE_END = re.compile("[。；]").search  # where the first sentence ends

# How tables, reports and diffs name the kinds of unit and the progress statuses (keyed by
# the stable English values; a StrEnum member looks up as its value).
UNIT_KIND_LABELS = {"department": "部门", "town": "镇", "subdistrict": "街道", "park": "园区"}
PROGRESS_LABELS = {"done": "已完成", "doing": "推进中"}
# Kinds of 时间节点 (core.deadlines.Kind values).
KIND_LABELS = {
    "date": "定期",
    "ongoing": "全年持续",
    "pending": "待部署",
    "recurring": "周期性",
    "undated": "未明确时限",
}


def deadline_text(text: str) -> str:
    """A 时间节点 as a person reads it: an empty one (no deadline in the source) is 未明确时限."""
    from gkctl.core.deadlines import UNDATED_LABEL

    return text or UNDATED_LABEL


def zh_date(value: date | str | None, empty: str = "—", year: int | None = None) -> str:
    """2024-11-30 (a date or its ISO text) -> 2024年11月30日; None -> `empty`. With
    `year` (the plan's), a date in that year without it: 11月30日, as a table of the
    year's 通报 says it, where a date column would otherwise take a fifth of the page."""
    if value is None or value == "":
        return empty
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    if day.year == year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def entry_dates(record: Mapping[str, Any], year: int | None = None) -> str:
    """A report's or request's day (a progress or extension record) and, where it reached
    the office later, that day too: 10月28日完成，11月5日报送. A period lists entries by the
    day they reached the office (core.period), so a row dated before the period says why
    it is there."""
    day, recorded = record["date"], record.get("recorded")
    if not recorded or recorded == day:
        return zh_date(day, year=year)
    verb = "申请" if "to" in record else "完成" if record.get("status") == "done" else ""
    # The second day in the first one's year goes without it: 2024年10月28日完成，11月5日报送.
    same = str(recorded)[:4] == str(day)[:4]
    later = zh_date(recorded, year=int(str(recorded)[:4]) if same else year)
    return f"{zh_date(day, year=year)}{verb}，{later}报送"


def short(text: str, limit: int = 60) -> str:
    """The first sentence, cut to `limit` characters: how a list shows a task."""
    end = _SENTENCE_END(text)
    first = (text[: end.end()] if end else text).rstrip("。；")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def month_label(day: date) -> str:
    """A trend point's month: 4月 at its last day, 10月15日 for a month still running."""
    last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return f"{day.month}月" if day == last else f"{day.month}月{day.day}日"


def percent(share: float) -> str:
    """A share as the trend writes it: 33.3%, 50%."""
    text = f"{share * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def ended_note(ending: Ending, hint: bool = True) -> str:
    """What every view of an ended plan says first (terminal, report, Word, site, form).
    The hint names a command-line option: only for the terminal, not for the printed 通报,
    the site or a unit's form, whose readers have no command line."""
    how = "；用 --as-of 可查看计划年度内任一天。" if hint else "。"
    return (
        f"{ending.label}：以下为截至查看日的最终结果（按期完成、逾期完成、未完成等），"
        f"未完成的任务只计到 {zh_date(ending.end)}{how}"
    )


def outcome_days(status: str, days_late: int | None) -> str:
    """How late an ended plan's outcome was: 晚N天 for 逾期完成, 年底超期N天 for 未完成
    (counted to the plan's last day, never on, and written apart from a running 逾期N天)."""
    if not days_late:
        return ""
    if status == "done_late":
        return f"晚{days_late}天"
    if status == "unfinished":
        return f"年底超期{days_late}天"
    return ""


def move_labels(up: int, late: int) -> tuple[str, str]:
    """A unit's move since the previous period, as the cards and rows show it: its place
    (↑2: two places nearer the front, i.e. more behind; ↓1; — unchanged) and its late
    tasks (+1, −2, ±0)."""
    place = f"↑{up}" if up > 0 else f"↓{-up}" if up < 0 else "—"
    count = f"+{late}" if late > 0 else f"−{-late}" if late < 0 else "±0"
    return place, count


def move_note(ended: bool = False) -> str:
    """What the marks of a move mean; past the plan's end the late count is 未完成."""
    late = "未完成" if ended else "逾期"
    return f"名次↑为比上期更靠前（更落后），↓为靠后，—为不变；{late}+为比上期多，−为少，±0为不变。"
