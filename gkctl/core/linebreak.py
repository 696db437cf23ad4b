"""Chinese line-breaking for terminals: where a paragraph may break so that each line fits a
width in terminal columns and the 禁则 hold (no line starts with a comma or closing bracket,
none ends with an opening one). Shared by the help formatter and the Rich tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

# East Asian wide characters (CJK, full-width forms): two terminal columns each. Plain range
# checks rather than a regular expression: this module loads with every table, and compiling
# a pattern of these ranges costs about 3 ms of start-up (a tracked figure).
_WIDE_RANGES = (
    (0x1100, 0x115F),
    (0x2E80, 0x303E),
    (0x3041, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFF60),
    (0xFFE0, 0xFFE6),
)
# These never start a line ("." is left out: a line may start with .docx); these never end one.
NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】…—,;:?!)]}%")
NO_LINE_END = frozenset("（《「『“‘〔【([{")


def is_wide(char: str) -> bool:
    code = ord(char)
    if code < 0x1100:
        return False
    if 0x4E00 <= code <= 0x9FFF:  # the common ideographs first: most of a task's text
        return True
    # A loop, not any(…) over a generator: a table cell asks this of every character.
    for low, high in _WIDE_RANGES:  # noqa: SIM110
        if low <= code <= high:
            return True
    return False


def width(text: str) -> int:
    """How many terminal columns text takes."""
    return sum(2 if is_wide(char) else 1 for char in text)


def _tokens(text: str, whole: Sequence[tuple[int, int]] = ()) -> Iterator[tuple[int, int]]:
    """Breakable pieces as (start, end): the `whole` spans (names a line must not split),
    click's notes ([默认：30；0<=x<=3660]) whole, each wide character alone, a run of narrow
    ones (a word, a number, an option name) whole, a run of spaces."""
    ends = {start: end for start, end in whole if end > start}
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        j = i + 1
        if i in ends:
            j = min(ends[i], n)
        elif char.isspace():
            while j < n and text[j].isspace():
                j += 1
        elif char == "[" and _note_end(text, i) > i:
            j = _note_end(text, i)
        elif not is_wide(char):
            while j < n and not text[j].isspace() and not is_wide(text[j]):
                j += 1
        yield i, j
        i = j


def _note_end(text: str, start: int) -> int:
    """The end of a [note] that starts at `start` (no space or bracket inside), else -1."""
    j = start + 1
    while j < len(text) and text[j] not in "[]" and not text[j].isspace():
        j += 1
    return j + 1 if j < len(text) and text[j] == "]" and j > start + 1 else -1


def break_offsets(
    text: str,
    columns: int,
    measure: Callable[[str], int] = width,
    whole: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """The lines of one paragraph as (start, end) character offsets into `text`: each line
    at most `columns` wide (a word wider than that is cut), spaces at a break left out, and
    a character that may not start a line carried down with the one before it. The `whole`
    spans (a unit name with its 、) are not broken, unless one is wider than the line."""
    return break_spans(text, columns, lambda a, b: measure(text[a:b]), whole)


def break_spans(
    text: str,
    columns: int,
    span: Callable[[int, int], int],
    whole: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """break_offsets, with the width of text[a:b] given as span(a, b): from prefix sums of
    its characters' widths, where the measure adds up, each token costs a subtraction."""
    columns = max(columns, 2)
    # A span wider than the line breaks as any text would (the 禁则 still hold).
    whole = [(a, b) for a, b in whole if span(a, b) <= columns]
    lines: list[list[tuple[int, int]]] = [[]]
    used = 0
    for start, end in _tokens(text, whole):
        line = lines[-1]
        if text[start].isspace() and text[start:end].isspace():
            if line:
                line.append((start, end))
                used += span(start, end)
            continue
        size = span(start, end)
        if used + size > columns and line:
            _drop_spaces(text, line)
            carried: list[tuple[int, int]] = []
            head = text[start]
            while head in NO_LINE_START and len(line) > 1:  # "1），" moves down whole
                piece = line.pop()
                carried.insert(0, piece)
                head = text[piece[0]]
            while carried and text[carried[0][0] : carried[0][1]].isspace():
                carried.pop(0)
            _drop_spaces(text, line)
            while len(line) > 1 and text[line[-1][1] - 1] in NO_LINE_END:
                carried.insert(0, line.pop())
            # What moves down is measured up to this token, spaces between included.
            used = span(carried[0][0], start) if carried else 0
            if used + size > columns:
                line.extend(carried)  # the 禁则 give way to the width
                _drop_spaces(text, line)
                carried, used = [], 0
            lines.append(carried)
            line = lines[-1]
        while size > columns and not line:  # a word wider than the line: cut it
            cut = start
            while cut < end and span(start, cut + 1) <= columns:
                cut += 1
            cut = max(cut, start + 1)
            line.append((start, cut))
            lines.append([])
            line = lines[-1]
            start = cut
            size = span(start, end)
        if start < end:
            line.append((start, end))
            used += size
    out = []
    for line in lines:
        _drop_spaces(text, line)
        if line:
            out.append((line[0][0], line[-1][1]))
    return out


def _drop_spaces(text: str, line: list[tuple[int, int]]) -> None:
    while line and text[line[-1][0] : line[-1][1]].isspace():
        line.pop()


def wrap(text: str, columns: int) -> list[str]:
    """One paragraph as lines (see break_offsets)."""
    return [text[a:b] for a, b in break_offsets(text, columns)]
