"""Where the data is: the one small piece every command needs before anything else.

Kept apart from the loader so that a command served from the parsed-plan cache never
imports the YAML machinery at all.

The data folder is, in order: --data; $GKCTL_DATA; `data` in gkctl.toml; the first
data/tasks.yaml found walking up from the working folder to the repository root (so that
`cd data && gkctl due` works), or plans/ holding a units.yaml (a folder of plans), the
nearer first; else ./data. gkctl.toml is
an optional project file found on the same walk (`data`, `unit`, `within`). The command
layer reads the environment and the working folder and passes them in; nothing here reads
either.

A data folder holds one plan (tasks.yaml and units.yaml, as data/ always did) or several:
one sub-folder per plan, each with its tasks.yaml, named by the folder (plans/2024,
plans/2025), and one units.yaml beside them that all share (units are renamed in
reorganisations; one directory keeps the old names as aliases for every plan). plans_of()
is the one place that tells the two apart and lists the plans.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from gkctl.core.errors import UsageError

TASKS_FILE = "tasks.yaml"
UNITS_FILE = "units.yaml"
ENV_DATA = "GKCTL_DATA"
CONFIG_FILE = "gkctl.toml"
CONFIG_KEYS = {
    "data": "数据目录（相对于 gkctl.toml 所在目录）",
    "unit": "默认单位",
    "within": "临期窗口天数",
    "office": "发通报的办公室：[office] 表中的 name（落款）和 recipients（主送）",
}
OFFICE_KEYS = {"name": "落款的发文机关署名", "recipients": "主送机关"}


class Config(NamedTuple):
    """gkctl.toml: defaults for a repository that keeps a plan."""

    path: Path
    data: Path | None = None
    unit: str | None = None
    within: int | None = None
    office_name: str | None = None  # [office] name: the 通报's 落款
    recipients: str | None = None  # [office] recipients: the 通报's 主送


class PlanFolder(NamedTuple):
    """One plan of a data folder: its name (what --plan, the JSON "plan" key, carry links
    and the site's addresses say) and the folder holding its tasks.yaml."""

    name: str
    path: Path

    @property
    def units(self) -> Path:
        return units_file(self.path)


_PLAN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")


def plan_name(name: str) -> str:
    """A name for a new plan: its folder's name, used in addresses and links, so plain
    letters, digits, - and _ (2025, yingshang-2025)."""
    if not _PLAN_NAME.match(name):
        raise UsageError(
            f"计划名称“{name}”不可用：请只用英文字母、数字、- 和 _（不超过 64 个字符），"
            "如 2025、yingshang-2025。"
        )
    return name


def units_file(folder: Path) -> Path:
    """The units.yaml a plan folder uses: its own, else the shared one of the folder of
    plans above it (so that --data plans/2024 works like a folder of its own)."""
    own = folder / UNITS_FILE
    if own.is_file():
        return own
    shared = folder.parent / UNITS_FILE
    return shared if shared.is_file() else own


def holds_plans(folder: Path) -> bool:
    """A folder of several plans: no tasks.yaml of its own, a shared units.yaml."""
    return not (folder / TASKS_FILE).is_file() and (folder / UNITS_FILE).is_file()


def plans_of(folder: Path) -> tuple[PlanFolder, ...]:
    """Every plan a data folder holds, by name: the folder itself where it holds a
    tasks.yaml, else each sub-folder that does (none: no plan here)."""
    if (folder / TASKS_FILE).is_file():
        return (PlanFolder(folder.resolve().name, folder),)
    try:
        found = [PlanFolder(p.name, p) for p in folder.iterdir() if (p / TASKS_FILE).is_file()]
    except OSError:  # missing or unreadable: no plan, which require_plan() says
        return ()
    return tuple(sorted(found))


def pick_plan(folder: Path, plans: tuple[PlanFolder, ...], name: str | None) -> PlanFolder:
    """The plan `name` of a data folder, or its only plan; several plans and no name, or
    an unknown name, is a usage error that lists the names."""
    names = "、".join(p.name for p in plans)
    if name is not None:
        for plan in plans:
            if plan.name == name:
                return plan
        raise UsageError(f"数据目录 {shown(folder)} 中没有计划“{name}”，现有计划：{names}。")
    if len(plans) == 1:
        return plans[0]
    raise UsageError(
        f"数据目录 {shown(folder)} 中有 {len(plans)} 个计划（{names}），"
        f"此命令一次处理一个计划，请用 --plan 指定，如 --plan {plans[-1].name}。"
    )


class Scope(NamedTuple):
    """The plans a command looks at: `chosen` of the `plans` the data folder `folder`
    holds; `several` where that folder is a folder of plans (the views then mark each
    task with its plan)."""

    folder: Path
    plans: tuple[PlanFolder, ...]
    chosen: tuple[PlanFolder, ...]
    several: bool

    def one(self) -> PlanFolder:
        """The one plan a command that reads or writes one plan works on."""
        return pick_plan(self.folder, self.chosen, None)


def scope(folder: Path, name: str | None) -> Scope:
    """The plans of a data folder, narrowed to the plan `name` where given. A plan folder
    inside a folder of plans (--data plans/2024) is that plan of its folder of plans, so
    that its carry links are read against its siblings."""
    if name is None and holds_plans(folder.parent) and (folder / TASKS_FILE).is_file():
        folder, name = folder.parent, folder.resolve().name
    plans = plans_of(folder)
    chosen = (pick_plan(folder, plans, name),) if name is not None else plans
    return Scope(folder, plans, chosen, holds_plans(folder))


class DataChoice(NamedTuple):
    path: Path
    how: str  # how it was chosen, in words for validate's summary line


def _levels(start: Path) -> list[Path]:
    """The working folder and its parents up to the repository root (the folder holding
    .git); only the working folder when it is in no repository."""
    folders = [start, *start.parents]
    for i, folder in enumerate(folders):
        if (folder / ".git").exists():
            return folders[: i + 1]
    return [start]


def repository_root(start: Path) -> Path | None:
    """The folder holding .git at or above `start`; None outside a repository."""
    top = _levels(start)[-1]
    return top if (top / ".git").exists() else None


def find_config(start: Path) -> Config | None:
    """The nearest gkctl.toml from `start` up to the repository root, read and checked."""
    for folder in _levels(start):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return read_config(candidate)
    return None


def read_config(path: Path) -> Config:
    table = read_config_table(path)
    data = table.get("data")
    office = table.get("office", {})
    return Config(
        path,
        path.parent / data if data else None,
        table.get("unit"),
        table.get("within"),
        office.get("name"),
        office.get("recipients"),
    )


def read_config_table(path: Path) -> dict[str, Any]:
    shown_path = shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{shown_path}：文件不是 UTF-8 编码。") from None
    except OSError as exc:
        raise UsageError(f"{shown_path}：无法读取（{exc.strerror or exc}）。") from None
    return config_table(text, shown_path)


def config_table(text: str, shown_path: str) -> dict[str, Any]:
    """gkctl.toml's settings, read and checked (also for a file read from a git revision,
    which the plan diff compares)."""
    import tomllib  # only where a project has a gkctl.toml

    # Notepad starts the file with a BOM: read alike, as tasks.yaml is.
    text = text.removeprefix("\ufeff")
    try:
        table = tomllib.loads(text)
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise UsageError(
            f"{shown_path}：不是有效的设置文件（数组或内联表嵌套过深），请检查写法。"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f":{where.group(1)}:{where.group(2)}" if where else ""
        raise UsageError(f"{shown_path}{at}：不是有效的 TOML，请检查这一行的写法。") from None
    for key in table:
        if key not in CONFIG_KEYS:
            known = "、".join(f"{k}（{v}）" for k, v in CONFIG_KEYS.items())
            raise UsageError(f"{shown_path}：未知的设置“{key}”，可用的设置：{known}。")
    data, unit, within = table.get("data"), table.get("unit"), table.get("within")
    if data is not None and (not isinstance(data, str) or not data.strip()):
        raise UsageError(f'{shown_path}：data 应为目录路径（文字），如 data = "plans/2024"。')
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        raise UsageError(f'{shown_path}：unit 应为单位名称（文字），如 unit = "区经委"。')
    if within is not None and (
        isinstance(within, bool) or not isinstance(within, int) or not 0 <= within <= 3660
    ):
        raise UsageError(f"{shown_path}：within 应为 0 到 3660 之间的整数（天），如 within = 14。")
    if within is not None:
        _decimal_within(text, shown_path)
    _office(table.get("office"), shown_path)
    return table


def _office(office: object, shown_path: str) -> None:
    """[office]: name and recipients, each a line of text."""
    if office is None:
        return
    example = '[office]\nname = "XX区人民政府办公室"\nrecipients = "各有关单位"'
    if not isinstance(office, dict):
        raise UsageError(f"{shown_path}：office 应为一个表，如：\n{example}")
    for key, value in office.items():
        if key not in OFFICE_KEYS:
            known = "、".join(f"{k}（{v}）" for k, v in OFFICE_KEYS.items())
            raise UsageError(f"{shown_path}：[office] 中未知的设置“{key}”，可用的设置：{known}。")
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise UsageError(
                f"{shown_path}：[office] 的 {key} 应为一行文字（{OFFICE_KEYS[key]}），如：\n{example}"
            )


# The within = … line: TOML reads 0x0E, 0o16, 0b1110, +14 and 1_4 as 14 too.
_WITHIN = re.compile(r"""^[ \t]*["']?within["']?[ \t]*=[ \t]*([^ \t#\r\n]+)""", re.MULTILINE)


def _decimal_within(text: str, shown_path: str) -> None:
    """A number of days is written in plain decimal, as the task ids in tasks.yaml are."""
    found = _WITHIN.search(text)
    if found is None or re.fullmatch(r"[0-9]+", found.group(1)):
        return
    line = text.count("\n", 0, found.start(1)) + 1
    column = found.start(1) - (text.rfind("\n", 0, found.start(1)) + 1) + 1
    raise UsageError(
        f"{shown_path}:{line}:{column}：within 应写作十进制整数（天），如 within = 14，"
        f"这里是“{found.group(1)}”。"
    )


def choose_data_dir(
    option: Path | None, env_data: str | None, start: Path, config: Config | None
) -> DataChoice:
    """The data folder, and how it was chosen (see the module's docstring for the order)."""
    if option is not None:
        return DataChoice(option, "--data")
    if env_data:
        return DataChoice(Path(env_data), f"环境变量 {ENV_DATA}")
    if config is not None and config.data is not None:
        return DataChoice(config.data, f"{shown(config.path)} 中的 data")
    for folder in _levels(start):
        how = "默认" if folder == start else "向上查找"
        if (folder / "data" / TASKS_FILE).is_file():
            return DataChoice(folder / "data", how)
        if holds_plans(folder / "plans"):
            return DataChoice(folder / "plans", how)
    return DataChoice(Path("data"), "默认")


def find_data_dir(
    option: Path | None, env_data: str | None, start: Path, config: Config | None
) -> DataChoice:
    """The data folder as choose_data_dir() picks it; a missing plan is a usage error."""
    chosen = choose_data_dir(option, env_data, start, config)
    require_plan(chosen.path)
    return chosen


def require_plan(folder: Path) -> Path:
    if not plans_of(folder):
        raise UsageError(
            f"找不到数据文件 {folder / TASKS_FILE}。请在含有 data/ 或 plans/ 的目录（或其下层目录）中运行，"
            f"或用 --data 目录、环境变量 {ENV_DATA}、{CONFIG_FILE} 中的 data 指定数据目录。"
        )
    return folder


def shown(path: Path) -> str:
    """The path as messages print it: relative to the working directory where it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
