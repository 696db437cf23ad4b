"""click's own messages and help, said in Chinese.

Imported only when there is something to say: a usage error, or help to format. Loading
it (a dozen compiled patterns, a formatter) at every start would cost every command's
start-up, a tracked figure.
"""

import re
import sys
from typing import Any

import typer
from typer.core import TyperCommand

from gkctl.core import linebreak, textsafe

# click's own messages and help, said in Chinese (the rest of a message, e.g. a range, stays).
# The click classes are reached through Typer: recent Typer vendors click, older Typer uses
# click itself, and gkctl must fit both (typer>=0.12 in pyproject.toml).
_UsageError: Any = typer.BadParameter.__mro__[1]
_Context: Any = TyperCommand.context_class
_HelpFormatter: Any = _Context.formatter_class

# Arguments are named by their Python parameter in click's messages and usage lines; users
# read these names instead (the command modules stay plain Typer).
_ARGUMENTS = {
    "task_id": "序号",
    "ids": "序号",
    "name": "计划名称",
    "text": "时间节点",
    "file": "文件",
    "files": "文件",
    "base": "BASE",
    "head": "HEAD",
}


def _names(hint: str) -> str:
    """click's parameter hint as users write it: "'--format' / '-f'" → --format/-f, and an
    argument by its Chinese name: "'task_id'" → 序号."""
    names = re.findall(r"'([^']*)'", hint) or [hint]
    return "/".join(_ARGUMENTS.get(name, name) for name in names)


def _param(hint: str) -> str:
    """The subject of "…的值无效": an option as written, an argument named and quoted."""
    names = _names(hint)
    return f"{names} " if names.startswith("-") else f"参数“{names}”"


def _choices(text: str) -> str:
    """A list in click's words ("'a', 'b'", "a, b", "a,\n\tb") as a Chinese list: a、b."""
    items = (item.strip().strip("'\"") for item in re.split(r",\s*", text.strip()))
    return "、".join(item for item in items if item)


# Whole messages, matched in order; {path} is the command path, e.g. "gkctl progress".
_CLICK_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"No such option: (?P<o>\S+) \(Possible options: (?P<c>.+)\)$"),
        "没有选项 {o}，是否为 {c}？",
    ),
    (
        re.compile(r"No such option: (?P<o>\S+?)\s+Did you mean (?P<c>\S+?)\?$"),
        "没有选项 {o}，是否为 {c}？",
    ),
    (re.compile(r"No such option: (?P<o>\S+)$"), "没有选项 {o}。"),
    (
        re.compile(r"No such command '(?P<o>.+)'\.\s+Did you mean (?P<c>.+)\?$"),
        "没有命令“{o}”，是否为 {c}？",
    ),
    (re.compile(r"No such command '(?P<o>.+)'\.$"), "没有命令“{o}”，可用 {path} -h 查看全部命令。"),
    (re.compile(r"Missing command\.$"), "缺少命令，可用 {path} -h 查看全部命令。"),
    (
        re.compile(r"Missing argument (?P<n>.+?)\.\s+Choose from:\s*(?P<c>.+)$", re.S),
        "缺少参数“{n}”，可选：{c}。",
    ),
    (re.compile(r"Missing argument (?P<n>.+)\.$"), "缺少参数“{n}”。"),
    (
        re.compile(r"Missing option (?P<n>.+?)\.\s+Choose from:\s*(?P<c>.+)$", re.S),
        "缺少选项 {n}，可选：{c}。",
    ),
    (re.compile(r"Missing option (?P<n>.+)\.$"), "缺少选项 {n}。"),
    (re.compile(r"Option (?P<n>'.+') requires an argument\.$"), "选项 {n} 需要一个值。"),
    (
        re.compile(r"Option (?P<n>'.+') requires (?P<k>\d+) arguments\.$"),
        "选项 {n} 需要 {k} 个值。",
    ),
    (re.compile(r"Option (?P<n>'.+') does not take a value\.$"), "选项 {n} 不接受值。"),
    (re.compile(r"Invalid value for (?P<p>.+?): (?P<d>.*)$", re.S), "{p}的值无效：{d}"),
    (re.compile(r"Invalid value: (?P<d>.*)$", re.S), "值无效：{d}"),
    (
        re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<d>.*)\)$"),
        "多余的参数：{d}。",
    ),
]

# The reason at the end of an "Invalid value" message (after "…: ", or the whole message).
_REASON = r"(?:^|(?<=: ))"
_CLICK_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(_REASON + r"(?P<d>\S+) is not in the range (?P<r>.+)\.$"),
        "{d} 不在范围 {r} 内。",
    ),
    (
        re.compile(_REASON + r"(?P<q>['\"])(?P<d>.*)(?P=q) is not one of (?P<c>.+)\.$", re.S),
        "“{d}”不是可选值之一：{c}。",
    ),
    (
        re.compile(_REASON + r"(?P<q>['\"])(?P<d>.*)(?P=q) is not a valid int(?:eger)?\.$", re.S),
        "“{d}”不是整数。",
    ),
    (
        re.compile(_REASON + r"(?P<q>['\"])(?P<d>.*)(?P=q) is not a valid float\.$", re.S),
        "“{d}”不是数字。",
    ),
]


# How a group of a match is said: lists as a、b, parameters as users write them.
_SAID = {"c": _choices, "n": _names, "p": _param}


def _fill(template: str, m: re.Match[str], path: str) -> str:
    values = {k: _SAID[k](v) if k in _SAID and v else v for k, v in m.groupdict().items()}
    return template.format(path=path, **values)


def _chinese(message: str, path: str = "gkctl") -> str:
    """A click usage message in Chinese; an unknown one stays as click wrote it."""
    message = message.strip()
    for pattern, template in _CLICK_DETAILS:
        m = pattern.search(message)
        if m:
            message = message[: m.start()] + _fill(template, m, path)
    for pattern, template in _CLICK_MESSAGES:
        m = pattern.match(message)
        if m:
            return _fill(template, m, path)
    return message


# click's help words. Metavars are type names (<str>); choices (<done|doing>) stay.
_HEADINGS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
_USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND": "命令", "[ARGS]...": "[参数]..."}
_METAVARS = {
    "<str>": "<文字>",
    "<text>": "<文字>",
    "<path>": "<路径>",
    "<filename>": "<文件>",
    "<int>": "<整数>",
    "<integer>": "<整数>",
    "<int range>": "<整数范围>",
    "<float>": "<数字>",
    "<float range>": "<数字范围>",
    "<boolean>": "<是/否>",
    "<bool>": "<是/否>",
}
_METAVAR = re.compile(r"<[^<>|]+>")
# An argument in a usage line: {task_id} (required, Typer), [head] (optional), TEXT (click).
_USAGE_ARGUMENT = re.compile(r"(?P<open>[{\[]?)(?P<name>\w+)(?P<close>[}\]]?)(?P<more>(?:\.\.\.)?)")
# click's notes at the end of an option's help: "  [default: 30; 0<=x<=3660]", "[required]".
_NOTES = re.compile(r"(?:^|(?<=  ))\[(?P<notes>[^\[\]]+)\]$")
# A range as click describes it: 0<=x<=3660, x>=0, 0<x.
_RANGE = re.compile(r"(?:[-+\d.e]+<=?)?x(?:[<>]=?[-+\d.e]+)?")


def _join_lines(paragraph: str) -> str:
    """A paragraph's source lines as one line: no space where a line break falls between
    Chinese characters (click would put one there), a space between words."""
    joined = ""
    for line in (part.strip() for part in paragraph.splitlines()):
        if joined and line and not (linebreak.is_wide(joined[-1]) or linebreak.is_wide(line[0])):
            joined += " "
        joined += line
    return joined


def _wrap(text: str, width: int, indent: str = "") -> str:
    """click's wrap_text for Chinese: paragraphs kept (blank-line separated; a paragraph
    starting with \\b is kept line for line), widths counted in terminal columns."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
        if paragraph.lstrip(" ").startswith("\b"):
            kept = paragraph.lstrip(" ")[1:].strip("\n").splitlines()
            out.append("\n".join(indent + line for line in kept))
            continue
        lines = linebreak.wrap(_join_lines(paragraph), max(width - len(indent), 10))
        out.append("\n".join(indent + line for line in lines))
    return "\n\n".join(out)


def _usage_args(args: str) -> str:
    """The part of a usage line after the command path, in Chinese: [选项] 序号 [HEAD]."""
    words = []
    for word in args.split(" "):
        m = _USAGE_ARGUMENT.fullmatch(word)
        name = _ARGUMENTS.get(m["name"].lower()) if m else None
        if word in _USAGE_WORDS:
            word = _USAGE_WORDS[word]
        elif m and name:
            optional = m["open"] == "["
            word = (f"[{name}]" if optional else name) + m["more"]
        words.append(word)
    return " ".join(words)


def _notes(help_text: str) -> str:
    """click's notes after an option's help in Chinese: [默认：30；0<=x<=3660], [必填]."""
    m = _NOTES.search(help_text)
    if not m:
        return help_text
    notes = []
    for note in m["notes"].split("; "):
        if note == "required":
            notes.append("必填")
        elif note.startswith("default: "):
            notes.append("默认：" + note.removeprefix("default: "))
        elif note.startswith("env var: "):
            notes.append("环境变量：" + note.removeprefix("env var: "))
        elif _RANGE.fullmatch(note):
            notes.append(note)
        else:
            return help_text  # brackets of the help's own, not click's
    return f"{help_text[: m.start()]}[{'；'.join(notes)}]"


class ChineseFormatter(_HelpFormatter):  # type: ignore[misc]  # base found at run time
    """click's help formatter, writing 用法, 选项, 参数, 命令 and Chinese notes and metavars."""

    _heading = ""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _usage_args(args), "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self._heading = heading
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        # click's write_dl, but the first column is measured in terminal columns: click
        # counts characters, and 序号 or <文字> take two columns each.
        rows = [(self._term(first), _notes(second)) for first, second in rows]
        widest = max((linebreak.width(first) for first, _ in rows), default=0)
        first_col = min(widest, col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        hanging = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if linebreak.width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - linebreak.width(first)))
            else:
                self.write("\n" + hanging)
            lines = _wrap(second, text_width).splitlines()
            self.write("".join(f"{hanging if i else ''}{line}\n" for i, line in enumerate(lines)))

    def write_text(self, text: str) -> None:
        # click's wrap counts characters; a Chinese one takes two terminal columns.
        self.write(_wrap(text, self.width, " " * self.current_indent) + "\n")

    def _term(self, first: str) -> str:
        """A definition's name: an argument by its Chinese name, an option with a Chinese
        metavar."""
        if self._heading == "Arguments":
            name = first.removesuffix("...")  # an argument taking several: files...
            return _ARGUMENTS.get(name, name) + first[len(name) :]
        return _METAVAR.sub(lambda m: _METAVARS.get(m[0], m[0]), first)


class ChineseUsageError(_UsageError):  # type: ignore[misc]  # base found at run time
    """A click usage error shown in Chinese: 用法, the hint, 错误."""

    chinese = True  # said already: the command layer passes it on as it is

    def show(self, file: Any = None) -> None:
        out = file or sys.stderr
        if self.ctx is not None:
            # The usage line comes from ChineseFormatter; a context of click's own (a
            # command gkctl did not give its classes) still gets the same words.
            usage = self.ctx.get_usage()
            if usage.startswith("Usage: "):
                usage = "用法：" + _usage_args(usage.removeprefix("Usage: "))
            print(f"{usage}\n（运行 {self.ctx.command_path} -h 查看帮助）\n", file=out)
        print(textsafe.visible(f"错误：{self.format_message()}"), file=out)


def translated(exc: Any) -> Any:
    path = exc.ctx.command_path if exc.ctx is not None else "gkctl"
    return ChineseUsageError(_chinese(exc.format_message(), path), ctx=exc.ctx)
