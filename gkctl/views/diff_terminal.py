"""The diff as a Rich table for the terminal: one row per change, grouped by task.

It styles the spans diffview builds; YAML text goes through render.safe (never markup).
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gkctl.core.plandiff import ChangeKind, PlanDiff
from gkctl.store.gitsrc import Side
from gkctl.views.diff import (
    CHANGE_LABELS,
    Line,
    config_rows,
    data_moved_note,
    document_rows,
    overdue_note,
    summary,
    task_rows,
    title,
    unit_rows,
)
from gkctl.views.labels import short, zh_date
from gkctl.views.terminal import safe

STYLES = {"": "", "value": "", "del": "red strike", "ins": "green", "warn": "bold red"}
CHANGE_STYLES = {
    ChangeKind.ADDED: "green",
    ChangeKind.REMOVED: "red",
    ChangeKind.MODIFIED: "yellow",
    ChangeKind.RENAMED: "cyan",
}


def text(line: Line) -> Text:
    out = Text()
    for role, piece in line:
        # The markers keep an edit readable where there is no colour (NO_COLOR, a log file).
        if role == "del":
            out.append_text(safe(f"【-{piece}-】", STYLES[role]))
        elif role == "ins":
            out.append_text(safe(f"【+{piece}+】", STYLES[role]))
        else:
            out.append_text(safe(piece, STYLES.get(role, "")))
    return out


def _table(first: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column(first, justify="right" if first == "序号" else "left", no_wrap=True)
    table.add_column("变更", no_wrap=True, width=4)
    table.add_column("项目", no_wrap=True)
    table.add_column("内容", ratio=1, min_width=20, overflow="fold")
    return table


def diff_view(d: PlanDiff, base: Side, head: Side) -> RenderableType:
    heading = text(title(base, head))
    heading.append(f" · 截至 {zh_date(d.as_of)}")
    heading.stylize("bold")
    parts: list[RenderableType] = [heading, Text(summary(d), style="dim")]
    if note := data_moved_note(d):
        parts.append(safe(note, "bold red"))
    if note := overdue_note(d):
        parts.append(Text(note, style="bold red"))
    if d.config:
        table = _table("配置")
        for label, line in config_rows(d):
            table.add_row("", Text("修改", style="yellow"), label, text(line))
        parts += [Text(""), table]
    if d.document:
        table = _table("计划")
        for label, line in document_rows(d):
            table.add_row("", Text("修改", style="yellow"), label, text(line))
        parts += [Text(""), table]
    if d.tasks:
        table = _table("序号")
        for t in d.tasks:
            rows = task_rows(t, d.as_of)
            kind = Text(CHANGE_LABELS[t.change], style=CHANGE_STYLES[t.change])
            table.add_row(str(t.id), kind, "任务", safe(short(t.task.content, 32), "dim"))
            for label, line in rows:
                table.add_row("", "", label, text(line))
            table.add_section()
        parts += [Text(""), table]
    if d.units:
        table = _table("单位")
        for u in d.units:
            rows = unit_rows(u)
            kind = Text(CHANGE_LABELS[u.change], style=CHANGE_STYLES[u.change])
            table.add_row(safe(u.name), kind, "", text(rows[0][1]))
            for label, line in rows[1:]:
                table.add_row("", "", label, text(line))
        parts += [Text(""), table]
    return Group(*parts)
