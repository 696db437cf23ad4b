"""Who is really behind: units ranked by what they answer for directly, and tasks late for a
whole group reported once, as a group line.

A task naming 各部门 that is overdue makes every department's count red; listing 31
departments with the same figures hides the three units that are behind on their own
tasks. So each unit's figures are split: the tasks that name it (first as lead, then as
co-operating unit) and the tasks that reach it through a group (各部门, 各街镇). Units are
ranked on the first before the second:

    overdue as lead, overdue named, due soon as lead, due soon named,
    overdue through a group, due soon through a group, then the directory's order.

This is the one ranking of units (issue 24): `due` without --unit, `stats`, `review`'s
chase list, the 通报's 落后单位 and the site's board all order units by `rank`, and each
says so under its table (RANK_NOTE). Past the plan's end a task 未完成 counts as overdue
(it was, on the last day), as `stats` counts it.

A task overdue or due soon for members of a group it names becomes one GroupLine
(“各部门：任务 60 逾期，已报 3/31”): the group's members not named by the task, how many
of them are behind on it in their own view, and how many have reported it done.
Statuses are each unit's own view (status.state with the unit), as in `due --unit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import NamedTuple, TypeVar

from gkctl.core import status
from gkctl.core.model import Dataset, Task, Unit
from gkctl.core.status import Status

_R = TypeVar("_R")


# What ranks a unit, in order; JSON outputs carry it as `ranked_by`.
RANKED_BY = (
    "lead_overdue",
    "overdue",
    "lead_due_soon",
    "due_soon",
    "group_overdue",
    "group_due_soon",
    "directory",
)
_RANK_NOTE = (
    "排序：依次比较牵头逾期、逾期（牵头或配合）、牵头临期、临期的任务数，"
    "再比较经“各部门/各街镇”分到而逾期、临期的任务数，多者在前；都相同时按单位名录顺序。"
)
_RANK_NOTE_ENDED = (
    "排序：依次比较牵头未完成、未完成（牵头或配合）的任务数，"
    "再比较经“各部门/各街镇”分到而未完成的任务数，多者在前；都相同时按单位名录顺序。"
)


def rank_note(ended: bool = False) -> str:
    """What the order of units is by, in the words a table or board shows under it; past
    the plan's end nothing is due soon any more."""
    return _RANK_NOTE_ENDED if ended else _RANK_NOTE


# Late: overdue in a running plan, 未完成 at the end of an ended one.
LATE = (Status.OVERDUE, Status.UNFINISHED)
_BEHIND = (*LATE, Status.DUE_SOON)


class Answer(NamedTuple):
    """What a unit answers for, as of a day: the tasks naming it, and those reaching it
    through a group it belongs to."""

    unit: Unit
    named: int = 0
    lead_overdue: int = 0
    overdue: int = 0  # named tasks overdue, lead or not
    lead_due_soon: int = 0
    due_soon: int = 0
    group_overdue: int = 0
    group_due_soon: int = 0

    @property
    def behind_directly(self) -> bool:
        return bool(self.overdue or self.due_soon)

    def figures(self) -> tuple[int, ...]:
        return tuple(self[1:])


class GroupLine(NamedTuple):
    group: str
    task: Task
    status: Status  # OVERDUE where any member is overdue on it, else DUE_SOON
    due: date | None
    days_left: int | None
    behind: int  # members overdue (or due soon) on it in their own view
    reported: int  # members that have reported it done
    members: int


def _named(unit_list: tuple[str, ...], by_name: dict[str, Unit]) -> list[tuple[int, str]]:
    """The units a task names, each once, with its place in the list (0 leads)."""
    return [
        (i, name)
        for i, name in enumerate(unit_list)
        if name in by_name and unit_list.index(name) == i
    ]


def _count_named(f: list[int], lead: bool, st: Status, n: int) -> None:
    """Add n tasks of status st to a unit's figures for the tasks naming it."""
    f[0] += n
    if st in LATE:
        f[1] += n * lead
        f[2] += n
    elif st is Status.DUE_SOON:
        f[3] += n * lead
        f[4] += n


def rank(found: Iterable[Answer], units: Sequence[Unit]) -> list[Answer]:
    """Units most behind first: the one ranking every view shows (RANKED_BY)."""
    order = {u.name: i for i, u in enumerate(units)}
    return sorted(found, key=lambda a: rank_key(a, order))


def places(ranked: Iterable[Answer]) -> dict[str, int]:
    """Each unit's place in a ranking, from 1."""
    return {a.unit.name: i for i, a in enumerate(ranked, 1)}


def in_rank(rows: Iterable[_R], ranked: Iterable[Answer], name: Callable[[_R], str]) -> list[_R]:
    """Rows about units (summaries, chase lists), in the ranking's order."""
    place = places(ranked)
    return sorted(rows, key=lambda r: place[name(r)])


def ranked_summaries(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    direct_only: bool = False,
    viewer: status.Viewer | None = None,
) -> tuple[list[status.UnitSummary], list[Answer]]:
    """Every unit's summary (status.unit_summaries) in the ranking's order, with the ranking."""
    views = status.Viewer.of_day(dataset, as_of, within, viewer)
    ranked = answers(dataset, as_of, within, views)[0]
    rows = status.unit_summaries(dataset, as_of, within, direct_only, viewer=views)
    return in_rank(rows, ranked, lambda r: r.unit.name), ranked


class Move(NamedTuple):
    """How a unit stands against an earlier day (the previous period's): `up` places
    nearer the front of the ranking (more behind; negative: further back), `late` more
    late tasks (overdue, named or through a group; negative: fewer)."""

    since: date
    rank: int  # its place on `since`
    up: int
    late: int


def late(a: Answer) -> int:
    """The tasks a unit is late on: named, or through a group it has not reported."""
    return a.overdue + a.group_overdue


def moves(ranked: Sequence[Answer], before: Sequence[Answer], since: date) -> dict[str, Move]:
    """Each unit's Move from the ranking `before` (on `since`) to `ranked`."""
    then = {a.unit.name: (i, a) for i, a in enumerate(before, 1)}
    out = {}
    for i, a in enumerate(ranked, 1):
        found = then.get(a.unit.name)
        if found is not None:
            place, old = found
            out[a.unit.name] = Move(since, place, place - i, late(a) - late(old))
    return out


def moves_since(
    dataset: Dataset, ranked: Sequence[Answer], since: date, as_of: date, within: int
) -> dict[str, Move]:
    """Moves against the ranking on `since` (none where `since` is not before as_of)."""
    if since >= as_of:
        return {}
    return moves(ranked, answers(dataset, since, within)[0], since)


def added(a: Answer, b: Answer) -> Answer:
    """One unit's figures over two plans."""
    return Answer(a.unit, *(x + y for x, y in zip(a.figures(), b.figures(), strict=True)))


def rank_key(a: Answer, order: dict[str, int]) -> tuple[int, ...]:
    return (
        -a.lead_overdue,
        -a.overdue,
        -a.lead_due_soon,
        -a.due_soon,
        -a.group_overdue,
        -a.group_due_soon,
        order[a.unit.name],
    )


def answers(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    viewer: status.Viewer | None = None,
) -> tuple[list[Answer], list[GroupLine]]:
    """Every unit's Answer, most behind first, and the group lines, most urgent first."""
    views = status.Viewer.of_day(dataset, as_of, within, viewer)
    units = dataset.directory.units
    by_name = {u.name: u for u in units}
    figures = {u.name: [0] * 7 for u in units}
    groups = {
        g.name: g for g in dataset.directory.groups if not g.relevant
    }  # "the relevant ones" cannot be counted for anybody
    # Each group's members, once: a task naming 各部门 brings in thirty units.
    members_of = {name: [u for u in units if u.kind in g.members] for name, g in groups.items()}
    lines: list[GroupLine] = []
    behind_kinds = _BEHIND
    # The named units' figures of tasks nobody recorded anything on depend only on the unit
    # list and the status: they come tallied, and are added once per tally. Of those tasks,
    # only the late ones can make a group line.
    tally = views.tally()
    for task in tally.attention:
        if not task.progress and not task.extensions:
            own: frozenset[str] = frozenset()
        else:
            own = views.own(task)
            plain = views.status(task)
            for i, name in _named(task.units, by_name):
                st = views.of(task, by_name[name]).status if name in own else plain
                _count_named(figures[name], i == 0, st, 1)
        # What a unit that recorded nothing on the task sees; the others get their own.
        base = views.nobody(task)
        counted: set[str] = set()
        for name in task.units:
            group = groups.get(name)
            if group is None or group.canonical in counted:
                continue
            counted.add(group.canonical)
            members = [u for u in members_of[name] if u.name not in task.units]
            if not own:  # every member sees the task alike
                if not members or base.status not in behind_kinds:
                    continue
                column = 5 if base.status in LATE else 6
                for u in members:
                    figures[u.name][column] += 1
                worst, alike, reported = base, len(members), 0
            else:
                states = [views.of(task, u) if u.name in own else base for u in members]
                late = [s for s in states if s.status in behind_kinds]
                if not late:
                    continue
                for u, s in zip(members, states, strict=True):
                    if s.status in LATE:
                        figures[u.name][5] += 1
                    elif s.status is Status.DUE_SOON:
                        figures[u.name][6] += 1
                worst = min(late, key=lambda s: status.STATUS_ORDER.index(s.status))
                alike = sum(1 for s in late if s.status is worst.status)
                finished = {p.unit for p in task.progress if p.done_on(as_of)}
                reported = sum(1 for u in members if u.name in finished)
            lines.append(
                GroupLine(
                    group.canonical,
                    task,
                    worst.status,
                    worst.due,
                    worst.days_left,
                    alike,
                    reported,
                    len(members),
                )
            )
    for (unit_list, st), n in tally.plain.items():
        for i, name in _named(unit_list, by_name):
            _count_named(figures[name], i == 0, st, n)
    ranked = rank((Answer(u, *figures[u.name]) for u in units), units)
    lines.sort(key=line_key(dataset, as_of))
    return ranked, lines


def line_key(dataset: Dataset, as_of: date) -> Callable[[GroupLine], tuple[object, ...]]:
    """The order of group lines: most urgent first, then by due date, task and group."""
    group_order = {g.name: i for i, g in enumerate(dataset.directory.groups)}
    return lambda g: (
        status.STATUS_ORDER.index(g.status),
        g.due or as_of,
        g.task.id,
        group_order.get(g.group, 0),
    )


def alike(ranked: list[Answer]) -> list[list[Answer]]:
    """Consecutive units with identical figures, together (a list of one for the rest)."""
    out: list[list[Answer]] = []
    for a in ranked:
        if out and out[-1][0].figures() == a.figures():
            out[-1].append(a)
        else:
            out.append([a])
    return out
