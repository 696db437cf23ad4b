"""A Rich table drawn straight to characters, for a console that writes no styles.

A unit's due view lists up to ~250 rows. Rich lays a table out through its general
machinery: every cell measured through Padding and Measurement, then rendered to segment
lists that are padded, cropped and shaped one by one; for 250 rows that was 0.10-0.15 s, more
than the rest of a warm `due --unit` over 100,000 tasks. Where the console writes no escape
codes (piped to a file or another program: no colour system), only the characters count,
and for the tables gkctl draws (no edge, no edge padding, padding collapsed, no title or
lines between rows) they follow from the column widths and each cell's wrapped lines. This
module computes both as Rich does, with Rich's own pieces (Text.wrap, the collapse of
Table._collapse_widths, the box's characters), and nothing else. A table it does not
cover, or a console that writes styles, gets None: Rich draws it.
tests/test_plaintable.py holds the two to the same characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich._pick import pick_bool
from rich._ratio import ratio_reduce
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text


def draw(table: Table, console: Console, options: ConsoleOptions) -> list[Segment] | None:
    """The table's lines as Rich would write them to `console` (one segment a line), or
    None where this is not sure to be so."""
    found = lines(table, console, options)
    return None if found is None else [Segment(line + "\n") for line in found]


def lines(table: Table, console: Console, options: ConsoleOptions) -> list[str] | None:
    """The table's lines as Rich would write them to `console`, each as wide as the table
    (never wider than options.max_width), or None where this is not sure to be so."""
    if console.color_system is not None or not _covered(table):
        return None
    assert table.box is not None  # _covered
    columns = table.columns
    texts = [[_text(console, options, c) for c in (col.header, *col.cells)] for col in columns]
    # A listing repeats its short cells (a deadline, a date, 逾期198天) down its rows: each
    # is measured and laid out once.
    measured: dict[str, int] = {}
    made: dict[tuple[str, int, str], list[str]] = {}
    widest = [[_widest(t, measured) for t in col] for col in texts]
    pads = [0 if i == len(columns) - 1 else 1 for i in range(len(columns))]
    extra = len(columns) - 1
    max_width = (table.width if table.width is not None else options.max_width) - extra
    if max_width < 1:
        return None
    widths = _widths(columns, widest, pads, max_width)
    if widths is None or any(w - p < 1 for w, p in zip(widths, pads, strict=True)):
        return None
    if sum(widths) > max_width:
        return None  # wider than the line: what the console then crops is left to Rich
    box = table.box.substitute(options, safe=pick_bool(table.safe_box, console.safe_box))
    out: list[str] = []
    rows = len(texts[0])
    for r in range(rows):
        first, last = r == 0, r == rows - 1
        cells = [
            _lines(console, table, col, texts[i][r], widths[i] - pads[i], made)
            for i, col in enumerate(columns)
        ]
        height = max(len(c) for c in cells)
        divider = box.head_vertical if first else box.foot_vertical if last else box.mid_vertical
        shaped = [_shape(c, widths[i] - pads[i], height, bottom=first) for i, c in enumerate(cells)]
        for n in range(height):
            out.append(divider.join(shaped[i][n] + " " * pads[i] for i in range(len(columns))))
        if first:
            out.append(box.get_row(widths, "head", edge=False))
    return out


def _covered(table: Table) -> bool:
    """What draw() reproduces: the shape of gkctl's listings."""
    return (
        table.box is not None
        and table.show_header
        and not table.show_edge
        and not table.pad_edge
        and table.collapse_padding
        and tuple(table.padding) == (0, 1, 0, 1)
        and not table.expand
        and table.min_width is None
        and not table.show_footer
        and not table.show_lines
        and not table.leading
        and not table.title
        and not table.caption
        and not any(row.end_section for row in table.rows)
        and all(col.width is None and col.vertical == "top" for col in table.columns)
        and len(table.columns) > 1
    )


def _text(console: Console, options: ConsoleOptions, cell: object) -> Text | None:
    """A cell as the Text Rich renders (a str as console markup, as Rich reads it); None
    for anything else."""
    if cell is None or cell == "":
        return Text("")
    if isinstance(cell, Text):
        return cell
    if isinstance(cell, str):
        return console.render_str(cell, markup=options.markup, highlight=False)
    return None


def _widest(text: Text | None, measured: dict[str, int]) -> int:
    """Text.__rich_measure__'s maximum: the widest line (-1: not a Text). `measured`: the
    plain texts measured before, and their widths."""
    if text is None:
        return -1
    widest = getattr(text, "widest", None)  # views.terminal.ChineseText: from its sums
    found: int | None = widest() if widest is not None else None
    if found is not None:
        return found
    plain = text.plain
    found = measured.get(plain)
    if found is None:
        lines = plain.splitlines()
        found = measured[plain] = max(cell_len(line) for line in lines) if lines else 0
    return found


def _column_width(column: Column, widest: Sequence[int], pad: int, room: int) -> int:
    """Table._measure_column's maximum for a column of cells this wide, in `room` cells:
    each cell a Padding around a Text, measured as Measurement.get does."""
    if room < 1:
        return 0
    found = 0
    for w in widest:
        if room - pad < 1:
            cell = room
        else:
            inner = min(w, room)
            cell = min(inner + pad, room) if inner >= 1 else min(pad, room)
        found = max(found, cell)
    found = min(found, room)  # with_maximum
    if column.min_width is not None:
        found = max(found, column.min_width + pad)
    if column.max_width is not None:
        found = min(found, column.max_width + pad)
    return found


def _widths(
    columns: Sequence[Column], widest: Sequence[Sequence[int]], pads: Sequence[int], room: int
) -> list[int] | None:
    """Table._calculate_column_widths for a table that is not expanded."""
    if any(w < 0 for col in widest for w in col):
        return None  # a cell that is not text: Rich measures it
    widths = [
        _column_width(col, w, p, room) or 1 for col, w, p in zip(columns, widest, pads, strict=True)
    ]
    if sum(widths) > room:
        widths = Table._collapse_widths(
            widths, [col.width is None and not col.no_wrap for col in columns], room
        )
        if sum(widths) > room:
            widths = ratio_reduce(sum(widths) - room, [1] * len(widths), widths, widths)
        widths = [
            _column_width(col, w, p, width) or 0
            for col, w, p, width in zip(columns, widest, pads, widths, strict=True)
        ]
    return widths


def _lines(
    console: Console,
    table: Table,
    column: Column,
    text: Text | None,
    width: int,
    made: dict[tuple[str, int, str], list[str]],
) -> list[str]:
    """A cell's lines, each `width` cells wide, as Text.__rich_console__ wraps it in the
    column (justify, overflow, no_wrap) and render_lines pads or crops it. `made`: the
    lines of cells that fit unbroken, by text, width and justification, made before."""
    assert text is not None  # _widths gave up on cells that are not text
    justify = text.justify or column.justify or "default"
    no_wrap = text.no_wrap if text.no_wrap is not None else column.no_wrap
    plain = text.plain
    if no_wrap and justify in ("left", "default", "right") and "\t" not in plain:
        # What Text.wrap makes of lines that fit, without building a Text for each: most
        # cells (numbers, dates, days) are these.
        key = (plain, width, justify)
        found = made.get(key)
        if found is not None:
            return found
        lines = plain.split("\n")
        if all(cell_len(line) <= width for line in lines):
            if justify == "right":  # Lines.justify: stripped on the right, padded on the left
                found = [" " * (width - cell_len(line.rstrip())) + line.rstrip() for line in lines]
            else:
                found = [line + " " * (width - cell_len(line)) for line in lines]
            made[key] = found
            return found
    overflow = text.overflow or column.overflow or "fold"
    plain_lines = getattr(text, "plain_lines", None)  # views.terminal.ChineseText
    if plain_lines is not None and not no_wrap:
        broken: list[str] | None = plain_lines(width, justify, overflow)
        if broken is not None:
            return broken
    wrapped = text.wrap(
        console,
        width,
        justify=justify,
        overflow=overflow,
        tab_size=(console.tab_size if text.tab_size is None else text.tab_size) or 8,
        no_wrap=no_wrap,
    )
    return [set_cell_size(line.plain, width) for line in wrapped] or [" " * width]


def _shape(lines: list[str], width: int, height: int, bottom: bool) -> list[str]:
    """A cell's lines made `height` high with blank lines, below them (a header: above)."""
    blank = [" " * width] * (height - len(lines))
    return blank + lines if bottom else lines + blank
