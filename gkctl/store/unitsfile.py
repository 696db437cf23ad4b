"""Reading data/units.yaml: the units, their kinds and aliases, and the collective names."""

from __future__ import annotations

from gkctl.core.errors import Problem
from gkctl.core.model import Directory, Group, Unit, UnitKind
from gkctl.core.units import suggest
from gkctl.store import yamlsrc
from gkctl.store.schema import Reader

TOP_KEYS = {"units": True, "groups": False}
UNIT_KEYS = {
    "name": True,
    "kind": True,
    "aliases": False,
    "former": False,
    "full_name": False,
    "source": False,
}
GROUP_KEYS = {"name": True, "meaning": True, "members": True, "relevant": False, "same_as": False}


def read_directory_source(
    source: yamlsrc.Source, problems: list[Problem], broken: set[str]
) -> Directory:
    """The unit directory; names of units whose entries have problems go into `broken`, so
    that tasks naming them do not repeat the same problem as unknown units."""
    r = Reader(source.path, problems, raw=source.raw)
    units: list[Unit] = []
    groups: list[Group] = []
    if source.root is None:
        return Directory((), ())
    top = r.mapping(source.root, TOP_KEYS, "units.yaml 顶层")
    if top is None:
        return Directory((), ())
    kinds = [k.value for k in UnitKind]
    for node in r.sequence(top["units"], "units") if "units" in top else []:
        f = r.mapping(node, UNIT_KEYS, "单位")
        if f is None:
            continue
        name = r.name(f.get("name"), "单位名称（name）")
        kind_text = r.text(f.get("kind"), "单位类型（kind）")
        if kind_text is not None and kind_text not in kinds:
            hint = suggest(kind_text, kinds)
            r.problem(
                f["kind"],
                "bad-kind",
                f"未知的单位类型“{kind_text}”"
                + (f"，是否为“{hint}”？" if hint else "")
                + f"（可用：{'、'.join(kinds)}）",
            )
            kind_text = None
        if name is not None and kind_text is None:
            broken.add(name)
        if name is None or kind_text is None:
            continue
        units.append(
            Unit(
                name,
                UnitKind(kind_text),
                r.texts(f.get("aliases"), "别名（aliases）", names=True),
                r.text(f.get("full_name"), "全称（full_name）"),
                r.text(f.get("source"), "来源（source）"),
                yamlsrc.pos(source.path, node),
                r.texts(f.get("former"), "原名称（former）", names=True),
            )
        )
    for node in r.sequence(top["groups"], "groups") if "groups" in top else []:
        f = r.mapping(node, GROUP_KEYS, "统称")
        if f is None:
            continue
        name = r.name(f.get("name"), "统称名称（name）")
        members: list[UnitKind] = []
        for member in r.sequence(f["members"], "members") if "members" in f else []:
            value = r.text(member, "members 中的每一项")
            if value in kinds:
                members.append(UnitKind(value))
            elif value is not None:
                hint = suggest(value, kinds)
                r.problem(
                    member,
                    "bad-kind",
                    f"未知的单位类型“{value}”"
                    + (f"，是否为“{hint}”？" if hint else "")
                    + f"（可用：{'、'.join(kinds)}）",
                )
        if name is not None:
            groups.append(
                Group(
                    name,
                    r.text(f.get("meaning"), "含义（meaning）") or "",
                    tuple(members),
                    r.boolean(f.get("relevant"), "relevant"),
                    yamlsrc.pos(source.path, node),
                    r.name(f.get("same_as"), "同义统称（same_as）"),
                )
            )
    names = {g.name for g in groups}
    for group in groups:
        if group.same_as is not None and group.same_as not in names - {group.name}:
            problems.append(
                Problem(
                    source.path,
                    group.pos.line,
                    group.pos.column,
                    "unknown-group",
                    f"统称“{group.name}”的 same_as“{group.same_as}”不是另一个已定义的统称",
                )
            )
    if "units" in top and not units and not broken:
        r.problem(top["units"], "empty-value", "units.yaml 中没有登记任何单位")
    _check_directory_names(source.path, units, groups, problems)
    return Directory(tuple(units), tuple(groups))


def _check_directory_names(
    path: str, units: list[Unit], groups: list[Group], problems: list[Problem]
) -> None:
    owner: dict[str, str] = {}
    for unit in units:
        for word in (unit.name, *unit.aliases):
            other = owner.get(word)
            if other is not None and (other != unit.name or word == unit.name):
                message = (
                    f"名称或别名“{word}”与单位“{other}”重复"
                    if other != unit.name
                    else f"单位“{word}”重复定义"
                )
                problems.append(
                    Problem(path, unit.pos.line, unit.pos.column, "duplicate-unit", message)
                )
            owner[word] = unit.name
    seen_groups: set[str] = set()
    for group in groups:
        if group.name in seen_groups:
            problems.append(
                Problem(
                    path,
                    group.pos.line,
                    group.pos.column,
                    "duplicate-group",
                    f"统称“{group.name}”重复定义",
                )
            )
        seen_groups.add(group.name)
        if group.name in owner:
            problems.append(
                Problem(
                    path,
                    group.pos.line,
                    group.pos.column,
                    "duplicate-unit",
                    f"统称“{group.name}”与单位“{owner[group.name]}”重名",
                )
            )
