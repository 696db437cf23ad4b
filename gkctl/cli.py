"""The gkctl command line: wiring only. Errors are caught once, in GkctlGroup.invoke."""

import os
import re
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from gkctl import __version__
from gkctl.errors import ExitCode, GkctlError, os_reason

ENV_DEBUG = "GKCTL_DEBUG"

# click's own usage errors, said in Chinese (the rest of a message, e.g. a range, stays).
_UsageError: Any = typer.BadParameter.__mro__[1]
_CLICK_MESSAGES = [
    (
        re.compile(r"No such option: (\S+) \(Possible options: (.+)\)$"),
        "没有选项 {0}，是否为 {1}？",
    ),
    (re.compile(r"No such option: (\S+?)\s+Did you mean (\S+?)\?$"), "没有选项 {0}，是否为 {1}？"),
    (re.compile(r"No such option: (\S+)$"), "没有选项 {0}。"),
    (re.compile(r"No such command '(.+)'\.$"), "没有命令“{0}”，可用 gkctl -h 查看全部命令。"),
    (re.compile(r"Missing argument '(.+)'\.$"), "缺少参数 {0}。"),
    (re.compile(r"Missing option '(.+)'\.$"), "缺少选项 {0}。"),
    (re.compile(r"Option '(.+)' requires an argument\.$"), "选项 {0} 需要一个值。"),
    (re.compile(r"Invalid value for '(.+?)': (.*)$", re.S), "{0} 的值无效：{1}"),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), "多余的参数：{0}。"),
]


_CLICK_DETAILS = [
    (re.compile(r"(\S+) is not in the range (.+)\.$"), "{0} 不在范围 {1} 内。"),
    (re.compile(r"'([^']*)' is not one of (.+)\.$"), "“{0}”不是可选值之一：{1}。"),
    (re.compile(r"'([^']*)' is not a valid int(?:eger)?\.$"), "“{0}”不是整数。"),
]


def _chinese(message: str) -> str:
    for pattern, template in _CLICK_DETAILS:
        m = pattern.search(message.strip())
        if m:
            message = message[: m.start()] + template.format(*m.groups())
    for pattern, template in _CLICK_MESSAGES:
        m = pattern.match(message.strip())
        if m:
            return template.format(*(g or "" for g in m.groups()))
    return message


class _ChineseUsageError(_UsageError):  # type: ignore[misc]  # base found at run time
    """A click usage error shown in Chinese: 用法, the hint, 错误."""

    def show(self, file: Any = None) -> None:
        out = file or sys.stderr
        if self.ctx is not None:
            usage = self.ctx.get_usage().replace("Usage: ", "用法：", 1)
            print(f"{usage}\n（运行 {self.ctx.command_path} -h 查看帮助）\n", file=out)
        print(f"错误：{self.format_message()}", file=out)


def _translated(exc: Any) -> Any:
    return _ChineseUsageError(_chinese(exc.format_message()), ctx=exc.ctx)


class GkctlGroup(TyperGroup):
    """Turns a GkctlError into its message on stderr and its exit code, without a traceback
    (set GKCTL_DEBUG=1 for one)."""

    # ctx is Any: recent Typer vendors click, older Typer uses click itself, and the
    # override must fit both.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return list(super().parse_args(ctx, args))
        except _ChineseUsageError:
            raise
        except _UsageError as exc:
            raise _translated(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _ChineseUsageError:
            raise
        except _UsageError as exc:
            # Sub-commands parse their options inside the group's invoke.
            raise _translated(exc) from None
        except GkctlError as exc:
            if os.environ.get(ENV_DEBUG):
                raise
            print(exc.message, file=sys.stderr)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:
            # A file that cannot be read or written where no command expected it: still a
            # message, not a traceback.
            if os.environ.get(ENV_DEBUG):
                raise
            where = f" {exc.filename}" if exc.filename else ""
            print(f"文件操作失败{where}：{os_reason(exc)}", file=sys.stderr)
            raise typer.Exit(int(ExitCode.PROBLEMS)) from None


class GkctlCommand(TyperCommand):
    """A command whose -h/--help option is described in Chinese like everything else."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出。"
        return option


class GkctlHelpGroup(GkctlGroup):
    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出。"
        return option


# Which module registers which top-level command. `gkctl due …` builds only the commands of
# the module it needs: Typer turns every registered command into a click command at each
# start, and building all sixteen costs a fifth of the start-up time (a tracked figure).
# tests/test_docs.py checks this table against what the modules register.
COMMAND_MODULES = {
    "validate": "plan",
    "due": "plan",
    "list": "plan",
    "show": "plan",
    "deadline": "plan",
    "units": "plan",
    "progress": "progress",
    "close": "progress",
    "reopen": "progress",
    "extend": "progress",
    "stats": "progress",
    "report": "report",
    "diff": "diff",
    "import": "exchange",
    "export": "exchange",
    "ics": "exchange",
}
MODULES = ("plan", "progress", "report", "diff", "exchange")


def _version(value: bool) -> None:
    if value:
        print(f"gkctl {__version__}")
        raise typer.Exit()


def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="显示版本号并退出。"
    ),
) -> None:
    """跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。

    示例：gkctl due --unit 区经委
    """


def build(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The application with the commands of `modules` (all of them by default)."""
    import importlib

    built = typer.Typer(
        cls=GkctlHelpGroup,
        name="gkctl",
        help="跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_show_locals=False,
        # Plain help: Typer's Rich help pulls in rich.markdown and markdown-it, which would
        # double the start-up time of every `--help` (a tracked figure, see benchmarks/).
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    built.callback()(root)
    # Each command module imports only what its own commands need at start-up; heavy
    # libraries (jinja2, openpyxl, python-docx, icalendar) are imported inside commands.
    for name in modules:
        importlib.import_module(f"gkctl.commands.{name}").register(built)
    _use_classes(built)
    return built


def _use_classes(typer_app: typer.Typer) -> None:
    """Give every command and sub-group the classes above (Chinese help option)."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = GkctlCommand
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            if sub.info.cls in (None, TyperGroup):
                sub.info.cls = GkctlHelpGroup
            _use_classes(sub)


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """The modules a command line needs: the one of its command, or all (for the list in
    `gkctl --help`, or for an unknown command that click will report)."""
    for arg in argv:
        if arg.startswith("-"):
            continue
        module = COMMAND_MODULES.get(arg)
        return (module,) if module else MODULES
    return MODULES


def __getattr__(name: str) -> Any:
    # `from gkctl.cli import app` (the tests, embedding) gets the full application, built
    # on first use rather than at import.
    if name == "app":
        full = build()
        globals()["app"] = full
        return full
    raise AttributeError(name)


def main() -> None:
    build(_modules_for(sys.argv[1:]))()
