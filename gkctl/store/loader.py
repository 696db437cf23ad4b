"""Load and check data/tasks.yaml and data/units.yaml, collecting every problem.

`check()` never stops at the first problem: validate lists them all, sorted by file and
line. `load()` is what every other command uses: the dataset, or a DataError.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import NamedTuple

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gkctl.core import collector, dates, deadlines, textsafe
from gkctl.core.errors import DataError, DeadlineError, Problem, os_reason
from gkctl.core.model import (
    Dataset,
    Decision,
    Directory,
    Document,
    Extension,
    Group,
    Link,
    MilestoneSpec,
    Plan,
    Progress,
    ProgressStatus,
    Section,
    Task,
    Unit,
)
from gkctl.core.units import involvement, suggest
from gkctl.store import yamlsrc
from gkctl.store.paths import TASKS_FILE, shown, units_file
from gkctl.store.schema import Reader, value_of
from gkctl.store.unitsfile import read_directory_source

# Keys each mapping may hold: name -> required.
TOP_KEYS = {"document": True, "sections": True, "tasks": True}
# published may be left out: a plan whose deadlines are all dates in its year needs none
# (validate warns; a deadline counted from it, such as 印发后3个月内, is refused without it).
DOCUMENT_KEYS = {"title": True, "number": True, "issuer": True, "published": False, "year": True}
SECTION_KEYS = {"id": True, "title": True}
TASK_KEYS = {
    "id": True,
    "section": True,
    "name": True,
    "content": True,
    "text": False,
    "units": True,
    # Absent where the source gave none (a table without a deadline column): the task is
    # 未明确时限, which validate warns about rather than refuses.
    "deadline": False,
    "due": False,
    "milestones": False,
    "progress": False,
    "extensions": False,
    "closed": False,
    "closed_note": False,
    # The day a closing was written, where it was after the plan's end (core.planyear).
    "closed_recorded": False,
    "notes": False,
    "carried_from": False,
    "carried_to": False,
}
LINK_KEYS = {"plan": True, "id": True}
PROGRESS_KEYS = {
    "date": True,
    "unit": True,
    "status": True,
    "note": False,
    "link": False,
    "returned": False,
    "return_reason": False,
    "accepted": False,
    # The day the entry, its 退办 or its acceptance was written, where that was after the
    # plan's end.
    "recorded": False,
    "return_recorded": False,
    "accept_recorded": False,
}
EXTENSION_KEYS = {
    "date": True,
    "unit": True,
    "to": True,
    "reason": True,
    "late": False,
    "decision": False,
    "decided": False,
    "decision_note": False,
    "recorded": False,
    "decision_recorded": False,
}
MILESTONE_KEYS = {"name": True, "deadline": False, "due": False}

_LINK = re.compile(r"https?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)
# --- tasks.yaml -----------------------------------------------------------------------------


class _TaskNodes(NamedTuple):
    task: Task
    unit_nodes: list[Node]
    deadline_node: Node | None
    # False for a task missing a required value: it stays out of the plan, but its units,
    # deadline and records are still checked, so that validate lists all its problems.
    complete: bool = True


def _read_plan(source: yamlsrc.Source, problems: list[Problem]) -> tuple[Plan, list[_TaskNodes]]:
    r = Reader(source.path, problems, raw=source.raw)
    empty = Plan(Document("", "", "", None, 0), (), ())
    if source.root is None:
        return empty, []
    top = r.mapping(source.root, TOP_KEYS, "tasks.yaml 顶层")
    if top is None:
        return empty, []
    document = _read_document(r, top.get("document"))
    sections: list[Section] = []
    for node in r.sequence(top["sections"], "sections") if "sections" in top else []:
        f = r.mapping(node, SECTION_KEYS, "部分（section）")
        if f is None:
            continue
        sid, title = (
            r.name(f.get("id"), "部分编号（id）"),
            r.text(f.get("title"), "部分标题（title）"),
        )
        if sid is not None and sid in {sec.id for sec in sections}:
            r.problem(f["id"], "duplicate-section", f"部分编号“{sid}”重复")
        elif sid is not None:
            sections.append(Section(sid, title or ""))
    read: list[_TaskNodes] = []
    seen_ids: dict[int, int] = {}
    section_ids = [s.id for s in sections]
    nodes = r.sequence(top["tasks"], "tasks") if "tasks" in top else []
    if isinstance(top.get("tasks"), SequenceNode):
        # The nodes of a 100,000-task file take 900 MB. Each task's go once it is read (but
        # for the few _TaskNodes keeps): the plan grows as the tree shrinks, in the same
        # memory. The tree is not used after this.
        top["tasks"].value = []
    nodes.reverse()
    while nodes:
        node = nodes.pop()
        parsed = _read_task(r, node, document, section_ids)
        if parsed is None:
            continue
        task = parsed.task
        if not parsed.complete:
            read.append(parsed)
            continue
        if task.id in seen_ids:
            r.problem(
                value_of(node, "id"),
                "duplicate-id",
                f"任务序号 {task.id} 重复（第 {seen_ids[task.id]} 行已有）",
            )
        else:
            seen_ids[task.id] = task.pos.line
        read.append(parsed)
    return Plan(document, tuple(sections), tuple(t.task for t in read if t.complete)), read


def _read_document(r: Reader, node: Node | None) -> Document:
    if node is None:
        return Document("", "", "", None, 0)
    f = r.mapping(node, DOCUMENT_KEYS, "document")
    if f is None:
        return Document("", "", "", None, 0)
    year = r.integer(f.get("year"), "计划年度（year）")
    if year is not None and not dates.FIRST_YEAR <= year <= dates.LAST_YEAR:
        r.problem(
            f["year"],
            "bad-year",
            f"计划年度 {year} 不合理（应在 {dates.FIRST_YEAR}–{dates.LAST_YEAR} 之间）",
        )
        year = None
    r.year = year or 0  # from here on, dates are bounded by the plan year
    return Document(
        r.text(f.get("title"), "标题（title）") or "",
        r.text(f.get("number"), "文号（number）") or "",
        r.text(f.get("issuer"), "发文单位（issuer）") or "",
        r.day(f.get("published"), "发布日期（published）"),
        year or 0,
    )


def _read_task(
    r: Reader, node: Node, document: Document, section_ids: list[str]
) -> _TaskNodes | None:
    f = r.mapping(node, TASK_KEYS, _task_label(node))
    if f is None:
        return None
    task_id = r.integer(f.get("id"), "任务序号（id）")
    if task_id is not None and task_id <= 0:
        r.problem(f["id"], "bad-id", f"任务序号应为正整数，这里是 {task_id}")
        task_id = None
    what = f"任务 {task_id}" if task_id is not None else "任务"
    section = r.name(f.get("section"), f"{what} 的部分（section）")
    if section is not None and section_ids and section not in section_ids:
        hint = suggest(section, section_ids)
        r.problem(
            f["section"],
            "unknown-section",
            f"{what} 的部分“{section}”不在 sections 中" + (f"，是否为“{hint}”？" if hint else ""),
        )
    unit_nodes = r.sequence(f["units"], f"{what} 的责任单位（units）") if "units" in f else []
    units = tuple(v for v in (r.name(n, f"{what} 的责任单位") for n in unit_nodes) if v)
    if "units" in f and not unit_nodes and isinstance(f["units"], SequenceNode):
        r.problem(f["units"], "empty-value", f"{what} 的责任单位（units）不能为空")
    deadline = r.text(f.get("deadline"), f"{what} 的时间节点（deadline）")
    progress = tuple(
        p
        for p in (
            _read_progress(r, n, what, document)
            for n in (r.sequence(f["progress"], "progress") if "progress" in f else [])
        )
        if p is not None
    )
    extensions = tuple(
        e
        for e in (
            _read_extension(r, n, what, document)
            for n in (r.sequence(f["extensions"], "extensions") if "extensions" in f else [])
        )
        if e is not None
    )
    milestones = tuple(
        m
        for m in (
            _read_milestone(r, n, what, document)
            for n in (r.sequence(f["milestones"], "milestones") if "milestones" in f else [])
        )
        if m is not None
    )
    required = (
        task_id,
        section,
        r.text(f.get("name"), f"{what} 的任务名称（name）"),
        r.text(f.get("content"), f"{what} 的任务内容（content）", field=textsafe.Field.TEXT),
    )
    complete = not (
        any(v is None for v in required) or not units or (deadline is None and "deadline" in f)
    )
    task = Task(
        id=task_id or 0,
        section=section or "",
        name=required[2] or "",
        content=required[3] or "",
        text=r.text(f.get("text"), f"{what} 的正文（text）", field=textsafe.Field.TEXT) or "",
        units=units,
        deadline=sys.intern(deadline) if deadline else "",  # a few forms, many tasks
        due=r.day(f.get("due"), f"{what} 的截止日期（due）"),
        milestones=milestones,
        progress=progress,
        extensions=extensions,
        closed=_closed(r, f, what, document),
        closed_note=r.text(
            f.get("closed_note"), "closed_note", required=False, field=textsafe.Field.TEXT
        )
        or "",
        notes=r.text(f.get("notes"), "notes", required=False, field=textsafe.Field.TEXT) or "",
        pos=yamlsrc.pos(r.path, node),
        keys=key_set(tuple(f)),
        carried_from=_read_link(r, f.get("carried_from"), f"{what} 的来源（carried_from）"),
        carried_to=_read_link(r, f.get("carried_to"), f"{what} 的去向（carried_to）"),
    )
    deadline_node = f.get("deadline") if deadline is not None else None
    return _TaskNodes(task, unit_nodes, deadline_node, complete)


def _closed(r: Reader, f: dict[str, Node], what: str, document: Document) -> date | None:
    closed = _record_day(r, f.get("closed"), f"{what} 的销号日期（closed）", document)
    _recorded(r, f, closed)
    return closed


_KEY_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}


def key_set(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The one shared tuple for these keys in this order: a plan has a few key sets and
    many tasks (see Task.keys)."""
    if len(_KEY_SETS) > 4096:  # hostile files: any order of any keys
        _KEY_SETS.clear()
    return _KEY_SETS.setdefault(keys, tuple(sys.intern(k) for k in keys))


def _task_label(node: Node) -> str:
    """ "任务 12" where the mapping holds a readable id, for messages about missing keys."""
    if isinstance(node, MappingNode):
        for key, value in yamlsrc.items(node):
            if key.value == "id" and isinstance(value, ScalarNode) and value.value.isdigit():
                return f"任务 {value.value} "
    return "任务"


def _record_day(r: Reader, node: Node | None, what: str, document: Document) -> date | None:
    """A date of something done under the plan (a report, a request, a decision, a
    closing): not before the plan existed (dates.before_plan)."""
    day = r.day(node, what)
    early = dates.before_plan(day, document.published, document.year) if day else None
    if early is not None and node is not None:
        r.problem(node, "before-plan", f"{what} {early}")
    return day


def _read_link(r: Reader, node: Node | None, what: str) -> Link | None:
    """A carry link; whether the plan and task exist is checked across plans
    (core.plans.link_problems), as one plan's file cannot say."""
    if node is None:
        return None
    f = r.mapping(node, LINK_KEYS, what)
    if f is None:
        return None
    plan_node = f.get("plan")
    # plan: 2024 reads as a number; a plan named by its year is the common case.
    if isinstance(plan_node, ScalarNode) and plan_node.tag == yamlsrc.INT:
        plan: str | None = sys.intern(plan_node.value)
    else:
        plan = r.name(plan_node, f"{what}的计划（plan）")
    task_id = r.integer(f.get("id"), f"{what}的任务序号（id）")
    if plan is None or task_id is None:
        return None
    return Link(plan, task_id, yamlsrc.pos(r.path, node))


def _read_progress(r: Reader, node: Node, what: str, document: Document) -> Progress | None:
    f = r.mapping(node, PROGRESS_KEYS, f"{what} 的进展记录")
    if f is None:
        return None
    day = _record_day(r, f.get("date"), "进展日期（date）", document)
    unit = r.name(f.get("unit"), "进展单位（unit）")
    status = r.choice(
        f.get("status"),
        "进展状态（status）",
        ProgressStatus,
        "bad-status",
        "进展状态",
        "done（已完成）或 doing（推进中）",
    )
    link = r.text(f.get("link"), "链接（link）")
    if link is not None and not _LINK.match(link):
        r.problem(
            f["link"], "bad-link", f"链接“{link}”不是有效的网址（应以 http:// 或 https:// 开头）"
        )
        link = None
    returned = _record_day(r, f.get("returned"), "退办日期（returned）", document)
    return_reason = r.text(
        f.get("return_reason"), "退办理由（return_reason）", field=textsafe.Field.TEXT
    )
    if "returned" in f and status is not None and status is not ProgressStatus.DONE:
        r.problem(f["returned"], "bad-return", "只有已完成（done）的进展才能退办（returned）")
    if returned is not None and "return_reason" not in f:
        r.problem(f["returned"], "missing-key", "退办须写明理由（return_reason）")
    if "return_reason" in f and "returned" not in f:
        r.problem(
            f["return_reason"],
            "missing-key",
            "有退办理由（return_reason），缺少退办日期（returned）",
        )
    if returned is not None and day is not None and returned < day:
        r.problem(
            f["returned"],
            "bad-date",
            f"退办日期 {returned.isoformat()} 早于报送日期 {day.isoformat()}",
        )
    accepted = _read_accepted(r, f, day, status, returned, document)
    recorded = _recorded(r, f, day)
    if day is None or unit is None or status is None:
        return None
    return Progress(
        day,
        unit,
        status,
        r.text(f.get("note"), "说明（note）", required=False, field=textsafe.Field.TEXT) or "",
        link,
        yamlsrc.pos(r.path, node),
        returned,
        return_reason or "",
        recorded,
        accepted,
    )


def _read_accepted(
    r: Reader,
    f: dict[str, Node],
    day: date | None,
    status: ProgressStatus | None,
    returned: date | None,
    document: Document,
) -> date | None:
    """A done report's `accepted` (gkctl accept): a date not before the report, on a done
    report that was not sent back (a report is either accepted or returned)."""
    if "accepted" not in f:
        return None
    accepted = _record_day(r, f["accepted"], "确认日期（accepted）", document)
    if status is not None and status is not ProgressStatus.DONE:
        r.problem(f["accepted"], "bad-accept", "只有已完成（done）的进展才能确认（accepted）")
    elif returned is not None:
        r.problem(
            f["accepted"], "bad-accept", "已退办（returned）的完成报告不能同时确认（accepted）"
        )
    if accepted is not None and day is not None and accepted < day:
        r.problem(
            f["accepted"],
            "bad-date",
            f"确认日期 {accepted.isoformat()} 早于报送日期 {day.isoformat()}",
        )
    return accepted


def _recorded(r: Reader, f: dict[str, Node], day: date | None) -> date | None:
    """An entry's `recorded` (the day it was written) and the other *_recorded days of the
    mapping: dates, none before the entry's own date."""
    found = None
    for key in (
        "recorded",
        "return_recorded",
        "accept_recorded",
        "decision_recorded",
        "closed_recorded",
    ):
        if key not in f:
            continue
        value = r.day(f[key], f"录入日期（{key}）")
        if value is not None and day is not None and value < day:
            r.problem(
                f[key],
                "bad-date",
                f"录入日期 {value.isoformat()} 早于记录的日期 {day.isoformat()}",
            )
        if key == "recorded":
            found = value
    return found


def _read_extension(r: Reader, node: Node, what: str, document: Document) -> Extension | None:
    f = r.mapping(node, EXTENSION_KEYS, f"{what} 的延期记录")
    if f is None:
        return None
    day = _record_day(r, f.get("date"), "申请日期（date）", document)
    to = r.day(f.get("to"), "延期至（to）")
    unit, reason = (
        r.name(f.get("unit"), "申请单位（unit）"),
        r.text(f.get("reason"), "延期理由（reason）", field=textsafe.Field.TEXT),
    )
    decision, decided, note = _read_decision(r, f, day, document)
    recorded = _recorded(r, f, day)
    if day is None or to is None or unit is None or reason is None:
        return None
    legacy = "decision" not in f
    return Extension(
        day,
        unit,
        to,
        reason,
        r.boolean(f.get("late"), "late"),
        yamlsrc.pos(r.path, node),
        # Written before decisions existed: approved on the day it was asked, which is how
        # every view read it then (README, “延期申请与决定”).
        Decision.APPROVED if legacy else decision or Decision.REQUESTED,
        day if legacy else decided,
        note,
        legacy,
        recorded,
    )


def _read_decision(
    r: Reader, f: dict[str, Node], asked: date | None, document: Document
) -> tuple[Decision | None, date | None, str]:
    """`decision`, `decided` and `decision_note` of an extension entry, checked together."""
    decision = r.choice(
        f.get("decision"),
        "决定（decision）",
        Decision,
        "bad-decision",
        "决定",
        "requested（待批）、approved（批准）或 rejected（不批准）",
    )
    decided = _record_day(r, f.get("decided"), "决定日期（decided）", document)
    note = (
        r.text(
            f.get("decision_note"),
            "决定说明（decision_note）",
            required=False,
            field=textsafe.Field.TEXT,
        )
        or ""
    )
    if "decision" not in f:
        for key in ("decided", "decision_note"):
            if key in f:
                r.problem(f[key], "missing-key", f"有 {key}，缺少决定（decision）")
        return None, None, note
    if decision is Decision.REQUESTED:
        for key in ("decided", "decision_note"):
            if key in f:
                r.problem(f[key], "bad-decision", f"待批（requested）的申请不应有 {key}")
    elif decision is not None:
        if "decided" not in f:
            r.problem(f["decision"], "missing-key", "已决定的申请须写明决定日期（decided）")
        if decision is Decision.REJECTED and not note.strip():
            r.problem(f["decision"], "missing-key", "不批准（rejected）须写明理由（decision_note）")
    if decided is not None and asked is not None and decided < asked:
        r.problem(
            f["decided"],
            "bad-date",
            f"决定日期 {decided.isoformat()} 早于申请日期 {asked.isoformat()}",
        )
    return decision, decided, note


def _read_milestone(r: Reader, node: Node, what: str, document: Document) -> MilestoneSpec | None:
    f = r.mapping(node, MILESTONE_KEYS, f"{what} 的节点（milestones）")
    if f is None:
        return None
    name = r.text(f.get("name"), "节点名称（name）")
    text = r.text(f.get("deadline"), "节点时间（deadline）")
    due = r.day(f.get("due"), "节点日期（due）")
    if text is None and due is None and "deadline" not in f and "due" not in f:
        r.problem(node, "missing-key", "节点需要 deadline（时间节点文字）或 due（日期）")
    if text is not None and due is None and document.year:
        try:
            resolved = deadlines.resolve(text, document.year, document.published)
        except DeadlineError as exc:
            r.problem(f["deadline"], "deadline", exc.message)
        else:
            far = dates.out_of_range(resolved.due, document.year) if resolved.due else None
            if far is not None:
                r.problem(f["deadline"], "date-range", f"节点时间“{text}”：{far}")
    if name is None:
        return None
    return MilestoneSpec(name, text, due, yamlsrc.pos(r.path, node))


# --- cross-checks -----------------------------------------------------------------------------


def _check_deadlines(
    path: str, plan: Plan, read: list[_TaskNodes], problems: list[Problem]
) -> None:
    """Every 时间节点 must resolve, whatever state units.yaml is in."""
    if not plan.document.year:
        return
    r = Reader(path, problems)
    for item in read:
        if item.deadline_node is None:
            continue
        try:
            resolved = deadlines.resolve(
                item.task.deadline, plan.document.year, plan.document.published
            )
        except DeadlineError as exc:
            r.problem(item.deadline_node, "deadline", exc.message)
            continue
        for day in (resolved.due, *(m.due for m in resolved.milestones)):
            far = dates.out_of_range(day, plan.document.year) if day is not None else None
            if far is not None:
                r.problem(
                    item.deadline_node, "date-range", f"时间节点“{item.task.deadline}”：{far}"
                )
                break


def _renamed(
    plan: Plan, read: list[_TaskNodes], former: dict[str, str]
) -> tuple[Plan, list[_TaskNodes]]:
    """The plan with every former unit name (units.yaml `former`) read as the unit's name,
    in its tasks' units and records: an earlier plan names units as they were called then,
    and every view, count and write sees one unit. The file keeps what it says."""

    def unit(name: str) -> str:
        return former.get(name, name)

    out = []
    for item in read:
        task = item.task
        records = [p.unit for p in task.progress] + [e.unit for e in task.extensions]
        if not any(name in former for name in (*task.units, *records)):
            out.append(item)
            continue
        task = task._replace(
            units=tuple(dict.fromkeys(unit(name) for name in task.units)),
            progress=tuple(p._replace(unit=unit(p.unit)) for p in task.progress),
            extensions=tuple(e._replace(unit=unit(e.unit)) for e in task.extensions),
        )
        out.append(item._replace(task=task))
    return plan._replace(tasks=tuple(t.task for t in out if t.complete)), out


def _check_references(
    path: str,
    plan: Plan,
    read: list[_TaskNodes],
    directory: Directory,
    problems: list[Problem],
    broken: set[str],
    former: dict[str, str],
) -> None:
    r = Reader(path, problems)
    names = {u.name for u in directory.units} | {g.name for g in directory.groups} | broken
    names |= set(former)
    alias_of = {a: u.name for u in directory.units for a in u.aliases}
    candidates = sorted(names)
    for item in read:
        task = item.task
        for node in item.unit_nodes:
            if (
                not isinstance(node, ScalarNode)
                or node.value in names
                or not textsafe.allowed(node.value, textsafe.Field.NAME)  # Reader.name said
            ):
                continue
            word = node.value
            if word in alias_of:
                r.problem(
                    node,
                    "unknown-unit",
                    f"责任单位请写单位名称“{alias_of[word]}”（“{word}”是它的别名）",
                )
                continue
            hint = suggest(word, candidates)
            r.problem(
                node,
                "unknown-unit",
                f"未知责任单位“{word}”"
                + (f"，是否为“{hint}”？" if hint else "，请先在 units.yaml 中登记"),
            )
        entries: list[Progress | Extension] = [*task.progress, *task.extensions]
        for entry in entries:
            unit = directory.unit(entry.unit)
            kind = "进展" if isinstance(entry, Progress) else "延期"
            where = entry.pos
            if entry.unit in broken:
                continue
            if unit is None:
                hint = suggest(entry.unit, [u.name for u in directory.units])
                problems.append(
                    Problem(
                        where.file,
                        where.line,
                        where.column,
                        "unknown-unit",
                        f"{kind}记录的单位“{entry.unit}”不存在"
                        + (f"，是否为“{hint}”？" if hint else ""),
                    )
                )
            elif involvement(task, unit, directory) is None:
                problems.append(
                    Problem(
                        where.file,
                        where.line,
                        where.column,
                        "progress-unit",
                        f"任务 {task.id} 的责任单位（{'、'.join(task.units)}）不包括“{entry.unit}”，"
                        f"不能记录它的{kind}",
                    )
                )


# --- entry points -------------------------------------------------------------------------------


def check(data_dir: Path) -> tuple[Dataset | None, list[Problem]]:
    """Read both files and return the dataset (None if unusable) with every problem, sorted."""
    tasks_path, units_path = data_dir / TASKS_FILE, units_file(data_dir)
    problems: list[Problem] = []
    units_raw = _read_raw(
        units_path, problems, "找不到单位名录 units.yaml（应与 tasks.yaml 放在同一目录）"
    )
    tasks_raw = _read_raw(tasks_path, problems, "找不到任务文件 tasks.yaml")
    dataset, found = check_bytes(tasks_raw, units_raw, shown(tasks_path), shown(units_path))
    return dataset, sorted(problems + found)


def _read_raw(path: Path, problems: list[Problem], missing: str) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(shown(path), 1, 1, "missing-file", missing))
    except OSError as exc:
        problems.append(Problem(shown(path), 1, 1, "unreadable", f"无法读取文件：{os_reason(exc)}"))
    return None


def check_bytes(
    tasks_raw: bytes | None, units_raw: bytes | None, tasks_shown: str, units_shown: str
) -> tuple[Dataset | None, list[Problem]]:
    # Loading builds hundreds of thousands of small objects and no reference cycles; with the
    # cyclic collector running, its repeated passes over the growing heap cost four times the
    # parse itself (10,000 tasks: 2.0 s against 0.45 s). Reference counting still frees.
    # What was built is frozen: the collector's first pass after it is back on would walk
    # every object to free none (0.7 s after a 100,000-task validate). See core.collector.
    with collector.paused():
        return _check_bytes(tasks_raw, units_raw, tasks_shown, units_shown)


def _check_bytes(
    tasks_raw: bytes | None, units_raw: bytes | None, tasks_shown: str, units_shown: str
) -> tuple[Dataset | None, list[Problem]]:
    """Check the two files given as bytes (None: missing, already reported by the caller).

    `*_shown` are the paths messages print. Used for files on disk, for revisions read
    with `git show`, and for a write that must be valid before it replaces a file.
    """
    problems: list[Problem] = []
    directory = Directory((), ())
    broken: set[str] = set()
    units_read = False
    if units_raw is not None:
        units_source = yamlsrc.read_bytes(units_raw, units_shown, problems)
        directory = read_directory_source(units_source, problems, broken)
        units_read = units_source.root is not None
    root_ok = False
    plan: Plan = Plan(Document("", "", "", None, 0), (), ())
    read: list[_TaskNodes] = []
    if tasks_raw is not None:
        source = yamlsrc.read_bytes(tasks_raw, tasks_shown, problems)
        plan, read = _read_plan(source, problems)
        root_ok = source.root is not None
        if root_ok:
            _check_deadlines(tasks_shown, plan, read, problems)
        # Units are checked against a directory that could be read (an unreadable
        # units.yaml is its own problem, not one more per task).
        if root_ok and units_read:
            former = {old: u.name for u in directory.units for old in u.former}
            if former:
                plan, read = _renamed(plan, read, former)
            _check_references(tasks_shown, plan, read, directory, problems, broken, former)
    problems.sort()
    usable = root_ok and units_raw is not None and not problems
    dataset = Dataset(plan, directory, tasks_shown, units_shown) if usable else None
    return dataset, problems


def read_directory(units_raw: bytes, units_shown: str) -> tuple[Directory, list[Problem]]:
    """units.yaml alone, with its own problems (the units a plan with problems still lists)."""
    problems: list[Problem] = []
    source = yamlsrc.read_bytes(units_raw, units_shown, problems)
    directory = read_directory_source(source, problems, set())
    return directory, sorted(problems)


def read_plan(tasks_raw: bytes, tasks_shown: str) -> tuple[Plan, list[Problem]]:
    """tasks.yaml alone, not checked against a unit directory: the tasks that could be read."""
    problems: list[Problem] = []
    plan, _ = _read_plan(yamlsrc.read_bytes(tasks_raw, tasks_shown, problems), problems)
    return plan, sorted(problems)


def directory_warnings(directory: Directory) -> list[Problem]:
    """Names that differ but read the same once normalised (NFKC: full-width and
    half-width forms, compatibility characters; spaces at either end, and a run of spaces
    of any width as one): likely one unit entered twice."""
    import unicodedata

    seen: dict[str, Unit | Group] = {}
    found = []
    entries: list[Unit | Group] = [*directory.units, *directory.groups]
    for entry in entries:
        key = " ".join(unicodedata.normalize("NFKC", entry.name).split())
        first = seen.setdefault(key, entry)
        if first is not entry:
            found.append(
                Problem(
                    entry.pos.file,
                    entry.pos.line,
                    entry.pos.column,
                    "look-alike",
                    f"名称“{entry.name}”与“{first.name}”看起来相同（仅全角/半角、空格或兼容字符不同），"
                    "是否重复登记了同一个单位？",
                )
            )
    return found


def warnings(plan: Plan) -> list[Problem]:
    """What validate reports without failing: a plan without its 发布日期, tasks with no
    时间节点 and no due date,
    extension entries written before requests and decisions existed (no `decision`), which
    count as approved on the day asked, and requests still waiting on a closed task."""
    unpublished = []
    if plan.tasks and plan.document.published is None:
        # The Document keeps no position: the warning points at the file's start.
        unpublished.append(
            Problem(
                plan.tasks[0].pos.file,
                1,
                1,
                "no-published",
                "计划没有发布日期（document 中没有 published）：知道后写 published: YYYY-MM-DD",
            )
        )
    undated = [
        Problem(
            t.pos.file,
            t.pos.line,
            t.pos.column,
            "undated",
            f"任务 {t.id} 未明确时限（没有时间节点）：确定后写 deadline（时间节点）或 due（日期）",
        )
        for t in plan.tasks
        if not t.deadline and t.due is None
    ]
    legacy = [
        Problem(
            e.pos.file,
            e.pos.line,
            e.pos.column,
            "legacy-extension",
            f"任务 {t.id} 的延期记录（{e.unit}，至 {e.to.isoformat()}）没有 decision，"
            f"按旧格式视为已于申请日 {e.date.isoformat()} 批准；"
            "如果只是申请、尚待区政府办公室决定，请加一行 decision: requested",
        )
        for t in plan.tasks
        for e in t.extensions
        if e.legacy
    ]
    # extend refuses a closed task, but a request written by hand (or before it refused)
    # waits for ever: approve and reject refuse a decision dated on or after the closing,
    # review does not list it.
    stuck = [
        Problem(
            e.pos.file,
            e.pos.line,
            e.pos.column,
            "closed-request",
            f"任务 {t.id} 已于 {t.closed.isoformat()} 销号，{e.unit} 的延期申请（至 "
            f"{e.to.isoformat()}）却仍待批：gkctl review 不再列出它，approve、reject "
            f"也只能按销号之前的日期决定；请先 gkctl reopen {t.id} 再决定，或删去这条申请",
        )
        for t in plan.tasks
        if t.closed is not None
        for e in t.extensions
        if e.decision is Decision.REQUESTED
    ]
    return sorted(unpublished + undated + legacy + stuck)


def load(data_dir: Path) -> Dataset:
    dataset, problems = check(data_dir)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset
