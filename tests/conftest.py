"""Shared test set-up: byte-stable Rich output, a CLI runner, and copies of the real data."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gkctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
