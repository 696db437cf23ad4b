"""A 工作要点 published as a document, not a table: numbered items under 一、 and （一）
headings, each followed, where the office wrote them, by its units and deadline in
brackets — （责任单位：A、B、各有关单位）（完成时限：6月底前）.

This is the first part of reading such a document (issue 28, item 4): its text, as a text
extraction or a .txt/.md gives it, read into sections and numbered items. Page numbers
(- 3 -) are dropped, wrapped lines joined, and the spaces an extraction puts between
Chinese text and digits taken out ("2024 年" -> "2024年"), as the bundled data was
transcribed. Items without brackets have no units: they are still to fill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gkctl.core.model import Section
from gkctl.exchange.headers import heading

_PAGE = re.compile(r"^[-－—]\s*\d{1,3}\s*[-－—]$")
_ITEM = re.compile(r"^(?P<n>\d{1,3})\s*[.．、](?!\d)\s*(?P<text>\S.*)$")
_SUB = re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*(?P<title>\S.*)$")
_END = re.compile(r"^附件")
# A space is kept only between two Latin letters or digits (GB 2312, Windows 11).
_SPACE = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")
_UNITS = re.compile(
    r"[（(]\s*(?:责任单位|责任部门|牵头单位|责任主体)\s*[:：](?P<v>[^（）()]*)[)）]"
)
_DEADLINE = re.compile(r"[（(]\s*(?:完成时限|时间节点|完成时间|时限)\s*[:：](?P<v>[^（）()]*)[)）]")


@dataclass(frozen=True)
class Item:
    """One numbered item of the body: its text without the brackets, and what they said."""

    id: int
    section: str
    subheading: str  # the （一）… heading above it, or ""
    text: str
    units: tuple[str, ...]  # as written, in order; () where the document names none
    deadline: str


@dataclass(frozen=True)
class Body:
    sections: tuple[Section, ...]
    items: tuple[Item, ...]


def squeeze(text: str) -> str:
    """Wrapped lines' text as one: spaces out, except between two Latin letters or digits."""
    return _SPACE.sub("", text.strip())


def _blocks(lines: Iterable[str]) -> list[str]:
    """Headings and items, each a block of its wrapped lines joined; up to 附件."""
    blocks: list[str] = []
    expected = 1
    for raw in lines:
        line = raw.strip()
        if not line or _PAGE.match(line):
            continue
        if _END.match(line):
            break
        item = _ITEM.match(line)
        starts = heading(line) is not None or _SUB.match(line) is not None
        if item is not None and int(item["n"]) == expected:
            expected += 1
            starts = True
        if starts or not blocks:
            blocks.append(line)
        else:
            blocks[-1] += line
    return blocks


def read_body(lines: Iterable[str]) -> Body:
    """Sections (from 一、 headings) and numbered items of a 要点's text; the text before the
    first 一、 heading (the notice, the title, the opening paragraph) is not an item."""
    sections: list[Section] = []
    items: list[Item] = []
    sub = ""
    for block in _blocks(lines):
        found = heading(block)
        if found is not None:
            sections.append(Section(found[0], squeeze(found[1])))
            sub = ""
            continue
        if not sections:
            continue
        m = _SUB.match(block)
        if m is not None:
            sub = squeeze(m["title"])
            continue
        item = _ITEM.match(block)
        if item is None:
            continue
        text = squeeze(item["text"])
        units = [u for m in _UNITS.finditer(text) for u in re.split(r"[、，,；;]", m["v"])]
        deadline = "，".join(squeeze(m["v"]) for m in _DEADLINE.finditer(text))
        text = _DEADLINE.sub("", _UNITS.sub("", text)).strip()
        items.append(
            Item(
                int(item["n"]),
                sections[-1].id,
                sub,
                text,
                tuple(u.strip() for u in units if u.strip()),
                deadline,
            )
        )
    return Body(tuple(sections), tuple(items))
