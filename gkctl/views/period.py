"""A period's changes (core.period.Changes) as plain dicts: the `changes` a report template
reads for its 本期变化 section (README, “报告模板可用的变量”). Plain data only, like the
rest of the template context; shared by every view that shows a period."""

from __future__ import annotations

from typing import Any

from gkctl.core.model import Extension, Progress, Task
from gkctl.core.period import Changes
from gkctl.core.records import extension_record, iso, progress_record
from gkctl.core.status import STATUS_LABELS
from gkctl.views.labels import PROGRESS_LABELS, short

DECISION_LABELS = {"requested": "待批", "approved": "批准", "rejected": "不批准"}


def _about(task: Task) -> dict[str, Any]:
    return {"task": task.id, "task_summary": short(task.content), "task_name": task.name}


def _progress(task: Task, p: Progress) -> dict[str, Any]:
    return {**_about(task), **progress_record(p), "status_label": PROGRESS_LABELS[p.status]}


def _extension(task: Task, e: Extension) -> dict[str, Any]:
    record = extension_record(e)
    return {**_about(task), **record, "decision_label": DECISION_LABELS[record["decision"]]}


def changes_dict(c: Changes) -> dict[str, Any]:
    """`since`, `as_of`, `empty` and one list per kind of change, oldest first."""
    return {
        "since": c.since.isoformat(),
        "as_of": c.as_of.isoformat(),
        "empty": c.empty,
        "progress": [_progress(x.task, x.progress) for x in c.progress],
        "returned": [_progress(x.task, x.progress) for x in c.returned],
        "accepted": [_progress(x.task, x.progress) for x in c.accepted],
        "closed": [
            {**_about(t), "closed": iso(t.closed), "closed_note": t.closed_note} for t in c.closed
        ],
        "became_overdue": [
            {
                **_about(s.task),
                "units": list(s.task.units),
                "deadline": s.task.deadline,
                "due": iso(s.due),
                "days_overdue": -(s.days_left or 0),
                "status_label": STATUS_LABELS[s.status],
            }
            for s in c.became_overdue
        ],
        "requests": [_extension(x.task, x.extension) for x in c.requests],
        "decisions": [_extension(x.task, x.extension) for x in c.decisions],
    }
