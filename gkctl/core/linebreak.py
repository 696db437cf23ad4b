"""Chinese line-breaking for terminals: where a paragraph may break so that each line fits a
width in terminal columns and the 禁则 hold (no line starts with a comma or closing bracket,
none ends with an opening one). Shared by the help formatter and the Rich tables."""

from __future__ import annotations

import re
from collections.abc import Callable

# East Asian wide characters (CJK, full-width forms): two terminal columns each.
WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
# These never start a line ("." is left out: a line may start with .docx); these never end one.
NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】…—,;:?!)]}%")
NO_LINE_END = frozenset("（《「『“‘〔【([{")
# Breakable pieces: click's notes ([默认：30；0<=x<=3660]) whole, each wide character alone, a
# run of narrow ones (a word, a number, an option name) whole, spaces apart.
_TOKEN = re.compile(rf"\s+|\[[^\[\]\s]+\]|{WIDE.pattern}|[^\s{WIDE.pattern[1:-1]}]+")


def width(text: str) -> int:
    """How many terminal columns text takes."""
    return len(text) + len(WIDE.findall(text))


def is_wide(char: str) -> bool:
    return bool(WIDE.match(char))


def break_offsets(
    text: str, columns: int, measure: Callable[[str], int] = width
) -> list[tuple[int, int]]:
    """The lines of one paragraph as (start, end) character offsets into `text`: each line
    at most `columns` wide (a word wider than that is cut), spaces at a break left out, and
    a character that may not start a line carried down with the one before it."""
    columns = max(columns, 2)
    lines: list[list[tuple[int, int]]] = [[]]
    used = 0
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        token = m.group()
        line = lines[-1]
        if token.isspace():
            if line:
                line.append((start, end))
                used += measure(token)
            continue
        size = measure(token)
        if used + size > columns and line:
            _drop_spaces(text, line)
            carried: list[tuple[int, int]] = []
            head = token
            while head[0] in NO_LINE_START and len(line) > 1:  # "1），" moves down whole
                piece = line.pop()
                carried.insert(0, piece)
                head = text[piece[0] : piece[1]]
            while carried and text[carried[0][0] : carried[0][1]].isspace():
                carried.pop(0)
            _drop_spaces(text, line)
            while len(line) > 1 and text[line[-1][1] - 1] in NO_LINE_END:
                carried.insert(0, line.pop())
            lines.append(carried)
            line = lines[-1]
            used = sum(measure(text[a:b]) for a, b in line)
        while size > columns and not line:  # a word wider than the line: cut it
            cut = start
            while cut < end and measure(text[start : cut + 1]) <= columns:
                cut += 1
            cut = max(cut, start + 1)
            line.append((start, cut))
            lines.append([])
            line = lines[-1]
            start = cut
            size = measure(text[start:end])
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
