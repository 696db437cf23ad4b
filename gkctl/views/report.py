"""Markdown reports: the template context built from the dataset, and rendering with Jinja2.

The context holds only plain dicts, lists, str, int, float, bool and None (never dataclasses), so
that templates see a small documented surface (README, “报告模板可用的变量”) and can do
nothing with it but read. Every template renders in Jinja's SandboxedEnvironment with
StrictUndefined, and every `{{ … }}` value that is a plain string is Markdown-escaped on
output (see `md_escape`), so a task text can never break a table or inject markup.

jinja2 is imported inside the functions that need it: other commands never pay for it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gkctl.core import behind, collector, period, planyear, stats, status, textsafe, trend
from gkctl.core.errors import GkctlError, UsageError
from gkctl.core.model import Dataset, Progress, Task, Unit
from gkctl.core.records import extension_record, iso, progress_record
from gkctl.core.status import (
    STATUS_LABELS,
    STATUS_ORDER,
    Status,
    TaskState,
    UnitSummary,
    expected_units,
)
from gkctl.core.units import DIRECT
from gkctl.store import paths
from gkctl.views import machine
from gkctl.views.labels import (
    PROGRESS_LABELS,
    UNIT_KIND_LABELS,
    deadline_text,
    ended_note,
    entry_dates,
    month_label,
    move_labels,
    move_note,
    outcome_days,
    percent,
    short,
    zh_date,
)

if TYPE_CHECKING:
    from jinja2 import Template

BUILTIN = ("summary", "unit", "breakdown", "year")
SUFFIX = ".md.j2"
BEHIND_LIMIT = 10  # how many units the summary lists as furthest behind


# --- Markdown helpers (also the template filters) -------------------------------------------

_INLINE = re.compile(r"([\\`*_\[\]|~$])")
# What opens a block when it starts a line: heading, list item, quote, setext underline.
_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")


# Anything md_escape changes: line breaks, tabs and control characters, &, < and >, the
# inline marks, "://" and "www.". (With none of them, one line, no block start and no
# space at either end, the text is its own escape.)
_SPECIAL = re.compile(
    r"[\x00-\x1f\x7f-\x9f&<>\\`*_\[\]|~$" + textsafe.UNSAFE_CHARS + r"]|://|www\."
)


def _escape_block(m: re.Match[str]) -> str:
    # "1." is escaped on its dot: a backslash before a digit would print.
    return f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}"


def md_escape(value: object) -> str:
    """Text for a Markdown table cell or inline position, rendered literally.

    &, < and > become entities (no HTML); \\ ` * _ [ ] | ~ $ are backslash-escaped (no
    emphasis, code, links, table cells or math); "://" and "www." are broken up so GitHub
    does not autolink them; a leading #, -, +, = or "1." is escaped (no heading or list);
    line breaks become <br>; control, bidirectional and invisible characters are shown as
    \\xNN or \\uNNNN (core.textsafe).
    """
    text = str(value)
    if not _SPECIAL.search(text) and not _BLOCK_START.match(text) and text == text.strip():
        return text  # most task text: nothing below would change it (a report's 100,000)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = textsafe.visible(text)  # a report written to a file is read as it is
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = text.replace("://", "\\://").replace("www.", "www\\.")
    lines = [_BLOCK_START.sub(_escape_block, line.strip()) for line in text.split("\n")]
    return "<br>".join(lines)


_URL_SAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]")


def md_link(value: object) -> str:
    """An http(s) address as a Markdown autolink <…>; anything else as escaped text."""
    url = str(value)
    if not re.match(r"https?://[^\s]+\Z", url, re.IGNORECASE):
        return md_escape(url)
    return (
        "<" + _URL_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), url) + ">"
    )


# --- the context ------------------------------------------------------------------------


def _days_label(s: TaskState) -> str:
    if s.final:
        return outcome_days(s.status, s.days_late)
    if s.days_left is None or s.status in (Status.DONE, Status.REPORTED):
        return ""
    if s.days_left < 0:
        return f"逾期{-s.days_left}天"
    return "今天到期" if s.days_left == 0 else f"剩{s.days_left}天"


def _role(s: TaskState) -> str:
    how = s.involvement
    if how is None:
        return ""
    if how.via == DIRECT:
        return "牵头" if how.lead else "配合"
    return f"{how.via}（可能涉及）" if how.possible else how.via


def _progress(p: Progress) -> dict[str, Any]:
    return {**progress_record(p), "status_label": PROGRESS_LABELS[p.status]}


# What a task dict takes from the deadline and the status alone, shared by the tasks with
# the same deadline text, dates and status (a report over 100,000 tasks has a few hundred).
_When = tuple[str, str, str | None, str | None, str | None, str, str, str]


def _when(s: TaskState) -> _When:
    return (
        deadline_text(s.task.deadline),
        s.deadline.kind.value,
        iso(s.due),
        iso(s.original_due),
        iso(s.workday.date) if s.workday else None,
        s.status.value,
        STATUS_LABELS[s.status],
        _days_label(s),
    )


def carry_words(task: Task) -> str:
    """Where a carried task came from or went to, as the report and site say it."""
    if task.carried_from is not None:
        return f"承接 {task.carried_from}"
    if task.carried_to is not None:
        return f"已转入 {task.carried_to}"
    return ""


class TaskDicts:
    """task_dict for the many states of one day: what tasks share (the deadline part, how
    many units a unit list expects reports from, section titles) is worked out once."""

    def __init__(self, dataset: Dataset, as_of: date) -> None:
        self.dataset = dataset
        self.as_of = as_of
        self._when: dict[tuple[object, ...], _When] = {}
        self._expected: dict[tuple[str, ...], int] = {}
        # The first section of an id, as Plan.section_title finds it.
        self._titles = {sec.id: sec.title for sec in reversed(dataset.plan.sections)}

    def __call__(self, s: TaskState) -> dict[str, Any]:
        task = s.task
        key = (task.deadline, s.deadline.kind, s.due, s.original_due, s.status, s.days_left)
        when = self._when.get(key) or self._when.setdefault(key, _when(s))
        label, kind, due, original_due, workday_due, status_value, status_label, days_label = when
        expected = None
        if s.reported is None:
            expected = self._expected.get(task.units)
            if expected is None:
                expected = len(expected_units(self.dataset, task))
                self._expected[task.units] = expected
        how = s.involvement
        return {
            "id": task.id,
            "section": task.section,
            "section_title": self._titles.get(task.section, ""),
            "name": task.name,
            "content": task.content,
            "summary": short(task.content),
            "text": task.text,
            "units": list(task.units),
            "lead": task.lead,
            "deadline": label,
            "kind": kind,
            "due": due,
            "original_due": original_due,
            "workday_due": workday_due,
            "milestones": machine.milestones(self.dataset, task, s.deadline)
            if task.milestones or s.deadline.milestones
            else [],
            "status": status_value,
            "status_label": status_label,
            "days_left": s.days_left,
            "days_label": days_label,
            "extended": s.extension is not None,
            "extension": extension_record(s.extension) if s.extension else None,
            "extension_request": extension_record(s.request) if s.request else None,
            "reported": machine.reported_record(self.dataset, s, expected),
            "returned": _progress(s.returned) if s.returned else None,
            "closed": iso(task.closed),
            "closed_note": task.closed_note,
            "notes": task.notes,
            # s.task is the task as it stood on as_of (Task.as_of): later records are not there.
            "progress": [
                _progress(p) for p in sorted(task.progress, key=lambda p: (p.date, p.unit))
            ]
            if task.progress
            else [],
            "extensions": [
                extension_record(e)
                for e in sorted(task.extensions, key=lambda e: (e.date, e.unit, e.to))
            ]
            if task.extensions
            else [],
            "via": how.via if how else None,
            "role": _role(s) if how else "",
            "possible": bool(how and how.possible),
            "carried_from": machine.link_record(task.carried_from),
            "carried_to": machine.link_record(task.carried_to),
            "carry": carry_words(task),
        }


def task_dict(dataset: Dataset, s: TaskState, as_of: date) -> dict[str, Any]:
    """One task as templates see it (plan view, or a unit's view when s has involvement);
    records made after `as_of` are not there (the state's task is as it stood then: Task.as_of),
    as they do not count. Views over many tasks
    use one TaskDicts."""
    return TaskDicts(dataset, as_of)(s)


def _counts(states: Iterable[TaskState]) -> dict[str, int]:
    counts = {st.value: 0 for st in STATUS_ORDER}
    for s in states:
        counts[s.status.value] += 1
    return counts


def _done(counts: dict[str, int]) -> int:
    """Done in a running plan, or any 完成 outcome in an ended one."""
    return sum(counts[st.value] for st in status.DONE_STATUSES)


def ending_dict(dataset: Dataset, as_of: date) -> dict[str, Any]:
    """The plan's end for templates: `ended` after it, with the sentence every view shows."""
    ending = planyear.ending(dataset.plan, as_of)
    return {
        "end": ending.end.isoformat(),
        "ended": ending.ended,
        "note": ended_note(ending, hint=False) if ending.ended else "",
    }


def _by_status(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:  # one pass, in the order given
        grouped.setdefault(t["status"], []).append(t)
    return [
        {
            "key": st.value,
            "label": STATUS_LABELS[st],
            "tasks": grouped.get(st.value, []),
        }
        for st in STATUS_ORDER
    ]


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def unit_row(row: UnitSummary, extensions: int) -> dict[str, Any]:
    """A unit's counts; `extensions` is how many extensions (延期) it has asked for, over
    every task, whether or not they moved a deadline (stats.extension_counts)."""
    u = row.unit
    return {
        "name": u.name,
        "kind": u.kind.value,
        "kind_label": UNIT_KIND_LABELS[u.kind.value],
        "total": row.total,
        "possible": row.possible,
        "counts": {st.value: row.counts[st] for st in STATUS_ORDER},
        "completion": _percent(sum(row.counts[st] for st in status.DONE_STATUSES), row.total),
        "extensions": extensions,
    }


def _answer(a: behind.Answer) -> dict[str, Any]:
    """What a unit answers for directly, and through groups (core.behind)."""
    return {
        "direct": {
            "named": a.named,
            "overdue": a.overdue,
            "lead_overdue": a.lead_overdue,
            "due_soon": a.due_soon,
            "lead_due_soon": a.lead_due_soon,
        },
        "via_groups": {"overdue": a.group_overdue, "due_soon": a.group_due_soon},
    }


def light_dict(light: stats.Light) -> dict[str, str]:
    """A light for templates: its stable key (red, orange, yellow, green) and its label."""
    return {"key": light.value, "label": stats.LIGHT_LABELS[light]}


def move_dict(m: behind.Move | None) -> dict[str, Any] | None:
    """A unit's move since the previous period, with the words cards and rows show."""
    if m is None:
        return None
    place, late = move_labels(m.up, m.late)
    return {
        "since": m.since.isoformat(),
        "rank": m.rank,
        "up": m.up,
        "late": m.late,
        "place_label": place,
        "late_label": late,
    }


def _same_row(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("total", "possible", "counts", "extensions", "direct", "via_groups", "light", "move")
    return all(a[k] == b[k] for k in keys)


def _group_line(g: behind.GroupLine) -> dict[str, Any]:
    days = ""
    if g.days_left is not None:
        days = f"逾期{-g.days_left}天" if g.days_left < 0 else f"剩{g.days_left}天"
    return {
        "group": g.group,
        "task": g.task.id,
        "task_summary": short(g.task.content),
        "status": g.status.value,
        "status_label": STATUS_LABELS[g.status],
        "due": iso(g.due),
        "days_label": days,
        "behind": g.behind,
        "reported": g.reported,
        "members": g.members,
    }


DEFAULT_RECIPIENTS = "各有关单位"


def office_dict(
    dataset: Dataset,
    as_of: date,
    name: str | None = None,
    recipients: str | None = None,
    dated: date | None = None,
) -> dict[str, Any]:
    """Who sends the 通报 and to whom, and its 成文日期: the 落款 defaults to the plan's
    issuer (the office that issued the 工作要点 tracks it), the 主送 to 各有关单位, the
    date to the day the report is as of."""
    return {
        "name": name or dataset.plan.document.issuer,
        "recipients": recipients or DEFAULT_RECIPIENTS,
        "dated": (dated or as_of).isoformat(),
    }


def _overall(
    counts: dict[str, int], total: int, states: list[TaskState], t: dict[str, Any]
) -> dict[str, Any]:
    """The figures the 正文's 总体进展 opens with."""
    done = _done(counts)
    last = t["months"][-1] if t["months"] else None
    return {
        "done": done,
        "completion": _percent(done, total),
        "schedule_percent": last["schedule_percent"] if last else None,
        "progress_percent": last["progress_percent"] if last else None,
        "requests": sum(1 for s in states if s.request is not None),
    }


def _by_lead(
    overdue: dict[str, list[dict[str, Any]]], lead_order: dict[str, int]
) -> list[dict[str, Any]]:
    """Overdue tasks grouped by lead, the unit with the most first, then directory order."""
    return [
        {"unit": name, "tasks": group}
        for name, group in sorted(
            overdue.items(),
            key=lambda kv: (-len(kv[1]), lead_order.get(kv[0], len(lead_order)), kv[0]),
        )
    ]


@collector.pausing
def build_context(
    dataset: Dataset,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
    since: date | None = None,
    office: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything about the plan as of a date; `unit` is None (see `with_unit`). With
    `since`, `changes` holds what changed in (since, as_of] (the 通报's 本期变化).
    `office` (office_dict) is who signs the 通报; by default the plan's issuer."""
    plan = dataset.plan
    doc = plan.document
    states = sorted(status.plan_states(dataset, as_of, within), key=status.sort_key)
    as_dict = TaskDicts(dataset, as_of)
    urgent = [as_dict(s) for s in states]
    tasks = sorted(urgent, key=lambda t: t["id"])
    lead_order = {u.name: i for i, u in enumerate(dataset.directory.units)}
    viewer = status.Viewer(dataset, as_of, within)
    by_name = {u.name: u for u in dataset.directory.units}
    overdue: dict[str, list[dict[str, Any]]] = {}
    # The 通报 names a unit's overdue lead tasks beside its own count: a task the lead has
    # done its part of (accepted, or reported done) is overdue for the others, not for it.
    overdue_led: dict[str, list[dict[str, Any]]] = {}
    for s, t in zip(states, urgent, strict=True):
        if t["status"] == Status.OVERDUE.value:
            overdue.setdefault(t["lead"] or "", []).append(t)
            lead = by_name.get(t["lead"] or "")
            if lead is None or viewer.of(s.task, lead).status is Status.OVERDUE:
                overdue_led.setdefault(t["lead"] or "", []).append(t)
    overdue_by_lead = _by_lead(overdue, lead_order)
    sections = []
    in_section: dict[str, list[TaskState]] = {}
    for s in states:  # one pass, in the order given
        in_section.setdefault(s.task.section, []).append(s)
    for section in plan.sections:
        own = in_section.get(section.id, [])
        counts = _counts(own)
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "total": len(own),
                "counts": counts,
                "done": _done(counts),
                "completion": _percent(_done(counts), len(own)),
                "with_progress": sum(1 for s in own if s.task.progress),
            }
        )
    asked = stats.extension_counts(dataset, as_of)
    summaries = {
        r.unit.name: r for r in status.unit_summaries(dataset, as_of, within, viewer=viewer)
    }
    ranked, groups = behind.answers(dataset, as_of, within, viewer)
    ended = planyear.ended(dataset.plan, as_of)
    # Ranks and lights move against the previous period's day: --since, else the month's.
    compared = since or period.previous_month(as_of)
    moved = behind.moves_since(dataset, ranked, compared, as_of, within)
    units = [
        {
            "rank": i,
            **unit_row(summaries[a.unit.name], asked.get(a.unit.name, 0)),
            **_answer(a),
            "light": light_dict(stats.unit_light(a)),
            "move": move_dict(moved.get(a.unit.name)),
        }
        for i, a in enumerate(ranked, 1)
    ]
    # Behind on the tasks naming them; a run of units with the same figures is one row.
    late = []
    for run in behind.alike([a for a in ranked if a.behind_directly]):
        row = next(u for u in units if u["name"] == run[0].unit.name)
        same = [u for u in units if u["name"] in {a.unit.name for a in run}]
        if all(_same_row(row, u) for u in same):
            late.append({**row, "names": [a.unit.name for a in run]})
        else:
            late += [{**u, "names": [u["name"]]} for u in same]
    months = trend_dict(trend.compute(dataset, as_of, within))
    counts = _counts(states)
    return {
        "as_of": as_of.isoformat(),
        "within": within,
        "office": office or office_dict(dataset, as_of),
        "ending": ending_dict(dataset, as_of),
        "document": {
            "title": doc.title,
            "number": doc.number,
            "issuer": doc.issuer,
            "published": iso(doc.published),
            "year": doc.year,
        },
        "statuses": [
            {"key": st.value, "label": STATUS_LABELS[st]}
            for st in status.listed(Counter(s.status for s in states))
        ],
        "total": len(tasks),
        "counts": counts,
        "overall": _overall(counts, len(tasks), states, months),
        "tasks": tasks,
        "by_status": _by_status(urgent),
        "overdue_by_lead": overdue_by_lead,
        "overdue_led": _by_lead(overdue_led, lead_order),
        "sections": sections,
        "units": units,
        "rank_note": behind.rank_note(ended),
        "lights_note": stats.UNIT_LIGHTS_NOTE_ENDED if ended else stats.UNIT_LIGHTS_NOTE,
        "compared_with": compared.isoformat() if moved else None,
        "move_note": move_note(ended),
        "behind": late[:BEHIND_LIMIT],
        "behind_total": sum(len(u["names"]) for u in late),
        "group_lines": [_group_line(g) for g in groups],
        "since": iso(since),
        "changes": _changes(dataset, since, as_of),
        "trend": months,
        "unit": None,
    }


def trend_dict(t: trend.Trend) -> dict[str, Any]:
    """The months of `stats --trend` (its JSON records), with the labels a page shows."""
    return {
        "start": t.start.isoformat(),
        "end": t.end.isoformat(),
        "months": [
            {
                **machine.trend_record(p),
                "label": month_label(p.day),
                "schedule_label": percent(p.schedule),
                "progress_label": percent(p.progress),
                # Numbers, as a Markdown template prints them unescaped: 2.8 (and 0, not 0.0).
                "schedule_percent": _percent_value(p.schedule),
                "progress_percent": _percent_value(p.progress),
            }
            for p in t.points
        ],
    }


def _percent_value(share: float) -> int | float:
    value = round(share * 100, 1)
    return int(value) if value == int(value) else value


def _changes(
    dataset: Dataset, since: date | None, as_of: date, unit: Unit | None = None
) -> dict[str, Any] | None:
    if since is None:
        return None
    from gkctl.views.period import changes_dict

    return changes_dict(period.changes(dataset, since, as_of, unit=unit))


@collector.pausing
def with_unit(
    context: dict[str, Any],
    dataset: Dataset,
    unit: Unit,
    as_of: date,
    within: int = status.DEFAULT_WITHIN,
) -> dict[str, Any]:
    """The context with `unit` filled in: the unit's own view of its tasks and records."""
    states = sorted(status.unit_states(dataset, unit, as_of, within), key=status.sort_key)
    summary = status.summarize(states, unit)
    as_dict = TaskDicts(dataset, as_of)
    sure = [as_dict(s) for s in states if not (s.involvement and s.involvement.possible)]
    possible = [as_dict(s) for s in states if s.involvement and s.involvement.possible]
    progress, extensions = [], []
    for task in sorted(dataset.plan.tasks, key=lambda t: t.id):
        task = task.as_of(as_of)
        for p in task.progress:
            if p.unit == unit.name:
                progress.append(
                    {"task": task.id, "task_summary": short(task.content), **_progress(p)}
                )
        for e in task.extensions:
            if e.unit == unit.name:
                extensions.append(
                    {"task": task.id, "task_summary": short(task.content), **extension_record(e)}
                )
    progress.sort(key=lambda r: (r["date"], r["task"]))
    extensions.sort(key=lambda r: (r["date"], r["task"], r["to"]))
    # The unit view's `extensions` is the list of the unit's requests (as it always was);
    # its length is the count that unit rows carry under the same name.
    view = unit_row(summary, len(extensions))
    ranked = next((u for u in context["units"] if u["name"] == unit.name), None)
    if ranked is not None:
        view.update({k: ranked[k] for k in ("rank", "direct", "via_groups", "light", "move")})
    view.update(
        {
            "aliases": list(unit.aliases),
            "full_name": unit.full_name,
            "tasks": sure,
            "by_status": _by_status(sure),
            "possible_tasks": possible,
            "progress": progress,
            "extensions": extensions,
            "changes": _changes(dataset, _since(context), as_of, unit),
        }
    )
    return {**context, "unit": view}


def _since(context: dict[str, Any]) -> date | None:
    since = context.get("since")
    return date.fromisoformat(since) if since else None


# --- finding templates --------------------------------------------------------------------


def builtin_dir(package_dir: Path | None = None) -> Path:
    """The built-in templates: gkctl/templates inside an installed wheel, else the
    repository's templates/ folder beside the package (a source checkout)."""
    if package_dir is None:
        import gkctl

        package_dir = Path(gkctl.__file__).resolve().parent
    inside = package_dir / "templates"
    return inside if inside.is_dir() else package_dir.parent / "templates"


def override_dir(data_dir: Path) -> Path:
    """A templates/ folder next to the data folder overrides built-in templates by name."""
    return data_dir.resolve().parent / "templates"


def available(data_dir: Path, package_dir: Path | None = None) -> list[str]:
    names: set[str] = set()
    for folder in (override_dir(data_dir), builtin_dir(package_dir)):
        if folder.is_dir():
            # A name starting with "_" is a part other templates include, not a report.
            names.update(
                p.name[: -len(SUFFIX)] for p in folder.glob(f"*{SUFFIX}") if p.name[0] != "_"
            )
    return sorted(
        names, key=lambda n: (n not in BUILTIN, BUILTIN.index(n) if n in BUILTIN else 0, n)
    )


@dataclass(frozen=True)
class TemplateRef:
    """A template to load: its name in the loader, and the folders the loader searches
    (a path's own folder first, so that it may include files beside it)."""

    name: str
    search: tuple[Path, ...]
    shown: str
    by_name: bool


def find_template(spec: str, data_dir: Path, package_dir: Path | None = None) -> TemplateRef:
    """NAME (summary, unit, breakdown or NAME.md.j2 in a templates/ folder next to the data)
    or PATH (anything with a / or a dot, or an existing file)."""
    defaults = tuple(d for d in (override_dir(data_dir), builtin_dir(package_dir)) if d.is_dir())
    looks_like_path = any(c in spec for c in "/\\.")
    if not looks_like_path:
        for folder in defaults:
            candidate = folder / f"{spec}{SUFFIX}"
            if candidate.is_file():
                return TemplateRef(candidate.name, defaults, paths.shown(candidate), True)
    path = Path(spec)
    if path.is_file():
        return TemplateRef(path.name, (path.resolve().parent, *defaults), paths.shown(path), False)
    if looks_like_path:
        raise UsageError(f"找不到模板文件 {spec}。")
    names = "、".join(available(data_dir, package_dir)) or "无"
    raise UsageError(f"没有名为“{spec}”的模板，可用：{names}；也可以给出模板文件的路径。")


# --- rendering ----------------------------------------------------------------------------


def _safe_text(value: object) -> Any:
    from markupsafe import Markup

    return Markup(md_escape(value))


def _finalize(value: object) -> object:
    """Applied to every {{ … }} value: plain strings are Markdown-escaped. Markup (macro
    output, |safe, |md) passes as it is, so nothing is escaped twice."""
    if type(value) is str:  # the common case, without an import per value
        return _markup()(md_escape(value))
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(md_escape(value))
    return value


@functools.cache
def _markup() -> type[str]:
    from markupsafe import Markup

    return Markup


def _link(value: object) -> Any:
    from markupsafe import Markup

    return Markup(md_link(value))


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """Where in a template a render-time error happened: Jinja rewrites the traceback so
    that template frames carry the template's file name and line."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        # jinja2.debug marks the frames it makes for template lines with this global.
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _where(exc: BaseException, ref: TemplateRef) -> str:
    found = _template_line(exc)
    if found is None:
        return ref.shown
    filename, line = found
    shown = paths.shown(Path(filename)) if filename and not filename.startswith("<") else ref.shown
    return f"{shown}:{line}"


# Bounds on a custom template: the sandbox stops it reading what it should not, these stop
# it from running or writing without end (nested range() loops, lipsum(10**6), "x" * 10**10).
RENDER_SECONDS = 30
MAX_OUTPUT = 20_000_000  # characters of one report
_MAX_LIPSUM = 100  # paragraphs


class TemplateLimit(GkctlError):
    """A template ran too long or wrote too much."""


def _sandbox() -> Any:
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup, escape

    class MarkdownOutput(CodeGenerator):
        """Compiles `{{ value }}` to one call, environment.markdown_out(value), instead of
        escape(environment.finalize(value)): the same text, without wrapping every
        escaped string in Markup twice (0.17 s of a 100,000-task report's 0.95 s)."""

        def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
            if _plain_output(frame, finalize):
                self.write("environment.markdown_out(")
            else:
                super()._output_child_pre(node, frame, finalize)

        def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
            if _plain_output(frame, finalize):
                self.write(")")
            else:
                super()._output_child_post(node, frame, finalize)

    def _plain_output(frame: Any, finalize: Any) -> bool:
        ctx = frame.eval_ctx
        return bool(ctx.autoescape and not ctx.volatile and finalize.src == "environment.finalize(")

    short_texts: dict[str, Markup] = {}
    hookable = all(
        hasattr(CodeGenerator, name) for name in ("_output_child_pre", "_output_child_post")
    )

    class Bounded(SandboxedEnvironment):
        """Refuses sequence repetition and powers whose result would be huge."""

        intercepted_binops = frozenset({"*", "**"})
        if hookable:  # else Jinja's own output code (the same text)
            code_generator_class = MarkdownOutput

        @staticmethod
        def markdown_out(value: Any) -> Any:
            """escape(_finalize(value)), as Jinja would output it. Short texts repeat
            (dates, 逾期N天, 全年, unit names): each is escaped once per render."""
            if type(value) is str:
                if len(value) > 24:
                    return Markup(md_escape(value))
                done = short_texts.get(value)
                if done is None:
                    if len(short_texts) > 4096:
                        short_texts.clear()
                    done = short_texts[value] = Markup(md_escape(value))
                return done
            if type(value) is Markup:
                return value
            return escape(_finalize(value))

        def getattr(self, obj: Any, attribute: str) -> Any:
            # `t.name` on a context dict: what the sandbox would find after getattr() fails
            # with an AttributeError, which cost a report of 100,000 tasks half a million
            # exceptions. Only for names that are no attribute of dict (items, keys …).
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                    if sized and len(seq) * n > MAX_OUTPUT:
                        raise TemplateLimit(f"模板中的重复（* {n}）结果过大，已停止。")
            ints = isinstance(right, int) and isinstance(left, int)
            if operator == "**" and ints and abs(right) > 1000 and abs(left) > 1:
                raise TemplateLimit(f"模板中的乘方（** {right}）结果过大，已停止。")
            return super().call_binop(context, operator, left, right)

    return Bounded


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Any:
    from jinja2.utils import generate_lorem_ipsum

    if n > _MAX_LIPSUM or max > 1000:
        raise TemplateLimit(f"lipsum({n}) 超出上限（至多 {_MAX_LIPSUM} 段），已停止。")
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


@contextmanager
def _time_limit(seconds: int, shown: str) -> Iterator[None]:
    """Stop a render that runs longer than `seconds` (a timer signal, where there is one:
    a loop that writes nothing would otherwise never give the size check a chance)."""
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise TemplateLimit(f"{shown}: 模板渲染超过 {seconds} 秒，已停止（循环过多或过深？）。")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Renderer:
    """A compiled template, ready to render any number of contexts."""

    def __init__(self, ref: TemplateRef) -> None:
        from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError

        self.ref = ref
        env = _sandbox()(
            loader=FileSystemLoader([str(p) for p in ref.search], encoding="utf-8"),
            undefined=StrictUndefined,
            autoescape=True,  # with _finalize: Markdown escaping, and macros return Markup
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        env.globals["lipsum"] = _lipsum
        env.filters.update(
            {
                "md": _safe_text,
                "e": _safe_text,
                "escape": _safe_text,
                "zh_date": zh_date,
                "entry_dates": entry_dates,
                "link": _link,
            }
        )
        try:
            self.template: Template = env.get_template(ref.name)
        except TemplateSyntaxError as exc:
            shown = paths.shown(Path(exc.filename)) if exc.filename else ref.shown
            raise GkctlError(f"{shown}:{exc.lineno}: 模板语法错误：{exc.message}") from None
        except TemplateNotFound as exc:
            raise GkctlError(f"{ref.shown}: 找不到模板“{exc.name}”。") from None
        except UnicodeDecodeError:
            raise GkctlError(f"{ref.shown}: 模板不是 UTF-8 编码，请用 UTF-8 另存。") from None

    def _generate(self, context: dict[str, Any]) -> str:
        """The rendered text, stopped once it passes MAX_OUTPUT characters."""
        parts: list[str] = []
        append, size, limit = parts.append, 0, MAX_OUTPUT  # locals: 900,000 parts at 100k
        for part in self.template.generate(context):
            size += len(part)
            if size > limit:
                raise TemplateLimit(
                    f"{self.ref.shown}: 模板输出超过 {MAX_OUTPUT // 1_000_000} MB 字符的上限，已停止。"
                )
            append(part)
        return "".join(parts)

    @collector.pausing
    def render(self, context: dict[str, Any]) -> str:
        from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
        from jinja2.exceptions import SecurityError

        try:
            with _time_limit(RENDER_SECONDS, self.ref.shown):
                text = self._generate(context)
        except TemplateLimit as exc:
            if exc.message.startswith(self.ref.shown):
                raise
            raise TemplateLimit(f"{_where(exc, self.ref)}: {exc.message}") from None
        except UndefinedError as exc:
            raise GkctlError(
                f"{_where(exc, self.ref)}: 模板使用了未定义的变量（{exc.message}）。"
                "可用的变量见 README 的“报告模板可用的变量”。"
            ) from None
        except SecurityError as exc:
            raise GkctlError(
                f"{_where(exc, self.ref)}: 模板试图访问不允许的属性，"
                f"已被沙箱拒绝（{exc.message}）。"
            ) from None
        except TemplateSyntaxError as exc:  # an included template with a syntax error
            shown = paths.shown(Path(exc.filename)) if exc.filename else self.ref.shown
            raise GkctlError(f"{shown}:{exc.lineno}: 模板语法错误：{exc.message}") from None
        except TemplateNotFound as exc:
            raise GkctlError(f"{_where(exc, self.ref)}: 找不到模板“{exc.name}”。") from None
        except UnicodeDecodeError:  # an included template that is not UTF-8
            raise GkctlError(
                f"{self.ref.shown}: 引用的模板不是 UTF-8 编码，请用 UTF-8 另存。"
            ) from None
        except Exception as exc:  # anything a template's own expressions may raise
            raise GkctlError(
                f"{_where(exc, self.ref)}: 渲染模板出错（{type(exc).__name__}: {exc}）。"
            ) from None
        # One final newline, whatever the template's last line does.
        return text.rstrip("\n") + "\n"
