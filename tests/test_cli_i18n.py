"""click's own words (usage errors, help headings, notes, metavars) come out in Chinese."""

import inspect
import re
import typing

import pytest
import typer.main
import typer.models

from gkctl import __version__
from gkctl.cli import app as appmod
from gkctl.cli.app import app

ENGLISH = ["Usage:", "Error:", "Options:", "Arguments:", "Commands:", "Try '"]
CLICK_WORDS = [
    "[default:",
    "[required]",
    "<str>",
    "<path>",
    "<int>",
    "<int range>",
    "<bool",
    "{task_id}",
    "Show this message",
    "[OPTIONS]",
]


def _usage_error(gk, *args: str) -> str:
    """Run a command line that click refuses; return its stderr after the shared checks."""
    result = gk(*args, data=None)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    for word in ENGLISH:
        assert word not in result.stderr
    return result.stderr


def _error_line(stderr: str) -> str:
    return stderr.splitlines()[-1]


# --- 1. unknown commands, with and without a did-you-mean --------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["duee"], "错误：没有命令“duee”，是否为 due？"),
        (["nosuch"], "错误：没有命令“nosuch”，可用 gkctl -h 查看全部命令。"),
        (["progress", "addd"], "错误：没有命令“addd”，是否为 add？"),
        (["progress", "zzz"], "错误：没有命令“zzz”，可用 gkctl progress -h 查看全部命令。"),
    ],
)
def test_unknown_command(gk, args: list[str], message: str) -> None:
    stderr = _usage_error(gk, *args)
    assert _error_line(stderr) == message
    assert "Did you mean" not in stderr


# --- 2. invalid values: the parameter as users write it, choices as a Chinese list ---------------


@pytest.mark.parametrize("flag", ["--format", "-f"])
def test_invalid_format_names_both_spellings(gk, flag: str) -> None:
    line = _error_line(_usage_error(gk, "due", flag, "xml"))
    # The list is every OutputFormat; check_format narrows it once the value parses.
    assert line.startswith("错误：--format/-f 的值无效：“xml”不是可选值之一：table、json、csv")
    assert line.endswith("。")
    assert "'" not in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["due", "--fail-on", "x"],
            "错误：--fail-on 的值无效：“x”不是可选值之一：overdue、due_soon。",
        ),
        (
            ["list", "--status", "late"],
            "错误：--status 的值无效：“late”不是可选值之一："
            "done、overdue、due_soon、pending、ongoing、open、undated、reported、"
            "done_on_time、done_after_extension、done_late、unfinished、not_deployed、"
            "ongoing_reported、ongoing_unreported。",
        ),
        (["due", "--within", "99999"], "错误：--within 的值无效：99999 不在范围 0<=x<=3660 内。"),
        (["due", "--limit", "-1"], "错误：--limit 的值无效：-1 不在范围 x>=0 内。"),
        (["deadline", "x", "--year", "abc"], "错误：--year 的值无效：“abc”不是整数。"),
        (
            ["progress", "add", "28", "--unit", "区经委"],
            "错误：缺少选项 --status/-s，可选：done、doing。",
        ),
        (["due", "--all=3"], "错误：选项 --all 不接受值。"),
        (["due", "--unit"], "错误：选项 --unit 需要一个值。"),
        (["due", "--unt", "x"], "错误：没有选项 --unt，是否为 --unit？"),
        (["due", "a", "b"], "错误：多余的参数：a b。"),
    ],
)
def test_usage_error_message(gk, args: list[str], message: str) -> None:
    assert _error_line(_usage_error(gk, *args)) == message


# --- 5. arguments by their Chinese names, in messages and usage lines ----------------------------


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (["show"], "用法：gkctl show [选项] 序号", "错误：缺少参数“序号”。"),
        (
            ["show", "abc"],
            "用法：gkctl show [选项] 序号",
            "错误：参数“序号”的值无效：“abc”不是整数。",
        ),
        (["close"], "用法：gkctl close [选项] 序号", "错误：缺少参数“序号”。"),
        (["deadline"], "用法：gkctl deadline [选项] 时间节点", "错误：缺少参数“时间节点”。"),
        (["import"], "用法：gkctl import [选项] 文件", "错误：缺少参数“文件”。"),
        (["diff"], "用法：gkctl diff [选项] BASE [HEAD]", "错误：缺少参数“BASE”。"),
        (
            ["progress", "add"],
            "用法：gkctl progress add [选项] 序号",
            "错误：缺少参数“序号”。",
        ),
        (["due", "--unt", "x"], "用法：gkctl due [选项]", "错误：没有选项 --unt，是否为 --unit？"),
        (["duee"], "用法：gkctl [选项] 命令 [参数]...", "错误：没有命令“duee”，是否为 due？"),
    ],
)
def test_usage_line_and_argument_names(gk, args: list[str], usage: str, message: str) -> None:
    stderr = _usage_error(gk, *args)
    command_path = usage.removeprefix("用法：").split(" [", 1)[0]
    assert stderr == f"{usage}\n（运行 {command_path} -h 查看帮助）\n\n{message}\n"
    for name in ("task_id", "{", "text", "file", "base"):
        assert name not in stderr


# --- 3. help: headings, notes, metavars ----------------------------------------------------------


def test_root_help(gk) -> None:
    result = gk("-h", data=None)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "用法：gkctl [选项] 命令 [参数]..."
    assert "选项：" in lines and "命令：" in lines
    assert "  --version             显示版本号并退出。" in lines
    assert "  -h, --help            显示帮助并退出。" in lines
    assert "  --show-completion     显示当前 shell 的补全脚本（用于手动安装）。" in lines


def test_due_help(gk) -> None:
    result = gk("due", "-h", data=None)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("用法：gkctl due [选项]\n")
    assert "\n选项：\n" in out
    # Wrapped in terminal columns (a Chinese character takes two), click's notes kept whole.
    assert (
        "  -u, --unit <文字>              单位名称、别名或名称的一部分，如 区经委、经委。\n" in out
    )
    assert (
        "  --within <整数范围>            临期窗口：截止日期在多少天内算“即将到期”。\n"
        "                                 [默认：30；0<=x<=3660]\n"
    ) in out
    assert "  -f, --format [table|json|csv]  输出格式：table、json、csv。  [默认：table]\n" in out
    assert "[默认：50；x>=0]" in out
    assert "  --data <路径>  " in out
    assert "  --within <整数范围>  " in out


def test_progress_help_has_chinese_help_option(gk) -> None:
    # The progress group is a Typer sub-application: it gets the Chinese classes too.
    result = gk("progress", "-h", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：gkctl progress [选项] 命令 [参数]...\n")
    assert "\n选项：\n  -h, --help  显示帮助并退出。\n\n命令：\n  add  " in result.stdout


@pytest.mark.parametrize("command", [["progress", "add"], ["show"]])
def test_argument_section(gk, command: list[str]) -> None:
    result = gk(*command, "-h", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"用法：gkctl {' '.join(command)} [选项] 序号\n")
    assert "\n参数：\n  序号  任务序号。  [必填]\n\n选项：\n" in result.stdout


def test_required_option_note(gk) -> None:
    result = gk("progress", "add", "-h", data=None)
    assert (
        "  -s, --status <done|doing>  done（已完成）或 doing（推进中）。  [必填]\n" in result.stdout
    )


def test_deadline_help_metavars(gk) -> None:
    result = gk("deadline", "-h", data=None)
    assert "\n参数：\n  时间节点  " in result.stdout
    assert "  --year <整数>  " in result.stdout


def test_diff_help_arguments(gk) -> None:
    result = gk("diff", "-h", data=None)
    assert result.stdout.startswith("用法：gkctl diff [选项] BASE [HEAD]\n")
    assert "\n参数：\n  BASE  " in result.stdout and "\n  HEAD  " in result.stdout


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        found += [[name, sub] for sub in getattr(command, "commands", {})]
    return found


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "gkctl")
def test_every_help_is_free_of_click_english(gk, command: list[str]) -> None:
    result = gk(*command, "--help", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：gkctl")
    for word in ENGLISH + CLICK_WORDS:
        assert word not in result.stdout, word


def _columns(text: str) -> int:
    """Terminal columns of text: a Chinese character takes two."""
    return sum(2 if "\u2e80" <= ch <= "\uffe6" else 1 for ch in text)


@pytest.mark.parametrize("command", [["due"], ["progress", "add"], ["import"]])
def test_help_columns_line_up_on_a_terminal(gk, command: list[str]) -> None:
    # The option names hold Chinese metavars (<文字>): the descriptions must still start in
    # one terminal column, not one character count.
    out = gk(*command, "-h", data=None).stdout
    options = out.split("\n选项：\n", 1)[1].splitlines()
    starts = {
        _columns(m[1]) for line in options if (m := re.match(r"(  \S.*?  +)\S", line)) is not None
    }
    assert len(starts) == 1, starts


def test_bare_group_shows_its_help_not_an_error(gk) -> None:
    # click raises the help as a usage error for a group called without a command.
    result = gk(data=None)
    assert result.exit_code == 2
    assert result.stderr.startswith("用法：gkctl [选项] 命令 [参数]...\n\n  跟踪政务公开")
    assert "错误：" not in result.stderr
    assert "命令：\n" in result.stderr


# --- 4. --version, written the project's way ---------------------------------------------------


def test_version(gk) -> None:
    result = gk("--version", data=None)
    assert (result.exit_code, result.stdout) == (0, f"gkctl {__version__}\n")


def test_version_option_is_annotated() -> None:
    # STYLE.md: every option is Annotated[..., typer.Option(...)], its default a plain value.
    version = typing.get_type_hints(appmod.root, include_extras=True)["version"]
    assert typing.get_origin(version) is typing.Annotated
    kind, option = typing.get_args(version)
    assert kind is bool
    assert isinstance(option, typer.models.OptionInfo) and option.is_eager
    assert option.help == "显示版本号并退出。"
    assert inspect.signature(appmod.root).parameters["version"].default is False


def _every_help() -> list[list[str]]:
    from tests.test_docs import COMMANDS

    return [name.split() for name, _ in COMMANDS] + [[]]


@pytest.mark.parametrize("command", _every_help(), ids=lambda c: " ".join(c) or "gkctl")
def test_help_fits_the_terminal_and_breaks_lines_the_chinese_way(gk, command: list[str]) -> None:
    # click wraps by characters, so Chinese help used to run past the terminal's edge and be
    # folded again by the terminal; each line must fit the formatter's 78 columns, and no
    # line may start with a comma or closing bracket (禁则).
    from gkctl.core.linebreak import NO_LINE_START, width

    result = gk(*command, "-h", data=None)
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        assert width(line) <= 80, line
        assert not line.strip() or line.strip()[0] not in NO_LINE_START, line


@pytest.mark.parametrize(
    ("command", "usage", "argument"),
    [
        (["carry"], "用法：gkctl carry [选项] [序号]...", "  序号...  要转入的任务序号"),
        (["plan", "new"], "用法：gkctl plan new [选项] 计划名称", "  计划名称  新计划的名称"),
        (
            ["progress", "import"],
            "用法：gkctl progress import [选项] 文件...",
            "  文件...  单位发回的",
        ),
    ],
)
def test_arguments_are_named_in_chinese(gk, command: list[str], usage: str, argument: str) -> None:
    """Also an argument taking several (files...), in the usage line and in 参数."""
    out = gk(*command, "--help", data=None).stdout
    assert out.startswith(usage + "\n")
    assert argument in out
