"""Rich renderers: each returns a renderable; only the command layer prints.

Text from the YAML goes in as rich.text.Text (never parsed as markup), with control
characters made visible, so a task text holding "[red]" or an ESC byte prints literally.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, NamedTuple

from rich import box
from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.console import (
    Console,
    ConsoleOptions,
    Group,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
    RenderResult,
)
from rich.containers import Lines
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from gkctl.core import linebreak, textsafe, unitview
from gkctl.core.deadlines import Deadline, Kind
from gkctl.core.model import Dataset, Decision, Extension, Link, Progress, Unit
from gkctl.core.planyear import Ending
from gkctl.core.status import (
    ATTENTION,
    FINAL,
    STATUS_LABELS,
    STATUS_ORDER,
    Status,
    TaskState,
    UnitSummary,
    listed,
)
from gkctl.core.units import DIRECT
from gkctl.core.unitview import UnitDue
from gkctl.views import plaintable
from gkctl.views.labels import (
    KIND_LABELS,
    PROGRESS_LABELS,
    UNIT_KIND_LABELS,
    deadline_text,
    ended_note,
    outcome_days,
    short,
    zh_date,
)

if TYPE_CHECKING:
    from gkctl.core.behind import Answer

STATUS_STYLES = {
    Status.OVERDUE: "bold red",
    Status.DUE_SOON: "yellow",
    Status.PENDING: "cyan",
    Status.UNDATED: "magenta",
    Status.ONGOING: "blue",
    Status.OPEN: "default",
    Status.REPORTED: "green",
    Status.DONE: "green",
    Status.UNFINISHED: "bold red",
    Status.NOT_DEPLOYED: "cyan",
    Status.ONGOING_UNREPORTED: "yellow",
    Status.DONE_LATE: "magenta",
    Status.DONE_AFTER_EXTENSION: "green",
    Status.DONE_ON_TIME: "green",
    Status.ONGOING_REPORTED: "blue",
}
# Column heads for the per-unit summary, short enough for an 80-column terminal.
SHORT_LABELS = {
    Status.OVERDUE: "逾期",
    Status.DUE_SOON: "临期",
    Status.PENDING: "待部署",
    Status.UNDATED: "未明",
    Status.ONGOING: "持续",
    Status.OPEN: "未到期",
    Status.REPORTED: "待销号",
    Status.DONE: "完成",
    Status.UNFINISHED: "未完成",
    Status.NOT_DEPLOYED: "未部署",
    Status.ONGOING_UNREPORTED: "持续无报",
    Status.DONE_LATE: "逾期完成",
    Status.DONE_AFTER_EXTENSION: "延期按期",
    Status.DONE_ON_TIME: "按期",
    Status.ONGOING_REPORTED: "持续有报",
}
# The counts a summary marks in colour: what is behind.
_BEHIND = (Status.OVERDUE, Status.DUE_SOON, Status.UNFINISHED)


class Pieces:
    """Short pieces on lines, `sep` apart, wrapped between pieces and never inside one (a
    count never leaves its label behind: 已逾期 6067; a unit name stays whole), each line
    after the first starting with `indent`."""

    def __init__(
        self, pieces: Sequence[str], style: str = "", sep: str = "  ", indent: str = ""
    ) -> None:
        self.pieces, self.style, self.sep, self.indent = pieces, style, sep, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = ""
        for piece in self.pieces:
            joined = f"{line}{self.sep}{piece}" if line else piece
            if line.strip() and cell_len(joined) > options.max_width:
                yield safe(line, self.style)
                line = self.indent + piece
            else:
                line = joined
        yield safe(line, self.style)


class _Cells(dict[str, int]):
    """Rich's cell size of each character met (rich.cells.get_character_cell_size), looked
    up in C: a text's prefix sums then take one dict lookup a character. Printable ASCII
    is 1 and the ideographs 一 to 龥 (U+4E00-U+9FA5, assigned since Unicode 1.1) are 2 in
    every Unicode version Rich has a table for (tests/test_plaintable.py checks each), so
    most characters of a task's text skip Rich's search of its table."""

    def __missing__(self, char: str) -> int:
        code = ord(char)
        if 0x20 <= code <= 0x7E:
            size = 1
        elif 0x4E00 <= code <= 0x9FA5:
            size = 2
        else:
            size = get_character_cell_size(char)
        self[char] = size
        return size


_CELLS = _Cells()
# str.splitlines (how views.plaintable measures a cell's lines) breaks at these besides \n.
_OTHER_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _sums(line: str) -> list[int] | None:
    """Prefix sums of Rich's cell sizes of the line's characters: sums[b] - sums[a] is
    cell_len(line[a:b]) where Rich's cell_len adds up (rich.cells._cell_len: text with no
    zero-width joiner or variation selector 16, which join characters into one grapheme);
    None where it does not."""
    if "\u200d" in line or "\ufe0f" in line:
        return None
    return list(accumulate(map(_CELLS.__getitem__, line), initial=0))


class ChineseText(Text):
    """Text that wraps by the Chinese rules (core.linebreak): a cell never starts a line
    with ，or ” nor ends one with “, which Rich's own wrap (made for spaced words) allows.
    `whole`: (start, end) spans of the text that a line breaks around, not inside (unit
    names: 区政府办 ⏎ 公室 reads as two units)."""

    whole: tuple[tuple[int, int], ...] = ()
    _measured: tuple[str, list[list[int] | None]] | None = None

    def _line_sums(self) -> list[list[int] | None]:
        """_sums() of each line of the text (split at \\n), kept while the text is the same."""
        plain = self.plain
        if self._measured is None or self._measured[0] != plain:
            self._measured = (plain, [_sums(line) for line in plain.split("\n")])
        return self._measured[1]

    def widest(self) -> int | None:
        """The cells of the widest line, as views.plaintable measures a cell (cell_len of
        each of plain.splitlines()), from the sums the lines are broken with; None where
        they do not give it."""
        if not _OTHER_LINE_BREAKS.isdisjoint(self.plain):
            return None
        found = 0
        for sums in self._line_sums():
            if sums is None:
                return None
            found = max(found, sums[-1])
        return found

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        cut_short = (overflow or self.overflow) in ("crop", "ellipsis")
        if no_wrap or self.no_wrap or overflow == "ignore" or cut_short:
            return super().wrap(
                console,
                width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size,
                no_wrap=no_wrap,
            )
        # Text.wrap with the line breaks from core.linebreak (measured as Rich measures).
        lines = Lines()
        offset = 0
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            plain = line.plain
            spans = self._breaks(plain, offset, width)
            offset += len(plain) + 1  # and the line break
            cuts = [start for start, _ in spans[1:]]
            pieces = line.divide(cuts)
            for piece in pieces:
                piece.rstrip()  # the spaces at a break
            pieces.justify(
                console, width, justify=justify or self.justify or "default", overflow="fold"
            )
            for piece in pieces:
                piece.truncate(width, overflow="fold")
            lines.extend(pieces)
        return lines

    def _breaks(
        self, plain: str, offset: int, width: int, sums: list[int] | None = None
    ) -> list[tuple[int, int]]:
        """Where the line of the text that starts at `offset` breaks at `width` (`sums`: the
        line's _sums(), where they were taken)."""
        whole = [
            (start - offset, end - offset)
            for start, end in self.whole
            if offset <= start and end <= offset + len(plain)
        ]
        found = sums if sums is not None else _sums(plain)
        if found is None:  # graphemes Rich measures whole
            return linebreak.break_offsets(plain, width, cell_len, whole) or [(0, 0)]
        # Else Rich's cell_len is the sum of its characters' sizes.
        return linebreak.break_sums(plain, width, found, whole) or [(0, 0)]

    def plain_lines(
        self, width: int, justify: str, overflow: str, pad: bool = True
    ) -> list[str] | None:
        """The characters of wrap()'s lines, each padded or cut to `width` cells, for a
        console that writes no styles (views.plaintable): the same lines without building
        a Text for each piece. None where wrap() does more than break, strip and pad.
        `pad=False`: a line that fits is not padded (the Text printed alone)."""
        plain = self.plain
        if (
            "\t" in plain
            or self.no_wrap
            or justify not in ("default", "left")
            or overflow in ("crop", "ellipsis", "ignore")
            or (self.overflow or "fold") != "fold"
        ):
            return None
        out: list[str] = []
        offset = 0
        for line, sums in zip(plain.split("\n"), self._line_sums(), strict=True):
            # Pieces as wrap() divides them: from one break to the next (the first from the
            # line's start, spaces and all), each stripped on the right.
            breaks = self._breaks(line, offset, width, sums)
            cuts = [0, *(start for start, _ in breaks[1:]), len(line)]
            for a, b in pairwise(cuts):
                piece = line[a:b].rstrip()
                # set_cell_size(piece, width), its cells taken from the sums where it fits.
                if sums is not None:
                    cells = sums[a + len(piece)] - sums[a]
                else:  # Rich measures graphemes whole; padded, set_cell_size measures
                    cells = width + 1 if pad else cell_len(piece)
                if cells > width:
                    out.append(set_cell_size(piece, width))
                else:
                    out.append(piece + " " * (width - cells) if pad else piece)
            offset += len(line) + 1
        return out


def safe(value: object, style: str = "") -> Text:
    """Literal text: no markup, control characters shown as \\xNN; wrapped the Chinese way."""
    return ChineseText(textsafe.visible(str(value)), style=style)


def unit_names(units: Sequence[str], lead: str | None = None, before: str = "") -> Text:
    """区政府办公室、各部门（牵头：区政府办公室） as safe() text that lines break around each
    name with its 、 (a line never starts with 、), and around the lead's （牵头：…） where it
    fits on a line, else around the lead's name (core.linebreak: spans wider than the line
    break as any text would)."""
    text = ChineseText(textsafe.visible(before))
    whole = []

    def add(part: str, keep: bool) -> None:
        shown = textsafe.visible(part)
        if keep:
            whole.append((len(text.plain), len(text.plain) + len(shown)))
        text.append(shown)

    for i, unit in enumerate(units):
        add(unit + ("、" if i < len(units) - 1 else ""), True)
    if lead:
        start = len(text.plain)
        add("（牵头：", False)
        add(f"{lead}）", True)  # with its ）, which may not start a line
        whole.append((start, len(text.plain)))
    text.whole = tuple(whole)
    return text


def _days(s: TaskState) -> Text:
    if s.final:
        return Text(outcome_days(s.status, s.days_late), style=STATUS_STYLES[s.status])
    if s.days_left is None or s.status in (Status.DONE, Status.REPORTED):
        return Text("")
    if s.days_left < 0:
        return Text(f"逾期{-s.days_left}天", style="red")
    if s.days_left == 0:
        return Text("今天到期", style="yellow")
    return Text(f"剩{s.days_left}天")


def _due_cell(s: TaskState, reported: bool = True) -> Text:
    if s.due is None:
        return Text("未明确" if s.status is Status.UNDATED else "待定", style="cyan")
    cell = Text(s.due.isoformat())
    if s.workday is not None and s.workday.date != s.due:
        cell.append(f"\n工作日 {s.workday.date:%m-%d}", style="dim")
    if s.extension is not None and s.original_due is not None:
        cell.append(f"\n已延期 原{s.original_due:%m-%d}", style="magenta")
    for note, style in notes(s, reported):
        cell.append(f"\n{note}", style=style)
    return cell


def notes(s: TaskState, reported: bool = True) -> list[tuple[str, str]]:
    """Short lines on where the cycle stands: a request waiting for the office, a report
    sent back, how many of the expected units have reported (plan-wide, while some have
    not: a `reported` task says so in its status)."""
    out = []
    task = s.task
    if task.carried_from is not None:
        out.append((f"承接 {task.carried_from}", "cyan"))
    if task.carried_to is not None:
        out.append((f"已转入 {task.carried_to}", "cyan"))
    if s.request is not None:
        out.append((f"延期申请待批 至{s.request.to:%m-%d}", "magenta"))
    if s.returned is not None and s.status is not Status.DONE:
        out.append(("已退办", "red"))
    if (
        reported
        and s.reported is not None
        and s.status not in (Status.DONE, Status.REPORTED)
        and s.involvement is None
    ):
        out.append((f"已报 {len(s.reported.units)}/{len(s.reported.expected)}", "green"))
    return out


def _how(s: TaskState) -> Text:
    how = s.involvement
    if how is None:
        return Text("")
    if how.via == DIRECT:
        return Text("牵头" if how.lead else "配合")
    return safe(how.via, "dim" if how.possible else "")


class Section(NamedTuple):
    """One block of a task listing: a title (may be empty), its rows, and how many more
    rows were left out."""

    title: str
    style: str
    states: Sequence[TaskState]
    more: int = 0


# Below this width a table of six columns leaves the task text a few characters; the
# listing is then stacked: a line of facts, the task text under it.
NARROW = 72


class TaskListing:
    """Tasks in sections: one table whose columns line up across the sections, or, in a
    narrow terminal, each task as two lines."""

    def __init__(self, sections: Sequence[Section], with_unit: bool) -> None:
        self.sections = [sec for sec in sections if sec.states or sec.more]
        self.with_unit = with_unit

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width < NARROW:
            yield from self._stacked()
            return
        table = self._table()
        # Piped (no styles written), the same characters without Rich's cell machinery.
        drawn = plaintable.draw(table, console, options)
        if drawn is None:
            yield table
        else:
            yield from drawn

    def plain(self, console: Console) -> list[str] | None:
        """The lines print() writes of the listing to a console that writes no styles, or
        None where Rich must draw it (see piped())."""
        options = console.options
        if options.max_width < NARROW:
            return None
        return plaintable.lines(self._table(), console, options)

    def _last_cell(self, s: TaskState) -> Text:
        if self.with_unit:
            return _how(s)
        return Text(STATUS_LABELS[s.status], style=STATUS_STYLES[s.status])

    def _table(self) -> Table:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("序号", justify="right", no_wrap=True)
        table.add_column("任务", ratio=1, min_width=10, overflow="fold")
        table.add_column("时间节点", no_wrap=True)
        table.add_column("截止日期", no_wrap=True)
        table.add_column("天数", no_wrap=True, justify="right")
        table.add_column("参与" if self.with_unit else "状态", no_wrap=True)
        for i, sec in enumerate(self.sections):
            if sec.title:
                if i:
                    table.add_row()
                table.add_row("", Text(sec.title, style=f"bold {sec.style}".strip()))
            for s in sec.states:
                table.add_row(
                    task_mark(s),
                    safe(short(s.task.content)),
                    safe(deadline_text(s.task.deadline)),
                    _due_cell(s),
                    _days(s),
                    self._last_cell(s),
                )
            if sec.more:
                table.add_row("", Text(_more(sec.more), style="dim"))
        return table

    def _stacked(self) -> Iterator[RenderableType]:
        for i, sec in enumerate(self.sections):
            if sec.title:
                if i:
                    yield Text("")
                yield Text(sec.title, style=f"bold {sec.style}".strip())
            for s in sec.states:
                facts = Text(f"{task_mark(s):>3}  ")
                facts.append_text(safe(deadline_text(s.task.deadline)))
                facts.append(f"  {s.due.isoformat() if s.due else '待定'}")
                if s.extension is not None:
                    facts.append("（已延期）", style="magenta")
                for note, style in notes(s):
                    facts.append(f"（{note}）", style=style)
                facts.append("  ")
                facts.append_text(_days(s))
                facts.append("  ")
                facts.append_text(self._last_cell(s))
                yield facts
                yield Padding(safe(short(s.task.content)), (0, 0, 0, 5))
            if sec.more:
                yield Text(_more(sec.more), style="dim")


def task_mark(s: TaskState) -> str:
    """The task's number; across plans, with its plan as carry links write it (2025#2)."""
    return f"{s.plan}#{s.task.id}" if s.plan else str(s.task.id)


def _more(count: int) -> str:
    return f"……另有 {count} 项，加 --limit 0 显示全部。"


def task_table(states: Sequence[TaskState], with_unit: bool) -> RenderableType:
    """A plain listing of tasks (gkctl list)."""
    return TaskListing([Section("", "", states)], with_unit)


def due_view(
    states: Sequence[TaskState],
    unit: Unit | None,
    as_of: date,
    show_all: bool,
    within: int,
    limit: int = 0,
) -> RenderableType:
    """The due view of states sorted by status.sort_key (see due_summary_view)."""
    summary = unitview.summarize(states, shown_statuses(show_all), limit)
    return due_summary_view(summary, unit, as_of, show_all, within)


def shown_statuses(show_all: bool) -> list[Status]:
    """The statuses the due view lists: every one with --all, else what needs attention."""
    return list(STATUS_ORDER) if show_all else list(ATTENTION)


def due_summary_view(
    summary: UnitDue, unit: Unit | None, as_of: date, show_all: bool, within: int
) -> RenderableType:
    """The due view: sections by status, most urgent first, each cut to the summary's
    limit, so that a plan of thousands of tasks stays a readable dashboard. In a unit's view
    the tasks that only possibly concern it (各相关部门/各相关单位) come apart, after the rest."""
    shown = shown_statuses(show_all)
    counts, maybe = summary.counts, summary.maybe
    who = unit.name if unit else "全部任务"
    parts: list[RenderableType] = [
        safe(f"{who} · 截至 {zh_date(as_of)} · 临期窗口 {within} 天", "bold")
    ]
    pieces = [f"{STATUS_LABELS[st]} {counts[st]}" for st in listed(counts)]
    if any(maybe.values()):
        pieces.append(f"（另有可能涉及 {sum(maybe.values())} 项）")
    parts.append(Pieces(pieces, style="dim"))
    sections = []
    for st in shown:
        cut = summary.rows[st]
        title = f"{STATUS_LABELS[st]}（{counts[st]}）"
        sections.append(Section(title, STATUS_STYLES[st], cut, counts[st] - len(cut)))
    maybe_count = sum(maybe[st] for st in shown)
    if maybe_count:
        cut = summary.maybe_rows
        title = f"可能涉及（{maybe_count}）"
        sections.append(Section(title, "dim", cut, maybe_count - len(cut)))
    if any(sec.states for sec in sections):
        parts.append(Text(""))
        parts.append(TaskListing(sections, unit is not None))
    if maybe_count:
        parts.append(
            Text(
                "\n可能涉及：任务写的是“各相关部门/各相关单位”，无法逐一列出，可能是本单位的。",
                style="dim",
            )
        )
    if not show_all:
        hidden = sum(counts[st] + maybe[st] for st in Status if st not in shown)
        which = "已完成或全年持续" if summary.final else "全年持续、未到期或已完成"
        if hidden:
            parts.append(Text(f"\n另有 {hidden} 项{which}的任务，加 --all 显示。", style="dim"))
    return Group(*parts)


class UnitSummaryView:
    """Per-unit counts: a table, or one line per unit in a narrow terminal."""

    def __init__(self, rows: Sequence[UnitSummary], places: dict[str, int]) -> None:
        self.rows = rows
        self.places = places

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = listed({st: sum(r.counts[st] for r in self.rows) for st in Status})
        if options.max_width < NARROW:
            for r in self.rows:
                line = Text(f"{self.places[r.unit.name]}. ")
                line.append_text(safe(r.unit.name, "bold"))
                line.append(f"  共{r.total}")
                for st in columns:
                    n = r.counts[st]
                    style = STATUS_STYLES[st] if n and st in _BEHIND else ""
                    line.append(f" {SHORT_LABELS[st]}{n}", style=style)
                line.append(f" 完成率{r.completion:.0%} 可能{r.possible}")
                yield line
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("名次", justify="right", no_wrap=True)
        table.add_column("单位", no_wrap=True)
        table.add_column("任务", justify="right", no_wrap=True)
        for st in columns:
            table.add_column(SHORT_LABELS[st], justify="right", no_wrap=True)
        table.add_column("完成率", justify="right", no_wrap=True)
        table.add_column("可能", justify="right", no_wrap=True)
        for r in self.rows:
            cells: list[RenderableType] = [
                str(self.places[r.unit.name]),
                safe(r.unit.name),
                str(r.total),
            ]
            for st in columns:
                n = r.counts[st]
                style = STATUS_STYLES[st] if n and st in _BEHIND else ""
                cells.append(Text(str(n), style=style))
            cells.append(f"{r.completion:.0%}")
            cells.append(str(r.possible))
            table.add_row(*cells)
        yield table


def summary_table(
    rows: Sequence[UnitSummary],
    ranked: Sequence[Answer],
    as_of: date,
    within: int,
    ended: bool = False,
) -> RenderableType:
    """The plan-wide due view: a row per unit, in the one ranking (core.behind), with what
    the order is by under it."""
    from gkctl.core.behind import places, rank_note  # not for one unit's view

    title = Text(f"各单位任务情况 · 截至 {zh_date(as_of)}", style="bold")
    undated = (
        "\n未明：未明确时限（任务没有时间节点）。"
        if any(r.counts[Status.UNDATED] for r in rows)
        else ""
    )
    counted = (
        "未完成（到期未完成，只计到计划最后一天）、未部署（市级始终未部署）、"
        "持续无报/持续有报（全年持续的任务有无进展记录）按单位计数；\n"
        if any(r.counts[st] for r in rows for st in FINAL)
        else f"逾期、临期（{within} 天内到期）、待部署（待市级部署）、持续（全年持续）按单位计数；\n"
    )
    note = Text(
        counted
        + "“可能”是写作“各相关部门/各相关单位”的任务（可能涉及），不计入其他各列。"
        + undated
        + "\n"
        + rank_note(ended),
        style="dim",
    )
    return Group(title, UnitSummaryView(rows, places(ranked)), note)


def explain_deadline(
    deadline: Deadline,
    year: int,
    published: date | None,
    due: date | None,
    workday: date | None,
    calendar_known: bool,
) -> RenderableType:
    """How a 时间节点 resolves; `due` is the date in force (for a recurring deadline, the
    end of the current period)."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("时间节点", safe(deadline.text))
    table.add_row("类型", f"{KIND_LABELS[deadline.kind]}（{deadline.kind.value}）")
    table.add_row("规则", safe(deadline.rule))
    table.add_row("计划年度", f"{year}年" + (f"，发布于 {zh_date(published)}" if published else ""))
    label = "本期截止" if deadline.kind is Kind.RECURRING else "截止日期"
    table.add_row(label, f"{zh_date(due)}" + (f"（{due.isoformat()}）" if due else ""))
    if workday is not None and workday != due:
        note = "" if calendar_known else "（该年份无法定节假日数据，仅按周末推算）"
        table.add_row("最后工作日", f"{zh_date(workday)}（{workday.isoformat()}）{note}")
    for m in deadline.milestones:
        table.add_row("节点", safe(f"{m.text} → {m.due.isoformat()}"))
    return table


def extension_line(e: Extension) -> str:
    """An extension entry with its decision, of a task as of a day (Task.as_of: a request
    decided later is still waiting)."""
    line = f"{e.date.isoformat()} {e.unit} 申请延期至 {e.to.isoformat()}：{e.reason}"
    line += "（逾期后申请）" if e.late else ""
    line += _recorded(e.recorded, e.date)
    if e.decided is not None and e.decision is not Decision.REQUESTED:
        word = "批准" if e.decision is Decision.APPROVED else "不批准"
        line += f"；{e.decided.isoformat()} {word}" + (
            f"：{e.decision_note}" if e.decision_note else ""
        )
        line += "（未写决定，按旧格式视为批准）" if e.legacy else ""
    else:
        line += "；待批"
    return line


def _recorded(recorded: date | None, day: date) -> str:
    """An entry written later than the day it records says when (core.planyear)."""
    return f"（{recorded.isoformat()} 录入）" if recorded is not None and recorded != day else ""


def progress_line(p: Progress) -> str:
    """A progress entry with what the office did with it, of a task as of a day
    (Task.as_of: a return or acceptance made later is not there)."""
    line = f"{p.date.isoformat()} {p.unit} {PROGRESS_LABELS[p.status]}"
    line += f"：{p.note}" if p.note else ""
    if p.link:
        line += f"（{p.link}）"
    line += _recorded(p.recorded, p.date)
    if p.returned is not None:
        line += f"；{p.returned.isoformat()} 退办：{p.return_reason}"
    if p.accepted is not None:
        line += f"；{p.accepted.isoformat()} 确认完成"
    return line


def task_detail(
    dataset: Dataset, s: TaskState, milestones: list[dict[str, object]]
) -> RenderableType:
    task = s.task
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    section = dataset.plan.section_title(task.section)
    table.add_row("序号", task_mark(s))
    if task.carried_from is not None:
        table.add_row("承接自", safe(link_words(task.carried_from)))
    if task.carried_to is not None:
        table.add_row("已转入", safe(link_words(task.carried_to)))
    table.add_row("部分", safe(f"{task.section}、{section}"))
    table.add_row("任务名称", safe(task.name))
    table.add_row("任务内容", safe(task.content))
    if task.text:
        table.add_row("要点原文", safe(task.text))
    lead = task.lead if task.lead and dataset.directory.unit(task.lead) else None
    table.add_row("责任单位", unit_names(task.units, lead))
    table.add_row("时间节点", safe(deadline_text(task.deadline)))
    table.add_row("解析", safe(s.deadline.rule))
    table.add_row("截止日期", _due_cell(s, reported=False))
    for m in milestones:
        table.add_row("节点", safe(f"{m['text']} → {m['due'] or '待定'}"))
    table.add_row(
        "状态", Text(STATUS_LABELS[s.status], style=STATUS_STYLES[s.status]) + _days_suffix(s)
    )
    if s.reported is not None and s.status is not Status.DONE:
        table.add_row(
            "已报",
            unit_names(
                s.reported.units, before=f"{len(s.reported.units)}/{len(s.reported.expected)}："
            ),
        )
    if task.closed:
        table.add_row("销号", safe(f"{task.closed.isoformat()} {task.closed_note}".strip()))
    for e in task.extensions:
        table.add_row("延期", safe(extension_line(e)))
    if task.progress:
        for p in task.progress:
            table.add_row("进展", safe(progress_line(p)))
    else:
        table.add_row("进展", Text("暂无进展记录", style="dim"))
    if task.notes:
        table.add_row("备注", safe(task.notes))
    return table


def link_words(link: Link) -> str:
    return f"计划 {link.plan} 第 {link.id} 项（{link}）"


def _days_suffix(s: TaskState) -> Text:
    days = _days(s)
    return Text("  ") + days if days.plain else Text("")


def per_plan(answers: Sequence[tuple[str, Dataset, RenderableType]], as_of: date) -> RenderableType:
    """Each plan's view under a heading that names the plan and whether it has ended."""
    from gkctl.core import planyear

    parts: list[RenderableType] = []
    for name, dataset, view in answers:
        doc = dataset.plan.document
        ending = planyear.ending(dataset.plan, as_of)
        state = f"（{ending.label}）" if ending.ended else ""
        if parts:
            parts.append(Text(""))
        parts.append(safe(f"━━ 计划 {name}：{doc.title}{state}", "bold"))
        parts.append(view)
    return Group(*parts)


def plan_list(rows: Sequence[dict[str, object]]) -> RenderableType:
    """The plans of a data folder (gkctl plan list)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("计划", no_wrap=True)
    table.add_column("标题", ratio=1, overflow="fold")
    table.add_column("年度", justify="right", no_wrap=True)
    table.add_column("任务", justify="right", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("转入", justify="right", no_wrap=True)
    table.add_column("转出", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(
            safe(r["plan"]),
            safe(r["title"]),
            str(r["year"]),
            str(r["tasks"]),
            Text(f"已于 {r['end']} 结束", style="dim")
            if r["ended"]
            else Text("进行中", style="green"),
            str(r["carried_in"]),
            str(r["carried_out"]),
        )
    return table


def unit_list(units: Sequence[Unit], groups: Sequence[object]) -> RenderableType:
    from gkctl.core.model import Group as UnitGroup

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("单位", no_wrap=True)
    table.add_column("类型", no_wrap=True)
    table.add_column("别名")
    table.add_column("备注")
    for u in units:
        note = "单位名录补充（文件未列出）" if u.source == "outside" else (u.full_name or "")
        table.add_row(
            safe(u.name), UNIT_KIND_LABELS[u.kind.value], unit_names(u.aliases), safe(note)
        )
    for g in groups:
        assert isinstance(g, UnitGroup)
        table.add_row(safe(g.name), "统称", "", safe(g.meaning))
    return table


def piped(renderable: RenderableType, out: Console) -> str:
    """What out.print(renderable) writes, for a console that writes no styles (piped to a
    file or a program). A TaskListing's lines come from views.plaintable as they are: they
    fit the width by construction, and Rich's print would measure each of their characters
    again to crop them (4 ms of the 190 rows of a unit's due view). The rest is printed by
    Rich, a run of parts at a time, inside a Group as print() would render them: each part
    ends its last line, so the lines are the same."""
    done: list[str] = []
    rest: list[RenderableType] = []

    def flush() -> None:
        if rest:
            with out.capture() as captured:
                out.print(Group(*rest))
            done.append(captured.get())
            rest.clear()

    # Asked once: Console.width looks at the terminal each time (thousands of parts).
    width = out.width if out.color_system is None else None
    for part in _parts(renderable):
        lines = None if width is None else _plain(part, out, width)
        if lines is None:
            rest.append(part)
        else:
            flush()
            done.extend(line + "\n" for line in lines)
    flush()
    return "".join(done)


def _plain(part: RenderableType, out: Console, width: int | None = None) -> list[str] | None:
    """The lines out.print(part) writes to a console that writes no styles, where they are
    sure without Rich: a TaskListing, and a Text alone or indented by a Padding (what
    `gkctl review` prints, a line for each of thousands of tasks in a large plan); else
    None. `width`: out.width, where the caller has it."""
    if out.color_system is not None:
        return None
    if isinstance(part, TaskListing):
        return part.plain(out)
    left = 0
    if isinstance(part, Padding):
        if part.top or part.right or part.bottom or not part.expand:
            return None
        left, part = part.left, part.renderable
    if not isinstance(part, Text) or part.end != "\n" or part.no_wrap:
        return None
    width = (out.width if width is None else width) - left
    padded = left > 0  # Padding pads each line to the width; a Text alone does not
    justify = part.justify or "default"
    if width < 2 or justify not in ("default", "left") or (part.overflow or "fold") != "fold":
        return None
    if justify == "left" and not padded:
        return None  # Rich pads a left-justified line itself
    if isinstance(part, ChineseText):
        lines = part.plain_lines(width, justify, "fold", pad=padded)
    else:  # Rich's own wrap: only a line that fits, which it leaves as it is
        plain = part.plain
        cells = cell_len(plain)
        if cells > width or not plain.isprintable():
            return None
        lines = [plain + " " * (width - cells) if padded else plain]
    if lines is None:
        return None
    indent = " " * left
    return [indent + line for line in lines]


def _parts(renderable: RenderableType) -> Iterator[RenderableType]:
    """The parts of nested Groups, in order (a Group renders as its parts one after
    another, each with the same options)."""
    if isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from _parts(part)
    else:
        yield renderable


def with_ending(ending: Ending, view: RenderableType) -> RenderableType:
    """The view under a line saying the plan has ended, where it has: its statuses are
    then final outcomes (core.planyear)."""
    if not ending.ended:
        return view
    return Group(safe(ended_note(ending), "bold magenta"), view)


def console() -> Console:
    """A console for the command layer. Rich colours only a terminal and honours NO_COLOR;
    COLUMNS fixes the width (the tests set it).

    On Windows Rich takes any output without VT codes for the legacy console, which wraps at
    its last column, and draws a column narrower (two, with COLUMNS and LINES set: rich 15
    takes it off twice). A pipe or a file has no such column, so Rich's guess is left to
    a terminal: piped tables are as wide on Windows as elsewhere (found under Wine)."""
    try:
        terminal = sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stdout, or a closed one
        terminal = False
    return Console(highlight=False, emoji=False, legacy_windows=None if terminal else False)
