"""Which tasks belong to a unit, and finding a unit from what someone typed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from gkctl.core.errors import UsageError
from gkctl.core.model import Directory, Task, Unit

DIRECT = "direct"


class Involvement(NamedTuple):
    """How a unit is named by a task.

    via: "direct" when the task names the unit itself, else the group name that covers it
    (各部门, 各街镇, 各相关部门 …); lead: the unit is named first (牵头); possible: the task
    names only "the relevant ones", so it is possibly, not surely, the unit's.
    """

    via: str
    lead: bool = False
    possible: bool = False


def involvement(task: Task, unit: Unit, directory: Directory) -> Involvement | None:
    if unit.name in task.units:
        return Involvement(DIRECT, lead=task.units[0] == unit.name)
    possible: Involvement | None = None
    for name in task.units:
        group = directory.group(name)
        if group is None or unit.kind not in group.members:
            continue
        if not group.relevant:
            return Involvement(group.canonical)
        possible = possible or Involvement(group.canonical, possible=True)
    return possible


def involvement_of(unit: Unit, directory: Directory) -> Callable[[Task], Involvement | None]:
    """involvement(task, unit, directory) for many tasks: the groups are looked at once,
    not once per task (a view of one unit over 100,000 tasks made 270,000 group lookups)."""
    sure: dict[str, Involvement] = {}
    maybe: dict[str, Involvement] = {}
    seen: set[str] = set()
    for group in directory.groups:
        if group.name in seen:
            continue  # Directory.group finds the first of a name
        seen.add(group.name)
        if unit.kind in group.members:
            if group.relevant:
                maybe[group.name] = Involvement(group.canonical, possible=True)
            else:
                sure[group.name] = Involvement(group.canonical)
    name = unit.name
    direct, lead = Involvement(DIRECT), Involvement(DIRECT, lead=True)
    written_for = frozenset((name, *sure, *maybe))

    def of(task: Task) -> Involvement | None:
        names = task.units
        if written_for.isdisjoint(names):  # most tasks of a large plan, at C speed
            return None
        if name in names:
            return lead if names[0] == name else direct
        possible = None
        for written in names:
            found = sure.get(written)
            if found is not None:
                return found
            if possible is None:
                possible = maybe.get(written)
        return possible

    return of


def by_unit(directory: Directory, tasks: tuple[Task, ...]) -> list[dict[int, Involvement]]:
    """For each unit of the directory (by position), the tasks that name it and how: the
    task's position in `tasks` -> involvement_of(unit)(task), in plan order, for every unit
    and task in one pass over the tasks. A view over every unit walks the plan once this
    way instead of once per unit."""
    out: list[dict[int, Involvement]] = [{} for _ in directory.units]
    for at, (_, found) in enumerate(involved(directory, tasks)):
        for i, how in found.items():
            out[i][at] = how
    return out


def involved(
    directory: Directory, tasks: Iterable[Task]
) -> Iterator[tuple[Task, dict[int, Involvement]]]:
    """Each task with the units it names, by position in the directory, and how:
    involvement_of(unit)(task) for every unit, with the groups' cover inverted once (not
    asked once per unit and task). Tasks of one unit list get the same dict: read it, do
    not change it."""
    units = directory.units
    named: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        named.setdefault(unit.name, []).append(i)
    # A group name -> the units it covers, surely or possibly (involvement_of's rule: the
    # first group of a name counts).
    sure: dict[str, list[tuple[int, Involvement]]] = {}
    maybe: dict[str, list[tuple[int, Involvement]]] = {}
    seen: set[str] = set()
    for group in directory.groups:
        if group.name in seen:
            continue
        seen.add(group.name)
        how = Involvement(group.canonical, possible=group.relevant)
        covered = [(i, how) for i, u in enumerate(units) if u.kind in group.members]
        if covered:
            (maybe if group.relevant else sure)[group.name] = covered
    direct, lead = Involvement(DIRECT), Involvement(DIRECT, lead=True)
    # A plan repeats its unit lists (the bundled one: 42 lists over 75 tasks): each list's
    # units are worked out once, and the tasks that share it share the answer.
    seen_lists: dict[tuple[str, ...], dict[int, Involvement]] = {}
    for task in tasks:
        names = task.units
        found = seen_lists.get(names)
        if found is not None:
            yield task, found
            continue
        found = seen_lists[names] = {}
        for written in names:  # named itself: 牵头 when named first
            for i in named.get(written, ()):
                if i not in found:
                    found[i] = lead if written == names[0] else direct
        for written in names:  # else the first group that surely covers it, else possibly
            for i, how in sure.get(written, ()):
                now = found.get(i)
                if now is None or now.possible:
                    found[i] = how
            for i, how in maybe.get(written, ()):
                if i not in found:
                    found[i] = how
        yield task, found


def suggest(word: str, candidates: list[str]) -> str | None:
    """The closest candidate, for a did-you-mean; containment counts before similarity."""
    if not word:
        return None
    contained = [c for c in candidates if word in c or c in word]
    if len(contained) == 1:
        return contained[0]
    import difflib  # only a mistake needs suggestions

    close = difflib.get_close_matches(word, contained or candidates, n=1, cutoff=0.5)
    return close[0] if close else None


def lookup(directory: Directory, query: str) -> Unit:
    """A unit by its name, an alias, or an unambiguous part of a name (经委 -> 区经委)."""
    query = query.strip()
    for unit in directory.units:
        if query == unit.name:
            return unit
    by_alias = [u for u in directory.units if query in u.aliases or query in u.former]
    if len(by_alias) == 1:
        return by_alias[0]
    partial = [
        u
        for u in directory.units
        if query and (query in u.name or any(query in a for a in u.aliases))
    ]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "、".join(u.name for u in partial)
        raise UsageError(f"单位“{query}”不明确，可能是：{names}。请写出完整名称。")
    group = directory.group(query)
    if group is not None:
        raise UsageError(
            f"“{query}”是统称（{group.meaning}），请指定具体单位，例如“{_example(directory, group.members)}”。"
        )
    hint = suggest(query, [u.name for u in directory.units])
    tip = f"是否为“{hint}”？" if hint else "可用 gkctl units 查看全部单位。"
    raise UsageError(f"未知单位“{query}”。{tip}")


def _example(directory: Directory, kinds: tuple[object, ...]) -> str:
    for unit in directory.units:
        if unit.kind in kinds:
            return unit.name
    return directory.units[0].name if directory.units else ""
