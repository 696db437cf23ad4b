"""A unit's view from its slice of the plan, without the rest of the plan.

The parsed-plan cache keeps, per unit, which tasks concern it (store/cache.py writes it,
from slices() here): the tasks it has recorded nothing on and that are not closed, grouped
by what decides their status in its view (the deadline text, the due date and how the task
names the unit), and the others, its own. A group's tasks share their status, due date
and days on any day, so a group is judged once and counted whole; only the unit's own
tasks and the rows a view shows are read and judged one by one. due --unit over 100,000
tasks thus reads a few hundred tasks instead of every one.

The answers are those of status.unit_states over the whole plan (tests/test_unit_slices.py
compares them for every unit of generated plans).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from gkctl.core import collector
from gkctl.core.model import Dataset, Progress, Task, Unit
from gkctl.core.status import (
    FINAL,
    STATUS_ORDER,
    Status,
    TaskState,
    _Plain,
    state,
)
from gkctl.core.units import DIRECT, Involvement, involved, involvement_of

# Tasks as their positions in the plan's task order (array("l")); subscripted for the
# type checker only (array is not subscriptable at run time in Python 3.11).
if TYPE_CHECKING:
    Positions = array[int]
else:
    Positions = array


class Group(NamedTuple):
    deadline: str
    due: date | None
    how: Involvement
    positions: Positions


class Slice(NamedTuple):
    """One unit's tasks: in groups where it recorded nothing and the task is open, else
    its own (progress or an extension of its own, or a closed task), in plan order; and
    its own tasks again without their texts (thin()), which is all a status needs."""

    groups: tuple[Group, ...]
    own: Positions
    own_thin: tuple[Task, ...]


def thin(task: Task) -> Task:
    """The task without the texts no status or date depends on (status.state reads none of
    them): the unit's view counts its own tasks from these, which unpickle in a fraction of
    the time, and reads in full only the rows it shows. 1,200 tasks of a unit's own are
    spread over a thousand slices of a 100,000-task plan (0.15 s to read)."""
    values = list(task)
    for at in _THINNED:
        values[at] = ""
    if task.progress:
        values[_PROGRESS] = tuple(_noteless(p) for p in task.progress)
    return tuple.__new__(Task, values)  # Task._replace, without its Python-level _make


_THINNED = tuple(Task._fields.index(f) for f in ("name", "content", "text", "notes", "closed_note"))
_PROGRESS = Task._fields.index("progress")
_NOTE = Progress._fields.index("note")


def _noteless(p: Progress) -> Progress:
    values = list(p)
    values[_NOTE] = ""
    return tuple.__new__(Progress, values)


def slices(dataset: Dataset) -> dict[str, Slice]:
    """Every unit's Slice, in one walk of the plan (units.involved: each distinct unit list
    is worked out once for every unit, not asked of each unit in turn). Written with the
    cache on a plan's first run, so it costs what the plan's (task, unit) pairs cost: a
    task's group key is made once per way it involves units, not once per unit."""
    directory = dataset.directory
    tasks = dataset.plan.tasks
    names = [u.name for u in directory.units]
    groups: list[dict[tuple[str, date | None, Involvement], list[int]]] = [{} for _ in names]
    own: list[list[int]] = [[] for _ in names]
    # A unit list's units by how the list involves them (few ways per list).
    by_how: dict[int, list[tuple[Involvement, list[int]]]] = {}
    with collector.paused():
        for pos, (task, found) in enumerate(involved(directory, tasks)):
            if not found:
                continue
            if task.closed is not None:
                for i in found:
                    own[i].append(pos)
                continue
            ways = by_how.get(id(found))
            if ways is None:  # found is kept by involved() for its list: its id is stable
                gathered: dict[Involvement, list[int]] = {}
                for i, how in found.items():
                    gathered.setdefault(how, []).append(i)
                ways = by_how[id(found)] = list(gathered.items())
            recorded = (
                {p.unit for p in task.progress} | {e.unit for e in task.extensions}
                if task.progress or task.extensions
                else ()
            )
            for how, members in ways:
                key = (task.deadline, task.due, how)
                for i in members:
                    if recorded and names[i] in recorded:
                        own[i].append(pos)
                        continue
                    g = groups[i]
                    at = g.get(key)
                    if at is None:
                        g[key] = [pos]
                    else:
                        at.append(pos)
    ids = [t.id for t in tasks]
    in_id_order = all(a < b for a, b in itertools.pairwise(ids))
    thinned: dict[int, Task] = {}  # a closed task is in every involved unit's own list
    out = {}
    for name, by_key, mine in zip(names, groups, own, strict=True):
        kept = tuple(
            Group(
                deadline,
                due,
                how,
                array("l", members if in_id_order else sorted(members, key=ids.__getitem__)),
            )
            for (deadline, due, how), members in by_key.items()
        )
        thin_own = []
        for p in mine:
            t = thinned.get(p)
            if t is None:
                t = thinned[p] = thin(tasks[p])
            thin_own.append(t)
        out[name] = Slice(kept, array("l", mine), tuple(thin_own))
    return out


class Reader(NamedTuple):
    """What the cache gives a slice's reader: the plan without its tasks, each task's id
    by position, and the tasks at given positions."""

    dataset: Dataset
    ids: Sequence[int]
    load: Callable[[Sequence[int]], list[Task]]


class UnitDue(NamedTuple):
    """What the due view of one unit shows: counts by status of the tasks surely its own
    and of those it possibly has (各相关部门), and the first rows of each shown status."""

    counts: dict[Status, int]
    maybe: dict[Status, int]
    rows: dict[Status, list[TaskState]]
    maybe_rows: list[TaskState]
    final: bool


def summarize(states: Sequence[TaskState], shown: Sequence[Status], limit: int) -> UnitDue:
    """The due view's numbers and rows from a unit's states, sorted by status.sort_key."""
    counts = dict.fromkeys(Status, 0)
    maybe = dict.fromkeys(Status, 0)
    rows: dict[Status, list[TaskState]] = {st: [] for st in shown}
    maybe_rows: list[TaskState] = []
    wanted = set(shown)
    for s in states:
        if s.involvement is not None and s.involvement.possible:
            maybe[s.status] += 1
            if s.status in wanted and (not limit or len(maybe_rows) < limit):
                maybe_rows.append(s)
            continue
        counts[s.status] += 1
        if s.status in wanted and (not limit or len(rows[s.status]) < limit):
            rows[s.status].append(s)
    return UnitDue(counts, maybe, rows, maybe_rows, any(s.final for s in states))


class _Judged(NamedTuple):
    group: Group
    status: Status
    due: date | None


def _judge(
    reader: Reader,
    unit: Unit,
    sl: Slice,
    as_of: date,
    within: int,
    direct_only: bool,
    thin_own: bool = False,
) -> tuple[list[_Judged], list[tuple[int, TaskState]], dict[tuple[str, date | None], _Plain]]:
    """Each group's shared status, and the unit's own tasks judged one by one (with their
    positions); from their thin copies where asked (their states then hold those)."""
    dataset = reader.dataset
    plain: dict[tuple[str, date | None], _Plain] = {}
    judged = []
    for group in sl.groups:
        if direct_only and group.how.via != DIRECT:
            continue
        # Any task of the group gives the group's status; a stand-in with its deadline
        # gives the same without reading one (status.state's shared part for plain tasks).
        stand_in = Task(0, "", "", "", "", (), group.deadline, group.due)
        s = state(dataset, stand_in, as_of, within, unit, group.how, plain)
        judged.append(_Judged(group, s.status, s.due))
    own = []
    involves = involvement_of(unit, dataset.directory)
    own_tasks = sl.own_thin if thin_own else reader.load(sl.own)
    for pos, task in zip(sl.own, own_tasks, strict=True):
        how = involves(task)
        if how is None or (direct_only and how.via != DIRECT):
            continue
        own.append((pos, state(dataset, task, as_of, within, unit, how, plain)))
    return judged, own, plain


def _order(due: date | None, task_id: int) -> tuple[int, int]:
    return (due.toordinal() if due else 10**7, task_id)


@collector.pausing
def unit_due(
    reader: Reader,
    unit: Unit,
    sl: Slice,
    as_of: date,
    within: int,
    direct_only: bool,
    shown: Sequence[Status],
    limit: int,
) -> UnitDue:
    """summarize(sorted(unit_states(…)), shown, limit), reading only the rows it keeps."""
    judged, own, plain = _judge(reader, unit, sl, as_of, within, direct_only, thin_own=True)
    counts = dict.fromkeys(Status, 0)
    maybe = dict.fromkeys(Status, 0)
    for j in judged:
        (maybe if j.group.how.possible else counts)[j.status] += len(j.group.positions)
    for _, s in own:
        (maybe if s.involvement is not None and s.involvement.possible else counts)[s.status] += 1
    final = any(j.status in FINAL for j in judged if j.group.positions) or any(
        s.final for _, s in own
    )

    def first(statuses: Sequence[Status], possible: bool) -> list[TaskState]:
        """The first `limit` rows (all with 0) of these statuses, in sort order: from each
        group its first `limit` by id, merged with the unit's own by status.sort_key."""
        rank = {st: i for i, st in enumerate(STATUS_ORDER)}
        picked: list[tuple[tuple[int, int, int], tuple[int, Involvement]]] = []
        for j in judged:
            if j.status in statuses and j.group.how.possible == possible:
                members = j.group.positions[:limit] if limit else j.group.positions
                picked += [
                    ((rank[j.status], *_order(j.due, reader.ids[p])), (p, j.group.how))
                    for p in members
                ]
        for p, s in own:
            if s.status in statuses and bool(s.involvement and s.involvement.possible) == possible:
                assert s.involvement is not None  # the unit's own: it is involved
                picked.append(((rank[s.status], *_order(s.due, s.task.id)), (p, s.involvement)))
        picked.sort(key=lambda c: c[0])
        if limit:
            picked = picked[:limit]
        # Every row shown judged again from the whole task (an own task's state was judged
        # from its thin copy): the same status, with the task as the plan has it.
        loaded = reader.load([c[1][0] for c in picked])
        return [
            state(reader.dataset, task, as_of, within, unit, c[1][1], plain)
            for task, c in zip(loaded, picked, strict=True)
        ]

    rows = {st: first([st], False) for st in shown}
    return UnitDue(counts, maybe, rows, first(shown, True), final)


@collector.pausing
def unit_states(
    reader: Reader,
    unit: Unit,
    sl: Slice,
    as_of: date,
    within: int,
    direct_only: bool,
    statuses: Sequence[Status] | None = None,
) -> list[TaskState]:
    """status.unit_states(…) (in plan order), of these statuses only (None: all), reading
    only the tasks it returns and the unit's own."""
    judged, own, plain = _judge(reader, unit, sl, as_of, within, direct_only)
    keep = set(statuses) if statuses is not None else None
    wanted = sorted(
        (
            (p, j.group.how)
            for j in judged
            if keep is None or j.status in keep
            for p in j.group.positions
        ),
        key=lambda w: w[0],
    )
    tasks = reader.load([p for p, _ in wanted])
    out = [
        (p, state(reader.dataset, task, as_of, within, unit, how, plain))
        for task, (p, how) in zip(tasks, wanted, strict=True)
    ]
    out += [(p, s) for p, s in own if keep is None or s.status in keep]
    out.sort(key=lambda ps: ps[0])
    return [s for _, s in out]
