"""Rich renderer for `gkctl stats`: the 督办 tables with their traffic lights (the same figures
as JSON and CSV are views.machine's)."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from gkctl.core.stats import LIGHT_LABELS, Counts, Light, Stats
from gkctl.views.labels import zh_date
from gkctl.views.terminal import safe

LIGHT_STYLES = {Light.RED: "bold red", Light.YELLOW: "yellow", Light.GREEN: "green"}


def _light(c: Counts) -> Text:
    # The word goes with the dot, so that the light reads without colour too.
    return Text(f"● {LIGHT_LABELS[c.light]}", style=LIGHT_STYLES[c.light])


def _table(title: str, first: str) -> Table:
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    table.add_column("督办", no_wrap=True)
    table.add_column(first, overflow="fold")
    for name in ("任务", "已完成", "已逾期", "即将到期", "完成率", "延期"):
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _cells(c: Counts) -> list[RenderableType]:
    return [
        str(c.tasks),
        str(c.done),
        Text(str(c.overdue), style=LIGHT_STYLES[Light.RED] if c.overdue else ""),
        Text(str(c.due_soon), style=LIGHT_STYLES[Light.YELLOW] if c.due_soon else ""),
        f"{c.completion:.0%}",
        str(c.extensions),
    ]


def stats_view(result: Stats) -> RenderableType:
    units = _table(
        f"各单位督办统计 · 截至 {zh_date(result.as_of)} · 临期窗口 {result.within} 天", "单位"
    )
    units.add_column("可能涉及", justify="right", no_wrap=True)
    for u in result.units:
        units.add_row(_light(u.counts), safe(u.unit.name), *_cells(u.counts), str(u.possible))
    sections = _table("各部分督办统计", "部分")
    for s in result.sections:
        sections.add_row(
            _light(s.counts), safe(f"{s.section.id}、{s.section.title}"), *_cells(s.counts)
        )
    note = Text(
        "红灯：有逾期任务；黄灯：有即将到期的任务；绿灯：按期推进或已完成。\n"
        "单位：“已完成”含本单位报告完成和已销号的任务；\n"
        "“可能涉及”是写作“各相关部门/各相关单位”的任务，不计入其他各列。\n"
        "部分：“已完成”只计已销号的任务。",
        style="dim",
    )
    return Group(units, Text(""), sections, Text(""), note)
