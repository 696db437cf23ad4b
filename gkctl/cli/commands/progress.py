"""Recording what the units did: progress add, close, reopen, extend; and stats."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    RequiredUnitOpt,
    TaskArg,
    WithinOpt,
    as_of_date,
    check_format,
    each_plan,
    entry_date,
    format_option,
    load,
    parse_date,
    plan_dir,
    print_answer,
    print_per_plan,
    since_date,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.commands.form import import_forms
from gkctl.cli.formats import OutputFormat
from gkctl.core import status
from gkctl.core.model import ProgressStatus

if TYPE_CHECKING:
    from rich.console import RenderableType

    from gkctl.core.model import Dataset
    from gkctl.store.writes import Recorded

F = OutputFormat

DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="日期（YYYY-MM-DD）；默认今天（北京时间）。不能晚于今天。计划结束后必须写明。",
        show_default=False,
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", help="只显示将要写入的内容，不修改文件。"),
]

progress_app = typer.Typer(
    name="progress",
    no_args_is_help=True,
    help="记录各单位的工作进展（写入 tasks.yaml 中任务的 progress 列表）。\n\n"
    "示例：gkctl progress add 28 --unit 区经委 --status done",
)


def _report(done: "Recorded", what: str) -> None:
    e = done.edit
    if not done.written:
        head = f"未写入（--dry-run）。将{what}，在 {done.path} 第 {e.first_line} 行添加："
    elif e.added:
        last = f"–{e.last_line}" if e.last_line > e.first_line else ""
        head = f"已{what}：{done.path} 第 {e.first_line}{last} 行。"
    else:
        head = f"已{what}：{done.path}。"
    write_stdout(head + "\n" + e.added)


@progress_app.command("add")
def add(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    state: Annotated[
        ProgressStatus,
        typer.Option(
            "--status", "-s", help="done（已完成）或 doing（推进中）。", show_default=False
        ),
    ],
    day: DateOpt = None,
    note: Annotated[str, typer.Option("--note", "-n", help="说明，如完成情况、发布位置。")] = "",
    link: Annotated[
        str | None,
        typer.Option(
            "--link", help="公开网页的链接（http:// 或 https:// 开头）。", show_default=False
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """给一项任务追加一条单位进展记录：已完成（done）或推进中（doing）。

    只在 tasks.yaml 中追加几行，文件其余内容（注释、顺序、引号、空行）一字不改；
    写入前会重新校验，不合格则不写。单位已完成的任务在该单位的视图中显示为“已完成”。

    示例：gkctl progress add 28 --unit 区经委 --status done --note 已发布年度目录
    """
    when, now = entry_date(day, data, plan)
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.add_progress(
        plan_dir(data, plan), task_id, unit, state, when, now, note, link, dry_run
    )
    from gkctl.views.labels import PROGRESS_LABELS

    label = PROGRESS_LABELS[state]
    _report(
        done,
        f"记录任务 {task_id} 的进展（{done.task.progress[-1].unit} {label}，{when.isoformat()}）",
    )


def close(
    task_id: TaskArg,
    day: DateOpt = None,
    note: Annotated[str, typer.Option("--note", "-n", help="销号说明。")] = "",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="应报完成的单位还没有全部报完成时，仍整体销号（核实之后再用）。"
        ),
    ] = False,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """销号：区政府办公室确认任务已完成。

    写入 closed（有说明时还有 closed_note）；销号后所有单位都视为已完成。任务应由多个
    单位报完成（如 各部门）而还有单位未报时，拒绝销号并列出未报的单位（退出码 1）：
    可用 gkctl accept 逐个确认单位，或核实后加 --force。

    示例：gkctl close 28 --date 2024-11-29 --note 经核查已全部完成
    """
    when, now = entry_date(day, data, plan)
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.close(plan_dir(data, plan), task_id, when, now, note, dry_run, force)
    _report(done, f"为任务 {task_id} 销号（{when.isoformat()}）")


def reopen(
    task_id: TaskArg,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """撤销销号：删除 closed 和 closed_note，任务恢复按截止日期判断状态。

    示例：gkctl reopen 28
    """
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.reopen(plan_dir(data, plan), task_id, dry_run)
    if done.written:
        write_stdout(f"已撤销任务 {task_id} 的销号：{done.path}。\n")
    else:
        write_stdout(f"未写入（--dry-run）。将撤销任务 {task_id} 的销号。\n")


def extend(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    to: Annotated[
        str, typer.Option("--to", help="延期至哪一天（YYYY-MM-DD）。", show_default=False)
    ],
    reason: Annotated[str, typer.Option("--reason", "-r", help="延期理由。", show_default=False)],
    late: Annotated[
        bool, typer.Option("--late", help="允许在截止日期已过之后登记延期申请（记为 late: true）。")
    ] = False,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="申请日期（YYYY-MM-DD）；默认今天（北京时间）。不能晚于今天。",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """登记一个单位的延期申请：各视图按延期后的日期判断，并显示原截止日期。

    延期至的日期须晚于现行截止日期（已延期的按最近一次延期）；现行截止日期已过之后
    才申请的，须加 --late，记为 late: true。

    示例：gkctl extend 31 --unit 区经委 --to 2024-11-30 --reason 等待市级平台上线 --date 2024-10-20
    """
    when, now = entry_date(day, data, plan)
    until = parse_date(to, "--to")
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.extend(
        plan_dir(data, plan), task_id, unit, until, reason, when, now, late, dry_run
    )
    _report(done, f"登记任务 {task_id} 的延期申请（延期至 {until.isoformat()}）")


def stats(
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON, F.CSV)] = F.TABLE,
    trend: Annotated[
        bool,
        typer.Option(
            "--trend",
            help="改为列出各月走势：计划开始以来每月月末各状态的任务数，以及序时进度与完成进度。",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="上一期的日期（YYYY-MM-DD），或 previous-month（查看日期上个月的 1 日）："
            "加一列“较上期”，比较各单位那天以来名次和逾期数的变化。",
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """督办统计：各单位、各部分的完成率、逾期、临期和延期，亮红橙黄绿灯。

    每行列出任务数、已完成、已逾期、即将到期、完成率和延期次数。单位的灯看它自己担的
    责：红灯，牵头的任务有逾期；橙灯，作为配合单位被点名的任务有逾期；黄灯，只在“各部门/
    各街镇”分到、本单位未报完成的任务上逾期，或有即将到期；绿灯，按期推进或已完成。
    加 --since 时多一列“较上期”：与那天相比名次和逾期数的变化。

    加 --trend 列出各月走势：每月月末（本月按查看日期）各状态的任务数，依据记录中的日期
    推算，不需要 git 历史；序时进度是有截止日期的任务中截止日期已到的比例，完成进度是其中
    已销号的比例。

    示例：gkctl stats --as-of 2024-10-15
    """
    check_format(fmt, F.TABLE, F.JSON, F.CSV)
    plans = each_plan(data, plan)
    day = as_of_date(as_of)
    before = since_date(since, day)
    if plans is not None:  # several plans, none named: each plan's figures, one after another
        answers = [(p, _stats(p.dataset, day, within, fmt, trend, before)) for p in plans]
        print_per_plan(answers, day, fmt)
        return
    dataset = load(data, plan)
    warn_outside_plan_year(dataset, day)
    print_answer(_stats(dataset, day, within, fmt, trend, before))


def _stats(
    dataset: "Dataset",
    day: date,
    within: int,
    fmt: OutputFormat,
    trend: bool,
    since: date | None = None,
) -> "str | RenderableType":
    """One plan's figures: text for JSON and CSV, a renderable for the terminal."""
    from gkctl.views import machine

    if trend:
        from gkctl.core import trend as core_trend

        moves = core_trend.compute(dataset, day, within)
        if fmt is F.JSON:
            return machine.trend_json(moves)
        if fmt is F.CSV:
            return machine.trend_csv(moves)
        from gkctl.views.stats import trend_view

        return trend_view(moves)
    from gkctl.core import stats as core

    result = core.compute(dataset, day, within, since)
    if fmt is F.JSON:
        return machine.stats_json(dataset, result)
    if fmt is F.CSV:
        return machine.stats_csv(result)
    from gkctl.core import planyear
    from gkctl.views.stats import stats_view
    from gkctl.views.terminal import with_ending

    return with_ending(planyear.ending(dataset.plan, day), stats_view(result))


progress_app.command("import")(import_forms)


def register(app: typer.Typer) -> None:
    app.add_typer(progress_app)
    app.command()(close)
    app.command()(reopen)
    app.command()(extend)
    app.command()(stats)
