"""The history of one task (gkctl log): a Rich view for the terminal, and its JSON.

Each change reads as in `gkctl diff` (views.diff's lines and labels); a decision on an
extension and a return (退办) read as one line each, with what they decided.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from gkctl.core.history import Commit, Entry, Event, EventKind, TaskLog
from gkctl.views.diff import FIELD_LABELS, Line, change_line, entry_line
from gkctl.views.diff_terminal import text
from gkctl.views.terminal import safe

JSON_VERSION = 1

EVENT_LABELS = {
    EventKind.ADDED: "新增任务",
    EventKind.REMOVED: "删除任务",
    EventKind.RETURN: "退办",
    EventKind.ACCEPT: "确认完成",
    EventKind.DECISION: "延期决定",
    EventKind.EXTENSION: "延期申请",
}


def event_row(event: Event) -> tuple[str, Line]:
    """(项目, what changed) for one event."""
    c = event.change
    if event.kind in (EventKind.ADDED, EventKind.REMOVED):
        return EVENT_LABELS[event.kind], []
    if event.kind in (EventKind.RETURN, EventKind.ACCEPT, EventKind.DECISION):
        return EVENT_LABELS[event.kind], entry_line(c.field, c.after)
    label = EVENT_LABELS.get(event.kind) or FIELD_LABELS.get(c.field, c.field)
    return label, change_line(c)


def stop_note(log: TaskLog) -> str:
    if log.stops_at is None:
        return ""
    c = log.stops_at
    return (
        f"历史止于提交 {c.short}（{c.authored.isoformat()}）：这是浅克隆，更早的提交不在本地，"
        "其中对该任务的修改未列出；要看完整历史，请先运行 git fetch --unshallow。"
    )


def summary(log: TaskLog) -> str:
    if not log.entries:
        return f"在 {log.scanned} 次修改 tasks.yaml 的提交中，没有改动任务 {log.task_id} 的提交。"
    return f"{len(log.entries)} 次提交改动了任务 {log.task_id}（共 {log.scanned} 次修改 tasks.yaml 的提交）。"


def _head(e: Entry) -> Text:
    c = e.commit
    line = Text(f"{c.authored.isoformat()}  ", style="bold")
    line.append(c.short, style="yellow")
    line.append("  ")
    line.append_text(safe(c.author, "bold"))
    line.append("  ")
    line.append_text(safe(c.subject, "dim"))
    return line


def _rows(e: Entry) -> RenderableType:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("项目", no_wrap=True)
    table.add_column("内容", ratio=1, overflow="fold")
    if e.problems:
        more = f"（共 {len(e.problems)} 个问题）" if len(e.problems) > 1 else ""
        table.add_row(Text("无法读取", style="bold red"), safe(e.problems[0] + more))
    for event in e.events:
        label, line = event_row(event)
        table.add_row(label, text(line))
    if e.against is not None:
        table.add_row(
            "", Text(f"（上一版本无法读取，与提交 {e.against.short} 的版本比较）", style="dim")
        )
    return Padding(table, (0, 0, 0, 2))


def log_view(log: TaskLog) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"任务 {log.task_id} 的修改历史（git 提交，新的在前）", style="bold"),
        Text(summary(log), style="dim"),
    ]
    for e in log.entries:
        parts += [Text(""), _head(e), _rows(e)]
    if note := stop_note(log):
        parts += [Text(""), safe(note, "yellow")]
    return Group(*parts)


def _commit_record(c: Commit) -> dict[str, Any]:
    return {
        "commit": c.sha,
        "short": c.short,
        "author": c.author,
        "email": c.email,
        "date": c.authored.isoformat(),
        "committed": c.committed.isoformat(),
        "subject": c.subject,
    }


def to_json(log: TaskLog) -> dict[str, Any]:
    """The log envelope; keys keep their names and meaning while `version` stays 1."""
    return {
        "version": JSON_VERSION,
        "task": log.task_id,
        "scanned": log.scanned,
        "complete": log.stops_at is None,
        "stops_at": _commit_record(log.stops_at) if log.stops_at else None,
        "entries": [
            {
                **_commit_record(e.commit),
                "path": e.path,
                "against": e.against.sha if e.against else None,
                "problems": list(e.problems),
                "changes": [event.as_dict() for event in e.events],
            }
            for e in log.entries
        ],
    }
