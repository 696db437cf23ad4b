"""The rows under a 任务分解表's header, read into sections and tasks.

The layout (which column holds what) comes from `headers`; a unit cell's names from
`unitcells`. Here, row by row:

* a row holding one text such as 一、融入中心服务大局… (spanning the row or not) opens a
  section, as does a new value in a column of such headings merged down over its rows;
* a row holding one text that starts with 注/说明/备注 (notes under the table) is skipped
  and named in the report;
* a 任务名称 cell left empty continues the name above (a merge written as blank cells);
* a row without its own 序号 (or repeating the one above, where 序号 is merged) continues
  the task above, as a table converted from PDF splits a task at a page break;
* without a 序号 column, tasks are numbered by a typed 1./（1） at the start of their text
  (taken off the text) where every task has one and they run in order, else in the order
  of the table; numbers that start again in each section are numbered through in order;
* a cell wrapped over lines is joined without spaces (the lines of a Chinese cell are
  one text), except in unit cells, where a line may hold one unit;
* columns for no field, and 备注, are kept in each task's notes under their label;
* an empty or missing 时间节点 stays empty: the task is 未明确时限, nothing is made up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from gkctl.core.errors import GkctlError, Problem, UsageError
from gkctl.core.model import Directory, Section, Task
from gkctl.exchange import headers, unitcells
from gkctl.exchange.headers import Layout, letter
from gkctl.exchange.table import (
    PLACEHOLDER,
    DocumentHints,
    Sheet,
    TableError,
    cell_lines,
    decode_meta,
    join_lines,
    table_title,
    title_year,
)

_NUMERALS = "一二三四五六七八九十"
_NOTE = re.compile(r"^(?:注|备注|说明|附注|填表说明|注释)\s*\d*\s*[:：.、]")
_TYPED = re.compile(r"^\s*(?:[（(]\s*(?P<a>\d{1,3})\s*[)）]|(?P<b>\d{1,3})\s*[.、．)）](?!\d))\s*")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# A second-level heading: （一）深化重点领域信息公开.
_SUBHEADING = re.compile(
    r"^[（(](?P<id>[一二三四五六七八九十]+)[)）]\s*(?P<title>\S.*)$", re.DOTALL
)


@dataclass
class ImportReport:
    """What the import did beyond copying cells, for the person to check."""

    layout: Layout | None  # None: a 要点 read as a document, without a table (exchange.yaodian)
    header_rows: tuple[int, ...]  # as the file counts rows
    numbering: str = "column"  # column, renumbered, typed, order, order-typed
    derived_names: bool = False
    section_column: int | None = None
    renamed: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    relevant: list[tuple[int, str, str]] = field(default_factory=list)  # task, written, group
    etc: list[tuple[int, str]] = field(default_factory=list)  # task, X等 as written
    undated: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # row, text (notes, 1 2 3 …)
    subheadings: list[tuple[int, str]] = field(default_factory=list)  # （一）… kept in notes
    id_headings: list[tuple[int, str]] = field(
        default_factory=list
    )  # 序号 column rows read as sections
    joined_tables: int = 0  # Word tables after the first, of its width, read as its rest
    others: list[str] = field(default_factory=list)  # tables with text that were not read


@dataclass(frozen=True)
class Imported:
    path: str
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    found: DocumentHints  # from the file: its gkctl properties, else the title above the table
    joined: int = 0  # rows joined to the task above (a task split over rows)
    placeholder_section: bool = False  # the table had no section rows
    report: ImportReport | None = None
    # Where the visible title and the file's properties disagree (the visible one was taken).
    conflicts: tuple[str, ...] = ()


@dataclass
class _Draft:
    row: int
    id: int | None
    section: str | None
    name: str
    content: str
    lead: list[str]
    co: list[str]
    deadline: str
    notes: list[tuple[str, str]]
    typed: int | None = None
    subheading: str = ""
    unnumbered: bool = False  # its 序号 cell held text, not a number


def read_sheets(
    sheets: Sequence[Sheet],
    path: str,
    hand: dict[str, int] | None = None,
    directory: Directory | None = None,
) -> Imported:
    """The first sheet (or Word table) with a 任务分解表 header, read into tasks.

    `hand` maps fields to column indexes (--columns); `directory` is the units.yaml the
    unit names are matched against. Raises GkctlError where no table has a header,
    TableError (row:column positions) where rows cannot become tasks.
    """
    # A table without a unit column (a county's list of its own work) is read only where
    # no table has one: its tasks' units are left to fill, as a 要点 without brackets.
    for unitless in (False, True):
        for i, sheet in enumerate(sheets):
            layout = headers.find_layout(sheet.rows, hand, unitless)
            if layout is not None:
                whole, joined, others = _rest_of_table(sheet, layout, sheets, i)
                reader = _Reader(whole, layout, unitcells.Matcher(directory))
                reader.report.joined_tables, reader.report.others = joined, others
                imported = reader.read()
                if not imported.tasks:
                    # A header with nothing under it but headings or empty rows: a plan of
                    # no tasks is not written (validate would refuse it anyway).
                    where = "、".join(str(n) for n in reader.report.header_rows)
                    raise GkctlError(
                        f"{path}：表头在第 {where} 行，其下没有任务行（只有空行或部分标题），"
                        "未导入。请确认选的是任务分解表，任务行写在表头之下。"
                    )
                return imported
    if not sheets:
        raise GkctlError(f"{path}：文件中没有表格。需要一张有任务文字列和责任单位列的任务分解表。")
    if hand:
        widest = max(len(cells) for sheet in sheets for _, cells in sheet.rows) if sheets else 0
        raise UsageError(
            f"{path}：--columns 用到了列 {letter(max(hand.values()))}，"
            f"但文件中最宽的表格只有 {widest} 列。"
        )
    raise GkctlError(f"{path}：找不到任务分解表的表头。{_closest(sheets)}")


def _rest_of_table(
    sheet: Sheet, layout: Layout, sheets: Sequence[Sheet], index: int
) -> tuple[Sheet, int, list[str]]:
    """The table with its rest: Word breaks a long table in two where a paragraph or a
    page break was put in it, so a following table of the same width continues it (its
    rows numbered on from the first). Every other table with text is named, not read."""
    width = len(layout.columns)
    rows = list(sheet.rows)
    joined = 0
    others: list[str] = []
    word = sheet.path.lower().endswith(".docx")
    following = True
    for n, other in enumerate(sheets):
        if n == index:
            continue
        texts = [join_lines(c) for _, cells in other.rows for c in cells if c.strip()]
        if not texts:
            continue
        widths = {len(cells) for _, cells in other.rows}
        if word and following and n > index and widths == {width}:
            last = rows[-1][0] if rows else 0
            rows += [(last + k, cells) for k, (_, cells) in enumerate(other.rows, start=1)]
            joined += 1
            continue
        following = following and n < index
        kind = "表格" if word else "工作表"
        others.append(f"第 {n + 1} 个{kind}（{len(other.rows)} 行，开头是“{texts[0][:20]}”）")
    whole = Sheet(sheet.path, tuple(rows), sheet.preamble, sheet.title, sheet.meta)
    return whole, joined, others


def _closest(sheets: Sequence[Sheet]) -> str:
    best: tuple[int, int, list[str]] = (0, 0, [])
    for sheet in sheets:
        for number, cells in sheet.rows:
            found = [
                f"{headers.FIELD_LABELS[f]}（{letter(j)}列“{join_lines(c)}”）"
                for j, c in enumerate(cells)
                if (f := headers.field_of(join_lines(c))) is not None
            ]
            if len(found) > best[0]:
                best = (len(found), number, found)
    need = (
        "需要一行同时有任务文字的列（如 任务名称、工作任务、任务内容、具体要求）"
        "和责任单位的列（如 责任单位、责任部门、牵头单位），或没有责任单位列时的序号列、时间节点列"
    )
    detail = (
        f"最接近的是第 {best[1]} 行，认出了：{'、'.join(best[2])}。"
        if best[2]
        else "没有一行像表头。"
    )
    return (
        f"{need}；{detail}表头用了别的说法时，可用 --columns 指定各列，"
        "如 --columns 任务名称=B,任务内容=C,责任单位=D,时间节点=E。"
    )


def typed_number(text: str) -> tuple[int | None, str]:
    """A number typed at the start of a task's text, and the text without it:
    1.积极推进… / （1）… / 1、… / ①… -> (1, 积极推进…); (None, text) where there is none."""
    stripped = text.lstrip()
    if stripped and stripped[0] in _CIRCLED:
        return _CIRCLED.index(stripped[0]) + 1, stripped[1:].lstrip()
    m = _TYPED.match(text)
    if m is None or not text[m.end() :].strip():
        return None, text
    return int(m["a"] or m["b"]), text[m.end() :]


_DEADLINE_END = re.compile(r"前|内|底|末|部署|推进|坚持|常态化|全年")
_DEADLINE_START = re.compile(r"^(?:\d|[一二三四五六七八九十]|每|全|按|年|明年|次年|上半年|下半年)")


def join_deadline(before: str, after: str) -> str:
    """Two pieces of a 时间节点: each a deadline of its own (6月底前 and 11月底前) makes two
    milestones, joined with "，"; otherwise the second continues the first (2024年12月 底前)."""
    if before and _DEADLINE_END.search(before) and _DEADLINE_START.match(after):
        return before + "，" + after
    return before + after


def deadline_text(raw: str) -> str:
    """A 时间节点 cell as one text: lines that each end a deadline (6月底前⏎11月底前) are
    separate milestones; other line breaks are wraps (2024年12月⏎底前)."""
    lines = [line.strip() for line in re.split(r"\r\n|[\r\n\v\u2028\u2029]", raw)]
    out, last = "", ""
    for line in lines:
        if line:
            out, last = out[: len(out) - len(last)] + join_deadline(last, line), line
    return out


def _lines(raw: str) -> str:
    """A cell kept in the notes: its lines stay lines (a column of phone numbers must not
    become one string of digits), each stripped, empty ones dropped."""
    return "\n".join(line for line in cell_lines(raw) if line)


def first_sentence(text: str, limit: int = 40) -> str:
    """A task's name made from its content where the table has no name column: the first
    sentence, cut at a comma or at `limit` characters when longer."""
    first = re.split(r"[。；;！!？?]", text, maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first or text[:limit]
    comma = first[: _first_comma(first)]
    return comma if 4 <= len(comma) <= limit else first[: limit - 1] + "…"


_QUOTES = {"“": "”", "《": "》", "（": "）", "(": ")", "‘": "’"}


def _first_comma(text: str) -> int:
    """Where the first comma (or colon) outside quotation marks and brackets stands:
    坚持“稳开稳走,提质提效”的总体态势,加强… is cut after 态势, not inside the quote."""
    closing: list[str] = []
    for i, char in enumerate(text):
        if char in _QUOTES:
            closing.append(_QUOTES[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif not closing and char in "，,：:":
            return i
    return len(text)


def _first(columns: list[int]) -> int | None:
    return columns[0] if columns else None


def _folded_id(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).strip(".、．")


def _parse_id(text: str) -> int | None:
    """A 序号 cell's number: 3, （3）, 3、 -> 3; a sub-number 1.3 or 1-3 -> 3 (its place
    under heading 1; such numbers start again under each heading and are numbered through)."""
    folded = _folded_id(text).strip("()")
    sub = re.fullmatch(r"\d{1,3}[.\-－—]0*(\d{1,3})", folded)
    if sub is not None:
        folded = sub[1]
    return int(folded) if folded.isdigit() and int(folded) > 0 else None


def _id_style(text: str) -> str:
    """How a 序号 is written: 3 (plain), （3）, 1.3 or ①; a heading numbered 1 stands over
    tasks numbered in another style."""
    if text.strip()[:1] in tuple(_CIRCLED):  # before NFKC, which makes ① a 1
        return "circled"
    folded = _folded_id(text)
    if folded.isdigit():
        return "plain"
    if re.fullmatch(r"\(\d+\)", folded):
        return "paren"
    return "sub"


def heading_like(text: str) -> bool:
    """Short and not ending as a sentence or a list does: a title, not a task's text."""
    return 0 < len(text) <= 40 and not text.endswith(("。", "；", ";", "，", ",", "、", "：", ":"))


class _Reader:
    def __init__(self, sheet: Sheet, layout: Layout, matcher: unitcells.Matcher) -> None:
        self.sheet, self.layout, self.matcher = sheet, layout, matcher
        self.problems: list[Problem] = []
        self.sections: list[Section] = []
        self.drafts: list[_Draft] = []
        self.joined = 0
        numbers = tuple(sheet.rows[i][0] for i in layout.header)
        self.report = ImportReport(layout, numbers)
        self.report.skipped += [(sheet.rows[i][0], "列序号行") for i in layout.skipped]
        f = layout.first
        self.id_col, self.name_col, self.content_col = f("id"), f("name"), f("content")
        self.section_col, self.deadline_col = f("section"), f("deadline")
        self.lead_cols, self.co_cols = layout.all("lead"), layout.all("co")
        self.note_cols = [
            c for c in layout.columns if c.field in (None, "notes") and c.index != self.section_col
        ]
        self.report.section_column = self.section_col

    def problem(self, row: int, column: int | None, code: str, message: str) -> None:
        where = column + 1 if column is not None else 1
        self.problems.append(Problem(self.sheet.path, row, where, code, message))

    def _open_section(self, sid: str | None, title: str) -> str:
        taken = {s.id: s.title for s in self.sections}
        if sid in taken and taken[sid] != title:
            sid = None  # its number was given in order to a heading without one above it
        if sid is None:  # a heading without its own number (类别 column): numbered in order
            known = {s.title: s.id for s in self.sections}
            if title in known:
                return known[title]
            n = len(self.sections) + 1
            sid = _NUMERALS[n - 1] if n <= 10 else str(n)
        if sid not in {s.id for s in self.sections}:
            self.sections.append(Section(sid, title))
        return sid

    def read(self) -> Imported:
        rows = self.sheet.rows
        header_cells = {tuple(headers.fold(c) for c in rows[i][1]) for i in self.layout.header}
        width = len(self.layout.columns)
        section: str | None = None
        section_value = ""
        self.subheading = ""
        previous: list[str] | None = None
        body = rows[self.layout.body_start :]
        # （一）… rows are the sections of a table without 一、… ones, else headings within
        # a section (kept in the notes of the tasks under them).
        top = any(
            headers.heading(next(iter(set(texts))))
            for _, cells in body
            if len(set(texts := [join_lines(c) for c in cells if c.strip()])) == 1
        )
        for position, (number, raw) in enumerate(body):
            raw_cells = list(raw) + [""] * (width - len(raw))
            cells = [join_lines(c) for c in raw_cells]
            texts = [c for c in cells if c]
            if not texts or tuple(headers.fold(c) for c in raw) in header_cells:
                continue  # empty, or the header repeated on a later page
            id_text = cells[self.id_col] if self.id_col is not None else ""
            single = texts[0] if len(set(texts)) == 1 else None
            if single is not None and _parse_id(id_text) is None:
                found = headers.heading(single)
                if found is not None:
                    section = self._open_section(*found)
                    self.subheading = ""
                    previous = None
                    continue
                sub = _SUBHEADING.match(single)
                if sub is not None and not top:
                    section = self._open_section(sub["id"], sub["title"].strip())
                    previous = None
                    continue
                if sub is not None:
                    self.subheading = single
                    self.report.subheadings.append((number, single))
                    previous = None
                    continue
                if _NOTE.match(single):
                    self.report.skipped.append((number, single))
                    previous = None
                    continue
                if len(texts) == len(cells) > 1 and heading_like(single):
                    section = self._open_section(None, single)
                    self.report.id_headings.append((number, single))
                    self.subheading = ""
                    previous = None
                    continue
                if len(texts) == len(cells) > 1:
                    self.problem(
                        number,
                        self.id_col,
                        "bad-heading",
                        f"无法识别的通栏行“{single}”：部分标题应写作“一、……”",
                    )
                    previous = None
                    continue
            if self._numeral_heading(cells):
                rest = [c for j, c in enumerate(cells) if c and j != self.id_col]
                section = self._open_section(cells[self.id_col or 0].rstrip("、.．"), rest[0])
                previous = None
                continue
            if self.section_col is not None and cells[self.section_col] != section_value:
                section_value = cells[self.section_col]
                if section_value:
                    found = headers.heading(section_value)
                    section = self._open_section(*(found or (None, section_value)))
                    previous = None
            if self._numbered_heading(cells, body[position + 1 :]):
                title = next(c for j, c in enumerate(cells) if c and j != self.id_col)
                section = self._open_section(None, title)
                self.report.id_headings.append((number, f"{id_text} {title}"))
                self.subheading = ""
                previous = None
                continue
            task_id = _parse_id(id_text)
            unnumbered = False
            if self.id_col is not None and id_text and task_id is None:
                typed, after = typed_number(id_text)
                units = [cells[j] for j in (*self.lead_cols, *self.co_cols) if cells[j]]
                if typed is not None:  # 1.推进规划信息公开 typed in the 序号 column
                    task_id = typed
                    cells, raw_cells = self._with_id_text(cells, raw_cells, after)
                elif not units and self._text(cells) in ("", id_text):
                    # A title written in the 序号 column: the section of the rows below.
                    found = headers.heading(id_text)
                    sub = _SUBHEADING.match(id_text)
                    if sub is not None and top:
                        self.subheading = id_text
                        self.report.subheadings.append((number, id_text))
                    else:
                        pair = found or ((sub["id"], sub["title"]) if sub else (None, id_text))
                        section = self._open_section(*pair)
                        self.report.id_headings.append((number, id_text))
                        self.subheading = ""
                    previous = None
                    continue
                else:
                    unnumbered = True
            last = self.drafts[-1] if self.drafts else None
            if not unnumbered and self._continues(task_id, cells, previous, last):
                if last is None or previous is None:
                    self.problem(
                        number, self.id_col, "orphan-row", "这一行没有序号，也不接在某项任务之后"
                    )
                    continue
                self._continue(last, cells, raw_cells, previous)
                self.joined += 1
                previous = cells
                continue
            draft = self._draft(number, task_id, section, cells, raw_cells, last)
            if unnumbered:
                draft.unnumbered = True
                draft.notes.insert(0, (self._label(self.id_col or 0), id_text))
            self.drafts.append(draft)
            previous = cells
        return self._finish()

    def _with_id_text(
        self, cells: list[str], raw: list[str], text: str
    ) -> tuple[list[str], list[str]]:
        """A task's text typed after its number in the 序号 column, put where the row has
        no text of its own: the name, else the content."""
        for j in (self.name_col, self.content_col):
            if j is not None and not cells[j]:
                cells, raw = list(cells), list(raw)
                cells[j] = raw[j] = text
                break
        return cells, raw

    def _numbered_heading(
        self, cells: list[str], below: Sequence[tuple[int, tuple[str, ...]]]
    ) -> bool:
        """1 | 深化重点领域信息公开 | (empty) …: a number in the 序号 column beside one short
        text, no units and no deadline, that spans the row or stands over rows numbered in
        another style ((1), 1.1, ①): a section heading, not a task."""
        if self.id_col is None or _parse_id(cells[self.id_col]) is None:
            return False
        rest = [c for j, c in enumerate(cells) if c and j != self.id_col]
        if len(set(rest)) != 1 or not heading_like(rest[0]):
            return False
        if len(rest) > 1 and len(rest) == len(cells) - 1:
            return True  # merged over the row beside its number
        if self.deadline_col is not None and cells[self.deadline_col]:
            return False
        if any(cells[j] for j in (*self.lead_cols, *self.co_cols)):
            return False
        style = _id_style(cells[self.id_col])
        for _, raw in below:
            text = join_lines(raw[self.id_col]) if self.id_col < len(raw) else ""
            if text:
                return _parse_id(text) is not None and _id_style(text) != style
        return False

    def _numeral_heading(self, cells: list[str]) -> bool:
        """一 | 深化主动公开 | (empty) …: the section number in the 序号 column, its title
        beside it, nothing in the unit and deadline columns."""
        if self.id_col is None:
            return False
        if not re.fullmatch(f"[{_NUMERALS}]+[、.．]?", cells[self.id_col]):
            return False
        rest = {c for j, c in enumerate(cells) if c and j != self.id_col}
        units = [cells[j] for j in (*self.lead_cols, *self.co_cols) if cells[j]]
        return len(rest) == 1 and not units

    def _continues(
        self, task_id: int | None, cells: list[str], previous: list[str] | None, last: _Draft | None
    ) -> bool:
        if self.id_col is not None:
            return task_id is None or (
                last is not None and task_id == last.id and previous is not None
            )
        text = self._text(cells)
        if not text:
            return True  # units or a deadline only: the rest of the task above
        # A content cell merged down over two rows (one task, two rows of units).
        return previous is not None and self._text(previous) == text and last is not None

    def _text(self, cells: list[str]) -> str:
        cols = [c for c in (self.name_col, self.content_col) if c is not None]
        return "".join(cells[c] for c in cols)

    def _draft(
        self,
        number: int,
        task_id: int | None,
        section: str | None,
        cells: list[str],
        raw: list[str],
        last: _Draft | None,
    ) -> _Draft:
        name = cells[self.name_col] if self.name_col is not None else ""
        content = cells[self.content_col] if self.content_col is not None else ""
        if self.name_col is not None and not name and last is not None and last.section == section:
            name = last.name  # a merged 任务名称 written as blank cells below the first
        sub = _SUBHEADING.match(name)
        if sub:  # a 任务 column of （一）… headings: the number is the heading's, not the name's
            name = sub["title"].rstrip("。；;")
        typed = None
        if self.id_col is None:
            if self.name_col is not None and name:
                typed, name = typed_number(name)
            elif content:
                typed, content = typed_number(content)
        return _Draft(
            number,
            task_id,
            section,
            name,
            content,
            [raw[j] for j in self.lead_cols if raw[j].strip()],
            [raw[j] for j in self.co_cols if raw[j].strip()],
            deadline_text(raw[self.deadline_col]) if self.deadline_col is not None else "",
            [
                (self._label(c.index), _lines(raw[c.index]))
                for c in self.note_cols
                if cells[c.index]
            ],
            typed,
            self.subheading,
        )

    def _label(self, j: int) -> str:
        label = self.layout.columns[j].label
        return label or f"{letter(j)}列"

    def _continue(
        self, task: _Draft, cells: list[str], raw: list[str], previous: list[str]
    ) -> None:
        """Add a continuation row to the task above; a cell equal to the one above is a merge."""

        def new(j: int | None) -> str:
            if j is None:
                return ""
            return cells[j] if cells[j] and cells[j] != previous[j] else ""

        task.content += new(self.content_col)
        # A row of its own under one number (5 开工建设县老年养护楼 5月底前动工 / 开工建设老年
        # 大学 12月底前) adds a milestone, not letters glued to the deadline above.
        if new(self.deadline_col):
            assert self.deadline_col is not None
            task.deadline = join_deadline(task.deadline, deadline_text(raw[self.deadline_col]))
        task.lead += [raw[j] for j in self.lead_cols if new(j)]
        task.co += [raw[j] for j in self.co_cols if new(j)]
        task.notes += [
            (self._label(c.index), _lines(raw[c.index])) for c in self.note_cols if new(c.index)
        ]

    # --- the tasks ------------------------------------------------------------------------

    def _number(self) -> None:
        drafts = self.drafts
        report = self.report
        if self.id_col is None:
            typed = [d.typed for d in drafts]
            if typed and all(t is not None for t in typed) and typed == sorted(set(typed)):  # type: ignore[type-var]
                report.numbering = "typed"
                for d in drafts:
                    d.id = d.typed
            else:
                report.numbering = "order-typed" if any(t is not None for t in typed) else "order"
                for n, d in enumerate(drafts, start=1):
                    d.id = n
            return
        if any(d.unnumbered for d in drafts):
            report.numbering = "id-order"
            for n, d in enumerate(drafts, start=1):
                d.id = n
            return
        ids = [d.id for d in drafts]
        if len(set(ids)) == len(ids):
            return
        # 1, 2, 3 in each section again: numbered through, in the table's order.
        by_section: dict[str | None, list[int | None]] = {}
        for d in drafts:
            by_section.setdefault(d.section, []).append(d.id)
        if len(by_section) > 1 and all(
            v == list(range(1, len(v) + 1)) for v in by_section.values()
        ):
            report.numbering = "renumbered"
            for n, d in enumerate(drafts, start=1):
                d.id = n

    def _finish(self) -> Imported:
        placeholder = False
        if not self.sections and self.drafts:
            self.sections.append(Section("一", PLACEHOLDER))
            placeholder = True
        self._number()
        default = self.sections[0].id if placeholder else None
        tasks: list[Task] = []
        seen: dict[int, int] = {}
        report = self.report
        for d in self.drafts:
            assert d.id is not None
            what = f"任务 {d.id}"
            if d.id in seen:
                self.problem(
                    d.row,
                    self.id_col,
                    "duplicate-id",
                    f"序号 {d.id} 重复（第 {seen[d.id]} 行已有）",
                )
                continue
            seen[d.id] = d.row
            name = d.name
            if self.name_col is None and d.content:
                name = first_sentence(d.content)
                report.derived_names = True
            units = unitcells.parse(d.lead, d.co, self.matcher)
            checks = (
                (
                    self.name_col if self.name_col is not None else self.content_col,
                    name,
                    "任务名称",
                ),
                (self.content_col, d.content, "任务内容"),
                (_first(self.lead_cols + self.co_cols), "、".join(units.names), "责任单位"),
            )
            # Without a unit column the units are to fill (validate names each), not an error.
            unit_column = bool(self.lead_cols or self.co_cols)
            empty = [
                (column, label)
                for column, value, label in checks
                if not value and (unit_column or label != "责任单位")
            ]
            for column, label in empty:
                self.problem(d.row, column, "empty-value", f"{what} 的{label}为空")
            section = d.section or default
            if section is None:
                self.problem(
                    d.row, self.id_col, "no-section", f"{what} 在第一个部分标题（如“一、……”）之前"
                )
                continue
            if empty:
                continue
            for pair in units.renamed:
                report.renamed.setdefault(pair, []).append(d.id)
            report.relevant += [(d.id, written, group) for written, group in units.relevant]
            if not d.deadline:
                report.undated.append(d.id)
            notes = [f"{label}：{text}" for label, text in d.notes]
            if d.subheading:
                notes.insert(0, f"小标题：{d.subheading}")
            report.etc += [(d.id, written) for written in units.etc]
            if units.leads > 1 or units.relevant or units.etc:
                cells = "；".join(join_lines(c) for c in (*d.lead, *d.co))
                notes.insert(0, f"责任单位原文：{cells}")
            tasks.append(
                Task(
                    id=d.id,
                    section=section,
                    name=name,
                    content=d.content,
                    text="",
                    units=tuple(units.names),
                    deadline=d.deadline,
                    notes="；".join(notes),
                )
            )
        if self.problems:
            raise TableError(self.problems)
        sheet = self.sheet
        before = [
            cell
            for _, cells in sheet.rows[: min(self.layout.header, default=0)]
            for cell in cells
            if cell
        ]
        found, conflicts = _document_hints(
            table_title([*sheet.preamble, *before]), decode_meta(sheet.meta), sheet.title
        )
        return Imported(
            sheet.path,
            tuple(self.sections),
            tuple(tasks),
            found,
            self.joined,
            placeholder,
            report,
            conflicts,
        )


def _document_hints(
    visible: str | None, meta: DocumentHints, title_property: str
) -> tuple[DocumentHints, tuple[str, ...]]:
    """The plan's document as the file shows it: the title (and its year) written above the
    table wins over the file's properties, which fill in only what nothing visible says.
    An edited export whose title now reads 2025 is the 2025 plan: the properties' year,
    文号 and 发布日期 were the 2024 one's, so they are not carried over, and it is said."""
    if visible is None or meta.title is None or _same_title(visible, meta.title):
        title = meta.title or visible or title_property.strip() or None
        return DocumentHints(title, meta.number, meta.issuer, meta.published, meta.year), ()
    said = [f"表格上方的标题“{visible}”与文件属性中的“{meta.title}”不同，按表格上方的标题导入。"]
    year = title_year(visible) or meta.year
    if meta.year is not None and year != meta.year:
        said.append(
            f"计划年度按标题取 {year} 年（文件属性中是 {meta.year} 年）；"
            "文件属性中的文号、发布日期属于原来的文件，未沿用。"
        )
        return DocumentHints(visible, None, meta.issuer, None, year), tuple(said)
    return DocumentHints(visible, meta.number, meta.issuer, meta.published, year), tuple(said)


def _same_title(a: str, b: str) -> bool:
    def bare(text: str) -> str:
        return re.sub(r"[\s《》“”\"'()（）]", "", unicodedata.normalize("NFKC", text))

    return bare(a) == bare(b)
