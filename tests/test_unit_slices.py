"""A unit's view from its slice of the cache (core.unitview) says what the whole plan says.

Every unit of the plans tests/test_fast_paths.py checks (the bundled plan, progress and
extensions, a generated plan, closed tasks, units reached twice), on days before, inside
and after the plan's year, with and without --direct: the states, the due view's counts and
rows for several limits, and the commands' output through a real cache entry against the
same commands with the cache off.
"""

from array import array
from datetime import date
from pathlib import Path

import pytest

from gkctl.core import status, unitview
from gkctl.core.model import Dataset
from gkctl.core.units import involvement_of
from gkctl.store import cache
from tests.conftest import DATA
from tests.test_fast_paths import DAYS, dataset, generated, overlapping  # noqa: F401

SHOWN = [list(status.ATTENTION), list(status.STATUS_ORDER)]


class Counting:
    """A Reader over a dataset in memory that remembers which tasks were read."""

    def __init__(self, data: Dataset) -> None:
        self.tasks = data.plan.tasks
        self.read: list[int] = []
        shell = data._replace(plan=data.plan._replace(tasks=()))
        self.reader = unitview.Reader(shell, [t.id for t in self.tasks], self.load)

    def load(self, positions: list[int]) -> list:
        self.read += positions
        return [self.tasks[p] for p in positions]


def _slices_unit_by_unit(data: Dataset) -> dict[str, unitview.Slice]:
    """The slices as their definition reads: each unit asks each task how it is involved."""
    tasks = data.plan.tasks
    out = {}
    for unit in data.directory.units:
        of = involvement_of(unit, data.directory)
        groups: dict[tuple, list[int]] = {}
        own = []
        for pos, task in enumerate(tasks):
            how = of(task)
            if how is None:
                continue
            mine = {p.unit for p in task.progress} | {e.unit for e in task.extensions}
            if task.closed is not None or unit.name in mine:
                own.append(pos)
            else:
                groups.setdefault((task.deadline, task.due, how), []).append(pos)
        kept = tuple(
            unitview.Group(*key, array("l", sorted(members, key=lambda p: tasks[p].id)))
            for key, members in groups.items()
        )
        thin = tuple(unitview.thin(tasks[p]) for p in own)
        out[unit.name] = unitview.Slice(kept, array("l", own), thin)
    return out


@pytest.mark.parametrize("order", ["plan", "reversed"])
def test_slices_are_each_units_tasks_asked_one_by_one(dataset: Dataset, order: str) -> None:  # noqa: F811
    """slices() walks the plan once for every unit (units.involved); a plan whose tasks do
    not stand in id order has each group's tasks sorted by id all the same."""
    if order == "reversed":
        plan = dataset.plan._replace(tasks=dataset.plan.tasks[::-1])
        dataset = dataset._replace(plan=plan)
    got = unitview.slices(dataset)
    assert got == _slices_unit_by_unit(dataset)
    assert sum(len(g.positions) for sl in got.values() for g in sl.groups) > len(dataset.plan.tasks)
    thin = [t for sl in got.values() for t in sl.own_thin]
    assert all(not (t.name or t.content or t.text or t.notes) for t in thin)
    assert all(not p.note for t in thin for p in t.progress)


@pytest.mark.parametrize("as_of", DAYS)
def test_slices_give_each_units_states(dataset: Dataset, as_of: date) -> None:  # noqa: F811
    parts = unitview.slices(dataset)
    judged = 0
    for unit in dataset.directory.units:
        for direct in (False, True):
            whole = status.unit_states(dataset, unit, as_of, direct_only=direct)
            counting = Counting(dataset)
            got = unitview.unit_states(counting.reader, unit, parts[unit.name], as_of, 30, direct)
            assert got == whole, (unit.name, direct)
            attention = [s for s in whole if s.status in status.ATTENTION]
            sliced = unitview.unit_states(
                counting.reader, unit, parts[unit.name], as_of, 30, direct, status.ATTENTION
            )
            assert sliced == attention, (unit.name, direct)
            judged += len(whole)
    assert judged > len(dataset.plan.tasks)


@pytest.mark.parametrize("as_of", DAYS)
@pytest.mark.parametrize("limit", [0, 1, 3, 50])
def test_slices_give_each_units_due_view(
    dataset: Dataset,  # noqa: F811
    as_of: date,
    limit: int,
) -> None:
    parts = unitview.slices(dataset)
    for unit in dataset.directory.units:
        for direct in (False, True):
            whole = sorted(
                status.unit_states(dataset, unit, as_of, direct_only=direct), key=status.sort_key
            )
            for shown in SHOWN:
                expected = unitview.summarize(whole, shown, limit)
                counting = Counting(dataset)
                got = unitview.unit_due(
                    counting.reader, unit, parts[unit.name], as_of, 30, direct, shown, limit
                )
                assert got == expected, (unit.name, direct, limit)
                if limit:
                    # Only its own tasks and the rows shown are read.
                    own = len(parts[unit.name].own)
                    assert len(counting.read) <= own + limit * (len(shown) + 1), unit.name


def test_a_group_of_tasks_is_read_only_for_the_rows_shown(generated: Path) -> None:  # noqa: F811
    from gkctl.store import loader

    data = loader.load(generated)
    unit = data.directory.unit("区经委")
    assert unit is not None
    counting = Counting(data)
    part = unitview.slices(data)[unit.name]
    as_of = date(2024, 10, 15)
    got = unitview.unit_due(counting.reader, unit, part, as_of, 30, False, SHOWN[0], 2)
    total = sum(got.counts.values()) + sum(got.maybe.values())
    assert total == len(status.unit_states(data, unit, as_of)) > 100
    assert len(counting.read) < total / 2


def test_a_units_rows_lie_in_few_slices(generated: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    """The cache stores tasks by due date, deadline and id (cache._view_order), near the
    order a view lists them in: the rows a unit's due view shows are unpickled from fewer
    slices than they would be in plan order."""
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_TASKS_PER_PICKLE", 8)
    whole = cache.load(generated)
    sliced = cache.open_slices(generated)
    assert sliced is not None
    read: list[int] = []

    def load(positions: list[int]) -> list:
        read.extend(positions)
        return sliced.tasks(positions)

    reader = unitview.Reader(sliced.dataset, sliced.ids, load)
    checked = 0
    for unit in whole.directory.units[:8]:
        name = unit.name
        read.clear()
        sliced._slices.clear()
        got = unitview.unit_due(
            reader, unit, sliced.unit(name), date(2024, 10, 15), 30, False, SHOWN[0], 5
        )
        expected = unitview.summarize(
            sorted(status.unit_states(whole, unit, date(2024, 10, 15)), key=status.sort_key),
            SHOWN[0],
            5,
        )
        assert got == expected, name
        in_plan_order = len({p // 8 for p in read})
        assert len(read) > 10, name
        assert len(sliced._slices) < in_plan_order, (name, len(sliced._slices), in_plan_order)
        checked += 1
    assert checked == 8


def _run(gk, monkeypatch, folder: Path, data: Path, *args: str) -> tuple[str, str, int]:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(folder))
    result = gk(*args, data=data)
    return result.stdout, result.stderr, result.exit_code


def _whole_plan_refused(monkeypatch) -> None:
    """Reading the whole plan from the cache fails the test: a view of one unit or task
    must read its slice."""

    def refused(*args: object) -> None:
        raise AssertionError("the whole plan was read")

    monkeypatch.setattr(cache, "_read", refused)


UNITS = ["区经委", "区财政局", "朱泾镇", "区司法局", "区档案馆"]


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--as-of", "2024-10-15"),
        ("due", "--as-of", "2024-10-15", "--all", "--limit", "0"),
        ("due", "--as-of", "2024-12-20", "--direct", "--limit", "3"),
        ("due", "--as-of", "2025-01-05", "--all"),
        ("due", "--as-of", "2024-10-15", "--format", "json"),
        ("due", "--as-of", "2024-10-15", "--format", "csv", "--fail-on", "due_soon"),
        ("list", "--as-of", "2024-10-15"),
        ("list", "--as-of", "2024-10-15", "--status", "overdue", "--format", "json"),
    ],
)
def test_commands_answer_from_slices_as_from_the_plan(
    gk,
    monkeypatch,
    tmp_path: Path,
    generated: Path,  # noqa: F811
    args: tuple[str, ...],
) -> None:
    folder = tmp_path / "cache"
    for unit in UNITS:
        _three_ways(gk, monkeypatch, folder, generated, (*args, "--unit", unit))


def _three_ways(
    gk, monkeypatch, folder: Path, data: Path, args: tuple[str, ...]
) -> tuple[str, str, int]:
    """The command with the cache off, then on (writing the entry), then from the slices
    only: the same output, exit code and messages each time (returned)."""
    monkeypatch.setenv("GKCTL_NO_CACHE", "1")
    whole = _run(gk, monkeypatch, folder, data, *args)
    monkeypatch.delenv("GKCTL_NO_CACHE")
    first = _run(gk, monkeypatch, folder, data, *args)
    with monkeypatch.context() as m:
        _whole_plan_refused(m)
        sliced = _run(gk, monkeypatch, folder, data, *args)
    assert whole == first == sliced, args
    assert whole[0] or whole[1]
    return whole


def test_show_and_completion_read_one_task(gk, monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkctl.cli.app import app

    folder = tmp_path / "cache"
    monkeypatch.setenv("GKCTL_NO_CACHE", "1")
    whole = [
        _run(gk, monkeypatch, folder, DATA, "show", str(i), "--as-of", "2024-10-15")
        for i in (1, 31, 75, 76)
    ]
    monkeypatch.delenv("GKCTL_NO_CACHE")
    _run(gk, monkeypatch, folder, DATA, "validate")
    assert _run(gk, monkeypatch, folder, DATA, "due", "--as-of", "2024-10-15")[2] == 0
    with monkeypatch.context() as m:
        _whole_plan_refused(m)
        sliced = [
            _run(gk, monkeypatch, folder, DATA, "show", str(i), "--as-of", "2024-10-15")
            for i in (1, 31, 75)
        ]
        env = {
            "_GKCTL_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": f"gkctl show --data {DATA} 7",
            "GKCTL_CACHE_DIR": str(folder),
        }
        done = CliRunner().invoke(app, [], env=env, prog_name="gkctl")
    assert sliced == whole[:3]
    assert whole[3][2] == 2 and "现有序号：1–75" in whole[3][1]
    assert "75" in done.stdout and "7" in done.stdout


def test_a_changed_byte_is_a_miss_for_slices(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert cache.open_slices(data_copy) is None  # nothing written yet
    whole = cache.load(data_copy)
    sliced = cache.open_slices(data_copy)
    assert sliced is not None
    assert sliced.dataset == whole._replace(plan=whole.plan._replace(tasks=()))
    assert sliced.tasks(range(len(whole.plan.tasks))) == list(whole.plan.tasks)
    for name in ("tasks.yaml", "units.yaml"):
        path = data_copy / name
        raw = path.read_bytes()
        middle = len(raw) // 2  # one byte, the size unchanged
        path.write_bytes(raw[:middle] + bytes([raw[middle] ^ 1]) + raw[middle + 1 :])
        assert cache.open_slices(data_copy) is None, name
        path.write_bytes(raw)
        assert cache.open_slices(data_copy) is not None, name


def test_a_damaged_task_reads_the_plan_again(data_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(tmp_path / "cache"))
    whole = cache.load(data_copy)
    sliced = cache.open_slices(data_copy)
    assert sliced is not None
    (entry,) = (tmp_path / "cache").glob("*.cache")
    raw = bytearray(entry.read_bytes())
    at = sliced._starts[30 // sliced._per]  # the slice of the 31st task
    raw[at : at + 8] = b"damaged!"
    entry.write_bytes(bytes(raw))
    again = cache.open_slices(data_copy)
    assert again is not None
    assert again.tasks([30, 0]) == [whole.plan.tasks[30], whole.plan.tasks[0]]


@pytest.fixture
def plans_folder(tmp_path: Path, generated: Path) -> Path:  # noqa: F811
    """A folder of plans: the generated plan as 2024, the bundled plan as 2025 and 2026,
    with the shared units.yaml (core.plans)."""
    import shutil

    out = tmp_path / "plans"
    sources = {2024: generated, 2025: DATA, 2026: DATA}
    for year, source in sources.items():
        text = (source / "tasks.yaml").read_text(encoding="utf-8")
        text = text.replace("  year: 2024", f"  year: {year}", 1)
        text = text.replace("  published: 2024-04-10", f"  published: {year}-04-10", 1)
        (out / str(year)).mkdir(parents=True)
        (out / str(year) / "tasks.yaml").write_text(text, encoding="utf-8")
    shutil.copy(DATA / "units.yaml", out / "units.yaml")
    return out


@pytest.mark.parametrize(
    "args",
    [
        # 2025-10-15: the 2024 plan has ended (only what still runs in it is listed).
        ("due", "--as-of", "2025-10-15"),
        ("due", "--as-of", "2025-10-15", "--all", "--limit", "0"),
        ("due", "--as-of", "2025-10-15", "--limit", "3", "--direct"),
        ("due", "--as-of", "2024-10-15", "--limit", "7"),
        ("due", "--as-of", "2025-10-15", "--plan", "2024", "--limit", "5"),
        ("due", "--as-of", "2025-10-15", "--format", "json"),
        ("due", "--as-of", "2025-10-15", "--format", "csv", "--fail-on", "due_soon"),
        ("due", "--as-of", "2026-02-01", "--all", "--format", "json"),
    ],
)
def test_cross_plan_due_from_slices_as_from_the_plans(
    gk, monkeypatch, tmp_path: Path, plans_folder: Path, args: tuple[str, ...]
) -> None:
    """The due view of a folder of plans reads each plan's slice (core.plans.sliced_due and
    sliced_states), with the answers of the plans read whole."""
    import re

    folder = tmp_path / "cache"
    shown = ""
    for unit in UNITS:
        shown += _three_ways(gk, monkeypatch, folder, plans_folder, (*args, "--unit", unit))[0]
    # Rows of more than one plan (of the one named), each marked with its plan.
    marks = re.findall(r'(202\d)#\d|"plan": "(202\d)"|^(202\d),', shown, re.M)
    plans = {"".join(m) for m in marks}
    assert plans == {"2024"} if "--plan" in args else plans, plans
