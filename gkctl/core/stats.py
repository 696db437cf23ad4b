"""督办 statistics: per unit and per section, the tasks, done, overdue, due soon, the
completion rate and the extensions asked, with a traffic light.

Units are counted in their own view (status.unit_summaries), and ranked by what they
answer for directly before what reaches them through a group (core.behind), with the
tasks late for a whole group as group lines. A task is done for a unit
once it reports `done`, or once the task is closed; tasks that name only "the relevant
ones" (各相关部门) are counted apart as `possible`. Sections are counted in the plan's view
(status.plan_states): a task is done there once it is closed (销号).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gkctl.core import behind, planyear, status
from gkctl.core.behind import Answer, GroupLine, Move
from gkctl.core.model import Dataset, Section, Unit
from gkctl.core.status import Status


class Light(StrEnum):
    RED = "red"
    ORANGE = "orange"  # units only: late on a task naming it, none it leads
    YELLOW = "yellow"
    GREEN = "green"


LIGHT_LABELS = {Light.RED: "红灯", Light.ORANGE: "橙灯", Light.YELLOW: "黄灯", Light.GREEN: "绿灯"}


UNIT_LIGHTS_NOTE = (
    "单位：红灯，牵头的任务有逾期；橙灯，作为配合单位被点名的任务有逾期；黄灯，只在经"
    "“各部门/各街镇”分到、本单位尚未报完成的任务上逾期，或有即将到期的任务；绿灯，按期推进或已完成。"
)
UNIT_LIGHTS_NOTE_ENDED = (
    "单位：红灯，牵头的任务有未完成；橙灯，作为配合单位被点名的任务有未完成；黄灯，只在经"
    "“各部门/各街镇”分到的任务上未完成；绿灯，没有未完成。"
)


def unit_light(a: Answer) -> Light:
    """A unit's light, from what it answers for itself (issue 24): red, late on a task it
    leads; orange, late on a task naming it as a co-operating unit; yellow, late only on
    a task reaching it through 各部门/各街镇 that it has not reported done, or something
    due soon; green, on track. A 各部门 task overdue for everybody used to turn all forty
    units red; now the light tells the lead from the helper from the crowd."""
    if a.lead_overdue:
        return Light.RED
    if a.overdue:
        return Light.ORANGE
    if a.group_overdue or a.due_soon or a.group_due_soon:
        return Light.YELLOW
    return Light.GREEN


@dataclass(frozen=True)
class Counts:
    tasks: int
    done: int
    overdue: int
    due_soon: int
    extensions: int

    @property
    def completion(self) -> float:
        return self.done / self.tasks if self.tasks else 0.0

    @property
    def light(self) -> Light:
        """Red: something overdue; yellow: something due soon; green: on track or done."""
        if self.overdue:
            return Light.RED
        if self.due_soon:
            return Light.YELLOW
        return Light.GREEN


@dataclass(frozen=True)
class UnitStats:
    unit: Unit
    counts: Counts
    possible: int = 0
    # The same tasks split by how they reach the unit (named, or through a group).
    answer: Answer | None = None
    # Against the previous period's day, where one was given.
    move: Move | None = None

    @property
    def light(self) -> Light:
        return unit_light(self.answer) if self.answer is not None else self.counts.light


@dataclass(frozen=True)
class SectionStats:
    section: Section
    counts: Counts


@dataclass(frozen=True)
class Stats:
    as_of: date
    within: int
    units: tuple[UnitStats, ...]
    sections: tuple[SectionStats, ...]
    groups: tuple[GroupLine, ...] = ()
    # Past the plan's end (core.planyear): `overdue` then counts the tasks 未完成 at the
    # end, and nothing can be due soon any more, so views name and show them so.
    ended: bool = False
    since: date | None = None  # the previous period's day the moves are against


def extension_counts(dataset: Dataset, as_of: date | None = None) -> dict[str, int]:
    """How many extensions (延期) each unit has asked for, over the whole plan, on or before
    `as_of` (all of them without one)."""
    asked = Counter(
        e.unit
        for task in dataset.plan.tasks
        for e in task.extensions
        if as_of is None or e.date <= as_of
    )
    return {unit.name: asked.get(unit.name, 0) for unit in dataset.directory.units}


def _counts(by_status: dict[Status, int], tasks: int, extensions: int) -> Counts:
    # In an ended plan, done is every 完成 outcome, and a task unfinished at the plan's end
    # counts as overdue (it was, on the last day); neither is ever there in a running one.
    return Counts(
        tasks,
        sum(by_status.get(st, 0) for st in status.DONE_STATUSES),
        by_status.get(Status.OVERDUE, 0) + by_status.get(Status.UNFINISHED, 0),
        by_status.get(Status.DUE_SOON, 0),
        extensions,
    )


def unit_stats(
    dataset: Dataset, as_of: date, within: int = status.DEFAULT_WITHIN
) -> list[UnitStats]:
    """Per unit, most behind first by what it answers for directly (core.behind)."""
    viewer = status.Viewer(dataset, as_of, within)
    ranked = behind.answers(dataset, as_of, within, viewer)[0]
    return _unit_stats(dataset, as_of, within, ranked, viewer)


def _unit_stats(
    dataset: Dataset,
    as_of: date,
    within: int,
    ranked: list[Answer],
    viewer: status.Viewer,
    moved: dict[str, Move] | None = None,
) -> list[UnitStats]:
    asked = extension_counts(dataset, as_of)
    summaries = {
        s.unit.name: s for s in status.unit_summaries(dataset, as_of, within, viewer=viewer)
    }
    rows = []
    for a in ranked:
        s = summaries[a.unit.name]
        counts = _counts(s.counts, s.total, asked[s.unit.name])
        rows.append(UnitStats(s.unit, counts, s.possible, a, (moved or {}).get(s.unit.name)))
    return rows


def section_stats(
    dataset: Dataset, as_of: date, within: int = status.DEFAULT_WITHIN
) -> list[SectionStats]:
    """Per section of the plan, in the plan's order."""
    states = status.plan_states(dataset, as_of, within)
    rows = []
    for section in dataset.plan.sections:
        group = [s for s in states if s.task.section == section.id]
        by_status = Counter(s.status for s in group)
        asked = sum(len(s.task.extensions) for s in group)
        rows.append(SectionStats(section, _counts(dict(by_status), len(group), asked)))
    return rows


def compute(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    since: date | None = None,
) -> Stats:
    """The figures as of a day; with `since` (the previous period's day), each unit's move
    in the ranking and in late tasks since then."""
    viewer = status.Viewer(dataset, as_of, within)
    ranked, groups = behind.answers(dataset, as_of, within, viewer)
    moved = behind.moves_since(dataset, ranked, since, as_of, within) if since else {}
    return Stats(
        as_of,
        within,
        tuple(_unit_stats(dataset, as_of, within, ranked, viewer, moved)),
        tuple(section_stats(dataset, as_of, within)),
        tuple(groups),
        planyear.ended(dataset.plan, as_of),
        since if moved else None,
    )
