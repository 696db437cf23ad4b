"""A 责任单位 cell as an ordered list of unit names, lead first.

Offices write the units of a task many ways: 区国资委、区滨海办, one per line, separated by
，；, or spaces; 办公室牵头，各科室配合; 区经委（牵头）; 牵头单位：X 配合单位：Y; lists ending
in 等 or 等相关部门. This module reads them all into names, in the order gkctl keeps them
(every lead unit first, then the others in the order written), and matches the names to a
units.yaml where there is one (区府办 -> 区政府办公室). Nothing here invents a unit: X等相关部门
(等 with a word for the kind) becomes a collective "the relevant ones" group (relevant: true);
a bare X等 keeps X only, the 等 left to the task's notes, where the cell is kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from gkctl.core.model import Directory

LEAD, PLAIN, CO = 0, 1, 2

# Weak separators join names of one role; strong ones end a clause (办公室牵头，各科室配合).
_WEAK = "、/／"
_STRONG = "，,；;。"
_LINES = re.compile(r"\r\n|[\r\n\v\u2028\u2029]")
# What a unit name ends with: a line break or a space after one of these separates names
# (区科委\n区财政局); elsewhere it is a wrap inside one name (区市场监\n管局).
_UNIT_END = re.compile(
    r"(?:局|委|办|室|处|科|部|中心|镇|街道|乡|村|社区|院|所|站|队|会|馆|园|区|厅|署|社|行|司|"
    r"集团|公司|单位|部门|企业|团|联|台|组|校|[)）]|牵头|配合|负责|参与|协办|协助|主责|落实|等)$"
)
_ROLE_PREFIX = re.compile(
    r"^由?(?P<role>牵头|主责|责任|配合|协办|参与|协助|协同)(?:单位|部门|科室|处室)?[:：]\s*"
)
_ROLE_BRACKET = re.compile(
    r"^(?P<name>.+?)\s*[（(](?P<role>牵头|主责|负责|配合|协办|参与|协助|协同)(?:单位|部门)?[)）]$"
)
# The role word may say what is done in it (牵头落实, 负责落实) and that each does its part
# (分别牵头落实: each of the names before it leads).
_ROLE_SUFFIX = re.compile(
    r"^由?(?P<name>.+?)(?:分别)?(?P<role>牵头|主责|负责|配合|协办|参与|协助|协同)"
    r"(?P<doing>落实|实施|推进|办理)?$"
)
# A mark before a name that the table's note explains as the lead (▲发改局,各部门).
_LEAD_MARK = re.compile(r"^[▲★]\s*")
_ETC = re.compile(r"^(?P<name>.*?)等(?P<related>相关)?(?P<kind>[^等]{0,4})$")
_ETC_KINDS = ("部门", "单位", "科室", "处室", "街镇", "镇", "镇街", "区县", "企业", "")


def _role(word: str) -> int:
    return LEAD if word in ("牵头", "主责", "负责", "责任") else CO


@dataclass
class Units:
    """What one task's unit cells say.

    names: the units in gkctl's order, lead first; relevant: names given to a list ending in
    等 (X等相关部门 -> 各相关部门); renamed: (written, unit) where an alias or a variant of a
    name was replaced; leads: how many were marked 牵头 (with two or more, the order alone
    cannot say it, so the cell's text is kept in notes)."""

    names: list[str] = field(default_factory=list)
    relevant: list[tuple[str, str]] = field(default_factory=list)
    etc: list[str] = field(default_factory=list)  # X等 written with no kind: only X is kept
    renamed: list[tuple[str, str]] = field(default_factory=list)
    leads: int = 0


def looks_like_unit(name: str) -> bool:
    """Whether `name` ends as a unit's name does (区经委, 各部门, 区政务服务中心)."""
    return len(name) >= 2 and _UNIT_END.search(name) is not None


def _decide_break(before: str, after: str, known: Callable[[str], bool]) -> str:
    """What a line break or space between two pieces of text means: "" (a wrap inside one
    name) or "、" (between two names)."""
    tail = re.split(f"[{_WEAK}{_STRONG}\\s]", before)[-1]
    head = re.split(f"[{_WEAK}{_STRONG}\\s]", after)[0]
    if not tail or not head or head[0] in "（(":
        return ""  # 区经委⏎（牵头）: a bracket belongs to the name before it
    if known(tail + head):
        return ""
    if known(tail) and known(head):
        return "、"
    if looks_like_unit(tail):
        return "、"
    return ""


def pieces(text: str, known: Callable[[str], bool] = lambda _: False) -> list[list[str]]:
    """The cell's clauses (split on ，；), each a list of names with their role words still
    on (split on 、/ and on line breaks or spaces that stand between two names)."""
    lines = [line.strip() for line in _LINES.split(text)]
    joined = ""
    for line in lines:
        if not line:
            continue
        if joined and joined[-1] not in _WEAK + _STRONG and line[0] not in _WEAK + _STRONG:
            # A line ending in a role word ends its clause: X牵头 / Y、Z配合.
            sep = _decide_break(joined, line, known)
            if sep and re.search(r"(牵头|负责|主责)(?:落实|实施|推进|办理)?$", joined):
                sep = "，"
            joined += sep
        joined += line
    # Spaces: between two names, or typed inside one (区 经委).
    out = ""
    for n, part in enumerate(re.split(r"[ \t\u3000\xa0]+", joined)):
        if n and out and part and out[-1] not in _WEAK + _STRONG and part[0] not in _WEAK + _STRONG:
            out += _decide_break(out, part, known)
        out += part
    clauses = [c for c in _split(out, _STRONG) if c]
    return [[p for p in _split(c, _WEAK) if p] for c in clauses]


# Levels of government written one character each (a level may carry its own bracket of
# levels: 县（市、区）), 、 between them, the last one followed by a bracket or by how many
# levels they are: 各区、县〔市〕政府办公室 is one name (the offices of every 区 and 县(市)),
# as are 各市、区、县（市）政府, 区、县两级人民政府, 市、县（区）、乡（镇）三级政府 and
# 市（州）、县（市、区）人民政府; the 、 in it separates levels, not units.
_LEVEL = r"[省市县区乡镇](?:[（(〔［\[][省市县区乡镇州旗、]{1,5}[）)〕］\]])?"
_LEVELS = re.compile(
    rf"(?:各|(?<![\u4e00-\u9fff])){_LEVEL}(?:、{_LEVEL})+(?=[（(〔［\[]|[两三四五各]级)"
)


def _split(text: str, separators: str) -> list[str]:
    """`text` split on any of `separators` outside brackets: 各县（市、区）人民政府 and
    各县〔市、区〕人民政府 are one name, as real documents write it, and so is 各区、县〔市〕政府."""
    levels = {
        m.start() + j for m in _LEVELS.finditer(text) for j, c in enumerate(m[0]) if c == "、"
    }
    out, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "（(〔［[":
            depth += 1
        elif char in "）)〕］]":
            depth = max(depth - 1, 0)
        elif not depth and char in separators and i not in levels:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def read_cell(
    text: str, known: Callable[[str], bool], default: int = PLAIN
) -> list[tuple[str, int]]:
    """(name, role) in the order written; `default` is the role of names without a word
    (PLAIN for a 责任单位 column, CO for a 配合单位 column)."""
    out: list[tuple[str, int]] = []
    for clause in pieces(text, known):
        role = default
        first = _ROLE_PREFIX.match(clause[0])
        if first:
            role = _role(first["role"])
            clause = [clause[0][first.end() :], *clause[1:]]
        start = len(out)
        for piece in clause:
            marked = _LEAD_MARK.match(piece)
            if marked:
                out.append((piece[marked.end() :], LEAD))
                continue
            m = _ROLE_BRACKET.match(piece)
            if m:
                out.append((m["name"], _role(m["role"])))
                continue
            m = _ROLE_SUFFIX.match(piece)
            if m and not known(piece):
                # Y、Z配合: the word is the clause's, for every name before it without one.
                # 负责落实 in a 责任单位 cell says again what the column says: no role of its own.
                said = role if m["role"] == "负责" and m["doing"] else _role(m["role"])
                out = out[:start] + [(n, said if r == role else r) for n, r in out[start:]]
                out.append((m["name"], said))
                start = len(out)
                continue
            out.append((re.sub(r"^由", "", piece) if piece.startswith("由") else piece, role))
    return [(n, r) for n, r in out if n]


class Matcher:
    """Names checked against a unit directory: a unit's name or a group's as they are, an
    alias or a variant (full- or half-width brackets, spaces) replaced by the unit's name."""

    def __init__(self, directory: Directory | None) -> None:
        units = directory.units if directory else ()
        groups = directory.groups if directory else ()
        self.names = {u.name for u in units} | {g.name for g in groups}
        self.relevant = [g.name for g in groups if g.relevant]
        self.canonical: dict[str, str] = {}
        for name in self.names:
            self.canonical.setdefault(_fold(name), name)
        for unit in units:
            for alias in unit.aliases:
                self.canonical.setdefault(_fold(alias), unit.name)

    def known(self, text: str) -> bool:
        return _fold(text) in self.canonical

    def name(self, text: str) -> str:
        return self.canonical.get(_fold(text), text)

    def relevant_group(self, kind: str) -> str:
        """The group for a list ending in 等 / 等相关部门: the directory's relevant group of
        that kind where it has one, else 各相关 + the kind (单位 when none is written)."""
        kind = kind if kind in _ETC_KINDS and kind else "单位"
        wanted = f"各相关{kind}"
        if wanted in self.relevant:
            return wanted
        same = [g for g in self.relevant if g.endswith(kind)]
        return same[0] if same else wanted


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse(lead_cells: list[str], co_cells: list[str], matcher: Matcher) -> Units:
    """The units of one task from its 责任单位 (or 牵头单位) cells and its 配合单位 cells."""
    read: list[tuple[str, int]] = []
    for cell in lead_cells:
        read += read_cell(cell, matcher.known, PLAIN)
    for cell in co_cells:
        read += read_cell(cell, matcher.known, CO)
    result = Units()
    expanded: list[tuple[str, int]] = []
    for name, role in read:
        m = _ETC.match(name)
        if m and not m["related"] and not m["kind"] and m["name"] and not matcher.known(name):
            result.etc.append(name)
            expanded.append((m["name"], role))
            continue
        if m and (m["kind"] in _ETC_KINDS) and not matcher.known(name):
            group = matcher.relevant_group(m["kind"])
            result.relevant.append((name, group))
            if m["name"]:
                expanded.append((m["name"], role))
            expanded.append((group, CO if role == LEAD else role))
            continue
        expanded.append((name, role))
    ordered = [n for n, r in expanded if r == LEAD] + [n for n, r in expanded if r != LEAD]
    result.leads = sum(1 for _, r in expanded if r == LEAD)
    for written in ordered:
        name = matcher.name(written)
        if name != written and (written, name) not in result.renamed:
            result.renamed.append((written, name))
        if name not in result.names:
            result.names.append(name)
    return result


def split_units(text: str, directory: Directory | None = None) -> tuple[str, ...]:
    """区国资委、\\n区滨海办、 山阳镇 -> (区国资委, 区滨海办, 山阳镇): one cell's names."""
    return tuple(parse([text], [], Matcher(directory)).names)
