"""The gkctl command line: wiring only. Errors are caught once, in GkctlGroup.invoke."""

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from gkctl import __version__
from gkctl.core import textsafe
from gkctl.core.errors import ExitCode, GkctlError, os_reason

ENV_DEBUG = "GKCTL_DEBUG"

# The click classes are reached through Typer: recent Typer vendors click, older Typer uses
# click itself, and gkctl must fit both (typer>=0.12 in pyproject.toml).
_UsageError: Any = typer.BadParameter.__mro__[1]
_Context: Any = TyperCommand.context_class


class _ChineseContext(_Context):  # type: ignore[misc]  # base found at run time
    """A context whose help and usage lines are written in Chinese (gkctl.cli.clizh, loaded
    only when help or a usage error is shown)."""

    def make_formatter(self) -> Any:
        from gkctl.cli import clizh

        return clizh.ChineseFormatter(width=self.terminal_width, max_width=self.max_content_width)


def _shown_as_is(exc: Any) -> bool:
    # Said in Chinese already, or a group called without arguments (click 8.2 and later),
    # whose message is the group's help.
    return bool(getattr(exc, "chinese", False)) or type(exc).__name__ == "NoArgsIsHelpError"


def _translated(exc: Any) -> Any:
    from gkctl.cli import clizh

    return clizh.translated(exc)


class GkctlGroup(TyperGroup):
    """Turns a GkctlError into its message on stderr and its exit code, without a traceback
    (set GKCTL_DEBUG=1 for one)."""

    context_class = _ChineseContext

    # ctx is Any: recent Typer vendors click, older Typer uses click itself, and the
    # override must fit both.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return list(super().parse_args(ctx, args))
        except _UsageError as exc:
            if _shown_as_is(exc):
                raise
            raise _translated(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as exc:
            if _shown_as_is(exc):
                raise
            # Sub-commands parse their options inside the group's invoke.
            raise _translated(exc) from None
        except GkctlError as exc:
            if os.environ.get(ENV_DEBUG):
                raise
            print(textsafe.visible(exc.message), file=sys.stderr)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            # Ctrl-C: said in Chinese here, before click turns it into "Aborted!".
            print("\n已中断。", file=sys.stderr)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # Output piped into `head` and the like, which stopped reading: nothing to say.
            _quiet_stdout()
            raise typer.Exit(int(ExitCode.PROBLEMS)) from None
        except OSError as exc:
            # A file that cannot be read or written where no command expected it: still a
            # message, not a traceback.
            if os.environ.get(ENV_DEBUG):
                raise
            where = f" {exc.filename}" if exc.filename else ""
            print(textsafe.visible(f"文件操作失败{where}：{os_reason(exc)}"), file=sys.stderr)
            raise typer.Exit(int(ExitCode.PROBLEMS)) from None


def _chinese_help(option: Any) -> Any:
    if option is not None:
        option.help = "显示帮助并退出。"
    return option


class GkctlCommand(TyperCommand):
    """A command whose help and -h/--help option are in Chinese like everything else."""

    context_class = _ChineseContext

    def get_help_option(self, ctx: Any) -> Any:
        return _chinese_help(super().get_help_option(ctx))


class GkctlHelpGroup(GkctlGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _chinese_help(super().get_help_option(ctx))

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        from gkctl.cli import complete

        complete.chinese_completion_options(params)
        return list(params)

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: Any = None
    ) -> None:
        from gkctl.cli import complete

        complete.quote_for_bash()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


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
    "approve": "office",
    "reject": "office",
    "return": "office",
    "accept": "office",
    "review": "office",
    "report": "report",
    "site": "site",
    "diff": "diff",
    "log": "diff",
    "import": "exchange",
    "export": "exchange",
    "ics": "exchange",
    "form": "form",
    "plan": "plans",
    "carry": "plans",
    "notify": "notify",
    "notice": "notice",
    "init": "init",
}
MODULES = (
    "plan",
    "progress",
    "office",
    "report",
    "site",
    "diff",
    "exchange",
    "form",
    "plans",
    "notify",
    "notice",
    "init",
)


def _version(value: bool) -> None:
    if value:
        print(f"gkctl {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。"),
    ] = False,
) -> None:
    """跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。

    示例：gkctl due --unit 区经委
    """
    from gkctl.cli.commands import common

    # gkctl.toml's defaults reach the command through click's default_map (read here, in the
    # command layer, before the command's own context is made).
    common.forget_config()
    ctx.default_map = common.config_defaults(getattr(ctx.command, "commands", {}))


def build(modules: tuple[str, ...] = MODULES, only: str | None = None) -> typer.Typer:
    """The application with the commands of `modules` (all of them by default), or just
    the command `only` of them."""
    import importlib

    built = typer.Typer(
        cls=GkctlHelpGroup,
        name="gkctl",
        help="跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。",
        no_args_is_help=True,
        # --install-completion for bash, zsh and fish; unit names and task ids come from
        # gkctl/cli/complete.py.
        add_completion=True,
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
        importlib.import_module(f"gkctl.cli.commands.{name}").register(built)
    if only is not None:
        built.registered_commands = [
            c for c in built.registered_commands if (c.name or _command_name(c)) == only
        ]
        built.registered_groups = [
            g
            for g in built.registered_groups
            if g.typer_instance and g.typer_instance.info.name == only
        ]
    _use_classes(built)
    return built


def _command_name(info: Any) -> str:
    # Typer names an unnamed command after its function, with _ as -.
    return str(info.callback.__name__).replace("_", "-") if info.callback else ""


def _use_classes(typer_app: typer.Typer) -> None:
    """Give every command and sub-group the classes above (Chinese help option)."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = GkctlCommand
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            # An unset class is a Typer DefaultPlaceholder holding None.
            if getattr(sub.info.cls, "value", sub.info.cls) in (None, TyperGroup):
                sub.info.cls = GkctlHelpGroup
            _use_classes(sub)


def _command_of(argv: list[str]) -> str | None:
    """The command a command line names, if gkctl has it; None for `gkctl --help` and
    `gkctl -h due` (help for gkctl itself, which lists them all) or an unknown command
    (which click reports, with suggestions)."""
    for arg in argv:
        if arg in ("-h", "--help", "--version"):
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMAND_MODULES else None
    return None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that flushing at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def __getattr__(name: str) -> Any:
    # `from gkctl.cli.app import app` (the tests, embedding) gets the full application, built
    # on first use rather than at import.
    if name == "app":
        full = build()
        globals()["app"] = full
        return full
    raise AttributeError(name)


def main() -> None:
    command = _command_of(sys.argv[1:])
    app = build() if command is None else build((COMMAND_MODULES[command],), only=command)
    app(prog_name="gkctl")


def run() -> None:
    """The process's entry point (the gkctl script, `python -m gkctl`): main(), and then
    the end of the process without its teardown (main() alone ends in SystemExit, for
    whoever calls it in-process)."""
    _tolerant_streams()
    try:
        main()
    except SystemExit as done:
        _exit_now(done.code)
        raise


_SAME_WIDTH = "gkctl-same-width"
# The error handlers Python gives a standard stream unless told otherwise.
_DEFAULT_ERRORS = ("strict", "surrogateescape")


def _tolerant_streams() -> None:
    """A console or pipe whose encoding cannot carry every character (GBK/cp936 on a Chinese
    Windows, PYTHONIOENCODING=gbk) gets ? for such a character on stdout and an escape on
    stderr, rather than a traceback halfway through the output. UTF-8 carries everything;
    an error handler the user chose (PYTHONIOENCODING=gbk:xmlcharrefreplace) is kept.

    Python's own default is strict, or surrogateescape: always on Windows (CPython's
    config_get_stdio_errors), and in the C locale. surrogateescape only writes back bytes
    that came in undecodable and raises on any other character, so it is replaced too (a
    redirected stream on Windows is the ANSI code page with it: found under Wine)."""
    import codecs
    import io

    codecs.register_error(_SAME_WIDTH, _same_width)
    for stream, errors in ((sys.stdout, _SAME_WIDTH), (sys.stderr, "backslashreplace")):
        if not isinstance(stream, io.TextIOWrapper) or stream.errors not in _DEFAULT_ERRORS:
            continue
        if codecs.lookup(stream.encoding).name != "utf-8":
            stream.reconfigure(errors=errors)


def _same_width(error: UnicodeError) -> tuple[str, int]:
    """? for each column the character took: Rich laid the table out with 𠮷 two columns
    wide, and one ? would leave its row a column short (a zero-width one goes unmarked)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    from rich.cells import cell_len

    return "?" * cell_len(error.object[error.start : error.end]), error.end


def _exit_now(code: object) -> None:
    """End the process without tearing the heap down, as mypy does (util.hard_exit).

    The command has finished: its files are written and closed (store.atomic). What is
    left is freeing every object one by one, which for a plan of 100,000 tasks and its
    report took 0.16 s. Returns (the normal exit follows) when something registered an
    exit handler (coverage, logging), a profiler or debugger is on, the output cannot be
    flushed, or the code is not a number."""
    import atexit

    handlers = getattr(atexit, "_ncallbacks", lambda: 1)()  # CPython; elsewhere: none
    if handlers or _watched() or not (code is None or isinstance(code, int)):
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None where the process started with the fd closed
                stream.flush()
    except Exception:  # a closed pipe and the like: the normal exit path knows what to say
        return
    os._exit(code or 0)


def _watched() -> bool:
    """A profiler or debugger is on (cProfile, pdb): it reports at the normal exit. From
    Python 3.12 cProfile watches through sys.monitoring, where sys.getprofile() is None."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
    if monitoring is None:
        return False
    # Tool ids 0-5: debugger, coverage, profiler, and three more for any other tool.
    return any(monitoring.get_tool(tool) is not None for tool in range(6))
