"""A new, empty plan of a folder of plans: its tasks.yaml with the document's facts only."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

from gkctl.core.errors import DataError, Problem
from gkctl.store import atomic, loader, paths, yamlsrc
from gkctl.store.edit import scalar


def empty_plan(
    target: Path, title: str, number: str, issuer: str, published: date, year: int
) -> Path:
    """Write `target` (plans/NAME/tasks.yaml), checked by the loader before it is written:
    a plan that validate would refuse is never started."""
    text = plan_text(
        "# gkctl plan: started empty with gkctl plan new. Tasks come from gkctl carry (the\n"
        "# previous plan's open tasks) or are added by hand; units.yaml is the one above.\n",
        title,
        number,
        issuer,
        published,
        year,
    )
    units = paths.units_file(target.parent)
    _, problems = loader.check_bytes(
        text.encode("utf-8"), units.read_bytes(), paths.shown(target), paths.shown(units)
    )
    if problems:
        raise DataError(problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text(target, text)


def plan_text(
    header: str, title: str, number: str, issuer: str, published: date | None, year: int
) -> str:
    """A tasks.yaml with the document's facts and no tasks (a plan without `published`
    validates with a warning)."""
    when = f"  published: {published.isoformat()}\n" if published is not None else ""
    return (
        f"{header}"
        "document:\n"
        f"  title: {scalar(title)}\n"
        f"  number: {scalar(number)}\n"
        f"  issuer: {scalar(issuer)}\n"
        f"{when}"
        f"  year: {year}\n"
        "\n"
        "sections: []\n"
        "\n"
        "tasks: []\n"
    )


class Held(NamedTuple):
    """What a tasks.yaml records beyond the plan's text: the office's and the units' work,
    which an import of a new table would replace (it holds only the table's text)."""

    progress: int  # progress entries, done reports and returns among them
    extensions: int  # extension requests, decided or not
    closed: int  # tasks closed (销号)
    carried: int  # carry-over links to or from another plan

    @property
    def total(self) -> int:
        return self.progress + self.extensions + self.closed + self.carried


def held_records(raw: bytes, shown: str) -> Held | None:
    """The records in a tasks.yaml's bytes, counted from its YAML whether or not it
    validates (a plan with one bad date still holds a year of progress); None where it
    cannot be read as YAML at all, so no one can tell what it holds."""
    problems: list[Problem] = []
    source = yamlsrc.read_bytes(raw, shown, problems)
    if source.root is None:
        return None
    top = yamlsrc.plain(source.root)
    tasks = top.get("tasks") if isinstance(top, dict) else None
    counts = [0, 0, 0, 0]
    for task in tasks if isinstance(tasks, list) else []:
        if not isinstance(task, dict):
            continue
        for i, key in enumerate(("progress", "extensions")):
            entries = task.get(key)
            counts[i] += len(entries) if isinstance(entries, list) else 0
        counts[2] += task.get("closed") is not None
        counts[3] += sum(task.get(k) is not None for k in ("carried_from", "carried_to"))
    return Held(*counts)
