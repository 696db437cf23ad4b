"""`progress import`: returned 填报表 into tasks.yaml, all rows of all forms or none.

Each form is read and checked against the plan and the office's key (form_read); each
filled row becomes the entries `progress add` and `extend` would write (store.writes), and
all go in one locked write. What was refused, and where, is said by file and cell; what was
written is summed up per form. Nothing here prints: the command shows the result.

In a folder of plans imported without --plan, each row goes to its plan: a form across
plans names the plan of each row, a form of one plan is matched to its plan by its
document. The plans' files are then written together, all or none (store.writes.record_across).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from gkctl.core import planyear
from gkctl.core.errors import GkctlError
from gkctl.core.model import Dataset
from gkctl.exchange import form_read
from gkctl.exchange.form_read import Report, ReturnedForm, task_label
from gkctl.store import edit, writes
from gkctl.store.formkey import FormKey


@dataclass(frozen=True)
class Imported:
    """Problems (nothing was written where there are any), else the summary's lines."""

    problems: list[str]
    lines: list[str]
    # Each imported form's plan (a Target's name), unit and date, for the forms log
    # (store.formslog): a form across plans counts as returned in each of its plans.
    forms: list[tuple[str, str, date]] = field(default_factory=list)


class Target(NamedTuple):
    """A plan rows may go to: its name ("" where the command reads one plan), its folder
    and its data."""

    name: str
    folder: Path
    dataset: Dataset


@dataclass(frozen=True)
class _Entry:
    """One entry a row makes: its form, its row, the column it is blamed on, its step."""

    returned: ReturnedForm
    report: Report
    label: str  # 完成情况 (progress) or 申请延期至 (extension request)
    step: edit.Step
    target: Target


def import_forms(
    targets: list[Target],
    files: list[tuple[Path, str]],
    key: FormKey,
    today: date,
    unit: str | None = None,
    late: bool = False,
    dry_run: bool = False,
) -> Imported:
    """Read, check and record the forms in `files` (path, as messages show it) into the
    plans `targets`: one plan (named ""), or every plan of a folder of plans."""
    problems: list[str] = []
    forms: list[tuple[ReturnedForm, dict[str, Target]]] = []
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
        routes, unrouted = _routes(returned, targets)
        if unrouted is not None:
            problems.append(unrouted)
            continue
        problems += returned.problems
        datasets = {name: target.dataset for name, target in routes.items()}
        problems += form_read.check_form(returned, datasets, unit)
        forms.append((returned, routes))
    entries = [
        e for returned, routes in forms for e in _entries(returned, routes, today, late, problems)
    ]
    # With problems already found, the entries are still tried (without writing) so that
    # every problem is named in one go.
    routed = list(dict.fromkeys(t for _, routes in forms for t in routes.values()))
    parts = [(t.folder, [e.step for e in entries if e.target is t]) for t in routed]
    parts = [(folder, steps) for folder, steps in parts if steps] or [
        (t.folder, []) for t in routed or targets[:1]
    ]
    done = writes.record_across(parts, dry_run or bool(problems))
    results: dict[int, edit.Edit | GkctlError | None] = {}
    for (folder, _), steps_done in zip(parts, done, strict=True):
        mine = [e for e in entries if e.target.folder == folder]
        results.update((id(e), result) for e, result in zip(mine, steps_done.results, strict=True))
    problems += [
        e.returned.at(e.report.refs[e.label], result.message.rstrip("。"))
        for e in entries
        if isinstance(result := results[id(e)], GkctlError)
    ]
    if problems:
        return Imported(problems, [])
    back = [
        (target.name, f.meta.unit, f.meta.as_of)
        for f, routes in forms
        for target in dict.fromkeys(routes.values())
    ]
    written = {folder: d.after.tasks_path for (folder, _), d in zip(parts, done, strict=True)}
    summary = _summary([f for f, _ in forms], entries, results, written, dry_run)
    return Imported([], summary, back)


def _routes(returned: ReturnedForm, targets: list[Target]) -> tuple[dict[str, Target], str | None]:
    """Where the form's rows go, by the plan names its rows carry; or why they go nowhere."""
    meta, shown = returned.meta, returned.shown
    by_name = {t.name: t for t in targets}
    if meta.plans:
        if "" in by_name:
            return {}, (
                f"{shown}：这是跨计划的填报表（计划 {'、'.join(meta.plans)}），"
                "请在多计划数据目录中导入，且不加 --plan，未导入。"
            )
        missing = [name for name in meta.plans if name not in by_name]
        if missing:
            return {}, (
                f"{shown}：填报表中的计划 {'、'.join(missing)} 不在数据目录中"
                f"（现有计划：{'、'.join(by_name)}），未导入。"
            )
        return {name: by_name[name] for name in meta.plans}, None
    if "" in by_name:
        return {"": by_name[""]}, None
    for target in targets:
        doc = target.dataset.plan.document
        if (meta.title, meta.number, meta.year) == (doc.title, doc.number, doc.year):
            return {"": target}, None
    return {}, (
        f"{shown}：这是《{meta.title}》（{meta.number}）的填报表，数据目录中没有这个计划"
        f"（现有计划：{'、'.join(by_name)}），未导入。"
    )


def _entries(
    returned: ReturnedForm,
    routes: dict[str, Target],
    today: date,
    late: bool,
    problems: list[str],
) -> list[_Entry]:
    """The entries the form's rows make: a row's progress (at 完成情况) and its extension
    request (at 申请延期至), each with the checks of progress add and extend. A row's date
    is its 完成日期; else the form's 填报日期; else, as progress add and extend take it, today."""
    unit = returned.meta.unit
    reported = returned.fill_date or today
    out: list[_Entry] = []
    for report in returned.reports:
        if form_read.key(report) not in returned.meta.tasks:
            continue  # not a row the form was made with (check_form said so)
        target = routes[report.plan]
        if returned.fill_date is None and report.day is None:
            # A row with no date would be recorded as of today: refused after the plan's end.
            try:
                planyear.entry_date(target.dataset.plan, None, today)
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
                out.append(_Entry(returned, report, "完成情况", step, target))
            except GkctlError as exc:
                ref = report.refs["完成日期" if report.day else "完成情况"]
                problems.append(returned.at(ref, exc.message.rstrip("。")))
        if report.extend_to is not None:
            try:
                step = writes.extension_step(
                    report.task_id, unit, report.extend_to, report.reason, reported, today, late,
                    True,
                )  # fmt: skip
                out.append(_Entry(returned, report, "申请延期至", step, target))
            except GkctlError as exc:
                problems.append(returned.at(report.refs["申请延期至"], exc.message.rstrip("。")))
    return out


def _summary(
    forms: list[ReturnedForm],
    entries: list[_Entry],
    results: dict[int, edit.Edit | GkctlError | None],
    written: dict[Path, str],
    dry_run: bool,
) -> list[str]:
    lines = []
    added_total = 0
    for returned in forms:
        new = {"完成情况": 0, "申请延期至": 0}
        again = 0
        for entry in entries:
            if entry.returned is not returned:
                continue
            if isinstance(results[id(entry)], edit.Edit):
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
    tasks = "、".join(written.values())
    if not entries:
        lines.append(f"表中没有填写任何进展或延期申请，{tasks} 未改动。")
    elif not added_total:
        lines.append(f"没有新内容：表中的进展和延期申请都已记录过，{tasks} 未改动。")
    elif dry_run:
        lines.append(f"未写入（--dry-run）。将在 {tasks} 添加：")
        for entry in entries:
            result = results[id(entry)]
            if isinstance(result, edit.Edit):
                what = "进展" if entry.label == "完成情况" else "延期申请"
                lines.append(
                    f"  {task_label(entry.report)}（{what}）：\n" + result.added.rstrip("\n")
                )
    else:
        changed = "、".join(
            path
            for folder, path in written.items()
            if any(
                isinstance(results[id(e)], edit.Edit) for e in entries if e.target.folder == folder
            )
        )
        lines.append(
            f"已写入 {changed}：新增 {added_total} 条记录。可用 git diff 查看，提交合并请求后由区政府办公室审阅。"
        )
    return lines
