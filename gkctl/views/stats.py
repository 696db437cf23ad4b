"""Rich renderer for `gkctl stats`: the 督办 tables with their traffic lights (the same figures
as JSON and CSV are views.machine's).

Units come ranked by what they answer for directly (core.behind); a run of units whose
every figure is the same is one row (“朱泾镇等 7 个”, the names listed under the table);
tasks late for a whole group are group lines. Below 80 columns each unit is one line of
figures, so that no column vanishes and no unit name wraps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from gkctl.core import behind, status
from gkctl.core.stats import (
    LIGHT_LABELS,
    UNIT_LIGHTS_NOTE,
    UNIT_LIGHTS_NOTE_ENDED,
    Counts,
    Light,
    SectionStats,
    Stats,
    UnitStats,
)
from gkctl.core.status import STATUS_LABELS
from gkctl.core.trend import Trend
from gkctl.views.labels import month_label, move_labels, move_note, percent, zh_date
from gkctl.views.terminal import Pieces, safe

LIGHT_STYLES = {
    Light.RED: "bold red",
    Light.ORANGE: "dark_orange",
    Light.YELLOW: "yellow",
    Light.GREEN: "green",
}
# The table needs about 78 columns; below that, one line per row.
NARROW = 80
# The 较上期 column's width (with its gap), when there is a previous period.
MOVE_WIDTH = 8
# Short heads keep the unit table within 78 columns (the note below the table says what
# each means).
HEADS = ("任务", "完成", "逾期", "临期", "完成率", "延期")
# Past the plan's end the overdue figure is what stayed 未完成 at its end, and nothing is
# due soon any more (core.behind ranks on what stayed 未完成).
ENDED_HEADS = ("任务", "完成", "未完成", "完成率", "延期")


def _light(light: Light) -> Text:
    # The word goes with the dot, so that the light reads without colour too.
    return Text(f"● {LIGHT_LABELS[light]}", style=LIGHT_STYLES[light])


def _move(u: UnitStats) -> str:
    """名次 and 逾期 against the previous period (views.labels.move_labels)."""
    if u.move is None:
        return ""
    place, late = move_labels(u.move.up, u.move.late)
    return f"{place} {late}"


def _cells(c: Counts, ended: bool) -> list[RenderableType]:
    late: list[RenderableType] = [
        Text(str(c.overdue), style=LIGHT_STYLES[Light.RED] if c.overdue else "")
    ]
    if not ended:
        late.append(Text(str(c.due_soon), style=LIGHT_STYLES[Light.YELLOW] if c.due_soon else ""))
    return [str(c.tasks), str(c.done), *late, f"{c.completion:.0%}", str(c.extensions)]


def _late(c: Counts, ended: bool) -> str:
    """The late figures of a narrow line."""
    return f"未完成{c.overdue}" if ended else f"逾期{c.overdue} 临期{c.due_soon}"


def _direct(u: UnitStats) -> str:
    """Overdue / due soon among the tasks naming the unit."""
    a = u.answer
    return f"{a.overdue}/{a.due_soon}" if a is not None else ""


def _runs(units: Sequence[UnitStats]) -> Iterator[list[UnitStats]]:
    """Consecutive units whose every shown figure is the same, together."""
    run: list[UnitStats] = []
    for u in units:
        if run and _shown(run[0]) == _shown(u):
            run.append(u)
            continue
        if run:
            yield run
        run = [u]
    if run:
        yield run


def _shown(u: UnitStats) -> tuple[object, ...]:
    return (u.counts, u.possible, _direct(u), u.light, _move(u))


def _name(run: list[UnitStats]) -> str:
    return run[0].unit.name + (f"等{len(run)}个" if len(run) > 1 else "")


class UnitsView:
    """The units: a table, or one line per row in a narrow terminal."""

    def __init__(self, result: Stats) -> None:
        self.runs = list(_runs(result.units))
        self.ended = result.ended
        self.moved = result.since is not None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < NARROW + MOVE_WIDTH * self.moved:
            # Two lines a unit: the light and the name, then every figure under it.
            for run in self.runs:
                u = run[0]
                c = u.counts
                line = _light(u.light)
                line.append("  ")
                line.append_text(safe(_name(run), "bold"))
                yield line
                direct = "" if self.ended else f" 直接{_direct(u)}"
                yield Text(
                    f"    任务{c.tasks} 完成{c.done} {_late(c, self.ended)}"
                    f"{direct} 完成率{c.completion:.0%} 延期{c.extensions}"
                    f" 可能{u.possible}"
                )
                if u.move is not None:  # a line of its own: 60 columns hold the figures only
                    place, late = move_labels(u.move.up, u.move.late)
                    word = "未完成" if self.ended else "逾期"
                    yield Text(f"    较上期 名次{place} {word}{late}")
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("督办", no_wrap=True)
        table.add_column("单位", no_wrap=True)
        for name in ENDED_HEADS if self.ended else HEADS:
            table.add_column(name, justify="right", no_wrap=True)
        if not self.ended:
            table.add_column("直接", justify="right", no_wrap=True)
        table.add_column("可能", justify="right", no_wrap=True)
        if self.moved:
            table.add_column("较上期", no_wrap=True)
        for run in self.runs:
            u = run[0]
            shown = [] if self.ended else [_direct(u)]
            table.add_row(
                _light(u.light),
                safe(_name(run)),
                *_cells(u.counts, self.ended),
                *shown,
                str(u.possible),
                *([_move(u)] if self.moved else []),
            )
        yield table


class SectionsView:
    def __init__(self, sections: Sequence[SectionStats], ended: bool = False) -> None:
        self.sections = sections
        self.ended = ended

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < NARROW:
            for s in self.sections:
                c = s.counts
                line = _light(c.light)
                line.append(f"  {s.section.id}  任务{c.tasks} 完成{c.done} {_late(c, self.ended)}")
                line.append(f" {c.completion:.0%} 延期{c.extensions}")
                yield line
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("督办", no_wrap=True)
        table.add_column("部分", overflow="fold")
        for name in ENDED_HEADS if self.ended else HEADS:
            table.add_column(name, justify="right", no_wrap=True)
        for s in self.sections:
            table.add_row(
                _light(s.counts.light),
                safe(f"{s.section.id}、{s.section.title}"),
                *_cells(s.counts, self.ended),
            )
        yield table


def stats_view(result: Stats) -> RenderableType:
    parts: list[RenderableType] = [
        Text(
            f"各单位督办统计 · 截至 {zh_date(result.as_of)}"
            + ("" if result.ended else f" · 临期窗口 {result.within} 天"),
            style="bold",
        ),
        UnitsView(result),
    ]
    merged = [run for run in _runs(result.units) if len(run) > 1]
    if merged:
        parts.append(Text(""))
    for run in merged:
        names = [u.unit.name for u in run]
        head = [f"{_name(run)}（各项数字相同）："]
        pieces = head + [n + "、" for n in names[:-1]] + names[-1:]
        parts.append(Pieces(pieces, style="dim", sep="", indent="  "))
    if result.groups:
        late = "未完成" if result.ended else "逾期、临期"
        parts += [Text(""), Text(f"经统称涉及的{late}任务（每项按统称列一行）", style="bold")]
        for g in result.groups:
            days = f"，逾期{-g.days_left}天" if g.days_left is not None and g.days_left < 0 else ""
            line = safe(f"{g.group}：任务 {g.task.id} {STATUS_LABELS[g.status]}{days}")
            line.append(f"，已报 {g.reported}/{g.members}", style="dim")
            parts.append(line)
    parts += [
        Text(""),
        Text("各部分督办统计", style="bold"),
        SectionsView(result.sections, result.ended),
    ]
    notes = [
        UNIT_LIGHTS_NOTE,
        "部分：红灯有逾期任务，黄灯有即将到期的任务，绿灯按期推进或已完成。",
        behind.rank_note(),
        "“直接”：直接点名本单位的任务中逾期/临期的项数。“完成”含本单位报告完成和已销号的任务。",
        "“可能”是写作“各相关部门/各相关单位”的任务，不计入其他各列。",
        "部分：“完成”只计已销号的任务。",
    ]
    if result.ended:
        notes = [
            "计划已结束：“未完成”是计划结束时仍未完成的任务。",
            UNIT_LIGHTS_NOTE_ENDED,
            "部分：红灯有未完成的任务，绿灯没有。",
            behind.rank_note(ended=True),
            "年终的按期完成率见 gkctl report -t year。",
            "“完成”含本单位报告完成和已销号的任务；部分：“完成”只计已销号的任务。",
            "“可能”是写作“各相关部门/各相关单位”的任务，不计入其他各列。",
        ]
    if result.since is not None:
        late = "未完成" if result.ended else "逾期"
        notes.append(
            f"较上期：与 {zh_date(result.since)} 相比（先名次，后{late}数）。{move_note(result.ended)}"
        )
    return Group(*parts, Text(""), *(Text(n, style="dim") for n in notes))


# Short heads keep the trend table within 80 columns (as HEADS above).
TREND_HEADS = {
    status.Status.OVERDUE: "逾期",
    status.Status.DUE_SOON: "临期",
    status.Status.PENDING: "待部署",
    status.Status.UNDATED: "未明确",
    status.Status.ONGOING: "全年持续",
    status.Status.OPEN: "未到期",
    status.Status.REPORTED: "待销号",
    status.Status.DONE: "已完成",
}


class TrendView:
    """The trend: a table of months, or one line a month in a narrow terminal."""

    def __init__(self, trend: Trend) -> None:
        self.trend = trend
        every = Counter({st: sum(p.counts[st] for p in trend.points) for st in status.Status})
        self.statuses = status.listed(every)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        points = self.trend.points
        if options.max_width < NARROW:
            for p in points:
                line = Text(month_label(p.day), style="bold")
                line.append(f"  序时进度 {percent(p.schedule)} 完成进度 {percent(p.progress)}")
                yield line
                pieces = [f"{STATUS_LABELS[st]}{p.counts[st]}" for st in self.statuses]
                yield Pieces(["    " + pieces[0], *pieces[1:]], sep=" ", indent="    ")
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("月份", no_wrap=True)
        for st in self.statuses:
            table.add_column(TREND_HEADS[st], justify="right", no_wrap=True)
        table.add_column("序时进度", justify="right", no_wrap=True)
        table.add_column("完成进度", justify="right", no_wrap=True)
        for p in points:
            overdue = p.counts[status.Status.OVERDUE]
            table.add_row(
                month_label(p.day),
                *(
                    Text(
                        str(p.counts[st]),
                        style=LIGHT_STYLES[Light.RED]
                        if st is status.Status.OVERDUE and overdue
                        else "",
                    )
                    for st in self.statuses
                ),
                percent(p.schedule),
                percent(p.progress),
            )
        yield table


def trend_view(trend: Trend) -> RenderableType:
    head = safe(
        f"各月走势 · {zh_date(trend.start)}起，截至 {zh_date(min(trend.as_of, trend.end))}"
        f" · 临期窗口 {trend.within} 天",
        "bold",
    )
    if not trend.points:
        return Group(head, safe(f"查看日期在计划开始（{zh_date(trend.start)}）之前，还没有走势。"))
    notes = [
        "每月按月末（本月按查看日期）各任务的状态计数，依据进展、销号、延期决定的日期，不需要 git 历史。",
        "序时进度：有截止日期的任务中，计划截止日期（不计延期）已到的比例；"
        "完成进度：同一批任务中已销号的比例。",
    ]
    return Group(head, TrendView(trend), Text(""), *(safe(n, "dim") for n in notes))
