"""The GitHub workflows, run locally: every step's `run:` commands execute in a temporary
copy of the repository with this virtualenv's gkctl first on PATH, so that a workflow
cannot rot unnoticed. Steps that install (pip) or set up (uses:) are GitHub's part."""

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


def _repo_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for folder in ("data", "templates", ".github"):
        shutil.copytree(ROOT / folder, repo / folder)
    shutil.copy2(ROOT / "constraints.txt", repo / "constraints.txt")
    return repo


def run_workflow(name: str, tmp_path: Path, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """Run every job's run: steps; return the repo copy, the step summary and what ran."""
    workflow = _load(name)
    repo = _repo_copy(tmp_path)
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("GKCTL_")}
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    base["GITHUB_STEP_SUMMARY"] = str(summary)
    base["GITHUB_WORKSPACE"] = str(repo)
    ran, skipped, artifacts = [], [], []
    for job in workflow["jobs"].values():
        job_env = {k: _expand(v, inputs or {}) for k, v in job.get("env", {}).items()}
        for step in job["steps"]:
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
            env = {
                **base,
                **job_env,
                **{k: _expand(v, inputs or {}) for k, v in step.get("env", {}).items()},
            }
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=repo,
                env=env,
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


def test_validate_workflow(tmp_path) -> None:
    done = run_workflow("validate.yml", tmp_path)
    assert set(done["workflow"]["on"]) >= {"pull_request"}
    assert "gkctl validate --format github" in done["ran"]
    assert len(done["skipped"]) == 1


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
    done = run_workflow("report.yml", tmp_path, {"as_of": "2024-10-15"})
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
    done = run_workflow("report.yml", tmp_path, {})
    assert done["summary"].startswith("# 2024年金山区政务公开工作要点 督办情况汇总\n")
    assert (done["repo"] / "out" / "summary.md").read_text(encoding="utf-8") == done["summary"]
