"""Machine output: the versioned JSON envelope and Excel-friendly CSV (no Rich here).

The JSON shape is a contract (tests/test_contract.py pins it; the README documents it):
new keys may be added, existing keys keep their names, types and meaning while
`version` stays 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from gkctl.core import collector
from gkctl.core.deadlines import Deadline
from gkctl.core.model import Dataset, Link, Task
from gkctl.core.records import extension_record, iso, progress_record
from gkctl.core.status import RUNNING, STATUS_LABELS, Status, TaskState, UnitSummary

if TYPE_CHECKING:
    # Only `gkctl stats` and `gkctl review` need these; due/list JSON should not load them.
    from gkctl.core.behind import Answer, Move
    from gkctl.core.review import Queue
    from gkctl.core.stats import Counts, Stats
    from gkctl.core.trend import Point, Trend

JSON_VERSION = 1


def ending_record(dataset: Dataset, as_of: date) -> dict[str, Any]:
    """The envelope's word on the plan's end (core.planyear): after it, statuses are the
    final outcomes."""
    from gkctl.core import planyear

    ending = planyear.ending(dataset.plan, as_of)
    return {"plan_end": ending.end.isoformat(), "plan_ended": ending.ended}


def milestones(dataset: Dataset, task: Task, deadline: Deadline) -> list[dict[str, Any]]:
    """The deadline text's own dated clauses, then the task's `milestones:`."""
    from gkctl.core import deadlines

    out: list[dict[str, Any]] = [{"text": m.text, "due": iso(m.due)} for m in deadline.milestones]
    doc = dataset.plan.document
    for spec in task.milestones:
        due = spec.due
        if due is None and spec.deadline:
            due = deadlines.resolve(spec.deadline, doc.year, doc.published).due
        out.append({"text": spec.name, "due": iso(due)})
    return out


def deadline_record(deadline: Deadline, due: date | None = None) -> dict[str, Any]:
    from gkctl.core.deadlines import workday_due

    shown = due if due is not None else deadline.due
    workday = workday_due(shown)
    return {
        "text": deadline.text,
        "kind": deadline.kind.value,
        "due": iso(shown),
        "workday_due": iso(workday.date) if workday else None,
        "milestones": [{"text": m.text, "due": iso(m.due)} for m in deadline.milestones],
        "recurrence": deadline.recurrence.value if deadline.recurrence else None,
    }


def task_record(dataset: Dataset, s: TaskState, with_unit: bool = False) -> dict[str, Any]:
    task = s.task
    deadline = deadline_record(s.deadline, s.due)
    deadline["milestones"] = milestones(dataset, task, s.deadline)
    deadline["original_due"] = iso(s.original_due)
    record: dict[str, Any] = {
        "id": task.id,
        "section": task.section,
        "name": task.name,
        "content": task.content,
        "units": list(task.units),
        "deadline": deadline,
        "status": s.status.value,
        "days_left": s.days_left,
        "days_late": s.days_late,
        "finished": iso(s.finished),
        "closed": iso(task.closed),
        "extension": None if s.extension is None else extension_record(s.extension),
        "extension_request": None if s.request is None else extension_record(s.request),
        "extensions": [extension_record(e) for e in task.extensions],
        "reported": reported_record(dataset, s),
        "progress": [progress_record(p) for p in task.progress],
        "carried_from": link_record(task.carried_from),
        "carried_to": link_record(task.carried_to),
    }
    if s.plan:
        record["plan"] = s.plan
    if with_unit and s.involvement is not None:
        record["via"] = s.involvement.via
        record["lead"] = s.involvement.lead
        record["possible"] = s.involvement.possible
    return record


def link_record(link: Link | None) -> dict[str, Any] | None:
    return None if link is None else {"plan": link.plan, "id": link.id}


def reported_record(dataset: Dataset, s: TaskState, expected: int | None = None) -> dict[str, Any]:
    """Who has reported the task done among the units it is expected from (已报 n/m);
    `expected`: how many units that is, where the caller knows (nobody has reported)."""
    from gkctl.core.status import expected_units

    if s.reported is None:
        if expected is None:
            expected = len(expected_units(dataset, s.task))
        return {"units": [], "count": 0, "expected": expected}
    units = list(s.reported.units)
    return {"units": units, "count": len(units), "expected": len(s.reported.expected)}


@collector.pausing
def tasks_json(
    dataset: Dataset, states: Iterable[TaskState], as_of: date, unit: str | None = None
) -> str:
    envelope: dict[str, Any] = {"version": JSON_VERSION, "as_of": as_of.isoformat()}
    envelope.update(ending_record(dataset, as_of))
    if unit is not None:
        envelope["unit"] = unit
    with_unit = unit is not None
    envelope["tasks"] = Lazy(list(states), lambda s: task_record(dataset, s, with_unit))
    return dumps(envelope)


@collector.pausing
def plans_tasks_json(
    datasets: dict[str, Dataset], states: Iterable[TaskState], as_of: date, unit: str
) -> str:
    """A unit's tasks across the plans of a data folder, each with its "plan"."""
    envelope: dict[str, Any] = {"version": JSON_VERSION, "as_of": as_of.isoformat()}
    envelope["unit"] = unit
    envelope["plans"] = list(datasets)
    envelope["tasks"] = Lazy(list(states), lambda s: task_record(datasets[s.plan], s, True))
    return dumps(envelope)


@collector.pausing
def tasks_records(dataset: Dataset, states: Iterable[TaskState]) -> list[dict[str, Any]]:
    return [task_record(dataset, s) for s in states]


def summaries_json(
    rows: Iterable[UnitSummary],
    ranked: Sequence[Answer],
    as_of: date,
    tasks: list[dict[str, Any]] | None = None,
    ending: dict[str, Any] | None = None,
) -> str:
    """The plan-wide due view: the tasks that need attention, then one row per unit, most
    behind first (core.behind); `ending`: the plan's ending_record (one plan's view; plans
    end apart)."""
    from gkctl.core import behind
    from gkctl.core.stats import unit_light

    place = behind.places(ranked)
    lights = {a.unit.name: unit_light(a).value for a in ranked}
    return dumps(
        {
            "version": JSON_VERSION,
            "as_of": as_of.isoformat(),
            **(ending or {}),
            **({"tasks": tasks} if tasks is not None else {}),
            "ranked_by": list(behind.RANKED_BY),
            "units": [
                {
                    "rank": place[r.unit.name],
                    "light": lights[r.unit.name],
                    "unit": r.unit.name,
                    "kind": r.unit.kind.value,
                    "total": r.total,
                    "possible": r.possible,
                    "completion": round(r.completion, 4),
                    **{k.value: v for k, v in r.counts.items() if k is not Status.REPORTED},
                }
                for r in rows
            ],
        }
    )


def per_plan_json(parts: Sequence[tuple[str, str]], as_of: date) -> str:
    """Several plans' answers in one envelope: {"version", "as_of", "plans": [{"plan": name,
    …that plan's own answer}]}, each answer as the command gives it for one plan."""
    import json

    plans = []
    for name, text in parts:
        answer = json.loads(text)
        answer.pop("version", None)
        answer.pop("as_of", None)
        plans.append({"plan": name, **answer})
    return dumps({"version": JSON_VERSION, "as_of": as_of.isoformat(), "plans": plans})


def per_plan_csv(parts: Sequence[tuple[str, str]]) -> str:
    """Several plans' CSV answers as one table, a first column `plan` saying whose row."""
    import csv
    import io

    header: list[str] = ["plan"]
    rows: list[list[Any]] = []
    for name, text in parts:
        table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        if table:
            header = ["plan", *table[0]]
            rows += [[name, *row] for row in table[1:]]
    return to_csv(header, rows)


class Lazy:
    """A list in machine output made item by item as it is written (a task's record from its
    state), so that the records of every task are never all alive at once: 100,000 of them
    are ~200 MB, and `dumps` writes each and lets it go."""

    def __init__(self, items: Sequence[Any], make: Callable[[Any], Any]) -> None:
        self.items = items
        self.make = make

    def __iter__(self) -> Iterator[Any]:
        return map(self.make, self.items)

    def __len__(self) -> int:
        return len(self.items)


def _listed(o: Any) -> Any:
    if isinstance(o, Lazy):
        return list(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)` and a newline, the same text.

    With an indent, the standard library encodes in Python, a generator per dict and list
    (the C encoder serves only compact output): 50-60 ms of a unit's 200 ms `due
    --format json` over 10,000 tasks. _indented writes the same characters in a little
    over half the time for what machine output holds (dicts with text keys, lists, text, whole numbers,
    True/False/None, finite floats), and hands anything else to json."""
    import json  # only machine output needs it

    try:
        return _indented(data, json.encoder.encode_basestring) + "\n"
    except _NotPlain:
        return json.dumps(data, ensure_ascii=False, indent=2, default=_listed) + "\n"


_CHUNK = 4096


class _NotPlain(Exception):
    """A value _indented leaves to json (a non-text key, a float NaN, another type)."""


def _indented(data: Any, quote: Callable[[str], str]) -> str:
    # The small pieces are joined into a chunk every few thousand, at an item of a list:
    # millions of them alive at once (every task of 100,000 as json) scatter over memory,
    # and building and joining them grew 12 times from 10,000 tasks; chunks keep it linear.
    chunks: list[str] = []
    parts: list[str] = []
    put = parts.append

    def value(o: Any, newline: str) -> None:
        # `newline`: a line break and the indent of the line `o` starts on.
        kind = type(o)
        if kind is str:
            put(quote(o))
        elif kind is dict:
            if not o:
                put("{}")
                return
            inner = newline + "  "
            lead = "{" + inner
            for key, item in o.items():
                if type(key) is not str:
                    raise _NotPlain
                if type(item) is str:  # most values: written here, not by a call
                    put(lead + quote(key) + ": " + quote(item))
                else:
                    put(lead + quote(key) + ": ")
                    value(item, inner)
                lead = "," + inner
            put(newline + "}")
        elif kind is list or kind is tuple or kind is Lazy:
            if not o:
                put("[]")
                return
            inner = newline + "  "
            lead = "[" + inner
            for item in o:
                if type(item) is str:
                    put(lead + quote(item))
                else:
                    put(lead)
                    value(item, inner)
                lead = "," + inner
                if len(parts) > _CHUNK:
                    chunks.append("".join(parts))
                    parts.clear()
            put(newline + "]")
        elif o is None:
            put("null")
        elif o is True:
            put("true")
        elif o is False:
            put("false")
        elif kind is int:
            put(int.__repr__(o))
        elif kind is float and o - o == 0:  # finite: json writes NaN and Infinity itself
            put(float.__repr__(o))
        else:
            raise _NotPlain

    value(data, "\n")
    chunks.append("".join(parts))
    return "".join(chunks)


CSV_COLUMNS = [
    "id",
    "section",
    "name",
    "content",
    "units",
    "deadline",
    "kind",
    "due",
    "workday_due",
    "status",
    "status_label",
    "days_left",
    "reported",
    "expected",
    "days_late",
    "plan_ended",
]


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    """CSV for Excel: UTF-8 with a BOM so that Chinese text opens correctly."""
    import csv
    import io

    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text that Excel would take for a formula (=, +, -, @ first) gets a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@collector.pausing
def tasks_csv(
    dataset: Dataset,
    states: Iterable[TaskState],
    with_unit: bool = False,
    with_plan: bool = False,
    *,
    as_of: date | None = None,
) -> str:
    """`with_plan`: across plans, a first column says each row's plan (the unit directory
    `dataset` lends is the one they share). `plan_ended` is whether `dataset`'s plan ended
    by `as_of`, else (across plans) whether the row's status is an ended plan's outcome."""
    from gkctl.core import planyear

    header = (["plan"] if with_plan else []) + CSV_COLUMNS + (["via"] if with_unit else [])
    ended = as_of is not None and planyear.ended(dataset.plan, as_of)
    rows = []
    for s in states:
        who = reported_record(dataset, s)
        workday = s.workday.date if s.workday else None
        row: list[Any] = [
            s.task.id,
            s.task.section,
            s.task.name,
            s.task.content,
            "、".join(s.task.units),
            s.task.deadline,
            s.deadline.kind.value,
            iso(s.due),
            iso(workday),
            s.status.value,
            STATUS_LABELS[s.status],
            s.days_left,
            who["count"],
            who["expected"],
            s.days_late,
            "true" if s.final or ended else "false",
        ]
        if with_unit:
            row.append(s.involvement.via if s.involvement else "")
        if with_plan:
            row.insert(0, s.plan)
        rows.append(row)
    return to_csv(header, rows)


def summaries_csv(rows: Iterable[UnitSummary]) -> str:
    from gkctl.core.status import UNIT_STATUS_ORDER, Status

    # Enum order, as before; a unit's own counts never hold `reported`.
    statuses = [s.value for s in Status if s in UNIT_STATUS_ORDER]
    return to_csv(
        ["unit", "kind", "total", *statuses, "possible", "completion"],
        [
            [
                r.unit.name,
                r.unit.kind.value,
                r.total,
                *(r.counts[Status(s)] for s in statuses),
                r.possible,
                f"{r.completion:.4f}",
            ]
            for r in rows
        ],
    )


def _counts_record(c: Counts) -> dict[str, object]:
    return {
        "tasks": c.tasks,
        "done": c.done,
        "overdue": c.overdue,
        "due_soon": c.due_soon,
        "completion": round(c.completion, 4),
        "extensions": c.extensions,
        "light": c.light.value,
    }


def stats_json(dataset: Dataset, result: Stats) -> str:
    from gkctl.core import behind

    return dumps(
        {
            "version": JSON_VERSION,
            "as_of": result.as_of.isoformat(),
            **ending_record(dataset, result.as_of),
            "within": result.within,
            "since": iso(result.since),
            "ranked_by": list(behind.RANKED_BY),
            "units": [
                {
                    "rank": i,
                    "unit": r.unit.name,
                    "kind": r.unit.kind.value,
                    **_counts_record(r.counts),
                    # A unit's light is what it answers for itself (core.stats.unit_light).
                    "light": r.light.value,
                    "possible": r.possible,
                    **_answer_record(r.answer),
                    "move": move_record(r.move),
                }
                for i, r in enumerate(result.units, 1)
            ],
            "sections": [
                {"section": r.section.id, "title": r.section.title, **_counts_record(r.counts)}
                for r in result.sections
            ],
            "groups": [
                {
                    "group": g.group,
                    "task": g.task.id,
                    "status": g.status.value,
                    "due": iso(g.due),
                    "days_left": g.days_left,
                    "behind": g.behind,
                    "reported": g.reported,
                    "members": g.members,
                }
                for g in result.groups
            ],
        }
    )


def move_record(m: Move | None) -> dict[str, object] | None:
    """A unit against the previous period: its rank then, places moved up (more behind),
    and the change in its late tasks."""
    if m is None:
        return None
    return {"since": m.since.isoformat(), "rank": m.rank, "up": m.up, "late": m.late}


def _answer_record(a: Answer | None) -> dict[str, object]:
    """The tasks naming the unit, and those reaching it through a group (core.behind)."""
    if a is None:
        return {}
    return {
        "direct": {
            "tasks": a.named,
            "overdue": a.overdue,
            "lead_overdue": a.lead_overdue,
            "due_soon": a.due_soon,
            "lead_due_soon": a.lead_due_soon,
        },
        "via_groups": {"overdue": a.group_overdue, "due_soon": a.group_due_soon},
    }


STATS_CSV_COLUMNS = [
    "scope",
    "name",
    "tasks",
    "done",
    "overdue",
    "due_soon",
    "completion",
    "extensions",
    "light",
    "possible",
    "direct_tasks",
    "direct_overdue",
    "lead_overdue",
    "direct_due_soon",
    "group_overdue",
    "group_due_soon",
]


def stats_csv(result: Stats) -> str:
    """One table for Excel: the unit rows, then the section rows (`scope` tells them apart)."""

    def row(
        scope: str,
        name: str,
        c: Counts,
        possible: int | None,
        a: Answer | None = None,
        light: str | None = None,
    ) -> list[object]:
        direct = (
            [a.named, a.overdue, a.lead_overdue, a.due_soon, a.group_overdue, a.group_due_soon]
            if a is not None
            else [None] * 6
        )
        return [
            scope,
            name,
            c.tasks,
            c.done,
            c.overdue,
            c.due_soon,
            f"{c.completion:.4f}",
            c.extensions,
            light or c.light.value,
            possible,
            *direct,
        ]

    rows = [
        row("unit", r.unit.name, r.counts, r.possible, r.answer, r.light.value)
        for r in result.units
    ]
    rows += [row("section", r.section.id, r.counts, None) for r in result.sections]
    return to_csv(STATS_CSV_COLUMNS, rows)


def trend_record(p: Point) -> dict[str, Any]:
    """One month of the trend; shared by `stats --trend` JSON and the report context, so
    that the site's chart draws the numbers `stats --trend` prints."""
    return {
        "month": p.month,
        "day": p.day.isoformat(),
        "counts": {st.value: p.counts[st] for st in RUNNING},
        "total": p.total,
        "dated": p.dated,
        "passed": p.passed,
        "dated_done": p.done,
        "schedule": round(p.schedule, 4),
        "progress": round(p.progress, 4),
    }


def trend_json(t: Trend) -> str:
    return dumps(
        {
            "version": JSON_VERSION,
            "as_of": t.as_of.isoformat(),
            "within": t.within,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            "months": [trend_record(p) for p in t.points],
        }
    )


TREND_CSV_COLUMNS = [
    "month",
    "day",
    *(st.value for st in RUNNING),
    "total",
    "dated",
    "passed",
    "dated_done",
    "schedule",
    "progress",
]


def trend_csv(t: Trend) -> str:
    """One row a month, the columns of the JSON's months (counts spread out by status)."""
    rows = [
        [
            p.month,
            p.day.isoformat(),
            *(p.counts[st] for st in RUNNING),
            p.total,
            p.dated,
            p.passed,
            p.done,
            f"{p.schedule:.4f}",
            f"{p.progress:.4f}",
        ]
        for p in t.points
    ]
    return to_csv(TREND_CSV_COLUMNS, rows)


def review_json(dataset: Dataset, q: Queue) -> str:
    """The office's queue (gkctl review); the units to chase in the one ranking."""
    from gkctl.core import behind

    return dumps(
        {
            "version": JSON_VERSION,
            "as_of": q.as_of.isoformat(),
            **ending_record(dataset, q.as_of),
            "to_close": [
                {
                    "id": c.state.task.id,
                    "name": c.state.task.name,
                    "units": list(c.state.task.units),
                    "reported_on": c.reported_on.isoformat(),
                    "days_waiting": (q.as_of - c.reported_on).days,
                    "due": iso(c.state.due),
                    "reported": {
                        "units": list(c.state.reported.units) if c.state.reported else [],
                        "count": len(c.state.reported.units) if c.state.reported else 0,
                        "expected": len(c.state.reported.expected) if c.state.reported else 0,
                    },
                    "reports": [progress_record(p) for p in c.reports],
                }
                for c in q.to_close
            ],
            "extension_requests": [
                {
                    "id": w.state.task.id,
                    "name": w.state.task.name,
                    **extension_record(w.request),
                    "days_waiting": w.days,
                    "due": iso(w.state.due),
                    "status": w.state.status.value,
                }
                for w in q.requests
            ],
            "ranked_by": list(behind.RANKED_BY),
            "chase": [
                {
                    "rank": c.rank,
                    "unit": c.unit.name,
                    "tasks": [
                        {
                            "id": t.state.task.id,
                            "name": t.state.task.name,
                            "due": iso(t.state.due),
                            "days_overdue": -(t.state.days_left or 0),
                            "lead": bool(t.state.involvement and t.state.involvement.lead),
                            "last_progress": iso(t.last_progress),
                        }
                        for t in c.tasks
                    ],
                }
                for c in q.chase
            ],
            "forms": [
                {
                    "unit": f.unit,
                    "sent": f.sent.isoformat(),
                    "returned": iso(f.returned),
                    "days_owing": f.days_owing,
                }
                for f in q.forms
            ],
        }
    )
