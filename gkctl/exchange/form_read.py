"""Reading a returned 填报表: what each filled row reports, and every problem by its cell.

Offices fill forms in Excel, WPS or LibreOffice, and type what they are used to: dates as
Excel dates or as 2024-10-20, 2024/10/20, 2024.10.20, 2024年10月20日, in full-width
digits; 完成 for 已完成. Columns are found by their header text, so an added column or
moved columns do no harm, and rows by their 序号, so re-sorted or deleted rows do none.

`read_form` reads the file (openpyxl, through xlsx_io.open_workbook); `signature_problem`
checks its hidden sheet against the office's key, then `check_form` holds it against the
plan (the same plan, unit and task texts the form was made from). None of them writes:
gkctl.exchange.form_import builds the entries from `Report`s through gkctl.store.writes.
"""

from __future__ import annotations

import hmac
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from gkctl.core import limits, textsafe
from gkctl.core.errors import GkctlError
from gkctl.core.model import Dataset, Directory, ProgressStatus, Task
from gkctl.core.units import lookup
from gkctl.exchange import form
from gkctl.store.formkey import FormKey

_STATES = {
    ProgressStatus.DONE: {"已完成", "完成", "已办结", "办结", "已落实", "done"},
    ProgressStatus.DOING: {"推进中", "进行中", "正在推进", "未完成", "doing"},
}
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Cell:
    ref: str  # A1 style
    value: Any


@dataclass(frozen=True)
class Report:
    """One filled row: what it reports and where each part stands."""

    row: int
    task_id: int
    plan: str  # "" on a form of one plan
    shown: tuple[str, str, str, str, str]  # 任务名称, 任务内容, 责任单位, 时间节点 as in the row
    state: ProgressStatus | None
    note: str
    day: date | None  # 完成日期
    link: str | None
    extend_to: date | None
    reason: str
    refs: dict[str, str]  # column label -> cell (H7)


@dataclass(frozen=True)
class ReturnedForm:
    shown: str
    meta: form.FormMeta
    fill_date: date | None
    reports: tuple[Report, ...]
    blank: int  # rows left empty
    problems: tuple[str, ...] = field(default=())

    def at(self, ref: str, message: str) -> str:
        return f"{self.shown}!{ref}：{message}"


def key(report: Report) -> form.RowKey:
    return report.plan, report.task_id


def task_label(report: Report) -> str:
    """The task as messages name it: 任务 31, or 计划 2025 任务 1 on a form across plans."""
    return f"计划 {report.plan} 任务 {report.task_id}" if report.plan else f"任务 {report.task_id}"


def read_form(path: Path, shown: str) -> ReturnedForm:
    """The form in `path`; GkctlError where it is not a gkctl 填报表 at all."""
    from gkctl.exchange.xlsx_io import open_workbook

    size = path.stat().st_size
    if size > limits.FORM_BYTES:
        raise GkctlError(
            f"{shown}：文件有 {size / 1024 / 1024:.1f} MB，超过填报表的上限 "
            f"{limits.FORM_BYTES // 1024 // 1024} MB（一份填报表通常只有几十 KB），未导入。"
        )
    workbook = open_workbook(path, shown)
    if form.META_SHEET not in workbook.sheetnames:
        raise GkctlError(
            f"{shown}：不是 gkctl 生成的填报表（找不到表内的计划信息）。"
            "请用 gkctl form 生成的填报表填写后再导入。"
        )
    meta = _meta(workbook[form.META_SHEET], shown)
    labels = form.PLANS_HEADER if meta.plans else form.HEADER
    for ws in workbook.worksheets:
        if ws.title == form.META_SHEET:
            continue
        most = form.HEADER_ROW + len(meta.tasks) + limits.FORM_EXTRA_ROWS
        if ws.max_row > most:
            raise GkctlError(
                f"{shown}：工作表“{ws.title}”有 {ws.max_row:,} 行，这份填报表生成时只有 "
                f"{len(meta.tasks)} 项任务，至多接受 {most:,} 行，未导入。"
            )
        grid = [list(r) for r in ws.iter_rows(max_row=ws.max_row, max_col=ws.max_column)]
        header = _header(grid, labels)
        if header is not None:
            return _read(grid, header, meta, shown)
    raise GkctlError(
        f"{shown}：找不到填报表的表头（{'、'.join(labels)}）；表头行可能被改动或删除。"
    )


def _meta(ws: Any, shown: str) -> form.FormMeta:
    values = {
        str(row[0]).strip(): "" if row[1] is None else str(row[1]).strip()
        for row in ws.iter_rows(max_col=2, values_only=True)
        if row and row[0] is not None and len(row) > 1
    }
    broken = GkctlError(
        f"{shown}：表内的计划信息（隐藏的 {form.META_SHEET} 工作表）已损坏，无法核对。"
    )
    if values.get("format") == f"{form.FORMAT} 1":
        raise GkctlError(
            f"{shown}：这是旧版填报表（没有签名，表内的单位和任务可以被改写），"
            "无法确认是哪个单位填报的，未导入。请用 gkctl form 为该单位重新生成填报表，"
            "请单位在新表上填写后发回。"
        )
    if values.get("format") != f"{form.FORMAT} {form.VERSION}":
        raise broken
    try:
        tasks: dict[form.RowKey, str] = {}
        for name, value in values.items():
            if name.startswith("task ") and value:
                plan, _, task_id = name.split(maxsplit=1)[1].rpartition("/")
                tasks[plan, int(task_id)] = value
        plans = json.loads(values["plans"]) if "plans" in values else []
        if not isinstance(plans, list) or not all(isinstance(p, str) and p for p in plans):
            raise ValueError(plans)
        return form.FormMeta(
            values["title"],
            values["number"],
            int(values["year"]),
            values["unit"],
            date.fromisoformat(values["as_of"]),
            tasks,
            values.get("key", ""),
            values.get("mac", ""),
            tuple(plans),
        )
    except (KeyError, ValueError, IndexError):
        raise broken from None


def _label(value: Any) -> str:
    return (
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value is not None else ""
    )


def _header(grid: list[list[Any]], labels: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    wanted = {_label(h): h for h in labels}
    for i, row in enumerate(grid[:40]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            label = wanted.get(_label(cell.value))
            if label is not None and label not in found:
                found[label] = j
        if len(found) == len(labels):
            return i, found
    return None


def _read(
    grid: list[list[Any]], header: tuple[int, dict[str, int]], meta: form.FormMeta, shown: str
) -> ReturnedForm:
    top, cols = header
    problems: list[str] = []

    def at(ref: str, message: str) -> None:
        problems.append(f"{shown}!{ref}：{message}")

    fill_date = _fill_date(grid[:top], at)
    reports: list[Report] = []
    seen: dict[form.RowKey, int] = {}
    blank = 0
    for row in grid[top + 1 :]:
        cells = {label: row[j] if j < len(row) else None for label, j in cols.items()}
        filled = [label for label in form.FILL if _text(_value(cells[label]))]
        id_cell = cells["序号"]
        if not filled:
            if id_cell is not None and _text(id_cell.value):
                blank += 1
            continue
        number = row[0].row
        refs = {label: c.coordinate for label, c in cells.items() if c is not None}
        task_id = _task_id(id_cell.value if id_cell is not None else None)
        if task_id is None:
            raw = _text(id_cell.value if id_cell is not None else None)
            at(
                refs.get("序号", f"A{number}"),
                f"序号“{raw}”无法识别；灰色各列不能修改"
                if raw
                else "这一行没有序号，无法知道是哪项任务；请在原有的任务行中填写",
            )
            continue
        plan = ""
        if meta.plans:
            plan = _text(_value(cells[form.PLAN]))
            if plan not in meta.plans:
                at(refs[form.PLAN], f"计划“{plan}”无法识别；灰色各列不能修改")
                continue
        if (plan, task_id) in seen:
            what = f"计划 {plan} 任务 {task_id}" if plan else f"任务 {task_id}"
            at(refs["序号"], f"{what} 在第 {seen[plan, task_id]} 行已经填过，同一任务只能填一行")
            continue
        seen[plan, task_id] = number
        report = _report(number, task_id, plan, cells, refs, at)
        if report is not None:
            reports.append(report)
    return ReturnedForm(shown, meta, fill_date, tuple(reports), blank, tuple(problems))


def _fill_date(rows: list[list[Any]], at: Any) -> date | None:
    """The 填报日期 the unit wrote next to its label above the header (None: not given)."""
    for row in rows:
        for j, cell in enumerate(row):
            if form.FILL_DATE not in _label(cell.value):
                continue
            for right in row[j + 1 :]:
                if _text(right.value):
                    return _date(right, form.FILL_DATE, at)
            return None
    return None


def _report(
    number: int, task_id: int, plan: str, cells: dict[str, Any], refs: dict[str, str], at: Any
) -> Report | None:
    def value(label: str) -> Any:
        cell = cells[label]
        return cell.value if cell is not None else None

    bad = 0
    state_text = _label(value("完成情况"))
    state = None
    if state_text:
        state = next((s for s, words in _STATES.items() if state_text.lower() in words), None)
        if state is None:
            at(
                refs["完成情况"],
                f"完成情况“{_text(value('完成情况'))}”无法识别，请选“{form.DONE}”或“{form.DOING}”",
            )
            bad += 1
    note = _text(value("进展说明"))
    link = _link(cells["佐证链接"])
    reason = _text(value("延期理由"))
    for label, text, limit in (
        ("进展说明", note, limits.TEXT_CHARS),
        ("佐证链接", link or "", limits.LINK_CHARS),
        ("延期理由", reason, limits.TEXT_CHARS),
    ):
        long = limits.too_long(text, limit)
        if long is not None:
            at(refs[label], f"{label}{long}，请精简")
            bad += 1
            link = None if label == "佐证链接" else link  # not echoed again as 不是网址
    day = _date(cells["完成日期"], "完成日期", at) if _text(value("完成日期")) else None
    extend_to = _date(cells["申请延期至"], "申请延期至", at) if _text(value("申请延期至")) else None
    if _text(value("完成日期")) and day is None:
        bad += 1
    if _text(value("申请延期至")) and extend_to is None:
        bad += 1
    if state is None and not state_text and (note or link or day):
        at(refs["完成情况"], f"填了进展，请在完成情况中选“{form.DONE}”或“{form.DOING}”")
        bad += 1
    if link is not None and not re.match(r"https?://\S+$", link, re.IGNORECASE):
        at(refs["佐证链接"], f"佐证链接“{link}”不是网址，应以 http:// 或 https:// 开头")
        bad += 1
    if extend_to is not None and not reason:
        at(refs["延期理由"], "填了申请延期至，请写明延期理由")
        bad += 1
    for label in ("进展说明", "延期理由"):
        # As progress add and extend refuse them, but said at the cell.
        refused = textsafe.refusal(_text(value(label)), textsafe.Field.TEXT, label)
        if refused is not None:
            at(refs[label], refused.message)
            bad += 1
    if reason and not _text(value("申请延期至")):
        at(refs["申请延期至"], "写了延期理由，请填写申请延期至哪一天")
        bad += 1
    if bad:
        return None
    shown = tuple(_text(value(label)) for label in ("任务名称", "任务内容", "责任单位", "时间节点"))
    return Report(
        number,
        task_id,
        plan,
        (shown[0], shown[1], shown[2], shown[3], ""),
        state,
        note,
        day,
        link,
        extend_to,
        reason,
        refs,
    )


def _value(cell: Any) -> Any:
    return cell.value if cell is not None else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _task_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and value > 0:
        return int(value)
    text = _label(value)
    return int(text) if text.isdigit() and int(text) > 0 else None


def _link(cell: Any) -> str | None:
    if cell is None:
        return None
    text = _text(cell.value)
    if not text and cell.hyperlink is not None and cell.hyperlink.target:
        text = str(cell.hyperlink.target).strip()
    return text or None


def parse_date(value: Any) -> date | None:
    """A date as offices type it (see the module's docstring); None if it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel date that lost its date format shows as its serial number.
        if 36526 <= value <= 73415 and float(value).is_integer():  # 2000-01-01 .. 2100-12-31
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _date(cell: Any, label: str, at: Any) -> date | None:
    day = parse_date(cell.value)
    if day is None:
        at(cell.coordinate, f"{label}“{_text(cell.value)}”无效，请写作 2024-10-20 这样的日期")
    return day


# --- against the plan -------------------------------------------------------------------------


def check_form(returned: ReturnedForm, plans: dict[str, Dataset], unit: str | None) -> list[str]:
    """Why a form whose signature holds (signature_problem) cannot be imported into these
    plans (empty: it can): `plans` maps each plan the form's rows name to the plan it
    goes to ("" on a form of one plan). Another plan, another unit, a unit the directory
    does not know, tasks changed since it was made, rows for tasks it was not made with,
    rows whose grey cells were edited."""
    meta, shown = returned.meta, returned.shown
    if not meta.plans:
        doc = plans[""].plan.document
        if (meta.number, meta.year) != (doc.number, doc.year) or meta.title != doc.title:
            return [
                f"{shown}：这是《{meta.title}》（{meta.number}）的填报表，"
                f"不是当前计划《{doc.title}》（{doc.number}）的，未导入。"
            ]
    directory = next(iter(plans.values())).directory
    known = directory.unit(meta.unit)
    if known is None:
        return [f"{shown}：填报表的单位“{meta.unit}”不在单位名录中，未导入。"]
    if unit is not None:
        wanted = lookup(directory, unit)
        if wanted.name != meta.unit:
            return [f"{shown}：这是{meta.unit}的填报表，不是{wanted.name}的，未导入。"]
    named = _unit_in_name(Path(shown).stem, directory)
    if named is not None and named != meta.unit:
        return [
            f"{shown}：文件名写的是{named}，表内却是{meta.unit}的填报表；"
            "请核对是哪个单位报送的（可用 --unit 指定），未导入。"
        ]
    problems = []
    for report in returned.reports:
        task = plans[report.plan].plan.task(report.task_id)
        where = returned.at(report.refs["序号"], task_label(report))
        if key(report) not in meta.tasks:
            problems.append(f"{where} 不在这份填报表中（灰色各列不能修改）")
        elif task is None:
            problems.append(f"{where} 已不在计划中，这一行不能导入")
        elif form.fingerprint(task) != meta.tasks[key(report)]:
            problems.append(
                f"{where} 在填报表生成（截至 {meta.as_of.isoformat()}）之后改过"
                f"（{_changed(task, report)}），请用新生成的填报表重新填报这一项"
            )
        elif _row_fingerprint(report, task) != meta.tasks[key(report)]:
            problems.append(f"{where} 这一行的灰色各列与任务原文不符（被改动过？），请核对")
    return problems


def signature_problem(returned: ReturnedForm, key: FormKey) -> str | None:
    """Why the hidden sheet is not what the office signed with `key` (None: it is).
    Nothing on it is trusted before: the unit, the date and the set of tasks are what a
    unit would rewrite to report for another."""
    meta, where = returned.meta, f"{returned.shown}!{form.META_SHEET}（隐藏工作表）"
    if meta.key_id != key.id:
        return (
            f"{where}：这份填报表不是用这里的密钥（{key.source}，编号 {key.id}）签名的"
            f"（表内编号“{meta.key_id}”），未导入。若它是在别处（如 CI）生成的，"
            f"请用 GKCTL_FORM_KEY 提供生成时的密钥；否则请用 gkctl form 重新生成。"
        )
    if not hmac.compare_digest(meta.mac.encode(), meta.signature(key).encode()):
        return (
            f"{where}：表内的单位、日期或任务清单与签名不符，填报表生成后被改动过，未导入。"
            f"请核对来源，并用 gkctl form 为{meta.unit or '该单位'}重新生成填报表。"
        )
    return None


def _row_fingerprint(report: Report, task: Task) -> str:
    name, content, units, deadline, _ = report.shown
    units = units.replace(form.POSSIBLY, "").strip()
    return form.text_fingerprint(
        name, content, units, deadline, task.due.isoformat() if task.due else ""
    )


def _changed(task: Task, report: Report) -> str:
    name, content, units, deadline, _ = report.shown
    units = units.replace(form.POSSIBLY, "").strip()
    labels = [
        label
        for label, before, now in (
            ("任务名称", name, task.name),
            ("任务内容", content, task.content),
            ("责任单位", units, "、".join(task.units)),
            ("时间节点", deadline, task.deadline),
        )
        if before != now
    ]
    return "、".join(labels) + "有变化" if labels else "截止日期有变化"


def _unit_in_name(stem: str, directory: Directory) -> str | None:
    """The unit a file name such as 区经委-填报表 starts with, if it names one."""
    head = re.split(r"[-_－—\s]*填报表", stem, maxsplit=1)[0].strip()
    if not head or head == stem:
        return None
    for unit in directory.units:
        if head == unit.name or head in unit.aliases:
            return unit.name
    return None
