"""Forms out and back (填报表): which units got a form, which sent it back, and who owes
one and for how long, from the events `form` and `progress import` log
(store.formslog). A unit owes the latest form it was sent until a form of it is imported
on or after that day."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple


class FormEventKind(StrEnum):
    SENT = "sent"
    RETURNED = "returned"


class FormEvent(NamedTuple):
    unit: str
    kind: FormEventKind
    day: date  # the day the form was written or imported
    form_as_of: date  # the form's own date (its statuses as of that day)


class FormState(NamedTuple):
    unit: str
    sent: date  # the latest form sent, on or before the view date
    returned: date | None  # the import of it, if any
    days_owing: int | None  # days since sent, while not returned


def form_states(events: tuple[FormEvent, ...], as_of: date) -> tuple[FormState, ...]:
    """Each unit that was sent a form by `as_of`: owing ones first, longest first, then
    the returned ones, in the order their forms went out."""
    sent: dict[str, date] = {}
    for e in events:
        if e.kind is FormEventKind.SENT and e.day <= as_of:
            sent[e.unit] = max(sent.get(e.unit, e.day), e.day)
    out = []
    for unit, day in sent.items():
        back = [
            e.day
            for e in events
            if e.unit == unit and e.kind is FormEventKind.RETURNED and day <= e.day <= as_of
        ]
        returned = min(back) if back else None
        out.append(FormState(unit, day, returned, None if back else (as_of - day).days))
    # Stable: units of one day stay in the order the forms were written (the directory's).
    out.sort(key=lambda s: (s.returned is not None, -(s.days_owing or 0), s.sent))
    return tuple(out)
