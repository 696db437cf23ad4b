"""The deadline corpus (tests/data/deadline_corpus.yaml): each real text, its reading, the share read.

`python -m tests.deadline_corpus` prints how many texts the grammar reads as expected, how
many it refuses as expected (a deliberate refusal that says what to write), and each miss.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from gkctl.core.deadlines import Deadline, resolve
from gkctl.core.errors import DeadlineError

CORPUS = Path(__file__).parent / "data" / "deadline_corpus.yaml"


def load() -> dict[str, Any]:
    with CORPUS.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def reading(resolved: Deadline) -> dict[str, Any]:
    """The fields of a reading the corpus states, in the corpus's own words."""
    out: dict[str, Any] = {"kind": resolved.kind.value}
    if resolved.recurrence is not None:
        out |= {
            "recurrence": resolved.recurrence.value,
            "month": resolved.recurrence_month,
            "day": resolved.recurrence_day,
        }
    else:
        out["due"] = resolved.due
    if resolved.milestones:
        out["milestones"] = [m.due for m in resolved.milestones]
    return out


def check(cell: dict[str, Any]) -> tuple[str, str]:
    """('read' | 'refused' | 'miss', what happened) for one corpus entry."""
    expect = cell["expect"]
    try:
        resolved = resolve(cell["text"], int(cell["year"]), None)
    except DeadlineError as exc:
        if "refuse" in expect and expect["refuse"] in exc.message:
            return "refused", exc.message
        return "miss", exc.message
    if "refuse" in expect:
        return "miss", f"读成了 {reading(resolved)}，应拒绝"
    got = reading(resolved)
    wanted = {k: v for k, v in expect.items()}
    if all(got.get(k) == v for k, v in wanted.items()):
        return "read", str(got)
    return "miss", f"读成了 {got}，应为 {wanted}"


def main() -> int:
    cells = load()["cells"]
    results = [(cell, *check(cell)) for cell in cells]
    counts = {k: sum(1 for _, o, _ in results if o == k) for k in ("read", "refused", "miss")}
    total = len(cells)
    for cell, outcome, what in results:
        if outcome == "miss":
            print(f"未读懂  {cell['text']}\n        {what}")
    print(
        f"{total} 条：按预期读懂 {counts['read']} 条（{counts['read'] * 100 // total}%），"
        f"按预期拒绝并说明写法 {counts['refused']} 条，未读懂 {counts['miss']} 条"
    )
    return 0 if counts["miss"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

_ = date  # dates in the corpus are read by PyYAML as datetime.date
