"""Several plans of one data folder, seen together: which tasks of which plan a unit's
due view lists, and whether the carry links between the plans point at each other.

Each plan stays a Dataset of its own (one plan's views, cache and writes are unchanged);
this layer only joins them, as a list of (plan name, Dataset).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from gkctl.core import behind, status, unitview
from gkctl.core.errors import Problem
from gkctl.core.model import Dataset, Link, Task, Unit
from gkctl.core.planyear import ended, plan_end
from gkctl.core.status import Status, TaskState


class NamedPlan(NamedTuple):
    name: str
    dataset: Dataset


class PlanFacts(NamedTuple):
    """What a list of plans shows of each (plan list, the site's index of plans)."""

    name: str
    title: str
    year: int
    tasks: int
    ended: bool
    end: date
    carried_in: int  # tasks carried over from an earlier plan
    carried_out: int  # tasks carried on to a later plan


def plan_facts(plan: NamedPlan, day: date) -> PlanFacts:
    doc, tasks = plan.dataset.plan.document, plan.dataset.plan.tasks
    return PlanFacts(
        plan.name,
        doc.title,
        doc.year,
        len(tasks),
        ended(doc, day),
        plan_end(doc),
        sum(1 for t in tasks if t.carried_from is not None),
        sum(1 for t in tasks if t.carried_to is not None),
    )


def still_running(state: TaskState, end: date) -> bool:
    """Whether a task of an ended plan still belongs in the due view: not done, and either
    work carried over into it from an earlier plan, or late work, due (as this view sees
    it: an approved extension, a date set for it) after the plan's end. A task carried on
    to a later plan is followed there."""
    if state.task.carried_to is not None or state.status in status.DONE_STATUSES:
        return False
    late = state.due is not None and state.due > end
    return late or state.task.carried_from is not None


def unit_due_states(
    plans: Sequence[NamedPlan],
    unit: Unit,
    as_of: date,
    within: int,
    direct_only: bool,
    keep_ended: bool,
) -> list[TaskState]:
    """A unit's tasks across the plans, each marked with its plan, sorted as one view.
    An ended plan keeps only what still runs (still_running) unless `keep_ended` (the
    person named that plan)."""
    out: list[TaskState] = []
    for name, dataset in plans:
        states = status.unit_states(dataset, unit, as_of, within, direct_only)
        out += _marked(name, _shown(dataset, states, as_of, keep_ended))
    return sorted(out, key=status.sort_key)


def _shown(
    dataset: Dataset, states: Sequence[TaskState], as_of: date, keep_ended: bool
) -> Sequence[TaskState]:
    """The states a view across plans lists of one plan: all of them, or of an ended plan
    only what still runs in it (still_running) unless `keep_ended`."""
    document = dataset.plan.document
    if keep_ended or not ended(document, as_of):
        return states
    end = plan_end(document)
    return [s for s in states if still_running(s, end)]


def _marked(name: str, states: Sequence[TaskState]) -> list[TaskState]:
    return [s._replace(plan=name) for s in states]


class SlicedPlan(NamedTuple):
    """A plan read through its cache entry for one unit (core.unitview): the plan without
    its tasks, a reader of its tasks, and the unit's slice."""

    name: str
    reader: unitview.Reader
    part: unitview.Slice


def sliced_due(
    plans: Sequence[SlicedPlan],
    unit: Unit,
    as_of: date,
    within: int,
    direct_only: bool,
    keep_ended: bool,
    shown: Sequence[Status],
    limit: int,
) -> unitview.UnitDue:
    """unitview.summarize(unit_due_states(…), shown, limit) from each plan's slice: a running
    plan's groups counted whole (unitview.unit_due), an ended plan's tasks that are not done
    judged one by one (still_running asks of each), the rows merged in sort order."""
    counts = dict.fromkeys(Status, 0)
    maybe = dict.fromkeys(Status, 0)
    rows: dict[Status, list[TaskState]] = {st: [] for st in shown}
    maybe_rows: list[TaskState] = []
    final = False
    for name, reader, part in plans:
        if not keep_ended and ended(reader.dataset.plan.document, as_of):
            # still_running keeps no done task: only the others are read and judged.
            undone = [st for st in status.STATUS_ORDER if st not in status.DONE_STATUSES]
            states = unitview.unit_states(reader, unit, part, as_of, within, direct_only, undone)
            kept = _shown(reader.dataset, states, as_of, keep_ended)
            one = unitview.summarize(sorted(kept, key=status.sort_key), shown, limit)
        else:
            one = unitview.unit_due(reader, unit, part, as_of, within, direct_only, shown, limit)
        for st in Status:
            counts[st] += one.counts[st]
            maybe[st] += one.maybe[st]
        for st in shown:
            rows[st] += _marked(name, one.rows[st])
        maybe_rows += _marked(name, one.maybe_rows)
        final = final or one.final

    def first(states: list[TaskState]) -> list[TaskState]:
        # Each plan's first `limit` in sort order, in plan order: a stable sort of them
        # gives the first `limit` of all the plans' states sorted together.
        states.sort(key=status.sort_key)
        return states[:limit] if limit else states

    return unitview.UnitDue(
        counts, maybe, {st: first(rows[st]) for st in shown}, first(maybe_rows), final
    )


def sliced_states(
    plans: Sequence[SlicedPlan],
    unit: Unit,
    as_of: date,
    within: int,
    direct_only: bool,
    keep_ended: bool,
    statuses: Sequence[Status],
) -> list[TaskState]:
    """The states of unit_due_states(…) of these statuses, read from each plan's slice."""
    out: list[TaskState] = []
    for name, reader, part in plans:
        states = unitview.unit_states(reader, unit, part, as_of, within, direct_only, statuses)
        out += _marked(name, _shown(reader.dataset, states, as_of, keep_ended))
    return sorted(out, key=status.sort_key)


def running(plans: Sequence[NamedPlan], as_of: date) -> list[NamedPlan]:
    """The plans a view dated `as_of` reads as running (not ended, core.planyear)."""
    return [p for p in plans if not ended(p.dataset.plan.document, as_of)]


def unit_form_states(plans: Sequence[NamedPlan], unit: Unit, as_of: date) -> list[TaskState]:
    """The rows of a unit's one form across the plans: its tasks not done yet in the
    running plans, as the due view selects them (unit_due_states). An ended plan's tasks
    are never a form's: a late report into it needs its real date said (--date)."""
    states = unit_due_states(
        running(plans, as_of), unit, as_of, status.DEFAULT_WITHIN, False, False
    )
    return [s for s in states if s.status not in status.DONE_STATUSES]


def link_problems(plans: Sequence[NamedPlan]) -> list[Problem]:
    """Carry links that lead nowhere: to a plan the data folder does not hold, to a task
    that plan does not have, to the plan itself, or one way only (each end must name the
    other: carried_from on the new task, carried_to on the old one)."""
    by_name = {p.name: p.dataset for p in plans}
    found: list[Problem] = []
    for name, dataset in plans:
        for task in dataset.plan.tasks:
            for link, back, what, other in (
                (task.carried_from, "carried_to", "来源（carried_from）", "去向"),
                (task.carried_to, "carried_from", "去向（carried_to）", "来源"),
            ):
                if link is None:
                    continue
                message = _link_problem(name, task, link, back, other, by_name)
                if message is not None:
                    where = link.pos
                    found.append(
                        Problem(
                            where.file,
                            where.line,
                            where.column,
                            "carry-link",
                            f"任务 {task.id} 的{what} {link}：{message}",
                        )
                    )
    return sorted(found)


def _link_problem(
    name: str, task: Task, link: Link, back: str, other: str, by_name: dict[str, Dataset]
) -> str | None:
    if link.plan == name:
        return "不能指向本计划"
    target_plan = by_name.get(link.plan)
    if target_plan is None:
        names = "、".join(n for n in by_name if n != name) or "无"
        return f"数据目录中没有计划“{link.plan}”（其他计划：{names}）"
    target = target_plan.plan.task(link.id)
    if target is None:
        return f"计划 {link.plan} 中没有序号为 {link.id} 的任务"
    reverse: Link | None = getattr(target, back)
    if reverse is None or (reverse.plan, reverse.id) != (name, task.id):
        said = f"写的是 {reverse}" if reverse is not None else "没有写"
        return (
            f"那一项的{other}（{back}）{said}，应为 "
            f'{{plan: "{name}", id: {task.id}}}，两处须互相指向'
        )
    return None


def merged_summaries(
    plans: Sequence[NamedPlan], as_of: date, within: int, direct_only: bool
) -> tuple[list[status.UnitSummary], list[behind.Answer]]:
    """Each unit's counts over the plans, added up, in the one ranking (core.behind) of the
    figures added up, with that ranking."""
    rows: dict[str, status.UnitSummary] = {}
    answers: dict[str, behind.Answer] = {}
    order: dict[str, int] = {}
    for _, dataset in plans:
        viewer = status.Viewer(dataset, as_of, within)
        summaries, ranked = behind.ranked_summaries(dataset, as_of, within, direct_only, viewer)
        for a in ranked:
            had_answer = answers.get(a.unit.name)
            answers[a.unit.name] = a if had_answer is None else behind.added(had_answer, a)
        for u in dataset.directory.units:
            order.setdefault(u.name, len(order))
        for row in summaries:
            had = rows.get(row.unit.name)
            if had is None:
                rows[row.unit.name] = row
                continue
            counts = {st: had.counts[st] + row.counts[st] for st in status.Status}
            rows[row.unit.name] = status.UnitSummary(
                had.unit, counts, had.total + row.total, had.possible + row.possible
            )
    ranked = sorted(answers.values(), key=lambda a: behind.rank_key(a, order))
    return behind.in_rank(rows.values(), ranked, lambda r: r.unit.name), ranked
