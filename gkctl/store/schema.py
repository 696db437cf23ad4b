"""Typed reading of YAML nodes: every value checked, every problem recorded with its
position, nothing raised. The loader's readers for tasks.yaml and units.yaml stand on it."""

from __future__ import annotations

import re
import sys
from datetime import date
from enum import StrEnum
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gkctl.core import dates, textsafe
from gkctl.core.errors import Problem
from gkctl.store import yamlsrc

E = TypeVar("E", bound=StrEnum)

_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")

_TYPE_NAMES = {
    yamlsrc.STR: "文字",
    yamlsrc.INT: "整数",
    yamlsrc.FLOAT: "小数",
    yamlsrc.BOOL: "布尔值",
    yamlsrc.NULL: "空值",
    yamlsrc.TIMESTAMP: "日期",
    yamlsrc.SEQ: "列表",
    yamlsrc.MAP: "映射",
}


class Reader:
    """Typed access to nodes that records a problem instead of raising."""

    def __init__(
        self, path: str, problems: list[Problem], year: int = 0, raw: bytes | str = b""
    ) -> None:
        self.path = path
        self.problems = problems
        self.year = year  # the plan year, which bounds every date (0: not known yet)
        self.raw = raw  # the file, for the position of a refused character
        self._locator: yamlsrc.Locator | None = None
        # One object for each date and name read many times: a 100,000-task plan holds
        # a few hundred distinct ones, and the parsed-plan cache pickles (and a warm run
        # unpickles) each object once, not each time it was written.
        self._days: dict[date, date] = {}
        # Names read and found good, by their text (name() checks each distinct text once).
        self._names: dict[str, str] = {}

    def problem(self, node: Node, code: str, message: str) -> None:
        p = yamlsrc.pos(self.path, node)
        self.problems.append(Problem(p.file, p.line, p.column, code, message))

    def _type_error(self, node: Node, what: str, expected: str) -> None:
        found = _TYPE_NAMES.get(node.tag, node.tag)
        self.problem(node, "type", f"{what}应为{expected}，这里是{found}")

    def mapping(self, node: Node, keys: dict[str, bool], what: str) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self._type_error(node, what, "映射（键: 值）")
            return None
        fields: dict[str, Node] = {}
        for key, value in yamlsrc.items(node):
            name = key.value
            if name not in keys:
                import difflib  # only a mistake needs suggestions

                close = difflib.get_close_matches(name, list(keys), n=1, cutoff=0.6)
                hint = f"是否为“{close[0]}”？" if close else f"可用的键：{'、'.join(keys)}。"
                self.problem(key, "unknown-key", f"{what}中有未知的键“{name}”，{hint}")
                continue
            fields.setdefault(name, value)
        for name, required in keys.items():
            if required and name not in fields:
                self.problem(node, "missing-key", f"{what}缺少必填的键“{name}”")
        return fields

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self._type_error(node, what, "列表")
            return []
        return list(node.value)

    def text(
        self,
        node: Node | None,
        what: str,
        required: bool = True,
        field: textsafe.Field = textsafe.Field.LINE,
    ) -> str | None:
        """A text value; `field` says what it may hold (core.textsafe: one line by default,
        Field.TEXT for free text that may hold tabs and line feeds)."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag == yamlsrc.NULL:
            self._type_error(node, what, "文字")
            return None
        if required and not node.value.strip():
            self.problem(node, "empty-value", f"{what}不能为空")
            return None
        refused = textsafe.refusal(node.value, field, what)
        if refused is not None:
            self._refuse(node, refused)
            return None
        return str(node.value)

    def _refuse(self, node: ScalarNode, refused: textsafe.Refusal) -> None:
        """The problem at the refused character itself, where it can be found in the file."""
        if self.raw:
            if self._locator is None:
                self._locator = yamlsrc.Locator(self.raw)
            line, column = self._locator.find(node, refused.char)
        else:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.path, line, column, refused.code, refused.message))

    def choice(
        self, node: Node | None, what: str, kind: type[E], code: str, unknown: str, allowed: str
    ) -> E | None:
        """A text that must be one of `kind`'s values, else 未知的{unknown}“…”，应为 {allowed}."""
        text = self.text(node, what)
        if text is None or node is None:
            return None
        try:
            return kind(text)
        except ValueError:
            self.problem(node, code, f"未知的{unknown}“{text}”，应为 {allowed}")
            return None

    def name(self, node: Node | None, what: str) -> str | None:
        """A name or id: one line with no invisible characters (zero-width, bidirectional
        controls), which would make two names that look the same differ."""
        # A unit's name is written over and over (300,000 times in a plan of 100,000
        # tasks): a text already read as a good name is one (refusal depends on the text).
        written = node.value if isinstance(node, ScalarNode) and node.tag == yamlsrc.STR else None
        if written is not None and written in self._names:
            return self._names[written]
        value = self.text(node, what, field=textsafe.Field.NAME)
        if value is None:
            return None
        value = sys.intern(value)  # see _days
        if written is not None:
            self._names[written] = value
        return value

    def integer(self, node: Node | None, what: str) -> int | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != yamlsrc.INT:
            self._type_error(node, what, "整数")
            return None
        if not _DECIMAL.fullmatch(node.value):
            # YAML 1.1 also reads 0x4B, 0o113, 0b1001011, +75, 7_5 and 1:15 as 75, and
            # 075 as octal: an integer is what a person reads, in plain decimal.
            self.problem(node, "type", f"{what}应写作十进制整数，这里是“{node.value}”")
            return None
        return int(node.value)

    def boolean(self, node: Node | None, what: str) -> bool:
        if node is None:
            return False
        if not isinstance(node, ScalarNode) or node.tag != yamlsrc.BOOL:
            self._type_error(node, what, "true 或 false")
            return False
        return node.value.lower() in ("true", "yes", "on", "y")

    def day(self, node: Node | None, what: str) -> date | None:
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag in (yamlsrc.TIMESTAMP, yamlsrc.STR):
            try:
                day = dates.parse_iso(node.value)
            except ValueError:
                pass
            else:
                far = dates.out_of_range(day, self.year)
                if far is None:
                    return self._days.setdefault(day, day)
                self.problem(node, "date-range", f"{what}：{far}")
                return None
        self.problem(
            node,
            "bad-date",
            f"{what}应为日期，写作 YYYY-MM-DD（如 2024-11-30），这里是“{value_text(node)}”",
        )
        return None

    def texts(self, node: Node | None, what: str, names: bool = False) -> tuple[str, ...]:
        if node is None:
            return ()
        out = []
        read = self.name if names else self.text
        for item in self.sequence(node, what):
            value = read(item, f"{what}中的每一项")
            if value is not None:
                out.append(value)
        return tuple(out)


def value_text(node: Node) -> str:
    return node.value if isinstance(node, ScalarNode) else _TYPE_NAMES.get(node.tag, "?")


def value_of(node: Node, key: str) -> Node:
    """The value node of `key` in a mapping node (the node itself where there is none)."""
    if isinstance(node, MappingNode):
        for k, v in yamlsrc.items(node):
            if k.value == key:
                return v
    return node
