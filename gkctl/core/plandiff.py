"""What changed between two valid revisions of the plan, task by task and unit by unit.

The result holds only JSON-ready values (text, ISO dates, lists, mappings), so that the
JSON, Markdown and table forms all read the same facts. Text edits are diffed on tokens
that suit Chinese: every CJK character and punctuation mark is a token of its own (a
Chinese sentence has no spaces to split on), while a run of Latin letters or digits
(2024, 7.0, http) stays whole, so that 2024 -> 2025 reads as one replacement.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from gkctl.core import status
from gkctl.core.model import Dataset, Directory, Group, Link, MilestoneSpec, Task, Unit
from gkctl.core.records import extension_record, iso, progress_record
from gkctl.core.status import Status

# Characters of unchanged text kept on each side of an edit, and the most characters of
# one diff shown; a whole rewritten paragraph is cut, the full texts stay in before/after.
CONTEXT = 8
LIMIT = 160
FOLD = 1
GROUP_KIND = "group"


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    RENAMED = "renamed"


class Op(StrEnum):
    EQUAL = "equal"
    DELETE = "delete"
    INSERT = "insert"


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class Change:
    """One field that differs. `before`/`after` are JSON-ready (None where absent)."""

    field: str
    before: Any
    after: Any
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    diff: tuple[Segment, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "before": self.before, "after": self.after}
        out.update(self.extra)
        if self.diff:
            out["diff"] = [{"op": s.op.value, "text": s.text} for s in self.diff]
        return out


@dataclass(frozen=True)
class TaskDiff:
    id: int
    change: ChangeKind
    task: Task  # as in head; as in base for a removed task
    changes: tuple[Change, ...]
    status_before: Status | None
    status_after: Status | None
    due_before: date | None
    due_after: date | None

    @property
    def becomes_overdue(self) -> bool:
        return self.status_after is Status.OVERDUE and self.status_before is not Status.OVERDUE


@dataclass(frozen=True)
class UnitDiff:
    """A unit (or a group, kind "group") of units.yaml that was added, removed, renamed or
    edited. `tasks`: for a removed unit the base tasks that named it; for a renamed one the
    tasks that now name it under its new name."""

    name: str
    change: ChangeKind
    kind: str
    changes: tuple[Change, ...] = ()
    old_name: str | None = None
    tasks: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    as_of: date
    document: tuple[Change, ...]
    tasks: tuple[TaskDiff, ...]
    units: tuple[UnitDiff, ...]
    # gkctl.toml's settings that changed: `data` changes which plan every command reads,
    # so it is a change in its own right even where the plans compared are the same.
    config: tuple[Change, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.document or self.tasks or self.units or self.config)

    @property
    def data_moved(self) -> Change | None:
        return next((c for c in self.config if c.field == "data"), None)

    def count(self, change: ChangeKind) -> int:
        return sum(1 for t in self.tasks if t.change is change)


# --- text diff ----------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[._:/-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def text_diff(
    before: str, after: str, context: int = CONTEXT, limit: int = LIMIT
) -> tuple[Segment, ...]:
    """A short inline diff: edits with `context` characters of unchanged text around them."""
    if before == after:
        return ()
    a, b = tokens(before), tokens(after)
    # [equal, deleted, inserted] runs; an equal run of FOLD characters or fewer between two
    # edits is folded into them, so that 推进情况 -> 推动进展 reads as one replacement.
    runs: list[list[str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            runs.append([old, "", ""])
        elif runs and not runs[-1][0]:
            runs[-1][1] += old
            runs[-1][2] += new
        else:
            runs.append(["", old, new])
    merged: list[list[str]] = []
    for run in runs:
        if not run[0] and len(merged) >= 2 and len(merged[-1][0]) <= FOLD and not merged[-2][0]:
            kept = merged.pop()[0]
            merged[-1][1] += kept + run[1]
            merged[-1][2] += kept + run[2]
        else:
            merged.append(run)
    segments: list[Segment] = []
    budget = limit
    for i, (equal, deleted, inserted) in enumerate(merged):
        if budget <= 0:
            segments.append(Segment(Op.EQUAL, "…"))
            break
        if equal:
            segments.append(
                Segment(Op.EQUAL, _context(equal, i == 0, i == len(merged) - 1, context))
            )
            continue
        for op, text in ((Op.DELETE, deleted), (Op.INSERT, inserted)):
            if text:
                shown = text if len(text) <= budget else text[: max(budget, 1)] + "…"
                budget -= len(shown)
                segments.append(Segment(op, shown))
    return tuple(segments)


def _context(text: str, first: bool, last: bool, context: int) -> str:
    if first and last:
        return text
    if first:
        return text if len(text) <= context else "…" + text[-context:]
    if last:
        return text if len(text) <= context else text[:context] + "…"
    return text if len(text) <= 2 * context + 1 else text[:context] + "…" + text[-context:]


# --- records -------------------------------------------------------------------------------


def milestone_record(m: MilestoneSpec) -> dict[str, Any]:
    return {"name": m.name, "deadline": m.deadline, "due": iso(m.due)}


# --- tasks ---------------------------------------------------------------------------------

TEXT_FIELDS = ("name", "content", "text")


def _entries(
    field_name: str, before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]
) -> list[Change]:
    """Entries (progress, extensions, milestones) removed and added, as a multiset."""

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(record.values())

    old, new = list(before), list(after)
    old_count, new_count = Counter(map(key, old)), Counter(map(key, new))
    out = []
    for r in old:
        if new_count[key(r)] < old_count[key(r)]:
            old_count[key(r)] -= 1
            out.append(Change(field_name, r, None))
    for r in new:
        if old_count[key(r)] < new_count[key(r)]:
            new_count[key(r)] -= 1
            out.append(Change(field_name, None, r))
    return out


def _units_change(old: Task, new: Task, renames: dict[str, str]) -> list[Change]:
    if old.units == new.units:
        return []
    removed = [u for u in old.units if u not in new.units]
    added = [u for u in new.units if u not in old.units]
    renamed = {u: renames[u] for u in removed if renames.get(u) in added}
    extra: dict[str, Any] = {
        "added": [u for u in added if u not in renamed.values()],
        "removed": [u for u in removed if u not in renamed],
        "renamed": [{"before": k, "after": v} for k, v in renamed.items()],
    }
    out = [Change("units", list(old.units), list(new.units), extra)]
    if old.lead != new.lead and renames.get(old.lead or "") != new.lead:
        out.append(Change("lead", old.lead, new.lead))
    return out


def _deadline_change(
    base: Dataset, head: Dataset, old: Task, new: Task, as_of: date
) -> list[Change]:
    due_before = status.task_deadline(base, old).due_on(as_of)
    due_after = status.task_deadline(head, new).due_on(as_of)
    out = []
    # Same text with a different date: the plan's year or publication date moved.
    if old.deadline != new.deadline or (old.due == new.due and due_before != due_after):
        out.append(
            Change(
                "deadline",
                old.deadline,
                new.deadline,
                {"due_before": iso(due_before), "due_after": iso(due_after)},
            )
        )
    if old.due != new.due:
        out.append(Change("due", iso(old.due), iso(new.due)))
    return out


def _task_changes(
    base: Dataset, head: Dataset, old: Task, new: Task, as_of: date, renames: dict[str, str]
) -> list[Change]:
    out: list[Change] = []
    if old.section != new.section:
        out.append(Change("section", old.section, new.section))
    for name in TEXT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(Change(name, before, after, diff=text_diff(before, after)))
    out += _units_change(old, new, renames)
    out += _deadline_change(base, head, old, new, as_of)
    out += _entries(
        "milestones", map(milestone_record, old.milestones), map(milestone_record, new.milestones)
    )
    out += _entries(
        "extensions", map(extension_record, old.extensions), map(extension_record, new.extensions)
    )
    out += _entries(
        "progress", map(progress_record, old.progress), map(progress_record, new.progress)
    )
    if old.closed != new.closed:
        action = "closed" if old.closed is None else "reopened" if new.closed is None else "redated"
        out.append(Change("closed", iso(old.closed), iso(new.closed), {"action": action}))
    for name in ("closed_note", "notes"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(Change(name, before, after, diff=text_diff(before, after)))
    for name in ("carried_from", "carried_to"):  # carry-over between plans
        was, now = getattr(old, name), getattr(new, name)
        if (was and (was.plan, was.id)) != (now and (now.plan, now.id)):
            out.append(Change(name, _link(was), _link(now)))
    return out


def _task_diff(
    base: Dataset,
    head: Dataset,
    old: Task | None,
    new: Task | None,
    as_of: date,
    renames: dict[str, str],
) -> TaskDiff | None:
    """One task from `base` to `head` (None where it is absent); None when nothing changed."""
    changes: list[Change] = []
    before = status.state(base, old, as_of) if old else None
    after = status.state(head, new, as_of) if new else None
    if old is None:
        assert new is not None
        kind, shown = ChangeKind.ADDED, new
        if new.carried_from is not None:  # a carried task says where it came from
            changes = [Change("carried_from", None, _link(new.carried_from))]
    elif new is None:
        kind, shown = ChangeKind.REMOVED, old
    else:
        changes = _task_changes(base, head, old, new, as_of, renames)
        if not changes:
            return None
        kind, shown = ChangeKind.MODIFIED, new
    return TaskDiff(
        shown.id,
        kind,
        shown,
        tuple(changes),
        before.status if before else None,
        after.status if after else None,
        before.due if before else None,
        after.due if after else None,
    )


def _link(link: Link | None) -> str | None:
    return None if link is None else str(link)


def _tasks(base: Dataset, head: Dataset, as_of: date, renames: dict[str, str]) -> list[TaskDiff]:
    old_tasks = {t.id: t for t in base.plan.tasks}
    new_tasks = {t.id: t for t in head.plan.tasks}
    out = []
    for task_id in sorted(old_tasks.keys() | new_tasks.keys()):
        found = _task_diff(
            base, head, old_tasks.get(task_id), new_tasks.get(task_id), as_of, renames
        )
        if found is not None:
            out.append(found)
    return out


def task_diff(base: Dataset, head: Dataset, task_id: int, as_of: date) -> TaskDiff | None:
    """What `compare` says of one task (None: absent from both, or unchanged), without
    comparing the others: the history of one task (gkctl log) asks this once per commit."""
    old = next((t for t in base.plan.tasks if t.id == task_id), None)
    new = next((t for t in head.plan.tasks if t.id == task_id), None)
    if old is None and new is None:
        return None
    return _task_diff(base, head, old, new, as_of, _renames(base, head))


# --- units.yaml ----------------------------------------------------------------------------


def _naming(tasks: Iterable[Task], name: str) -> list[Task]:
    return [t for t in tasks if name in t.units]


def _renames(base: Dataset, head: Dataset) -> dict[str, str]:
    """Removed units that an added unit of the same kind replaces: every base task that named
    the old name and is still there names the new one in its place (and at least one does),
    or the new unit keeps the old name or one of its aliases as an alias."""
    old_dir, new_dir = base.directory, head.directory
    removed = [u for u in old_dir.units if new_dir.unit(u.name) is None]
    added = [u for u in new_dir.units if old_dir.unit(u.name) is None]
    new_tasks = {t.id: t for t in head.plan.tasks}
    out: dict[str, str] = {}
    for old in removed:
        if _naming(head.plan.tasks, old.name):
            continue
        users = [t for t in _naming(base.plan.tasks, old.name) if t.id in new_tasks]
        for new in added:
            if new.kind != old.kind or new.name in out.values():
                continue
            swapped = bool(users) and all(
                new_tasks[t.id].units == tuple(new.name if u == old.name else u for u in t.units)
                for t in users
            )
            kept = old.name in (*new.aliases, *new.former) or bool(
                set(old.aliases) & set(new.aliases)
            )
            if swapped or kept:
                out[old.name] = new.name
                break
    return out


def _list_change(name: str, before: tuple[str, ...], after: tuple[str, ...]) -> list[Change]:
    if before == after:
        return []
    return [
        Change(
            name,
            list(before),
            list(after),
            {
                "added": [a for a in after if a not in before],
                "removed": [b for b in before if b not in after],
            },
        )
    ]


def _unit_fields(old: Unit, new: Unit) -> list[Change]:
    out = []
    if old.kind != new.kind:
        out.append(Change("kind", old.kind.value, new.kind.value))
    out += _list_change("aliases", old.aliases, new.aliases)
    out += _list_change("former", old.former, new.former)
    for name in ("full_name", "source"):
        if getattr(old, name) != getattr(new, name):
            out.append(Change(name, getattr(old, name), getattr(new, name)))
    return out


def _group_fields(old: Group, new: Group) -> list[Change]:
    out = []
    if old.meaning != new.meaning:
        out.append(
            Change("meaning", old.meaning, new.meaning, diff=text_diff(old.meaning, new.meaning))
        )
    out += _list_change(
        "members", tuple(k.value for k in old.members), tuple(k.value for k in new.members)
    )
    if old.relevant != new.relevant:
        out.append(Change("relevant", old.relevant, new.relevant))
    if old.same_as != new.same_as:
        out.append(Change("same_as", old.same_as, new.same_as))
    return out


def _units(base: Dataset, head: Dataset, renames: dict[str, str]) -> list[UnitDiff]:
    old_dir, new_dir = base.directory, head.directory
    found: list[tuple[int, UnitDiff]] = []
    new_names = set(renames.values())
    for i, new in enumerate(new_dir.units):
        old = old_dir.unit(new.name)
        if old is not None:
            changes = _unit_fields(old, new)
            if changes:
                found.append(
                    (i, UnitDiff(new.name, ChangeKind.MODIFIED, new.kind.value, tuple(changes)))
                )
        elif new.name in new_names:
            old_name = next(k for k, v in renames.items() if v == new.name)
            old_unit = old_dir.unit(old_name)
            assert old_unit is not None
            users = tuple(t.id for t in _naming(head.plan.tasks, new.name))
            found.append(
                (
                    i,
                    UnitDiff(
                        new.name,
                        ChangeKind.RENAMED,
                        new.kind.value,
                        (Change("name", old_name, new.name), *_unit_fields(old_unit, new)),
                        old_name,
                        users,
                    ),
                )
            )
        else:
            found.append(
                (
                    i,
                    UnitDiff(
                        new.name,
                        ChangeKind.ADDED,
                        new.kind.value,
                        tuple(_list_change("aliases", (), new.aliases)),
                    ),
                )
            )
    for i, old in enumerate(old_dir.units):
        if new_dir.unit(old.name) is None and old.name not in renames:
            users = tuple(t.id for t in _naming(base.plan.tasks, old.name))
            found.append(
                (
                    _position(new_dir, old_dir, i),
                    UnitDiff(old.name, ChangeKind.REMOVED, old.kind.value, (), tasks=users),
                )
            )
    found.sort(key=lambda pair: pair[0])
    return [d for _, d in found] + _groups(base, head)


def _position(new_dir: Directory, old_dir: Directory, index: int) -> int:
    """Where a removed unit would stand in head's order: after its surviving predecessor."""
    for old in reversed(old_dir.units[:index]):
        for j, new in enumerate(new_dir.units):
            if new.name == old.name:
                return j
    return -1


def _groups(base: Dataset, head: Dataset) -> list[UnitDiff]:
    old_dir, new_dir = base.directory, head.directory
    out = []
    for new in new_dir.groups:
        old = old_dir.group(new.name)
        if old is None:
            out.append(UnitDiff(new.name, ChangeKind.ADDED, GROUP_KIND))
        elif changes := _group_fields(old, new):
            out.append(UnitDiff(new.name, ChangeKind.MODIFIED, GROUP_KIND, tuple(changes)))
    for old in old_dir.groups:
        if new_dir.group(old.name) is None:
            users = tuple(t.id for t in _naming(base.plan.tasks, old.name))
            out.append(UnitDiff(old.name, ChangeKind.REMOVED, GROUP_KIND, tasks=users))
    return out


# --- document ------------------------------------------------------------------------------


def _document(base: Dataset, head: Dataset) -> list[Change]:
    old, new = base.plan.document, head.plan.document
    out = []
    for name in ("title", "number", "issuer", "published", "year"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            if isinstance(before, date) or isinstance(after, date):
                before, after = iso(before), iso(after)
            out.append(Change(name, before, after))
    old_sections = [{"id": s.id, "title": s.title} for s in base.plan.sections]
    new_sections = [{"id": s.id, "title": s.title} for s in head.plan.sections]
    if old_sections != new_sections:
        out.append(Change("sections", old_sections, new_sections))
    return out


def compare(
    base: Dataset,
    head: Dataset,
    as_of: date,
    config: tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] = (None, None),
) -> PlanDiff:
    """Everything that differs from `base` to `head`, judged (overdue or not) as of `as_of`;
    `config`: each side's gkctl.toml settings, where the sides have them."""
    renames = _renames(base, head)
    return PlanDiff(
        as_of,
        tuple(_document(base, head)),
        tuple(_tasks(base, head, as_of, renames)),
        tuple(_units(base, head, renames)),
        config_changes(*config),
    )


def _flat(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A table of settings ([office]) as one setting per key: office.name."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def config_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[Change, ...]:
    """The gkctl.toml settings that differ ({} for no gkctl.toml), `data` first; nothing
    where a side has no settings to compare (a plan on disk)."""
    if before is None or after is None:
        return ()
    before, after = _flat(before), _flat(after)
    keys = sorted(dict.fromkeys([*before, *after]), key=lambda k: k != "data")
    return tuple(
        Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)
    )
