"""The office's queue (gkctl review): what waits for 区政府办公室 on a day.

* tasks to close: every expected unit has reported done (status `reported`), oldest
  report first — the office checks the notes and links, then closes or sends back;
* extension requests awaiting a decision, oldest first, with the days they have waited;
* units to chase (催办): tasks naming them directly are overdue in their own view, and
  they recorded no progress on those tasks within the last `quiet` days; in the one
  ranking of units (core.behind), as every view that orders units.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from gkctl.core import behind, status
from gkctl.core.forms import FormEvent, FormState, form_states
from gkctl.core.model import Dataset, Extension, Progress, Unit
from gkctl.core.status import Status, TaskState
from gkctl.core.units import DIRECT

CHASE_QUIET_DAYS = 30


class ToClose(NamedTuple):
    state: TaskState  # plan-wide, status `reported`
    reported_on: date  # the day the last expected unit reported done
    reports: tuple[Progress, ...]  # the expected units' done reports in force, by date


class Waiting(NamedTuple):
    state: TaskState  # in the asking unit's view (its deadline in force)
    request: Extension
    days: int  # days waited since the request


class ChaseTask(NamedTuple):
    state: TaskState  # in the unit's view, status `overdue`
    last_progress: date | None  # the unit's latest entry on the task, if any


class Chase(NamedTuple):
    unit: Unit
    tasks: tuple[ChaseTask, ...]
    rank: int = 0  # the unit's place in the one ranking of units (core.behind)


class Queue(NamedTuple):
    as_of: date
    quiet: int
    to_close: tuple[ToClose, ...]
    requests: tuple[Waiting, ...]
    chase: tuple[Chase, ...]
    # Forms sent to units (core.forms): who owes one, and since when.
    forms: tuple[FormState, ...] = ()


def queue(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    quiet: int = CHASE_QUIET_DAYS,
    form_events: tuple[FormEvent, ...] = (),
) -> Queue:
    return Queue(
        as_of,
        quiet,
        tuple(_to_close(dataset, as_of, within)),
        tuple(_requests(dataset, as_of, within)),
        tuple(_chase(dataset, as_of, within, quiet)),
        form_states(form_events, as_of),
    )


def _to_close(dataset: Dataset, as_of: date, within: int) -> list[ToClose]:
    out = []
    for s in status.plan_states(dataset, as_of, within):
        if s.status is not Status.REPORTED or s.reported is None:
            continue
        expected = set(s.reported.expected)
        # Each expected unit's latest report in force: the one the office reads.
        latest: dict[str, Progress] = {}
        for p in s.task.progress:
            fresher = p.unit not in latest or p.date >= latest[p.unit].date
            if p.unit in expected and p.done_on(as_of) and fresher:
                latest[p.unit] = p
        reports = tuple(sorted(latest.values(), key=lambda p: (p.date, p.unit)))
        out.append(ToClose(s, max(p.date for p in reports), reports))
    out.sort(key=lambda c: (c.reported_on, c.state.task.id))
    return out


def _requests(dataset: Dataset, as_of: date, within: int) -> list[Waiting]:
    out = []
    for task in dataset.plan.tasks:
        task = task.as_of(as_of)  # a request decided later is still waiting, and shown so
        if task.closed is not None:
            continue
        for e in task.extensions:
            if not e.open_on(as_of):
                continue
            unit = dataset.directory.unit(e.unit)
            if unit is None:
                continue
            s = status.state(dataset, task, as_of, within, unit)
            out.append(Waiting(s, e, (as_of - e.date).days))
    out.sort(key=lambda w: (w.request.date, w.state.task.id, w.request.unit))
    return out


def _overdue(s: TaskState) -> bool:
    return s.status is Status.OVERDUE


def _chase(dataset: Dataset, as_of: date, within: int, quiet: int) -> list[Chase]:
    since = as_of - timedelta(days=quiet)
    out = []
    # Each unit's overdue tasks that name it: every unit's in one pass over the plan.
    # One Viewer for these and the ranking: each task's own state worked out once.
    viewer = status.Viewer(dataset, as_of, within)
    late = status.states_by_unit(
        dataset, as_of, within, keep=_overdue, direct_only=True, viewer=viewer
    )
    for unit, overdue in zip(dataset.directory.units, late, strict=True):
        tasks = []
        for s in overdue:
            assert s.involvement is not None and s.involvement.via == DIRECT
            own = [p.date for p in s.task.progress if p.unit == unit.name and p.date <= as_of]
            last = max(own) if own else None
            if last is None or last <= since:
                tasks.append(ChaseTask(s, last))
        if tasks:
            tasks.sort(key=lambda c: (c.state.due or as_of, c.state.task.id))
            out.append(Chase(unit, tuple(tasks)))
    place = behind.places(behind.answers(dataset, as_of, within, viewer=viewer)[0])
    return sorted((c._replace(rank=place[c.unit.name]) for c in out), key=lambda c: c.rank)
