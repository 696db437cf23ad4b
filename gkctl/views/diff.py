"""The diff as people read it (Chinese lines of spans) and as machines read it (JSON), and
its Markdown form for a pull-request comment or $GITHUB_STEP_SUMMARY. No Rich here: the
table form (render_diff) styles the same spans.

A span is (role, text): role "" is gkctl's own wording, "value" is text from the YAML,
"del"/"ins" a deleted/inserted piece of it, "warn" a warning. Only gkctl's own wording is
trusted: everything else is escaped in Markdown and shown literally in the table.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from gkctl.core.plandiff import GROUP_KIND, Change, ChangeKind, Op, PlanDiff, TaskDiff, UnitDiff
from gkctl.core.records import iso
from gkctl.core.status import STATUS_LABELS, Status
from gkctl.store.gitsrc import Checked, Side
from gkctl.views.labels import PROGRESS_LABELS, UNIT_KIND_LABELS

JSON_VERSION = 1
SHOWN_IDS = 20  # task ids listed in one sentence; the rest are counted
Span = tuple[str, str]
Line = list[Span]
Row = tuple[str, Line]  # a label (项目) and what changed

CHANGE_LABELS = {
    ChangeKind.ADDED: "新增",
    ChangeKind.REMOVED: "删除",
    ChangeKind.MODIFIED: "修改",
    ChangeKind.RENAMED: "更名",
}
FIELD_LABELS = {
    "section": "所属部分",
    "name": "任务名称",
    "content": "任务内容",
    "text": "要点原文",
    "units": "责任单位",
    "lead": "牵头单位",
    "deadline": "时间节点",
    "due": "指定截止日期",
    "milestones": "节点",
    "extensions": "延期",
    "progress": "进展",
    "closed": "销号",
    "closed_note": "销号说明",
    "notes": "备注",
    "carried_from": "承接自",
    "carried_to": "转入",
    "status": "状态",
    # units.yaml
    "kind": "类型",
    "aliases": "别名",
    "former": "原名称",
    "full_name": "全称",
    "source": "来源",
    "meaning": "含义",
    "members": "包含",
    "relevant": "相关单位统称",
    "same_as": "同义统称",
    # document
    "title": "标题",
    "number": "文号",
    "issuer": "发文单位",
    "published": "发布日期",
    "year": "计划年度",
    "sections": "部分",
}
KIND_LABELS = {**UNIT_KIND_LABELS, GROUP_KIND: "统称"}


def _v(text: object) -> Span:
    return ("value", str(text))


def _t(text: str) -> Span:
    return ("", text)


def _names(names: list[str]) -> Span:
    return _v("、".join(names))


def _due(day: str | None) -> str:
    return day or "待定"


# --- lines --------------------------------------------------------------------------------


def diff_line(change: Change) -> Line:
    if not change.diff:
        return [_v(change.before or ""), _t(" → "), _v(change.after or "")]
    line: Line = []
    for seg in change.diff:
        role = {Op.EQUAL: "value", Op.DELETE: "del", Op.INSERT: "ins"}[seg.op]
        line.append((role, seg.text))
    return line


def entry_line(field: str, r: dict[str, Any]) -> Line:
    if field == "progress":
        line = [_v(f"{r['date']} {r['unit']} {PROGRESS_LABELS.get(r['status'], r['status'])}")]
        if r["note"]:
            line += [_t("："), _v(r["note"])]
        if r["link"]:
            line += [_t("（"), _v(r["link"]), _t("）")]
        if r.get("returned"):
            line += [_t("；"), _v(r["returned"]), _t(" 退办："), _v(r["return_reason"])]
        if r.get("accepted"):
            line += [_t("；"), _v(r["accepted"]), _t(" 确认完成")]
        return line
    if field == "extensions":
        line = [_v(f"{r['date']} {r['unit']}"), _t(" 申请延期至 "), _v(r["to"])]
        line += [_t("："), _v(r["reason"])]
        line += [_t("（逾期后申请）")] if r["late"] else []
        # A decision rewrites the entry, so the diff shows it removed and added again:
        # each side says where the request stood.
        decision = r.get("decision")
        if decision == "requested":
            line += [_t("；待批")]
        elif decision in ("approved", "rejected") and not r.get("legacy"):
            word = "批准" if decision == "approved" else "不批准"
            line += [_t("；"), _v(r["decided"] or ""), _t(f" {word}")]
            line += [_t("："), _v(r["decision_note"])] if r.get("decision_note") else []
        return line
    when = r["due"] or r["deadline"] or ""
    return [_v(r["name"]), _t("（"), _v(when), _t("）")]


def change_line(change: Change) -> Line:
    f, before, after = change.field, change.before, change.after
    if f in ("progress", "extensions", "milestones"):
        entry = after if after is not None else before
        return [_t("新增 " if after is not None else "删除 "), *entry_line(f, entry)]
    if f in ("units", "aliases", "former", "members"):
        parts: list[Line] = []
        for pair in change.extra.get("renamed", []):
            parts.append([_v(pair["before"]), _t(" 更名为 "), _v(pair["after"])])
        if change.extra.get("added"):
            parts.append([_t("新增 "), _names(change.extra["added"])])
        if change.extra.get("removed"):
            parts.append([_t("移除 "), _names(change.extra["removed"])])
        if not parts:
            parts.append([_t("顺序调整："), _names(before), _t(" → "), _names(after)])
        return [span for i, p in enumerate(parts) for span in ([_t("；")] if i else []) + p]
    if f == "deadline":
        due_before, due_after = change.extra["due_before"], change.extra["due_after"]
        if before == after:
            return [
                _v(before),
                _t("：截止日期 "),
                _v(_due(due_before)),
                _t(" → "),
                _v(_due(due_after)),
                _t("（计划年度或发布日期变化）"),
            ]
        return [
            _v(before),
            _t("（"),
            _v(_due(due_before)),
            _t("）→ "),
            _v(after),
            _t("（"),
            _v(_due(due_after)),
            _t("）"),
        ]
    if f in ("carried_from", "carried_to"):
        if after is None:
            return [_t("撤销（原为 "), _v(before), _t("）")]
        return [_v(after)] if before is None else [_v(before), _t(" → "), _v(after)]
    if f == "closed":
        action = change.extra.get("action")
        if action == "closed":
            return [_t("销号于 "), _v(after)]
        if action == "reopened":
            return [_t("重新打开（原销号于 "), _v(before), _t("）")]
        return [_t("销号日期 "), _v(before), _t(" → "), _v(after)]
    if f == "sections":
        return [
            _names([f"{s['id']}、{s['title']}" for s in before]),
            _t(" → "),
            _names([f"{s['id']}、{s['title']}" for s in after]),
        ]
    if f in ("due", "full_name", "source", "published"):
        return [_v(before or "未填写"), _t(" → "), _v(after or "未填写")]
    if f == "kind":
        return [_t(KIND_LABELS.get(before, before)), _t(" → "), _t(KIND_LABELS.get(after, after))]
    if f == "relevant":
        return [_t("是" if before else "否"), _t(" → "), _t("是" if after else "否")]
    return diff_line(change)


def _label(change: Change) -> str:
    return FIELD_LABELS.get(change.field, change.field)


def _status_line(before: Status | None, after: Status | None, as_of: date) -> Line:
    role = "warn" if after is Status.OVERDUE else ""
    line: Line = []
    if before is not None:
        line += [_t(STATUS_LABELS[before]), _t(" → ")]
    line.append((role, STATUS_LABELS[after] if after else "—"))
    return [*line, _t(f"（截至 {as_of.isoformat()}）")]


def task_rows(t: TaskDiff, as_of: date) -> list[Row]:
    """The rows of one task: its changes, then its status where that changed."""
    task = t.task
    rows: list[Row] = []
    if t.change is not ChangeKind.MODIFIED:
        due = t.due_after if t.change is ChangeKind.ADDED else t.due_before
        rows.append(("任务名称", [_v(task.name)]))
        rows.append(("责任单位", [_names(list(task.units))]))
        rows.append(
            (
                "时间节点",
                [_v(task.deadline), _t("（"), _v(_due(due.isoformat() if due else None)), _t("）")],
            )
        )
    rows += [(_label(c), change_line(c)) for c in t.changes]
    if t.change is ChangeKind.ADDED:
        rows.append(("状态", _status_line(None, t.status_after, as_of)))
    elif t.change is ChangeKind.MODIFIED and t.status_before != t.status_after:
        rows.append(("状态", _status_line(t.status_before, t.status_after, as_of)))
    return rows


def unit_rows(u: UnitDiff) -> list[Row]:
    """The rows of one unit or group: first, unlabelled, what it is; then its changes."""
    first: Line = [_t(KIND_LABELS.get(u.kind, u.kind))]
    ids = "、".join(str(i) for i in u.tasks)
    if u.change is ChangeKind.REMOVED and u.tasks:
        first.append(_t(f"（原由任务 {ids} 使用，这些任务已不再使用它）"))
    elif u.change is ChangeKind.RENAMED:
        first += [_t("，原名 "), _v(u.old_name or "")]
        if u.tasks:
            first.append(_t(f"（任务 {ids} 已改用新名称）"))
    rows: list[Row] = [("", first)]
    return rows + [(_label(c), change_line(c)) for c in u.changes if c.field != "name"]


def document_rows(d: PlanDiff) -> list[Row]:
    return [(_label(c), change_line(c)) for c in d.document]


CONFIG_LABELS = {
    "data": "数据目录（data）",
    "unit": "默认单位（unit）",
    "within": "临期窗口（within）",
    "office.name": "通报落款（office.name）",
    "office.recipients": "通报主送（office.recipients）",
}


def config_rows(d: PlanDiff) -> list[Row]:
    """gkctl.toml's settings that changed, each as before → after ("未设置" where absent)."""

    def value(v: Any) -> Span:
        return _v(v) if v is not None else _t("未设置")

    return [
        (CONFIG_LABELS.get(c.field, c.field), [value(c.before), _t(" → "), value(c.after)])
        for c in d.config
    ]


def data_moved_note(d: PlanDiff) -> str:
    """The warning a changed `data` setting gets: every command reads another folder now,
    and the plan compared is the one read now, so the folder left behind is not in it."""
    moved = d.data_moved
    if moved is None:
        return ""
    before = moved.before if moved.before is not None else "未设置（默认 data）"
    after = moved.after if moved.after is not None else "未设置（默认 data）"
    return (
        f"注意：gkctl.toml 改变了 gkctl 读取的数据目录：{before} → {after}。"
        "本次比较的是现在读取的数据目录；原来的目录是否被改动，请用 gkctl validate --all-plans 检查。"
    )


def summary(d: PlanDiff) -> str:
    counts = [
        (CHANGE_LABELS[k], d.count(k))
        for k in (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.MODIFIED)
    ]
    tasks = "、".join(f"{label} {n} 项" for label, n in counts if n)
    parts = [f"任务{tasks}" if tasks else "任务没有变化"]
    if d.units:
        parts.append(f"单位名录 {len(d.units)} 处变更")
    if d.document:
        parts.append(f"计划文件信息 {len(d.document)} 处变更")
    if d.config:
        parts.append(f"gkctl.toml {len(d.config)} 处变更")
    return "；".join(parts) + "。"


def overdue_note(d: PlanDiff) -> str:
    hits = [t.id for t in d.tasks if t.becomes_overdue]
    if not hits:
        return ""
    ids = "、".join(str(i) for i in hits[:SHOWN_IDS])
    ids += f" 等 {len(hits)} 项" if len(hits) > SHOWN_IDS else " "
    return f"注意：截至 {d.as_of.isoformat()}，任务 {ids}因本次变更成为已逾期。"


def title(base: Side, head: Side) -> Line:
    return [_t("计划变更："), _v(base.label), _t(" → "), _v(head.label)]


def stale_lines(checked: Checked) -> list[Line]:
    """Units this side's units.yaml dropped while its tasks still name them."""
    return [
        [
            _t("单位“"),
            _v(s.name),
            _t("”在 "),
            _v(checked.side.units_file),
            _t(f" 中已不存在，但任务 {'、'.join(str(i) for i in s.tasks)} 仍在使用它"),
            _t("（责任单位、进展或延期记录）：请改用现有单位，或恢复该单位。"),
        ]
        for s in checked.stale
    ]


def invalid_heading(checked: Checked) -> str:
    return f"{checked.side.label} 的数据有 {len(checked.problems)} 个问题，无法比较："


def invalid_note(checked: Checked) -> str:
    return f"无法比较：{checked.side.label} 的数据有问题，请先修正。"


# --- JSON ---------------------------------------------------------------------------------


def side_record(side: Side) -> dict[str, Any]:
    return {
        "kind": side.kind.value,
        "ref": side.ref,
        "tasks_file": side.tasks_file,
        "units_file": side.units_file,
    }


def _task_record(t: TaskDiff) -> dict[str, Any]:
    return {
        "id": t.id,
        "change": t.change.value,
        "name": t.task.name,
        "content": t.task.content,
        "units": list(t.task.units),
        "deadline": t.task.deadline,
        "status": {
            "before": t.status_before.value if t.status_before else None,
            "after": t.status_after.value if t.status_after else None,
        },
        "due": {"before": iso(t.due_before), "after": iso(t.due_after)},
        "becomes_overdue": t.becomes_overdue,
        "changes": [c.as_dict() for c in t.changes],
    }


def _unit_record(u: UnitDiff) -> dict[str, Any]:
    return {
        "name": u.name,
        "change": u.change.value,
        "kind": u.kind,
        "old_name": u.old_name,
        "tasks": list(u.tasks),
        "changes": [c.as_dict() for c in u.changes],
    }


def to_json(d: PlanDiff, base: Side, head: Side) -> dict[str, Any]:
    """The diff envelope; keys keep their names and meaning while `version` stays 1."""
    return {
        "version": JSON_VERSION,
        "as_of": d.as_of.isoformat(),
        "base": side_record(base),
        "head": side_record(head),
        "empty": d.empty,
        "summary": {
            "added": d.count(ChangeKind.ADDED),
            "removed": d.count(ChangeKind.REMOVED),
            "modified": d.count(ChangeKind.MODIFIED),
            "becomes_overdue": sum(1 for t in d.tasks if t.becomes_overdue),
            "units": len(d.units),
            "config": len(d.config),
        },
        "problems": [],
        "config": [c.as_dict() for c in d.config],
        "document": [c.as_dict() for c in d.document],
        "tasks": [_task_record(t) for t in d.tasks],
        "units": [_unit_record(u) for u in d.units],
    }


def problems_json(base: Checked, head: Checked, as_of: date) -> dict[str, Any]:
    """In place of a diff when a side is invalid: each side's problems, named by side."""
    sides = (("base", base), ("head", head))
    return {
        "version": JSON_VERSION,
        "as_of": as_of.isoformat(),
        "base": side_record(base.side),
        "head": side_record(head.side),
        "problems": [{"side": name, **p.as_dict()} for name, c in sides for p in c.problems],
        "stale_units": [
            {"side": name, "name": s.name, "tasks": list(s.tasks)}
            for name, c in sides
            for s in c.stale
        ],
    }


# --- Markdown ------------------------------------------------------------------------------

# Characters that could start Markdown (or GitHub's math) inside a line, escaped with a
# backslash; line breaks become spaces so that a value cannot start a block of its own.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$#!])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def md_escape(text: str) -> str:
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # No bare address becomes a live link in a pull request comment (as in reports).
    text = text.replace("://", "\\://").replace("www.", "www\\.")
    # A word joiner after @ keeps a name in the text from notifying a GitHub user.
    return text.replace("@", "@\u2060")


def _md_emphasis(marker: str, text: str) -> str:
    escaped = md_escape(text)
    if not escaped.strip() or escaped != escaped.strip():
        return escaped  # emphasis cannot open or close next to a space
    return f"{marker}{escaped}{marker}"


def md_line(line: Line) -> str:
    out = []
    for role, text in line:
        if role == "del":
            out.append(f"【-{_md_emphasis('~~', text)}-】")
        elif role == "ins":
            out.append(f"【+{_md_emphasis('**', text)}+】")
        elif role == "warn":
            out.append(_md_emphasis("**", text))
        elif role == "value":
            out.append(md_escape(text))
        else:
            out.append(text)
    return "".join(out)


def _md_rows(rows: list[Row]) -> list[str]:
    return [f"  - {label + '：' if label else ''}{md_line(line)}" for label, line in rows]


def markdown(d: PlanDiff, base: Side, head: Side) -> str:
    out = [f"## {md_line(title(base, head))}", ""]
    if d.empty:
        out += [f"截至 {d.as_of.isoformat()}，两个版本的计划没有差异。", ""]
        return "\n".join(out)
    out += [f"截至 {d.as_of.isoformat()}：{summary(d)}", ""]
    if note := data_moved_note(d):
        out += [f"> **{md_escape(note)}**", ""]
    if note := overdue_note(d):
        out += [f"> **{note}**", ""]
    if d.config:
        out += ["### 项目配置 gkctl.toml", ""]
        out += [f"- {label}：{md_line(line)}" for label, line in config_rows(d)]
        out.append("")
    if d.document:
        out += ["### 计划文件", ""]
        out += [f"- {label}：{md_line(line)}" for label, line in document_rows(d)]
        out.append("")
    if d.tasks:
        out += ["### 任务", ""]
        for t in d.tasks:
            head_line = (
                f"- **任务 {t.id}**（{CHANGE_LABELS[t.change]}）{md_escape(t.task.content[:40])}"
            )
            if len(t.task.content) > 40:
                head_line += "…"
            out.append(head_line)
            out += _md_rows(task_rows(t, d.as_of))
        out.append("")
    if d.units:
        out += ["### 单位名录", ""]
        for u in d.units:
            rows = unit_rows(u)
            change = CHANGE_LABELS[u.change]
            out.append(f"- **{md_escape(u.name)}**（{change}）{md_line(rows[0][1])}")
            out += _md_rows(rows[1:])
        out.append("")
    return "\n".join(out)


def problems_markdown(base: Side, head: Side, checked: list[Checked]) -> str:
    out = [f"## {md_line(title(base, head))}", ""]
    for c in checked:
        if not c.problems:
            continue
        out += [f"### {md_escape(invalid_heading(c))}", ""]
        out += [f"- {md_escape(str(p))}" for p in c.problems]
        out += [f"- {md_line(line)}" for line in stale_lines(c)]
        out.append("")
    return "\n".join(out)


def problem_lines(c: Checked) -> list[str]:
    """Plain lines for the terminal: the problems (file:line:column), then dropped units."""
    lines = [str(p) for p in c.problems]
    lines += ["".join(text for _, text in line) for line in stale_lines(c)]
    return lines
