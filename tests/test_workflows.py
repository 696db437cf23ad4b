"""The GitHub workflows, run locally: every step's `run:` commands execute in a temporary
copy of the repository with this virtualenv's gkctl first on PATH, so that a workflow
cannot rot unnoticed. Steps that install (pip) or set up (uses:) are GitHub's part.

Each run simulates one event (pull_request, push, schedule, workflow_dispatch): a step or
job guarded by `if:` runs exactly when its condition holds for that event."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
GOLDEN = ROOT / "tests" / "golden"
ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4"}
# What a run: line may start with: gkctl, or a shell builtin (no other tool, so that the
# local run proves what GitHub will run).
ALLOWED = {"gkctl", "echo", "printf", "cd", "test", "[", ":", "set", "export", "exit"}
INSTALL = re.compile(r"^\s*(pip3?|python3?(\.\d+)? -m pip)\s")
GIT_ENV = {
    # The test repository must not depend on the user's git configuration.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "gkctl tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "gkctl tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2024-10-01T08:00:00+08:00",
    "GIT_COMMITTER_DATE": "2024-10-01T08:00:00+08:00",
}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean true (YAML 1.1).
    data["on"] = data.pop(True)
    return data


def _expand(value: object, inputs: dict[str, str]) -> str:
    """The few ${{ }} expressions the workflows may use: inputs.NAME."""

    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        if not expr.startswith("inputs."):
            pytest.fail(f"workflow expression not supported locally: {expr}")
        return inputs.get(expr.removeprefix("inputs."), "")

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


_TERM = re.compile(r"github\.event_name\s*(==|!=)\s*'([^']*)'")


def condition_holds(expr: object, event: str) -> bool:
    """The few `if:` conditions the workflows may use: `github.event_name == 'NAME'` (or
    !=), joined with && and ||, with or without ${{ }}. Anything else fails the test, so
    that a new condition cannot be skipped (or run) by mistake."""
    text = str(expr).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()

    def term(part: str) -> bool:
        m = _TERM.fullmatch(part.strip())
        if m is None:
            pytest.fail(f"workflow condition not supported locally: {part.strip()}")
        # GitHub compares strings ignoring case.
        return (m.group(2).casefold() == event.casefold()) == (m.group(1) == "==")

    return any(all(term(p) for p in either.split("&&")) for either in text.split("||"))


@pytest.mark.parametrize(
    ("expr", "event", "expected"),
    [
        ("github.event_name == 'pull_request'", "pull_request", True),
        ("github.event_name == 'pull_request'", "push", False),
        ("${{ github.event_name != 'schedule' }}", "push", True),
        ("github.event_name == 'push' || github.event_name == 'Schedule'", "schedule", True),
        ("github.event_name == 'push' && github.event_name != 'push'", "push", False),
    ],
)
def test_condition_evaluator(expr, event, expected) -> None:
    assert condition_holds(expr, event) is expected


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _repo_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for folder in ("data", "templates", ".github"):
        shutil.copytree(ROOT / folder, repo / folder)
    shutil.copy2(ROOT / "constraints.txt", repo / "constraints.txt")
    return repo


def run_workflow(
    name: str,
    tmp_path: Path,
    event: str,
    inputs: dict[str, str] | None = None,
    repo: Path | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run every job's run: steps as `event` would; return the repo copy, the step summary,
    what ran and what its `if:` left out. `env` stands for what GitHub sets for the event
    (GITHUB_BASE_REF …); `repo` is a prepared copy (default: a fresh one)."""
    workflow = _load(name)
    assert event in workflow["on"], f"{name} does not run on {event}"
    repo = repo or _repo_copy(tmp_path)
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GKCTL_", "GITHUB_"))}
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    base["GITHUB_STEP_SUMMARY"] = str(summary)
    base["GITHUB_WORKSPACE"] = str(repo)
    base["GITHUB_EVENT_NAME"] = event
    base.update(env or {})
    ran, skipped, not_this_event, artifacts = [], [], [], []
    for job in workflow["jobs"].values():
        if "if" in job and not condition_holds(job["if"], event):
            continue
        job_env = {k: _expand(v, inputs or {}) for k, v in job.get("env", {}).items()}
        for step in job["steps"]:
            if "if" in step and not condition_holds(step["if"], event):
                not_this_event.append(step.get("run", step.get("uses")))
                continue
            if "uses" in step:
                assert step["uses"] in ACTIONS, step["uses"]
                if step["uses"].startswith("actions/upload-artifact"):
                    artifacts.append(step["with"]["path"])
                continue
            script = step["run"]
            assert "${{" not in script, "pass expressions through env:, not into run:"
            if INSTALL.match(script):
                skipped.append(script)
                continue
            step_env = {
                **base,
                **job_env,
                **{k: _expand(v, inputs or {}) for k, v in step.get("env", {}).items()},
            }
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=repo,
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (
                f"{name}: step {step.get('name')!r} failed\n{result.stdout}\n{result.stderr}"
            )
            ran.append(script)
    return {
        "repo": repo,
        "summary": summary.read_text(encoding="utf-8"),
        "ran": ran,
        "skipped": skipped,
        "not_this_event": not_this_event,
        "artifacts": artifacts,
        "workflow": workflow,
    }


@pytest.mark.parametrize("name", ["validate.yml", "report.yml"])
def test_run_lines_use_only_gkctl_and_builtins(name) -> None:
    for job in _load(name)["jobs"].values():
        for step in job["steps"]:
            if "run" not in step or INSTALL.match(step["run"]):
                continue
            for line in step["run"].splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    assert line.split()[0] in ALLOWED, f"{name}: {line}"


@pytest.mark.parametrize("name", ["validate.yml", "report.yml"])
def test_set_up_python_311_and_install(name) -> None:
    steps = [s for job in _load(name)["jobs"].values() for s in job["steps"]]
    setup = [s for s in steps if s.get("uses", "").startswith("actions/setup-python")]
    assert [s["with"]["python-version"] for s in setup] == ["3.11"]
    installs = [s["run"] for s in steps if "run" in s and INSTALL.match(s["run"])]
    assert installs == ["python -m pip install --disable-pip-version-check -c constraints.txt ."]


DIFF_STEP = 'gkctl diff "origin/$GITHUB_BASE_REF" --format markdown >> "$GITHUB_STEP_SUMMARY"'


def test_validate_workflow_on_push(tmp_path) -> None:
    # A push to main: validate and render; no base branch, so no plan diff.
    done = run_workflow("validate.yml", tmp_path, "push")
    assert done["workflow"]["on"]["push"] == {"branches": ["main"]}
    assert "gkctl validate --format github" in done["ran"]
    assert len(done["skipped"]) == 1
    assert done["not_this_event"] == [DIFF_STEP]
    assert done["summary"] == ""


def test_checkout_fetches_the_base_branch() -> None:
    steps = _load("validate.yml")["jobs"]["validate"]["steps"]
    checkout = [s for s in steps if s.get("uses", "").startswith("actions/checkout")]
    # Depth 0 fetches every branch as origin/NAME, which the diff step compares with.
    assert [s.get("with", {}).get("fetch-depth") for s in checkout] == [0]
    diff = next(s for s in steps if s.get("run") == DIFF_STEP)
    assert diff["if"] == "github.event_name == 'pull_request'"
    assert "env" not in diff  # GITHUB_BASE_REF is GitHub's own, and cannot be overridden


def _pull_request_repo(tmp_path: Path) -> Path:
    """A copy that looks like a pull request's checkout: the bundled data committed on the
    base branch (origin/main), and the pull request's change (task 41's deadline moved) in
    the working tree."""
    repo = _repo_copy(tmp_path / "pr")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "data")
    git(repo, "commit", "-q", "-m", "the plan as published")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    start = text.index("  - id: 41\n")
    end = text.index("  - id: 42\n")
    block = text[start:end]
    assert block.count("deadline: 3月底前\n") == 1
    moved = block.replace("deadline: 3月底前\n", "deadline: 12月底前\n")
    tasks.write_text(text[:start] + moved + text[end:], encoding="utf-8")
    return repo


def test_validate_workflow_on_pull_request_shows_the_plan_diff(tmp_path) -> None:
    repo = _pull_request_repo(tmp_path)
    done = run_workflow(
        "validate.yml",
        tmp_path,
        "pull_request",
        repo=repo,
        env={"GITHUB_BASE_REF": "main", "GKCTL_TODAY": "2024-10-15"},
    )
    assert done["ran"][-1] == DIFF_STEP and done["not_this_event"] == []
    summary = done["summary"]
    assert summary.startswith("## 计划变更：origin/main → 工作区\n"), summary
    assert "- **任务 41**（修改）" in summary
    assert "3月底前（2024-03-31）" in summary and "12月底前（2024-12-31）" in summary
    # Only task 41 changed.
    assert re.findall(r"\*\*任务 (\d+)\*\*", summary) == ["41"]


def test_validate_workflow_fails_without_the_base_branch(tmp_path) -> None:
    # A shallow clone without origin/main must fail the step, not post an empty summary.
    repo = _pull_request_repo(tmp_path)
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    failed = r"(?s)step \"Show the plan changes on the run's page\" failed.*未知的版本“origin/main”"
    with pytest.raises(AssertionError, match=failed):
        run_workflow(
            "validate.yml", tmp_path, "pull_request", repo=repo, env={"GITHUB_BASE_REF": "main"}
        )
    assert (tmp_path / "step-summary.md").read_text(encoding="utf-8") == ""


def test_validate_workflow_fails_on_bad_data(tmp_path) -> None:
    repo = _repo_copy(tmp_path / "probe")
    tasks = (repo / "data" / "tasks.yaml").read_text(encoding="utf-8")
    broken = tasks.replace("units: [区经委]\n", "units: [区经委员会]\n", 1)
    assert broken != tasks
    (repo / "data" / "tasks.yaml").write_text(broken, encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", "gkctl validate --format github"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=data/tasks.yaml,line=")
    assert "未知责任单位“区经委员会”，是否为“区经委”？" in result.stdout


def test_report_workflow_at_a_fixed_date(tmp_path) -> None:
    done = run_workflow("report.yml", tmp_path, "workflow_dispatch", {"as_of": "2024-10-15"})
    on = done["workflow"]["on"]
    assert on["schedule"] == [{"cron": "0 1 1 * *"}] and "workflow_dispatch" in on
    out = done["repo"] / "out"
    assert done["artifacts"] == ["out/"]
    golden = {
        out / "summary.md": "report-summary-2024-10-15.md",
        out / "breakdown.md": "report-breakdown-2024-10-15.md",
        out / "units" / "区经委.md": "report-unit-区经委-2024-10-15.md",
    }
    for path, name in golden.items():
        assert path.read_text(encoding="utf-8") == (GOLDEN / name).read_text(encoding="utf-8")
    assert len(list((out / "units").glob("*.md"))) == 40
    assert done["summary"] == (GOLDEN / "report-summary-2024-10-15.md").read_text(encoding="utf-8")


def test_report_workflow_on_schedule_uses_today(tmp_path) -> None:
    # A scheduled run has no inputs: GKCTL_TODAY is empty and gkctl takes today's date.
    done = run_workflow("report.yml", tmp_path, "schedule", {})
    assert done["summary"].startswith("# 2024年金山区政务公开工作要点 督办情况汇总\n")
    assert (done["repo"] / "out" / "summary.md").read_text(encoding="utf-8") == done["summary"]
