"""benchmarks/run.py measures each command's own peak memory, not its own script's."""

import sys

from tests.conftest import ROOT


def test_peak_memory_is_the_commands_own() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run  # benchmarks/run.py
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
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
