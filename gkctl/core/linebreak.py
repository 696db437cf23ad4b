"""Chinese line-breaking for terminals: where a paragraph may break so that each line fits a
width in terminal columns and the 禁则 hold (no line starts with a comma or closing bracket,
none ends with an opening one). Shared by the help formatter and the Rich tables."""

from __future__ import annotations

from bisect import bisect_right
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


class _Classes(dict[int, str]):
    """Each character's part in _tokens, by code point, for str.translate: " " a space,
    "W" a wide character (a token alone), "n" any other (runs of them are words)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        found = self[code] = " " if char.isspace() else "W" if is_wide(char) else "n"
        return found


_CLASSES = _Classes()


def break_sums(
    text: str, columns: int, sums: Sequence[int], whole: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """break_spans with widths that add up, given as prefix sums (text[a:b] is sums[b] -
    sums[a] wide). A line is filled by bisecting the sums rather than token by token, and
    only the tokens at its end, where the 禁则 may move some down, are found: the same
    lines as break_spans (tests/test_linebreak.py compares them), for a fifth of the time
    on a table of task texts. Text with `whole` spans or a [note] goes to break_spans."""
    if whole or "[" in text:
        return break_spans(text, columns, lambda a, b: sums[b] - sums[a], whole)
    columns = max(columns, 2)
    kinds = text.translate(_CLASSES)
    n = len(text)

    def token(q: int, lo: int) -> tuple[int, int]:
        """The token that holds text[q], from `lo` on: a wide character, or the run of
        spaces or of other characters around it (runs are whole tokens)."""
        kind = kinds[q]
        if kind == "W":
            return q, q + 1
        x, y = ("W", "n") if kind == " " else ("W", " ")
        start = max(kinds.rfind(x, lo, q), kinds.rfind(y, lo, q), lo - 1) + 1
        ends = [e for e in (kinds.find(x, q), kinds.find(y, q)) if e >= 0]
        return start, min(ends) if ends else n

    # The line being filled: tokens one by one (`listed`: those moved down from the line
    # before, and a token that began the line), then the tokens of text[bulk_a:bulk_b],
    # found only when they are taken off its end.
    out: list[tuple[int, int]] = []
    listed: list[tuple[int, int]] = []
    bulk_a = bulk_b = 0

    def count_over_one() -> bool:  # len(line) > 1
        if bulk_b > bulk_a:
            return bool(listed) or token(bulk_b - 1, bulk_a)[0] > bulk_a
        return len(listed) > 1

    def last() -> tuple[int, int]:
        return token(bulk_b - 1, bulk_a) if bulk_b > bulk_a else listed[-1]

    def pop() -> tuple[int, int]:
        nonlocal bulk_b
        if bulk_b > bulk_a:
            piece = token(bulk_b - 1, bulk_a)
            bulk_b = piece[0]
            return piece
        return listed.pop()

    def is_space(piece: tuple[int, int]) -> bool:
        return text[piece[0]].isspace() and text[piece[0] : piece[1]].isspace()

    def drop_spaces() -> None:
        while (bulk_b > bulk_a or listed) and is_space(last()):
            pop()

    def join_until(end: int) -> None:
        """The tokens from i to `end` join the line (after any listed)."""
        nonlocal bulk_a, bulk_b
        if bulk_b == bulk_a:
            bulk_a = i
        bulk_b = end

    def close() -> None:
        """The line as break_spans ends it: without its spaces at the end, if any is left."""
        nonlocal bulk_a, bulk_b
        drop_spaces()
        if bulk_b > bulk_a or listed:
            out.append((listed[0][0] if listed else bulk_a, last()[1]))
        listed.clear()
        bulk_a = bulk_b = 0

    i = 0
    while i < n:
        empty = not listed and bulk_b == bulk_a
        if empty and kinds[i] == " ":
            i = token(i, i)[1]  # spaces do not start a line
            continue
        first = i if empty else listed[0][0] if listed else bulk_a
        # Every token up to the first that is not spaces and ends past the line's width
        # joins the line (spaces always do).
        past = bisect_right(sums, sums[first] + columns, i)
        start, end = token(max(past - 1, i), i) if past <= n else (n, n)
        if start < n and kinds[start] == " ":
            start, end = token(end, end) if end < n else (n, n)
        if start >= n:  # the rest fits, or only spaces are left
            join_until(n)
            break
        if start > i:
            join_until(start)
        i = start
        size = sums[end] - sums[start]
        if listed or bulk_b > bulk_a:  # the token does not fit on the line (see break_spans)
            drop_spaces()
            carried: list[tuple[int, int]] = []
            head = text[start]
            while head in NO_LINE_START and count_over_one():
                piece = pop()
                carried.insert(0, piece)
                head = text[piece[0]]
            while carried and is_space(carried[0]):
                carried.pop(0)
            drop_spaces()
            while count_over_one() and text[last()[1] - 1] in NO_LINE_END:
                carried.insert(0, pop())
            used = sums[start] - sums[carried[0][0]] if carried else 0
            if carried and used + size > columns:
                # The 禁则 give way to the width: what moved down goes back on the line
                # (after the tokens left in text[bulk_a:bulk_b], if any: it came off them).
                if bulk_b > bulk_a:
                    bulk_b = carried[-1][1]
                else:
                    listed.extend(carried)
                carried = []
            close()
            listed.extend(carried)
        while size > columns and not listed:  # a word wider than the line: cut it
            cut = bisect_right(sums, sums[start] + columns, start, end + 1) - 1
            cut = max(cut, start + 1)
            out.append((start, cut))
            start = cut
            size = sums[end] - sums[start]
        if start < end:
            listed.append((start, end))
        i = end
    close()
    return out


def _drop_spaces(text: str, line: list[tuple[int, int]]) -> None:
    while line and text[line[-1][0] : line[-1][1]].isspace():
        line.pop()


def wrap(text: str, columns: int) -> list[str]:
    """One paragraph as lines (see break_offsets)."""
    return [text[a:b] for a, b in break_offsets(text, columns)]
