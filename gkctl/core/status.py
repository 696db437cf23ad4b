"""Where each task stands as of a date, for the whole plan or for one unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import ClassVar, NamedTuple

from gkctl.core import collector, deadlines, planyear
from gkctl.core.deadlines import Deadline, Kind, WorkdayDue
from gkctl.core.model import (
    Dataset,
    Directory,
    Extension,
    Group,
    Plan,
    Progress,
    Task,
    Unit,
    UnitKind,
)
from gkctl.core.units import DIRECT, Involvement, by_unit, involved, involvement_of

DEFAULT_WITHIN = 30


class Status(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    ONGOING = "ongoing"
    OPEN = "open"
    # No 时间节点 at all (imported from a table without a deadline column): 未明确时限.
    UNDATED = "undated"
    # Every unit the task surely names has reported it done; the office has yet to close it
    # (已报完成，待销号). Plan-wide only: a unit's own view of its done report is `done`.
    REPORTED = "reported"
    # A view after the plan's last day (core.planyear) gives each task its final outcome:
    # 按期完成, 延期后按期完成 (done after the original date, by the approved one), 逾期完成
    # (`days_late` says by how much), 未完成 (judged at the plan's end: `days_late` stops
    # there), 未部署 (按市级部署, never deployed), and for 全年/每月 tasks, reported or not.
    # A task still due after the plan's end (an extension past it, a 跨年度 task) keeps its
    # running status: that is late work, still live.
    DONE_ON_TIME = "done_on_time"
    DONE_AFTER_EXTENSION = "done_after_extension"
    DONE_LATE = "done_late"
    UNFINISHED = "unfinished"
    NOT_DEPLOYED = "not_deployed"
    ONGOING_REPORTED = "ongoing_reported"
    ONGOING_UNREPORTED = "ongoing_unreported"


# The final outcomes of an ended plan, what needs a word first.
FINAL_ORDER = (
    Status.UNFINISHED,
    Status.NOT_DEPLOYED,
    Status.ONGOING_UNREPORTED,
    Status.DONE_LATE,
    Status.DONE_AFTER_EXTENSION,
    Status.DONE_ON_TIME,
    Status.ONGOING_REPORTED,
)
FINAL = frozenset(FINAL_ORDER)
# The statuses of a running plan, in the enum's order (what a day inside the year can hold:
# the trend's months, which never pass the plan's end).
RUNNING = tuple(st for st in Status if st not in FINAL)
# Done, in a running plan's view or as an ended plan's outcome (完成率 counts these).
DONE_STATUSES = frozenset(
    (Status.DONE, Status.DONE_ON_TIME, Status.DONE_AFTER_EXTENSION, Status.DONE_LATE)
)

# Order of the due view's sections and of sorting: what needs action first.
STATUS_ORDER = (
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.UNDATED,
    Status.ONGOING,
    Status.OPEN,
    Status.REPORTED,
    Status.DONE,
    *FINAL_ORDER,
)

# The statuses a unit's own view can have (its done report is `done` there).
UNIT_STATUS_ORDER = tuple(st for st in STATUS_ORDER if st is not Status.REPORTED)

# What the due view shows without --all: what needs action, waits for the city, or still
# needs a date.
# In an ended plan, the dated tasks that were not done also need a word (全年 tasks, with
# or without reports, show with --all).
ATTENTION = (
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.PENDING,
    Status.UNDATED,
    Status.UNFINISHED,
    Status.NOT_DEPLOYED,
)

STATUS_LABELS = {
    Status.OVERDUE: "已逾期",
    Status.DUE_SOON: "即将到期",
    Status.PENDING: "待市级部署",
    Status.UNDATED: deadlines.UNDATED_LABEL,
    Status.ONGOING: "全年持续",
    Status.OPEN: "未到期",
    Status.REPORTED: "已报完成，待销号",
    Status.DONE: "已完成",
    Status.DONE_ON_TIME: "按期完成",
    Status.DONE_AFTER_EXTENSION: "延期后按期完成",
    Status.DONE_LATE: "逾期完成",
    Status.UNFINISHED: "未完成",
    Status.NOT_DEPLOYED: "未部署",
    Status.ONGOING_REPORTED: "全年持续，有报送",
    Status.ONGOING_UNREPORTED: "全年持续，无报送",
}


class Reported(NamedTuple):
    """Who has reported a task done (and not had it sent back) among the units it is
    expected from: the units it names, and every member of a group it surely covers
    (各部门, 各街镇). Units it only possibly concerns (各相关部门) are not expected."""

    units: tuple[str, ...]
    expected: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return bool(self.expected) and len(self.units) == len(self.expected)


class TaskState(NamedTuple):
    """A task as one view sees it: its deadline, status and days left."""

    task: Task
    deadline: Deadline
    due: date | None  # the date judged against: extended, recurring period end, or due
    original_due: date | None  # before any extension
    workday: WorkdayDue | None
    status: Status
    days_left: int | None
    extension: Extension | None = None
    involvement: Involvement | None = None
    # The request of this view's unit (plan-wide: the lead's) that waits for a decision.
    request: Extension | None = None
    reported: Reported | None = None
    # In a unit's view: its done report that the office sent back, while it has no other.
    returned: Progress | None = None
    # The plan the task belongs to, in a view across the plans of a data folder (the
    # plan's folder name); "" in a view of one plan.
    plan: str = ""
    # In an ended plan's view: days between the date judged against and the day the task
    # was done (逾期完成), or the plan's last day (未完成); None where it was not late.
    days_late: int | None = None
    # ... and the day it was done (the closing, or the reports that completed it).
    finished: date | None = None

    @property
    def extended(self) -> bool:
        return self.extension is not None

    @property
    def final(self) -> bool:
        """An ended plan's outcome rather than a running status."""
        return self.status in FINAL


def task_deadline(dataset: Dataset, task: Task) -> Deadline:
    doc = dataset.plan.document
    if task.due is not None:
        return deadlines.explicit(task.deadline, task.due, doc.year)
    if not task.deadline:
        return deadlines.undated(doc.year)
    return deadlines.resolve(task.deadline, doc.year, doc.published)


def _extension(task: Task, unit: Unit | None, as_of: date) -> Extension | None:
    """The extension a view judges the task by: the unit's own in its view; in the
    plan-wide view, the lead unit's (it answers for the task) — never another unit's.
    Only an approved request counts, from the day of the decision."""
    who = unit.name if unit is not None else task.lead
    granted = [e for e in task.extensions if e.unit == who and e.approved_on(as_of)]
    return max(granted, key=lambda e: (e.to, e.decided or e.date)) if granted else None


def open_request(task: Task, unit_name: str | None, as_of: date) -> Extension | None:
    """The unit's request that waits for the office's decision on that day (the latest)."""
    waiting = [e for e in task.extensions if e.unit == unit_name and e.open_on(as_of)]
    return max(waiting, key=lambda e: e.date) if waiting else None


def is_done(task: Task, unit: Unit | None, as_of: date) -> bool:
    """Closed (销号) by the office on or before as_of, or reported done by the unit (and not
    sent back) in its own view."""
    if task.closed is not None and task.closed <= as_of:
        return True
    if unit is None:
        return False
    return any(p.unit == unit.name and p.done_on(as_of) for p in task.progress)


_Expected = dict[tuple[str, ...], tuple[str, ...]]
_MEMBERS: dict[int, tuple[Directory, dict[str, tuple[str, ...]], frozenset[str], _Expected]] = {}


def _members(
    directory: Directory,
) -> tuple[dict[str, tuple[str, ...]], frozenset[str], _Expected]:
    """Each group's member units (groups of "the relevant ones" have none that are sure),
    the unit names, and the memo of expected_units by a task's unit list (a plan repeats a
    few hundred lists over many tasks); worked out once per directory."""
    known = _MEMBERS.get(id(directory))
    if known is None or known[0] is not directory:
        groups = {
            g.name: ()
            if g.relevant
            else tuple(u.name for u in directory.units if u.kind in g.members)
            for g in directory.groups
        }
        known = (directory, groups, frozenset(u.name for u in directory.units), {})
        _MEMBERS.clear()
        _MEMBERS[id(directory)] = known
    return known[1], known[2], known[3]


def expected_units(dataset: Dataset, task: Task) -> tuple[str, ...]:
    """The units a task is expected to be reported done by: those it names, then the
    members of each group that surely covers them, in that order, each once."""
    groups, names, expected = _members(dataset.directory)
    found = expected.get(task.units)
    if found is None:
        out = [n for n in task.units if n in names]
        for name in task.units:
            out += groups.get(name, ())
        found = tuple(dict.fromkeys(out))
        if len(expected) > 65536:  # a plan of ever new unit lists: keep the memo bounded
            expected.clear()
        expected[task.units] = found
    return found


def reported(dataset: Dataset, task: Task, as_of: date) -> Reported:
    expected = expected_units(dataset, task)
    done = {p.unit for p in task.progress if p.done_on(as_of)}
    return Reported(tuple(u for u in expected if u in done), expected)


def _returned(task: Task, unit: Unit, as_of: date) -> Progress | None:
    back = [
        p
        for p in task.progress
        if p.unit == unit.name and p.returned is not None and p.returned <= as_of
    ]
    return max(back, key=lambda p: (p.returned, p.date)) if back else None


# The parts of a state that a plain task (no progress, extension or closing recorded)
# shares with every plain task of the same deadline on the same day: a plan has a few
# dozen deadline texts and tens of thousands of tasks.
_Plain = tuple[
    Deadline, "date | None", "date | None", "WorkdayDue | None", Status, "int | None", "int | None"
]


_NO_ONE = Reported((), ())


def state(
    dataset: Dataset,
    task: Task,
    as_of: date,
    within: int = DEFAULT_WITHIN,
    unit: Unit | None = None,
    how: Involvement | None = None,
    plain: dict[tuple[str, date | None], _Plain] | None = None,
    *,
    with_reported: bool = True,
) -> TaskState:
    """The task as of `as_of`, in `unit`'s view (the plan-wide view without one). `plain`
    is a memo that views over many tasks pass, kept for one as_of and within. With
    `with_reported=False` a unit's view leaves `reported` out (None), for counts that never read it.
    The state's `task` is the task as it stood on as_of (Task.as_of)."""
    if plain is not None and not task.progress and not task.extensions and task.closed is None:
        key = (task.deadline, task.due)
        shared = plain.get(key)
        if shared is None:
            full = state(dataset, task, as_of, within)
            shared = plain[key] = (
                full.deadline,
                full.due,
                full.original_due,
                full.workday,
                full.status,
                full.days_left,
                full.days_late,
            )
        # TaskState(task, *shared[:6], None, how, days_late=shared[6]), without NamedTuple's
        # keyword call (a view over 100,000 tasks builds a state per task this way).
        return _new_state(
            TaskState, (task, *shared[:6], None, how, None, None, None, "", shared[6], None)
        )
    # The state's task carries its records as they stood on as_of, so that no view shows a
    # return, acceptance, decision or closing the status does not count yet.
    task = task.as_of(as_of)
    deadline = task_deadline(dataset, task)
    original = deadline.due_on(as_of)
    extension = _extension(task, unit, as_of) if task.extensions else None
    due = extension.to if extension is not None and original is not None else original
    if extension is not None and original is not None and extension.to <= original:
        extension, due = None, original
    days = (due - as_of).days if due is not None else None
    closed = task.closed is not None and task.closed <= as_of
    who = (
        reported(dataset, task, as_of)
        if task.progress and (with_reported or unit is None)
        else _NO_ONE
    )
    done = closed or (bool(task.progress) and is_done(task, unit, as_of))
    back = _returned(task, unit, as_of) if task.progress and unit is not None and not done else None
    request = (
        open_request(task, unit.name if unit else task.lead, as_of)
        if task.extensions and not done
        else None
    )
    if done:
        status = Status.DONE
    elif unit is None and who.complete:
        status = Status.REPORTED
    elif due is None:
        status = Status.UNDATED if deadline.kind is Kind.UNDATED else Status.PENDING
    elif days is not None and days < 0:
        status = Status.OVERDUE
    elif days is not None and days <= within:
        status = Status.DUE_SOON
    elif deadline.kind is Kind.ONGOING:
        status = Status.ONGOING
    else:
        status = Status.OPEN
    late: int | None = None
    finished: date | None = None
    end = planyear.plan_end(dataset.plan)
    if as_of > end:
        status, late, finished = _final(
            task, unit, as_of, end, deadline, (due, original, extension), who, status
        )
        if status in FINAL:
            days = None  # an outcome, not a count that runs on
    return TaskState(
        task,
        deadline,
        due,
        original,
        deadlines.workday_due(due),
        status,
        days,
        extension,
        how,
        request,
        who if who.units else None,
        back,
        days_late=late,
        finished=finished,
    )


_RUNNING_LATE = frozenset((Status.OPEN, Status.DUE_SOON, Status.OVERDUE, Status.ONGOING))


def _final(
    task: Task,
    unit: Unit | None,
    as_of: date,
    end: date,
    deadline: Deadline,
    dates: tuple[date | None, date | None, Extension | None],
    who: Reported,
    running: Status,
) -> tuple[Status, int | None, date | None]:
    """The outcome of a task in a plan that ended on `end`, before `as_of`, from the records
    dated up to `as_of` (a report made after the plan's end still counts, as done late):
    the status, days late, and the day it was done. `dates`: the date judged against, the
    original one, and the approved extension that moved it."""
    due, original, extension = dates
    if running is Status.DONE or running is Status.REPORTED:
        day = _finished(task, unit, as_of, who)
        late = (day - due).days if due is not None and day is not None else 0
        if late > 0:
            return Status.DONE_LATE, late, day
        if extension is not None and original is not None and day is not None and day > original:
            return Status.DONE_AFTER_EXTENSION, None, day
        return Status.DONE_ON_TIME, None, day
    if due is not None and due > end and running in _RUNNING_LATE:
        return running, None, None  # due after the plan's end: late work, still live
    if deadline.kind is Kind.ONGOING or deadline.kind is Kind.RECURRING:
        mine = unit.name if unit is not None else None
        said = any(
            p.date <= as_of and (mine is None or p.unit == mine) and p.returned is None
            for p in task.progress
        )
        return (Status.ONGOING_REPORTED if said else Status.ONGOING_UNREPORTED), None, None
    if due is None and deadline.kind is Kind.PENDING:
        return Status.NOT_DEPLOYED, None, None
    if due is None:
        return Status.UNFINISHED, None, None
    return Status.UNFINISHED, max(0, (end - due).days), None


def _finished(task: Task, unit: Unit | None, as_of: date, who: Reported) -> date | None:
    """The day a task was done as of `as_of`: the office's closing, or, if earlier, the
    unit's own done report (in its view) or the report that completed the expected units'
    (plan-wide)."""
    days = []
    if task.closed is not None and task.closed <= as_of:
        days.append(task.closed)
    if unit is not None:
        days += [p.date for p in task.progress if p.unit == unit.name and p.done_on(as_of)]
    elif who.complete:
        first: dict[str, date] = {}
        for p in task.progress:
            if p.unit in who.expected and p.done_on(as_of):
                first[p.unit] = min(first.get(p.unit, p.date), p.date)
        days.append(max(first.values()))
    return min(days) if days else None


@collector.pausing
def unit_states(
    dataset: Dataset,
    unit: Unit,
    as_of: date,
    within: int = DEFAULT_WITHIN,
    direct_only: bool = False,
    *,
    with_reported: bool = True,
) -> list[TaskState]:
    """The tasks that name the unit, directly or through a group, in a unit's view; with
    `with_reported=False`, without who else has reported (state's `reported` is None)."""
    indexed = _indexed(dataset, unit, as_of, within, with_reported)
    out = []
    if indexed is None:
        plain: dict[tuple[str, date | None], _Plain] = {}
        involves = involvement_of(unit, dataset.directory)
        for task in dataset.plan.tasks:
            how = involves(task)
            if how is None or (direct_only and how.via != DIRECT):
                continue
            out.append(
                state(dataset, task, as_of, within, unit, how, plain, with_reported=with_reported)
            )
        return out
    # A view over every unit: each task's state worked out once for all the units that
    # recorded nothing on it (Viewer), the unit's involvement put in.
    mine, viewer = indexed
    tasks = dataset.plan.tasks
    for at, how in mine.items():
        if direct_only and how.via != DIRECT:
            continue
        found = viewer.of(tasks[at], unit)
        # found._replace(involvement=how), without _replace's keyword machinery.
        out.append(_new_state(TaskState, (*found[:_HOW], how, *found[_HOW + 1 :])))
    return out


@collector.pausing
def states_by_unit(
    dataset: Dataset,
    as_of: date,
    within: int = DEFAULT_WITHIN,
    *,
    with_reported: bool = True,
    keep: Callable[[TaskState], bool] | None = None,
    sure_only: bool = False,
    direct_only: bool = False,
    viewer: Viewer | None = None,
) -> list[list[TaskState]]:
    """unit_states(…) of every unit of the directory, in its order, those `keep` accepts:
    in one pass over the plan, task by task, each task's state worked out once for the
    units that recorded nothing on it while the task is at hand (a view over every unit
    that drops most states: notify). `keep` is asked before a state's involvement is
    filled in, so it must not read it; `sure_only` leaves out the tasks that name a unit
    only possibly (各相关部门: the group of the units concerned), and `direct_only` those
    that do not name it itself. `viewer`: a Viewer of the same day that another view over
    every unit shares (behind.answers), which then decides `with_reported`."""
    units = dataset.directory.units
    names = [u.name for u in units]
    out: list[list[TaskState]] = [[] for _ in units]
    viewer = Viewer.of_day(dataset, as_of, within, viewer, with_reported)
    for task, found in involved(dataset.directory, dataset.plan.tasks):
        if not found:
            continue
        shared = viewer.nobody(task)
        passes = keep is None or keep(shared)
        recorded = viewer.own(task) if task.progress or task.extensions else _NO_NAMES
        for i, how in found.items():
            if (sure_only and how.possible) or (direct_only and how.via != DIRECT):
                continue
            if names[i] in recorded:  # the unit's own view of the task
                mine = viewer.of(task, units[i])
                if keep is not None and not keep(mine):
                    continue
            elif passes:
                mine = shared
            else:
                continue
            out[i].append(_new_state(TaskState, (*mine[:_HOW], how, *mine[_HOW + 1 :])))
    return out


_NO_NAMES: frozenset[str] = frozenset()
_HOW = TaskState._fields.index("involvement")
assert len(TaskState._fields) == 15, "state()'s plain path builds a TaskState of 15 fields"
_new_state = tuple.__new__


class _ByUnit:
    """A plan's tasks by unit (units.by_unit), built once a second unit of the plan is
    asked for: a view over every unit (review, notify, stats, forms) then walks the plan
    once, not once per unit, and one unit's view keeps its single walk. Beside it, a Viewer
    for each day asked, which shares each task's state among the units. Kept for the last
    few plans asked (a view over every unit of a folder of plans asks each plan in turn)."""

    KEPT: ClassVar[int] = 4
    # By id() of the plan and directory, which each slot holds (so the ids stay theirs).
    slots: ClassVar[dict[tuple[int, int], _ByUnit]] = {}

    def __init__(self, plan: Plan, directory: Directory, asked: Unit) -> None:
        self.plan, self.directory, self.asked = plan, directory, asked
        self.index: list[dict[int, Involvement]] | None = None
        self.viewers: dict[tuple[date, int, bool], Viewer] = {}

    @classmethod
    def of(cls, plan: Plan, directory: Directory, unit: Unit) -> _ByUnit | None:
        """The plan's slot, indexed; None the first time the plan is asked (or while only
        that unit is asked)."""
        key = (id(plan), id(directory))
        slot = cls.slots.get(key)
        if slot is None:
            if len(cls.slots) >= cls.KEPT:
                del cls.slots[next(iter(cls.slots))]
            cls.slots[key] = cls(plan, directory, unit)
            return None
        if slot.index is None:
            if unit == slot.asked:
                return None
            slot.index = by_unit(directory, plan.tasks)
        return slot


def _indexed(
    dataset: Dataset, unit: Unit, as_of: date, within: int, with_reported: bool
) -> tuple[dict[int, Involvement], Viewer] | None:
    """Where the plan is indexed (a view over every unit): the unit's tasks (position ->
    involvement, in plan order) and the day's Viewer; else None (walk the plan)."""
    slot = _ByUnit.of(dataset.plan, dataset.directory, unit)
    if slot is None or slot.index is None:
        return None
    try:
        at = dataset.directory.units.index(unit)
    except ValueError:  # a unit from elsewhere (not in this directory): walk
        return None
    day = (as_of, within, with_reported)
    viewer = slot.viewers.get(day)
    if viewer is None:
        viewer = slot.viewers[day] = Viewer(dataset, as_of, within, with_reported)
    return slot.index[at], viewer


@collector.pausing
def plan_states(dataset: Dataset, as_of: date, within: int = DEFAULT_WITHIN) -> list[TaskState]:
    plain: dict[tuple[str, date | None], _Plain] = {}
    return [state(dataset, task, as_of, within, plain=plain) for task in dataset.plan.tasks]


def listed(counts: dict[Status, int]) -> tuple[Status, ...]:
    """The statuses a view gives a row or column: 未明确时限 and 已报完成，待销号 only where
    some task has them, so a plan whose every task has a 时间节点 reads as it always did,
    and a unit's own counts (which never hold `reported`) show no empty column.
    An ended plan's counts (some final outcome) list every outcome, and the running
    statuses only where late work has them; a running plan's list no outcome."""
    if any(counts.get(st) for st in FINAL):
        late_work = (st for st in STATUS_ORDER if st not in FINAL and counts.get(st))
        return FINAL_ORDER + tuple(late_work)
    rare = (Status.UNDATED, Status.REPORTED)
    return tuple(
        st for st in STATUS_ORDER if st not in FINAL and (st not in rare or counts.get(st))
    )


def sort_key(s: TaskState) -> tuple[int, int, int]:
    """Most urgent first: by status order, then by due date, then by task id."""
    due = s.due.toordinal() if s.due else 10**7
    return (_RANK[s.status], due, s.task.id)


_RANK = {st: i for i, st in enumerate(STATUS_ORDER)}


class UnitSummary(NamedTuple):
    """Counts for the tasks that surely are the unit's; `possible` counts the tasks it may
    have through 各相关部门/各相关单位, which are kept out of the other counts."""

    unit: Unit
    counts: dict[Status, int]
    total: int
    possible: int = 0

    @property
    def completion(self) -> float:
        done = sum(self.counts[st] for st in DONE_STATUSES)
        return done / self.total if self.total else 0.0


def summarize(states: Iterable[TaskState], unit: Unit) -> UnitSummary:
    counts = dict.fromkeys(Status, 0)
    total = possible = 0
    for s in states:
        if s.involvement is not None and s.involvement.possible:
            possible += 1
            continue
        counts[s.status] += 1
        total += 1
    return UnitSummary(unit, counts, total, possible)


def unit_summaries(
    dataset: Dataset,
    as_of: date,
    within: int = DEFAULT_WITHIN,
    direct_only: bool = False,
    viewer: Viewer | None = None,
) -> list[UnitSummary]:
    """One summary per unit, in the directory's order (core.behind ranks them).

    The same counts as summarize(unit_states(…)) for every unit, in one pass over the tasks:
    a task's status is worked out once, and again only for the units that recorded progress
    or an extension on it (40 units × 10,000 tasks was 400,000 status computations).
    """
    views = Viewer.of_day(dataset, as_of, within, viewer)
    units = dataset.directory.units
    by_name = {u.name: u for u in units}
    counts = {u.name: dict.fromkeys(Status, 0) for u in units}
    totals = dict.fromkeys(by_name, 0)
    possible = dict.fromkeys(by_name, 0)
    members = {
        g.name: (g, [u.name for u in units if u.kind in g.members])
        for g in dataset.directory.groups
    }
    # Every task counts alike for the units it brings in, as its plain status (what a unit
    # that recorded nothing on it sees): the tasks come tallied by unit list and status;
    # a list's named units are counted at once, the members of the groups it names per
    # (groups, status), as many lists name the same groups (各部门 brings in thirty).
    # Then the few units that recorded progress or an extension on a task get their own.
    tally = views.tally()
    lists: Counter[tuple[tuple[str, ...], Status]] = tally.plain.copy()
    for task in tally.recorded:
        lists[task.units, views.status(task)] += 1
    through: Counter[tuple[tuple[str, ...], Status]] = Counter()
    spans: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
    for (unit_list, st), n in lists.items():
        named = [name for name in dict.fromkeys(unit_list) if name in by_name]
        sure_g, maybe_g = _groups_span(unit_list, members, spans, direct_only)
        if sure_g or maybe_g:
            through[_written(unit_list, members), st] += n
        for name in named:
            if name not in sure_g:  # else the groups count it, once
                counts[name][st] += n
                totals[name] += n
            if name in maybe_g:  # named: surely the unit's, not possibly
                possible[name] -= n
    for (written, st), n in through.items():
        sure_g, maybe_g = spans[written]
        for name in sure_g:
            counts[name][st] += n
            totals[name] += n
        for name in maybe_g:
            possible[name] += n
    for task in tally.recorded:
        plain = views.status(task)
        sure_g = _groups_span(task.units, members, spans, direct_only)[0]
        for name in views.own(task):
            if name in by_name and (name in task.units or name in sure_g):
                mine = views.of(task, by_name[name]).status
                counts[name][plain] -= 1
                counts[name][mine] += 1
    return [UnitSummary(u, counts[u.name], totals[u.name], possible[u.name]) for u in units]


class Tally(NamedTuple):
    """A plan's tasks for views that count by unit: those nobody recorded progress or an
    extension on, counted by unit list and status (each unit they bring in counts them
    alike); the others in plan order, as each unit sees them differently."""

    plain: Counter[tuple[tuple[str, ...], Status]]
    recorded: list[Task]
    # The recorded tasks and the plain ones overdue (未完成 past the plan's end) or due
    # soon, in plan order: those a unit can be behind on through a group (core.behind).
    attention: list[Task]


class Viewer:
    """Each task as each unit sees it on one day, for views over many tasks and units
    (unit_summaries, core.behind, a report that needs both): a unit that recorded nothing
    on a task sees the task's own state, worked out once per task (and once per deadline
    for the tasks nobody recorded anything on); a unit that recorded progress or an
    extension on it gets its own. Its states leave out who reported the task (`reported`
    is None: the counts and rankings it serves never read it) unless `with_reported`."""

    def __init__(
        self,
        dataset: Dataset,
        as_of: date,
        within: int = DEFAULT_WITHIN,
        with_reported: bool = False,
    ) -> None:
        self.dataset = dataset
        self.as_of = as_of
        self.within = within
        self.with_reported = with_reported
        self._plain: dict[tuple[str, date | None], _Plain] = {}
        # By id(): the tasks live in self.dataset as long as this does.
        self._nobody: dict[int, TaskState] = {}
        self._own: dict[int, frozenset[str]] = {}
        self._mine: dict[tuple[int, str], TaskState] = {}
        self._tally: Tally | None = None

    def of(self, task: Task, unit: Unit) -> TaskState:
        """`task` in `unit`'s view (without the unit's involvement filled in)."""
        if (task.progress or task.extensions) and unit.name in self.own(task):
            key = (id(task), unit.name)
            found = self._mine.get(key)
            if found is None:
                found = self._mine[key] = state(
                    self.dataset,
                    task,
                    self.as_of,
                    self.within,
                    unit,
                    with_reported=self.with_reported,
                )
            return found
        return self.nobody(task)

    @classmethod
    def of_day(
        cls,
        dataset: Dataset,
        as_of: date,
        within: int,
        given: Viewer | None,
        with_reported: bool = False,
    ) -> Viewer:
        """`given` where it is for this dataset, day and window, else a new Viewer; a
        Viewer of another day would give another day's counts."""
        if given is None:
            return cls(dataset, as_of, within, with_reported)
        if given.dataset is not dataset or given.as_of != as_of or given.within != within:
            raise ValueError("a Viewer of another dataset, day or window")
        return given

    def tally(self) -> Tally:
        """The plan's Tally for this day, worked out once."""
        if self._tally is None:
            plain: Counter[tuple[tuple[str, ...], Status]] = Counter()
            recorded, attention = [], []
            for task in self.dataset.plan.tasks:
                if task.progress or task.extensions:
                    recorded.append(task)
                    attention.append(task)
                    continue
                st = self.status(task)
                plain[task.units, st] += 1
                if st in (Status.OVERDUE, Status.UNFINISHED, Status.DUE_SOON):
                    attention.append(task)
            self._tally = Tally(plain, recorded, attention)
        return self._tally

    def status(self, task: Task) -> Status:
        """nobody(task).status, without a state per task where the task has no records."""
        if not task.progress and not task.extensions and task.closed is None:
            shared = self._plain.get((task.deadline, task.due))
            if shared is not None:
                return shared[4]
        return self.nobody(task).status

    def nobody(self, task: Task) -> TaskState:
        """The task in the view of a unit that recorded nothing on it."""
        found = self._nobody.get(id(task))
        if found is None:
            found = self._nobody[id(task)] = state(
                self.dataset,
                task,
                self.as_of,
                self.within,
                _NOBODY,
                plain=self._plain,
                with_reported=self.with_reported,
            )
        return found

    def own(self, task: Task) -> frozenset[str]:
        """The units that recorded progress or an extension on the task."""
        found = self._own.get(id(task))
        if found is None:
            found = self._own[id(task)] = frozenset(
                [p.unit for p in task.progress] + [e.unit for e in task.extensions]
            )
        return found


# A unit that records nothing: its view of a task is the task's own (closed or not, no
# extension of anybody's).
_NOBODY = Unit("", UnitKind.DEPARTMENT)


def _written(
    unit_list: tuple[str, ...], members: dict[str, tuple[Group, list[str]]]
) -> tuple[str, ...]:
    """The groups a unit list names (各部门, 各相关单位 …), in its order."""
    return tuple(name for name in unit_list if name in members)


def _groups_span(
    unit_list: tuple[str, ...],
    members: dict[str, tuple[Group, list[str]]],
    spans: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]],
    direct_only: bool,
) -> tuple[frozenset[str], frozenset[str]]:
    """_span of the groups a unit list names, kept in `spans` (none with direct_only: a
    unit reached through a group is never direct)."""
    written = () if direct_only else _written(unit_list, members)
    if not written:
        return _NO_SPAN
    found = spans.get(written)
    if found is None:
        found = spans[written] = _span(written, members)
    return found


_NO_SPAN: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _span(
    written: tuple[str, ...], members: dict[str, tuple[Group, list[str]]]
) -> tuple[frozenset[str], frozenset[str]]:
    """The units the groups of a unit list surely cover, and those they only possibly
    concern (a group of "the relevant ones"), not counting the first among the second."""
    sure: set[str] = set()
    maybe: set[str] = set()
    for name in written:
        group, names = members[name]
        (maybe if group.relevant else sure).update(names)
    return frozenset(sure), frozenset(maybe - sure)
