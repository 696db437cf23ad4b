"""Shared test set-up: byte-stable Rich output, a CLI runner, and copies of the real data."""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gkctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _symlink_problem() -> str | None:
    """Why this system cannot make a symbolic link (None: it can), found by making one.
    Windows refuses without the privilege or developer mode; Wine's os.symlink returns as
    if it had made one and leaves nothing, so the link is looked at, not the call's return."""
    with tempfile.TemporaryDirectory() as folder:
        target, link = Path(folder) / "target", Path(folder) / "link"
        target.write_bytes(b"probe")
        try:
            os.symlink(target.name, link)
        except (OSError, NotImplementedError) as exc:
            return f"os.symlink failed: {exc!r}"
        if not link.is_symlink():
            return "os.symlink returned but made no link (as under Wine)"
        if link.read_bytes() != b"probe":
            return "a symbolic link made here does not lead to its target"
    return None


# Tests whose premise is a symbolic link: they run wherever one can be made (Linux, macOS,
# Windows with the privilege) and skip with the probe's finding elsewhere.
SYMLINK_PROBLEM = _symlink_problem()
needs_symlinks = pytest.mark.skipif(
    SYMLINK_PROBLEM is not None, reason=f"no symbolic links here: {SYMLINK_PROBLEM}"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gkctl-cache")


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch: pytest.MonkeyPatch, _cache_dir: Path) -> None:
    # Fixed width, no colour, no inherited gkctl settings: output is byte-stable.
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    for name in ("GKCTL_DATA", "GKCTL_TODAY", "GKCTL_DEBUG", "FORCE_COLOR", "GKCTL_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    # The parsed-plan cache goes to a folder of the test session, never to ~/.cache.
    monkeypatch.setenv("GKCTL_CACHE_DIR", str(_cache_dir))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled data folder, safe to write to."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def gk(runner: CliRunner) -> Callable[..., object]:
    """Run gkctl with arguments; returns the CliRunner result (exit_code, stdout, stderr)."""

    def run(*args: str, data: Path | None = DATA, env: dict[str, str] | None = None) -> object:
        argv = list(args)
        if data is not None and "--data" not in argv:
            argv += ["--data", str(data)]
        return runner.invoke(app, argv, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = Path(__file__).resolve().parent / "golden" / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.exists(), f"golden file {name} missing: run make golden"
        assert text == path.read_text(encoding="utf-8"), (
            f"output differs from tests/golden/{name}; if the change is intended, run make golden"
        )

    return check
