"""The gkctl command line: wiring only. Errors are caught once, in GkctlGroup.invoke."""

import os
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from gkctl import __version__
from gkctl.errors import GkctlError

ENV_DEBUG = "GKCTL_DEBUG"


class GkctlGroup(TyperGroup):
    """Turns a GkctlError into its message on stderr and its exit code, without a traceback
    (set GKCTL_DEBUG=1 for one)."""

    # ctx is Any: recent Typer vendors click, older Typer uses click itself, and the
    # override must fit both.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GkctlError as exc:
            if os.environ.get(ENV_DEBUG):
                raise
            print(exc.message, file=sys.stderr)
            raise typer.Exit(int(exc.exit_code)) from None


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


app = typer.Typer(
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


def _version(value: bool) -> None:
    if value:
        print(f"gkctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="显示版本号并退出。"
    ),
) -> None:
    """跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。

    示例：gkctl due --unit 区经委
    """


def _register() -> None:
    # Each command module imports only what its own commands need at start-up; heavy
    # libraries (jinja2, openpyxl, python-docx, icalendar) are imported inside commands.
    from gkctl.commands import diff, exchange, plan, progress, report

    for module in (plan, progress, report, diff, exchange):
        module.register(app)
    _use_classes(app)


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


_register()


def main() -> None:
    app()
