"""What to tell each unit when chasing it (gkctl notify): the same states as `due` and
the same queue facts as `review`, narrowed to what the unit itself can act on.

A notice holds, for one unit on one day: its overdue and due-soon tasks (tasks it is
surely expected to report, not the ones a 各相关单位 only possibly covers), its done
reports the office sent back (退办) with the reason, and the office's decisions on its
extension requests made in the last `recent` days. A unit with none of these gets no
notice. An ended plan chases no one: its statuses are final (core.planyear).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from gkctl.core import collector, planyear, status
from gkctl.core.forms import FormState
from gkctl.core.model import Dataset, Extension, Task, Unit
from gkctl.core.plans import NamedPlan, still_running
from gkctl.core.status import Status, TaskState

RECENT_DAYS = 7  # a decision is news for a week: the weekly run tells it once


class Matter(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    RETURNED = "returned"
    DECIDED = "decided"


class Item(NamedTuple):
    matter: Matter
    state: TaskState  # in the unit's view
    decision: Extension | None = None  # for DECIDED: the decided request

    @property
    def key(self) -> str:
        """What makes the item the same item on another day of the period: not the days
        left, which change daily, but the task, its deadline and what happened to it."""
        s = self.state
        extra = ""
        if self.matter is Matter.RETURNED and s.returned is not None:
            extra = f"{s.returned.returned}"
        elif self.decision is not None:
            extra = f"{self.decision.decision.value}:{self.decision.decided}:{self.decision.to}"
        # Across plans the task is named with its plan (2025#3); one plan's keys stay as
        # they were, so that an upgrade does not send the week's notices again.
        task = f"{s.plan}#{s.task.id}" if s.plan else f"{s.task.id}"
        return f"{self.matter.value}|{task}|{s.due}|{extra}"


class Notice(NamedTuple):
    unit: Unit
    as_of: date
    items: tuple[Item, ...]
    form: FormState | None = None  # the latest 填报表 sent to it and not yet returned

    @property
    def matters(self) -> int:
        return len(self.items) + (self.form is not None)

    def of(self, matter: Matter) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.matter is matter)

    @property
    def fingerprint(self) -> str:
        """Names the notice's content for the sent log: the same matters in the same
        period are the same notice, whatever day within it they are sent."""
        keys = [i.key for i in self.items]
        if self.form is not None:  # the form owed, not the days it has been owed
            keys.append(f"form|{self.form.sent}")
        text = "\n".join(keys)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def period_of(as_of: date) -> str:
    """The default period of the sent log: the ISO week (a weekly reminder's period)."""
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"


@collector.pausing
def notices(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    recent: int = RECENT_DAYS,
    forms: tuple[FormState, ...] = (),
) -> list[Notice]:
    """Each unit's notice, in the directory's order; units with nothing to act on (and
    every unit, once the plan has ended) are left out. `forms` (core.forms): a unit that
    owes a form is told so."""
    if planyear.ended(dataset.plan, as_of):
        return []
    owed = {f.unit: f for f in forms if f.returned is None}
    out = []
    extended = _extended(dataset, as_of)
    todo = _todo_by_unit(dataset, as_of, within)
    for unit, theirs in zip(dataset.directory.units, todo, strict=True):
        items = unit_items(dataset, unit, theirs, as_of, within, recent, extended)
        if items or unit.name in owed:
            out.append(Notice(unit, as_of, tuple(items), owed.get(unit.name)))
    return out


@collector.pausing
def notices_across(
    plans: Sequence[NamedPlan],
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    recent: int = RECENT_DAYS,
    forms: tuple[FormState, ...] = (),
) -> list[Notice]:
    """Each unit's one notice over the plans of a data folder, each item marked with its
    plan: the selection of a unit's due view across plans (core.plans.unit_due_states): a
    running plan's matters, and of an ended plan only the work that still runs in it."""
    if not plans:
        return []
    owed = {f.unit: f for f in forms if f.returned is None}
    out = []
    extended = [_extended(dataset, as_of) for _, dataset in plans]
    todo = [_todo_by_unit(dataset, as_of, within) for _, dataset in plans]
    for unit in plans[0].dataset.directory.units:
        items: list[Item] = []
        for (name, dataset), ext, by_unit in zip(plans, extended, todo, strict=True):
            theirs = _todo(dataset, unit, as_of, within, by_unit)
            found = unit_items(dataset, unit, theirs, as_of, within, recent, ext)
            if planyear.ended(dataset.plan, as_of):
                end = planyear.plan_end(dataset.plan)
                found = [i for i in found if still_running(i.state, end)]
            items += [i._replace(state=i.state._replace(plan=name)) for i in found]
        # One list per matter, as in one plan's notice; the late and due-soon by urgency.
        order = list(Matter)
        items.sort(
            key=lambda i: (
                order.index(i.matter),
                status.sort_key(i.state) if i.matter in _BY_URGENCY else (0, 0, 0),
            )
        )
        if items or unit.name in owed:
            out.append(Notice(unit, as_of, tuple(items), owed.get(unit.name)))
    return out


_BY_URGENCY = (Matter.OVERDUE, Matter.DUE_SOON)


def _to_do(s: TaskState) -> bool:
    """A state a notice lists: sent back, late or due soon, and not done."""
    return s.status not in (Status.DONE, Status.REPORTED) and (
        s.returned is not None or s.status in (Status.OVERDUE, Status.DUE_SOON)
    )


def _extended(dataset: Dataset, as_of: date) -> list[Task]:
    """The tasks with an extension and not closed by `as_of`: those a decision can be on."""
    return [
        t for t in dataset.plan.tasks if t.extensions and (t.closed is None or t.closed > as_of)
    ]


def _todo_by_unit(dataset: Dataset, as_of: date, within: int) -> list[list[TaskState]]:
    """What each unit of the directory has still to do (_to_do), of the tasks that surely
    name it, in plan order: worked out for every unit in one pass over the plan, the
    states a notice drops never built. A notice never says who else reported."""
    return status.states_by_unit(
        dataset, as_of, within, with_reported=False, keep=_to_do, sure_only=True
    )


def _todo(
    dataset: Dataset, unit: Unit, as_of: date, within: int, by_unit: list[list[TaskState]]
) -> list[TaskState]:
    """The unit's part of _todo_by_unit(dataset); a unit that is not in the plan's own
    directory (a folder's plans read with different units files) on its own."""
    try:
        return by_unit[dataset.directory.units.index(unit)]
    except ValueError:
        return [
            s
            for s in status.unit_states(dataset, unit, as_of, within, with_reported=False)
            if _to_do(s) and not (s.involvement is not None and s.involvement.possible)
        ]


def unit_items(
    dataset: Dataset,
    unit: Unit,
    todo: list[TaskState],
    as_of: date,
    within: int,
    recent: int,
    extended: list[Task],
) -> list[Item]:
    """The unit's notice: `todo`, its share of _todo_by_unit, most urgent first (sorted once
    the rest are left out: a unit of a large plan has thousands of tasks), and the
    decisions on its extensions of the last `recent` days (`extended`: _extended())."""
    since = as_of - timedelta(days=recent)
    returned, late, soon, decided = [], [], [], []
    for s in sorted(todo, key=status.sort_key):
        if s.returned is not None:
            returned.append(Item(Matter.RETURNED, s))
        elif s.status is Status.OVERDUE:
            late.append(Item(Matter.OVERDUE, s))
        elif s.status is Status.DUE_SOON:
            soon.append(Item(Matter.DUE_SOON, s))
    for task in extended:
        for e in task.extensions:
            if e.unit != unit.name or e.legacy or e.decided is None:
                continue
            if since < e.decided <= as_of and not e.open_on(as_of):
                s = status.state(dataset, task, as_of, within, unit)
                decided.append(Item(Matter.DECIDED, s, e))
    decided.sort(key=lambda i: (i.decision.decided if i.decision else as_of, i.state.task.id))
    return late + soon + returned + decided
