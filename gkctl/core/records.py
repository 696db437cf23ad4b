"""Model records as plain dicts: the one shape of a progress or extension entry shared by
machine output (JSON), the plan diff (which compares them) and the report context."""

from __future__ import annotations

from datetime import date
from typing import Any

from gkctl.core.model import Extension, Progress


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def progress_record(p: Progress) -> dict[str, Any]:
    """A progress entry as machine output (JSON, diffs, report context)."""
    return {
        "date": p.date.isoformat(),
        "unit": p.unit,
        "status": p.status.value,
        "note": p.note,
        "link": p.link,
        "returned": iso(p.returned),
        "return_reason": p.return_reason,
        # The day it reached the office; an entry without `recorded:` was written on its date.
        "recorded": p.entered.isoformat(),
        "accepted": iso(p.accepted),
    }


def extension_record(e: Extension) -> dict[str, Any]:
    """An extension request as machine output (JSON, diffs, report context), with the
    office's decision; `legacy`: no decision was written (read as approved on the day asked)."""
    return {
        "date": e.date.isoformat(),
        "unit": e.unit,
        "to": e.to.isoformat(),
        "reason": e.reason,
        "late": e.late,
        "decision": e.decision.value,
        "decided": iso(e.decided),
        "decision_note": e.decision_note,
        "legacy": e.legacy,
        "recorded": e.entered.isoformat(),
    }
