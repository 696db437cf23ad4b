"""Carry tasks left open in one plan into the next: a new task in the later plan that
says where it came from (`carried_from`), and on the old task where it went (`carried_to`).

Two files change, and no file system replaces two files in one step. All or none is kept
this way: both plans are read and both new texts checked (each plan by the loader, the
links between them by core.plans) under both plans' write locks before anything is
written; then the new plan is replaced, then the old one. Should the second replace fail
(a full disk, a file changed meanwhile), the first is put back as it was read, and the
error says nothing was carried. Only a crash between the two replaces can leave the new
tasks without the old ones' `carried_to`: validate then names that one-way link with its
file:line:column, and running the same carry again completes it (a task whose copy is
already in the new plan gets only its `carried_to`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date
from typing import NamedTuple

from gkctl.core import status
from gkctl.core.errors import DataError, GkctlError, UsageError
from gkctl.core.model import Dataset, Task
from gkctl.core.plans import NamedPlan, link_problems
from gkctl.store import atomic, edit, loader, paths


class Carried(NamedTuple):
    """What a carry did: (old id, new id) pairs, the lines added to each plan, the two
    files as messages print them, and whether they were written."""

    pairs: tuple[tuple[int, int], ...]
    old_added: str
    new_added: str
    old_path: str
    new_path: str
    written: bool


def open_tasks(dataset: Dataset, as_of: date) -> list[status.TaskState]:
    """The tasks of a plan that may be carried: not done or reported done (plan-wide, as
    of `as_of`), and not carried already."""
    finished = status.DONE_STATUSES | {status.Status.REPORTED}
    return [
        s
        for s in status.plan_states(dataset, as_of)
        if s.status not in finished and s.task.carried_to is None
    ]


def carry(
    old: paths.PlanFolder,
    new: paths.PlanFolder,
    ids: Sequence[int] | None,
    as_of: date,
    dry_run: bool = False,
) -> Carried:
    """Carry the tasks `ids` of plan `old` (None: every open one) into plan `new`."""
    if old.name == new.name:
        raise UsageError("--from 和 --to 是同一个计划，请给出两个不同的计划。")
    with ExitStack() as stack:
        if not dry_run:  # a preview writes nothing and takes no lock (as edit's writes)
            for folder in sorted(
                {atomic.target(p.path / paths.TASKS_FILE).parent for p in (old, new)}
            ):
                stack.enter_context(edit.locked(folder))
        return _carry(old, new, ids, as_of, dry_run)


def _carry(
    old: paths.PlanFolder,
    new: paths.PlanFolder,
    ids: Sequence[int] | None,
    as_of: date,
    dry_run: bool,
) -> Carried:
    """carry(), under the locks: read, check, edit, check again, then write both."""
    old_raw, new_raw, units_raw = _read(old), _read(new), _read_units(old)
    shown = [paths.shown(p.path / paths.TASKS_FILE) for p in (old, new)]
    units_shown = paths.shown(old.units)
    before = [
        _dataset(raw, where, units_raw, units_shown)
        for raw, where in ((old_raw, shown[0]), (new_raw, shown[1]))
    ]
    chosen = _chosen(before[0], before[1], old.name, ids, as_of)
    (old_text, old_mac), (new_text, new_mac) = edit.editable(old_raw), edit.editable(new_raw)
    old_done, new_done, pairs = _edits(chosen, before[0], before[1], old, new, old_text, new_text)
    old_bytes, new_bytes = (
        edit.written(old_done.text, old_mac),
        edit.written(new_done.text, new_mac),
    )
    after = [
        _dataset(raw, where, units_raw, units_shown)
        for raw, where in ((old_bytes, shown[0]), (new_bytes, shown[1]))
    ]
    linked = link_problems([NamedPlan(old.name, after[0]), NamedPlan(new.name, after[1])])
    if linked:
        raise DataError(linked)
    if not dry_run:
        _replace_both(old, new, old_raw, new_raw, old_bytes, new_bytes)
    return Carried(tuple(pairs), old_done.added, new_done.added, shown[0], shown[1], not dry_run)


def _read(plan: paths.PlanFolder) -> bytes:
    path = plan.path / paths.TASKS_FILE
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"无法读取计划 {plan.name} 的 {paths.shown(path)}：{exc.strerror}。"
        ) from None


def _read_units(plan: paths.PlanFolder) -> bytes:
    try:
        return plan.units.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取单位名录 {paths.shown(plan.units)}：{exc.strerror}。") from None


def _dataset(raw: bytes, shown: str, units_raw: bytes, units_shown: str) -> Dataset:
    dataset, problems = loader.check_bytes(raw, units_raw, shown, units_shown)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset


def _chosen(
    old: Dataset, new: Dataset, old_name: str, ids: Sequence[int] | None, as_of: date
) -> list[Task]:
    """The tasks to carry, in id order; a task already copied (a carry cut short) is
    carried again only to write its `carried_to`."""
    movable = {s.task.id: s.task for s in open_tasks(old, as_of)}
    if ids is None:
        return [movable[i] for i in sorted(movable)]
    wanted = []
    for task_id in sorted(set(ids)):
        task = old.plan.require(task_id)
        if task.carried_to is not None:
            raise UsageError(f"任务 {task_id} 已转入 {task.carried_to}，不能再转。")
        if task_id not in movable:
            raise UsageError(
                f"任务 {task_id} 截至 {as_of.isoformat()} 已完成（或已报完成），不必转入下一计划。"
            )
        wanted.append(task)
    if not wanted:
        raise UsageError("没有要转入的任务。")
    return wanted


def _edits(
    tasks: list[Task],
    old_plan: Dataset,
    new_plan: Dataset,
    old: paths.PlanFolder,
    new: paths.PlanFolder,
    old_text: str,
    new_text: str,
) -> tuple[edit.Edit, edit.Edit, list[tuple[int, int]]]:
    sections = {s.id for s in new_plan.plan.sections}
    titles = {s.id: s.title for s in old_plan.plan.sections}
    copied = {
        (t.carried_from.plan, t.carried_from.id): t.id
        for t in new_plan.plan.tasks
        if t.carried_from is not None
    }
    next_id = max((t.id for t in new_plan.plan.tasks), default=0) + 1
    pairs: list[tuple[int, int]] = []
    old_added, new_added = [], []
    for task in tasks:
        if task.section not in sections:  # the task keeps its section, title and all
            section = [("id", edit.scalar(task.section))]
            section.append(("title", edit.scalar(titles.get(task.section, "") or task.section)))
            done = edit.append_task(new_text, section, top="sections")
            new_text = done.text
            new_added.append(done.added)
            sections.add(task.section)
        new_id = copied.get((old.name, task.id))
        if new_id is None:
            new_id, next_id = next_id, next_id + 1
            done = edit.append_task(new_text, _fields(task, old.name, new_id))
            new_text = done.text
            new_added.append(done.added)
        back = edit.insert_flow_key(old_text, task.id, "carried_to", _link(new.name, new_id))
        old_text = back.text
        old_added.append(back.added)
        pairs.append((task.id, new_id))
    return (
        edit.Edit(old_text, "".join(old_added)),
        edit.Edit(new_text, "".join(new_added)),
        pairs,
    )


def _link(plan: str, task_id: int) -> str:
    # The plan name is quoted: 2025 unquoted would read as a number.
    return f"{{plan: {json.dumps(plan, ensure_ascii=False)}, id: {task_id}}}"


def _fields(task: Task, old_name: str, new_id: int) -> list[tuple[str, str]]:
    """The new task: what the office asked for (name, content, text, units, section) and
    its 时间节点 as written, which the new plan's year resolves (10月底前 is October of the
    new year). A date of the old year (`due`), milestones, progress, extensions and the
    closing stay with the old plan, which keeps the record of what happened there."""
    fields = [
        ("id", str(new_id)),
        ("section", edit.scalar(task.section)),
        ("name", edit.scalar(task.name)),
        ("content", edit.scalar(task.content)),
    ]
    if task.text:
        fields.append(("text", edit.scalar(task.text)))
    units = ", ".join(edit.scalar(u, flow=True) for u in task.units)
    fields.append(("units", f"[{units}]"))
    if task.deadline:
        fields.append(("deadline", edit.scalar(task.deadline)))
    fields.append(("carried_from", _link(old_name, task.id)))
    return fields


def _replace_both(
    old: paths.PlanFolder,
    new: paths.PlanFolder,
    old_raw: bytes,
    new_raw: bytes,
    old_bytes: bytes,
    new_bytes: bytes,
) -> None:
    """The new plan, then the old; the new one put back if the old one cannot be written."""
    new_path, old_path = new.path / paths.TASKS_FILE, old.path / paths.TASKS_FILE
    atomic.write_bytes(new_path, new_bytes, expect=new_raw)
    try:
        atomic.write_bytes(old_path, old_bytes, expect=old_raw)
    except GkctlError as exc:
        try:
            atomic.write_bytes(new_path, new_raw, expect=new_bytes)
        except GkctlError:
            raise GkctlError(
                f"{exc.message}\n{paths.shown(new_path)} 已写入承接的任务，而原计划未能写入，"
                "且未能撤回：请运行 gkctl validate 查看单向的转入记录，再运行同一条 carry 补全。"
            ) from None
        raise GkctlError(f"{exc.message}\n两个计划都未改动，没有任务被转入。") from None
