"""Read a YAML file safely into a node tree that keeps every position.

Safety: nothing is constructed from tags (only the YAML core tags are allowed), anchors
and aliases are refused (which also stops alias-expansion bombs: the composer shares
nodes, and the walk refuses the first shared one), and duplicate keys are problems rather
than PyYAML's silent last-one-wins. libyaml's C parser is used where it is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gkctl.core.errors import Problem
from gkctl.core.model import Pos

try:
    _BASE: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BASE = yaml.SafeLoader


# Which tag a plain scalar gets, by its first character: the safe loader's implicit
# resolvers (null, bool, int, float, timestamp, …), as PyYAML's Resolver.resolve looks them up.
_IMPLICIT: dict[str | None, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(found) for first, found in _BASE.yaml_implicit_resolvers.items()
}


class _Loader(_BASE):  # type: ignore[misc]  # PyYAML is untyped
    """The safe loader with Resolver.resolve without what the safe loader never uses:
    it has no path resolvers and no resolver for any first character (a None key), so a
    node's tag is its kind's default unless a resolver of its first character matches.
    libyaml calls resolve once per node from Python: 2.4 million times for a plan of
    100,000 tasks, where PyYAML's own joins two lists each time (0.45 s of 3.8 s).
    tests/test_yamlsrc_resolve.py holds it to PyYAML's answer."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT.get(value[0] if value else "", ()):
                    if pattern.match(value):
                        return tag
            return STR
        return SEQ if kind is SequenceNode else MAP


# Where PyYAML gains a resolver keyed by None or a path resolver (a later version, or a
# plug-in that registers one), its own resolve is used.
LOADER: type = (
    _BASE if None in _BASE.yaml_implicit_resolvers or _BASE.yaml_path_resolvers else _Loader
)

CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (
    CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
SEQ, MAP = CORE + "seq", CORE + "map"
_ALLOWED_TAGS = {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, SEQ, MAP}

# The common libyaml/PyYAML problems, said in Chinese (the original follows in brackets).
_SYNTAX_HINTS = {
    "while scanning a quoted scalar": "从这里开始的引号没有闭合",
    "mapping values are not allowed": "此处不能出现“键: 值”，多半是缩进不对或值里有未加引号的冒号",
    "could not find expected ':'": "缺少冒号“:”",
    "did not find expected key": "缩进不一致或缺少键",
    "did not find expected '-' indicator": "列表项缩进不一致",
    "found character that cannot start any token": "出现了不能开始一个值的字符",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合？）",
    "found undefined alias": "使用了未定义的别名",
    "found unknown escape character": "双引号字符串中有未知的转义字符",
    "expected <block end>, but found": "缩进不一致",
    "control characters are not allowed": "文件中有不允许的控制字符",
    "special characters are not allowed": "文件中有不允许的控制字符",
}


class Source(NamedTuple):
    """One file's parsed root node (None where it could not be parsed), and its text, for
    the position of a character inside a value (see Locator)."""

    path: str
    root: Node | None
    raw: bytes | str = b""


# What YAML counts as a line break, so as its marks count lines.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# One character of a double-quoted scalar as written: an escape, or the character itself.
_QUOTED = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|.", re.DOTALL)
# The one-letter escapes; a backslash before a line break continues the line (no character).
_ESCAPES = dict(
    zip("0abt\tnvfreN_LP\n\r", "\0\a\b\t\t\n\v\f\r\x1b\x85\xa0\u2028\u2029", strict=False)
)


def _unescaped(written: str) -> str:
    if not written.startswith("\\") or len(written) == 1:
        return written
    if written[1] in "xuU":
        return chr(int(written[2:], 16))
    return _ESCAPES.get(written[1], written[1])


class Locator:
    """Where a character of a scalar's value is written in the file: a problem with one
    character of a long text points at that character, not at the start of the value.

    Built on the error path only (the file's text decoded once more, its lines counted)."""

    def __init__(self, raw: bytes | str) -> None:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        self.text = text[1:] if text.startswith("\ufeff") else text
        self.starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]

    def offset(self, line: int, column: int) -> int:
        """The text's index of a 0-based line and column."""
        return self.starts[min(line, len(self.starts) - 1)] + column

    def line_col(self, index: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def find(self, node: ScalarNode, char: str) -> tuple[int, int]:
        """Line and column (from 1) of the first `char` of the node's value; the value's
        start where it cannot be told (a line break that folding made)."""
        start = self.offset(node.start_mark.line, node.start_mark.column)
        end = self.offset(node.end_mark.line, node.end_mark.column)
        body = self.text[start:end]
        at = -1
        if node.style == '"':
            for m in _QUOTED.finditer(body, 1):
                if m.group(0) not in "\r\n" and _unescaped(m.group(0)) == char:
                    at = m.start()
                    break
        elif node.style in ("|", ">"):
            header = _BREAK.search(body)  # the | line itself holds no content
            if header is not None:
                at = body.find(char, header.end())
        elif char not in "\r\n":  # plain and single-quoted scalars fold their breaks
            at = body.find(char)
        return self.line_col(start + at) if at >= 0 else _line_col(node)


def pos(path: str, node: Node) -> Pos:
    mark = node.start_mark
    return Pos(path, mark.line + 1, mark.column + 1)


def _problem(path: str, line: int, column: int, code: str, message: str) -> Problem:
    return Problem(path, line, column, code, message)


def decode(path: str, raw: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 (a BOM is accepted); otherwise a problem that names GBK where it fits."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        try:
            raw.decode("gbk")
            hint = "看起来是 GBK 编码（Windows 办公软件常用），请用 UTF-8 编码另存后再提交"
        except UnicodeDecodeError:
            hint = "请用 UTF-8 编码保存"
        problems.append(_problem(path, line, column, "encoding", f"文件不是 UTF-8 编码：{hint}"))
        return None


def _tab_problems(path: str, text: str) -> list[Problem]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            found.append(
                _problem(
                    path,
                    number,
                    line.index("\t") + 1,
                    "tab",
                    "缩进中有制表符（Tab），YAML 只允许用空格缩进",
                )
            )
    return found


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    # "while scanning a quoted scalar …" is found at the end of the file; the mistake is
    # where the scanning began (the opening quote).
    scanning = bool(exc.context and exc.context.startswith("while scanning"))
    mark = (exc.context_mark if scanning else None) or exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    original = " ".join(p for p in (exc.context, exc.problem) if p)
    hint = next((zh for en, zh in _SYNTAX_HINTS.items() if en in original), None)
    # The parser's own words only where there is no Chinese for them.
    message = f"YAML 语法错误：{hint}" if hint else f"YAML 语法错误：无法解析（{original}）"
    return _problem(path, line, column, "syntax", message)


def _lone_cr_problem(path: str, raw: str | bytes) -> Problem | None:
    """Old Mac line endings (CR alone) are read, and written back as they are; but a lone
    CR in a file whose lines end in LF is a line break to YAML and not to an editor."""
    if isinstance(raw, bytes):
        if b"\r" not in raw or b"\n" not in raw:
            return None
        text = raw.decode("utf-8-sig")
    elif "\r" not in raw or "\n" not in raw:
        return None
    else:
        text = raw
    lone = _LONE_CR.search(text)
    if lone is None:
        return None
    return _problem(
        path,
        text.count("\n", 0, lone.start()) + 1,
        1,
        "line-end",
        "这一行以单独的回车符（CR）结束，而文件其余各行以换行符（LF）结束："
        "请统一换行符（编辑器中选 LF 或 CRLF）",
    )


_LONE_CR = re.compile("\r(?!\n)")


def parse(path: str, text: str | bytes, problems: list[Problem]) -> Node | None:
    """Compose `text` into nodes; syntax errors, tabs and unsafe constructs become problems.

    `text` may be the file's bytes, already known to be UTF-8 (see read_bytes): libyaml
    reads them as they are, where text would be encoded back to UTF-8 first."""
    if isinstance(text, str):
        has_tab, has_anchor = "\t" in text, "&" in text
    else:
        has_tab, has_anchor = b"\t" in text, b"&" in text
    lone_cr = _lone_cr_problem(path, text)
    if lone_cr is not None:
        problems.append(lone_cr)
        return None
    tabs: list[Problem] = []
    if has_tab:
        tabs = _tab_problems(path, text if isinstance(text, str) else text.decode("utf-8-sig"))
    problems.extend(tabs)
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        # A syntax error caused by a tab already reported is not said twice.
        at = exc.problem_mark.line + 1 if exc.problem_mark else 0
        if not (tabs and ("tab" in str(exc.problem) or any(t.line == at for t in tabs))):
            problems.append(_syntax_problem(path, exc))
        return None
    except yaml.reader.ReaderError as exc:
        # No mark, and a position libyaml counts in bytes and PyYAML in characters: the
        # character itself is found (the reader stops at its first appearance).
        locator = Locator(text)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        at = locator.text.find(char)
        line, column = locator.line_col(at) if at >= 0 else (1, 1)
        problems.append(
            _problem(
                path,
                line,
                column,
                "control-char",
                f"文件中有不允许的控制字符（U+{ord(char):04X}），请删去",
            )
        )
        return None
    except yaml.YAMLError as exc:  # reader errors carry no mark in some versions
        problems.append(_problem(path, 1, 1, "syntax", f"YAML 语法错误：无法解析（{exc}）"))
        return None
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL and not root.value):
        problems.append(_problem(path, 1, 1, "empty", "文件为空"))
        return None
    # Without & there is no anchor, and so no alias: the walk need not remember each node
    # (a set of 2.3 million ids for 100,000 tasks).
    if not _check_nodes(path, root, problems, shared=has_anchor):
        return None
    return root


def _check_nodes(path: str, root: Node, problems: list[Problem], shared: bool = True) -> bool:
    """Refuse foreign tags, aliases and duplicate keys. Visits each node once.

    False where the file must not be read further (a tag that would construct an object, an
    alias); a duplicate key is reported and reading goes on (the first value counts), so
    that one pasted line does not hide every other problem. `shared`: whether the file may
    hold an alias at all."""
    ok = True
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if shared and id(node) in seen:
            problems.append(
                _problem(
                    path,
                    *_line_col(node),
                    "alias",
                    "不支持 YAML 锚点与别名（&、*）：此处的内容被别名重复引用，请直接写出",
                )
            )
            return False
        if shared:
            seen.add(id(node))
        if node.tag == STR and node.__class__ is ScalarNode:
            continue  # text, as most nodes are: allowed and fitting (as _tag_fits says)
        if node.tag not in _ALLOWED_TAGS:
            problems.append(
                _problem(
                    path,
                    *_line_col(node),
                    "tag",
                    f"不允许使用 YAML 标签“{node.tag.replace(CORE, '!!')}”：数据文件只能包含文字、数字、日期、列表和映射",
                )
            )
            ok = False
            continue
        if not _tag_fits(node):
            problems.append(
                _problem(
                    path,
                    *_line_col(node),
                    "tag",
                    f"标签“{node.tag.replace(CORE, '!!')}”与这里的{_shape(node)}不符，"
                    "请删去标签或改正值",
                )
            )
            ok = False
            continue
        if isinstance(node, MappingNode):
            keys: dict[str, Node] = {}
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    problems.append(
                        _problem(
                            path,
                            *_line_col(key),
                            "complex-key",
                            "键只能是文字，不能是列表或映射（“? ”开头的复杂键）",
                        )
                    )
                    ok = False
                    continue
                if isinstance(key, ScalarNode):
                    if key.value in keys:
                        first = keys[key.value].start_mark.line + 1
                        problems.append(
                            _problem(
                                path,
                                *_line_col(key),
                                "duplicate-key",
                                f"重复的键“{key.value}”（第 {first} 行已有）：YAML 会静默保留后一个，"
                                "请删除或合并其中一个",
                            )
                        )
                    else:
                        keys[key.value] = key
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return ok


_SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "映射"
    if isinstance(node, SequenceNode):
        return "列表"
    return f"值“{node.value}”"


def _tag_fits(node: Node) -> bool:
    """A tag written out (`!!int 全年`, `!!null [a]`) must fit what it tags; the tags the
    parser gives by itself always do (except a date-like text that is no date, such as
    2024-02-30, which is read as text and refused where a date is meant)."""
    if isinstance(node, MappingNode):
        return node.tag == MAP
    if isinstance(node, SequenceNode):
        return node.tag == SEQ
    if not isinstance(node, ScalarNode) or node.tag not in _SCALAR_TAGS:
        return False
    if node.tag == STR:
        return True
    plain_style = not node.style  # None in PyYAML, "" in libyaml
    implicit = _RESOLVER.resolve(ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]  # PyYAML is untyped
    return (plain_style and implicit == node.tag) or _constructs(node)


def _constructs(node: ScalarNode) -> bool:
    try:
        _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except Exception:  # PyYAML raises ValueError, TypeError or ConstructorError here
        return False
    return True


def plain(node: Node) -> object:
    """The node as plain data (dict, list, str, int, date, …), as the writers compare
    files before and after an edit. Never raises on a file that parse() accepted: a
    date-like text that is no date (2024-02-30) is its text, as the loader reads it."""
    if isinstance(node, MappingNode):
        return {plain(k): plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    if node.tag == STR:
        return node.value
    try:
        return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except Exception:  # as in _constructs: the loader reads such a value as its text
        return node.value


def _line_col(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_bytes(raw: bytes, shown: str, problems: list[Problem]) -> Source:
    """Parse a file's bytes (from disk, from `git show`, from a pending write)."""
    if decode(shown, raw, problems) is None:  # the text itself is not kept: see parse
        return Source(shown, None)
    if raw.startswith(b"\xef\xbb\xbf" * 2):
        # decode() takes off one BOM and libyaml another, as for the text: the parser must
        # not see the second as the first character (a copy, but only of such a file).
        raw = raw[3:]
    return Source(shown, parse(shown, raw, problems), raw)


def items(node: MappingNode) -> Iterator[tuple[ScalarNode, Node]]:
    for key, value in node.value:
        if isinstance(key, ScalarNode):
            yield key, value
