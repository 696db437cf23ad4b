"""Many rows of a worksheet written as text, beside a workbook openpyxl builds.

openpyxl keeps a Python object for every cell and writes each through lxml, element by
element: a form per unit over 100,000 tasks is 1.2 million rows of 13 cells, and that
cost ~220 µs a row, nearly all of `form --each-unit`. Here a sheet's long run of rows is
kept as tuples of values and written as XML text; openpyxl builds the rest (the title and
header rows, the styles, merges, validations, protection, print setup) and writes it, and
`splice` puts the rows in the sheet's XML as it goes into the zip (xlsx_io.saved).

The XML is what openpyxl 3.1 with lxml writes for the same cells, element for element
and attribute for attribute: each string inline (`t="inlineStr"`), with
`xml:space="preserve"` when it has white space at an end, escaped as lxml escapes it (&, <,
>, CR), truncated at 32,767 characters as openpyxl truncates; numbers and dates as
openpyxl's safe_string and to_excel write them; an empty cell with a style as
`<c r=".." s=".." t="n"></c>`. Three differences, on purpose: the text is UTF-8 where
lxml writes a decimal reference for every character beyond ASCII (a Chinese character is 3
bytes, not 8: half the XML to compress, a file a fifth smaller); a text that reads as an
Excel error (#N/A, #REF!, ...) is written as text, where openpyxl made it an error cell;
and a character XML cannot carry is written as an escape, where lxml refused the whole
file. tests/test_sheetrows.py holds this to openpyxl's own writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gkctl.core import textsafe

# openpyxl's limit on a cell's text (Cell.check_string).
MAX_TEXT = 32767
# Text is joined and encoded in pieces of about this many rows.
_CHUNK_ROWS = 2048
_INF = float("inf")


@dataclass(frozen=True)
class Rows:
    """Rows from `first` on, each a sequence of cell values (str, int, float, bool, date or
    None) in columns A.., with the style index of each column (`styles[j]`, None for no
    style) and each row's height in points (None: no height written). A date (not a
    datetime) goes in a column whose style has a date format (openpyxl gives a date cell a
    format of its own). The worksheet's own cells and row heights are all above `first`
    (splice refuses rows that would interleave with them)."""

    first: int
    values: Sequence[Sequence[Any]]
    heights: Sequence[float | None]
    styles: Sequence[int | None]
    # Rows of several kinds (a heading, a task row): each row's kind, whose column styles
    # are by_kind[kind] instead of `styles`.
    kinds: Sequence[str] | None = None
    by_kind: Mapping[str, Sequence[int | None]] = field(default_factory=dict)

    @property
    def last(self) -> int:
        return self.first + len(self.values) - 1


def text_xml(value: str) -> str:
    """A cell's text (its <is> element) as openpyxl writes it through lxml; a character
    XML cannot carry (where lxml refused the whole file) as an escape (textsafe.xml_text)."""
    value = textsafe.xml_text(value)[:MAX_TEXT]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    # str.replace finds nothing fast; str.translate walks a Chinese text a character at a
    # time (1.3 s of the forms over 10,000 tasks).
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{space}>{escaped.replace(chr(13), '&#13;')}</t></is>"


def _number(value: float) -> str:
    # openpyxl.compat.safe_string
    return f"{value:.16g}"


class _Columns:
    """Each column's cell up to its row number ('<c r="B'), after it (' s="9"'; style 0,
    the default, is not written), and an empty cell's (None with no style: not written)."""

    def __init__(self, styles: Sequence[int | None]) -> None:
        from openpyxl.utils import get_column_letter

        self.opens = [f'<c r="{get_column_letter(j + 1)}' for j in range(len(styles))]
        self.styles = [f' s="{s}"' if s else "" for s in styles]
        self.empty = [
            (o, f'"{s} t="n"></c>') if s else None
            for o, s in zip(self.opens, self.styles, strict=True)
        ]


def row_texts(rows: Rows) -> Iterator[str]:
    """The rows' XML, a row at a time."""
    from openpyxl.utils.datetime import to_excel

    days: dict[date, str] = {}
    plain = _Columns(rows.styles)
    by_kind = {kind: _Columns(styles) for kind, styles in rows.by_kind.items()}
    for i, (values, height) in enumerate(zip(rows.values, rows.heights, strict=True)):
        columns = by_kind[rows.kinds[i]] if rows.kinds is not None else plain
        opens, styles, empty = columns.opens, columns.styles, columns.empty
        r = str(rows.first + i)
        parts = [
            f'<row r="{r}" ht="{_number(height)}" customHeight="1">'
            if height is not None
            else f'<row r="{r}">'
        ]
        for j, value in enumerate(values):
            if value is None:
                blank = empty[j]
                if blank is not None:
                    parts += (blank[0], r, blank[1])
                continue
            parts += (opens[j], r, '"', styles[j])
            if isinstance(value, str):
                parts.append(
                    f' t="inlineStr">{text_xml(value)}</c>' if value else ' t="inlineStr"></c>'
                )
            elif isinstance(value, date):
                found = days.get(value)
                if found is None:
                    found = days[value] = _number(to_excel(value))
                parts.append(f' t="n"><v>{found}</v></c>')
            elif isinstance(value, bool):
                parts.append(f' t="b"><v>{int(value)}</v></c>')
            elif value != value or value in (_INF, -_INF):
                parts.append(' t="n"><v></v></c>')  # NaN, infinity: as openpyxl, no value
            else:
                parts.append(f' t="n"><v>{_number(value)}</v></c>')
        parts.append("</row>")
        yield "".join(parts)


def chunks(rows: Rows) -> Iterator[bytes]:
    """The rows' XML in UTF-8, a few thousand rows at a time."""
    texts = row_texts(rows)
    while True:
        piece = [t for _, t in zip(range(_CHUNK_ROWS), texts, strict=False)]
        if not piece:
            return
        yield "".join(piece).encode("utf-8")


def dimension(rows: Rows, above: str) -> str:
    """The sheet's <dimension> ref once `rows` are in: `above` is the ref openpyxl works
    out from its own cells ("A1:M5"), rows reach down to rows.last and across their
    columns."""
    from openpyxl.utils import get_column_letter, range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(above)
    width = max((len(v) for v in rows.values), default=0)
    last = f"{get_column_letter(max(max_col, width))}{max(max_row, rows.last)}"
    return f"{get_column_letter(min_col)}{min_row}:{last}"


_SHEET_DATA_END = b"</sheetData>"
_DIMENSION = b'<dimension ref="'
_ROW = b'<row r="'


def splice(sheet: bytes, rows: Rows) -> Iterable[bytes]:
    """`sheet` (a worksheet's XML as openpyxl wrote it) with `rows` at the end of its
    <sheetData> and its <dimension> widened to them, in pieces."""
    if not rows.values:
        return [sheet]
    at = sheet.index(_SHEET_DATA_END)
    head, tail = sheet[:at], sheet[at:]
    above = head.rfind(_ROW)
    if above >= 0:
        number = head[above + len(_ROW) : head.index(b'"', above + len(_ROW))]
        if int(number) >= rows.first:
            # Rows out of order are a file Excel calls corrupt: a caller's mistake.
            raise ValueError(f"rows from {rows.first} under openpyxl's row {int(number)}")
    d = head.index(_DIMENSION) + len(_DIMENSION)
    closing = head.index(b'"', d)
    widened = dimension(rows, head[d:closing].decode("ascii")).encode("ascii")
    return _joined(head[:d] + widened + head[closing:], chunks(rows), tail)


def _joined(head: bytes, middle: Iterator[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from middle
    yield tail
