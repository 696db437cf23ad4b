"""The year-end 回头看 (issue 23): an ended plan's outcomes counted per unit and per
section, what the office decided over the year, and how many tasks nobody recorded anything
on. Counted from the final statuses (core.status after core.planyear's last day), so that
it tells the story every other view tells.

应完成 are the tasks with a date to meet that the year judged: 按期完成 and 延期后按期完成
(together 按期), 逾期完成, 未完成. 全年 tasks (reported or not), tasks the city never
deployed and late work still running (due after the plan's end) are counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from gkctl.core import planyear, status
from gkctl.core.errors import UsageError
from gkctl.core.model import Dataset, Decision, Extension, Progress, Section, Task, Unit
from gkctl.core.status import Status, TaskState

ON_TIME = (Status.DONE_ON_TIME, Status.DONE_AFTER_EXTENSION)
JUDGED = (*ON_TIME, Status.DONE_LATE, Status.UNFINISHED)


class Tally(NamedTuple):
    """The outcomes of a set of tasks (a unit's, a section's, the plan's)."""

    judged: int  # 应完成
    on_time: int  # 按期 (按期完成 + 延期后按期完成)
    after_extension: int  # of which 延期后按期完成
    late: int  # 逾期完成
    unfinished: int  # 未完成
    days_late: int  # 逾期完成的天数之和
    ongoing_reported: int
    ongoing_unreported: int
    not_deployed: int
    running: int  # late work: due after the plan's end, not done yet

    @property
    def rate(self) -> float:
        """按期完成率: 按期 over 应完成 (0 with nothing to judge)."""
        return self.on_time / self.judged if self.judged else 0.0

    @property
    def average_late(self) -> float | None:
        """Average days late of the tasks done late (None: none was)."""
        return self.days_late / self.late if self.late else None


def tally(states: Iterable[TaskState]) -> Tally:
    counts = dict.fromkeys(Status, 0)
    days = 0
    for s in states:
        counts[s.status] += 1
        if s.status is Status.DONE_LATE:
            days += s.days_late or 0
    return Tally(
        sum(counts[st] for st in JUDGED),
        sum(counts[st] for st in ON_TIME),
        counts[Status.DONE_AFTER_EXTENSION],
        counts[Status.DONE_LATE],
        counts[Status.UNFINISHED],
        days,
        counts[Status.ONGOING_REPORTED],
        counts[Status.ONGOING_UNREPORTED],
        counts[Status.NOT_DEPLOYED],
        sum(counts[st] for st in Status if st not in status.FINAL),
    )


class UnitYear(NamedTuple):
    unit: Unit
    tally: Tally


class SectionYear(NamedTuple):
    section: Section
    tally: Tally


class Decided(NamedTuple):
    task: Task
    extension: Extension


class Returned(NamedTuple):
    task: Task
    progress: Progress


class YearReview(NamedTuple):
    as_of: date
    end: date
    states: tuple[TaskState, ...]  # plan-wide, in task order
    plan: Tally
    units: tuple[UnitYear, ...]  # best first
    sections: tuple[SectionYear, ...]
    approved: tuple[Decided, ...]
    rejected: tuple[Decided, ...]
    undecided: tuple[Decided, ...]  # still waiting on the view date
    returned: tuple[Returned, ...]
    unrecorded: tuple[Task, ...]  # no progress, extension or closing at all


def review(dataset: Dataset, as_of: date) -> YearReview:
    """The year's outcomes as of `as_of`, which must be after the plan's last day."""
    ending = planyear.ending(dataset.plan, as_of)
    if not ending.ended:
        after = date.fromordinal(ending.end.toordinal() + 1)
        raise UsageError(
            f"年终回头看在计划结束之后才有最终结果：本计划到 {ending.end.isoformat()} 为止，"
            f"请用 --as-of {after.isoformat()} 或之后的日期。"
        )
    states = tuple(status.plan_states(dataset, as_of))
    # The records as they stood on as_of (each state's task is, Task.as_of): requests decided
    # later are undecided, returns later are not there, and a task is unrecorded if nothing
    # was on it by then.
    tasks = tuple(s.task for s in states)
    units = []
    for unit in dataset.directory.units:
        own = [
            s
            for s in status.unit_states(dataset, unit, as_of)
            if not (s.involvement and s.involvement.possible)
        ]
        units.append(UnitYear(unit, tally(own)))
    order = {u.name: i for i, u in enumerate(dataset.directory.units)}
    # Best first: 按期完成率, then fewer 未完成; units with nothing to judge last.
    units.sort(
        key=lambda u: (not u.tally.judged, -u.tally.rate, u.tally.unfinished, order[u.unit.name])
    )
    in_section: dict[str, list[TaskState]] = {}
    for s in states:
        in_section.setdefault(s.task.section, []).append(s)
    sections = tuple(
        SectionYear(sec, tally(in_section.get(sec.id, []))) for sec in dataset.plan.sections
    )
    return YearReview(
        as_of,
        ending.end,
        states,
        tally(states),
        tuple(units),
        sections,
        *_decisions(tasks, as_of),
        tuple(_returned(tasks, as_of)),
        tuple(t for t in tasks if not (t.progress or t.extensions or t.closed)),
    )


def _decisions(
    tasks: Sequence[Task], as_of: date
) -> tuple[tuple[Decided, ...], tuple[Decided, ...], tuple[Decided, ...]]:
    approved, rejected, undecided = [], [], []
    for task in tasks:
        for e in task.extensions:
            if e.open_on(as_of):
                undecided.append(Decided(task, e))
            elif e.decision is Decision.APPROVED:
                approved.append(Decided(task, e))
            else:
                rejected.append(Decided(task, e))
    key = lambda d: (d.extension.decided or d.extension.date, d.task.id)  # noqa: E731
    return (
        tuple(sorted(approved, key=key)),
        tuple(sorted(rejected, key=key)),
        tuple(sorted(undecided, key=key)),
    )


def _returned(tasks: Sequence[Task], as_of: date) -> list[Returned]:
    out = [Returned(task, p) for task in tasks for p in task.progress if p.returned is not None]
    return sorted(out, key=lambda r: (r.progress.returned or as_of, r.task.id))
