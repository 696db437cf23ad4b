"""A rendered report's Markdown read back as blocks (headings, paragraphs, list items, quotes,
tables) of formatted text: what the Word 通报 (exchange/gongwen.py) lays out.

The Markdown is read by markdown-it-py (CommonMark with GitHub's tables and
strikethrough), so that what a custom template writes — **strong**, *emphasis*, `code`,
links, `>` quotes, numbered and bullet lists, tables — reaches Word as formatting rather
than as marks. Fenced code is kept as code, except Mermaid charts (the chart's numbers are
in the table beside it). Raw HTML is read for two things only: `<br>` (a line break,
as report.md_escape writes it) and `<p align="right">…</p>`, the 落款 and 成文日期 of a
公文; any other tag is dropped, its text kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True)
class Span:
    """A run of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    strike: bool = False
    link: str | None = None  # the address of a link


Inline = tuple[Span, ...]


def plain(spans: Sequence[Span]) -> str:
    return "".join(s.text for s in spans)


@dataclass(frozen=True)
class Heading:
    level: int
    spans: Inline

    @property
    def text(self) -> str:
        return plain(self.spans)


@dataclass(frozen=True)
class Paragraph:
    spans: Inline
    marker: str = ""  # a list item's "1." or "·"
    depth: int = 0  # list nesting, 1 for a top-level item
    quote: bool = False  # inside a > block quote
    code: bool = False  # a fenced or indented code block
    align: str = ""  # "right" for <p align="right"> (a 公文's 落款)

    @property
    def text(self) -> str:
        return plain(self.spans)

    @property
    def item(self) -> bool:
        return bool(self.marker)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: tuple[bool, ...]  # columns aligned right (---:), the numbers
    header_spans: tuple[Inline, ...] = field(default=(), compare=False)
    row_spans: tuple[tuple[Inline, ...], ...] = field(default=(), compare=False)

    def column(self, j: int) -> list[str]:
        return [row[j] if j < len(row) else "" for row in self.rows]

    def cell(self, r: int, j: int) -> Inline:
        """Row r's cell j as spans (r = 0 is the header)."""
        cells = self.header_spans if r == 0 else self.row_spans[r - 1]
        return cells[j] if j < len(cells) else ()


Block = Heading | Paragraph | Table


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def parse(markdown: str) -> list[Block]:
    return list(_blocks(_parser().parse(markdown)))


def unescape(text: str) -> str:
    """Markdown text as report.md_escape wrote it -> the plain text."""
    tokens = _parser().parseInline(text)
    return plain(_spans(tokens[0].children or [])) if tokens else ""


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_RIGHT = re.compile(r"^<p\s[^>]*align=[\"']?right[\"']?[^>]*>(.*?)</p>\s*$", re.I | re.S)


def _html_text(html: str) -> str:
    """Text of a piece of HTML: <br> a line break, other tags dropped, entities read."""
    import html as html_module

    text = _TAG.sub("", _BREAK.sub("\n", html))
    return html_module.unescape(text)


def _spans(children: Sequence[Token]) -> list[Span]:
    out: list[Span] = []
    bold = italic = strike = 0
    links: list[str] = []
    for t in children:
        kind = t.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            links.append(str(t.attrGet("href") or ""))
        elif kind == "link_close":
            links.pop()
        elif kind in ("text", "code_inline", "softbreak", "hardbreak", "html_inline", "image"):
            if kind == "softbreak":
                text = ""  # Chinese lines of one paragraph join without a space
            elif kind == "hardbreak":
                text = "\n"
            elif kind == "html_inline":
                text = "\n" if _BREAK.fullmatch(t.content.strip()) else ""
            elif kind == "image":
                text = t.content  # its alt text
            else:
                text = t.content
            if not text:
                continue
            span = Span(
                text,
                bold=bold > 0,
                italic=italic > 0,
                code=kind == "code_inline",
                strike=strike > 0,
                link=links[-1] if links else None,
            )
            if out and _same_format(out[-1], span):
                out[-1] = Span(out[-1].text + text, *_format(span))
            else:
                out.append(span)
    return out


def _format(s: Span) -> tuple[bool, bool, bool, bool, str | None]:
    return (s.bold, s.italic, s.code, s.strike, s.link)


def _same_format(a: Span, b: Span) -> bool:
    return _format(a) == _format(b)


def _right(token: Token) -> bool:
    return "right" in str(token.attrGet("style") or "")


def _blocks(tokens: Sequence[Token]) -> Iterator[Block]:
    # Open lists, innermost last: [ordered?, next number]; and how deep in quotes we are.
    lists: list[list[Any]] = []
    quotes = 0
    marker = ""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        kind = t.type
        if kind == "heading_open":
            yield Heading(int(t.tag[1:]), tuple(_spans(tokens[i + 1].children or [])))
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            start = int(str(t.attrGet("start") or 1)) if ordered else 0
            lists.append([ordered, start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}." if ordered else "·"
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "inline":
            # A list item's first paragraph carries its marker; the next ones do not.
            yield Paragraph(
                tuple(_spans(t.children or [])),
                marker=marker,
                depth=len(lists),
                quote=quotes > 0,
            )
            marker = ""
        elif kind in ("fence", "code_block"):
            if t.info.strip().split(" ")[0] != "mermaid":
                yield Paragraph((Span(t.content.rstrip("\n"), code=True),), code=True)
        elif kind == "html_block":
            right = _RIGHT.match(t.content.strip())
            text = _html_text(right.group(1) if right else t.content).strip()
            if text:
                yield Paragraph((Span(text),), align="right" if right else "")
        elif kind == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            yield _table(tokens[i:end])
            i = end
        i += 1


def _table(tokens: Sequence[Token]) -> Table:
    rows: list[list[Inline]] = []
    right: list[bool] = []
    for i, t in enumerate(tokens):
        if t.type == "tr_open":
            rows.append([])
        elif t.type in ("th_open", "td_open"):
            if t.type == "th_open":
                right.append(_right(t))
            rows[-1].append(tuple(_spans(tokens[i + 1].children or [])))
    header, *body = rows or [[]]
    return Table(
        header=tuple(plain(c) for c in header),
        rows=tuple(tuple(plain(c) for c in row) for row in body),
        right=tuple(right),
        header_spans=tuple(header),
        row_spans=tuple(tuple(row) for row in body),
    )
