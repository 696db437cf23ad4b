"""A new, empty plan of a folder of plans: its tasks.yaml with the document's facts only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gkctl.core.errors import DataError
from gkctl.store import atomic, loader, paths
from gkctl.store.edit import scalar


def empty_plan(
    target: Path, title: str, number: str, issuer: str, published: date, year: int
) -> Path:
    """Write `target` (plans/NAME/tasks.yaml), checked by the loader before it is written:
    a plan that validate would refuse is never started."""
    text = (
        "# gkctl plan: started empty with gkctl plan new. Tasks come from gkctl carry (the\n"
        "# previous plan's open tasks) or are added by hand; units.yaml is the one above.\n"
        "document:\n"
        f"  title: {scalar(title)}\n"
        f"  number: {scalar(number)}\n"
        f"  issuer: {scalar(issuer)}\n"
        f"  published: {published.isoformat()}\n"
        f"  year: {year}\n"
        "\n"
        "sections: []\n"
        "\n"
        "tasks: []\n"
    )
    units = paths.units_file(target.parent)
    _, problems = loader.check_bytes(
        text.encode("utf-8"), units.read_bytes(), paths.shown(target), paths.shown(units)
    )
    if problems:
        raise DataError(problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text(target, text)
