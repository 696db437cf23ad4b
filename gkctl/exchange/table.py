"""The 任务分解表 as rows of cells: what the file readers give, and a plan laid out as a table.

The readers (docx_io, xlsx_io) reduce a file to a `Sheet`: rows of cell texts in which a
merged cell's value stands in every cell it covers (python-docx does this for Word;
xlsx_io fills openpyxl's merged ranges from their top-left cell). Reading a sheet into
tasks is `headers` (which column holds what), `unitcells` (a 责任单位 cell as unit names)
and `taskrows` (the rows as sections and tasks); this module holds what they share, the
plan's document fields, the import's checks and the table `gkctl export` writes.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from gkctl.core import deadlines, status
from gkctl.core.errors import DataError, DeadlineError, Problem, UsageError
from gkctl.core.model import Dataset, Directory, Document, Plan, Task, Unit
from gkctl.core.units import suggest
from gkctl.store import loader

# Written where the table does not say (文号, 发文单位, 发布日期): the user fills it in.
PLACEHOLDER = "待填写"

EXPORT_HEADER = ("序号", "任务名称", "任务内容", "责任单位", "时间节点", "截止日期", "状态")
# Widest a column grows (in the width of a Latin letter; a Chinese character counts two).
_WIDTH_CAPS = (6, 16, 60, 24, 14, 12, 12)
NO_DUE = "待定"
NO_DATE = "未明确"  # no 时间节点 at all (未明确时限)
META_PREFIX = "gkctl-document:"

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


class TableError(DataError):
    """Rows of the table that cannot become tasks, at row:column of the file (exit 1)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"表格中有 {len(lines)} 处问题（位置为 行:列），请在表格中修正后重新导入。")
        self.message = "\n".join(lines)


@dataclass(frozen=True)
class Sheet:
    """One table of a file as text.

    rows: (row number as the file counts it, cell texts with line breaks kept);
    preamble: text above the table (Word paragraphs); title and meta: the file's title
    property and its comments/description property (where gkctl export leaves the plan's
    document fields).
    """

    path: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    preamble: tuple[str, ...] = ()
    title: str = ""
    meta: str = ""


@dataclass(frozen=True)
class DocumentHints:
    """What is known of the plan's document, each field possibly unknown."""

    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    published: date | None = None
    year: int | None = None


# --- text -------------------------------------------------------------------------------


def cell_lines(text: str) -> list[str]:
    """A cell's lines (Word paragraphs, Excel Alt+Enter), each stripped."""
    return [line.strip() for line in re.split(r"\r\n|[\r\n\v\u2028\u2029]", text)]


def join_lines(text: str) -> str:
    """A wrapped cell's lines as one text: each line stripped, joined without spaces."""
    return "".join(cell_lines(text))


class _CharWidths(dict[str, int]):
    """Each character's columns, looked up once: the forms of every unit over 100,000
    tasks measure 15 million characters, ~40 µs a row looking each up afresh."""

    def __missing__(self, char: str) -> int:
        width = self[char] = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        return width


_WIDTHS = _CharWidths()


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width layout: wide (Chinese) characters count two."""
    if text.isascii():
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


# What a table's title line ends with after the plan's own title.
_TITLE_TAIL = re.compile(
    r"(?:重点|目标)?(?:任务分解表|任务分解|任务清单|责任分工表|责任分工方案|分工方案|任务台账|工作台账"
    r"|责任清单|分解表|一览表)"
)
# A section heading (一、…, （一）…, 第一部分…) is never the plan's title, even with a year in it.
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)"
)


def _unquoted(title: str) -> str:
    """A title without the quotation marks around it (《2024年…要点》); a 《》 inside it, as
    in 2023年《政府工作报告》, is kept."""
    title = title.strip(' “”"')
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1].strip()
    if title.count("《") != title.count("》"):
        return title.strip("《》 ")
    return title


def table_title(texts: Iterable[str]) -> str | None:
    """The plan's title from the line above the table: 附件：2024年…要点任务分解表 -> 2024年…要点.

    A line with 任务分解表 (or 任务清单, 责任分工表 …) first; else a line naming a year
    (2024年…工作要点, 某县2024年度重点工作), as it stands. Section headings are skipped."""
    lines = [line for text in texts if not _HEADING_START.match(line := join_lines(text))]
    for line in lines:
        m = _TITLE_TAIL.search(line)
        if m is None:
            continue
        # 2025年开发区重点工作及责任清单, 2023年《政府工作报告》主要目标任务分解清单: the
        # words joining the work to its list, or qualifying the list, go with the list.
        title = re.sub(r"(?:及|和|与|暨|、|主要)+$", "", line[: m.start()])
        title = _unquoted(re.sub(r"^附件\s*\d*\s*[:：]?", "", title))
        if title:
            return title
    for line in lines:
        title = _unquoted(re.sub(r"^附件\s*\d*\s*[:：]?", "", line))
        # Any wording, as long as it names the year and reads as a title, not a sentence.
        if _YEAR.search(title) and len(title) <= 60 and not title.endswith(("。", "；", "：", ":")):
            return title
    return None


# --- the document ----------------------------------------------------------------------------


def title_year(title: str) -> int | None:
    """The year a title names (2024年… -> 2024), or None."""
    match = _YEAR.search(title)
    return int(match.group(1)) if match else None


def encode_meta(document: Document) -> str:
    """The plan's document fields, kept in the exported file's comments property."""
    fields = {
        "title": document.title,
        "number": document.number,
        "issuer": document.issuer,
        "published": document.published.isoformat() if document.published else None,
        "year": document.year,
    }
    return META_PREFIX + " " + json.dumps(fields, ensure_ascii=False)


def decode_meta(text: str) -> DocumentHints:
    """What encode_meta wrote; anything else (or a placeholder) is unknown."""
    if not text.strip().startswith(META_PREFIX):
        return DocumentHints()
    try:
        data = json.loads(text.strip()[len(META_PREFIX) :])
    except ValueError:
        return DocumentHints()
    if not isinstance(data, dict):
        return DocumentHints()

    def text_of(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value and value != PLACEHOLDER else None

    published = None
    if isinstance(data.get("published"), str):
        try:
            published = date.fromisoformat(data["published"])
        except ValueError:
            published = None
    year = data.get("year")
    return DocumentHints(
        text_of("title"),
        text_of("number"),
        text_of("issuer"),
        published,
        year if isinstance(year, int) and 2000 <= year <= 2100 else None,
    )


def make_document(
    given: DocumentHints, found: DocumentHints, fallback_title: str
) -> tuple[Document, tuple[str, ...]]:
    """The document from the options, else from the file, else placeholders.

    Returns the document and the labels of the fields left as placeholders. The year is
    needed to read the 时间节点, so an unknown year is a usage error.
    """
    title = given.title or found.title or fallback_title
    number = given.number or found.number
    issuer = given.issuer or found.issuer
    published = given.published or found.published
    year = given.year or found.year
    if year is None:
        year = title_year(title) or (published.year if published else None)
    if year is None or not 2000 <= year <= 2100:
        raise UsageError(f"无法从标题“{title}”判断计划年度，请用 --year 指定，如 --year 2024。")
    missing = tuple(
        label
        for label, value in (
            ("文号 number", number),
            ("发文单位 issuer", issuer),
        )
        if not value
    )
    return Document(title, number or PLACEHOLDER, issuer or PLACEHOLDER, published, year), missing


# --- checking an import ------------------------------------------------------------------------

# The loader reads a unit directory only together with a plan; an empty plan lets it
# check units.yaml alone, with every rule `gkctl validate` applies.
_EMPTY_PLAN = (
    b"document: {title: x, number: x, issuer: x, published: 2000-01-01, year: 2000}\n"
    b"sections: []\ntasks: []\n"
)


def read_directory(raw: bytes, shown: str) -> Directory:
    """The unit directory in `raw`; DataError with its problems where it is invalid."""
    dataset, problems = loader.check_bytes(_EMPTY_PLAN, raw, "(plan)", shown)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset.directory


@dataclass(frozen=True)
class UnknownUnit:
    name: str
    tasks: tuple[int, ...]
    suggestion: str | None = None


def unknown_units(tasks: Iterable[Task], directory: Directory | None) -> list[UnknownUnit]:
    """Units the directory does not know, in order of first use, with a did-you-mean."""
    units = directory.units if directory else ()
    groups = directory.groups if directory else ()
    known = {u.name for u in units} | {g.name for g in groups}
    alias_of = {alias: u.name for u in units for alias in u.aliases}
    candidates = sorted(known)
    used: dict[str, list[int]] = {}
    for task in tasks:
        for name in task.units:
            if name not in known:
                used.setdefault(name, []).append(task.id)
    return [
        UnknownUnit(name, tuple(ids), alias_of.get(name) or suggest(name, candidates))
        for name, ids in used.items()
    ]


@dataclass(frozen=True)
class BadDeadline:
    task: int
    text: str
    reason: str


def unresolved_deadlines(plan: Plan) -> list[BadDeadline]:
    doc = plan.document
    out = []
    for task in plan.tasks:
        if not task.deadline:  # 未明确时限: nothing to read
            continue
        try:
            deadlines.resolve(task.deadline, doc.year, doc.published)
        except DeadlineError as exc:
            reason = exc.message.replace(deadlines.FORMS_HELP, "").strip()
            out.append(BadDeadline(task.id, task.deadline, reason))
    return out


# --- the table as the office prints it --------------------------------------------------------


@dataclass(frozen=True)
class HeadingRow:
    text: str


@dataclass(frozen=True)
class TaskRow:
    cells: tuple[str, ...]  # as printed, in EXPORT_HEADER order
    due: date | None
    name_rows: int  # rows the 任务名称 cell spans from here; 0 where one above covers it


@dataclass(frozen=True)
class ExportTable:
    title: str
    subtitle: str
    header: tuple[str, ...]
    rows: tuple[HeadingRow | TaskRow, ...]
    widths: tuple[int, ...]  # in Latin letters
    document: Document
    as_of: date
    meta: str = field(default="")


def export_table(
    dataset: Dataset, as_of: date, within: int = status.DEFAULT_WITHIN, unit: Unit | None = None
) -> ExportTable:
    """The whole table, or with `unit` the tasks that concern the unit (directly, through
    a group, or possibly), with their status in the unit's view."""
    plan = dataset.plan
    states = (
        status.unit_states(dataset, unit, as_of, within)
        if unit is not None
        else status.plan_states(dataset, as_of, within)
    )
    # By the plan's sections, as every other view groups them: a task written out of its
    # section's place (appended at the end of the file) joins its section instead of
    # opening it a second time. In file order within a section (the sort is stable).
    place = {sec.id: i for i, sec in enumerate(plan.sections)}
    states = sorted(states, key=lambda s: place.get(s.task.section, len(place)))
    rows: list[HeadingRow | TaskRow] = []
    section: str | None = None
    for s in states:
        task = s.task
        if task.section != section:
            section = task.section
            rows.append(HeadingRow(f"{section}、{plan.section_title(section)}"))
        due = s.due
        cells = (
            str(task.id),
            task.name,
            task.content,
            "、".join(task.units),
            task.deadline,
            due.isoformat() if due else (NO_DATE if not task.deadline else NO_DUE),
            status.STATUS_LABELS[s.status],
        )
        rows.append(TaskRow(cells, due, 1))
    rows = _merge_names(rows)
    doc = plan.document
    return ExportTable(
        title=f"{doc.title}任务分解表" + (f"（{unit.name}）" if unit is not None else ""),
        subtitle=f"{doc.number}　状态截至 {as_of.isoformat()}"
        + (f"　{unit.name}的任务，按本单位视角" if unit is not None else ""),
        header=EXPORT_HEADER,
        rows=tuple(rows),
        widths=column_widths(EXPORT_HEADER, [r.cells for r in rows if isinstance(r, TaskRow)]),
        document=doc,
        as_of=as_of,
        meta=encode_meta(doc),
    )


def _merge_names(rows: list[HeadingRow | TaskRow]) -> list[HeadingRow | TaskRow]:
    """Consecutive rows of one section with the same 任务名称 share one merged cell."""
    out = list(rows)
    start = 0
    while start < len(out):
        first = out[start]
        if not isinstance(first, TaskRow):
            start += 1
            continue
        end = start + 1
        while end < len(out):
            row = out[end]
            if not isinstance(row, TaskRow) or row.cells[1] != first.cells[1]:
                break
            out[end] = TaskRow(row.cells, row.due, 0)
            end += 1
        out[start] = TaskRow(first.cells, first.due, end - start)
        start = end
    return out


def column_widths(header: Sequence[str], rows: Iterable[Sequence[str]]) -> tuple[int, ...]:
    """Each column as wide as its widest text (at least its label), up to a cap; text
    longer than the cap wraps."""
    widths = [display_width(h) + 2 for h in header]
    for cells in rows:
        for j, cell in enumerate(cells):
            widths[j] = max(widths[j], min(display_width(cell) + 2, _WIDTH_CAPS[j]))
    return tuple(widths)


def lines_needed(text: str, width: int) -> int:
    """Lines a text wraps to in a column `width` Latin letters wide."""
    usable = max(width - 1, 2)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))
