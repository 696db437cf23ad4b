"""The plan and the unit directory as plain typed records (no CLI, no I/O).

Records are NamedTuples rather than dataclasses: immutable all the same, and a tenth of
the cost to define and to build, which start-up time and 10,000-task plans both feel.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import NamedTuple


class Pos(NamedTuple):
    """Where a value stands in its file, 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = Pos("", 0, 0)


class ProgressStatus(StrEnum):
    DONE = "done"
    DOING = "doing"


class Decision(StrEnum):
    """The office's answer to an extension request (延期申请)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    TOWN = "town"
    SUBDISTRICT = "subdistrict"
    PARK = "park"


class Document(NamedTuple):
    title: str
    number: str
    issuer: str
    published: datetime.date | None
    year: int


class Section(NamedTuple):
    id: str
    title: str


class Progress(NamedTuple):
    date: datetime.date
    unit: str
    status: ProgressStatus
    note: str = ""
    link: str | None = None
    pos: Pos = NOWHERE
    # The office sent a done report back (退办) on this day, for this reason.
    returned: datetime.date | None = None
    return_reason: str = ""
    # The day the entry was written (reached the office), where that was later than its
    # own date: a form filled on 11-04 for work done 10-28 and imported 11-05 says
    # `recorded: 2024-11-05`. Absent, the entry was written on its own date.
    recorded: datetime.date | None = None
    # The office accepted this done report on that day (gkctl accept): the unit's part of
    # the task is closed, and the report can no longer be sent back.
    accepted: datetime.date | None = None

    @property
    def entered(self) -> datetime.date:
        """The day the entry reached the office: `recorded`, else its own date."""
        return self.recorded or self.date

    def done_on(self, as_of: datetime.date) -> bool:
        """A done report made on or before that day and not sent back by then."""
        return (
            self.status is ProgressStatus.DONE
            and self.date <= as_of
            and (self.returned is None or self.returned > as_of)
        )

    def as_of(self, day: datetime.date) -> Progress:
        """The entry as it stood on that day: a sending back (退办) or an acceptance (确认完成)
        made later is not there yet. Its `recorded` day stays: the entry counts by its own
        date in every state as of a day (core.status), and says when it reached the office."""
        back = self.returned is not None and self.returned > day
        taken = self.accepted is not None and self.accepted > day
        if not (back or taken):
            return self
        return self._replace(
            returned=None if back else self.returned,
            return_reason="" if back else self.return_reason,
            accepted=None if taken else self.accepted,
        )


class Extension(NamedTuple):
    """A request to move a task's deadline (延期), recorded with the date it was asked, and
    the office's decision on it.

    An entry written before decisions existed has no `decision:`; it reads as approved on
    the day it was asked (what every view already assumed), with `legacy` set so that
    validate can say so.
    """

    date: datetime.date
    unit: str
    to: datetime.date
    reason: str
    late: bool = False
    pos: Pos = NOWHERE
    decision: Decision = Decision.REQUESTED
    decided: datetime.date | None = None
    decision_note: str = ""
    legacy: bool = False
    recorded: datetime.date | None = None  # as Progress.recorded

    @property
    def entered(self) -> datetime.date:
        """The day the request reached the office: `recorded`, else the day it was asked."""
        return self.recorded or self.date

    def approved_on(self, as_of: datetime.date) -> bool:
        """Whether the request moves the deadline as of that day: approved on or before it."""
        return (
            self.decision is Decision.APPROVED
            and self.decided is not None
            and self.decided <= as_of
        )

    def as_of(self, day: datetime.date) -> Extension:
        """The request as it stood on that day: still waiting (待批) where the office decided
        it later (what open_on and approved_on read)."""
        if self.decision is Decision.REQUESTED or (
            self.decided is not None and self.decided <= day
        ):
            return self
        return self._replace(decision=Decision.REQUESTED, decided=None, decision_note="")

    def open_on(self, as_of: datetime.date) -> bool:
        """Asked on or before that day and not decided by then (延期申请待批)."""
        return self.date <= as_of and (
            self.decision is Decision.REQUESTED or self.decided is None or self.decided > as_of
        )


class MilestoneSpec(NamedTuple):
    name: str
    deadline: str | None = None
    due: datetime.date | None = None
    pos: Pos = NOWHERE


class Link(NamedTuple):
    """Where a carried task came from or went to: a plan of the same data folder (its
    folder's name) and a task id there. Written as `{plan: "2024", id: 31}`; shown as
    2024#31."""

    plan: str
    id: int
    pos: Pos = NOWHERE

    def __str__(self) -> str:
        return f"{self.plan}#{self.id}"


class Task(NamedTuple):
    id: int
    section: str
    name: str
    content: str
    text: str
    units: tuple[str, ...]
    deadline: str
    due: datetime.date | None = None
    milestones: tuple[MilestoneSpec, ...] = ()
    progress: tuple[Progress, ...] = ()
    extensions: tuple[Extension, ...] = ()
    closed: datetime.date | None = None
    closed_note: str = ""
    notes: str = ""
    pos: Pos = NOWHERE
    # The keys the task's mapping has in its file, in file order (a write must know whether
    # `closed_note:` is there even when it is empty). One shared tuple per key set (see
    # loader.key_set), so the parsed-plan cache writes each key set once per slice: a
    # mapping of key to (line, column) per task, which nothing read, was half of the time a
    # warm load of 100,000 tasks spent unpickling.
    keys: tuple[str, ...] = ()
    # Carry-over (gkctl carry): the task of the earlier plan this one continues, and on
    # that task, where it went. validate checks that the two point at each other.
    carried_from: Link | None = None
    carried_to: Link | None = None

    @property
    def lead(self) -> str | None:
        return self.units[0] if self.units else None

    def as_of(self, day: datetime.date) -> Task:
        """The task's records as they stood on that day, the one filter every view as of a
        day shows records through (core.status gives it in each TaskState): progress and
        extension requests dated after it left out, and the office's acts dated after it
        (退办, 确认完成, decisions on requests, 销号) not made yet. The task itself when
        nothing is later, as for most tasks."""
        progress, extensions = self.progress, self.extensions
        if not (progress or extensions or self.closed):
            return self
        # Look before building: most tasks have nothing later, and views ask of every task.
        if any(
            p.date > day or (p.returned or day) > day or (p.accepted or day) > day for p in progress
        ):
            progress = tuple(p.as_of(day) for p in progress if p.date <= day)
        if any(e.date > day or (e.decided or day) > day for e in extensions):
            extensions = tuple(e.as_of(day) for e in extensions if e.date <= day)
        later_close = self.closed is not None and self.closed > day
        if progress is self.progress and extensions is self.extensions and not later_close:
            return self
        return self._replace(
            progress=progress,
            extensions=extensions,
            closed=None if later_close else self.closed,
            closed_note="" if later_close else self.closed_note,
        )


class Plan(NamedTuple):
    document: Document
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]

    def task(self, task_id: int) -> Task | None:
        for task in self.tasks:
            if task.id == task_id:
                return task
        return None

    def require(self, task_id: int) -> Task:
        """The task, or a usage error that says which ids there are."""
        from gkctl.core.errors import UsageError

        task = self.task(task_id)
        if task is None:
            ids = [t.id for t in self.tasks]
            span = f"{min(ids)}–{max(ids)}" if ids else "无"
            raise UsageError(f"没有序号为 {task_id} 的任务（现有序号：{span}）。")
        return task

    def section_title(self, section_id: str) -> str:
        for section in self.sections:
            if section.id == section_id:
                return section.title
        return ""


class Unit(NamedTuple):
    name: str
    kind: UnitKind
    aliases: tuple[str, ...] = ()
    full_name: str | None = None
    source: str | None = None
    pos: Pos = NOWHERE
    # Names the unit had before a reorganisation (former: [区经委]): an earlier plan of a
    # folder of plans that names it so reads as naming this unit.
    former: tuple[str, ...] = ()


class Group(NamedTuple):
    name: str
    meaning: str
    members: tuple[UnitKind, ...]
    relevant: bool = False
    pos: Pos = NOWHERE
    # Another group this one is a way of writing (街镇 after 各部门、 is 各街镇).
    same_as: str | None = None

    @property
    def canonical(self) -> str:
        return self.same_as or self.name


class Directory(NamedTuple):
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]

    def unit(self, name: str) -> Unit | None:
        for unit in self.units:
            if unit.name == name:
                return unit
        return None

    def group(self, name: str) -> Group | None:
        for group in self.groups:
            if group.name == name:
                return group
        return None


class Dataset(NamedTuple):
    """A loaded, valid plan with its unit directory."""

    plan: Plan
    directory: Directory
    tasks_path: str
    units_path: str


def _reduce(self: tuple[object, ...]) -> tuple[object, tuple[object, ...]]:
    return (tuple.__new__, (type(self), tuple(self)))


# Unpickle records with the C-level tuple constructor instead of each NamedTuple's Python
# __new__: the parsed-plan cache loads a 10,000-task plan a third faster (79 ms → 54 ms).
for _record in (
    Pos,
    Document,
    Section,
    Link,
    Progress,
    Extension,
    MilestoneSpec,
    Task,
    Plan,
    Unit,
    Group,
    Directory,
    Dataset,
):
    _record.__reduce__ = _reduce  # type: ignore[assignment,method-assign]
