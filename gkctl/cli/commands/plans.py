"""Plans through the years: plan list, plan new, and carry (what was left, into the next)."""

from pathlib import Path
from typing import Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    IssuerOpt,
    NumberOpt,
    PublishedOpt,
    as_of_date,
    check_format,
    data_choice,
    format_option,
    load_plans,
    parse_date,
    plan_scope,
    print_trimmed,
    warn,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core.errors import UsageError
from gkctl.store import paths

F = OutputFormat

plan_app = typer.Typer(
    name="plan",
    no_args_is_help=True,
    help="一个数据目录中的多个计划：列出计划，开始新计划。\n\n示例：gkctl plan list",
)


@plan_app.command("list")
def plan_list(
    as_of: AsOfOpt = None,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
) -> None:
    """列出数据目录中的计划：名称、年度、任务数、是否已结束，以及转入、转出的任务数。

    示例：gkctl plan list --as-of 2025-03-01
    """
    from gkctl.core.plans import plan_facts
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON)
    scope = plan_scope(data)
    loaded = load_plans(scope.chosen)
    day = as_of_date(as_of)
    rows = []
    for plan in loaded:
        facts = plan_facts(plan, day)
        rows.append(
            {
                "plan": facts.name,
                "title": facts.title,
                "year": facts.year,
                "tasks": facts.tasks,
                "ended": facts.ended,
                "end": facts.end.isoformat(),
                "carried_in": facts.carried_in,
                "carried_out": facts.carried_out,
            }
        )
    if fmt is F.JSON:
        write_stdout(
            machine.dumps(
                {"version": machine.JSON_VERSION, "as_of": day.isoformat(), "plans": rows}
            )
        )
        return
    from gkctl.views import terminal

    print_trimmed(terminal.plan_list(rows))


@plan_app.command("new")
def plan_new(
    name: Annotated[
        str, typer.Argument(help="新计划的名称，也是它的文件夹名，如 2025。", show_default=False)
    ],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="从任务分解表（.docx 或 .xlsx）或要点正文（.docx、.txt、.md）导入新计划，"
            "同 gkctl import；省略时建一个空计划。",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="文件标题，如 2025年金山区政务公开工作要点。", show_default=False
        ),
    ] = None,
    number: NumberOpt = None,
    issuer: IssuerOpt = None,
    published: PublishedOpt = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=2000,
            max=2100,
            help="计划年度；默认取发布日期的年份。",
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
) -> None:
    """开始一个新计划：在多计划数据目录中新建 计划名/tasks.yaml，与其他计划共用 units.yaml。

    加 --from 时从任务分解表导入（与 gkctl import 相同的识别和检查）；不加时建一个只有文件
    信息、没有任务的空计划，任务可由 gkctl carry 从上一计划转入，或手工添加。已有的计划不覆盖。

    示例：gkctl plan new 2025 --title 2025年金山区政务公开工作要点 --number 金府办发〔2025〕3号 --issuer 上海市金山区人民政府办公室 --published 2025-03-20
    """
    from gkctl.store import writes

    paths.plan_name(name)
    title, number, issuer = writes.document_facts(title, number, issuer)
    folder = data_choice(data, require=False).path
    if not paths.holds_plans(folder):
        raise UsageError(_not_plans_folder(folder))
    target = folder / name / paths.TASKS_FILE
    if target.exists():
        raise UsageError(f"计划 {name} 已存在（{paths.shown(target)}），未覆盖。")
    if source is not None:
        from gkctl.cli.commands.exchange import import_table

        import_table(
            source,
            year=year,
            published=published,
            title=title,
            number=number,
            issuer=issuer,
            data=folder,
            plan=name,
        )
        return
    missing = [
        option
        for option, value in (
            ("--title", title),
            ("--number", number),
            ("--issuer", issuer),
            ("--published", published),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise UsageError(
            f"新建空计划需要文件信息，请补上 {'、'.join(missing)}（或用 --from 从表格导入）。"
        )
    assert title and number and issuer and published is not None
    day = parse_date(published, "--published")
    from gkctl.store import newplan

    written = newplan.empty_plan(target, title, number, issuer, day, year or day.year)
    print(f"已新建计划 {name}：{paths.shown(written)}。")
    print(
        f"下一步：gkctl carry --from 上一计划 --to {name} 列出可转入的任务；gkctl validate 检查。"
    )


def _not_plans_folder(folder: Path) -> str:
    return (
        f"数据目录 {paths.shown(folder)} 只有一个计划，不是多计划目录。要在一个仓库中放多个计划，"
        f"先把现有计划移到 plans/ 下，例如：git mv data/tasks.yaml plans/2024/tasks.yaml；"
        f"git mv data/units.yaml plans/units.yaml（共用的单位名录），"
        f"然后在仓库根目录运行（或用 --data plans）。"
    )


def carry(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="要转入的任务序号（上一计划中的），可写多个。", show_default=False),
    ] = None,
    source: Annotated[
        str, typer.Option("--from", help="转出的计划（上一计划），如 2024。", show_default=False)
    ] = "",
    target: Annotated[
        str, typer.Option("--to", help="转入的计划（新计划），如 2025。", show_default=False)
    ] = "",
    all_open: Annotated[
        bool, typer.Option("--all-open", help="转入上一计划中全部未完成的任务。")
    ] = False,
    as_of: AsOfOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示将要写入的内容，不修改文件。")
    ] = False,
    data: DataOpt = None,
) -> None:
    """把上一计划中未完成的任务转入新计划：新任务记下来源（carried_from），原任务记下去向（carried_to）。

    不给序号也不加 --all-open 时，只列出上一计划中可转入的任务（截至 --as-of 未完成、未报完成、
    未转出的），供选择。转入的任务保留任务名称、内容、原文、责任单位、部分和时间节点的写法
    （按新计划的年度解析）；进展、延期和销号留在原计划。两个文件一起写：全部写入或都不写；
    --dry-run 只显示将写入的内容。

    示例：gkctl carry 31 11 --from 2024 --to 2025 --dry-run
    """
    from gkctl.views import terminal

    if not source or not target:
        raise UsageError("请用 --from 和 --to 给出转出和转入的计划，如 --from 2024 --to 2025。")
    scope = plan_scope(data)
    if not scope.several:
        raise UsageError(_not_plans_folder(scope.folder))
    old = paths.pick_plan(scope.folder, scope.plans, source)
    new = paths.pick_plan(scope.folder, scope.plans, target)
    day = as_of_date(as_of)
    if ids and all_open:
        raise UsageError("给出任务序号时不要再加 --all-open。")
    from gkctl.store import carry as carrying

    if not ids and not all_open:
        (old_plan,) = load_plans([old])
        states = [s._replace(plan=old.name) for s in carrying.open_tasks(old_plan.dataset, day)]
        print_trimmed(terminal.task_table(states, False))
        warn(
            f"计划 {old.name} 截至 {day.isoformat()} 有 {len(states)} 项未完成的任务可转入 {new.name}。"
            f"选定后运行：gkctl carry 序号… --from {old.name} --to {new.name}（或 --all-open）。"
        )
        return
    done = carrying.carry(old, new, ids or None, day, dry_run)
    moved = "，".join(f"{old.name}#{a} → {new.name}#{b}" for a, b in done.pairs)
    if done.written:
        write_stdout(f"已转入 {len(done.pairs)} 项：{moved}。\n")
        write_stdout(f"已写入 {done.new_path} 和 {done.old_path}。\n")
        return
    write_stdout(f"未写入（--dry-run）。将转入 {len(done.pairs)} 项：{moved}。\n")
    write_stdout(f"{done.new_path} 将添加：\n{done.new_added}")
    write_stdout(f"{done.old_path} 将添加：\n{done.old_added}")


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app)
    app.command()(carry)
