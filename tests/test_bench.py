"""benchmarks/run.py measures each command's own peak memory, not its own script's, and
checks its targets on ratios to the floor measured beside each figure."""

import sys
from types import ModuleType

from tests.conftest import ROOT


def bench_script() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run  # benchmarks/run.py
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return run


def test_peak_memory_is_the_commands_own() -> None:
    run = bench_script()
    # The script holds much memory (it generates plans): 200 MB, each page touched.
    ballast = bytearray(200 * 1024 * 1024)
    ballast[:: 1 << 12] = b"x" * len(ballast[:: 1 << 12])
    python = [sys.executable, "-c"]
    _, small = run.run_once([*python, "pass"], {})
    grow = "x = bytearray(120 * 1024 * 1024); x[:: 1 << 12] = b'x' * len(x[:: 1 << 12])"
    _, big = run.run_once([*python, grow], {})
    assert small < 60, small  # a bare interpreter: ~10 MB, not the script's 200
    assert 120 <= big < 190, big
    del ballast


def test_hostile_input_targets_are_ratios_taken_side_by_side() -> None:
    run = bench_script()

    def fig(size: int, name: str, ratio: float, floor: float) -> object:
        return run.Figure(size, name, ratio * floor, [], 20.0, ratio, floor)

    figures = [
        # The floor doubled between the two digit runs: the seconds grew 24 times, the
        # ratios 12 times, and only the ratios count.
        fig(5000, "deadline digit run", 0.8, 0.1),
        fig(50000, "deadline digit run", 9.6, 0.2),
        fig(4000, "deadline Chinese-digit run", 0.8, 0.1),
        fig(40000, "deadline Chinese-digit run", 0.9, 0.1),
        fig(75, "import xlsx", 2.5, 0.1),
        fig(75, "import xlsx zip_bomb", 1.0, 0.1),
        fig(75, "import docx", 4.0, 0.1),
        fig(75, "import docx merged_20000_rows", 9.0, 0.1),
    ]
    got = {t["command"]: (t["value"], t["ok"]) for t in run.check_targets(figures)}
    assert got["deadline digit run growth vs 5000"] == (12.0, True)
    assert got["deadline digit run"] == (9.6, False)  # held to the floor as well
    assert got["deadline Chinese-digit run growth vs 4000"] == (1.12, True)
    assert got["deadline Chinese-digit run"] == (0.9, True)
    assert got["import xlsx zip_bomb vs normal"] == (0.4, True)
    assert got["import docx merged_20000_rows vs normal"] == (2.25, False)
    # A case not measured has no target (a quicker run still reports the rest).
    assert "import xlsx billion_laughs vs normal" not in got


def test_growth_is_held_for_gkctl_commands_not_for_taskwarrior() -> None:
    run = bench_script()

    def fig(size: int, name: str, ratio: float) -> object:
        return run.Figure(size, name, ratio * 0.1, [], 20.0, ratio, 0.1)

    figures = [
        fig(10000, "review", 4.0),
        fig(100000, "review", 44.0),
        fig(10000, run.TASKWARRIOR, 4.0),
        fig(100000, run.TASKWARRIOR, 52.0),
    ]
    got = {t["command"]: (t["value"], t["ok"]) for t in run.check_targets(figures)}
    assert got["review growth vs 10000"] == (11.0, False)
    assert not any(run.TASKWARRIOR in name for name in got)


def test_a_figure_of_one_run_has_a_floor_of_several(monkeypatch) -> None:
    """A heavy command runs once per size; the floor it is divided by is still the median
    of FLOOR_RUNS runs, not one sample of a process that moves by a third run to run."""
    run = bench_script()
    python = [sys.executable, "-c"]
    monkeypatch.setattr(run, "FLOOR", [*python, "import json"])
    started: list[list[str]] = []
    real = run.run_once

    def counting(argv: list[str], env: dict[str, str], cwd: object = None) -> tuple:
        started.append(argv)
        return real(argv, env, cwd)

    monkeypatch.setattr(run, "run_once", counting)
    command = [*python, "pass"]
    for runs, floors in ((1, 5), (3, 6), (5, 5)):
        started.clear()
        figure = run.measure(10000, "x", command, {}, runs, warm_up=False)
        assert started.count(run.FLOOR) == floors, runs
        assert started.count(command) == runs == len(figure.runs)
        assert figure.ratio > 0 and figure.floor_s > 0


def test_two_sizes_are_measured_in_turn_over_one_floor(monkeypatch) -> None:
    """A command's 10,000- and 100,000-task figures are taken run for run in turn, each
    after a floor run, and both divided by the median of all those floors: the growth is
    the quotient of seconds of the same minutes."""
    run = bench_script()
    python = [sys.executable, "-c"]
    monkeypatch.setattr(run, "FLOOR", [*python, "import json"])
    small, big = [*python, "pass"], [*python, "import email.mime.text"]
    started: list[str] = []
    real = run.run_once

    def naming(argv: list[str], env: dict[str, str], cwd: object = None) -> tuple:
        started.append({tuple(run.FLOOR): "F", tuple(small): "s", tuple(big): "b"}[tuple(argv)])
        return real(argv, env, cwd)

    monkeypatch.setattr(run, "run_once", naming)
    specs = [
        run.Spec(10000, "x", small, runs=3, warm_up=False),
        run.Spec(100000, "x", big, runs=2, warm_up=False),
    ]
    ten, hundred = run.side_by_side(specs, {})
    assert "".join(started) == "FsFbFsFbFs"
    assert ten.floor_s == hundred.floor_s > 0
    assert (len(ten.runs), len(hundred.runs)) == (3, 2)
    growth = {t["command"]: t["value"] for t in run.check_targets([ten, hundred])}
    assert growth["x growth vs 10000"] == round(hundred.median_s / ten.median_s, 2)

    started.clear()  # heavy: one run of each, and still FLOOR_RUNS floors in all
    specs = [run.Spec(10000, "y", small, runs=1), run.Spec(100000, "y", big, runs=1)]
    run.side_by_side(specs, {})
    assert "".join(started) == "sbFFFsFFFb"


def test_each_command_is_paired_with_itself_at_the_other_size_and_none_is_lost() -> None:
    """main() measures what Pairing gives it: with 10,000 and 100,000 tasks asked, each
    command's two figures in one group; a command at one of the two sizes only, alone;
    every spec exactly once; other sizes alone as they come."""
    run = bench_script()

    def specs(size: int, *names: str) -> list:
        return [run.Spec(size, name, [name], runs=1) for name in names]

    pairing = run.Pairing([75, 10000, 50000, 100000])
    assert [[s.name for s in g] for g in pairing.take(75, specs(75, "due", "--help"))] == [
        ["due"],
        ["--help"],
    ]
    assert pairing.take(10000, specs(10000, "due", "site", "validate")) == []
    assert [[s.name for s in g] for g in pairing.take(50000, specs(50000, "due"))] == [["due"]]
    groups = pairing.take(100000, specs(100000, "due", "validate", "site (first build)"))
    got = [[(s.size, s.name) for s in g] for g in groups]
    assert got == [
        [(10000, "due"), (100000, "due")],
        [(10000, "validate"), (100000, "validate")],
        [(100000, "site (first build)")],
        [(10000, "site")],
    ]
    assert pairing.waiting == {}

    # The site's rebuild at 2,000 tasks is taken beside its 10,000-task one, which waits
    # on for the 100,000-task figures when they are asked.
    pairing = run.Pairing([2000, 10000, 100000])
    assert pairing.take(2000, specs(2000, "due", "site")) == [[run.Spec(2000, "due", ["due"], 1)]]
    assert pairing.take(10000, specs(10000, "due", "site")) == []
    got = [[(s.size, s.name) for s in g] for g in pairing.take(100000, specs(100000, "due"))]
    assert got == [[(10000, "due"), (100000, "due")], [(2000, "site"), (10000, "site")]]
    assert pairing.waiting == {}
    pairing = run.Pairing([2000, 10000, 50000])
    assert pairing.take(2000, specs(2000, "site")) == []
    got = [[(s.size, s.name) for s in g] for g in pairing.take(10000, specs(10000, "site"))]
    assert got == [[(2000, "site"), (10000, "site")]]
    assert pairing.take(50000, specs(50000, "site (first build)"))[0][0].size == 50000
    assert pairing.waiting == {}
    only = run.Pairing([2000, 50000])  # no 10,000: the site at 2,000 does not wait
    assert [[s.size for s in g] for g in only.take(2000, specs(2000, "site"))] == [[2000]]

    alone = run.Pairing([10000, 50000])  # no 100,000: nothing waits
    assert [[s.size for s in g] for g in alone.take(10000, specs(10000, "due"))] == [[10000]]
