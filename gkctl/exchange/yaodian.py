"""A 工作要点 published as a document, not a table: numbered items under 一、 and （一）
headings, each followed, where the office wrote them, by its units and deadline in
brackets — （责任单位：A、B、各有关单位）（完成时限：6月底前）, also 〔责任单位:…〕, [责任单位:…],
（牵头单位：A；责任单位：B）, （责任单位：A；完成时限：6月底）, the labels parted by commas
on a line of their own after the item ((牵头单位:A,责任单位:B,完成时限:…), as 立山 writes), and
brackets without labels that end the item: （A牵头，B负责）, （A牵头，B按职责分工负责）, （B负责）
(舟山, 绍兴); the 牵头 units are the lead, first; a sentence after them in the bracket
(以下工作……不再列出) stays in the text.

The text comes as a text extraction, a .txt or .md, or a Word document's paragraphs gives
it. Page numbers (- 3 -) are dropped, wrapped lines joined, and the spaces an extraction
puts between Chinese text and digits taken out ("2024 年" -> "2024年"), as the bundled data
was transcribed. The items are the numbered ones (1. 2. …, numbered through the document or
again in each part); a （一） paragraph with no numbered items under it is an item itself
(several districts number their 要点 that way). Items without brackets have no units: they
are still to fill, and the import says so (validate names each).

`read_body` reads the text; `read_document` makes it the plan an import writes, with the
units matched as the table import matches them (exchange.unitcells) and the same report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from gkctl.core.model import Directory, Section, Task
from gkctl.exchange import unitcells
from gkctl.exchange.headers import heading
from gkctl.exchange.table import DocumentHints, table_title
from gkctl.exchange.taskrows import Imported, ImportReport, first_sentence

_PAGE = re.compile(r"^[-－—]\s*\d{1,3}\s*[-－—]$")
_ITEM = re.compile(r"^(?P<n>\d{1,3})\s*[.．、](?!\d)\s*(?P<text>\S.*)$")
_SUB = re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*(?P<title>\S.*)$")
_END = re.compile(r"^附件")
# Markdown: heading marks, emphasis, a quote mark, a list bullet.
_MARKDOWN = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+]\s+)|\*\*|__")
# A space is kept only between two Latin letters or digits (GB 2312, Windows 11).
_SPACE = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")
_OPEN = {"（": "）", "(": ")", "〔": "〕", "[": "]", "【": "】"}
_CLOSE = set(_OPEN.values())
_UNIT_WORDS = ("责任单位", "责任部门", "责任主体", "牵头单位", "牵头部门", "配合单位", "配合部门")
_DEADLINE_WORDS = ("完成时限", "时间节点", "完成时间", "时限")
_WORDS = "|".join(_UNIT_WORDS + _DEADLINE_WORDS)
_LABELLED = re.compile(rf"^\s*(?P<label>{_WORDS})\s*[:：]\s*(?P<value>.*)$", re.S)
_PARTS = re.compile(rf"[；;，,]\s*(?=(?:{_WORDS})\s*[:：])")
# A bracket without labels that says who does the item: X牵头，Y（按职责分工）负责 (or 配合),
# then maybe a sentence more.
_DUTY = re.compile(
    r"^(?:(?P<lead>[^。；;，,][^。；;]*?)牵头(?:[，,；;](?=.)|(?=[。；;]|$)))?"
    r"(?:(?P<others>[^。；;]+?)(?P<role>按职责分工负责|分别负责|负责|配合))?"
    r"(?:[。；;](?P<rest>.*))?$",
    re.S,
)


@dataclass(frozen=True)
class Item:
    """One numbered item of the body: its text without the brackets, and what they said."""

    id: int
    section: str
    subheading: str  # the （一）… heading above it, or ""
    text: str
    units: tuple[str, ...]  # as written, in order; () where the document names none
    deadline: str
    # The brackets' units as unitcells reads a cell: 牵头单位：A；配合单位：B keep their words.
    units_text: str = ""
    titled: bool = False  # a （一） paragraph read as the item: its title is the task's name


@dataclass(frozen=True)
class Body:
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    preamble: tuple[str, ...] = ()  # the lines before the first 一、 (notice, title …)
    renumbered: bool = False  # the items' own numbers were not 1, 2, 3 … through the text


def squeeze(text: str) -> str:
    """Wrapped lines' text as one: spaces out, except between two Latin letters or digits."""
    return _SPACE.sub("", text.strip())


def _plain(line: str) -> str:
    return _MARKDOWN.sub("", line.strip()).strip()


def brackets(text: str) -> tuple[str, str, str]:
    """The text without its bracketed 责任单位 and 完成时限; the units as a cell would hold
    them (a 牵头/配合 word kept, a plain 责任单位 dropped), and the deadlines, each as written.
    A bracket may hold brackets of its own: 〔责任单位:各县(市、区)人民政府〕."""
    kept: list[str] = []
    units: list[str] = []
    deadlines: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        end = _closing(text, i) if char in _OPEN else None
        labelled = _LABELLED.match(text[i + 1 : end]) if end is not None else None
        duty = _duty(text, i, end) if end is not None and labelled is None else None
        if duty is not None and end is not None:
            said, rest = duty
            units.append(said)
            kept.append(f"{char}{rest}{text[end]}" if rest else "")
            i = end + 1
            continue
        if end is None or labelled is None:
            kept.append(char)
            i += 1
            continue
        for part in _PARTS.split(text[i + 1 : end]):
            m = _LABELLED.match(part)
            if m is None:
                continue
            value = m["value"].strip().rstrip("。；;，,")
            if m["label"] in _DEADLINE_WORDS:
                deadlines.append(squeeze(value))
            elif m["label"].startswith(("牵头", "配合")):
                units.append(f"{m['label']}：{value}")
            else:
                units.append(value)
        i = end + 1
    return "".join(kept).strip(), "；".join(u for u in units if u), "，".join(deadlines)


# The longest bracket read as a list of units: 40 units and their words are 300 characters.
# _DUTY's search grows with the square of the bracket (4 s for one of 24,000 characters,
# 2,000 of them 牵头); a longer bracket is a sentence, kept in the text as written.
_DUTY_MOST = 600


def _duty(text: str, start: int, end: int) -> tuple[str, str] | None:
    """The units of a bracket without labels that ends the item (X牵头，Y负责), as a cell
    holds them (牵头单位：X；Y), and the bracket's sentence after them; None for any other."""
    if text[end + 1 :].strip(" 。；;，,") or end - start > _DUTY_MOST:
        return None
    m = _DUTY.match(text[start + 1 : end].strip())
    if m is None or not (m["lead"] or m["others"]):
        return None
    if not all(_names_units(m[part] or "") for part in ("lead", "others")):
        return None  # （每季度一次，由区政务服务中心负责）: a sentence of the item's text
    lead = f"牵头单位：{m['lead'].strip()}" if m["lead"] else ""
    others = (m["others"] or "").strip()
    if others and m["role"] == "配合":
        others = f"配合单位：{others}"
    return "；".join(part for part in (lead, others) if part), (m["rest"] or "").strip()


# A unit's name as a bracket without labels writes it ends as one (局, 办, 中心, 各部门 …,
# unitcells' rule), in 政府 (各县〔区〕政府) or in 协 (区科协, 区政协), a bracket at its end
# aside (市府办〔市大数据局〕).
_TRAILING_BRACKET = re.compile(r"[〔［\[（(][^〔［\[（(]*[〕］\]）)]$")


def _names_units(text: str) -> bool:
    """Whether every name of `text` (split as a cell is) looks like a unit's: a 由 only in
    front (由区政府办负责), never inside (保密审查由各单位负责)."""
    for clause in unitcells.pieces(text):
        for name in clause:
            name = _TRAILING_BRACKET.sub("", name.removeprefix("由"))
            if "由" in name or not (
                unitcells.looks_like_unit(name) or name.endswith(("政府", "协"))
            ):
                return False
    return True


def _closing(text: str, start: int) -> int | None:
    """Where the bracket opened at `start` closes (brackets inside it counted)."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] in _OPEN:
            depth += 1
        elif text[j] in _CLOSE:
            depth -= 1
            if not depth:
                return j
    return None


def _blocks(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, text) of the headings (section, sub), items and paragraphs, each block of
    its wrapped lines joined; up to 附件. A number starts an item only where it follows
    the one before (1. after a heading): "2.5倍" at the start of a wrapped line does not."""
    blocks: list[tuple[str, str]] = []
    last = 0
    started = False
    for raw in lines:
        if _PAGE.match(raw.strip()):
            continue
        line = _plain(raw)
        if not line:
            continue
        if _END.match(line):
            break
        kind = "section" if heading(line) is not None else "sub" if _SUB.match(line) else ""
        item = _ITEM.match(line)
        after_heading = bool(blocks) and blocks[-1][0] in ("section", "sub")
        if not kind and item is not None:
            n = int(item["n"])
            if n == last + 1 or (n == 1 and after_heading):
                kind, last = "item", n
        if not kind and blocks and blocks[-1][0] == "sub" and _titled(blocks[-1][1]):
            kind = "text"  # the paragraph under a （一） title of its own
        started = started or kind == "section"
        # Before the first 一、, each line stands alone (the notice, the title, the addressees).
        if kind or not blocks or not started:
            blocks.append((kind or "text", line))
        else:
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + line)
    return blocks


def _titled(sub: str) -> bool:
    """A （一） line that is a title alone (no sentence after it): what follows is its text."""
    m = _SUB.match(sub)
    return m is not None and not re.search(r"[。；;]", m["title"].rstrip("。"))


@dataclass
class _Sub:
    title: str
    text: list[str] = field(default_factory=list)
    items: int = 0


def read_body(lines: Iterable[str]) -> Body:
    """Sections (from 一、 headings) and items of a 要点's text; the text before the first
    一、 heading (the notice, the title, the opening paragraph) is the preamble."""
    sections: list[Section] = []
    found: list[tuple[int | None, str, str, str, bool]] = []  # number, section, sub, text, titled
    preamble: list[str] = []
    sub: _Sub | None = None

    def close() -> None:
        """A （一） with no numbered items under it is an item itself, where it says more
        than its title."""
        if sub is None or sub.items or not sections:
            return
        title = squeeze(sub.title)
        text = squeeze("".join(sub.text))
        if not text and not brackets(title)[1]:
            return
        whole = text if text else title
        found.append((None, sections[-1].id, title if text else "", whole, True))

    for kind, block in _blocks(lines):
        if kind == "section":
            close()
            sub = None
            id_, title = heading(block) or ("", "")
            sections.append(Section(id_, squeeze(title)))
            continue
        if not sections:
            preamble.append(block)
            continue
        if kind == "sub":
            close()
            m = _SUB.match(block)
            sub = _Sub(m["title"] if m else block)
            continue
        if kind == "item":
            m = _ITEM.match(block)
            assert m is not None
            if sub is not None:
                sub.items += 1
            where = squeeze(sub.title) if sub is not None else ""
            found.append((int(m["n"]), sections[-1].id, where, squeeze(m["text"]), False))
        elif sub is not None and not sub.items:
            sub.text.append(block)
    close()
    numbers = [n for n, *_ in found]
    renumbered = numbers != list(range(1, len(found) + 1))
    items = []
    for i, (n, section, where, whole, titled) in enumerate(found, start=1):
        text, units_text, deadline = brackets(whole)
        names = tuple(name for name, _ in unitcells.read_cell(units_text, lambda _: False))
        number = i if renumbered or n is None else n
        items.append(Item(number, section, _name(where), text, names, deadline, units_text, titled))
    used = {i.section for i in items}
    return Body(
        tuple(s for s in sections if s.id in used), tuple(items), tuple(preamble), renumbered
    )


def _name(title: str) -> str:
    """A （一） title as a task name: its brackets and a closing 。 dropped."""
    return brackets(title)[0].rstrip("。")


def read_document(
    lines: Iterable[str], path: str, directory: Directory | None, properties: str = ""
) -> Imported:
    """The 要点's items as an import's tasks: name from the （一） title above (or the
    item's first sentence), content and text the item's text, units matched to the
    directory as a table's 责任单位 cell is (an item without units keeps none: to fill),
    deadline from its 完成时限. `properties` is a Word file's title property."""
    body = read_body(lines)
    matcher = unitcells.Matcher(directory)
    report = ImportReport(layout=None, header_rows=())
    report.numbering = "renumbered" if body.renumbered else "typed"
    tasks: list[Task] = []
    for item in body.items:
        name = item.subheading
        if not name:
            name = first_sentence(item.text)
            report.derived_names = True
        units = unitcells.parse([item.units_text], [], matcher) if item.units_text else None
        notes: list[str] = []
        if units is not None:
            for pair in units.renamed:
                report.renamed.setdefault(pair, []).append(item.id)
            report.relevant += [(item.id, written, group) for written, group in units.relevant]
            report.etc += [(item.id, written) for written in units.etc]
            if units.leads > 1 or units.relevant or units.etc:
                notes.append(f"责任单位原文：{item.units_text}")
        if not item.deadline:
            report.undated.append(item.id)
        tasks.append(
            Task(
                id=item.id,
                section=item.section,
                name=name,
                content=item.text,
                text=item.text,
                units=tuple(units.names) if units is not None else (),
                deadline=item.deadline,
                notes="；".join(notes),
            )
        )
    return Imported(
        path, body.sections, tuple(tasks), document_hints(body, properties), report=report
    )


_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,12}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_QUOTED = re.compile(r"印发.*?《(?P<title>[^》]+)》|^《(?P<first>[^》]+)》.*印发")


def document_hints(body: Body, properties: str = "") -> DocumentHints:
    """What the notice above the 要点 says of it: its title (the line that names a year and
    reads as a title, nearest the text; else the one the notice quotes: 关于印发《…》的通知;
    else a Word file's title property), its 文号 and the notice's date."""
    lines = [squeeze(line) for line in body.preamble]
    titles = [
        line
        for line in lines
        if table_title([line]) == line
        and not _DATE.fullmatch(line)
        and not re.search(r"[《》]|通知$", line)
    ]
    quoted = next((m["title"] or m["first"] for line in lines if (m := _QUOTED.search(line))), None)
    # A date line (2023年7月5日) names a year but is no title.
    undated = [line for line in lines if not _DATE.fullmatch(line)]
    title = titles[-1] if titles else quoted or table_title(undated) or properties or None
    number = next((m.group(0) for line in lines if (m := _NUMBER.search(line))), None)
    dates = [m for line in lines if (m := _DATE.fullmatch(line))]
    published = None
    if dates:
        try:
            published = date(int(dates[-1][1]), int(dates[-1][2]), int(dates[-1][3]))
        except ValueError:
            published = None
    return DocumentHints(title=title, number=number, published=published)
