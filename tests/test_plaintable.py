"""views.plaintable draws gkctl's listings with the characters Rich's Table draws.

Each case is drawn twice on the same colourless console: by Rich (the table itself) and by
plaintable.draw (what TaskListing yields when no styles are written). Real listings of every
unit of the bundled and a generated plan at several widths, and any text (hypothesis): wide
and narrow characters, long words, the 禁则 marks, markup-like brackets, control characters,
line breaks; columns wide enough to make Rich narrow the task column, or the table too wide
for the line.
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gkctl.core import status
from gkctl.core.model import Dataset
from gkctl.views import plaintable, terminal
from tests.test_fast_paths import dataset, generated, overlapping  # noqa: F401

WIDTHS = [72, 80, 100, 120, 200]


def _console(width: int) -> Console:
    # As gkctl's console when piped: no colour system, so no escape codes are written.
    return Console(width=width, color_system=None, highlight=False, emoji=False)


def _by_rich(table: Table, width: int) -> str:
    console = _console(width)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _drawn(table: Table, width: int) -> str | None:
    console = _console(width)
    segments = plaintable.draw(table, console, console.options)
    if segments is None:
        return None
    return "".join(s.text for s in segments)


def _listing(states: list[status.TaskState], with_unit: bool, more: int = 0) -> Table:
    half = len(states) // 2
    sections = [
        terminal.Section("已逾期（3）", "bold red", states[:half], more),
        terminal.Section("即将到期（2）", "yellow", states[half:], 0),
    ]
    return terminal.TaskListing(sections, with_unit)._table()


@pytest.mark.parametrize("width", WIDTHS)
def test_real_listings(dataset: Dataset, width: int) -> None:  # noqa: F811
    drawn = 0
    for unit in dataset.directory.units[:12]:
        states = status.unit_states(dataset, unit, date(2024, 10, 15))[:60]
        if not states:
            continue
        table = _listing(states, with_unit=True, more=len(states) * 7)
        got = _drawn(table, width)
        if got is None:
            # Left to Rich only where the fixed columns leave the task column too little
            # room (a generated plan's long deadlines at 72 columns).
            assert width < 100, (unit.name, width)
            continue
        assert got == _by_rich(table, width), (unit.name, width)
        drawn += 1
    assert drawn or width < 100


def test_the_due_view_is_drawn_by_plaintable(gk) -> None:
    """The path is taken where it should be: the view's table is not Rich's (a table Rich
    drew would pass through Table._render)."""
    calls = []
    original = Table._render

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(self)
        return original(self, *args, **kwargs)

    Table._render = spy  # type: ignore[method-assign]
    try:
        result = gk("due", "--unit", "区经委", "--as-of", "2024-10-15")
    finally:
        Table._render = original  # type: ignore[method-assign]
    assert result.exit_code == 0
    assert "已逾期" in result.stdout and "序号  任务" in result.stdout
    assert calls == []


def test_a_colour_console_gets_rich() -> None:
    table = _listing([], with_unit=False)
    table.add_row("1", "任务")
    console = Console(width=100, color_system="truecolor", force_terminal=True)
    assert plaintable.draw(table, console, console.options) is None


def test_other_tables_are_left_to_rich() -> None:
    console = _console(100)
    boxed = Table()
    boxed.add_column("a")
    boxed.add_row("1")
    titled = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title="标题")
    titled.add_column("a")
    titled.add_column("b")
    for table in (boxed, titled):
        assert plaintable.draw(table, console, console.options) is None


_pieces = st.sampled_from(
    [
        "推进政务公开",
        "标准化规范化",
        "，",
        "。",
        "“",
        "”",
        "（",
        "）",
        "、",
        " ",
        "  ",
        "gkctl",
        "https://example.gov.cn/zwgk/2024/very-long-address-without-spaces",
        "[red]",
        "[/]",
        "\n",
        "\t",
        "\x1b",
        "１２月底前",
        "……",
        "a",
        "2024-10-15",
        # Characters whose width is not one per code point: combining marks (0 cells),
        # emoji with a skin tone or a variation selector, a flag, an emoji ZWJ sequence (the
        # joiner is unsafe, shown as \u200d), half-width kana with a voiced mark, Hangul.
        "e\u0301",
        "\u0301",
        "👍🏽",
        "❤\ufe0f",
        "🇨🇳",
        "👨\u200d👩\u200d👧",
        "ｶﾞ",
        "한글",
        "\u3000",
    ]
)
_text = st.lists(_pieces, max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(_text, _text, _text, _text, st.booleans()), min_size=1, max_size=6),
    width=st.integers(min_value=8, max_value=160),
)
def test_any_text(rows: list[tuple[str, str, str, str, bool]], width: int) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("序号", justify="right", no_wrap=True)
    table.add_column("任务", ratio=1, min_width=10, overflow="fold")
    table.add_column("时间节点", no_wrap=True)
    table.add_column("天数", no_wrap=True, justify="right")
    for mark, task, deadline, days, blank in rows:
        if blank:
            table.add_row()
            table.add_row("", Text(task, style="dim"))
        table.add_row(
            mark.replace("[", "(")[:8],  # a str cell: Rich reads markup in it
            terminal.safe(task),
            terminal.safe(deadline),
            Text(days),
        )
    got = _drawn(table, width)
    if got is not None:  # None: left to Rich, which is always right
        assert got == _by_rich(table, width)


@settings(max_examples=300, deadline=None)
@given(
    text=_text,
    width=st.integers(min_value=1, max_value=30),
    spans=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=3),
)
def test_plain_lines_are_the_wrapped_lines(
    text: str, width: int, spans: list[tuple[int, int]]
) -> None:
    """ChineseText.plain_lines (the piped fast path) gives the characters of wrap()'s lines,
    padded or cut to the width, for any text safe() lets through, at any width down to one
    cell, with spans kept whole (unit names) anywhere in it."""
    from rich.cells import set_cell_size

    cell = terminal.safe(text)
    cell.whole = tuple(sorted((a, b) for a, b in spans if a < b <= len(cell.plain)))
    fast = cell.plain_lines(width, "default", "fold")
    if fast is None:  # a tab: left to wrap()
        assert "\t" in cell.plain
        return
    wrapped = cell.wrap(_console(100), width, justify="default", overflow="fold")
    assert fast == ([set_cell_size(line.plain, width) for line in wrapped] or [" " * width])


def test_quick_cell_sizes_are_richs_in_every_unicode_version() -> None:
    """terminal._Cells answers printable ASCII and 一 to 龥 without Rich's table: Rich's
    table for every Unicode version it has must agree (UNICODE_VERSION picks one)."""
    import pkgutil

    import rich._unicode_data
    from rich.cells import get_character_cell_size

    versions = [
        m.name.removeprefix("unicode").replace("-", ".")
        for m in pkgutil.iter_modules(rich._unicode_data.__path__)
        if m.name.startswith("unicode")
    ]
    assert len(versions) > 10
    quick = terminal._Cells()
    for low, high in ((0x20, 0x7E), (0x4E00, 0x9FA5)):
        for code in range(low, high + 1):
            char = chr(code)
            for version in versions:
                assert get_character_cell_size(char, version) == quick[char], (hex(code), version)


@settings(max_examples=200, deadline=None)
@given(text=_text)
def test_widest_is_what_rich_measures(text: str) -> None:
    from rich.cells import cell_len

    cell = terminal.safe(text)
    lines = cell.plain.splitlines()
    rich_widest = max((cell_len(line) for line in lines), default=0)
    found = cell.widest()
    assert found is None or found == rich_widest
    assert plaintable._widest(cell, {}) == rich_widest


@pytest.mark.parametrize("width", [50, 72, 80, 100, 120])
def test_piped_is_what_rich_prints(dataset: Dataset, width: int) -> None:  # noqa: F811
    """terminal.piped (print_trimmed's path when piped) writes what Rich prints: the due
    view of every unit, under a note that the plan ended, at widths that stack the listing
    (< 72), leave it to Rich (a generated plan's long deadlines) or draw it."""
    from gkctl.core import planyear, unitview

    console = _console(width)
    compared = drawn = 0
    for unit in dataset.directory.units:
        for as_of in (date(2024, 10, 15), date(2026, 12, 4)):
            states = sorted(status.unit_states(dataset, unit, as_of), key=status.sort_key)
            summary = unitview.summarize(states, list(status.ATTENTION), 5)
            view = terminal.due_summary_view(summary, unit, as_of, False, 30)
            ending = planyear.ending(dataset.plan, as_of)
            view = terminal.with_ending(ending, view)
            with console.capture() as captured:
                console.print(view)
            assert terminal.piped(view, console) == captured.get(), (unit.name, as_of)
            compared += 1
            drawn += any(
                isinstance(part, terminal.TaskListing) and part.plain(console) is not None
                for part in terminal._parts(view)
            )
    assert compared
    if width >= 100:
        assert drawn  # the listing's own lines were compared too


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_piped_review_is_what_rich_prints(dataset: Dataset, width: int) -> None:  # noqa: F811
    """The office's queue (gkctl review: a Text, or a Text indented by a Padding, for each
    line of thousands in a large plan) written by terminal.piped is what Rich prints, and
    piped wrote most of its parts itself."""
    from gkctl.core.review import queue
    from gkctl.views.review import review_view

    console = _console(width)
    for as_of in (date(2024, 10, 15), date(2024, 12, 20)):
        view = review_view(queue(dataset, as_of))
        with console.capture() as captured:
            console.print(view)
        assert terminal.piped(view, console) == captured.get(), as_of
        parts = list(terminal._parts(view))
        left = [p for p in parts if terminal._plain(p, console) is None]
        if width >= 60:  # narrower, a line of facts (plain Text) may need Rich's wrap
            assert not left


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            _text,
            st.sampled_from([0, 2, 6]),
            st.booleans(),
            st.sampled_from([None, "default", "left", "right", "full"]),
            st.sampled_from([None, "fold", "crop", "ellipsis"]),
        ),
        min_size=1,
        max_size=5,
    ),
    width=st.integers(min_value=1, max_value=120),
)
def test_piped_text_is_what_rich_prints(
    parts: list[tuple[str, int, bool, str | None, str | None]], width: int
) -> None:
    """Any text, Chinese-wrapped (terminal.safe) or Rich's own, alone or indented, with any
    justify and overflow, written by terminal.piped as Rich prints it."""
    from rich.console import Group, RenderableType
    from rich.padding import Padding

    made: list[RenderableType] = []
    for text, left, chinese, justify, overflow in parts:
        cell = terminal.safe(text) if chinese else Text(text.replace("\x1b", ""))
        cell.justify = justify  # type: ignore[assignment]
        cell.overflow = overflow  # type: ignore[assignment]
        made.append(Padding(cell, (0, 0, 0, left)) if left else cell)
    view = Group(*made)
    console = _console(width)
    with console.capture() as captured:
        console.print(view)
    assert terminal.piped(view, console) == captured.get()
