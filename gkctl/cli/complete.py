"""Shell completion (bash, zsh, fish through Typer): unit names and aliases after --unit,
and task ids, read from the plan through the parsed-plan cache.

Completion runs in the user's shell on every Tab: it never prints an error, and a plan that
cannot be read completes nothing. Typer's own --install-completion and --show-completion
are given Chinese help and messages here.

bash puts a candidate on the command line exactly as it is given (zsh and fish quote it
themselves), so a unit named 区信息办$(touch X) would run `touch X` when the completed line
is entered: for bash, a candidate holding anything the shell reads specially is quoted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gkctl.core.model import Dataset
    from gkctl.store.cache import Sliced


def _dataset(ctx: Any) -> Dataset | Sliced | None:
    """The plan's entry in the cache, read for slices (the units, and each task's id and
    name, without the tasks); the checked plan where the cache does not hold it yet."""
    from gkctl.cli.datadir import plan_scope
    from gkctl.core.errors import GkctlError
    from gkctl.store import cache

    params = getattr(ctx, "params", {}) or {}
    option = params.get("data")
    try:
        # Several plans and no --plan: the units are shared; the ids are the last plan's.
        scope = plan_scope(Path(option) if option else None, params.get("plan"))
        folder = scope.chosen[-1].path
        return cache.open_slices(folder) or cache.load(folder)
    except (GkctlError, OSError):
        return None


def _matching(candidates: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """Those that start with what was typed; else those that contain it (经委 -> 区经委),
    which is how people type Chinese unit names."""
    start = [c for c in candidates if c[0].startswith(incomplete)]
    return start or [c for c in candidates if incomplete in c[0]]


def units(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Unit names and aliases, with the kind (or what an alias stands for) as help."""
    found = _dataset(ctx)
    if found is None:
        return []
    from gkctl.store.cache import Sliced
    from gkctl.views.labels import UNIT_KIND_LABELS

    dataset = found.dataset if isinstance(found, Sliced) else found
    candidates: list[tuple[str, str]] = []
    for unit in dataset.directory.units:
        candidates.append((unit.name, UNIT_KIND_LABELS.get(unit.kind, "")))
        candidates += [(alias, f"{unit.name}的简称") for alias in unit.aliases]
    return _matching(candidates, incomplete)


def task_ids(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Task ids with the task's name as help (zsh and fish show it)."""
    found = _dataset(ctx)
    if found is None:
        return []
    from gkctl.store.cache import Sliced

    names = (
        found.completion()
        if isinstance(found, Sliced)
        else [(t.id, t.name[:30]) for t in found.plan.tasks]
    )
    candidates = [(str(task_id), name) for task_id, name in names]
    return [c for c in candidates if c[0].startswith(incomplete)]


# --- bash: candidates quoted --------------------------------------------------------------------

# What bash reads as it is: letters and digits of any script, and the few ASCII marks shlex
# leaves unquoted. Anything else ASCII ($ ` ( ) ; & | < > * ? [ ] { } ~ # ! ' " \\ space) is
# quoted; so plain names (区经委, 28, --unit) are inserted as today.
_PLAIN_ASCII = frozenset("@%+=:,./-_")


def bash_word(value: str) -> str:
    """The candidate as bash must insert it: as it is where it is plain, else shlex-quoted."""
    if all(_plain(c) for c in value):
        return value
    import shlex  # only for a name that needs quoting

    return shlex.quote(value)


def _plain(char: str) -> bool:
    return char.isalnum() or char in _PLAIN_ASCII or (not char.isascii() and char.isprintable())


def quote_for_bash() -> None:
    """Answer bash's completion requests with quoted candidates (bash_word). Typer registers
    its own class while it builds the command, so this runs after, just before a request is
    answered (GkctlHelpGroup._main_shell_completion)."""
    from typer._completion_classes import BashComplete

    class QuotingBash(BashComplete):
        def format_completion(self, item: Any) -> str:
            return bash_word(super().format_completion(item))

    # The registry is click's (vendored in recent Typer): the module of BashComplete's base.
    shell_completion = sys.modules[BashComplete.__mro__[1].__module__]
    shell_completion.add_completion_class(QuotingBash, "bash")


# --- Typer's completion options, in Chinese -------------------------------------------------

INSTALL_HELP = (
    "为当前 shell（bash、zsh、fish）安装命令补全：命令、选项、--unit 后的单位名称和任务序号。"
)
SHOW_HELP = "显示当前 shell 的补全脚本（用于手动安装）。"


def chinese_completion_options(params: list[Any]) -> None:
    for param in params:
        if param.name == "install_completion":
            param.help = INSTALL_HELP
            param.callback = _install
        elif param.name == "show_completion":
            param.help = SHOW_HELP


def _install(ctx: Any, param: Any, value: Any) -> Any:
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import install

    try:
        shell, path = install(shell=value) if isinstance(value, str) else install()
    except Exception:
        print(
            "无法识别当前的 shell；请用 --show-completion 查看补全脚本并手动安装。", file=sys.stderr
        )
        sys.exit(2)
    print(f"已为 {shell} 安装命令补全：{path}")
    print("重新打开终端后生效。")
    sys.exit(0)
