"""forms-log.yaml, in the plan's folder: the forms `form` wrote and the ones `progress
import` took back, one line each (store.eventlog), read into core.forms events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gkctl.core.forms import FormEvent, FormEventKind
from gkctl.store import eventlog

FORMS_LOG = "forms-log.yaml"
_HEADER = (
    "# gkctl 填报表的发出与交回：gkctl form 发出时、gkctl progress import 导入时各记一行。\n"
    "# gkctl review 据此列出还欠填报表的单位。\n"
)
_KEYS = ("unit", "event", "date", "form_date")


def read(plan_dir: Path) -> eventlog.EventLog:
    kinds = {"event": tuple(k.value for k in FormEventKind)}
    return eventlog.read(
        plan_dir / FORMS_LOG, _HEADER, "forms", _KEYS, frozenset({"date", "form_date"}), kinds
    )


def events(plan_dir: Path) -> tuple[FormEvent, ...]:
    out = []
    for e in read(plan_dir).entries:
        day, form_day = e["date"], e["form_date"]
        assert isinstance(day, date) and isinstance(form_day, date)  # read as dates
        out.append(FormEvent(str(e["unit"]), FormEventKind(str(e["event"])), day, form_day))
    return tuple(out)


def record(plan_dir: Path, kind: FormEventKind, forms: list[tuple[str, date]], day: date) -> None:
    """One line per form (unit, the form's date) sent or taken back on `day`."""
    added: list[eventlog.Entry] = [
        {"unit": unit, "event": kind.value, "date": day, "form_date": form_day}
        for unit, form_day in forms
    ]
    eventlog.append(read(plan_dir), *added)
