"""Write a plan in gkctl's YAML layout, the one data/tasks.yaml is kept in.

PyYAML's dumper would sort or reflow keys, quote Chinese text and drop comments; the
layout people read and diff in review is written here by hand instead: a comment header,
document, sections, then tasks with their keys in a fixed order, units as a flow list,
one blank line between tasks. Values go through gkctl.store.edit.scalar, the one writer of YAML
scalars (plain where that reads back as the same text, else double-quoted).
"""

from __future__ import annotations

from collections.abc import Sequence

from gkctl.core.model import Plan, Task, UnitKind
from gkctl.exchange.table import PLACEHOLDER, UnknownUnit
from gkctl.store.edit import scalar


def _task_lines(task: Task) -> list[str]:
    lines = [
        f"  - id: {task.id}",
        f"    section: {scalar(task.section)}",
        f"    name: {scalar(task.name)}",
        f"    content: {scalar(task.content)}",
    ]
    if task.text:
        lines.append(f"    text: {scalar(task.text)}")
    units = ", ".join(scalar(u, flow=True) for u in task.units)
    lines.append(f"    units: [{units}]")
    if task.deadline:  # no key: the source gave no 时间节点 (未明确时限)
        lines.append(f"    deadline: {scalar(task.deadline)}")
    if task.notes:
        lines.append(f"    notes: {scalar(task.notes)}")
    return lines


def plan_yaml(plan: Plan, header: Sequence[str] = ()) -> str:
    """The plan as tasks.yaml text; `header` lines become the leading comment."""
    doc = plan.document
    out = [f"# {line}".rstrip() for line in header]
    if out:
        out.append("")
    published = (
        f"  published: {doc.published.isoformat()}"
        if doc.published
        else "  # published: 发布日期（YYYY-MM-DD），来源中没有；知道后写上"
    )
    out += [
        "document:",
        f"  title: {scalar(doc.title)}",
        f"  number: {scalar(doc.number)}",
        f"  issuer: {scalar(doc.issuer)}",
        published,
        f"  year: {doc.year}",
        "",
        "sections:",
    ]
    for section in plan.sections:
        out += [f"  - id: {scalar(section.id)}", f"    title: {scalar(section.title)}"]
    out += ["", "tasks:"]
    for n, task in enumerate(plan.tasks):
        if n:
            out.append("")
        out += _task_lines(task)
    return "\n".join(out) + "\n"


def guess_kind(name: str) -> UnitKind:
    """A first guess of a unit's kind from its name, for a person to check."""
    if name.endswith("街道"):
        return UnitKind.SUBDISTRICT
    if name.endswith("镇"):
        return UnitKind.TOWN
    if name.endswith(("园区", "开发区", "高新区", "工业区")):
        return UnitKind.PARK
    return UnitKind.DEPARTMENT


def _group_members(name: str) -> list[UnitKind]:
    if "街镇" in name or "镇街" in name or ("镇" in name and "街道" in name):
        return [UnitKind.TOWN, UnitKind.SUBDISTRICT]
    if "镇" in name:
        return [UnitKind.TOWN, UnitKind.SUBDISTRICT] if "办" in name else [UnitKind.TOWN]
    if "街道" in name:
        return [UnitKind.SUBDISTRICT]
    if "单位" in name:
        return list(UnitKind)
    return [UnitKind.DEPARTMENT]


def is_group(name: str) -> bool:
    """各部门, 各科室, 各镇（办）, 相关部门: a collective name, not one unit."""
    return name.startswith(("各", "相关"))


def units_review_yaml(
    unknown: Sequence[UnknownUnit], units_file: str | None, tasks_file: str
) -> str:
    """The units an import found no entry for, in units.yaml layout, for a person to review.

    Each entry says where the unit is used and the closest known name: a typo is fixed in
    tasks.yaml, a new unit is moved into units.yaml (kinds are guessed from the name).
    Names beginning with 各 or 相关 are written as groups (those with 相关, as a list ending
    in 等 becomes, as relevant: true). Without a units.yaml this file is a
    first draft of one.
    """
    where = units_file or "units.yaml（尚不存在）"
    out = [
        f"# gkctl import：以下责任单位不在 {where} 中，请逐个核对。",
        f"# - 若是笔误（见“是否为”），请在 {tasks_file} 中改为正确名称；",
        "# - 若是新单位，请把条目移入 units.yaml，并核对 kind（department 部门、town 镇、",
        "#   subdistrict 街道、park 园区）；统称（各科室、各相关单位……）请写明 meaning，核对 members。",
        "",
        "units:",
    ]
    groups = [u for u in unknown if is_group(u.name)]
    for unit in unknown:
        if unit in groups:
            continue
        out += _review_comment(unit)
        out += [f"  - name: {scalar(unit.name)}", f"    kind: {guess_kind(unit.name).value}"]
    if not [u for u in unknown if u not in groups]:
        out[-1] = "units: []"
    if groups:
        out += ["", "groups:"]
        for unit in groups:
            members = ", ".join(k.value for k in _group_members(unit.name))
            out += _review_comment(unit)
            out += [
                f"  - name: {scalar(unit.name)}",
                f"    meaning: {PLACEHOLDER}",
                f"    members: [{members}]",
            ]
            if "相关" in unit.name:
                out.append("    relevant: true")
    return "\n".join(out) + "\n"


def _review_comment(unit: UnknownUnit) -> list[str]:
    ids = "、".join(str(i) for i in unit.tasks)
    hint = f"；是否为“{unit.suggestion}”？" if unit.suggestion else ""
    return [f"  # 见任务 {ids}{hint}"]
