"""The plan month by month: how many tasks stood in each status at the end of each month of
the plan so far, and the 序时进度 against the share done (stats --trend, the site's trend
chart, the 通报's table).

No git is needed: a task's status on a past day follows from its records' dates (a progress
entry counts from its date, a closing from its day, an extension from its decision), which
is how core.status reads any `as_of`. Each point is the plan-wide status of every task on
that day, judged by that code, so the last point (the view date) is the status totals
every other view shows.

序时进度 (schedule) is the share of the dated tasks whose deadline as the plan set it
(before any extension) has come by that day; the share done (progress) is the share of the
same tasks closed (销号) by then. Tasks without a date that day (待市级部署, 未明确时限) are
in neither share, only in the counts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from gkctl.core import dates, planyear, status
from gkctl.core.deadlines import Kind
from gkctl.core.model import Dataset, Plan, ProgressStatus, Task
from gkctl.core.status import Status


@dataclass(frozen=True)
class Point:
    day: date  # the month's last day, or the view date in the view's month
    counts: dict[Status, int]
    total: int
    dated: int  # tasks with a due date on that day
    passed: int  # of those, whose deadline (before extensions) is on or before the day
    done: int  # of those, closed by the day

    @property
    def month(self) -> str:
        return f"{self.day.year}-{self.day.month:02d}"

    @property
    def schedule(self) -> float:
        """序时进度: the share of the dated tasks that should be done by the day."""
        return self.passed / self.dated if self.dated else 0.0

    @property
    def progress(self) -> float:
        """The share of the dated tasks done by the day."""
        return self.done / self.dated if self.dated else 0.0


@dataclass(frozen=True)
class Trend:
    as_of: date
    within: int
    start: date
    end: date  # the plan's last day (core.planyear)
    points: tuple[Point, ...]


def plan_start(plan: Plan) -> date:
    """The first month's start: the plan's first day (core.dates: its publication, else 1
    January); the months before it had no plan to judge."""
    doc = plan.document
    return dates.plan_start(doc.published, doc.year) or date(doc.year, 1, 1)


def days(start: date, end: date, as_of: date) -> list[date]:
    """Each month's last day from `start`'s month to the last day seen (the view date, or
    the plan's end once it ended); the view's own month ends on the view date."""
    last = min(as_of, end)
    out: list[date] = []
    first = start.replace(day=1)
    while first <= last:
        following = (first + timedelta(days=32)).replace(day=1)
        out.append(min(following - timedelta(days=1), last))
        first = following
    return out


def _marks(task: Task) -> list[date]:
    """The days something that moves the task's plan-wide status takes effect: a done report
    made or returned (all expected units reported: 已报完成，待销号), the lead unit's
    extension request decided (only the lead's approved extension moves the plan-wide
    deadline), the task closed. Between two of them the status moves only with the
    calendar; `doing` reports and other units' requests never move it (core.status)."""
    made: set[date] = set()
    for p in task.progress:
        if p.status is ProgressStatus.DONE:
            made.add(p.date)
            if p.returned is not None:
                made.add(p.returned)
    made |= {e.decided for e in task.extensions if e.unit == task.lead and e.decided is not None}
    if task.closed is not None:
        made.add(task.closed)
    return sorted(made)


def compute(dataset: Dataset, as_of: date, within: int = status.DEFAULT_WITHIN) -> Trend:
    plan = dataset.plan
    start, end = plan_start(plan), planyear.plan_end(plan)
    points = days(start, end, as_of)
    # A task without a record in effect on a day reads as every task of its deadline does:
    # counted by deadline, one state per deadline and day (a plan has a few dozen); those
    # whose first record comes later are counted so until then.
    alike: Counter[tuple[str, date | None]] = Counter()
    early: list[Counter[tuple[str, date | None]]] = [Counter() for _ in points]
    # Each deadline's task to ask, one with no such record (on that day, for `early`).
    first: dict[tuple[str, date | None], Task] = {}
    early_first: list[dict[tuple[str, date | None], Task]] = [{} for _ in points]
    # A task with a record in effect gets its own state, asked again only where it may
    # have moved (the generated 10,000-task plan, April to mid-October: 3,400 states, where
    # one per task and month would be 70,000).
    own = [_Tally() for _ in points]
    for task in plan.tasks:
        key = (task.deadline, task.due)
        marks = _marks(task) if task.progress or task.extensions or task.closed else []
        if not marks:
            alike[key] += 1
            first.setdefault(key, task)
            continue
        last: tuple[status.TaskState, date] | None = None
        for i, day in enumerate(points):
            if day < marks[0]:
                early[i][key] += 1
                early_first[i].setdefault(key, task)
                continue
            if last is None or _moved(last[0], last[1], day, marks, within):
                last = (status.state(dataset, task, day, within), day)
            own[i].add(last[0], 1, day)
    out = []
    for i, day in enumerate(points):
        tally = own[i]
        for key, n in (alike + early[i]).items():
            task = first.get(key) or early_first[i][key]
            tally.add(status.state(dataset, task, day, within), n, day)
        out.append(tally.point(day, len(plan.tasks)))
    return Trend(as_of, within, start, end, tuple(out))


class _Tally:
    """One day's counts, task state by task state."""

    def __init__(self) -> None:
        self.counts: Counter[Status] = Counter()
        self.dated = self.passed = self.done = 0

    def add(self, s: status.TaskState, n: int, day: date) -> None:
        self.counts[s.status] += n
        if s.original_due is not None:
            self.dated += n
            self.passed += n if s.original_due <= day else 0
            self.done += n if s.status is Status.DONE else 0

    def point(self, day: date, total: int) -> Point:
        counts = {st: self.counts.get(st, 0) for st in Status}
        return Point(day, counts, total, self.dated, self.passed, self.done)


def _moved(s: status.TaskState, since: date, day: date, marks: list[date], within: int) -> bool:
    """Whether the task's status may differ on `day` from `s`, its state on `since`: a
    record took effect in between, or the calendar crossed into 临期 or 逾期 (a recurring
    deadline moves with every period: always asked again)."""
    if s.deadline.kind is Kind.RECURRING:
        return True
    if bisect_right(marks, day) > bisect_right(marks, since):
        return True
    if s.due is None:
        return False
    soon, late = s.due - timedelta(days=within), s.due + timedelta(days=1)
    return since < soon <= day or since < late <= day
