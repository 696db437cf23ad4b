"""The office's side of the 督办 cycle: approve and reject extension requests, send a done
report back (退办), and the queue of what waits for it (review)."""

from pathlib import Path
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
    plan_dir,
    print_answer,
    print_per_plan,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.commands.progress import DryRunOpt
from gkctl.cli.formats import OutputFormat
from gkctl.core import status
from gkctl.core.model import Decision
from gkctl.core.units import lookup

if TYPE_CHECKING:
    from rich.console import RenderableType

    from gkctl.core.forms import FormEvent
    from gkctl.core.model import Dataset
    from gkctl.core.review import Queue
    from gkctl.store.writes import Recorded

DecisionDateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="决定日期（YYYY-MM-DD）；默认今天（北京时间）。不能晚于今天，不能早于申请日期；"
        "计划结束后必须写明。",
        show_default=False,
    ),
]


def _changed(done: "Recorded", what: str) -> None:
    """The entry as it now reads (or would read, with --dry-run), with its lines."""
    e = done.edit
    lines = f"第 {e.first_line}–{e.last_line} 行"
    if done.written:
        head = f"已{what}：{done.path} {lines}。"
    else:
        head = f"未写入（--dry-run）。将{what}，{done.path} {lines}将改为："
    write_stdout(head + "\n" + e.added)


def _decide(
    task_id: int,
    unit: str,
    decision: Decision,
    day: str | None,
    note: str,
    dry_run: bool,
    data: Path | None,
    plan: str | None,
) -> None:
    when, now = entry_date(day or None, data, plan)
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.decide(plan_dir(data, plan), task_id, unit, decision, when, now, note, dry_run)
    asked = next(e for e in done.task.extensions if e.decision is decision and e.decided == when)
    if decision is Decision.APPROVED:
        what = (
            f"批准任务 {task_id} {asked.unit} 的延期申请"
            f"（延期至 {asked.to.isoformat()}，自 {when.isoformat()} 起生效）"
        )
    else:
        what = f"不批准任务 {task_id} {asked.unit} 的延期申请（延期至 {asked.to.isoformat()}）"
    _changed(done, what)


def approve(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    day: DecisionDateOpt = None,
    note: Annotated[str, typer.Option("--note", "-n", help="批准说明。")] = "",
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """批准一个单位待批的延期申请：从决定日期起，各视图按延期后的日期判断。

    在申请记录中写入 decision: approved、decided（有说明时还有 decision_note）；该单位
    没有待批申请、决定日期早于申请日期时拒绝（退出码 2，文件不变）。

    示例：gkctl approve 31 --unit 区经委 --date 2024-10-25 --note 同意延期至11月底
    """
    _decide(task_id, unit, Decision.APPROVED, day, note, dry_run, data, plan)


def reject(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="不批准的理由（必填）。", show_default=False)
    ],
    day: DecisionDateOpt = None,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """不批准一个单位待批的延期申请：任务仍按现行截止日期判断。

    在申请记录中写入 decision: rejected、decided 和 decision_note（理由）。

    示例：gkctl reject 72 --unit 区经委 --reason 逾期后申请，理由不充分 --date 2024-11-06
    """
    _decide(task_id, unit, Decision.REJECTED, day, reason, dry_run, data, plan)


def return_report(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="退办理由（必填）。", show_default=False)
    ],
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="退办日期（YYYY-MM-DD）；默认今天（北京时间）。不能晚于今天，不能早于报送日期。",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """退办：把一个单位的完成报告退回（结果不符合要求），任务重新按截止日期判断。

    在该单位最近一条未退办的已完成进展中写入 returned 和 return_reason；单位视图显示
    退办理由，单位可重新报送完成。

    示例：gkctl return 31 --unit 区经委 --reason 未附公开链接 --date 2024-11-04
    """
    when, now = entry_date(day or None, data, plan)
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.return_report(plan_dir(data, plan), task_id, unit, reason, when, now, dry_run)
    back = next(p for p in done.task.progress if p.returned == when)
    _changed(done, f"退办任务 {task_id} {back.unit} {back.date.isoformat()} 的完成报告")


def accept(
    task_id: TaskArg,
    unit: RequiredUnitOpt,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="确认日期（YYYY-MM-DD）；默认今天（北京时间）。不能晚于今天，不能早于报送日期。",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str,
        typer.Option("--note", "-n", help="单位没有完成报告、由区政府办公室直接确认时的说明。"),
    ] = "",
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """确认一个单位完成：只关闭该单位在任务中的部分，其他单位照常督办。

    在该单位最近一条未退办的已完成进展中写入 accepted（确认日期）；单位没有完成报告时，
    以它的名义追加一条已完成、已确认的进展（--note 写明依据）。该任务从这个单位的
    视图中移出，其他单位不变；已确认的报告不能再退办。gkctl diff 和 gkctl log 显示确认。

    示例：gkctl accept 28 --unit 区经委 --date 2024-11-06
    """
    when, now = entry_date(day or None, data, plan)
    from gkctl.store import writes  # the writer is loaded only to write

    done = writes.accept(plan_dir(data, plan), task_id, unit, when, now, note, dry_run)
    name = lookup(load(data, plan).directory, unit).name
    _changed(done, f"确认任务 {task_id} {name} 完成（{when.isoformat()}）")


F = OutputFormat


def review(
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    quiet: Annotated[
        int,
        typer.Option(
            "--quiet-days",
            min=1,
            max=366,
            help="催办：直接点名的任务已逾期、多少天内没有进展记录的单位。",
        ),
    ] = 30,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """区政府办公室的待办：待销号的任务、待批的延期申请、需要催办的单位、未交回的填报表。

    待销号：应报单位都已报完成（已报完成，待销号），报得最早的在前，附各单位的说明和链接；
    延期申请待批：申请最早的在前，附已等天数；催办：直接点名的任务已逾期、30 天内没有
    进展记录的单位；填报表：gkctl form 发出、还没有用 gkctl progress import 交回的单位，
    欠得最久的在前（记录在 forms-log.yaml）。

    示例：gkctl review --as-of 2024-11-06
    """
    from gkctl.core.review import queue

    check_format(fmt, F.TABLE, F.JSON)

    day = as_of_date(as_of)
    plans = each_plan(data, plan)
    if plans is not None:  # several plans, none named: each plan's queue, one after another
        answers = [
            (p, _answer(p.dataset, queue(p.dataset, day, within, quiet, _forms(p.dataset)), fmt))
            for p in plans
        ]
        print_per_plan(answers, day, fmt)
        return
    dataset = load(data, plan)
    warn_outside_plan_year(dataset, day)
    print_answer(_answer(dataset, queue(dataset, day, within, quiet, _forms(dataset)), fmt))


def _forms(dataset: "Dataset") -> "tuple[FormEvent, ...]":
    """The forms sent and returned, from forms-log.yaml beside the plan's tasks.yaml."""
    from gkctl.store import formslog

    return formslog.events(Path(dataset.tasks_path).parent)


def _answer(dataset: "Dataset", q: "Queue", fmt: OutputFormat) -> "str | RenderableType":
    """One plan's queue: JSON, or the view under the plan's ending (core.planyear)."""
    from gkctl.core import planyear
    from gkctl.views import machine
    from gkctl.views.review import review_view
    from gkctl.views.terminal import with_ending

    if fmt is F.JSON:
        return machine.review_json(dataset, q)
    return with_ending(planyear.ending(dataset.plan, q.as_of), review_view(q))


def register(app: typer.Typer) -> None:
    app.command()(review)
    app.command()(approve)
    app.command()(reject)
    app.command("return")(return_report)
    app.command()(accept)
