"""The 任务分解表 as rows of cells: a table read into a plan, and a plan laid out as a table.

The readers (docx_io, xlsx_io) reduce a file to a `Sheet`: rows of cell texts in which a
merged cell's value stands in every cell it covers (python-docx does this for Word;
xlsx_io fills openpyxl's merged ranges from their top-left cell). Everything about the
layout lives here, the same for both formats:

* the header row is found by its labels (序号, 任务名称, 任务内容, 责任单位, 时间节点,
  or the few other labels offices use), so column order and extra columns do not matter;
* a row holding one text such as 一、融入中心服务大局… (spanning the row or not) opens a
  section;
* a 任务名称 cell left empty continues the name above (a merge written as blank cells);
* a row without its own 序号 (or repeating the one above, where 序号 is merged) continues
  the task above, as a table converted from PDF splits a task at a page break;
* a cell wrapped over lines is joined without spaces (the lines of a Chinese cell are
  one text), and 责任单位 is split on 、 (also ，and ；).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from gkctl.core import deadlines, status
from gkctl.core.errors import DataError, DeadlineError, GkctlError, Problem, UsageError
from gkctl.core.model import Dataset, Directory, Document, Plan, Section, Task
from gkctl.core.units import suggest
from gkctl.store import loader

# Written where the table does not say (文号, 发文单位, 发布日期): the user fills it in.
PLACEHOLDER = "待填写"

# Field -> labels a header cell may carry (compared without spaces, NFKC-folded).
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("序号", "编号"),
    "name": ("任务名称", "工作任务", "重点任务", "任务"),
    "content": ("任务内容", "工作内容", "具体内容", "主要内容", "工作要求"),
    "units": ("责任单位", "责任部门", "牵头单位", "责任主体"),
    "deadline": ("时间节点", "完成时限", "完成时间", "时间要求", "时限要求"),
}
LABELS = {name: labels[0] for name, labels in HEADERS.items()}
EXPORT_HEADER = ("序号", "任务名称", "任务内容", "责任单位", "时间节点", "截止日期", "状态")
# Widest a column grows (in the width of a Latin letter; a Chinese character counts two).
_WIDTH_CAPS = (6, 16, 60, 24, 14, 12, 12)
NO_DUE = "待定"
META_PREFIX = "gkctl-document:"

_SECTION = re.compile(r"(?P<id>[一二三四五六七八九十]+)\s*[、.．]\s*(?P<title>\S.*)")
_UNIT_SPLIT = re.compile(r"[、，,；;]+")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")

# (row, column field, code, message): a problem at a cell of the table.
_ProblemFn = Callable[[int, str, str, str], None]


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


@dataclass(frozen=True)
class Imported:
    path: str
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    found: DocumentHints  # from the file: its gkctl properties, else the title above the table
    joined: int = 0  # rows joined to the task above (a task split over rows)
    placeholder_section: bool = False  # the table had no section rows


# --- text -------------------------------------------------------------------------------


def join_lines(text: str) -> str:
    """A wrapped cell's lines as one text: each line stripped, joined without spaces."""
    lines = re.split(r"\r\n|[\r\n\v\u2028\u2029]", text)
    return "".join(line.strip() for line in lines)


def split_units(text: str) -> tuple[str, ...]:
    """区国资委、\\n区滨海办、 山阳镇 -> (区国资委, 区滨海办, 山阳镇); no name holds a space."""
    parts = (re.sub(r"\s+", "", part) for part in _UNIT_SPLIT.split(join_lines(text)))
    out: list[str] = []
    for part in parts:
        if part and part not in out:
            out.append(part)
    return tuple(out)


def _label(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _parse_id(text: str) -> int | None:
    folded = _label(text).rstrip(".、．")
    return int(folded) if folded.isdigit() and int(folded) > 0 else None


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width layout: wide (Chinese) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table_title(texts: Iterable[str]) -> str | None:
    """The plan's title from the line above the table: 附件：2024年…要点任务分解表 -> 2024年…要点."""
    for text in texts:
        line = join_lines(text)
        if "任务分解表" not in line:
            continue
        title = line.split("任务分解表", 1)[0]
        title = re.sub(r"^附件\s*\d*\s*[:：]?", "", title).strip(' 《》“”"')
        if title:
            return title
    return None


# --- reading a table -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    index: int
    columns: dict[str, int]
    labels: tuple[str, ...]


def _find_header(sheet: Sheet) -> _Header | dict[str, int]:
    """The header row, else the most labels any row had (for the message)."""
    best: dict[str, int] = {}
    for index, (_, cells) in enumerate(sheet.rows):
        labels = tuple(_label(c) for c in cells)
        columns: dict[str, int] = {}
        for name, names in HEADERS.items():
            for j, label in enumerate(labels):
                if label in names and j not in columns.values():
                    columns[name] = j
                    break
        if len(columns) == len(HEADERS):
            return _Header(index, columns, labels)
        if len(columns) > len(best):
            best = columns
    return best


@dataclass
class _Draft:
    row: int
    id: int
    section: str | None
    name: str
    content: str
    units: list[str]
    deadline: str


def read_sheets(sheets: Sequence[Sheet], path: str) -> Imported:
    """The first sheet (or Word table) with a 任务分解表 header, read into tasks.

    Raises GkctlError where no table has the header, TableError (row:column positions)
    where rows cannot become tasks.
    """
    best: dict[str, int] = {}
    for sheet in sheets:
        found = _find_header(sheet)
        if isinstance(found, _Header):
            return _read(sheet, found)
        if len(found) > len(best):
            best = found
    wanted = "、".join(LABELS.values())
    if not sheets:
        raise GkctlError(f"{path}：文件中没有表格。需要一张含 {wanted} 列的任务分解表。")
    missing = [label for name, label in LABELS.items() if name not in best]
    detail = f"最接近的一行缺少：{'、'.join(missing)}" if best else "没有一行像表头"
    raise GkctlError(f"{path}：找不到任务分解表的表头（需要 {wanted} 五列，{detail}）。")


def _read(sheet: Sheet, header: _Header) -> Imported:
    problems: list[Problem] = []
    cols = header.columns
    sections: list[Section] = []
    drafts: list[_Draft] = []
    section: str | None = None
    previous: list[str] | None = None
    joined = 0

    def problem(row: int, column: str, code: str, message: str) -> None:
        problems.append(Problem(sheet.path, row, cols[column] + 1, code, message))

    for number, raw in sheet.rows[header.index + 1 :]:
        cells = [join_lines(c) for c in raw]
        cells += [""] * (max(cols.values()) + 1 - len(cells))
        texts = [c for c in cells if c]
        if not texts or tuple(_label(c) for c in raw) == header.labels:
            continue  # empty, or the header repeated on a later page
        id_text = cells[cols["id"]]
        heading = _SECTION.fullmatch(texts[0]) if len(set(texts)) == 1 else None
        if heading is not None and _parse_id(id_text) is None:
            section = heading["id"]
            if section not in {s.id for s in sections}:
                sections.append(Section(section, heading["title"].strip()))
            previous = None
            continue
        task_id = _parse_id(id_text)
        if heading is None and len(texts) == len(cells) > 1 and len(set(texts)) == 1:
            problem(
                number, "id", "bad-heading", f"无法识别的通栏行“{texts[0]}”：部分标题应写作“一、……”"
            )
            previous = None
            continue
        if id_text and task_id is None:
            problem(number, "id", "bad-id", f"序号“{id_text}”不是正整数")
            previous = None
            continue
        last = drafts[-1] if drafts else None
        if task_id is None or (last is not None and task_id == last.id and previous is not None):
            if last is None or previous is None:
                problem(number, "id", "orphan-row", "这一行没有序号，也不接在某项任务之后")
                continue
            _continue(last, cells, previous, cols)
            joined += 1
            previous = cells
            continue
        name = cells[cols["name"]]
        if not name and last is not None and last.section == section:
            name = last.name  # a merged 任务名称 written as blank cells below the first
        units = list(split_units(raw[cols["units"]] if cols["units"] < len(raw) else ""))
        drafts.append(
            _Draft(
                number,
                task_id,
                section,
                name,
                cells[cols["content"]],
                units,
                cells[cols["deadline"]],
            )
        )
        previous = cells

    placeholder = False
    if not sections and drafts:
        sections.append(Section("一", PLACEHOLDER))
        placeholder = True
    tasks = _finish(drafts, sections, placeholder, problem)
    if problems:
        raise TableError(problems)
    found = decode_meta(sheet.meta)
    title = found.title or table_title([*sheet.preamble, *_cells_before(sheet, header)])
    found = DocumentHints(
        title or sheet.title.strip() or None,
        found.number,
        found.issuer,
        found.published,
        found.year,
    )
    return Imported(sheet.path, tuple(sections), tuple(tasks), found, joined, placeholder)


def _cells_before(sheet: Sheet, header: _Header) -> list[str]:
    return [cell for _, cells in sheet.rows[: header.index] for cell in cells if cell]


def _continue(task: _Draft, cells: list[str], previous: list[str], cols: dict[str, int]) -> None:
    """Add a continuation row to the task above; a cell equal to the one above is a merge."""

    def new(column: str) -> str:
        j = cols[column]
        return cells[j] if cells[j] and cells[j] != previous[j] else ""

    task.content += new("content")
    task.deadline += new("deadline")
    for unit in split_units(new("units")):
        if unit not in task.units:
            task.units.append(unit)


def _finish(
    drafts: list[_Draft], sections: list[Section], placeholder: bool, problem: _ProblemFn
) -> list[Task]:
    tasks: list[Task] = []
    seen: dict[int, int] = {}
    default = sections[0].id if placeholder else None
    for d in drafts:
        what = f"任务 {d.id}"
        if d.id in seen:
            problem(d.row, "id", "duplicate-id", f"序号 {d.id} 重复（第 {seen[d.id]} 行已有）")
            continue
        seen[d.id] = d.row
        checks = (
            ("name", d.name, "任务名称"),
            ("content", d.content, "任务内容"),
            ("units", "、".join(d.units), "责任单位"),
            ("deadline", d.deadline, "时间节点"),
        )
        empty = [(column, label) for column, value, label in checks if not value]
        for column, label in empty:
            problem(d.row, column, "empty-value", f"{what} 的{label}为空")
        section = d.section or default
        if section is None:
            problem(d.row, "id", "no-section", f"{what} 在第一个部分标题（如“一、……”）之前")
            continue
        if not empty:
            tasks.append(
                Task(
                    id=d.id,
                    section=section,
                    name=d.name,
                    content=d.content,
                    text="",
                    units=tuple(d.units),
                    deadline=d.deadline,
                )
            )
    return tasks


# --- the document ----------------------------------------------------------------------------


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
        match = _YEAR.search(title)
        year = int(match.group(1)) if match else (published.year if published else None)
    if year is None or not 2000 <= year <= 2100:
        raise UsageError(f"无法从标题“{title}”判断计划年度，请用 --year 指定，如 --year 2024。")
    missing = tuple(
        label
        for label, value in (
            ("文号 number", number),
            ("发文单位 issuer", issuer),
            ("发布日期 published", published),
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


def export_table(dataset: Dataset, as_of: date, within: int = status.DEFAULT_WITHIN) -> ExportTable:
    plan = dataset.plan
    states = status.plan_states(dataset, as_of, within)
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
            due.isoformat() if due else NO_DUE,
            status.STATUS_LABELS[s.status],
        )
        rows.append(TaskRow(cells, due, 1))
    rows = _merge_names(rows)
    doc = plan.document
    return ExportTable(
        title=f"{doc.title}任务分解表",
        subtitle=f"{doc.number}　状态截至 {as_of.isoformat()}",
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
