"""The year-end 回头看 as template data (core.yearend): plain dicts and numbers for the
`year` report template, the Word 通报 made from it and the site's year page."""

from __future__ import annotations

from typing import Any

from gkctl.core.records import iso
from gkctl.core.status import STATUS_LABELS
from gkctl.core.yearend import Decided, Tally, YearReview
from gkctl.views.labels import deadline_text, outcome_days, short


def _tally(t: Tally) -> dict[str, Any]:
    average = t.average_late
    return {
        "judged": t.judged,
        "on_time": t.on_time,
        "after_extension": t.after_extension,
        "late": t.late,
        "unfinished": t.unfinished,
        # Whole percent, as every completion rate gkctl shows.
        "rate": round(100 * t.on_time / t.judged) if t.judged else None,
        "average_late": None if average is None else round(average, 1),
        # 晚1天, 晚2.5天: a label, as a cell starting "1." would read as a list in Markdown.
        "average_late_label": "—" if average is None else f"晚{round(average, 1):g}天",
        "ongoing_reported": t.ongoing_reported,
        "ongoing_unreported": t.ongoing_unreported,
        "not_deployed": t.not_deployed,
        "running": t.running,
    }


def _decided(d: Decided) -> dict[str, Any]:
    e = d.extension
    return {
        "task": d.task.id,
        "task_summary": short(d.task.content),
        "unit": e.unit,
        "date": iso(e.date),
        "to": iso(e.to),
        "reason": e.reason,
        "decided": iso(e.decided),
        "decision_note": e.decision_note,
        "legacy": e.legacy,
    }


def year_dict(review: YearReview) -> dict[str, Any]:
    """The 回头看's numbers and lists (README, “年终回头看”)."""
    tasks = [
        {
            "id": s.task.id,
            "section": s.task.section,
            "summary": short(s.task.content),
            "lead": s.task.lead or "",
            "deadline": deadline_text(s.task.deadline),
            "due": iso(s.due),
            "status": s.status.value,
            "status_label": STATUS_LABELS[s.status],
            "finished": iso(s.finished),
            "days_late": s.days_late,
            "days_label": outcome_days(s.status, s.days_late),
        }
        for s in review.states
    ]
    return {
        "end": review.end.isoformat(),
        "plan": _tally(review.plan),
        "units": [
            {"rank": i, "name": u.unit.name, **_tally(u.tally)}
            for i, u in enumerate(review.units, 1)
        ],
        "sections": [
            {"id": s.section.id, "title": s.section.title, **_tally(s.tally)}
            for s in review.sections
        ],
        "tasks": tasks,
        "approved": [_decided(d) for d in review.approved],
        "rejected": [_decided(d) for d in review.rejected],
        "undecided": [_decided(d) for d in review.undecided],
        "returned": [
            {
                "task": r.task.id,
                "task_summary": short(r.task.content),
                "unit": r.progress.unit,
                "date": iso(r.progress.date),
                "returned": iso(r.progress.returned),
                "return_reason": r.progress.return_reason,
            }
            for r in review.returned
        ],
        "unrecorded": len(review.unrecorded),
        "total": len(review.states),
    }
