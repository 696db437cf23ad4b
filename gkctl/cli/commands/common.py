"""Options shared by the commands, and the few things only the command layer may do:
read the clock, pick the data folder (cli/datadir.py, offered here to the commands), and print."""

import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from gkctl.cli import complete

# The data folder lives below this module and complete.py (which both need it), and is
# offered to the commands from here with their other shared options.
from gkctl.cli.datadir import data_choice as data_choice
from gkctl.cli.datadir import data_dir as data_dir
from gkctl.cli.datadir import forget_config as forget_config
from gkctl.cli.datadir import plan_dir as plan_dir
from gkctl.cli.datadir import plan_scope as plan_scope
from gkctl.cli.datadir import project_config as project_config
from gkctl.cli.formats import OutputFormat
from gkctl.core.errors import UsageError
from gkctl.core.model import Dataset
from gkctl.core.planyear import Ending
from gkctl.store import paths

if TYPE_CHECKING:
    from rich.console import RenderableType

    from gkctl.core.plans import NamedPlan
    from gkctl.store.cache import Sliced

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and
# needs no tz database (CI runners run in UTC).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
ENV_TODAY = "GKCTL_TODAY"

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="数据目录（含 tasks.yaml 和 units.yaml）；默认 ./data（或从当前目录向上找到的 data/），"
        "也可用环境变量 GKCTL_DATA 或 gkctl.toml 指定。",
        show_default=False,
    ),
]
PlanOpt = Annotated[
    str | None,
    typer.Option(
        "--plan",
        help="计划名称：数据目录中计划所在文件夹的名字，如 2025；数据目录有多个计划时只看（或只改）这一个。",
        show_default=False,
    ),
]
# The document facts `import` and `plan new` take alike (the title and dates differ in
# what they default to, so each command says that in its own help).
NumberOpt = Annotated[
    str | None,
    typer.Option("--number", help="文号，如 金府办发〔2024〕5号。", show_default=False),
]
IssuerOpt = Annotated[
    str | None,
    typer.Option("--issuer", help="发文单位，如 上海市金山区人民政府办公室。", show_default=False),
]
PublishedOpt = Annotated[
    str | None,
    typer.Option("--published", help="发布日期（YYYY-MM-DD）。", show_default=False),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="按哪一天查看（YYYY-MM-DD）；默认今天（北京时间），也可用环境变量 GKCTL_TODAY 指定。",
        show_default=False,
    ),
]
WithinOpt = Annotated[
    int,
    typer.Option("--within", min=0, max=3660, help="临期窗口：截止日期在多少天内算“即将到期”。"),
]


def _unit_option() -> Any:
    return typer.Option(
        "--unit",
        "-u",
        help="单位名称、别名或名称的一部分，如 区经委、经委。",
        show_default=False,
        autocompletion=complete.units,
    )


UnitOpt = Annotated[str | None, _unit_option()]
RequiredUnitOpt = Annotated[str, _unit_option()]
TaskArg = Annotated[
    int, typer.Argument(help="任务序号。", show_default=False, autocompletion=complete.task_ids)
]


def format_option(*allowed: OutputFormat) -> Any:
    """The shared --format option, showing only the formats this command supports."""
    names = "、".join(f.value for f in allowed)
    return typer.Option(
        "--format",
        "-f",
        help=f"输出格式：{names}。",
        case_sensitive=False,
        metavar="[" + "|".join(f.value for f in allowed) + "]",
    )


def check_format(chosen: OutputFormat, *allowed: OutputFormat) -> None:
    if chosen not in allowed:
        names = "、".join(f.value for f in allowed)
        raise UsageError(f"此命令不支持 --format {chosen.value}，可用：{names}。")


def parse_date(text: str, what: str) -> date:
    """Exactly YYYY-MM-DD, within the years any plan may hold; an empty text is an error,
    not today (which would silently answer another question)."""
    from gkctl.core import dates

    if not text.strip():
        raise UsageError(f"{what}不能为空，请写作 YYYY-MM-DD，如 2024-10-15。")
    try:
        day = dates.parse_iso(text)
    except ValueError:
        raise UsageError(f"{what}“{text}”无法识别，请写作 YYYY-MM-DD，如 2024-10-15。") from None
    far = dates.out_of_range(day, 0)
    if far is not None:
        raise UsageError(f"{what}：{far}。")
    return day


def today() -> date:
    """Today in Beijing time, unless GKCTL_TODAY says otherwise."""
    forced = os.environ.get(ENV_TODAY)
    if forced:
        return parse_date(forced, f"环境变量 {ENV_TODAY}")
    return datetime.now(SHANGHAI).date()


def entry_date(option: str | None, data: Path | None, plan: str | None = None) -> tuple[date, date]:
    """A write's --date and today: without --date, today, unless the plan has ended
    (core.planyear.entry_date says why that is refused)."""
    from gkctl.core import planyear

    now = today()
    if option is not None:
        return parse_date(option, "--date"), now
    return planyear.entry_date(load(data, plan).plan, None, now), now


def as_of_date(option: str | None) -> date:
    return parse_date(option, "--as-of") if option is not None else today()


def config_defaults(commands: dict[str, Any]) -> dict[str, Any]:
    """click's default_map from gkctl.toml: `within` for every command that has the option,
    `unit` for due and list (report applies it itself, only to the unit template). An
    option on the command line still wins."""
    config = project_config()
    if config is None:
        return {}
    defaults: dict[str, Any] = {}
    for name, command in commands.items():
        params = {p.name for p in getattr(command, "params", [])}
        chosen: dict[str, Any] = {}
        if config.within is not None and "within" in params:
            chosen["within"] = config.within
        if config.unit is not None and name in ("due", "list") and "unit" in params:
            chosen["unit"] = config.unit
        if chosen:
            defaults[name] = chosen
    return defaults


def load(data: Path | None, plan: str | None = None) -> Dataset:
    """The checked plan, through the parsed-plan cache (see gkctl/cache.py)."""
    import gc

    from gkctl.store import cache

    dataset = cache.load(plan_dir(data, plan))
    # The plan lives as long as the command: keep the cyclic collector from walking its
    # millions of objects again at every collection of what the command builds next (with
    # 50,000 tasks those walks made a report grow faster than the plan).
    gc.freeze()
    return keep(dataset)


def load_slices(data: Path | None, plan: str | None = None) -> "Sliced | None":
    """The plan's cache entry, read for one unit's or one task's slice (store.cache.Sliced):
    None where the cache is off or does not hold these files' bytes (load() then)."""
    from gkctl.store import cache

    return keep(cache.open_slices(plan_dir(data, plan)))


def load_plans(chosen: Sequence[paths.PlanFolder]) -> "list[NamedPlan]":
    """Each of the plans, checked, through the parsed-plan cache."""
    import gc

    from gkctl.core.plans import NamedPlan
    from gkctl.store import cache

    loaded = [NamedPlan(p.name, cache.load(p.path)) for p in chosen]
    gc.freeze()  # see load()
    return keep(loaded)


_T = TypeVar("_T")
_KEPT: list[object] = []


def keep(value: _T) -> _T:
    """Hold `value` until the process ends. A command's big objects (the plan, a report's
    context) would otherwise be freed object by object when the command returns (0.16 s
    for 100,000 tasks and their report); gkctl's entry point ends the process without
    that teardown (cli.app.run). Under the test runner, they go with the next load."""
    if len(_KEPT) > 4:  # many commands in one process (tests, embedding): the last few
        del _KEPT[:-4]
    _KEPT.append(value)
    return value


def warn(message: str) -> None:
    """A note for people on stderr, so that stdout stays clean for machine output; text
    from the data files in it cannot drive the terminal (core.textsafe)."""
    from gkctl.core import textsafe

    # Piped, stdout is block-buffered and stderr is not: where both go to one pipe (a
    # pre-commit hook, a CI log), the note would land above the output it sums up. A closed
    # or broken stdout is left to the exit path, which knows what to say about it.
    if sys.stdout is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
    print(textsafe.visible(message), file=sys.stderr)


def warn_outside_plan_year(dataset: Dataset, as_of: date) -> Ending:
    """Where the view date stands against the plan's year: a note on stderr before it; the
    Ending, which views of an ended plan show as a banner and machine output as a field
    (core.planyear), so no note is needed after it."""
    from gkctl.core import planyear

    ending = planyear.ending(dataset.plan, as_of)
    year = dataset.plan.document.year
    if not ending.ended and as_of.year != year:
        warn(f"注意：查看日期 {as_of.isoformat()} 不在计划年度 {year} 年内。")
    return ending


def print_trimmed(renderable: "RenderableType") -> None:
    """Print a Rich renderable; piped, without the spaces Rich pads each line with (a
    terminal shows none of them, a file or a diff would)."""
    from gkctl.core import collector
    from gkctl.views.terminal import console, piped

    out = console()
    # Rendering a listing builds a Text, cells and segments for each of its rows (30,000
    # rows: a unit's `list` over a 100,000-task plan) and no reference cycle: see
    # core.collector.
    with collector.paused():
        if out.is_terminal:
            out.print(renderable)
            return
        text = piped(renderable, out)
    write_stdout("".join(line.rstrip() + "\n" for line in text.splitlines()))


def write_stdout(text: str) -> None:
    """Output for programs (JSON, CSV, ICS, Markdown): a control or bidirectional character
    from the data is written as \\uNNNN, which JSON reads back as the same character."""
    from gkctl.core import textsafe

    sys.stdout.write(textsafe.machine(text))
    sys.stdout.flush()


class FailOn(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


PREVIOUS_MONTH = "previous-month"


def since_date(option: str | None, as_of: date) -> date | None:
    """--since: the day the period starts after, a date or previous-month, the 1st of the
    month before as_of's (what the monthly workflow passes: each report covers the days
    after the last one). Shared by report and site."""
    if option is None:
        return None
    if option.strip() == PREVIOUS_MONTH:
        from gkctl.core.period import previous_month

        return previous_month(as_of)
    return parse_date(option, "--since")


def each_plan(data: Path | None, plan: str | None) -> "list[NamedPlan] | None":
    """Every plan, loaded, where the data folder holds several and --plan names none (a
    command that answers per plan then answers for each); None where it reads one plan."""
    scope = plan_scope(data, plan)
    if not scope.several or plan is not None:
        return None
    return load_plans(scope.chosen)


def print_answer(answer: "RenderableType") -> None:
    """One plan's answer: text (JSON, CSV) as it is, a renderable printed."""
    if isinstance(answer, str):
        write_stdout(answer)
    else:
        print_trimmed(answer)


def print_per_plan(
    answers: "Sequence[tuple[NamedPlan, Any]]", as_of: date, fmt: OutputFormat
) -> None:
    """Each plan's answer under the plan's name: one JSON envelope with a `plans` list, one
    CSV with a first `plan` column, or the terminal views one after another, each headed."""
    from gkctl.views import machine

    if fmt is OutputFormat.JSON:
        write_stdout(machine.per_plan_json([(p.name, str(a)) for p, a in answers], as_of))
    elif fmt is OutputFormat.CSV:
        write_stdout(machine.per_plan_csv([(p.name, str(a)) for p, a in answers]))
    else:
        from gkctl.views import terminal

        print_trimmed(terminal.per_plan([(p.name, p.dataset, a) for p, a in answers], as_of))
