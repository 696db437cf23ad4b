"""The history of one task as git recorded it (gkctl log): what each commit changed in it.

Pure: the store (store.history) walks git and hands each pair of versions to `events`,
which reads the plan diff's changes of the task (core.plandiff) the way an office speaks
of them. A decision on an extension and a return (退办) rewrite an entry in place, which
the plan diff shows as the entry removed and added again; here the two halves are one
event, a decision or a return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from gkctl.core.plandiff import Change, ChangeKind, TaskDiff


class EventKind(StrEnum):
    ADDED = "added"  # the task appeared
    REMOVED = "removed"  # the task was deleted
    PROGRESS = "progress"
    RETURN = "return"
    ACCEPT = "accept"  # one unit's done report accepted (gkctl accept)
    EXTENSION = "extension"
    DECISION = "decision"
    DEADLINE = "deadline"
    TEXT = "text"
    UNITS = "units"
    CLOSED = "closed"
    CARRY = "carry"  # carried into another plan, or from one
    OTHER = "other"


_BY_FIELD = {
    "progress": EventKind.PROGRESS,
    "extensions": EventKind.EXTENSION,
    "deadline": EventKind.DEADLINE,
    "due": EventKind.DEADLINE,
    "milestones": EventKind.DEADLINE,
    "name": EventKind.TEXT,
    "content": EventKind.TEXT,
    "text": EventKind.TEXT,
    "units": EventKind.UNITS,
    "lead": EventKind.UNITS,
    "closed": EventKind.CLOSED,
    "closed_note": EventKind.CLOSED,
    "carried_from": EventKind.CARRY,
    "carried_to": EventKind.CARRY,
}


@dataclass(frozen=True)
class Event:
    kind: EventKind
    change: Change

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, **self.change.as_dict()}


# The fields that name an entry: a decision or a return leaves them as they were.
_SAME_EXTENSION = ("date", "unit", "to", "reason")
_SAME_PROGRESS = ("date", "unit", "status", "note", "link")


def _pair(removed: Change, added: Change) -> EventKind | None:
    """The event that rewrote `removed` into `added`, if one did."""
    old, new = removed.before, added.after
    if removed.field != added.field:
        return None
    if removed.field == "extensions":
        same = all(old[k] == new[k] for k in _SAME_EXTENSION)
        return EventKind.DECISION if same and old["decision"] != new["decision"] else None
    if removed.field == "progress":
        same = all(old[k] == new[k] for k in _SAME_PROGRESS)
        if not same:
            return None
        if old["returned"] != new["returned"]:
            return EventKind.RETURN
        return EventKind.ACCEPT if old.get("accepted") != new.get("accepted") else None
    return None


def events(diff: TaskDiff) -> tuple[Event, ...]:
    """The task's changes in one commit, with each rewritten entry as one event."""
    out: list[Event] = []
    if diff.change is ChangeKind.ADDED:
        # What an added task says of itself (a carried task: where it came from) follows.
        out.append(Event(EventKind.ADDED, Change("task", None, diff.id)))
    elif diff.change is ChangeKind.REMOVED:
        return (Event(EventKind.REMOVED, Change("task", diff.id, None)),)
    changes = diff.changes
    used: set[int] = set()
    # In the plan diff's order of fields; a pair stands where its removed half stood.
    for i, change in enumerate(changes):
        if i in used:
            continue
        kind = None
        if change.after is None:
            for j in range(i + 1, len(changes)):
                added = changes[j]
                if j not in used and added.before is None:
                    kind = _pair(change, added)
                    if kind is not None:
                        used.add(j)
                        change = Change(change.field, change.before, added.after)
                        break
        out.append(Event(kind or _BY_FIELD.get(change.field, EventKind.OTHER), change))
    return tuple(out)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    authored: date
    committed: date
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class Entry:
    """One commit that changed the task (or whose tasks.yaml could not be read).

    `problems`: why this version could not be read (then `events` is empty);
    `against`: where the previous version could not be read, the commit whose version
    this one was compared with instead."""

    commit: Commit
    path: str
    events: tuple[Event, ...] = ()
    problems: tuple[str, ...] = ()
    against: Commit | None = None


@dataclass(frozen=True)
class TaskLog:
    """Newest first. `stops_at`: in a shallow clone, the oldest commit the clone holds (the
    task may have changed before it); `scanned`: the commits that touched tasks.yaml."""

    task_id: int
    entries: tuple[Entry, ...]
    scanned: int
    stops_at: Commit | None = None
