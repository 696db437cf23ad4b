"""What changed in a period (since, as_of]: the 通报's 本期变化.

One computation for every view that reports a period (the Markdown report's `--since`,
the HTML site's): progress reported, reports sent back, one unit's part accepted, tasks
closed, tasks that became
overdue, extension requests and the office's decisions — each dated inside the period.

A unit's report or request belongs to the period it reached the office in (its `recorded`
day, else its own date): the office's question is "what reached us this period". A form
filled for work done on 10-28 and imported on 11-05 is in November's 本期变化, with both
dates; October's, made as of 10-31, did not have it. The office's own acts (退办, 确认,
销号, decisions) are written by the office and belong to the period of their own date.

A state as of a day (the task's status, and so `became_overdue` here) reads every record
by its own date, as the data holds it now: the report above makes the task done on 10-28
in any view made after the import, whichever day it is made as of. "What had been done by
D" and "what reached us in the period" are two questions; each view answers one of them.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from gkctl.core import status
from gkctl.core.errors import UsageError
from gkctl.core.model import Dataset, Extension, Progress, Task, Unit
from gkctl.core.status import Status, TaskState
from gkctl.core.units import involvement


class ProgressChange(NamedTuple):
    task: Task
    progress: Progress


class ExtensionChange(NamedTuple):
    task: Task
    extension: Extension


class Changes(NamedTuple):
    """Everything that happened in (since, as_of] (reports and requests: reached the
    office then), oldest first. With a unit: that unit's own
    entries, and its tasks as its own view sees them."""

    since: date
    as_of: date
    progress: tuple[ProgressChange, ...]  # entries that reached the office in the period
    returned: tuple[ProgressChange, ...]  # done reports the office sent back in the period
    closed: tuple[Task, ...]  # closed (销号) in the period
    became_overdue: tuple[TaskState, ...]  # overdue at as_of, not at since (state at as_of)
    requests: tuple[ExtensionChange, ...]  # extension requests received in the period
    decisions: tuple[ExtensionChange, ...]  # approved or rejected in the period
    # one unit's part closed (gkctl accept) in the period
    accepted: tuple[ProgressChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.progress
            or self.returned
            or self.accepted
            or self.closed
            or self.became_overdue
            or self.requests
            or self.decisions
        )


def previous_month(as_of: date) -> date:
    """The day the monthly period starts after: the 1st of the month before as_of's (what
    `--since previous-month` means, and what lights and ranks are compared with by default:
    each monthly 通报 covers the days after the last one)."""
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    return date(year, month, 1)


def _inside(day: date | None, since: date, as_of: date) -> bool:
    return day is not None and since < day <= as_of


def changes(dataset: Dataset, since: date, as_of: date, unit: Unit | None = None) -> Changes:
    """The period's changes for the whole plan, or for one unit (`unit`)."""
    if since >= as_of:
        raise UsageError(
            f"--since {since.isoformat()} 应早于查看日期 {as_of.isoformat()}"
            "（本期为 since 之后到查看日期为止）。"
        )
    progress: list[ProgressChange] = []
    returned: list[ProgressChange] = []
    accepted: list[ProgressChange] = []
    closed: list[Task] = []
    overdue: list[TaskState] = []
    requests: list[ExtensionChange] = []
    decisions: list[ExtensionChange] = []
    for task in dataset.plan.tasks:
        task = task.as_of(as_of)  # its records as they stood at the period's end
        how = involvement(task, unit, dataset.directory) if unit is not None else None
        if unit is not None and (how is None or how.possible):
            continue
        who = unit.name if unit is not None else None
        for p in task.progress:
            if who is not None and p.unit != who:
                continue
            if _inside(p.entered, since, as_of):
                progress.append(ProgressChange(task, p))
            if _inside(p.returned, since, as_of):
                returned.append(ProgressChange(task, p))
            if _inside(p.accepted, since, as_of):
                accepted.append(ProgressChange(task, p))
        for e in task.extensions:
            if who is not None and e.unit != who:
                continue
            if _inside(e.entered, since, as_of):
                requests.append(ExtensionChange(task, e))
            if not e.legacy and e.decided is not None and _inside(e.decided, since, as_of):
                decisions.append(ExtensionChange(task, e))
        if _inside(task.closed, since, as_of):
            closed.append(task)
        now = status.state(dataset, task, as_of, unit=unit, how=how)
        if now.status is Status.OVERDUE:
            before = status.state(dataset, task, since, unit=unit, how=how)
            if before.status is not Status.OVERDUE:
                overdue.append(now)
    progress.sort(key=lambda c: (c.progress.entered, c.progress.date, c.task.id, c.progress.unit))
    returned.sort(key=lambda c: (c.progress.returned or c.progress.date, c.task.id))
    accepted.sort(key=lambda c: (c.progress.accepted or c.progress.date, c.task.id))
    closed.sort(key=lambda t: (t.closed or as_of, t.id))
    overdue.sort(key=lambda s: (s.due or as_of, s.task.id))
    requests.sort(
        key=lambda c: (c.extension.entered, c.extension.date, c.task.id, c.extension.unit)
    )
    decisions.sort(key=lambda c: (c.extension.decided or as_of, c.task.id, c.extension.unit))
    return Changes(
        since,
        as_of,
        tuple(progress),
        tuple(returned),
        tuple(closed),
        tuple(overdue),
        tuple(requests),
        tuple(decisions),
        tuple(accepted),
    )
