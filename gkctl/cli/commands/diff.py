"""The plan in git: gkctl diff (two revisions compared) and gkctl log (one task's history)."""

from pathlib import Path
from typing import Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    TaskArg,
    as_of_date,
    check_format,
    data_choice,
    format_option,
    print_trimmed,
    warn,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core import textsafe
from gkctl.core.errors import ExitCode
from gkctl.store import paths

F = OutputFormat


def diff(
    base: Annotated[
        str,
        typer.Argument(
            help="旧版本：git 版本（提交、分支、标签，如 main、HEAD~1），"
            "或一个数据目录、一个 tasks.yaml 文件（取同目录的 units.yaml）。",
            show_default=False,
        ),
    ],
    head: Annotated[
        str | None,
        typer.Argument(
            help="新版本，写法同上；省略时为工作区中的数据目录（--data）。", show_default=False
        ),
    ] = None,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.MARKDOWN, F.JSON)] = F.TABLE,
    as_of: AsOfOpt = None,
    data: DataOpt = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="有差异时以退出码 1 结束（同 git diff --exit-code），供脚本按退出码而不是按输出的文字判断。",
        ),
    ] = False,
    plan: PlanOpt = None,
) -> None:
    """比较计划的两个版本，逐项说明任务和单位名录的变化，供审阅合并请求。

    列出任务的增删，以及时间节点（含截止日期、是否因此逾期）、责任单位、内容、进展、延期、销号的变化。

    按 git 版本比较时直接读取该版本的文件，不切换分支，也不改动工作区；也可比较两个数据目录或 tasks.yaml 文件。任一版本的数据有问题时，列出它的问题（退出码 1），不做比较。

    markdown 格式可直接用作合并请求评论或 $GITHUB_STEP_SUMMARY。加 --exit-code 时，有差异以退出码 1 结束，没有差异为 0。

    示例：gkctl diff main --format markdown
    """
    check_format(fmt, F.TABLE, F.MARKDOWN, F.JSON)
    day = as_of_date(as_of)
    from gkctl.core import plandiff
    from gkctl.store import gitsrc
    from gkctl.views import diff, machine

    base_side, head_side, notes = gitsrc.read_sides(
        base, head, _plan_folder(data, plan), Path.cwd()
    )
    for note in notes:
        warn(note)
    old, new = gitsrc.check_sides(base_side, head_side)
    if old.dataset is None or new.dataset is None:
        invalid = [c for c in (old, new) if c.problems]
        if fmt is F.JSON:
            write_stdout(machine.dumps(diff.problems_json(old, new, day)))
        elif fmt is F.MARKDOWN:
            write_stdout(diff.problems_markdown(base_side, head_side, invalid))
        else:
            for c in invalid:
                print(textsafe.visible(diff.invalid_heading(c)))
                print(textsafe.visible("\n".join(diff.problem_lines(c))))
        for c in invalid:
            warn(diff.invalid_note(c))
        raise typer.Exit(int(ExitCode.PROBLEMS))
    result = plandiff.compare(old.dataset, new.dataset, day, (base_side.config, head_side.config))
    if fmt is F.JSON:
        write_stdout(machine.dumps(diff.to_json(result, base_side, head_side)))
    elif fmt is F.MARKDOWN:
        write_stdout(diff.markdown(result, base_side, head_side))
    elif not result.empty:
        from gkctl.views.diff_terminal import diff_view
        from gkctl.views.terminal import console

        console().print(diff_view(result, base_side, head_side))
    if result.empty:
        warn(f"{base_side.label} 与 {head_side.label} 的计划没有差异。")
    elif exit_code:
        raise typer.Exit(int(ExitCode.PROBLEMS))


def log(
    task_id: TaskArg,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """一项任务的修改历史：逐个 git 提交列出它的进展、延期申请与决定、退办、销号，以及内容、责任单位和时间节点的修改，新的在前。

    每条写明日期、提交、作者和改了什么（与 gkctl diff 的说法相同）。只读取 git 记录，不改动工作区；
    未提交的修改不在其中。某个版本的数据无法读取时照样列出，说明原因。
    在浅克隆（如 CI 中的 git clone --depth）中列到本地最早的提交为止，并说明历史止于哪个提交。

    示例：gkctl log 31
    """
    check_format(fmt, F.TABLE, F.JSON)
    from gkctl.store import history as store
    from gkctl.views import history, machine

    found = store.task_log(_plan_folder(data, plan), task_id)
    if fmt is not F.JSON:
        print_trimmed(history.log_view(found))
        return
    write_stdout(machine.dumps(history.to_json(found)))
    # What the table says in words, for the person who runs it (stdout holds only JSON).
    if not found.entries:
        warn(history.summary(found))
    if note := history.stop_note(found):
        warn(note)


def _plan_folder(data: Path | None, plan: str | None) -> Path:
    """The working tree's folder of the plan compared or followed: the data folder, or in a
    folder of plans the one --plan names."""
    folder = data_choice(data, require=False).path
    if plan is not None or paths.holds_plans(folder):
        folder = paths.scope(folder, plan).one().path
    return folder


def register(app: typer.Typer) -> None:
    app.command()(diff)
    app.command()(log)
