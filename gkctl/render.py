"""Rich renderers: each returns a renderable; only the command layer prints.

Text from the YAML goes in as rich.text.Text (never parsed as markup), with control
characters made visible, so a task text holding "[red]" or an ESC byte prints literally.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from gkctl.deadlines import Deadline, Kind
from gkctl.model import Dataset, Unit
from gkctl.status import STATUS_LABELS, STATUS_ORDER, Status, TaskState, UnitSummary

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STATUS_STYLES = {
    Status.OVERDUE: "bold red",
    Status.DUE_SOON: "yellow",
    Status.PENDING: "cyan",
    Status.ONGOING: "blue",
    Status.OPEN: "default",
    Status.DONE: "green",
}
# Column heads for the per-unit summary, short enough for an 80-column terminal.
SHORT_LABELS = {
    Status.OVERDUE: "逾期",
    Status.DUE_SOON: "临期",
    Status.PENDING: "待部署",
    Status.ONGOING: "持续",
    Status.OPEN: "未到期",
    Status.DONE: "完成",
}
KIND_LABELS = {
    Kind.DATE: "定期",
    Kind.ONGOING: "全年持续",
    Kind.PENDING: "待部署",
    Kind.RECURRING: "周期性",
}


def safe(value: object, style: str = "") -> Text:
    """Literal text: no markup, control characters shown as \\xNN."""
    cleaned = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(value))
    return Text(cleaned, style=style)


def zh_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def short(text: str, limit: int = 60) -> str:
    """The first sentence, cut to `limit` characters."""
    first = re.split(r"(?<=[。；])", text, maxsplit=1)[0].rstrip("。；")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _days(s: TaskState) -> Text:
    if s.days_left is None or s.status is Status.DONE:
        return Text("")
    if s.days_left < 0:
        return Text(f"逾期{-s.days_left}天", style="red")
    if s.days_left == 0:
        return Text("今天到期", style="yellow")
    return Text(f"剩{s.days_left}天")


def _due_cell(s: TaskState) -> Text:
    if s.due is None:
        return Text("待定", style="cyan")
    cell = Text(s.due.isoformat())
    if s.workday is not None and s.workday.date != s.due:
        cell.append(f"\n工作日 {s.workday.date:%m-%d}", style="dim")
    if s.extension is not None and s.original_due is not None:
        cell.append(f"\n延期 原{s.original_due:%m-%d}", style="magenta")
    return cell


def _how(s: TaskState) -> Text:
    how = s.involvement
    if how is None:
        return Text("")
    if how.via == "direct":
        return Text("牵头" if how.lead else "配合")
    return safe(f"{how.via}*" if how.possible else how.via, "dim" if how.possible else "")


def task_table(
    states: Sequence[TaskState], with_unit: bool, title: str = "", style: str = ""
) -> Table:
    table = Table(
        title=title or None,
        title_style=style,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        expand=False,
        pad_edge=False,
    )
    # Fixed widths for all but the task text, so that the tables of one view line up and
    # the task text takes what the terminal has left.
    table.add_column("序号", justify="right", no_wrap=True, width=4)
    table.add_column("任务", ratio=1, min_width=12, overflow="fold")
    table.add_column("时间节点", width=10, overflow="fold")
    table.add_column("截止日期", width=12, overflow="fold")
    table.add_column("天数", width=8, no_wrap=True, justify="right")
    table.add_column("参与" if with_unit else "状态", width=11, overflow="fold")
    for s in states:
        row: list[RenderableType] = [
            str(s.task.id),
            safe(short(s.task.content)),
            safe(s.task.deadline),
            _due_cell(s),
            _days(s),
        ]
        row.append(
            _how(s) if with_unit else Text(STATUS_LABELS[s.status], style=STATUS_STYLES[s.status])
        )
        table.add_row(*row)
    return table


def due_view(
    states: Sequence[TaskState],
    unit: Unit | None,
    as_of: date,
    show_all: bool,
    within: int,
    limit: int = 0,
) -> RenderableType:
    """The due view: one table per status section, most urgent first, each cut to `limit`
    rows (0: all) so that a plan of thousands of tasks stays a readable dashboard."""
    shown = list(STATUS_ORDER) if show_all else [Status.OVERDUE, Status.DUE_SOON, Status.PENDING]
    parts: list[RenderableType] = []
    who = unit.name if unit else "全部任务"
    parts.append(safe(f"{who} · 截至 {zh_date(as_of)} · 临期窗口 {within} 天", "bold"))
    counts = {st: sum(1 for s in states if s.status is st) for st in Status}
    parts.append(
        Text("  ".join(f"{STATUS_LABELS[st]} {counts[st]}" for st in STATUS_ORDER), style="dim")
    )
    for st in shown:
        group = [s for s in states if s.status is st]
        if not group:
            continue
        parts.append(Text(""))
        cut = group[:limit] if limit else group
        parts.append(
            task_table(
                cut, unit is not None, f"{STATUS_LABELS[st]}（{len(group)}）", STATUS_STYLES[st]
            )
        )
        if len(cut) < len(group):
            parts.append(
                Text(f"……另有 {len(group) - len(cut)} 项，加 --limit 0 显示全部。", style="dim")
            )
    if unit is not None and any(s.involvement and s.involvement.possible for s in states):
        parts.append(Text("\n* 任务写的是“各相关部门/各相关单位”，可能涉及本单位。", style="dim"))
    if not show_all:
        hidden = sum(counts[st] for st in Status if st not in shown)
        if hidden:
            parts.append(
                Text(
                    f"\n另有 {hidden} 项全年持续、未到期或已完成的任务，加 --all 显示。",
                    style="dim",
                )
            )
    return Group(*parts)


def summary_table(rows: Sequence[UnitSummary], as_of: date, within: int) -> RenderableType:
    table = Table(
        title=f"各单位任务情况 · 截至 {zh_date(as_of)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("单位", no_wrap=True)
    table.add_column("任务", justify="right")
    for st in STATUS_ORDER:
        table.add_column(SHORT_LABELS[st], justify="right", no_wrap=True)
    table.add_column("完成率", justify="right", no_wrap=True)
    table.add_column("可能涉及", justify="right", no_wrap=True)
    for r in rows:
        cells: list[RenderableType] = [safe(r.unit.name), str(r.total)]
        for st in STATUS_ORDER:
            n = r.counts[st]
            cells.append(
                Text(
                    str(n),
                    style=STATUS_STYLES[st]
                    if n and st in (Status.OVERDUE, Status.DUE_SOON)
                    else "",
                )
            )
        cells.append(f"{r.completion:.0%}")
        cells.append(str(r.possible))
        table.add_row(*cells)
    note = Text(
        f"逾期、临期（{within} 天内到期）、待部署（待市级部署）、持续（全年持续）按单位计数；\n"
        "“可能涉及”是写作“各相关部门/各相关单位”的任务，不计入其他各列。",
        style="dim",
    )
    return Group(table, note)


def explain_deadline(
    deadline: Deadline,
    year: int,
    published: date | None,
    workday: date | None,
    calendar_known: bool,
) -> RenderableType:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("时间节点", safe(deadline.text))
    table.add_row("类型", f"{KIND_LABELS[deadline.kind]}（{deadline.kind.value}）")
    table.add_row("规则", safe(deadline.rule))
    table.add_row("计划年度", f"{year}年" + (f"，发布于 {zh_date(published)}" if published else ""))
    if deadline.kind is Kind.RECURRING:
        table.add_row("截止日期", "按查看日期推算（每期末）")
    else:
        table.add_row(
            "截止日期",
            f"{zh_date(deadline.due)}"
            + (f"（{deadline.due.isoformat()}）" if deadline.due else ""),
        )
    if workday is not None and workday != deadline.due:
        note = "" if calendar_known else "（该年份无法定节假日数据，仅按周末推算）"
        table.add_row("最后工作日", f"{zh_date(workday)}（{workday.isoformat()}）{note}")
    for m in deadline.milestones:
        table.add_row("节点", safe(f"{m.text} → {m.due.isoformat()}"))
    return table


def task_detail(
    dataset: Dataset, s: TaskState, milestones: list[dict[str, object]]
) -> RenderableType:
    task = s.task
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    section = dataset.plan.section_title(task.section)
    table.add_row("序号", str(task.id))
    table.add_row("部分", safe(f"{task.section}、{section}"))
    table.add_row("任务名称", safe(task.name))
    table.add_row("任务内容", safe(task.content))
    if task.text:
        table.add_row("要点原文", safe(task.text))
    lead = task.lead if task.lead and dataset.directory.unit(task.lead) else None
    table.add_row("责任单位", safe("、".join(task.units) + (f"（牵头：{lead}）" if lead else "")))
    table.add_row("时间节点", safe(task.deadline))
    table.add_row("解析", safe(s.deadline.rule))
    table.add_row("截止日期", _due_cell(s))
    for m in milestones:
        table.add_row("节点", safe(f"{m['text']} → {m['due'] or '待定'}"))
    table.add_row(
        "状态", Text(STATUS_LABELS[s.status], style=STATUS_STYLES[s.status]) + _days_suffix(s)
    )
    if task.closed:
        table.add_row("销号", safe(f"{task.closed.isoformat()} {task.closed_note}".strip()))
    for e in task.extensions:
        table.add_row(
            "延期",
            safe(
                f"{e.date.isoformat()} {e.unit} 申请延期至 {e.to.isoformat()}：{e.reason}"
                + ("（逾期后申请）" if e.late else "")
            ),
        )
    if task.progress:
        for p in task.progress:
            label = "已完成" if p.status.value == "done" else "推进中"
            line = f"{p.date.isoformat()} {p.unit} {label}" + (f"：{p.note}" if p.note else "")
            if p.link:
                line += f"（{p.link}）"
            table.add_row("进展", safe(line))
    else:
        table.add_row("进展", Text("暂无进展记录", style="dim"))
    if task.notes:
        table.add_row("备注", safe(task.notes))
    return table


def _days_suffix(s: TaskState) -> Text:
    days = _days(s)
    return Text("  ") + days if days.plain else Text("")


def unit_list(units: Sequence[Unit], groups: Sequence[object]) -> RenderableType:
    from gkctl.model import Group as UnitGroup

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("单位", no_wrap=True)
    table.add_column("类型", no_wrap=True)
    table.add_column("别名")
    table.add_column("备注")
    kinds = {"department": "部门", "town": "镇", "subdistrict": "街道", "park": "园区"}
    for u in units:
        note = "单位名录补充（文件未列出）" if u.source == "outside" else (u.full_name or "")
        table.add_row(safe(u.name), kinds[u.kind.value], safe("、".join(u.aliases)), safe(note))
    for g in groups:
        assert isinstance(g, UnitGroup)
        table.add_row(safe(g.name), "统称", "", safe(g.meaning))
    return table


def console(stderr: bool = False) -> Console:
    """A console for the command layer. Rich colours only a terminal and honours NO_COLOR;
    COLUMNS fixes the width (the tests set it)."""
    return Console(stderr=stderr, highlight=False, emoji=False)
