"""The shortcuts that views over many tasks take give what the one-task rules give.

unit_states, plan_states and status.Viewer share what tasks with the same deadline and no
records have in common, and units.involvement_of looks at the groups once per unit; each
is checked here, task by task and unit by unit, against status.state and
units.involvement on plans with progress, extensions, closings and groups.
"""

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.core import behind, notice, status
from gkctl.core.model import Dataset, Directory, Group, Task, Unit, UnitKind
from gkctl.core.units import by_unit, involvement, involvement_of
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES, ROOT

DAYS = [date(2024, 3, 1), date(2024, 10, 15), date(2024, 12, 20), date(2025, 1, 5)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600-task plan from the benchmark generator: every group, many unit lists."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = tmp_path_factory.mktemp("generated")
    generate(600, out)
    return out


# Unit lists where a unit is reached twice: named and in a group, in two groups, in a sure
# group and in a group of "the relevant ones", or written twice.
OVERLAPS = [
    ["区经委", "各部门"],
    ["各部门", "区经委"],
    ["区经委", "区财政局", "各部门"],
    ["各相关部门", "各部门"],
    ["各部门", "各相关部门", "区经委"],
    ["区经委", "各相关部门"],
    ["各街镇", "街镇", "山阳镇"],
    ["区经委", "区经委"],
    ["各相关单位", "朱泾镇", "各街镇"],
]


@pytest.fixture(scope="module")
def overlapping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan with its first tasks' units replaced by OVERLAPS, on disk."""
    import yaml

    out = tmp_path_factory.mktemp("overlapping")
    plan = yaml.safe_load((DATA / "tasks.yaml").read_text(encoding="utf-8"))
    for task, units in zip(plan["tasks"], OVERLAPS, strict=False):
        task["units"] = units
        task["deadline"] = "9月底前"  # late by October: group lines
    # Two towns of the 各街镇 task report: one done (counted as reported), one under way.
    plan["tasks"][6]["progress"] = [
        {"date": date(2024, 9, 20), "unit": "枫泾镇", "status": "done", "note": "已完成"},
        {"date": date(2024, 9, 21), "unit": "朱泾镇", "status": "doing", "note": "推进中"},
    ]
    # A report sent back (退办) on an all-year task: the unit that wrote it has it to do again
    # while the task's own state (not due yet) is not on anybody's list.
    plan["tasks"][1]["deadline"] = "全年"
    plan["tasks"][1]["progress"] = [
        {
            "date": date(2024, 9, 10),
            "unit": "区经委",
            "status": "done",
            "note": "已完成",
            "returned": date(2024, 9, 20),
            "return_reason": "缺少佐证材料",
        },
    ]
    text = yaml.safe_dump(plan, allow_unicode=True, sort_keys=False)
    (out / "tasks.yaml").write_text(text, encoding="utf-8")
    (out / "units.yaml").write_bytes((DATA / "units.yaml").read_bytes())
    return out


@pytest.fixture(params=["bundled", "progress", "generated", "closed", "overlapping"])
def dataset(request: pytest.FixtureRequest, generated: Path, overlapping: Path) -> Dataset:
    where = {
        "bundled": DATA,
        "progress": FIXTURES / "progress" / "plan",
        "overlapping": overlapping,
    }
    loaded = loader.load(where.get(request.param, generated))
    if request.param != "closed":
        return loaded
    # Every fifth task closed (销号) in June, with records or none.
    tasks = tuple(
        t._replace(closed=date(2024, 6, 28)) if t.id % 5 == 0 else t for t in loaded.plan.tasks
    )
    assert any(t.closed and not t.progress for t in tasks)
    return loaded._replace(plan=loaded.plan._replace(tasks=tasks))


def test_involvement_of_answers_as_involvement(dataset: Dataset) -> None:
    checked = 0
    for unit in dataset.directory.units:
        of = involvement_of(unit, dataset.directory)
        for task in dataset.plan.tasks:
            assert of(task) == involvement(task, unit, dataset.directory), (task.id, unit.name)
            checked += of(task) is not None
    assert checked > len(dataset.plan.tasks)  # groups bring many units into tasks


def test_tasks_by_unit_are_each_units_involvements(dataset: Dataset) -> None:
    index = by_unit(dataset.directory, dataset.plan.tasks)
    tasks = dataset.plan.tasks
    for unit, found in zip(dataset.directory.units, index, strict=True):
        of = involvement_of(unit, dataset.directory)
        expected = [(t, how) for t in tasks if (how := of(t)) is not None]
        assert [(tasks[at], how) for at, how in found.items()] == expected, unit.name
    assert sum(map(len, index)) > len(dataset.plan.tasks)


# Directories that the bundled one does not show: a group name written twice (the first
# counts), a unit named as a group is, two units of one name, a group of no unit.
_NAMES = ["甲", "乙", "丙", "各部门", "各街镇", "各相关部门"]
_units = st.lists(
    st.builds(Unit, st.sampled_from(_NAMES[:4]), st.sampled_from(list(UnitKind))), max_size=6
)
_groups = st.lists(
    st.builds(
        Group,
        st.sampled_from(_NAMES[3:]),
        st.just(""),
        st.lists(st.sampled_from(list(UnitKind)), unique=True).map(tuple),
        st.booleans(),
        same_as=st.sampled_from([None, "各单位"]),
    ),
    max_size=4,
)
_written = st.lists(st.lists(st.sampled_from(_NAMES), max_size=4).map(tuple), max_size=8)


@settings(max_examples=300, deadline=None)
@given(_units, _groups, _written)
def test_tasks_by_unit_in_any_directory(
    units: list[Unit], groups: list[Group], written: list[tuple[str, ...]]
) -> None:
    directory = Directory(tuple(units), tuple(groups))
    tasks = tuple(Task(i + 1, "一", "", "", "", names, "全年") for i, names in enumerate(written))
    index = by_unit(directory, tasks)
    assert len(index) == len(units)
    for unit, found in zip(units, index, strict=True):
        expected = [(t, how) for t in tasks if (how := involvement(t, unit, directory)) is not None]
        assert [(tasks[at], how) for at, how in found.items()] == expected


@pytest.mark.parametrize("as_of", DAYS)
@pytest.mark.parametrize("with_reported", [True, False])
def test_a_view_over_every_unit_reads_as_each_units_own(
    dataset: Dataset, as_of: date, with_reported: bool
) -> None:
    """unit_states walks the plan for the first unit asked and indexes it for the next ones
    (a view over every unit), sharing the task's own state among the units that recorded
    nothing on it: both ways, and a unit of another directory, answer alike."""
    units = dataset.directory.units

    def states(of: Dataset, unit: Unit) -> list[status.TaskState]:
        return status.unit_states(of, unit, as_of, with_reported=with_reported)

    # Each unit alone, over its own copy of the plan: the first unit asked of a plan.
    alone = [states(dataset._replace(plan=dataset.plan._replace()), unit) for unit in units]
    # The same plan, unit after unit: from the second on, from the index.
    assert [states(dataset, unit) for unit in units] == alone
    if not with_reported:
        assert all(s.reported is None for found in alone for s in found)
    stranger = units[0]._replace(name="区经委", aliases=("别名",))
    walked = [
        status.state(dataset, t, as_of, unit=stranger, how=how)
        for t in dataset.plan.tasks
        if (how := involvement(t, stranger, dataset.directory)) is not None
    ]
    assert status.unit_states(dataset, stranger, as_of) == walked


def _copy(dataset: Dataset) -> Dataset:
    return dataset._replace(plan=dataset.plan._replace())


def _late(s: status.TaskState) -> bool:
    return s.status is status.Status.OVERDUE


# states_by_unit's options as notify (sure_only, without who reported) and review's chase
# (direct_only) use them, and others.
_OPTIONS = [
    {"sure_only": True, "with_reported": False},
    {"direct_only": True},
    {"sure_only": True, "direct_only": True, "with_reported": False},
    {},
]


@pytest.mark.parametrize("keep", [notice._to_do, _late, None])
@pytest.mark.parametrize("options", _OPTIONS)
def test_states_by_unit_are_each_units_states_kept(
    dataset: Dataset, keep: Callable[[status.TaskState], bool] | None, options: dict[str, bool]
) -> None:
    """states_by_unit walks the plan once for every unit, task by task (each task's own
    state shared among the units that recorded nothing on it, the others judged as they
    see it): the same states, in plan order, as each unit's own view filtered."""
    units = dataset.directory.units
    sure_only = options.get("sure_only", False)
    direct_only = options.get("direct_only", False)
    with_reported = options.get("with_reported", True)
    kept_any = 0
    for as_of in DAYS:
        # Each unit alone, over its own copy of the plan: the first unit asked walks it.
        alone = [
            [
                s
                for s in status.unit_states(
                    _copy(dataset), u, as_of, direct_only=direct_only, with_reported=with_reported
                )
                if (keep is None or keep(s))
                and not (sure_only and s.involvement is not None and s.involvement.possible)
            ]
            for u in units
        ]
        kept = status.states_by_unit(dataset, as_of, keep=keep, **options)
        assert kept == alone, as_of
        kept_any += sum(map(len, kept))
    assert kept_any, "no state kept on any day: the check would not see a difference"


@pytest.mark.parametrize("as_of", DAYS)
def test_every_units_form_is_each_units_own(dataset: Dataset, as_of: date) -> None:
    """form --each-unit lays out every unit's form from one walk of the plan, each task's
    fingerprint worked out once: the same forms as each unit's alone."""
    from gkctl.exchange import form

    every = form.form_layouts(dataset, as_of)
    alone = [(u, form.form_layout(_copy(dataset), u, as_of)) for u in dataset.directory.units]
    assert every == alone
    assert any(sheet.rows for _, sheet in every), "no form has a row: nothing compared"


@pytest.mark.parametrize("as_of", DAYS)
def test_views_over_many_tasks_match_one_task_state(dataset: Dataset, as_of: date) -> None:
    tasks = dataset.plan.tasks
    assert status.plan_states(dataset, as_of) == [status.state(dataset, t, as_of) for t in tasks]
    for unit in dataset.directory.units:
        expected = [
            status.state(dataset, t, as_of, unit=unit, how=how)
            for t in tasks
            if (how := involvement(t, unit, dataset.directory)) is not None
        ]
        assert status.unit_states(dataset, unit, as_of) == expected, unit.name


@pytest.mark.parametrize("direct_only", [False, True])
def test_unit_summaries_count_as_each_units_view(dataset: Dataset, direct_only: bool) -> None:
    as_of = date(2024, 10, 15)
    rows = status.unit_summaries(dataset, as_of, direct_only=direct_only)
    for row in rows:
        states = status.unit_states(dataset, row.unit, as_of, direct_only=direct_only)
        assert row == status.summarize(states, row.unit), row.unit.name
    assert sum(r.total for r in rows) >= len(dataset.plan.tasks)  # each names a unit


@pytest.mark.parametrize("as_of", DAYS)
def test_viewer_sees_each_task_as_each_unit_does(dataset: Dataset, as_of: date) -> None:
    viewer = status.Viewer(dataset, as_of)
    seen = set()
    for task in dataset.plan.tasks:
        for unit in dataset.directory.units:
            mine = status.state(dataset, task, as_of, unit=unit)
            got = viewer.of(task, unit)
            assert got.reported is None  # left out: counts never read it
            assert got._replace(reported=mine.reported) == mine, (task.id, unit.name)
            seen.add(got.status)
    assert len(seen) >= 2  # not one status for everything


def test_one_viewer_shared_gives_the_same_counts(dataset: Dataset) -> None:
    as_of = date(2024, 10, 15)
    viewer = status.Viewer(dataset, as_of)
    shared = (
        status.unit_summaries(dataset, as_of, viewer=viewer),
        behind.answers(dataset, as_of, viewer=viewer),
        status.states_by_unit(dataset, as_of, viewer=viewer, keep=_late),
    )
    alone = (
        status.unit_summaries(dataset, as_of),
        behind.answers(dataset, as_of),
        status.states_by_unit(dataset, as_of, with_reported=False, keep=_late),
    )
    assert shared == alone
    assert any(r.total for r in shared[0])


def _answers_one_by_one(dataset: Dataset, as_of: date) -> tuple[list, list]:
    """core.behind's figures and group lines straight from its docstring: every task in
    every unit's own view, one status.state at a time."""
    units = dataset.directory.units
    # Past the plan's end a task 未完成 is late as an overdue one is.
    late = (status.Status.OVERDUE, status.Status.UNFINISHED)
    late_kinds = (*late, status.Status.DUE_SOON)
    figures = {u.name: [0] * 7 for u in units}
    lines = []
    for task in dataset.plan.tasks:
        for unit in units:
            if unit.name not in task.units:
                continue
            st = status.state(dataset, task, as_of, unit=unit).status
            lead = task.units[0] == unit.name
            f = figures[unit.name]
            f[0] += 1
            if st in late:
                f[1] += lead
                f[2] += 1
            elif st is status.Status.DUE_SOON:
                f[3] += lead
                f[4] += 1
        seen = set()
        for name in task.units:
            group = dataset.directory.group(name)
            if group is None or group.relevant or group.canonical in seen:
                continue
            seen.add(group.canonical)
            members = [u for u in units if u.kind in group.members and u.name not in task.units]
            views = [status.state(dataset, task, as_of, unit=u) for u in members]
            for u, s in zip(members, views, strict=True):
                if s.status in late:
                    figures[u.name][5] += 1
                elif s.status is status.Status.DUE_SOON:
                    figures[u.name][6] += 1
            behind_on = [s for s in views if s.status in late_kinds]
            if behind_on:
                # The worst status the members have on it.
                kind = next(k for k in status.STATUS_ORDER if any(s.status is k for s in behind_on))
                first = next(s for s in behind_on if s.status is kind)
                done = {p.unit for p in task.progress if p.done_on(as_of)}
                lines.append(
                    behind.GroupLine(
                        group.canonical,
                        task,
                        kind,
                        first.due,
                        first.days_left,
                        sum(1 for s in behind_on if s.status is kind),
                        sum(1 for u in members if u.name in done),
                        len(members),
                    )
                )
    order = {u.name: i for i, u in enumerate(units)}
    ranked = sorted(
        (behind.Answer(u, *figures[u.name]) for u in units),
        key=lambda a: behind.rank_key(a, order),
    )
    lines.sort(key=behind.line_key(dataset, as_of))
    return ranked, lines


@pytest.mark.parametrize("as_of", DAYS)
def test_rankings_match_each_units_own_view(dataset: Dataset, as_of: date) -> None:
    ranked, lines = behind.answers(dataset, as_of)
    assert (ranked, lines) == _answers_one_by_one(dataset, as_of)
    assert any(a.named for a in ranked)
    if len(dataset.plan.tasks) == 600 and as_of == date(2024, 10, 15):  # generated
        assert len(lines) > 20
    if dataset.plan.tasks[6].progress and as_of == date(2024, 10, 15):  # overlapping
        assert any(g.reported == 1 and g.task.id == 7 for g in lines)


def test_a_viewer_of_another_day_is_refused(dataset: Dataset) -> None:
    viewer = status.Viewer(dataset, date(2024, 10, 15))
    with pytest.raises(ValueError):
        status.unit_summaries(dataset, date(2024, 10, 16), viewer=viewer)
    with pytest.raises(ValueError):
        behind.answers(dataset, date(2024, 10, 15), within=7, viewer=viewer)
    with pytest.raises(ValueError):
        status.states_by_unit(
            dataset._replace(plan=dataset.plan._replace()), viewer=viewer, as_of=date(2024, 10, 15)
        )


@pytest.mark.parametrize("plan", ["generated", "progress", "bundled"])
def test_trend_counts_as_status_state_on_every_day(plan: str, generated: Path) -> None:
    """core.trend asks status.state again only where a record that moves the plan-wide
    status took effect or the calendar crossed into 临期/逾期; every month's counts and
    序时进度 equal those of status.state for every task on that day."""
    from gkctl.core import trend

    data = {"generated": generated, "progress": FIXTURES / "progress" / "plan", "bundled": DATA}
    dataset = loader.load(data[plan])
    for as_of in (date(2024, 10, 15), date(2025, 1, 5)):
        for p in trend.compute(dataset, as_of).points:
            states = [status.state(dataset, t, p.day) for t in dataset.plan.tasks]
            assert p.counts == {
                st: sum(1 for s in states if s.status is st) for st in status.Status
            }
            dated = [s for s in states if s.original_due is not None]
            assert p.dated == len(dated), p.day
            assert p.passed == sum(1 for s in dated if s.original_due <= p.day)
            assert p.done == sum(1 for s in dated if s.status is status.Status.DONE)


# JSON values as machine output holds them, and what it does not (keys that are not text,
# NaN and infinities, other types), which dumps hands to json.
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["", "\u2028", "\x00", '\\"', "区经委\n全年", "\ud800"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=2)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_machine_json_is_the_standard_librarys(data: object) -> None:
    """machine.dumps writes indented JSON itself (the standard library's indented encoder
    is pure Python and slow): the same text as json.dumps, for any value."""
    import json

    from gkctl.views import machine

    assert machine.dumps(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(_JSON, max_size=6))
def test_a_lazy_list_is_written_as_its_items_made(items: list[object]) -> None:
    """machine.Lazy (records made one by one as they are written) is written as the list of
    what it makes, on both of dumps' paths (its own writer, and json for what it leaves)."""
    import json

    from gkctl.views import machine

    def make(item: object) -> object:
        return {"item": item, "n": 1}

    made = [make(item) for item in items]
    lazy = machine.Lazy(items, make)
    want = json.dumps({"tasks": made}, ensure_ascii=False, indent=2) + "\n"
    assert machine.dumps({"tasks": lazy}) == want
    assert machine.dumps({"tasks": lazy}) == want  # made again, as many times as written


def test_machine_json_in_chunks_is_the_same_text() -> None:
    """dumps joins its pieces into chunks every few thousand (machine._CHUNK) so that a
    whole plan's pieces are not all alive at once: lists far past a chunk, nested and
    flat, are still the standard library's text."""
    import json

    from gkctl.views import machine

    rows = [
        {"id": n, "units": ["区经委", f"单位{n}"], "text": "全年" * (n % 7), "x": [[n], {}]}
        for n in range(3 * machine._CHUNK)
    ]
    data = {"tasks": rows, "flat": list(range(machine._CHUNK * 2 + 3)), "after": "末"}
    want = json.dumps(data, ensure_ascii=False, indent=2)
    assert machine.dumps(data) == want + "\n"
    # A Lazy list of plain records is written by dumps' own writer, record by record, not
    # handed to json (which would make every record first: the memory this is for).
    lazy = {**data, "tasks": machine.Lazy(range(len(rows)), rows.__getitem__)}
    assert machine._indented(lazy, json.encoder.encode_basestring) == want
