"""The 填报表 loop: `form` sends each unit its sheet, `progress import` takes it back."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    UnitOpt,
    as_of_date,
    data_dir,
    load,
    today,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.core.errors import ExitCode, GkctlError, UsageError
from gkctl.core.units import lookup

if TYPE_CHECKING:
    from gkctl.exchange.form_read import Report, ReturnedForm
    from gkctl.store.edit import Step, Steps


def form(
    unit: UnitOpt = None,
    each_unit: Annotated[
        bool, typer.Option("--each-unit", help="每个单位一份，写到 -o 指定的目录。")
    ] = False,
    as_of: AsOfOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="写出的文件（.xlsx），默认 单位-填报表.xlsx；与 --each-unit 同用时为目录，默认 填报表。",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="覆盖已存在的填报表文件（可能是单位发回、尚未导入的）。"),
    ] = False,
    data: DataOpt = None,
) -> None:
    """生成单位的填报表（Excel）：本单位的任务一行一项，单位填好发回后导入。

    \b
    灰色各列（序号、任务名称、任务内容、责任单位、时间节点、截止日期、
    当前状态）锁定，工作表保护不设密码；单位填写完成情况（下拉选择）、
    进展说明、完成日期、佐证链接、申请延期至、延期理由。隐藏的工作表
    记下计划文号、单位、状态日期和每项任务原文的指纹，导入时据此核对。
    A4 横向打印。

    示例：gkctl form --unit 区经委 --as-of 2024-10-15
    """
    from gkctl.exchange import form as layout
    from gkctl.store import atomic

    if each_unit == (unit is not None):
        raise UsageError("请给出 --unit 单位，或用 --each-unit 为每个单位各生成一份。")
    dataset = load(data)
    day = as_of_date(as_of)
    warn_outside_plan_year(dataset, day)
    if unit is not None:
        found = lookup(dataset.directory, unit)
        path = output or Path(layout.form_filename(found.name))
        if path.suffix.lower() != ".xlsx":
            raise UsageError(f"-o {path}：填报表是 Excel 文件，请用 .xlsx 扩展名。")
        sheet = layout.form_layout(dataset, found, day)
        _refuse_overwrite([path], force)
        atomic.write_bytes(path, layout.write_form(sheet))
        warn(
            f"已写出 {path}：{found.name} 的 {len(sheet.rows)} 项任务，状态截至 {day.isoformat()}。"
        )
        return
    folder = output or Path("填报表")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--each-unit 的 -o 应是目录，{folder} 是文件。")
    sheets = [(one, layout.form_layout(dataset, one, day)) for one in dataset.directory.units]
    empty = [one.name for one, sheet in sheets if not sheet.rows]
    sheets = [(one, sheet) for one, sheet in sheets if sheet.rows]
    _refuse_overwrite([folder / layout.form_filename(one.name) for one, _ in sheets], force)
    folder.mkdir(parents=True, exist_ok=True)
    for one, sheet in sheets:
        atomic.write_bytes(folder / layout.form_filename(one.name), layout.write_form(sheet))
    written = len(sheets)
    warn(f"已写出 {written} 份填报表到 {folder}/，状态截至 {day.isoformat()}。")
    if empty:
        warn(f"没有任务的单位未生成：{'、'.join(empty)}。")


def _refuse_overwrite(targets: list[Path], force: bool) -> None:
    """A form already there may be one a unit sent back and nobody imported yet."""
    there = [str(t) for t in targets if t.exists()]
    if there and not force:
        shown = "、".join(there[:3]) + (f" 等 {len(there)} 个文件" if len(there) > 3 else "")
        raise UsageError(
            f"{shown} 已存在，未覆盖（可能是单位发回、尚未导入的填报表）。"
            "要覆盖请加 --force，或用 -o 写到别处。"
        )


def import_forms(
    files: Annotated[
        list[Path],
        typer.Argument(help="单位发回的填报表（.xlsx），可以一次给多个。", show_default=False),
    ],
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            "-u",
            help="只接受这个单位的填报表（防止把别的单位的表当作它的导入）。",
            show_default=False,
        ),
    ] = None,
    late: Annotated[
        bool,
        typer.Option(
            "--late",
            help="允许截止日期已过之后的延期申请（同 gkctl extend --late，记为 late: true）。",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示将要写入的内容，不修改文件。")
    ] = False,
    data: DataOpt = None,
) -> None:
    """导入单位发回的填报表：填写的行成为进展记录，填了申请延期至的成为延期申请。

    \b
    检查与 gkctl progress add、gkctl extend 相同。
    日期可写作 Excel 日期、2024-10-20、2024/10/20、2024.10.20、
    2024年10月20日，全角数字也可以。同一份表再导入一次不会重复记录。
    与已记录的内容矛盾的行、别的计划或别的单位的表、生成后任务原文
    改过的行，都会指出单元格并拒绝。全部导入或全部不导入：
    有任何问题时 tasks.yaml 不变（退出码 1）。

    示例：gkctl progress import 区经委-填报表.xlsx --dry-run
    """
    from gkctl.exchange import form_read
    from gkctl.store import writes

    for file in files:
        if file.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(f"只能导入 .xlsx 填报表，这里是“{file.name}”。")
        if not file.is_file():
            raise UsageError(f"找不到文件 {file}。")
    dataset = load(data)
    now = today()
    problems: list[str] = []
    forms: list[ReturnedForm] = []
    for file in files:
        try:
            returned = form_read.read_form(file, str(file))
        except GkctlError as exc:
            problems.append(exc.message)
            continue
        problems += returned.problems
        problems += form_read.check_form(returned, dataset, unit)
        forms.append(returned)
    steps: list[Step] = []
    places: list[tuple[ReturnedForm, Report, str]] = []
    for returned in forms:
        for report in returned.reports:
            for label, step in _steps(returned, report, now, late, problems):
                steps.append(step)
                places.append((returned, report, label))
    # With problems already found, the entries are still tried (without writing) so that
    # every problem is named in one go.
    done = writes.record_all(data_dir(data), steps, dry_run or bool(problems))
    problems += [
        returned.at(report.refs[label], result.message.rstrip("。"))
        for (returned, report, label), result in zip(places, done.results, strict=True)
        if isinstance(result, GkctlError)
    ]
    if problems:
        _refuse(problems)
    _summary(forms, places, done, dry_run)


def _steps(
    returned: "ReturnedForm", report: "Report", now: date, late: bool, problems: list[str]
) -> list[tuple[str, "Step"]]:
    """The entries a row makes: its progress (at 完成情况) and its extension request (at
    申请延期至), each with the checks of progress add and extend. A row's date is its
    完成日期; else the form's 填报日期; else, as progress add and extend take it, today."""
    from gkctl.store import writes

    unit = returned.meta.unit
    reported = returned.fill_date or now
    out: list[tuple[str, Step]] = []
    if report.state is not None:
        try:
            day = report.day or reported
            step = writes.progress_step(
                report.task_id, unit, report.state, day, now, report.note, report.link, True
            )
            out.append(("完成情况", step))
        except GkctlError as exc:
            ref = report.refs["完成日期" if report.day else "完成情况"]
            problems.append(returned.at(ref, exc.message.rstrip("。")))
    if report.extend_to is not None:
        try:
            step = writes.extension_step(
                report.task_id, unit, report.extend_to, report.reason, reported, now, late, True
            )
            out.append(("申请延期至", step))
        except GkctlError as exc:
            problems.append(returned.at(report.refs["申请延期至"], exc.message.rstrip("。")))
    return out


def _refuse(problems: list[str]) -> None:
    for problem in problems:
        warn(problem)
    warn(f"未导入：共 {len(problems)} 处问题，tasks.yaml 未改动。请改正表格后重新导入。")
    raise typer.Exit(int(ExitCode.PROBLEMS))


def _summary(
    forms: list["ReturnedForm"],
    places: list[tuple["ReturnedForm", "Report", str]],
    done: "Steps",
    dry_run: bool,
) -> None:
    from gkctl.store.edit import Edit

    lines = []
    added_total = 0
    for returned in forms:
        new = {"完成情况": 0, "申请延期至": 0}
        again = 0
        for (where, _, label), result in zip(places, done.results, strict=True):
            if where is not returned or isinstance(result, GkctlError):
                continue
            if isinstance(result, Edit):
                new[label] += 1
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
    if not places:
        lines.append(f"表中没有填写任何进展或延期申请，{tasks} 未改动。")
    elif not added_total:
        lines.append(f"没有新内容：表中的进展和延期申请都已记录过，{tasks} 未改动。")
    elif dry_run:
        lines.append(f"未写入（--dry-run）。将在 {tasks} 添加：")
        for (_, report, label), result in zip(places, done.results, strict=True):
            if isinstance(result, Edit):
                what = "进展" if label == "完成情况" else "延期申请"
                lines.append(f"  任务 {report.task_id}（{what}）：\n" + result.added.rstrip("\n"))
    else:
        lines.append(
            f"已写入 {tasks}：新增 {added_total} 条记录。可用 git diff 查看，提交合并请求后由区政府办公室审阅。"
        )
    write_stdout("\n".join(lines) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(form)
