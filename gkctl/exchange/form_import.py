"""`progress import`: returned 填报表 into tasks.yaml, all rows of all forms or none.

Each form is read and checked against the plan and the office's key (form_read); each
filled row becomes the entries `progress add` and `extend` would write (store.writes), and
all go in one locked write. What was refused, and where, is said by file and cell; what was
written is summed up per form. Nothing here prints: the command shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gkctl.core import planyear
from gkctl.core.errors import GkctlError
from gkctl.core.model import Dataset
from gkctl.exchange import form_read
from gkctl.exchange.form_read import Report, ReturnedForm
from gkctl.store import edit, writes
from gkctl.store.formkey import FormKey


@dataclass(frozen=True)
class Imported:
    """Problems (nothing was written where there are any), else the summary's lines."""

    problems: list[str]
    lines: list[str]
    # Each imported form's unit and date, for the forms log (store.formslog).
    forms: list[tuple[str, date]] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    """One entry a row makes: its form, its row, the column it is blamed on, its step."""

    returned: ReturnedForm
    report: Report
    label: str  # 完成情况 (progress) or 申请延期至 (extension request)
    step: edit.Step


def import_forms(
    data_dir: Path,
    dataset: Dataset,
    files: list[tuple[Path, str]],
    key: FormKey,
    today: date,
    unit: str | None = None,
    late: bool = False,
    dry_run: bool = False,
) -> Imported:
    """Read, check and record the forms in `files` (path, as messages show it)."""
    problems: list[str] = []
    forms: list[ReturnedForm] = []
    for path, shown in files:
        try:
            returned = form_read.read_form(path, shown)
        except GkctlError as exc:
            problems.append(exc.message)
            continue
        unsigned = form_read.signature_problem(returned, key)
        if unsigned is not None:
            # Nothing in it is trusted, not even whose rows they are: no row is tried.
            problems.append(unsigned)
            continue
        problems += returned.problems
        problems += form_read.check_form(returned, dataset, unit)
        forms.append(returned)
    entries = [e for returned in forms for e in _entries(returned, dataset, today, late, problems)]
    # With problems already found, the entries are still tried (without writing) so that
    # every problem is named in one go.
    done = writes.record_all(data_dir, [e.step for e in entries], dry_run or bool(problems))
    problems += [
        e.returned.at(e.report.refs[e.label], result.message.rstrip("。"))
        for e, result in zip(entries, done.results, strict=True)
        if isinstance(result, GkctlError)
    ]
    if problems:
        return Imported(problems, [])
    back = [(f.meta.unit, f.meta.as_of) for f in forms]
    return Imported([], _summary(forms, entries, done, dry_run), back)


def _entries(
    returned: ReturnedForm, dataset: Dataset, today: date, late: bool, problems: list[str]
) -> list[_Entry]:
    """The entries the form's rows make: a row's progress (at 完成情况) and its extension
    request (at 申请延期至), each with the checks of progress add and extend. A row's date
    is its 完成日期; else the form's 填报日期; else, as progress add and extend take it, today."""
    unit = returned.meta.unit
    reported = returned.fill_date or today
    out: list[_Entry] = []
    for report in returned.reports:
        if report.task_id not in returned.meta.tasks:
            continue  # not a row the form was made with (check_form said so)
        if returned.fill_date is None and report.day is None:
            # A row with no date would be recorded as of today: refused after the plan's end.
            try:
                planyear.entry_date(dataset.plan, None, today)
            except GkctlError as exc:
                where = report.refs["完成情况" if report.state is not None else "申请延期至"]
                problems.append(returned.at(where, exc.message.rstrip("。")))
                continue
        if report.state is not None:
            try:
                day = report.day or reported
                step = writes.progress_step(
                    report.task_id, unit, report.state, day, today, report.note, report.link, True
                )
                out.append(_Entry(returned, report, "完成情况", step))
            except GkctlError as exc:
                ref = report.refs["完成日期" if report.day else "完成情况"]
                problems.append(returned.at(ref, exc.message.rstrip("。")))
        if report.extend_to is not None:
            try:
                step = writes.extension_step(
                    report.task_id, unit, report.extend_to, report.reason, reported, today, late,
                    True,
                )  # fmt: skip
                out.append(_Entry(returned, report, "申请延期至", step))
            except GkctlError as exc:
                problems.append(returned.at(report.refs["申请延期至"], exc.message.rstrip("。")))
    return out


def _summary(
    forms: list[ReturnedForm], entries: list[_Entry], done: edit.Steps, dry_run: bool
) -> list[str]:
    lines = []
    added_total = 0
    results = list(zip(entries, done.results, strict=True))
    for returned in forms:
        new = {"完成情况": 0, "申请延期至": 0}
        again = 0
        for entry, result in results:
            if entry.returned is not returned:
                continue
            if isinstance(result, edit.Edit):
                new[entry.label] += 1
            else:
                again += 1
        added_total += sum(new.values())
        meta = returned.meta
        parts = [f"进展 {new['完成情况']} 条、延期申请 {new['申请延期至']} 条"]
        if again:
            parts.append(f"{again} 条已记录过，未重复写入")
        parts.append(f"{returned.blank} 行未填写")
        lines.append(
            f"{returned.shown}（{meta.unit}，截至 {meta.as_of.isoformat()}）："
            + "；".join(parts)
            + "。"
        )
    tasks = done.after.tasks_path
    if not entries:
        lines.append(f"表中没有填写任何进展或延期申请，{tasks} 未改动。")
    elif not added_total:
        lines.append(f"没有新内容：表中的进展和延期申请都已记录过，{tasks} 未改动。")
    elif dry_run:
        lines.append(f"未写入（--dry-run）。将在 {tasks} 添加：")
        for entry, result in results:
            if isinstance(result, edit.Edit):
                what = "进展" if entry.label == "完成情况" else "延期申请"
                lines.append(
                    f"  任务 {entry.report.task_id}（{what}）：\n" + result.added.rstrip("\n")
                )
    else:
        lines.append(
            f"已写入 {tasks}：新增 {added_total} 条记录。可用 git diff 查看，提交合并请求后由区政府办公室审阅。"
        )
    return lines
