"""A unit's 填报表: the Excel sheet the office sends a unit and the unit sends back filled in.

One row per task that concerns the unit (directly, through a group, or possibly through
各相关部门), in plan order. The columns from the plan are locked; the columns the unit
fills are not, and the sheet is protected without a password, so that a careless edit is
stopped and a determined one is not. What the import needs to check a returned form (the
plan, the unit, the as-of date, a fingerprint of each task's text, and a signature of all
of that under the office's key) is kept on a hidden sheet: Excel, WPS and LibreOffice
keep a hidden sheet's cells when they save a workbook again, where custom document
properties are not always carried over. The sheet being readable does no harm: without the
key, a change to it cannot be signed again.

The layout (pure Python) is `form_layout`; `write_form` only puts it into openpyxl, which
is imported inside it. The reader is gkctl.exchange.form_read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from gkctl.core import collector, dates, planyear, status
from gkctl.core.model import Dataset, Task, Unit
from gkctl.core.units import DIRECT
from gkctl.exchange.sheetrows import Rows
from gkctl.exchange.table import lines_needed
from gkctl.exchange.xlsx_io import RowStyles, cell_text, print_landscape, saved
from gkctl.store.formkey import FormKey
from gkctl.views.labels import outcome_days

SHEET = "填报表"
META_SHEET = "gkctl"
FORMAT = "gkctl-填报表"
# 2: signed (key and mac on the hidden sheet). Version 1 forms carried no signature, so a
# unit could rewrite them to speak for another; they are refused (see form_read).
VERSION = 2
LOCKED = ("序号", "任务名称", "任务内容", "责任单位", "时间节点", "截止日期", "当前状态")
FILL = ("完成情况", "进展说明", "完成日期", "佐证链接", "申请延期至", "延期理由")
HEADER = LOCKED + FILL
# A form across the plans of a data folder: each row says its plan, before its 序号 (task
# ids repeat from plan to plan).
PLAN = "计划"
PLANS_HEADER = (PLAN, *HEADER)
DONE, DOING = "已完成", "推进中"
FILL_DATE = "填报日期"
POSSIBLY = "（可能涉及本单位）"
# Column widths in Latin letters (a Chinese character is two), chosen so that the sheet
# fits the width of A4 landscape at a readable size.
WIDTHS = (5, 14, 40, 14, 10, 11, 13, 9, 30, 11, 16, 11, 16)
PLANS_WIDTHS = (9, 5, 14, 36, 14, 10, 11, 13, 9, 28, 11, 16, 11, 16)
HEADER_ROW = 5
FILL_DATE_CELL = "D4"
NOTES = (
    "填报说明：1. 灰色各列是计划中的任务，不能修改；请在白色各列填写。"
    "2. 完成情况选“已完成”或“推进中”；已完成的请填完成日期。"
    "3. 日期写作 2024-10-20（2024/10/20、2024年10月20日 也可以）。"
    "4. 需要延期的，填写申请延期至和延期理由。"
    "5. 佐证链接填公开网页的地址（http:// 或 https:// 开头）。"
    "6. 不要增删、移动工作表；填好后保存，原文件发回区政府办公室。"
)


def fingerprint(task: Task) -> str:
    """What the unit saw of the task (name, content, units, 时间节点, a fixed due date):
    a form whose tasks have changed since is refused at import."""
    return text_fingerprint(
        task.name,
        task.content,
        "、".join(task.units),
        task.deadline,
        task.due.isoformat() if task.due else "",
    )


def text_fingerprint(name: str, content: str, units: str, deadline: str, due: str) -> str:
    data = json.dumps([name, content, units, deadline, due], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


# A row of a form: its plan's name ("" on a form of one plan) and its task's id.
RowKey = tuple[str, int]


@dataclass(frozen=True)
class FormMeta:
    """What a form carries about itself (on its hidden sheet), and its signature: an HMAC
    of all of it under the office's key (gkctl.store.formkey), which the unit does not have.
    The task fingerprints alone are unkeyed hashes of public text, which anyone can redo.

    A form of one plan names the plan by its document (title, 文号, year) and keys its rows
    by task id alone. A form across the plans of a data folder names the plans (`plans`,
    their folder names) and keys each row by plan and task id; its document fields are
    empty and its year is the as-of date's."""

    title: str
    number: str
    year: int
    unit: str
    as_of: date
    tasks: dict[RowKey, str]  # (plan, task id) -> fingerprint
    key_id: str = ""
    mac: str = ""
    plans: tuple[str, ...] = ()

    def payload(self) -> bytes:
        """What the signature covers: the plan (or plans), the unit, the date, the key's
        name and the exact set of tasks with their fingerprints, each row with its plan on
        a form across plans (so that a row moved to another plan breaks it). A form of one
        plan signs what version 2 forms always signed, so forms already sent still import."""
        fields: list[object] = [FORMAT, VERSION, self.title, self.number, self.year, self.unit]
        fields += [self.as_of.isoformat(), self.key_id]
        if self.plans:
            rows = sorted([plan, task_id, fp] for (plan, task_id), fp in self.tasks.items())
            fields += [list(self.plans), rows]
        else:
            fields.append(sorted((task_id, fp) for (_, task_id), fp in self.tasks.items()))
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def signature(self, key: FormKey) -> str:
        return hmac.new(key.secret, self.payload(), hashlib.sha256).hexdigest()

    def signed(self, key: FormKey) -> FormMeta:
        named = replace(self, key_id=key.id)
        return replace(named, mac=named.signature(key))

    def encode(self) -> list[tuple[str, str]]:
        rows = [
            ("format", f"{FORMAT} {VERSION}"),
            ("title", self.title),
            ("number", self.number),
            ("year", str(self.year)),
            ("unit", self.unit),
            ("as_of", self.as_of.isoformat()),
            ("key", self.key_id),
            ("mac", self.mac),
        ]
        if self.plans:
            rows.append(("plans", json.dumps(list(self.plans), ensure_ascii=False)))
        # A plan's name is a folder's, which holds no "/".
        return rows + [
            (f"task {plan}/{task_id}" if plan else f"task {task_id}", fp)
            for (plan, task_id), fp in self.tasks.items()
        ]


@dataclass(frozen=True)
class FormRow:
    cells: tuple[str, ...]  # the locked columns, as shown
    task_id: int
    possible: bool
    plan: str = ""
    lines: int = 1  # lines its tallest cell wraps to, in its form's column widths


@dataclass(frozen=True)
class FormLayout:
    title: str
    subtitle: str
    rows: tuple[FormRow, ...]
    meta: FormMeta
    # The first day a date on the form may be (the plan's publication): Excel's own check
    # tells the unit at once what the import would refuse.
    earliest: date | None = None
    header: tuple[str, ...] = HEADER
    widths: tuple[int, ...] = WIDTHS


def form_layout(dataset: Dataset, unit: Unit, as_of: date) -> FormLayout:
    """The form of one unit over one plan."""
    states = status.unit_states(dataset, unit, as_of)
    return _layout(dataset, unit, states, as_of, fingerprint, lambda t: _text_lines(t, WIDTHS))


@collector.pausing
def form_layouts(dataset: Dataset, as_of: date) -> list[tuple[Unit, FormLayout]]:
    """Every unit's form_layout, in the directory's order: the plan walked once for all the
    units (status.states_by_unit), and each task's fingerprint worked out once, not once
    for each unit it names (a form per unit over 100,000 tasks hashed 1.2 million rows)."""
    prints: dict[int, str] = {}
    measures: dict[int, int] = {}

    def printed(task: Task) -> str:
        found = prints.get(task.id)
        if found is None:
            found = prints[task.id] = fingerprint(task)
        return found

    def measured(task: Task) -> int:
        found = measures.get(task.id)
        if found is None:
            found = measures[task.id] = _text_lines(task, WIDTHS)
        return found

    units = dataset.directory.units
    by_unit = status.states_by_unit(dataset, as_of)
    return [
        (unit, _layout(dataset, unit, states, as_of, printed, measured))
        for unit, states in zip(units, by_unit, strict=True)
    ]


def _layout(
    dataset: Dataset,
    unit: Unit,
    states: list[status.TaskState],
    as_of: date,
    printed: Callable[[Task], str],
    measured: Callable[[Task], int],
) -> FormLayout:
    plan = dataset.plan
    rows = [_row(s, measured(s.task)) for s in states]
    doc = plan.document
    meta = FormMeta(
        doc.title,
        doc.number,
        doc.year,
        unit.name,
        as_of,
        {("", s.task.id): printed(s.task) for s in states},
    )
    direct = sum(1 for s in states if s.involvement is not None and s.involvement.via == DIRECT)
    subtitle = (
        f"单位：{unit.name}　　文号：{doc.number}　　状态截至：{_day(as_of)}"
        f"　　共 {len(rows)} 项（直接点名 {direct} 项）"
    )
    ending = planyear.ending(plan, as_of)
    if ending.ended:
        # A late report is still real: the form says what it records into.
        subtitle += f"\n{ending.label}，状态为最终结果；补报进展请写明实际日期。"
    earliest = dates.plan_start(doc.published, doc.year)
    title = f"{doc.title} 任务填报表（{unit.name}）"
    return FormLayout(title, subtitle, tuple(rows), meta, earliest)


def plans_form_layout(
    plans: list[tuple[str, Dataset]], unit: Unit, states: list[status.TaskState], as_of: date
) -> FormLayout:
    """One form for `unit` over several running plans: the rows are `states` (each marked
    with its plan, as the cross-plan due view selects them, core.plans), plan by plan in
    plan order, each under a 计划 column."""
    order = {name: i for i, (name, _) in enumerate(plans)}
    datasets = dict(plans)
    states = sorted(states, key=lambda s: (order[s.plan], s.task.id))
    rows = tuple(_row(s, _text_lines(s.task, PLANS_WIDTHS[1:]), s.plan) for s in states)
    named = tuple(name for name, _ in plans if any(r.plan == name for r in rows))
    meta = FormMeta(
        "",
        "",
        as_of.year,
        unit.name,
        as_of,
        {(s.plan, s.task.id): fingerprint(s.task) for s in states},
        plans=named,
    )
    direct = sum(1 for s in states if s.involvement is not None and s.involvement.via == DIRECT)
    counts = "、".join(f"{name} {sum(1 for r in rows if r.plan == name)} 项" for name in named)
    subtitle = (
        f"单位：{unit.name}　　状态截至：{_day(as_of)}　　共 {len(rows)} 项"
        f"（直接点名 {direct} 项）：{counts}"
    )
    documents = [datasets[name].plan.document for name in named]
    starts = [
        start
        for doc in documents
        if (start := dates.plan_start(doc.published, doc.year)) is not None
    ]
    titles = "；".join(f"{name}：{doc.title}" for name, doc in zip(named, documents, strict=True))
    title = f"{unit.name} 任务填报表（{len(named)} 个计划）"
    return FormLayout(
        title,
        subtitle + "\n" + titles,
        rows,
        meta,
        min(starts) if starts else None,
        PLANS_HEADER,
        PLANS_WIDTHS,
    )


def _row(s: status.TaskState, text_lines: int, plan: str = "") -> FormRow:
    """A task's row; `text_lines` is what its own text needs (_text_lines), worked out
    once for every unit's form it is on."""
    task, how = s.task, s.involvement
    possible = how is not None and how.possible
    units = "、".join(task.units) + ("\n" + POSSIBLY if possible else "")
    cells = (
        str(task.id),
        task.name,
        task.content,
        units,
        task.deadline,
        s.due.isoformat() if s.due else "待定",
        _state_text(s),
    )
    # The units, the due date and the state can differ from unit to unit.
    widths = PLANS_WIDTHS[1:] if plan else WIDTHS
    lines = max(text_lines, *(lines_needed(cells[j], widths[j]) for j in (3, 5, 6)))
    if plan:
        lines = max(lines, lines_needed(plan, PLANS_WIDTHS[0]))
    return FormRow((plan, *cells) if plan else cells, task.id, possible, plan, lines)


def _text_lines(task: Task, widths: tuple[int, ...]) -> int:
    """Lines the tallest of the task's own cells (序号, 任务名称, 任务内容, 时间节点) wraps
    to in the form's columns `widths` (of the cells _row makes)."""
    cells = ((0, str(task.id)), (1, task.name), (2, task.content), (4, task.deadline))
    return max(lines_needed(text, widths[j]) for j, text in cells)


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _state_text(s: status.TaskState) -> str:
    label = status.STATUS_LABELS[s.status]
    days = " " + outcome_days(s.status, s.days_late) if s.days_late else ""
    if s.status is not status.Status.DONE and s.days_left is not None:
        if s.days_left < 0:
            days = f" 逾期{-s.days_left}天"
        elif s.status is status.Status.DUE_SOON:
            days = " 今天到期" if s.days_left == 0 else f" 剩{s.days_left}天"
    notes = []
    if s.extension is not None and s.original_due is not None:
        notes.append(f"已延期，原{s.original_due.isoformat()}")
    if s.request is not None:
        notes.append(f"延期申请待批 至{s.request.to.isoformat()}")
    if s.returned is not None:
        notes.append(f"已退办：{s.returned.return_reason}")
    return "\n".join([label + days, *notes])


def form_filename(stem: str) -> str:
    """The form's file name, from the unit's file stem (core.filenames)."""
    return f"{stem}-填报表.xlsx"


def write_form(layout: FormLayout, key: FormKey) -> bytes:
    """The form as an .xlsx file (see the module's docstring), signed with `key`."""
    # openpyxl's cells and sheets point at each other: the workbook is freed by one
    # collection after it is saved, not by passes over every unit's rows while it builds.
    with collector.collected_after():
        return _form_bytes(layout, key)


def _form_bytes(layout: FormLayout, key: FormKey) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    header = layout.header
    ncol = len(header)
    at = {label: j for j, label in enumerate(header)}
    last = get_column_letter(ncol)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="宋体", size=10)
    grey = PatternFill("solid", fgColor="EDEDED")
    wrap = Alignment(wrap_text=True, vertical="center")
    middle = Alignment(wrap_text=True, vertical="center", horizontal="center")
    unlocked = Protection(locked=False)

    def title_row(row: int, text: str, font: Any, height: float, align: Any) -> None:
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = _text(ws.cell(row, 1, cell_text(text)))
        cell.font, cell.alignment = font, align
        ws.row_dimensions[row].height = height

    title_row(1, layout.title, Font(name="黑体", size=16), 28, middle)
    title_row(2, layout.subtitle, body, 18 * (layout.subtitle.count("\n") + 1), middle)
    title_row(3, NOTES, Font(name="宋体", size=9), 40, wrap)
    ws.merge_cells("A4:C4")
    ws["A4"] = FILL_DATE + "（请填写）："
    ws["A4"].font = Font(name="黑体", size=10)
    ws["A4"].alignment = Alignment(horizontal="right", vertical="center")
    fill_date = ws[FILL_DATE_CELL]
    fill_date.protection, fill_date.border = unlocked, border
    fill_date.number_format = "yyyy-mm-dd"
    ws.row_dimensions[4].height = 20

    for j, label in enumerate(header, start=1):
        cell = ws.cell(HEADER_ROW, j, label)
        cell.font = Font(name="黑体", size=10, bold=True)
        cell.alignment, cell.border = middle, border
        cell.fill = grey if label not in FILL else PatternFill("solid", fgColor="FFF2CC")
    ws.row_dimensions[HEADER_ROW].height = 22

    first = HEADER_ROW + 1
    wrapped = {at["任务名称"], at["任务内容"], at["责任单位"]}
    dated = {at[label] for label in ("截止日期", "完成日期", "申请延期至")}
    # Each column's styles, for the rows below the header (sheetrows).
    styles: list[dict[str, Any]] = []
    for j in range(ncol):
        style: dict[str, Any] = {"font": body, "border": border}
        if j < ncol - len(FILL):  # the plan's columns, locked
            style |= {"fill": grey, "alignment": wrap if j in wrapped else middle}
        else:
            style |= {"protection": unlocked, "alignment": wrap}
        if j in dated:
            style["number_format"] = "yyyy-mm-dd"
        styles.append(style)
    # The rows go in as text (sheetrows), each column with the style index openpyxl
    # gives it (RowStyles); a form without rows registers none of their styles.
    row_styles = RowStyles(workbook)
    if layout.rows:
        row_styles.plain("row", list(enumerate(styles)))
    column_styles = row_styles.indices(ws, ["row"] if layout.rows else []).get("row", [])
    values, heights = [], []
    due_at, id_at = at["截止日期"], at["序号"]
    for row in layout.rows:
        cells: list[Any] = [cell_text(v) for v in row.cells]
        cells[id_at] = int(cells[id_at])
        due = row.cells[due_at]
        if due[:1].isdigit():
            cells[due_at] = date.fromisoformat(due)
        values.append(cells + [None] * (ncol - len(cells)))
        heights.append(max(row.lines, 2) * 13 + 6)
    rows = {ws: Rows(first, values, heights, column_styles)}
    end = first + max(len(layout.rows), 1) - 1

    def column(label: str) -> str:
        return str(get_column_letter(at[label] + 1))

    choice = DataValidation(
        type="list",
        formula1=f'"{DONE},{DOING}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成情况",
        error=f"请选择“{DONE}”或“{DOING}”。",
        promptTitle="完成情况",
        prompt=f"选择“{DONE}”或“{DOING}”",
        showInputMessage=True,
    )
    choice.add(f"{column('完成情况')}{first}:{column('完成情况')}{end}")
    year = layout.meta.year
    first_day = layout.earliest or date(year - 1, 1, 1)
    days = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({first_day.year},{first_day.month},{first_day.day})",
        formula2=f"DATE({year + 2},12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="日期",
        error=f"请填写 {first_day.isoformat()}（计划发布）之后的日期，如 2024-10-20。",
        promptTitle="日期",
        prompt="如 2024-10-20",
        showInputMessage=True,
    )
    for label in ("完成日期", "申请延期至"):
        days.add(f"{column(label)}{first}:{column(label)}{end}")
    days.add(FILL_DATE_CELL)
    ws.add_data_validation(choice)
    ws.add_data_validation(days)

    for j, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width + 1
    ws.freeze_panes = f"{get_column_letter(at['任务名称'] + 2)}{first}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    print_landscape(ws, f"{layout.meta.unit} 填报表　第 &P 页，共 &N 页", sides=0.4, ends=0.5)
    # No password: the point is to stop a slip, not a person who means it. Widening
    # columns and rows stays allowed, so that long answers can be read.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    meta = workbook.create_sheet(META_SHEET)
    signed = [(name, cell_text(value)) for name, value in layout.meta.signed(key).encode()]
    rows[meta] = Rows(1, signed, [None] * len(signed), [None, None])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    workbook.active = 0

    stamp = datetime.combine(layout.meta.as_of, time(0))
    props = workbook.properties
    props.title = cell_text(layout.title)
    props.subject = SHEET
    props.keywords = cell_text(f"{FORMAT} {layout.meta.unit} {layout.meta.as_of.isoformat()}")
    props.creator = props.lastModifiedBy = "gkctl"
    props.created = props.modified = stamp
    return saved(workbook, rows)


def _text(cell: Any) -> Any:
    """Text from the plan that starts with "=" stays text, never a formula."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell
