"""The gkctl command line: wiring only. Errors are caught once, in GkctlGroup.invoke."""

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

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


app = typer.Typer(
    cls=GkctlGroup,
    name="gkctl",
    help="跟踪政务公开工作要点任务分解表：逐项、逐单位查看逾期、临期和待市级部署的任务。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
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


_register()


def main() -> None:
    app()
