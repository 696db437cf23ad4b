"""An iCalendar feed (RFC 5545) of due dates: one all-day event per task and per milestone.

The feed is reproducible: the same data and as-of date give the same bytes. UIDs depend
only on the plan's 文号, title and year and the task id (and the milestone's place), so a
calendar that imports or subscribes to the feed again updates its events instead of adding
copies, and two plans do not share UIDs even when neither has a 文号 yet (imported tables
without one all read 待填写); DTSTAMP is the as-of date, not the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from gkctl import __version__
from gkctl.core import collector, status, textsafe
from gkctl.core.model import Dataset, Document, Unit
from gkctl.core.status import DONE_STATUSES, STATUS_LABELS, TaskState
from gkctl.core.units import DIRECT
from gkctl.views import machine
from gkctl.views.labels import outcome_days

DEFAULT_ALARM_DAYS = 3
_SUMMARY_CHARS = 24


@dataclass(frozen=True)
class Feed:
    data: bytes  # the calendar, CRLF line ends, UTF-8
    events: int
    pending: tuple[int, ...]  # tasks left out: no date yet (待市级部署)


def uid(document: Document, task_id: int, milestone: int | None = None) -> str:
    """gkctl-<hash of 文号, title, year>-task-<id>[-m<k>]@gkctl: stable across runs and days."""
    # A unit separator keeps ("a", "bc") and ("ab", "c") apart.
    seed = "\x1f".join((document.number, document.title, str(document.year)))
    plan = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:10]
    part = f"-m{milestone}" if milestone is not None else ""
    return f"gkctl-{plan}-task-{task_id}{part}@gkctl"


def _short(text: str, limit: int = _SUMMARY_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _description(s: TaskState, as_of: date) -> str:
    task = s.task
    lines = [
        f"任务名称：{task.name}",
        f"任务内容：{task.content}",
        f"责任单位：{'、'.join(task.units)}",
        f"时间节点：{task.deadline}",
        f"状态（截至 {as_of.isoformat()}）：{STATUS_LABELS[s.status]}",
    ]
    if s.final:
        late = outcome_days(s.status, s.days_late)
        lines[-1] += f"（{late}）" if late else ""
        lines.append("计划已结束，此为最终结果。")
    if s.extension is not None:
        lines.append(f"已申请延期至 {s.extension.to.isoformat()}（{s.extension.reason}）")
    if s.involvement is not None and s.involvement.via != DIRECT:
        maybe = "，可能涉及" if s.involvement.possible else ""
        lines.append(f"涉及方式：通过“{s.involvement.via}”{maybe}")
    return "\n".join(lines)


def feed(
    dataset: Dataset,
    as_of: date,
    unit: Unit | None = None,
    alarm_days: int = DEFAULT_ALARM_DAYS,
    within: int = status.DEFAULT_WITHIN,
) -> Feed:
    """The feed for the whole plan, or for one unit (its extensions and groups counted).

    Recurring deadlines appear at their next due date as of `as_of`. A milestone on the
    task's own due date is the task's event already and is not repeated. alarm_days 0:
    no alarm; done tasks get none either.
    """
    # icalendar's components are dicts and lists: built with the collector on, each of its
    # passes walked every event made so far (a unit's 31,000 events at 100,000 tasks:
    # 15-26x the work of 10,000 in vText and CaselessDict). Off while building, then one
    # collection, once the calendar is dropped, of whatever cycles it left.
    with collector.collected_after():
        return _feed(dataset, as_of, unit, alarm_days, within)


def _feed(dataset: Dataset, as_of: date, unit: Unit | None, alarm_days: int, within: int) -> Feed:
    from icalendar import Alarm, Calendar, Event, vText

    def text(value: str) -> vText:
        # RFC 5545 TEXT for every property from the data, header and events alike: typed
        # as vText, X-WR-CALNAME is escaped too (a bare CR there began a line of its own,
        # a LF failed); what the loader refuses is shown as escapes.
        return vText(textsafe.visible(value))

    doc = dataset.plan.document
    if unit is not None:
        states = status.unit_states(dataset, unit, as_of, within)
    else:
        states = status.plan_states(dataset, as_of, within)
    stamp = datetime.combine(as_of, time(0), tzinfo=UTC)
    name = doc.title + (f"（{unit.name}）" if unit is not None else "")

    calendar = Calendar()
    calendar.add("prodid", f"-//gkctl//gkctl {__version__}//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", text(name))
    calendar.add("x-wr-caldesc", text(f"{doc.number} 截止日期（截至 {as_of.isoformat()}）"))
    calendar.add("x-wr-timezone", "Asia/Shanghai")

    def event(key: str, day: date, summary: str, description: str, alarm: bool) -> None:
        item = Event()
        item.add("uid", key)
        item.add("dtstamp", stamp)
        item.add("dtstart", day)
        item.add("dtend", day + timedelta(days=1))
        item.add("summary", text(summary))
        item.add("description", text(description))
        item.add("transp", "TRANSPARENT")  # a due date, not a meeting: the day stays free
        if alarm and alarm_days > 0:
            reminder = Alarm()
            reminder.add("action", "DISPLAY")
            reminder.add("description", text(summary))
            reminder.add("trigger", timedelta(days=-alarm_days))
            item.add_component(reminder)
        calendar.add_component(item)

    pending: list[int] = []
    count = 0
    for s in states:
        task = s.task
        if s.due is None:
            pending.append(task.id)
            continue
        done = s.status in DONE_STATUSES
        # An ended plan's outcome needs no reminder: the day is long past.
        mark = f"【{STATUS_LABELS[s.status]}】" if s.final else "【已完成】" if done else ""
        description = _description(s, as_of)
        event(
            uid(doc, task.id),
            s.due,
            f"{mark}任务{task.id}：{_short(task.content)}",
            description,
            not done and not s.final,
        )
        count += 1
        for k, milestone in enumerate(machine.milestones(dataset, task, s.deadline), start=1):
            if milestone["due"] is None:
                continue
            day = date.fromisoformat(milestone["due"])
            if day == s.due:
                continue
            summary = f"{mark}任务{task.id} 节点：{_short(milestone['text'])}"
            event(
                uid(doc, task.id, k),
                day,
                summary,
                f"节点：{milestone['text']}\n" + description,
                not done,
            )
            count += 1
    return Feed(calendar.to_ical(), count, tuple(pending))
