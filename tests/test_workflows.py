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
# Every action is pinned to a commit (a tag can be moved), with the tag in a comment.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
PINNED_LINE = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*$")
# The inputs of the actions used, from their action.yml at the pinned commits, and the values
# of those that take a fixed set: a misspelt input or value (if-no-fiels-found, cache: pipp)
# is ignored by GitHub with a warning, so it fails here.
ACTION_INPUTS: dict[str, dict[str, set[str] | None]] = {
    "actions/checkout": dict.fromkeys(
        [
            "allow-unsafe-pr-checkout",
            "clean",
            "fetch-depth",
            "fetch-tags",
            "filter",
            "github-server-url",
            "lfs",
            "path",
            "persist-credentials",
            "ref",
            "repository",
            "set-safe-directory",
            "show-progress",
            "sparse-checkout",
            "sparse-checkout-cone-mode",
            "ssh-key",
            "ssh-known-hosts",
            "ssh-strict",
            "ssh-user",
            "submodules",
            "token",
        ]
    ),
    "actions/setup-python": {
        **dict.fromkeys(
            [
                "allow-prereleases",
                "architecture",
                "cache-dependency-path",
                "check-latest",
                "freethreaded",
                "python-version",
                "python-version-file",
                "token",
                "update-environment",
            ]
        ),
        "cache": {"pip", "pipenv", "poetry"},
    },
    "actions/upload-artifact": {
        **dict.fromkeys(
            [
                "compression-level",
                "include-hidden-files",
                "name",
                "overwrite",
                "path",
                "retention-days",
            ]
        ),
        "if-no-files-found": {"warn", "error", "ignore"},
    },
    "actions/upload-pages-artifact": dict.fromkeys(
        ["include-hidden-files", "name", "path", "retention-days"]
    ),
    "actions/deploy-pages": dict.fromkeys(
        ["artifact_name", "error_count", "preview", "reporting_interval", "timeout", "token"]
    ),
    "actions/download-artifact": dict.fromkeys(
        [
            "artifact-ids",
            "github-token",
            "merge-multiple",
            "name",
            "path",
            "pattern",
            "repository",
            "run-id",
        ]
    ),
}
# GitHub-hosted runner labels (a misspelt one, ubuntu-lates, waits for a runner for ever).
RUNNERS = {"ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "windows-latest"}
# What a run: line may start with: gkctl, or a shell builtin (no other tool, so that the
# local run proves what GitHub will run).
ALLOWED = {"gkctl", "echo", "printf", "cd", "test", "[", ":", "set", "export", "exit"}
# A variable set from what a command left ($?, as the diff's --exit-code does) runs nothing.
ASSIGNMENT = re.compile(r"^\w+=\$\?$")
BASH = shutil.which("bash") or "/bin/bash"
# Installing (pip), or making the virtualenv to install into (the generated Gitea workflows).
INSTALL = re.compile(r"^\s*(pip3?|python3?(\.\d+)? -m (pip|venv))\s")
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


def _load(name: str, folder: Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load(((folder or WORKFLOWS) / name).read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean true (YAML 1.1).
    data["on"] = data.pop(True)
    return data


def _expand(value: object, inputs: dict[str, str], context: dict[str, str] | None = None) -> str:
    """The few ${{ }} expressions the workflows may use: inputs.NAME, and the context values
    the simulated event provides (github.event.pull_request.number …)."""

    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        if expr.startswith("inputs."):
            return inputs.get(expr.removeprefix("inputs."), "")
        if context is None or expr not in context:
            pytest.fail(f"workflow expression not supported locally: {expr}")
        return context[expr]

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(value))


_TERM = re.compile(r"([\w.]+)\s*(==|!=)\s*'([^']*)'")


def condition_holds(expr: object, event: str, context: dict[str, str] | None = None) -> bool:
    """The few `if:` conditions the workflows may use: `github.event_name == 'NAME'` (or !=,
    or another value of the simulated event's context), joined with && and ||, with or
    without ${{ }}. Anything else fails the test, so that a new condition cannot be skipped
    (or run) by mistake."""
    text = str(expr).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    values = {**(context or {}), "github.event_name": event}

    def term(part: str) -> bool:
        m = _TERM.fullmatch(part.strip())
        if m is None or m.group(1) not in values:
            pytest.fail(f"workflow condition not supported locally: {part.strip()}")
        # GitHub compares strings ignoring case.
        return (m.group(3).casefold() == values[m.group(1)].casefold()) == (m.group(2) == "==")

    return any(all(term(p) for p in either.split("&&")) for either in text.split("||"))


@pytest.mark.parametrize(
    ("expr", "event", "expected"),
    [
        ("github.event_name == 'pull_request'", "pull_request", True),
        ("github.event_name == 'pull_request'", "push", False),
        ("${{ github.event_name != 'schedule' }}", "push", True),
        ("github.event_name == 'push' || github.event_name == 'Schedule'", "schedule", True),
        ("github.event_name == 'push' && github.event_name != 'push'", "push", False),
        ("github.event.workflow_run.conclusion == 'success'", "workflow_run", True),
        ("github.event.workflow_run.conclusion == 'failure'", "workflow_run", False),
    ],
)
def test_condition_evaluator(expr, event, expected) -> None:
    context = {"github.event.workflow_run.conclusion": "success"}
    assert condition_holds(expr, event, context) is expected


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
    context: dict[str, str] | None = None,
    path: str | None = None,
    folder: Path | None = None,
) -> dict[str, Any]:
    """Run every job's run: steps as `event` would; return the repo copy, the step summary,
    what ran and what its `if:` left out. `env` stands for what GitHub sets for the event
    (GITHUB_BASE_REF …), `context` for the event's ${{ }} values; `repo` is a prepared copy
    (default: a fresh one); `path` replaces PATH's head (default: this virtualenv); `folder`
    holds the workflow (default: this repository's, tests/test_init.py passes a generated one)."""
    workflow = _load(name, folder)
    assert event in workflow["on"], f"{name} does not run on {event}"
    repo = repo or _repo_copy(tmp_path)
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GKCTL_", "GITHUB_"))}
    base["PATH"] = path or f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    base["GITHUB_STEP_SUMMARY"] = str(summary)
    base["GITHUB_WORKSPACE"] = str(repo)
    base["GITHUB_EVENT_NAME"] = event
    base.update(env or {})
    ran, skipped, not_this_event, artifacts = [], [], [], []
    for job in workflow["jobs"].values():
        if "if" in job and not condition_holds(job["if"], event, context):
            continue
        job_env = {k: _expand(v, inputs or {}, context) for k, v in job.get("env", {}).items()}
        for step in job["steps"]:
            if "if" in step and not condition_holds(step["if"], event, context):
                not_this_event.append(step.get("run", step.get("uses")))
                continue
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]
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
                **{k: _expand(v, inputs or {}, context) for k, v in step.get("env", {}).items()},
            }
            result = subprocess.run(
                [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
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


# The one job that writes to the repository commits with git and runs no gkctl (nor any
# other code of the repository); the test runs its git lines against a local origin.
GIT_JOBS = {("report.yml", "forms-log")}


@pytest.mark.parametrize("name", ["validate.yml", "report.yml"])
def test_run_lines_use_only_gkctl_and_builtins(name) -> None:
    for job_name, job in _load(name)["jobs"].items():
        allowed = ALLOWED
        if (name, job_name) in GIT_JOBS:
            allowed = (ALLOWED - {"gkctl"}) | {"git"}
            assert job["permissions"] == {"contents": "write"}
        for step in job["steps"]:
            if "run" not in step or INSTALL.match(step["run"]):
                continue
            for line in step["run"].splitlines():
                line = line.strip()
                if line and not line.startswith("#") and not ASSIGNMENT.match(line):
                    assert line.split()[0] in allowed, f"{name}: {line}"


@pytest.mark.parametrize("name", ["validate.yml", "report.yml"])
def test_set_up_python_311_and_install(name) -> None:
    steps = [s for job in _load(name)["jobs"].values() for s in job["steps"]]
    setup = [s for s in steps if s.get("uses", "").startswith("actions/setup-python")]
    assert [s["with"]["python-version"] for s in setup] == ["3.11"]
    installs = [s["run"] for s in steps if "run" in s and INSTALL.match(s["run"])]
    assert installs == ["python -m pip install --disable-pip-version-check -c constraints.txt ."]


DIFF_STEP = 'gkctl diff "origin/$GITHUB_BASE_REF" --format markdown >> "$GITHUB_STEP_SUMMARY"'
KEEP_STEP = (
    "set +e\n"
    'gkctl diff "origin/$GITHUB_BASE_REF" --format markdown --exit-code > plan-diff.md\n'
    "changed=$?\n"
    "set -e\n"
    'test "$changed" -le 1 || exit "$changed"\n'
    "printf '%s\\n' \"$changed\" > plan-changed.txt\n"
    "printf '%s\\n' \"$PR_NUMBER\" > pr-number.txt\n"
)
UPLOAD_DIFF = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"


def test_validate_workflow_on_push(tmp_path) -> None:
    # A push to main: validate and render; no base branch, so no plan diff.
    done = run_workflow("validate.yml", tmp_path, "push")
    assert done["workflow"]["on"]["push"] == {"branches": ["main"]}
    assert done["ran"][0].startswith("gkctl validate --all-plans --format github")
    assert len(done["skipped"]) == 1
    assert done["not_this_event"] == [DIFF_STEP, KEEP_STEP, UPLOAD_DIFF]
    assert done["summary"] == ""
    assert done["artifacts"] == []


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
        context={"github.event.pull_request.number": "7"},
    )
    assert done["ran"][-2:] == [DIFF_STEP, KEEP_STEP] and done["not_this_event"] == []
    # The same Markdown is kept, with the pull request's number, for plan-diff-comment.yml.
    assert done["artifacts"] == ["plan-diff.md\nplan-changed.txt\npr-number.txt\n"]
    assert (repo / "plan-diff.md").read_text(encoding="utf-8") == done["summary"]
    assert (repo / "pr-number.txt").read_text(encoding="utf-8") == "7\n"
    # The plan changed: said by the diff's exit code, which the comment workflow reads.
    assert (repo / "plan-changed.txt").read_text(encoding="utf-8") == "1\n"
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
            "validate.yml",
            tmp_path,
            "pull_request",
            repo=repo,
            env={"GITHUB_BASE_REF": "main"},
            context={"github.event.pull_request.number": "7"},
        )
    assert (tmp_path / "step-summary.md").read_text(encoding="utf-8") == ""


def test_validate_workflow_checks_the_plan_gkctl_toml_no_longer_reads(tmp_path) -> None:
    # Issue 22: a pull request adds gkctl.toml pointing at an unchanged copy of the plan and
    # breaks data/tasks.yaml. validate --all-plans still reads data/, and fails the run.
    repo = _repo_copy(tmp_path / "pr")
    shutil.copytree(repo / "data", repo / "decoy")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "data", "decoy")
    git(repo, "commit", "-q", "-m", "the plan, and a copy")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    (repo / "gkctl.toml").write_text('data = "decoy"\n', encoding="utf-8")
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(
        text.replace("units: [区经委]\n", "units: [区经委员会]\n", 1), encoding="utf-8"
    )
    failed = r"(?s)step 'Validate data .*' failed.*::error file=data/tasks.yaml,.*区经委员会"
    with pytest.raises(AssertionError, match=failed):
        run_workflow(
            "validate.yml",
            tmp_path,
            "pull_request",
            repo=repo,
            env={"GITHUB_BASE_REF": "main", "GKCTL_TODAY": "2024-10-15"},
            context={"github.event.pull_request.number": "7"},
        )


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


# The repository secret the forms are signed with (what the office imports them with).
FORM_KEY = {"secrets.GKCTL_FORM_KEY": "f" * 64}


def with_origin(repo: Path, tmp_path: Path) -> Path:
    """Commit `repo` on main and give it a bare `origin` it tracks (what a forms-log job's
    checkout and push see); return the origin. tests/test_init.py does the same with the
    repository gkctl init writes."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "plan")
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "-q", "-u", "origin", "main")
    return origin


def _repo_with_origin(tmp_path: Path) -> tuple[Path, Path]:
    """A repository copy committed on main, with a bare `origin` it tracks."""
    repo = _repo_copy(tmp_path)
    return repo, with_origin(repo, tmp_path)


def office_pushes(origin: Path, tmp_path: Path) -> None:
    """The office pushes a commit of its own to `origin` (while a report runs)."""
    office = tmp_path / "office-clone"
    git(tmp_path, "clone", "-q", str(origin), str(office))
    (office / "gkctl-note.txt").write_text("办公室的提交\n", encoding="utf-8")
    git(office, "add", "-A")
    git(office, "commit", "-q", "-m", "office")
    git(office, "push", "-q")


def sent_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if 'event: "sent"' in line]


def test_report_workflow_at_a_fixed_date(tmp_path) -> None:
    repo, origin = _repo_with_origin(tmp_path)
    done = run_workflow(
        "report.yml",
        tmp_path,
        "workflow_dispatch",
        {"as_of": "2024-10-15"},
        repo=repo,
        context={**FORM_KEY, "vars.GKCTL_PAGES": "true"},
    )
    on = done["workflow"]["on"]
    assert on["schedule"] == [{"cron": "0 1 1 * *"}] and "workflow_dispatch" in on
    out = done["repo"] / "out"
    assert done["artifacts"] == ["out/", "填报表/", "data/forms-log.yaml", "site/"]
    # The forms sent are recorded in the repository (review and notify read the log).
    assert (
        git(origin, "log", "-1", "--format=%s", "main")
        == "report: 填报表发出记录（forms-log.yaml）\n"
    )
    kept = git(origin, "show", "main:data/forms-log.yaml")
    assert len(sent_lines(kept)) == 40
    assert '{unit: "区经委", event: "sent", date: 2024-10-15, form_date: 2024-10-15}' in kept
    forms = sorted((done["repo"] / "填报表").glob("*.xlsx"))
    assert len(forms) == 40 and done["repo"] / "填报表" / "区经委-填报表.xlsx" in forms
    # Signed with the secret, not with a key made on the runner: the office imports them.
    assert not (done["repo"] / "data" / ".gkctl-form-key").exists()
    env = {**os.environ, "GKCTL_FORM_KEY": FORM_KEY["secrets.GKCTL_FORM_KEY"]}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    imported = subprocess.run(
        ["gkctl", "progress", "import", "填报表/区经委-填报表.xlsx", "--dry-run"],
        cwd=done["repo"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    golden = {
        out / "summary.md": "report-summary-since-2024-09-01-2024-10-15.md",
        out / "breakdown.md": "report-breakdown-2024-10-15.md",
        out / "units" / "区经委.md": "report-unit-区经委-since-2024-09-01-2024-10-15.md",
    }
    for path, name in golden.items():
        assert path.read_text(encoding="utf-8") == (GOLDEN / name).read_text(encoding="utf-8")
    assert len(list((out / "units").glob("*.md"))) == 40
    assert done["summary"] == (GOLDEN / "report-summary-since-2024-09-01-2024-10-15.md").read_text(
        encoding="utf-8"
    )
    # The Word 通报 in the artifact, and the site that the deploy job publishes.
    assert (out / "summary.docx").read_bytes()[:2] == b"PK"
    site = done["repo"] / "site"
    assert "<h1>2024年金山区政务公开工作要点<small>督办看板</small></h1>" in (
        site / "index.html"
    ).read_text(encoding="utf-8")
    assert len(list((site / "tasks").glob("*.html"))) == 75
    pages = [
        s
        for s in done["workflow"]["jobs"]["report"]["steps"]
        if "upload-pages" in s.get("uses", "")
    ]
    assert [s["with"]["path"] for s in pages] == ["site/"]
    deploy = done["workflow"]["jobs"]["deploy"]
    assert deploy["needs"] == "report" and deploy["environment"]["name"] == "github-pages"


def test_report_workflow_on_schedule_uses_today(tmp_path) -> None:
    # A scheduled run has no inputs: GKCTL_TODAY is empty and gkctl takes today's date.
    # Without the GKCTL_FORM_KEY secret, no forms (and no key made on the runner).
    repo, origin = _repo_with_origin(tmp_path)
    done = run_workflow(
        "report.yml",
        tmp_path,
        "schedule",
        {},
        repo=repo,
        context={"secrets.GKCTL_FORM_KEY": "", "vars.GKCTL_PAGES": ""},
    )
    assert done["summary"].startswith("# 关于2024年金山区政务公开工作要点 落实情况的通报\n")
    assert (done["repo"] / "out" / "summary.md").read_text(encoding="utf-8") == done["summary"]
    assert not (done["repo"] / "填报表").exists()
    assert not (done["repo"] / "data" / ".gkctl-form-key").exists()
    # No forms, no log: nothing is committed.
    assert git(origin, "rev-list", "--count", "main") == "1\n"


def test_report_workflow_puts_the_forms_log_on_top_of_the_offices_pushes(tmp_path) -> None:
    """The office pushed while the report ran: the log's commit goes on top, nothing lost."""
    repo, origin = _repo_with_origin(tmp_path)
    office_pushes(origin, tmp_path)
    run_workflow(
        "report.yml",
        tmp_path,
        "workflow_dispatch",
        {"as_of": "2024-10-15"},
        repo=repo,
        context={**FORM_KEY, "vars.GKCTL_PAGES": ""},
    )
    assert git(origin, "log", "--format=%s", "main").splitlines() == [
        "report: 填报表发出记录（forms-log.yaml）",
        "office",
        "plan",
    ]
    assert len(sent_lines(git(origin, "show", "main:data/forms-log.yaml"))) == 40


def test_pages_is_off_unless_the_office_turns_it_on(tmp_path) -> None:
    # The site is public on GitHub Pages (but on Enterprise Cloud's private Pages) and names
    # lagging units: without the repository variable GKCTL_PAGES=true it stays an artifact.
    done = run_workflow(
        "report.yml",
        tmp_path,
        "workflow_dispatch",
        {"as_of": "2024-10-15"},
        context={"secrets.GKCTL_FORM_KEY": "", "vars.GKCTL_PAGES": ""},
    )
    upload = "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9"
    assert done["not_this_event"] == [upload]
    assert "site/" in done["artifacts"]
    deploy = done["workflow"]["jobs"]["deploy"]
    assert not condition_holds(deploy["if"], "workflow_dispatch", {"vars.GKCTL_PAGES": ""})
    assert condition_holds(deploy["if"], "schedule", {"vars.GKCTL_PAGES": "true"})


# --- what GitHub would silently accept: checked here and by make lint's linters -------------

ALL = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def test_workflows_are_the_expected_ones() -> None:
    assert ALL == ["ci.yml", "plan-diff-comment.yml", "report.yml", "validate.yml"]


@pytest.mark.parametrize("name", ALL)
def test_actions_pinned_with_known_inputs(name) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"^\s*(- )?uses:", line):
            assert PINNED_LINE.match(line), f"{name}: pin to a commit, tag in a comment: {line}"
    for job_name, job in _load(name)["jobs"].items():
        assert job["runs-on"] in RUNNERS or job["runs-on"].startswith("${{"), job["runs-on"]
        uploads = any("upload" in s.get("uses", "") for s in job["steps"])
        for step in job["steps"]:
            if "uses" not in step:
                continue
            action = step["uses"].split("@")[0]
            assert action in ACTION_INPUTS, f"{name}: add {action}'s inputs to ACTION_INPUTS"
            known = ACTION_INPUTS[action]
            for key, value in step.get("with", {}).items():
                assert key in known, f"{name}: {action} has no input {key!r}"
                choices = known[key]
                assert choices is None or value in choices, f"{name}: {key}: {value!r}"
            if action == "actions/checkout":
                # Only the job that pushes keeps the token in .git/config; it uploads no
                # artifact the token could leak into, and runs no code of the repository.
                pushes = (name, job_name) in GIT_JOBS and not uploads
                assert step["with"]["persist-credentials"] is pushes


@pytest.mark.parametrize("name", ALL)
def test_least_privilege_and_one_run_at_a_time(name) -> None:
    workflow = _load(name)
    assert "permissions" in workflow
    assert set(workflow["concurrency"]) == {"group", "cancel-in-progress"}
    assert workflow["concurrency"]["group"].startswith("${{ github.workflow }}-")
    # Only the comment workflow may write, and never checks out anything.
    for job_name, job in workflow["jobs"].items():
        granted = {**workflow["permissions"], **job.get("permissions", {})}
        writes = {k for k, v in granted.items() if v == "write"}
        if name == "plan-diff-comment.yml":
            assert writes == {"pull-requests"}
            assert not any("checkout" in s.get("uses", "") for s in job["steps"])
        elif (name, job_name) == ("report.yml", "deploy"):
            # GitHub Pages: what actions/deploy-pages needs, nothing else, no checkout.
            # (A job's permissions replace the workflow's: contents is not granted here.)
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
            assert [s["uses"].split("@")[0] for s in job["steps"]] == ["actions/deploy-pages"]
        elif (name, job_name) in GIT_JOBS:
            # The forms log: contents only, after the report job, and nothing of the
            # repository is installed or run (test_run_lines_use_only_gkctl_and_builtins).
            assert job["permissions"] == {"contents": "write"} and job["needs"] == "report"
            assert [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s] == [
                "actions/checkout",
                "actions/download-artifact",
            ]
        else:
            assert writes == set(), f"{name}:{job_name}"


def test_ci_runs_lint_and_tests_on_every_python() -> None:
    workflow = _load("ci.yml")
    assert set(workflow["on"]) == {"pull_request", "push"}
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs == ["make lint PYTHON=python", "make test PYTHON=python"]
    setup = next(s for s in job["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["cache"] == "pip"
    # And once with the declared minimum versions (constraints-min.txt), on the oldest Python.
    low = workflow["jobs"]["minimums"]
    assert [s["run"] for s in low["steps"] if "run" in s] == ["make test-min PYTHON=python"]
    setup = next(s for s in low["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == "3.11"
    # And on Windows, with pytest itself (no make there).
    windows = workflow["jobs"]["windows"]
    assert windows["runs-on"] == "windows-latest"
    assert [s["run"] for s in windows["steps"] if "run" in s] == [
        'python -m pip install --disable-pip-version-check -c constraints.txt -e ".[dev]"',
        "python -m pytest -rs",
    ]


def test_dependabot_watches_actions_and_pip_weekly() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    watched = {(u["package-ecosystem"], u["schedule"]["interval"]) for u in config["updates"]}
    assert watched == {("github-actions", "weekly"), ("pip", "weekly")}


@pytest.mark.parametrize(
    ("name", "good", "typo"),
    [
        ("report.yml", "runs-on: ubuntu-latest", "runs-on: ubuntu-lates"),
        ("report.yml", "if-no-files-found: error", "if-no-fiels-found: error"),
        ("report.yml", "cache: pip\n", "cache: pipp\n"),
    ],
)
def test_typos_fail(name, good, typo, tmp_path, monkeypatch) -> None:
    # The typos: each one fails a test here (contents: reed fails make lint's
    # check-jsonschema instead, see test_typo_in_permissions_fails_the_schema).
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert good in text
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / name).write_text(text.replace(good, typo, 1), encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "WORKFLOWS", folder)
    with pytest.raises(AssertionError):
        test_actions_pinned_with_known_inputs(name)


def _schema_check(folder: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "check-jsonschema"
    if not tool.exists():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]')")
    files = sorted(str(p) for p in folder.glob("*.yml"))
    return subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )


def test_typo_in_permissions_fails_the_schema(tmp_path) -> None:
    assert _schema_check(WORKFLOWS).returncode == 0
    text = (WORKFLOWS / "report.yml").read_text(encoding="utf-8")
    (tmp_path / "report.yml").write_text(
        text.replace("contents: read", "contents: reed", 1), encoding="utf-8"
    )
    failed = _schema_check(tmp_path)
    assert failed.returncode == 1
    assert "reed" in failed.stdout + failed.stderr


# --- the pull-request comment, with a stand-in for gh ------------------------------------------

FAKE_GH = (
    "#!"
    + BASH
    + """
# A stand-in for gh: records each call, answers the two queries from the environment, and
# keeps the body of what would be posted. Builtins only, like the workflow itself.
printf '%s\\n' "$*" >> "$GH_LOG"
case "$*" in
  *"/pulls/"*) printf '%s\\n' "$FAKE_HEAD" ;;
  *"--paginate"*) [[ -z "$FAKE_COMMENT" ]] || printf '%s\\n' "$FAKE_COMMENT" ;;
  *"body=@"*)
    for arg in "$@"; do
      [[ "$arg" != body=@* ]] || printf '%s\\n' "$(< "${arg#body=@}")" > "$GH_LOG.body"
    done ;;
esac
"""
)

SHA = "0123456789abcdef0123456789abcdef01234567"


def _comment_run(
    tmp_path: Path, pr: str, diff: str, head: str = SHA, comment: str = "", changed: str = "1\n"
) -> Any:
    repo = tmp_path / "base"
    (repo / "plan-diff").mkdir(parents=True)
    (repo / "plan-diff" / "pr-number.txt").write_text(pr, encoding="utf-8")
    (repo / "plan-diff" / "plan-changed.txt").write_text(changed, encoding="utf-8")
    (repo / "plan-diff" / "plan-diff.md").write_text(diff, encoding="utf-8")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tools / "gh").chmod(0o755)
    log = tmp_path / "gh.log"
    log.write_text("", encoding="utf-8")
    context = {
        "github.event.workflow_run.event": "pull_request",
        "github.event.workflow_run.conclusion": "success",
        "github.event.workflow_run.head_sha": SHA,
        "github.event.workflow_run.id": "42",
        "github.token": "not-a-token",
        "github.repository": "owner/plans",
    }
    # PATH holds gh alone: the script may use nothing else than gh and bash's builtins.
    done = run_workflow(
        "plan-diff-comment.yml",
        tmp_path,
        "workflow_run",
        repo=repo,
        context=context,
        env={"GH_LOG": str(log), "FAKE_HEAD": head, "FAKE_COMMENT": comment},
        path=str(tools),
    )
    body = tmp_path / "gh.log.body"
    return (
        done,
        log.read_text(encoding="utf-8").splitlines(),
        (body.read_text(encoding="utf-8") if body.exists() else None),
    )


DIFF = "## 计划变更：origin/main → 工作区\n\n- **任务 41**（修改）\n"


def test_comment_posted_once_then_updated(tmp_path) -> None:
    _, calls, body = _comment_run(tmp_path / "first", "7\n", DIFF)
    assert calls[0] == "api repos/owner/plans/pulls/7 --jq .head.sha"
    assert calls[-1] == (
        "api --method POST repos/owner/plans/issues/7/comments -F body=@plan-diff/comment.md"
    )
    assert body == "<!-- gkctl-plan-diff -->\n\n" + DIFF.rstrip("\n") + "\n"
    # The next push finds the comment (by its marker) and edits it: one comment per PR.
    _, calls, body = _comment_run(tmp_path / "again", "7\n", DIFF, comment="9001")
    assert calls[-1] == (
        "api --method PATCH repos/owner/plans/issues/comments/9001 -F body=@plan-diff/comment.md"
    )
    assert body is not None and body.startswith("<!-- gkctl-plan-diff -->\n")


def test_no_comment_for_a_pull_request_without_plan_changes(tmp_path) -> None:
    same = "## 计划变更：origin/main → 工作区\n\n截至 2024-10-15，两个版本的计划没有差异。\n"
    _, calls, body = _comment_run(tmp_path, "7\n", same, changed="0\n")
    assert body is None and len(calls) == 2  # the head check and the search, nothing posted


def test_a_task_named_no_difference_still_gets_its_comment(tmp_path) -> None:
    # The decision is the diff's exit code, not its text: a task whose name holds 没有差异
    # (the words of an unchanged diff) is a change like any other.
    named = DIFF + "  - 任务名称：【+与上年没有差异的事项+】\n"
    _, calls, body = _comment_run(tmp_path, "7\n", named)
    assert calls[-1] == (
        "api --method POST repos/owner/plans/issues/7/comments -F body=@plan-diff/comment.md"
    )
    assert body is not None and "没有差异" in body


@pytest.mark.parametrize("changed", ["yes\n", "1; rm -rf /\n", "\n", "2\n"])
def test_untrusted_changed_flag_is_refused(tmp_path, changed) -> None:
    with pytest.raises(AssertionError, match=r"plan-changed\.txt is not 0 or 1"):
        _comment_run(tmp_path, "7\n", DIFF, changed=changed)
    assert (tmp_path / "gh.log").read_text(encoding="utf-8") == ""


def test_comment_skipped_when_the_pull_request_moved_on(tmp_path) -> None:
    _, calls, body = _comment_run(tmp_path, "7\n", DIFF, head="f" * 40)
    assert body is None and calls == ["api repos/owner/plans/pulls/7 --jq .head.sha"]


@pytest.mark.parametrize("pr", ["7; rm -rf /\n", "$(id)\n", "\n", "../../x\n"])
def test_untrusted_pull_request_number_is_refused(tmp_path, pr) -> None:
    # The artifact comes from a run of the pull request's code: its number is checked.
    with pytest.raises(AssertionError, match=r"pr-number\.txt is not a number"):
        _comment_run(tmp_path, pr, DIFF)
    assert (tmp_path / "gh.log").read_text(encoding="utf-8") == ""


def test_long_diff_is_cut_to_fit_a_comment(tmp_path) -> None:
    long = "## 计划变更\n\n" + "- 一行变更\n" * 20000
    _, _, body = _comment_run(tmp_path, "7\n", long)
    assert body is not None and len(body) < 65536
    assert body.endswith("（变更过长，已截断；完整内容见 validate 运行页面。）\n")
