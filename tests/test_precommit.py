"""The documented pre-commit set-up, run for real: the example configuration copied as it
is into a data repository blocks a commit of invalid data and lets a valid one through; the
hook this repository offers (.pre-commit-hooks.yaml) installs and runs through
`pre-commit try-repo` (slow: it builds gkctl in a fresh virtualenv, so only with
GKCTL_SLOW_TESTS=1, which CI sets)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT
from tests.test_workflows import GIT_ENV

BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
pytestmark = pytest.mark.skipif(
    not PRE_COMMIT.exists(), reason="pre-commit is not installed (pip install -e '.[dev]')"
)


def _data_repo(tmp_path: Path, config: str) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "plans"
    shutil.copytree(DATA, repo / "data")
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GKCTL_", "PRE_COMMIT")) and k != "PYTHONUNBUFFERED"
        },
        **GIT_ENV,
        # gkctl and pre-commit of this virtualenv, as after `pip install gkctl pre-commit`.
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    return repo, env


def _run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Hook output goes to stdout or stderr depending on the caller: merged, as a user sees it.
    return subprocess.run(
        list(args),
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def _break(repo: Path) -> None:
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(
        text.replace("units: [区经委]\n", "units: [区经委员会]\n", 1), encoding="utf-8"
    )


def test_example_config_works_as_written(tmp_path) -> None:
    example = (ROOT / "docs" / "pre-commit-config.example.yaml").read_text(encoding="utf-8")
    repo, env = _data_repo(tmp_path, example)
    assert (
        _run(repo, env, str(PRE_COMMIT), "validate-config", ".pre-commit-config.yaml").returncode
        == 0
    )
    assert _run(repo, env, str(PRE_COMMIT), "install").returncode == 0
    first = _run(repo, env, "git", "commit", "-q", "-m", "the plan")
    assert first.returncode == 0, first.stdout
    assert "gkctl validate" in first.stdout and "Passed" in first.stdout
    _break(repo)
    _run(repo, env, "git", "add", "data/tasks.yaml")
    blocked = _run(repo, env, "git", "commit", "-q", "-m", "a typo")
    assert blocked.returncode == 1
    assert "未知责任单位“区经委员会”，是否为“区经委”？" in blocked.stdout
    # The problems first, then the count under them, as in a terminal (issue 26, item 7).
    assert blocked.stdout.index("未知责任单位") < blocked.stdout.index("共发现 1 个问题。")
    log = _run(repo, env, "git", "log", "--oneline")
    assert len(log.stdout.splitlines()) == 1  # the bad commit was not made
    # A commit that points gkctl.toml at a copy of the plan and breaks the plan itself is
    # blocked too: every plan of the repository is checked, whatever gkctl.toml says.
    _run(repo, env, "git", "reset", "-q")
    _run(repo, env, "git", "checkout", "-q", "--", "data")
    shutil.copytree(repo / "data", repo / "decoy")
    (repo / "gkctl.toml").write_text('data = "decoy"\n', encoding="utf-8")
    _break(repo)
    _run(repo, env, "git", "add", "-A")
    decoy = _run(repo, env, "git", "commit", "-q", "-m", "read the copy")
    assert decoy.returncode == 1, decoy.stdout
    assert "data/tasks.yaml:" in decoy.stdout and "未知责任单位“区经委员会”" in decoy.stdout
    _run(repo, env, "git", "reset", "-q")
    shutil.rmtree(repo / "decoy")
    (repo / "gkctl.toml").unlink()
    # A commit that touches neither file does not run the hook.
    (repo / "README.md").write_text("说明\n", encoding="utf-8")
    _run(repo, env, "git", "reset", "-q", "data")
    _run(repo, env, "git", "add", "README.md")
    other = _run(repo, env, "git", "commit", "-q", "-m", "readme")
    assert other.returncode == 0 and "(no files to check)Skipped" in other.stdout


@pytest.mark.skipif(not os.environ.get("GKCTL_SLOW_TESTS"), reason="slow; GKCTL_SLOW_TESTS=1")
def test_offered_hook_through_try_repo(tmp_path) -> None:
    source = tmp_path / "gkctl"
    # try-repo installs from a git repository: the working tree as it is, committed.
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "*cache*", "out", "build")
    )
    repo, env = _data_repo(tmp_path, "repos: []\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "gkctl"]):
        subprocess.run(["git", *args], cwd=source, env=env, check=True, capture_output=True)
    ok = _run(repo, env, str(PRE_COMMIT), "try-repo", str(source), "gkctl-validate", "--all-files")
    assert ok.returncode == 0, ok.stdout
    _break(repo)
    bad = _run(repo, env, str(PRE_COMMIT), "try-repo", str(source), "gkctl-validate", "--all-files")
    assert bad.returncode == 1
    assert "未知责任单位“区经委员会”，是否为“区经委”？" in bad.stdout
