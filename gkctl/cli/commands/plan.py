"""Reading the plan: validate, due, list, show, deadline, units."""

from collections import Counter
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    FailOn,
    PlanOpt,
    TaskArg,
    UnitOpt,
    WithinOpt,
    as_of_date,
    check_format,
    data_choice,
    format_option,
    load,
    load_plans,
    load_slices,
    parse_date,
    plan_scope,
    print_trimmed,
    project_config,
    today,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core import status, textsafe
from gkctl.core.errors import ExitCode, Problem, UsageError
from gkctl.core.model import Dataset
from gkctl.core.units import involvement, lookup
from gkctl.store import paths

if TYPE_CHECKING:
    from gkctl.core.model import Unit
    from gkctl.core.plans import SlicedPlan

F = OutputFormat
DirectOpt = Annotated[
    bool,
    typer.Option("--direct", help="只看直接点名本单位的任务（不含各部门、各街镇等统称）。"),
]


def validate(
    data: DataOpt = None,
    plan: PlanOpt = None,
    fmt: Annotated[
        OutputFormat, format_option(F.TABLE, F.JSON, F.GITHUB, F.CODEQUALITY, F.JUNIT)
    ] = F.TABLE,
    all_plans: Annotated[
        bool,
        typer.Option(
            "--all-plans",
            help="检查仓库中的每一份计划，不论 gkctl.toml、GKCTL_DATA 指向哪里："
            "仓库根目录的 data/、gkctl.toml 指定的目录，以及 git 跟踪的每个 tasks.yaml 所在目录"
            "（tests/ 下的测试数据除外）。供 CI 和 pre-commit 使用。",
        ),
    ] = False,
) -> None:
    """检查数据文件：列出全部问题（文件:行:列），有问题时退出码为 1。

    未明确时限的任务、没有写 decision 的旧延期记录（按已于申请日批准处理）作为警告列出，
    不算问题。--format github 输出 GitHub Actions 注解；codequality（GitLab Code Quality
    JSON）和 junit（JUnit XML）供 GitLab 合并请求显示问题。

    示例：gkctl validate --all-plans --format github
    """
    from gkctl.store import loader
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON, F.GITHUB, F.CODEQUALITY, F.JUNIT)
    chosen = None if all_plans else data_choice(data)
    if chosen is not None:
        scope = paths.scope(chosen.path, plan)
        folders = list(scope.chosen)
        scopes = [scope] if scope.several else []
    else:
        if plan is not None:
            raise UsageError("--all-plans 检查仓库中的每一份计划，不能再用 --plan 指定一个。")
        folders = [p for folder in _every_plan(data) for p in _plans_in(folder)]
        scopes = _folders_of_plans(folders)
    checked = [(p, *loader.check(p.path)) for p in folders]
    problems = sorted(p for _, _, found in checked for p in found)
    if scopes or len(checked) > 1:  # each plan's check reports a shared units.yaml's problems
        across = {
            p
            for sc in scopes
            for p in _plans_problems(sc, [c for c in checked if c[0] in sc.plans])
        }
        problems = sorted(set(problems) | across)
    datasets = [d for _, d, _ in checked if d is not None]
    # Warnings never fail the check: 未明确时限 (the table gave no deadline to copy), and
    # extension entries from before decisions (they read as approved on the day asked).
    notes = sorted(
        {
            w
            for d in datasets
            for w in loader.warnings(d.plan) + loader.directory_warnings(d.directory)
        }
    )
    if fmt is F.JSON:
        write_stdout(
            machine.dumps(
                {
                    "version": machine.JSON_VERSION,
                    "problems": [p.as_dict() for p in problems],
                    "warnings": [p.as_dict() for p in notes],
                }
            )
        )
    elif fmt is F.GITHUB:
        write_stdout("".join(_github(p) for p in problems))
        write_stdout("".join(_github(p, "warning") for p in notes))
    elif fmt is F.CODEQUALITY:
        from gkctl.views import ci_reports

        write_stdout(ci_reports.codequality(problems, notes))
    elif fmt is F.JUNIT:
        from gkctl.views import ci_reports

        shown = [paths.shown(folder.path) for folder, _, _ in checked]
        write_stdout(ci_reports.junit(problems, notes, shown))
    else:
        for p in problems:
            print(textsafe.visible_line(str(p)))
        for p in notes:
            warn(f"{p.file}:{p.line}:{p.column}: 警告：{p.message}")
    used = _used(chosen) if chosen is not None else _every_plan_line(folders)
    if problems:
        warn(f"共发现 {len(problems)} 个问题。")
        if fmt is F.TABLE:
            warn(used)
        raise typer.Exit(int(ExitCode.PROBLEMS))
    if fmt is F.TABLE:
        for folder, dataset, _ in checked:
            assert dataset is not None
            valid = _valid_line(dataset, notes)
            if chosen is None:
                valid = f"{paths.shown(folder.path)}：{valid}"
            elif scopes:
                valid = f"计划 {folder.name}：{valid}"
            print(valid)
        print(used)


def _valid_line(dataset: Dataset, notes: list[Problem]) -> str:
    d = dataset.directory
    count = sum(1 for p in notes if p.code == "undated" and p.file == dataset.tasks_path)
    undated = f"，其中 {count} 项未明确时限" if count else ""
    return (
        f"数据有效：{len(dataset.plan.tasks)} 项任务{undated}，{len(d.units)} 个单位，"
        f"{len(d.groups)} 个统称，计划年度 {dataset.plan.document.year}。"
    )


def _plans_in(folder: Path) -> tuple[paths.PlanFolder, ...]:
    """The plans a folder --all-plans found holds: itself, or each plan of a folder of
    plans (gkctl.toml may name one); none, where it holds no plan: that folder is then
    checked as a plan, so that its missing files are reported."""
    return paths.plans_of(folder) or (paths.PlanFolder(folder.name, folder),)


def _folders_of_plans(folders: list[paths.PlanFolder]) -> list[paths.Scope]:
    """The folders of plans among the plans --all-plans checks, for their cross-plan checks."""
    above = {
        p.path.parent.resolve(): p.path.parent for p in folders if paths.holds_plans(p.path.parent)
    }
    return [paths.scope(folder, None) for _, folder in sorted(above.items())]


def _every_plan(data: Path | None) -> list[Path]:
    """validate --all-plans: the repository's plans, whatever chooses the data folder."""
    if data is not None:
        raise UsageError("--all-plans 检查仓库中的每一份计划，不能再用 --data 指定一个。")
    from gkctl.store import gitsrc

    folders = gitsrc.repository_plans(Path.cwd(), project_config())
    if not folders:
        raise UsageError(
            f"仓库中没有计划：没有 data/{paths.TASKS_FILE}，{paths.CONFIG_FILE} 中没有 data，"
            f"git 也没有跟踪任何 {paths.TASKS_FILE}（tests/ 下的除外）。"
        )
    return folders


def _every_plan_line(folders: list[paths.PlanFolder]) -> str:
    names = "、".join(paths.shown(folder.path) for folder in folders)
    return f"共检查 {len(folders)} 份计划：{names}（--all-plans：仓库中的每一份，不论 gkctl.toml 指向哪里）。"


def _plans_problems(
    scope: paths.Scope, checked: list[tuple[paths.PlanFolder, Dataset | None, list[Problem]]]
) -> list[Problem]:
    """What only a folder of plans can get wrong: a plan folder with a units.yaml of its
    own beside the shared one, and carry links that do not point at each other (read
    against every plan of the folder, also those --plan left out)."""
    from gkctl.core import plans as across
    from gkctl.store import loader

    found = [
        Problem(
            paths.shown(p.path / paths.UNITS_FILE),
            1,
            1,
            "plan-units",
            f"多个计划共用一份单位名录 {paths.shown(scope.folder / paths.UNITS_FILE)}，"
            f"计划 {p.name} 的文件夹中不应另有 {paths.UNITS_FILE}（请并入共用的名录后删去）",
        )
        for p in scope.chosen
        if (p.path / paths.UNITS_FILE).is_file()
    ]
    loaded = {p.name: d for p, d, _ in checked if d is not None}
    for other in scope.plans:
        if other.name not in loaded:
            dataset, _ = loader.check(other.path)  # its own problems are its own check's
            if dataset is not None:
                loaded[other.name] = dataset
    everyone = [across.NamedPlan(name, d) for name, d in loaded.items()]
    chosen = {p.name for p in scope.chosen}
    found += [
        p
        for p in across.link_problems(everyone)
        if any(p.file == loaded[n].tasks_path for n in chosen if n in loaded)
    ]
    return found


def _used(chosen: paths.DataChoice) -> str:
    """Which data folder and gkctl.toml a check used, and why (a default from a project
    file, or a folder found upwards, is not what the user typed)."""
    config = project_config()
    where = paths.shown(chosen.path)
    settings = f"配置 {paths.shown(config.path)}" if config is not None else "没有 gkctl.toml"
    return f"数据目录 {where}（{chosen.how}），{settings}。"


def _github(p: Problem, level: str = "error") -> str:
    # Workflow-command escaping: %, CR and LF in the message; also , and : in properties.
    def prop(v: str) -> str:
        return (
            v.replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
            .replace(":", "%3A")
            .replace(",", "%2C")
        )

    message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return (
        f"::{level} file={prop(p.file)},line={p.line},col={p.column},"
        f"title={prop('gkctl ' + p.code)}::{message}\n"
    )


def due(
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="也显示全年持续、未到期和已完成的任务。")
    ] = False,
    direct: DirectOpt = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="有逾期（overdue）或逾期/临期（due_soon）任务时以退出码 1 结束，供 CI 使用。",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=0,
            help="表格中每一类最多显示多少项（0 为不限）；json 和 csv 总是输出全部。",
        ),
    ] = 50,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON, F.CSV)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """看哪些任务已逾期、即将到期、待市级部署；不指定单位时按单位汇总，看谁落后。

    示例：gkctl due --unit 区经委 --as-of 2024-10-15
    """
    check_format(fmt, F.TABLE, F.JSON, F.CSV)
    scope = plan_scope(data, plan)
    if scope.several:
        _due_across(scope, plan, unit or None, as_of, within, show_all, direct, fail_on, limit, fmt)
        return
    unit = unit or None  # --unit "": every unit, over gkctl.toml's default unit
    # A unit's view reads its slice of the cache where the cache has the plan (see
    # core.unitview); else the whole plan, which also writes the cache.
    sliced = load_slices(data, plan) if unit is not None else None
    dataset = sliced.dataset if sliced is not None else load(data, plan)
    day = as_of_date(as_of)
    ending = warn_outside_plan_year(dataset, day)
    if unit is not None:
        from gkctl.core import unitview

        found = lookup(dataset.directory, unit)
        wanted = list(status.STATUS_ORDER) if show_all else list(ATTENTION)
        part = sliced.unit(found.name) if sliced is not None else None
        if sliced is not None and part is None:  # not in the entry: the whole plan
            sliced, dataset = None, load(data, plan)
        reader = unitview.Reader(dataset, sliced.ids, sliced.tasks) if sliced is not None else None
        if fmt is F.TABLE:
            from gkctl.views import terminal

            if reader is not None and part is not None:
                summary = unitview.unit_due(reader, found, part, day, within, direct, wanted, limit)
            else:
                summary = unitview.summarize(
                    sorted(
                        status.unit_states(dataset, found, day, within, direct),
                        key=status.sort_key,
                    ),
                    wanted,
                    limit,
                )
            view = terminal.due_summary_view(summary, found, day, show_all, within)
            print_trimmed(terminal.with_ending(ending, view))
            counts = summary.counts
            if not sum(summary.counts[st] + summary.maybe[st] for st in wanted):
                warn(f"{found.name} 截至 {day.isoformat()} 没有需要关注的任务。")
        else:
            from gkctl.views import machine

            if reader is not None and part is not None:
                shown = sorted(
                    unitview.unit_states(reader, found, part, day, within, direct, wanted),
                    key=status.sort_key,
                )
            else:
                states = sorted(
                    status.unit_states(dataset, found, day, within, direct), key=status.sort_key
                )
                shown = [s for s in states if s.status in wanted]
            if fmt is F.JSON:
                write_stdout(machine.tasks_json(dataset, shown, day, found.name))
            else:
                write_stdout(machine.tasks_csv(dataset, shown, with_unit=True, as_of=day))
            if not shown:
                warn(f"{found.name} 截至 {day.isoformat()} 没有需要关注的任务。")
            # --fail-on judges the unit's own tasks, not those it only possibly has (the
            # statuses it asks about are among those shown).
            counts = Counter(
                s.status for s in shown if not (s.involvement and s.involvement.possible)
            )
        _fail_on(fail_on, counts)
        return
    else:
        # The plan's own task states are needed only for JSON and --fail-on.
        needed = fmt is F.JSON or fail_on is not None
        states = (
            sorted(status.plan_states(dataset, day, within), key=status.sort_key) if needed else []
        )
        from gkctl.core import behind
        from gkctl.views import machine

        rows, ranked = behind.ranked_summaries(dataset, day, within, direct)
        if fmt is F.JSON:
            shown = states if show_all else [s for s in states if s.status in ATTENTION]
            write_stdout(
                machine.summaries_json(
                    rows,
                    ranked,
                    day,
                    machine.tasks_records(dataset, shown),
                    machine.ending_record(dataset, day),
                )
            )
        elif fmt is F.CSV:
            write_stdout(machine.summaries_csv(rows))
        else:
            from gkctl.views import terminal

            view = terminal.summary_table(rows, ranked, day, within, ending.ended)
            print_trimmed(terminal.with_ending(ending, view))
    _fail_on(fail_on, Counter(s.status for s in states))


# What the due view shows without --all: what needs action or waits for the city.
ATTENTION = status.ATTENTION


def _due_across(
    scope: paths.Scope,
    plan: str | None,
    unit: str | None,
    as_of: str | None,
    within: int,
    show_all: bool,
    direct: bool,
    fail_on: FailOn | None,
    limit: int,
    fmt: OutputFormat,
) -> None:
    """The due view of a folder of plans: each task marked with its plan; an ended plan
    shows only what still runs in it, unless --plan names it (core.plans)."""
    from gkctl.core import plans as across
    from gkctl.views import machine

    if unit is not None:
        sliced = _sliced_plans(scope, unit)
        if sliced is not None:
            _due_across_sliced(sliced, plan, as_of, within, show_all, direct, fail_on, limit, fmt)
            return
    loaded = load_plans(scope.chosen)
    day = as_of_date(as_of)
    running = loaded if plan is not None else across.running(loaded, day)
    if not running and unit is None:
        warn(f"截至 {day.isoformat()}，数据目录中的计划都已结束；用 --plan 查看其中一个。")
    first = loaded[0].dataset
    if unit is None:
        rows, ranked = across.merged_summaries(running, day, within, direct)
        if fmt is F.JSON:
            write_stdout(machine.summaries_json(rows, ranked, day))
        elif fmt is F.CSV:
            write_stdout(machine.summaries_csv(rows))
        else:
            from gkctl.views import terminal

            print_trimmed(terminal.summary_table(rows, ranked, day, within, not running))
        if fail_on is not None:
            states = [s for p in running for s in status.plan_states(p.dataset, day, within)]
            _fail_on(fail_on, Counter(s.status for s in states))
        return
    found = lookup(first.directory, unit)
    states = across.unit_due_states(loaded, found, day, within, direct, plan is not None)
    shown = states if show_all else [s for s in states if s.status in ATTENTION]
    if fmt is F.JSON:
        datasets = {p.name: p.dataset for p in loaded}
        write_stdout(machine.plans_tasks_json(datasets, shown, day, found.name))
    elif fmt is F.CSV:
        write_stdout(machine.tasks_csv(first, shown, with_unit=True, with_plan=True))
    else:
        from gkctl.views import terminal

        print_trimmed(terminal.due_view(states, found, day, show_all, within, limit))
    if not shown:
        warn(f"{found.name} 截至 {day.isoformat()} 没有需要关注的任务。")
    surely = [s for s in states if not (s.involvement and s.involvement.possible)]
    _fail_on(fail_on, Counter(s.status for s in surely))


def _sliced_plans(scope: paths.Scope, unit: str) -> "tuple[Unit, list[SlicedPlan]] | None":
    """Each plan of the folder read for the unit's slice (as one plan's due --unit does),
    or None where the cache does not hold every one of them: then the plans, whole."""
    from gkctl.core import unitview
    from gkctl.core.plans import SlicedPlan

    opened = [(p.name, load_slices(p.path)) for p in scope.chosen]
    if not opened or any(entry is None for _, entry in opened):
        return None  # the plans' first reading writes their entries
    entries = [(name, entry) for name, entry in opened if entry is not None]
    found = lookup(entries[0][1].dataset.directory, unit)
    out = []
    for name, entry in entries:
        part = entry.unit(found.name)
        if part is None:
            return None
        out.append(SlicedPlan(name, unitview.Reader(entry.dataset, entry.ids, entry.tasks), part))
    return found, out


def _due_across_sliced(
    sliced: "tuple[Unit, list[SlicedPlan]]",
    plan: str | None,
    as_of: str | None,
    within: int,
    show_all: bool,
    direct: bool,
    fail_on: FailOn | None,
    limit: int,
    fmt: OutputFormat,
) -> None:
    """_due_across for a unit, from each plan's slice of its cache entry (core.plans)."""
    from gkctl.core import plans as across
    from gkctl.views import machine

    found, plans = sliced
    day = as_of_date(as_of)
    wanted = list(status.STATUS_ORDER) if show_all else list(ATTENTION)
    keep = plan is not None
    if fmt is F.TABLE:
        from gkctl.views import terminal

        summary = across.sliced_due(plans, found, day, within, direct, keep, wanted, limit)
        print_trimmed(terminal.due_summary_view(summary, found, day, show_all, within))
        counts: Mapping[status.Status, int] = summary.counts
        shown_any = sum(summary.counts[st] + summary.maybe[st] for st in wanted)
    else:
        shown = across.sliced_states(plans, found, day, within, direct, keep, wanted)
        if fmt is F.JSON:
            datasets = {p.name: p.reader.dataset for p in plans}
            write_stdout(machine.plans_tasks_json(datasets, shown, day, found.name))
        else:
            first = plans[0].reader.dataset
            write_stdout(machine.tasks_csv(first, shown, with_unit=True, with_plan=True))
        shown_any = len(shown)
        counts = Counter(s.status for s in shown if not (s.involvement and s.involvement.possible))
    if not shown_any:
        warn(f"{found.name} 截至 {day.isoformat()} 没有需要关注的任务。")
    _fail_on(fail_on, counts)


def _fail_on(fail_on: FailOn | None, counts: Mapping[status.Status, int]) -> None:
    """Exit 1 where tasks of the statuses --fail-on names are counted."""
    if fail_on is None:
        return
    bad = (
        {status.Status.OVERDUE}
        if fail_on is FailOn.OVERDUE
        else {status.Status.OVERDUE, status.Status.DUE_SOON}
    )
    hits = sum(counts.get(st, 0) for st in bad)
    if hits:
        warn(f"--fail-on {fail_on.value}：有 {hits} 项任务符合条件。")
        raise typer.Exit(int(ExitCode.PROBLEMS))


def list_tasks(
    unit: UnitOpt = None,
    section: Annotated[
        str | None,
        typer.Option("--section", help="部分编号：一、二、三、四、五。", show_default=False),
    ] = None,
    state: Annotated[
        list[status.Status] | None,
        typer.Option(
            "--status",
            help="只列出这些状态（可重复）：overdue、due_soon、pending、undated、ongoing、open、"
            "reported（已报完成，待销号）、done；计划结束后为 done_on_time、done_after_extension、"
            "done_late、unfinished、not_deployed、ongoing_reported、ongoing_unreported。",
            metavar="<状态>",
            show_default=False,
        ),
    ] = None,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", help="截止日期不晚于此日（YYYY-MM-DD）。", show_default=False),
    ] = None,
    due_after: Annotated[
        str | None,
        typer.Option("--due-after", help="截止日期不早于此日（YYYY-MM-DD）。", show_default=False),
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option("--grep", "-g", help="任务名称、内容或正文中包含的文字。", show_default=False),
    ] = None,
    direct: DirectOpt = False,
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON, F.CSV)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """列出任务，可按单位、部分、状态、截止日期和文字筛选。

    示例：gkctl list --section 二 --status overdue --grep 政策解读
    """
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON, F.CSV)
    unit = unit or None  # --unit "": every unit, over gkctl.toml's default unit
    sliced = load_slices(data, plan) if unit is not None else None  # as due --unit
    dataset = sliced.dataset if sliced is not None else load(data, plan)
    day = as_of_date(as_of)
    ending = warn_outside_plan_year(dataset, day)
    before = parse_date(due_before, "--due-before") if due_before is not None else None
    after = parse_date(due_after, "--due-after") if due_after is not None else None
    if section is not None and section not in {s.id for s in dataset.plan.sections}:
        ids = "、".join(s.id for s in dataset.plan.sections)
        raise UsageError(f"没有部分“{section}”，可用：{ids}。")
    found = lookup(dataset.directory, unit) if unit is not None else None
    if direct and found is None:
        raise UsageError("--direct 要与 --unit 一起用。")
    part = sliced.unit(found.name) if sliced is not None and found is not None else None
    if sliced is not None and part is None:  # not in the entry: the whole plan
        sliced, dataset = None, load(data, plan)
    if found is not None and sliced is not None and part is not None:
        from gkctl.core import unitview

        reader = unitview.Reader(dataset, sliced.ids, sliced.tasks)
        states = unitview.unit_states(reader, found, part, day, within, direct, state or None)
    elif found is not None:
        states = status.unit_states(dataset, found, day, within, direct)
    else:
        states = status.plan_states(dataset, day, within)
    wanted = set(state or ())
    states = [
        s
        for s in states
        if (section is None or s.task.section == section)
        and (not wanted or s.status in wanted)
        and (before is None or (s.due is not None and s.due <= before))
        and (after is None or (s.due is not None and s.due >= after))
        and (grep is None or grep in s.task.name or grep in s.task.content or grep in s.task.text)
    ]
    if fmt is F.JSON:
        write_stdout(machine.tasks_json(dataset, states, day, found.name if found else None))
    elif fmt is F.CSV:
        write_stdout(machine.tasks_csv(dataset, states, with_unit=found is not None, as_of=day))
    else:
        from gkctl.views import terminal

        print_trimmed(terminal.with_ending(ending, terminal.task_table(states, found is not None)))
    if not states:
        warn("没有符合条件的任务。")


def show(
    task_id: TaskArg,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """显示一项任务的全部信息：要点原文、内容、责任单位、时间节点如何解析、进展。

    加 --unit 时按该单位的视角判断状态（它的完成报告和延期申请）。

    示例：gkctl show 28 --unit 区经委
    """
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON)
    scope = plan_scope(data, plan)
    # One task's view reads that task alone from the cache where it can (store.cache.Sliced).
    sliced = load_slices(data, plan)
    one = sliced.task(task_id) if sliced is not None else None
    if sliced is not None and one is not None:
        dataset = sliced.dataset
        task = one
    else:
        dataset = load(data, plan)
        task = dataset.plan.require(task_id)
    day = as_of_date(as_of)
    ending = warn_outside_plan_year(dataset, day)
    found = lookup(dataset.directory, unit) if unit is not None else None
    how = involvement(task, found, dataset.directory) if found is not None else None
    if found is not None and how is None:
        raise UsageError(
            f"任务 {task_id} 的责任单位（{'、'.join(task.units)}）不包括“{found.name}”。"
        )
    s = status.state(dataset, task, day, within, found, how)
    if scope.several:  # the task's number reads with its plan, as carry links write it
        s = s._replace(plan=scope.one().name)
    if fmt is F.JSON:
        record = machine.task_record(dataset, s, with_unit=found is not None)
        record["text"] = task.text
        record["notes"] = task.notes
        record["rule"] = s.deadline.rule
        write_stdout(
            machine.dumps(
                {
                    "version": machine.JSON_VERSION,
                    "as_of": day.isoformat(),
                    **machine.ending_record(dataset, day),
                    "task": record,
                }
            )
        )
    else:
        from gkctl.views import terminal

        detail = terminal.task_detail(dataset, s, machine.milestones(dataset, task, s.deadline))
        print_trimmed(terminal.with_ending(ending, detail))


def deadline(
    text: Annotated[
        str, typer.Argument(help="时间节点文字，如 11月底前、按市级部署。", show_default=False)
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="计划年度；默认取数据中的计划年度，没有数据时取今年。",
            show_default=False,
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="发布日期（YYYY-MM-DD），用于“发布后30日内”等写法。",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """解释一个时间节点如何解析为截止日期，提交前先检查新写的时间节点。

    示例：gkctl deadline "6月底前完成初稿，11月底前完成"
    """
    from gkctl.core import deadlines
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON)
    # The plan supplies the year and publication date that were not given.
    plan_year, plan_published = (
        (None, None) if year is not None and published is not None else _plan_defaults(data, plan)
    )
    if year is not None and not 2000 <= year <= 2100:
        raise UsageError(f"--year {year} 不合理（应在 2000–2100 之间）。")
    chosen_year = year if year is not None else plan_year or today().year
    # The plan's publication date belongs to the plan's year only.
    pub = parse_date(published, "--published") if published is not None else None
    if pub is None and chosen_year == plan_year:
        pub = plan_published
    resolved = deadlines.resolve(text, chosen_year, pub)
    due_day: date | None = resolved.due
    if resolved.kind is deadlines.Kind.RECURRING:
        due_day = resolved.due_on(as_of_date(as_of))
    work = deadlines.workday_due(due_day)
    if fmt is F.JSON:
        record = {"version": machine.JSON_VERSION, **machine.deadline_record(resolved, due_day)}
        record["workday_basis"] = "holidays" if work is None or work.calendar_known else "weekends"
        write_stdout(machine.dumps(record))
        return
    from gkctl.views import terminal

    print_trimmed(
        terminal.explain_deadline(
            resolved,
            chosen_year,
            pub,
            due_day,
            work.date if work else None,
            work.calendar_known if work else True,
        )
    )


def _plan_defaults(data: Path | None, plan: str | None) -> tuple[int | None, date | None]:
    """The plan's year and publication date, where a valid plan is at hand; the explanation
    works without one (then --year, else this year)."""
    from gkctl.core.errors import GkctlError

    try:
        dataset = load(data, plan)
    except UsageError:  # no data folder here
        return None, None
    except GkctlError:
        warn("注意：数据目录中的计划有问题（gkctl validate 可查看），按 --year 或今年解析。")
        return None, None
    return dataset.plan.document.year, dataset.plan.document.published


def units(
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """列出单位名录：单位、类型、别名，以及各部门、各街镇等统称。

    示例：gkctl units
    """
    from gkctl.views import machine

    check_format(fmt, F.TABLE, F.JSON)
    dataset = load(data, plan)
    d = dataset.directory
    if fmt is F.JSON:
        write_stdout(
            machine.dumps(
                {
                    "version": machine.JSON_VERSION,
                    "units": [
                        {
                            "name": u.name,
                            "kind": u.kind.value,
                            "aliases": list(u.aliases),
                            "former": list(u.former),
                            "full_name": u.full_name,
                            "source": u.source,
                        }
                        for u in d.units
                    ],
                    "groups": [
                        {
                            "name": g.name,
                            "meaning": g.meaning,
                            "members": [k.value for k in g.members],
                            "relevant": g.relevant,
                        }
                        for g in d.groups
                    ],
                }
            )
        )
        return
    from gkctl.views import terminal

    print_trimmed(terminal.unit_list(d.units, d.groups))


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(due)
    app.command("list")(list_tasks)
    app.command()(show)
    app.command()(deadline)
    app.command()(units)
