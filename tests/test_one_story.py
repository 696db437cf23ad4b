"""One story everywhere (issue 18): for the same data, unit and date, every view tells the
same status for every task.

Hypothesis writes histories — progress with reports sent back, extension requests with
their decisions, closings — onto tasks of the bundled plan that cover every kind of
responsibility (a unit alone, a lead with co-operating units, 各部门/街镇, 各相关部门,
按市级部署, 全年), picks a date and a unit (or none), and checks each view against the
status the core gives: the list/due JSON and CSV, show (JSON and table), the due summary,
stats, the report context (summary and unit), the plan diff, the office's queue and the
period's changes. A second test writes the history to tasks.yaml and asks the CLI. A third
joins two plans, one carrying tasks into the other, and checks the cross-plan due view.
"""

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from gkctl.core import behind, period, plandiff, review, stats, status
from gkctl.core import plans as plans_core
from gkctl.core.model import (
    Dataset,
    Decision,
    Extension,
    Link,
    Progress,
    ProgressStatus,
    Task,
    Unit,
)
from gkctl.core.plans import NamedPlan
from gkctl.core.status import STATUS_LABELS, Status
from gkctl.core.units import involvement
from gkctl.store import loader, yamlsrc
from gkctl.views import machine, report, site, terminal
from tests import browser
from tests.conftest import DATA

# 2 区经委 alone, 全年; 28 office + 各部门 + 街镇 + 高新区; 31 区经委 + 各相关部门; 39 区行政服务中心
# + 各相关部门; 60 office + groups, 8月; 64 按市级部署; 69 office alone; 72 groups only;
# 75 groups, 全年.
TASKS = (2, 28, 31, 39, 60, 64, 69, 72, 75)
START = date(2024, 4, 10)
BASE = loader.load(DATA)


def wide() -> Console:
    return Console(width=160, color_system=None, highlight=False)


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


def _involved(task: Task) -> list[Unit]:
    """The units a task involves, those it surely involves twice over (their records are
    the ones every view counts)."""
    found = [(u, involvement(task, u, BASE.directory)) for u in BASE.directory.units]
    sure = [u for u, how in found if how is not None and not how.possible]
    return sure * 2 + [u for u, how in found if how is not None and how.possible]


@st.composite
def progress(draw: st.DrawFn, units: list[Unit]) -> Progress:
    unit = draw(st.sampled_from(units)).name
    # Up to 2025-02: a report made after the plan's end is real, and counts as done late.
    day = draw(st.integers(0, 300))
    state = draw(st.sampled_from([ProgressStatus.DONE, ProgressStatus.DONE, ProgressStatus.DOING]))
    back = accepted = None
    if state is ProgressStatus.DONE and draw(st.booleans()):
        back = _day(day + draw(st.integers(0, 40)))
    elif state is ProgressStatus.DONE and draw(st.booleans()):
        # Accepted (gkctl accept), which a report sent back cannot be.
        accepted = _day(day + draw(st.integers(0, 40)))
    return Progress(
        _day(day),
        unit,
        state,
        "说明",
        None,
        returned=back,
        return_reason="退回" if back else "",
        accepted=accepted,
    )


@st.composite
def extension(draw: st.DrawFn, units: list[Unit]) -> Extension:
    unit = draw(st.sampled_from(units)).name
    day = draw(st.integers(0, 260))
    to = _day(day + draw(st.integers(1, 120)))
    decision = draw(st.sampled_from(list(Decision)))
    decided = None if decision is Decision.REQUESTED else _day(day + draw(st.integers(0, 30)))
    note = "不同意" if decision is Decision.REJECTED else ""
    return Extension(_day(day), unit, to, "理由", False, decision=decision, decided=decided,
                     decision_note=note)  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> tuple[Dataset, date, Unit | None]:
    wanted: dict[int, Task] = {}
    for task_id in draw(st.sets(st.sampled_from(TASKS), min_size=1, max_size=4)):
        task = BASE.plan.require(task_id)
        units = _involved(task)
        wanted[task_id] = task._replace(
            progress=tuple(draw(st.lists(progress(units), min_size=1, max_size=5))),
            extensions=tuple(draw(st.lists(extension(units), max_size=3))),
            closed=draw(st.one_of(st.none(), st.none(), st.none(), st.integers(0, 280).map(_day))),
        )
    tasks = tuple(wanted.get(t.id, t) for t in BASE.plan.tasks)
    dataset = BASE._replace(plan=BASE.plan._replace(tasks=tasks))
    # Mostly after the records, where they count; often after the plan's end (2024-12-31,
    # day 265), where every view gives the final outcomes (issue 23).
    as_of = _day(draw(st.one_of(st.integers(0, 300), st.integers(150, 300), st.integers(266, 420))))
    # Mostly a unit that recorded something: its own view is where views used to differ.
    recorded = sorted({r.unit for t in wanted.values() for r in (*t.progress, *t.extensions)})
    choices = [st.none(), st.sampled_from(BASE.directory.units)]
    if recorded:
        choices += [st.sampled_from(recorded).map(_unit)] * 2
    unit = draw(st.one_of(*choices))
    return dataset, as_of, unit


def _unit(name: str) -> Unit:
    found = BASE.directory.unit(name)
    assert found is not None
    return found


def _truth(dataset: Dataset, as_of: date, unit: Unit | None) -> dict[int, Status]:
    if unit is None:
        return {s.task.id: s.status for s in status.plan_states(dataset, as_of)}
    return {s.task.id: s.status for s in status.unit_states(dataset, unit, as_of)}


def _sure(dataset: Dataset, unit: Unit) -> set[int]:
    return {
        t.id
        for t in dataset.plan.tasks
        if (how := involvement(t, unit, dataset.directory)) is not None and not how.possible
    }


def _table_statuses(text: str) -> dict[int, str]:
    """The status label on each task's row of the plan-wide listing (last column)."""
    out = {}
    for line in text.splitlines():
        head = line.split()
        if head and head[0].isdigit():
            out[int(head[0])] = head[-1]
    return out


def _after_extension() -> tuple[Dataset, date, Unit | None]:
    """A history the draws rarely reach: 31 (区经委, 10月底前) extended to 11-30 and reported
    done on 11-20, seen after the plan's end: 延期后按期完成 (and 逾期完成 for 28, reported
    after the end)."""
    ext = Extension(date(2024, 10, 20), "区经委", date(2024, 11, 30), "理由",
                    decision=Decision.APPROVED, decided=date(2024, 10, 22))  # fmt: skip
    done = ProgressStatus.DONE
    wanted = {
        31: {"extensions": (ext,), "progress": (Progress(date(2024, 11, 20), "区经委", done),)},
        28: {"progress": (Progress(date(2025, 1, 10), "区经委", done),)},
    }
    tasks = tuple(
        t._replace(**wanted[t.id]) if t.id in wanted else t  # type: ignore[arg-type]
        for t in BASE.plan.tasks
    )
    return BASE._replace(plan=BASE.plan._replace(tasks=tasks)), date(2025, 1, 15), _unit("区经委")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
@example(_after_extension())
def test_every_view_tells_the_same_status(history: tuple[Dataset, date, Unit | None]) -> None:
    dataset, as_of, unit = history
    truth = _truth(dataset, as_of, unit)
    states = (
        status.unit_states(dataset, unit, as_of)
        if unit is not None
        else status.plan_states(dataset, as_of)
    )
    # list / due JSON, CSV
    records = json.loads(machine.tasks_json(dataset, states, as_of, unit.name if unit else None))
    assert {t["id"]: t["status"] for t in records["tasks"]} == {
        k: v.value for k, v in truth.items()
    }
    rows = csv.DictReader(
        io.StringIO(machine.tasks_csv(dataset, states, unit is not None, as_of=as_of)[1:])
    )
    assert {int(r["id"]): r["status"] for r in rows} == {k: v.value for k, v in truth.items()}
    # show, JSON and table (the table for the tasks given a history: rendering is slow)
    changed = {t.id for t in dataset.plan.tasks if t is not BASE.plan.require(t.id)}
    for task_id in TASKS:
        task = dataset.plan.require(task_id)
        how = involvement(task, unit, dataset.directory) if unit is not None else None
        if unit is not None and how is None:
            continue
        s = status.state(dataset, task, as_of, unit=unit, how=how)
        assert machine.task_record(dataset, s, unit is not None)["status"] == truth[task_id].value
        if task_id not in changed:
            continue
        shown = wide()
        with shown.capture() as captured:
            shown.print(terminal.task_detail(dataset, s, []))
        assert f"状态      {STATUS_LABELS[truth[task_id]]}" in captured.get()
    # the plan-wide listing's table
    if unit is None:
        out = wide()
        with out.capture() as captured:
            out.print(terminal.task_table([s for s in states if s.task.id in changed], False))
        labels = _table_statuses(captured.get())
        assert all(labels[k] == STATUS_LABELS[v] for k, v in truth.items() if k in labels)
    # the due summary, stats and the report, for the unit or plan-wide
    context = report.build_context(dataset, as_of, since=as_of - timedelta(days=30))
    result = stats.compute(dataset, as_of)
    if unit is not None:
        sure = _sure(dataset, unit)
        counts = Counter(truth[i] for i in sure)
        summary = next(r for r in status.unit_summaries(dataset, as_of) if r.unit == unit)
        assert {k: v for k, v in summary.counts.items() if v} == dict(counts)
        row = next(r for r in result.units if r.unit == unit)
        assert (row.counts.done, row.counts.overdue, row.counts.due_soon) == (
            sum(counts[st] for st in status.DONE_STATUSES),
            counts[Status.OVERDUE] + counts[Status.UNFINISHED],
            counts[Status.DUE_SOON],
        )
        view = report.with_unit(context, dataset, unit, as_of)["unit"]
        assert {t["id"]: t["status"] for t in view["tasks"]} == {i: truth[i].value for i in sure}
        assert row.answer is not None
        # Late: overdue, or 未完成 at an ended plan's end (core.behind.LATE).
        assert row.answer.overdue == sum(
            1 for t in dataset.plan.tasks if unit.name in t.units and truth[t.id] in behind.LATE
        )
        changes = period.changes(dataset, as_of - timedelta(days=30), as_of, unit=unit)
    else:
        assert {t["id"]: t["status"] for t in context["tasks"]} == {
            k: v.value for k, v in truth.items()
        }
        assert context["counts"] == {
            **{st.value: 0 for st in status.STATUS_ORDER},
            **{k.value: v for k, v in Counter(truth.values()).items()},
        }
        for sec in result.sections:
            mine = [t for t in dataset.plan.tasks if t.section == sec.section.id]
            late = (Status.OVERDUE, Status.UNFINISHED)
            assert sec.counts.overdue == sum(1 for t in mine if truth[t.id] in late)
            assert sec.counts.done == sum(1 for t in mine if truth[t.id] in status.DONE_STATUSES)
        queue = review.queue(dataset, as_of)
        assert {c.state.task.id for c in queue.to_close} == {
            k for k, v in truth.items() if v is Status.REPORTED
        }
        diff = plandiff.compare(BASE, dataset, as_of)
        for d in diff.tasks:
            assert d.status_after is truth[d.id]
        changes = period.changes(dataset, as_of - timedelta(days=30), as_of)
    assert all(truth[s.task.id] is Status.OVERDUE for s in changes.became_overdue)
    # One ranking of units (issue 24): the plan-wide due view, stats, the office's chase
    # list and the report's units and 落后单位 put the units in the same order.
    rows, ranked = behind.ranked_summaries(dataset, as_of)
    due_order = [
        u["unit"] for u in json.loads(machine.summaries_json(rows, ranked, as_of))["units"]
    ]
    assert due_order == [u.unit.name for u in result.units]
    assert due_order == [u["name"] for u in context["units"]]
    _in_order([n for row in context["behind"] for n in row["names"]], due_order)
    chase = json.loads(machine.review_json(dataset, review.queue(dataset, as_of)))["chase"]
    _in_order([c["unit"] for c in chase], due_order)
    assert all(due_order[c["rank"] - 1] == c["unit"] for c in chase)


def _in_order(some: list[str], ranking: list[str]) -> None:
    """`some` are units of `ranking`, each once, in its order."""
    assert some == [name for name in ranking if name in set(some)]


# --- the same through the CLI, on files -------------------------------------------------------


def _entry_dicts(task: Task) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if task.progress:
        out["progress"] = [
            {"date": p.date, "unit": p.unit, "status": p.status.value, "note": p.note}
            | ({"returned": p.returned, "return_reason": p.return_reason} if p.returned else {})
            | ({"accepted": p.accepted} if p.accepted else {})
            for p in task.progress
        ]
    if task.extensions:
        out["extensions"] = [
            {"date": e.date, "unit": e.unit, "to": e.to, "reason": e.reason,
             "decision": e.decision.value}
            | ({"decided": e.decided} if e.decided else {})
            | ({"decision_note": e.decision_note} if e.decision_note else {})
            for e in task.extensions
        ]  # fmt: skip
    if task.closed:
        out["closed"] = task.closed
    return out


def _write(dataset: Dataset, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "units.yaml").write_bytes((DATA / "units.yaml").read_bytes())
    doc = yaml.load((DATA / "tasks.yaml").read_text(encoding="utf-8"), Loader=yamlsrc.LOADER)
    for item in doc["tasks"]:
        item.update(_entry_dicts(dataset.plan.require(item["id"])))
    (folder / "tasks.yaml").write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("story") / "data"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(histories())
def test_the_cli_tells_the_same_story(
    gk: Any, folder: Path, history: tuple[Dataset, date, Unit | None]
) -> None:
    dataset, as_of, unit = history
    _write(dataset, folder)
    truth = {k: v.value for k, v in _truth(dataset, as_of, unit).items()}
    day = ["--as-of", as_of.isoformat()]
    who = ["--unit", unit.name] if unit is not None else []

    def run(*args: str) -> str:
        result = gk(*args, data=folder)
        assert result.exit_code == 0, result.stderr
        return str(result.stdout)

    listed = json.loads(run("list", *who, *day, "-f", "json"))
    assert {t["id"]: t["status"] for t in listed["tasks"]} == truth
    if unit is not None:
        due = json.loads(run("due", *who, *day, "--all", "-f", "json"))
        assert {t["id"]: t["status"] for t in due["tasks"]} == truth
    for task_id in TASKS:
        if task_id in truth:
            shown = json.loads(run("show", str(task_id), *who, *day, "-f", "json"))
            assert shown["task"]["status"] == truth[task_id]
    # One ranking (issue 24): the commands list the units in the same order.
    ranking = [u["unit"] for u in json.loads(run("due", *day, "-f", "json"))["units"]]
    assert [u["unit"] for u in json.loads(run("stats", *day, "-f", "json"))["units"]] == ranking
    chase = json.loads(run("review", *day, "-f", "json"))["chase"]
    _in_order([c["unit"] for c in chase], ranking)
    if unit is None:
        summary = run("report", *day)
        reported = sum(1 for v in truth.values() if v == "reported")
        overdue = sum(1 for v in truth.values() if v == "overdue")
        assert f"## 逾期任务（{overdue} 项）" in summary
        assert (f"| 已报完成，待销号 | {reported} |" in summary) == bool(reported)
    else:
        numbers = json.loads(run("stats", *day, "-f", "json"))
        row = next(u for u in numbers["units"] if u["unit"] == unit.name)
        sure = _sure(dataset, unit)
        assert row["overdue"] == sum(1 for i in sure if truth[i] in ("overdue", "unfinished"))
        done = {st.value for st in status.DONE_STATUSES}
        assert row["done"] == sum(1 for i in sure if truth[i] in done)


# --- the same on the site, as a browser shows it (issue 24) --------------------------------

EXECUTABLE = browser.find()


@pytest.fixture(scope="module")
def chromium() -> Iterator[browser.Browser]:
    assert EXECUTABLE is not None
    b = browser.Browser(EXECUTABLE)
    try:
        yield b
    finally:
        b.close()


def _records() -> tuple[Dataset, date, Unit | None]:
    """A history with one of each record, seen after all of them but one: 31's report sent
    back, 28's accepted, 39's request rejected and 2's approved, and 60's request decided after
    the day (still 待批 then)."""
    done, day = ProgressStatus.DONE, date
    wanted = {
        31: {"progress": (Progress(day(2024, 10, 20), "区经委", done, returned=day(2024, 11, 4),
                                   return_reason="未附公开链接"),)},
        28: {"progress": (Progress(day(2024, 10, 28), "区经委", done, accepted=day(2024, 11, 2)),)},
        39: {"extensions": (Extension(day(2024, 10, 22), "区行政服务中心", day(2024, 12, 15), "等待",
                                      True, decision=Decision.REJECTED, decided=day(2024, 10, 30),
                                      decision_note="理由不足"),)},
        2: {"extensions": (Extension(day(2024, 10, 22), "区经委", day(2025, 1, 15), "年底",
                                     decision=Decision.APPROVED, decided=day(2024, 10, 24)),)},
        60: {"extensions": (Extension(day(2024, 10, 22), "区经委", day(2024, 12, 1), "理由",
                                      True, decision=Decision.APPROVED, decided=day(2024, 11, 20)),)},
    }  # fmt: skip
    tasks = tuple(
        t._replace(**wanted[t.id]) if t.id in wanted else t  # type: ignore[arg-type]
        for t in BASE.plan.tasks
    )
    return BASE._replace(plan=BASE.plan._replace(tasks=tasks)), date(2024, 11, 5), None


@pytest.mark.skipif(EXECUTABLE is None, reason="no Chromium found (see tests/test_site.py)")
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(histories())
@example(_records())
def test_the_site_tells_the_same_story(
    gk: Any,
    chromium: browser.Browser,
    tmp_path_factory: pytest.TempPathFactory,
    history: tuple[Dataset, date, Unit | None],
) -> None:
    """The board's cards and the units table, as the browser lays them out, are in the
    order of `due`; every task's page shows the status `list --format json` gives, the
    unit's page the status `list --unit` gives for each of its tasks, and the page of each
    task given a history every record of it as it stood that day: each report sent back (退办) with its reason,
    each report accepted, each extension request with the decision then (待批 until decided)."""
    dataset, as_of, unit = history
    root = tmp_path_factory.mktemp("site-story")
    _write(dataset, root / "data")
    day = ["--as-of", as_of.isoformat()]
    result = gk("site", *day, "-o", str(root / "site"), data=root / "data")
    assert result.exit_code == 0, result.stderr
    due = json.loads(gk("due", *day, "-f", "json", data=root / "data").stdout)
    ranking = [u["unit"] for u in due["units"]]
    chromium.open((root / "site" / "index.html").as_uri(), 1280)
    cards = chromium.evaluate(
        "[...document.querySelectorAll('ul.board li')].map(e => e.dataset.unit)"
    )
    rows = chromium.evaluate(
        "[...document.querySelectorAll('table.units tbody tr')].map(e => e.dataset.unit)"
    )
    assert cards == ranking and rows == ranking
    listed = json.loads(gk("list", *day, "-f", "json", data=root / "data").stdout)
    truth = {t["id"]: t["status"] for t in listed["tasks"]}
    labels = {Decision.APPROVED: "批准", Decision.REJECTED: "不批准"}
    for task_id in TASKS:
        chromium.open((root / "site" / "tasks" / f"{task_id}.html").as_uri(), 1280)
        shown = chromium.evaluate("document.querySelector('h1 + p .status').className")
        assert shown == f"status s-{truth[task_id]}"
        task = dataset.plan.require(task_id)
        entries = sorted(
            (p for p in task.progress if p.date <= as_of), key=lambda p: (p.date, p.unit)
        )
        records = chromium.evaluate(
            """[...document.querySelectorAll('main section')[0].querySelectorAll('li')].map(li =>
                 [...li.querySelectorAll('.record')].map(r => r.className + ' ' + r.textContent))"""
        )
        assert len(records) == len(entries)
        for p, found in zip(entries, records, strict=True):
            want = []
            if p.returned is not None and p.returned <= as_of:
                want.append(f"record returned 退办 {_zh(p.returned)}：{p.return_reason}")
            if p.accepted is not None and p.accepted <= as_of:
                want.append(f"record accepted 确认完成 {_zh(p.accepted)}")
            assert found == want
        asked = sorted(
            (e for e in task.extensions if e.date <= as_of), key=lambda e: (e.date, e.unit, e.to)
        )
        decisions = chromium.evaluate(
            "[...document.querySelectorAll('main section')[1].querySelectorAll('li')]"
            ".map(li => li.querySelector('.mark .label')?.textContent)"
        )
        assert decisions == [
            labels[e.decision] if e.decided is not None and e.decided <= as_of else "待批"
            for e in asked
        ]
    # Every task's page, as written (the browser opened those given a history), and the
    # drawn unit's page, whose rows are its tasks in its own view: `list --unit`.
    for task_id, want in truth.items():
        page = (root / "site" / "tasks" / f"{task_id}.html").read_text(encoding="utf-8")
        found = re.search(r'</h1>\n<p><span class="status s-(\w+)"', page)
        assert found is not None and found.group(1) == want, task_id
    if unit is not None:
        mine = gk("list", "--unit", unit.name, *day, "-f", "json", data=root / "data")
        page = (root / "site" / site.unit_pages(dataset.directory)[unit.name]).read_text(
            encoding="utf-8"
        )
        rows = re.findall(
            r'<tr class="s-(\w+)"><td class="num"><a href="\.\./tasks/(\d+)\.html"', page
        )
        assert {int(i): s for s, i in rows} == {
            t["id"]: t["status"] for t in json.loads(mine.stdout)["tasks"]
        }


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the same across the plans of a folder of plans (issue 23) --------------------------------


@st.composite
def two_plans(draw: st.DrawFn) -> tuple[list[NamedPlan], date, Unit]:
    """Plan 2024 and plan 2025, each with its own drawn history, some tasks carried from
    the first into the second (same ids, linked both ways), a day from the first plan's
    start to early 2026 (after the first, or both, have ended) and a unit."""
    old, _, _ = draw(histories())
    new, _, _ = draw(histories())
    carried = draw(st.sets(st.sampled_from(TASKS), min_size=1, max_size=5))

    def linked(dataset: Dataset, key: str, plan: str) -> tuple[Task, ...]:
        return tuple(
            t._replace(**{key: Link(plan, t.id)}) if t.id in carried else t
            for t in dataset.plan.tasks
        )

    doc = new.plan.document._replace(year=2025, published=date(2025, 4, 10))
    old = old._replace(plan=old.plan._replace(tasks=linked(old, "carried_to", "2025")))
    # Late work: the unit's requests, approved, to move tasks of 2024 into 2025.
    unit = draw(st.sampled_from(_involved(BASE.plan.require(draw(st.sampled_from(TASKS))))))
    late = draw(st.sets(st.sampled_from(TASKS), max_size=4))
    old = old._replace(plan=old.plan._replace(tasks=tuple(_late(t, unit, draw) if t.id in late else t for t in old.plan.tasks)))  # fmt: skip
    new = new._replace(
        plan=new.plan._replace(document=doc, tasks=linked(new, "carried_from", "2024"))
    )
    # Mostly after 2024 has ended; sometimes after 2025 too (its carried-in work stays).
    as_of = _day(draw(st.one_of(st.integers(0, 720), st.integers(266, 400), st.integers(631, 720))))
    return [NamedPlan("2024", old), NamedPlan("2025", new)], as_of, unit


def _late(task: Task, unit: Unit, draw: st.DrawFn) -> Task:
    if involvement(task, unit, BASE.directory) is None:
        return task
    to = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 200)))
    asked = date(2024, 12, 1)
    approved = Extension(asked, unit.name, to, "理由", decision=Decision.APPROVED, decided=asked)
    return task._replace(extensions=(*task.extensions, approved))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_plans())
def test_the_cross_plan_view_tells_each_plans_story(
    case: tuple[list[NamedPlan], date, Unit],
) -> None:
    plans, as_of, unit = case
    assert plans_core.link_problems(plans) == []  # carried both ways: nothing to say
    # What each plan says on its own, and which of its tasks a unit still has to see: all
    # of a running plan; of an ended one (after 31 December of its year) what is not done
    # and not carried on, and either came from an earlier plan or is due after the end.
    expected: dict[tuple[str, int], Status] = {}
    every: dict[tuple[str, int], Status] = {}
    for name, dataset in plans:
        end = date(dataset.plan.document.year, 12, 31)
        for s in status.unit_states(dataset, unit, as_of):
            every[name, s.task.id] = s.status
            live = s.status not in status.DONE_STATUSES and s.task.carried_to is None
            later = s.task.carried_from is not None or (s.due is not None and s.due > end)
            if as_of <= end or (live and later):
                expected[name, s.task.id] = s.status
    shown = plans_core.unit_due_states(plans, unit, as_of, status.DEFAULT_WITHIN, False, False)
    assert {(s.plan, s.task.id): s.status for s in shown} == expected
    named = plans_core.unit_due_states(plans, unit, as_of, status.DEFAULT_WITHIN, False, True)
    assert {(s.plan, s.task.id): s.status for s in named} == every
    # JSON, CSV and the terminal view of the same states say the same, plan by plan.
    datasets = {name: dataset for name, dataset in plans}
    records = json.loads(machine.plans_tasks_json(datasets, shown, as_of, unit.name))
    assert {(t["plan"], t["id"]): t["status"] for t in records["tasks"]} == {
        k: v.value for k, v in expected.items()
    }
    for t in records["tasks"]:
        if t["id"] in {s.task.id for s in shown if s.task.carried_from is not None}:
            assert t["plan"] != "2025" or t["carried_from"] == {"plan": "2024", "id": t["id"]}
    table = machine.tasks_csv(plans[0].dataset, shown, True, True)[1:]
    rows = csv.DictReader(io.StringIO(table))
    assert {(r["plan"], int(r["id"])): r["status"] for r in rows} == {
        k: v.value for k, v in expected.items()
    }
    out = wide()
    with out.capture() as captured:
        out.print(terminal.due_view(shown, unit, as_of, True, status.DEFAULT_WITHIN))
    marks = re.findall(r"^ *(\d{4})#(\d+) ", captured.get(), re.M)
    assert {(plan, int(task_id)) for plan, task_id in marks} == set(expected)
