"""The 填报表 loop: `form` sends each unit its sheet, `progress import` takes it back."""

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    UnitOpt,
    as_of_date,
    load,
    load_plans,
    plan_dir,
    plan_scope,
    today,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.core import filenames
from gkctl.core.errors import ExitCode, UsageError
from gkctl.core.model import Directory, Unit
from gkctl.core.units import lookup

if TYPE_CHECKING:
    from gkctl.exchange.form import FormLayout
    from gkctl.store import paths


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
            help="写出的文件（.xlsx），默认 单位-填报表.xlsx；与 --each-unit 同用时为目录，默认 填报表"
            "（目录不存在时新建）。",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="覆盖已存在的填报表文件（可能是单位发回、尚未导入的）。"),
    ] = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """生成单位的填报表（Excel）：本单位的任务一行一项，单位填好发回后导入。

    \b
    灰色各列（序号、任务名称、任务内容、责任单位、时间节点、截止日期、
    当前状态）锁定，工作表保护不设密码；单位填写完成情况（下拉选择）、
    进展说明、完成日期、佐证链接、申请延期至、延期理由。隐藏的工作表
    记下计划文号、单位、状态日期和每项任务原文的指纹，并用办公室的
    密钥签名（GKCTL_FORM_KEY，或数据目录中的 .gkctl-form-key，
    没有时自动生成），导入时据此核对。
    A4 横向打印。

    示例：gkctl form --unit 区经委 --as-of 2024-10-15
    """
    from gkctl.exchange import form as layout
    from gkctl.store import atomic, formkey

    if each_unit == (unit is not None):
        raise UsageError("请给出 --unit 单位，或用 --each-unit 为每个单位各生成一份。")
    day = as_of_date(as_of)
    scope = plan_scope(data, plan)
    if len(scope.chosen) > 1:
        sheet_of, directory, logs = _across(scope, day)

        def every_sheet() -> list[tuple[Unit, layout.FormLayout]]:
            return [(one, sheet_of(one)) for one in directory.units]
    else:
        dataset = load(data, plan)
        warn_outside_plan_year(dataset, day)
        directory, folder = dataset.directory, plan_dir(data, plan)

        def sheet_of(one: Unit) -> layout.FormLayout:
            return layout.form_layout(dataset, one, day)

        def every_sheet() -> list[tuple[Unit, layout.FormLayout]]:
            return layout.form_layouts(dataset, day)

        def logs(sheet: layout.FormLayout) -> list[Path]:
            return [folder]

    def signing_key() -> formkey.FormKey:
        """The office's key, made on the first form (only once nothing else can fail)."""
        key, made = formkey.ensure(scope.folder, os.environ.get(formkey.ENV))
        if made:
            warn(
                f"已生成填报表密钥 {key.source}：导入填报表时用它核对签名。请留在本机并备份，"
                "不要提交到 git，不要发给单位（见 README“单位填报表”）。"
            )
        return key

    stems = filenames.unit_stems(directory)
    if unit is not None:
        found = lookup(directory, unit)
        path = output or Path(layout.form_filename(stems[found.name]))
        if path.suffix.lower() != ".xlsx":
            raise UsageError(f"-o {path}：填报表是 Excel 文件，请用 .xlsx 扩展名。")
        sheet = sheet_of(found)
        _refuse_overwrite([path], force)
        atomic.write_output(path, layout.write_form(sheet, signing_key()))
        _log_sent([(found.name, logs(sheet))], day)
        plans = f"（{len(sheet.meta.plans)} 个计划）" if sheet.meta.plans else ""
        warn(
            f"已写出 {path}：{found.name} 的 {len(sheet.rows)} 项任务{plans}，"
            f"状态截至 {day.isoformat()}。"
        )
        return
    out = output or Path("填报表")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--each-unit 的 -o 应是目录，{out} 是文件。")
    # Every sheet before any workbook: one walk of the plan for every unit
    # (form.form_layouts), and that building ends with gc.freeze() (core.collector),
    # which would make an earlier workbook's reference cycles immortal had any been left
    # uncollected (write_form collects its own; streaming before it did: 200 -> 765 MB).
    # Laying each unit's rows out just before its workbook (one unit's rows alive at a
    # time) was tried and measured worse: 100,000 tasks 320 s -> 376 s, 1,460 -> 1,669 MB.
    sheets = every_sheet()
    empty = [one.name for one, sheet in sheets if not sheet.rows]
    sheets = [(one, sheet) for one, sheet in sheets if sheet.rows]
    targets = [out / layout.form_filename(stems[one.name]) for one, _ in sheets]
    _refuse_overwrite(targets, force)
    key = signing_key()
    forms = [
        (path, layout.write_form(sheet, key))
        for path, (_, sheet) in zip(targets, sheets, strict=True)
    ]
    atomic.make_folder(out)
    atomic.write_all(forms)
    _log_sent([(one.name, logs(sheet)) for one, sheet in sheets], day)
    written = len(sheets)
    warn(f"已写出 {written} 份填报表到 {out}/，状态截至 {day.isoformat()}。")
    if empty:
        warn(f"没有任务的单位未生成：{'、'.join(empty)}。")


def _across(
    scope: "paths.Scope", day: date
) -> "tuple[Callable[[Unit], FormLayout], Directory, Callable[[FormLayout], list[Path]]]":
    """A folder of plans without --plan: one form per unit over every running plan
    (core.plans.unit_form_states), sent in the forms log of each plan it has rows of."""
    from gkctl.core import plans as across
    from gkctl.exchange import form as layout

    loaded = load_plans(scope.chosen)
    running = across.running(loaded, day)
    if not running:
        raise UsageError(
            f"截至 {day.isoformat()}，数据目录中的计划都已结束，已结束计划的任务不进跨计划的填报表"
            "（补报须写明日期）；要为其中一个计划生成，请用 --plan。"
        )
    folders = {p.name: p.path for p in scope.chosen}
    named = [(p.name, p.dataset) for p in running]

    def sheet_of(one: Unit) -> layout.FormLayout:
        return layout.plans_form_layout(named, one, across.unit_form_states(running, one, day), day)

    def logs(sheet: layout.FormLayout) -> list[Path]:
        return [folders[name] for name in sheet.meta.plans]

    return sheet_of, running[0].dataset.directory, logs


def _log_sent(sent: list[tuple[str, list[Path]]], day: date) -> None:
    """forms-log.yaml: the forms just written count as sent on their date, in the folder
    of each plan they have rows of, so that review can tell who owes one."""
    from gkctl.core.forms import FormEventKind
    from gkctl.store import formslog

    for folder in dict.fromkeys(f for _, folders in sent for f in folders):
        units = [(u, day) for u, folders in sent if folder in folders]
        formslog.record(folder, FormEventKind.SENT, units, day)


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
    plan: PlanOpt = None,
) -> None:
    """导入单位发回的填报表：填写的行成为进展记录，填了申请延期至的成为延期申请。

    \b
    检查与 gkctl progress add、gkctl extend 相同。
    日期可写作 Excel 日期、2024-10-20、2024/10/20、2024.10.20、
    2024年10月20日，全角数字也可以。同一份表再导入一次不会重复记录。
    签名不符（表内的单位或任务被改过）、旧版没有签名的表、与已记录的
    内容矛盾的行、已退办的报告、别的计划或别的单位的表、生成后任务
    原文改过的行，都会指出并拒绝。全部导入或全部不导入：
    有任何问题时 tasks.yaml 不变（退出码 1）。

    示例：gkctl progress import 区经委-填报表.xlsx --dry-run
    """
    from gkctl.exchange.form_import import Target
    from gkctl.exchange.form_import import import_forms as record
    from gkctl.store import formkey

    for file in files:
        if file.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(f"只能导入 .xlsx 填报表，这里是“{file.name}”。")
        if not file.is_file():
            raise UsageError(f"找不到文件 {file}。")
    # One key for the data folder, however a plan of it is named (--data plans/2024 or
    # --data plans --plan 2024): the office's, not a plan's.
    scope = plan_scope(data, plan)
    if len(scope.chosen) > 1:  # each row to its plan
        loaded = load_plans(scope.chosen)
        targets = [
            Target(p.name, chosen.path, p.dataset)
            for p, chosen in zip(loaded, scope.chosen, strict=True)
        ]
    else:
        targets = [Target("", plan_dir(data, plan), load(data, plan))]
    folder = scope.folder
    key = formkey.find(folder, os.environ.get(formkey.ENV))
    if key is None:
        raise UsageError(
            f"没有填报表密钥（环境变量 {formkey.ENV}，或 {folder / formkey.FILE}），"
            "无法核对填报表是哪个单位的。填报表须在持有密钥的地方生成和导入（见 README“单位填报表”）。"
        )
    done = record(targets, [(f, str(f)) for f in files], key, today(), unit, late, dry_run)
    if done.problems:
        for problem in done.problems:
            warn(problem)
        warn(f"未导入：共 {len(done.problems)} 处问题，tasks.yaml 未改动。请改正表格后重新导入。")
        raise typer.Exit(int(ExitCode.PROBLEMS))
    if not dry_run:
        from gkctl.core.forms import FormEventKind
        from gkctl.store import formslog

        folders = {t.name: t.folder for t in targets}
        for name in dict.fromkeys(name for name, _, _ in done.forms):
            back = [(u, day) for plan_name, u, day in done.forms if plan_name == name]
            formslog.record(folders[name], FormEventKind.RETURNED, back, today())
    write_stdout("\n".join(done.lines) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(form)
