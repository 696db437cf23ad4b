"""A rendered report's Markdown read back as blocks (headings, paragraphs, tables, lists), with
the text unescaped: what the Word 通报 (exchange/gongwen.py) lays out.

Only the Markdown that gkctl's templates write is understood: ATX headings, paragraphs,
`- ` list items, pipe tables and fenced code blocks (skipped: the Mermaid chart has its
numbers in the table beside it). `unescape` is the inverse of report.md_escape, so a cell
reads exactly as the task's text in the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    item: bool = False  # a `- ` list item


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]  # columns aligned right (---:), the numbers

    def column(self, j: int) -> list[str]:
        return [row[j] if j < len(row) else "" for row in self.rows]


Block = Heading | Paragraph | Table


def unescape(text: str) -> str:
    """Markdown text as report.md_escape wrote it -> the plain text."""
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    text = text.replace("<br>", "\n")
    text = _ESCAPED.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_row(line: str) -> list[str]:
    """The cells of a pipe-table row, split on | that are not escaped."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    cells, current, i = [], [], 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i : i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if "".join(current).strip():
        cells.append("".join(current))
    return [c.strip() for c in cells]


def parse(markdown: str) -> list[Block]:
    return list(_blocks(markdown.splitlines()))


def _blocks(lines: list[str]) -> Iterator[Block]:
    i = 0
    paragraph: list[str] = []

    def flush() -> Iterator[Block]:
        if paragraph:
            # Chinese lines of one paragraph join without a space.
            yield Paragraph(unescape("".join(line.strip() for line in paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            yield from flush()
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                i += 1
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            yield from flush()
            yield Heading(len(heading.group(1)), unescape(heading.group(2)))
        elif stripped.startswith("|") and i + 1 < len(lines) and _RULE.match(lines[i + 1]):
            yield from flush()
            header = [unescape(c) for c in split_row(stripped)]
            right = tuple(c.strip().endswith(":") for c in split_row(lines[i + 1]))
            i += 2
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(tuple(unescape(c) for c in split_row(lines[i])))
                i += 1
            yield Table(tuple(header), tuple(rows), right)
            continue
        elif stripped.startswith(("- ", "* ")):
            yield from flush()
            yield Paragraph(unescape(stripped[2:].strip()), item=True)
        elif not stripped:
            yield from flush()
        else:
            paragraph.append(stripped)
        i += 1
    yield from flush()
