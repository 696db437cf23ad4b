"""gkctl init: a new office's data repository, and the CI it brings, run here.

Every generated CI file is checked with the tools at hand: check-jsonschema's GitLab CI and
GitHub workflow schemas, zizmor, and the jobs' own script lines run in a shell (as
tests/test_workflows.py runs this repository's workflows); the merge-request note goes to a
real HTTP server on loopback standing in for GitLab's API."""

import json
import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from gkctl import __version__
from gkctl.store import newrepo
from tests.conftest import DATA, ROOT
from tests.test_workflows import (
    ALLOWED,
    BASH,
    FORM_KEY,
    GIT_ENV,
    INSTALL,
    git,
    office_pushes,
    run_workflow,
    sent_lines,
    with_origin,
)

PIN = f"gkctl=={__version__}"
FILES = [
    ".gitea/workflows/report.yml",
    ".gitea/workflows/validate.yml",
    ".github/workflows/plan-diff-comment.yml",
    ".github/workflows/report.yml",
    ".github/workflows/validate.yml",
    ".gitignore",
    ".gitlab-ci.yml",
    ".gkctl/schemas/tasks.schema.json",
    ".gkctl/schemas/units.schema.json",
    ".pre-commit-config.yaml",
    "README.md",
    "data/tasks.yaml",
    "data/units.yaml",
    "gkctl.toml",
]


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _tool(name: str) -> str:
    tool = Path(sys.executable).parent / name
    if not tool.exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return str(tool)


@pytest.fixture
def office(tmp_path, gk) -> Path:
    folder = tmp_path / "office"
    result = gk("init", str(folder), "--year", "2024", data=None)
    assert result.exit_code == 0, result.stdout + result.stderr
    return folder


# --- the repository --------------------------------------------------------------------------


def test_init_writes_a_repository_that_validates(tmp_path, gk, monkeypatch) -> None:
    folder = tmp_path / "office"
    result = gk("init", str(folder), data=None, env={"GKCTL_TODAY": "2025-03-01"})
    assert result.exit_code == 0, result.stderr
    assert _files(folder) == FILES
    assert result.stdout.startswith(f"已新建数据仓库 {folder}：14 个文件")
    # Nothing invented: the document's facts and the one unit say they are examples.
    tasks = (folder / "data" / "tasks.yaml").read_text(encoding="utf-8")
    assert "  title: 示例（请替换）：文件标题\n" in tasks and "  year: 2025\n" in tasks
    assert "tasks: []\n" in tasks
    assert "name: 示例单位（请替换为本区的单位）" in (folder / "data" / "units.yaml").read_text(
        encoding="utf-8"
    )
    assert "计划中的标题、文号、印发机关和单位名录写的是示例" in result.stderr
    monkeypatch.chdir(folder)
    checked = gk("validate", data=None)
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("数据有效：0 项任务，1 个单位，0 个统称，计划年度 2025。")
    assert "配置 gkctl.toml" in checked.stdout


def test_init_with_the_document_facts_and_the_plans_layout(tmp_path, gk, monkeypatch) -> None:
    folder = tmp_path / "office"
    args = ["--plans", "--title", "某区政务公开工作要点（测试）", "--number", "测试〔2025〕1号"]
    args += ["--issuer", "测试用发文单位", "--published", "2025-03-20"]
    result = gk("init", str(folder), *args, data=None)
    assert result.exit_code == 0, result.stderr
    assert "plans/2025/tasks.yaml" in _files(folder) and "plans/units.yaml" in _files(folder)
    assert "data/tasks.yaml" not in _files(folder)
    assert "示例（请替换）" not in (folder / "plans" / "2025" / "tasks.yaml").read_text(
        encoding="utf-8"
    )
    assert 'data = "plans"' in (folder / "gkctl.toml").read_text(encoding="utf-8")
    # The commands that take one plan at a time name it in the generated CI.
    assert "gkctl form --each-unit -o 填报表 --plan 2025" in (folder / ".gitlab-ci.yml").read_text(
        encoding="utf-8"
    )
    monkeypatch.chdir(folder)
    checked = gk("validate", "--all-plans", data=None)
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, gk) -> None:
    folder = tmp_path / "office"
    (folder / ".git").mkdir(parents=True)
    (folder / "notes.txt").write_text("办公室的笔记\n", encoding="utf-8")
    result = gk("init", str(folder), data=None)
    assert result.exit_code == 2
    assert f"{folder} 不是空目录（有 notes.txt），未写入。" in result.stderr
    assert _files(folder) == ["notes.txt"]
    # A folder holding only .git (git init first) is empty enough; --force writes beside notes.
    forced = gk("init", str(folder), "--force", data=None)
    assert forced.exit_code == 0, forced.stderr
    assert _files(folder) == sorted([*FILES, "notes.txt"])


def test_init_never_replaces_a_plan(office, gk) -> None:
    tasks = office / "data" / "tasks.yaml"
    tasks.write_text(DATA.joinpath("tasks.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = {name: (office / name).read_bytes() for name in FILES}
    (office / "README.md").write_text("改过的说明\n", encoding="utf-8")
    result = gk("init", str(office), "--force", data=None)
    assert result.exit_code == 2
    assert (
        "中已有计划文件 data/tasks.yaml、data/units.yaml，gkctl init 不会替换它们" in result.stderr
    )
    assert (office / "README.md").read_text(encoding="utf-8") == "改过的说明\n"
    assert tasks.read_bytes() == before["data/tasks.yaml"]


def test_init_writes_every_file_or_none(tmp_path, gk) -> None:
    # A folder where a file must go: the write fails, and nothing is left, not even the
    # folders made for it.
    folder = tmp_path / "office"
    (folder / ".gitlab-ci.yml").mkdir(parents=True)
    result = gk("init", str(folder), "--force", data=None)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法写入 {folder / '.gitlab-ci.yml'}：这是一个目录")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".gitlab-ci.yml"]


def test_init_from_a_table(tmp_path, gk, monkeypatch) -> None:
    table = tmp_path / "任务分解表.xlsx"
    exported = gk("export", "-o", str(table), "--as-of", "2024-10-15")
    assert exported.exit_code == 0, exported.stderr
    folder = tmp_path / "office"
    result = gk("init", str(folder), "--from", str(table), "--published", "2024-04-10", data=None)
    # The table's units are not in the new (example) directory: a first draft of it is
    # written for review, and the import says so (exit 1, as gkctl import does).
    assert result.exit_code == 1
    assert "已导入 75 项任务（5 个部分）" in result.stderr
    review = folder / "data" / "units.review.yaml"
    assert "  - name: 区经委\n" in review.read_text(encoding="utf-8")
    text = (folder / "data" / "tasks.yaml").read_text(encoding="utf-8")
    assert "  title: 2024年金山区政务公开工作要点\n" in text and "  - id: 75\n" in text
    assert _files(folder) == sorted([*FILES, "data/units.review.yaml"])


def test_init_from_a_missing_table_writes_nothing(tmp_path, gk) -> None:
    result = gk("init", str(tmp_path / "office"), "--from", str(tmp_path / "无.xlsx"), data=None)
    assert result.exit_code == 2 and "找不到文件" in result.stderr
    assert not (tmp_path / "office").exists()


def test_gitignore_keeps_the_key_and_generated_folders_out(office) -> None:
    ignored = (office / ".gitignore").read_text(encoding="utf-8").splitlines()
    for line in (".gkctl-form-key", "/site/", "/填报表/", "/out/", "/public/"):
        assert line in ignored


def test_pre_commit_hook_is_the_documented_one(office) -> None:
    generated = yaml.safe_load((office / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    example = ROOT / "docs" / "pre-commit-config.example.yaml"
    documented = yaml.safe_load(example.read_text(encoding="utf-8"))
    assert generated["repos"] == documented["repos"][:1]


def test_plan_diff_comment_is_this_repositorys() -> None:
    # One workflow, two places: the office's copy is this repository's, byte for byte.
    scaffold = ROOT / "gkctl" / "scaffold" / "github" / "plan-diff-comment.yml"
    assert scaffold.read_bytes() == (ROOT / ".github/workflows/plan-diff-comment.yml").read_bytes()


def test_every_install_is_the_pinned_gkctl(office) -> None:
    installs = []
    for name in FILES:
        if name.endswith(".yml"):
            text = (office / name).read_text(encoding="utf-8")
            installs += [line.strip() for line in text.splitlines() if "pip install" in line]
    assert len(installs) == 5  # GitLab once, GitHub twice, Gitea twice
    for line in installs:
        assert line.endswith(f" $GKCTL_PIP_OPTIONS {PIN}"), line
        assert "install ." not in line and "-e" not in line.split()


# --- the schemas and linters -----------------------------------------------------------------


def _check(office: Path, schema: str, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *names],
        cwd=office,
        capture_output=True,
        text=True,
        check=False,
    )


def test_gitlab_ci_against_gitlabs_schema(office) -> None:
    done = _check(office, "vendor.gitlab-ci", ".gitlab-ci.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    # The schema is strict enough to catch a misspelt keyword.
    path = office / ".gitlab-ci.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("expire_in: 90 days", "expires_in: 90 days"),
        encoding="utf-8",
    )
    assert _check(office, "vendor.gitlab-ci", ".gitlab-ci.yml").returncode == 1


def test_github_and_gitea_workflows_against_the_schema(office) -> None:
    names = [n for n in FILES if n.endswith(".yml") and "workflows" in n]
    done = _check(office, "vendor.github-workflows", *names)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("folder", [".github", ".gitea"])
def test_zizmor_finds_nothing(office, folder) -> None:
    files = sorted(str(p) for p in (office / folder / "workflows").glob("*.yml"))
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--quiet", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- the GitHub and Gitea workflows, run here ------------------------------------------------


def _with_bundled_plan(office: Path) -> Path:
    for name in ("tasks.yaml", "units.yaml"):
        shutil.copy2(DATA / name, office / "data" / name)
    return office


@pytest.mark.parametrize("platform", [".github", ".gitea"])
def test_validate_workflow_on_a_pull_request(office, tmp_path, platform) -> None:
    repo = _with_bundled_plan(office)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the plan as published")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("deadline: 3月底前\n", "deadline: 12月底前\n", 1), "utf-8")
    done = run_workflow(
        "validate.yml",
        tmp_path,
        "pull_request",
        repo=repo,
        folder=repo / platform / "workflows",
        env={"GITHUB_BASE_REF": "main", "GKCTL_TODAY": "2024-10-15"},
        context={"github.event.pull_request.number": "7", "vars.GKCTL_PIP_OPTIONS": ""},
    )
    assert len(done["skipped"]) == 1 and PIN in done["skipped"][0]
    assert done["ran"][0].startswith("gkctl validate --all-plans")
    if platform == ".github":
        assert "时间节点" in done["summary"]
        assert (repo / "plan-changed.txt").read_text(encoding="utf-8") == "1\n"
    else:  # Gitea: no step summary, no artifact for a comment; the diff is in the log
        assert done["summary"] == "" and done["artifacts"] == []


def _report_by_hand(
    repo: Path, tmp_path: Path, platform: str, context: dict[str, str]
) -> dict[str, Any]:
    """The generated report workflow of `platform`, run by hand for 2024-10-15."""
    context = {"vars.GKCTL_PIP_OPTIONS": "", **context}
    where = repo / platform / "workflows"
    inputs = {"as_of": "2024-10-15"}
    return run_workflow(
        "report.yml",
        tmp_path,
        "workflow_dispatch",
        inputs,
        repo=repo,
        folder=where,
        context=context,
    )


@pytest.mark.parametrize("platform", [".github", ".gitea"])
@pytest.mark.parametrize("pages", ["", "true"])
def test_report_workflow_publishes_only_when_asked(office, tmp_path, platform, pages) -> None:
    repo = _with_bundled_plan(office)
    with_origin(repo, tmp_path)  # the forms-log job pushes there
    done = _report_by_hand(repo, tmp_path, platform, {**FORM_KEY, "vars.GKCTL_PAGES": pages})
    assert (repo / "out" / "summary.docx").read_bytes()[:2] == b"PK"
    assert len(list((repo / "out" / "units").glob("*.md"))) == 40
    assert len(list((repo / "填报表").glob("*.xlsx"))) == 40
    assert (repo / "site" / "index.html").is_file()
    assert done["artifacts"][:2] == ["out/", "site/"] or "site/" in done["artifacts"]
    jobs = done["workflow"]["jobs"]
    if platform == ".gitea":
        assert set(jobs) == {"report", "forms-log"}  # Gitea has no Pages
        assert not any("pages" in s.get("uses", "") for s in jobs["report"]["steps"])
        return
    upload = "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9"
    assert (upload in done["not_this_event"]) is (pages != "true")
    assert jobs["deploy"]["if"] == "vars.GKCTL_PAGES == 'true'"


# --- the forms log, committed back to the repository ----------------------------------------


def _office_with_the_plan(tmp_path: Path, gk: Any, plans: bool) -> tuple[Path, str]:
    """A repository gkctl init wrote (data/ or plans/), holding the bundled plan; and where
    its forms-log.yaml goes: beside the plan's tasks.yaml, where gkctl form writes it."""
    folder = tmp_path / "office"
    made = gk("init", str(folder), "--year", "2024", *(["--plans"] if plans else []), data=None)
    assert made.exit_code == 0, made.stdout + made.stderr
    where = newrepo.layout(plans, 2024)
    shutil.copy2(DATA / "tasks.yaml", folder / where.tasks)
    shutil.copy2(DATA / "units.yaml", folder / where.units)
    return folder, where.tasks.replace("tasks.yaml", "forms-log.yaml")


LOGGED = '{unit: "区经委", event: "sent", date: 2024-10-15, form_date: 2024-10-15}'


@pytest.mark.parametrize("platform", [".github", ".gitea"])
@pytest.mark.parametrize("plans", [False, True])
def test_report_workflow_commits_the_forms_log(tmp_path, gk, platform, plans) -> None:
    """The forms sent are recorded in the office's repository (review and notify read the
    log), on top of what the office pushed while the report ran."""
    repo, log = _office_with_the_plan(tmp_path, gk, plans)
    origin = with_origin(repo, tmp_path)
    office_pushes(origin, tmp_path)
    done = _report_by_hand(repo, tmp_path, platform, {**FORM_KEY, "vars.GKCTL_PAGES": ""})
    subject = "report: 填报表发出记录（forms-log.yaml）" + (
        " [skip ci]" if platform == ".gitea" else ""
    )
    assert git(origin, "log", "--format=%s", "main").splitlines() == [subject, "office", "plan"]
    kept = git(origin, "show", f"main:{log}")
    assert len(sent_lines(kept)) == 40 and LOGGED in kept
    # The report job hands the log over as an artifact; the forms-log job takes it back
    # into the plan's folder.
    assert log in done["artifacts"]
    steps = done["workflow"]["jobs"]["forms-log"]["steps"]
    [download] = [s for s in steps if "download-artifact" in s.get("uses", "")]
    assert download["with"] == {"name": "forms-log", "path": log.rsplit("/", 1)[0] + "/"}


@pytest.mark.parametrize("platform", [".github", ".gitea"])
def test_report_workflow_without_the_key_commits_nothing(office, tmp_path, platform) -> None:
    repo = _with_bundled_plan(office)
    origin = with_origin(repo, tmp_path)
    run_workflow(
        "report.yml",
        tmp_path,
        "schedule",
        repo=repo,
        folder=repo / platform / "workflows",
        context={
            "secrets.GKCTL_FORM_KEY": "",
            "vars.GKCTL_PAGES": "",
            "vars.GKCTL_PIP_OPTIONS": "",
        },
    )
    assert not (repo / "填报表").exists() and not (repo / "data" / "forms-log.yaml").exists()
    assert git(origin, "rev-list", "--count", "main") == "1\n"


@pytest.mark.parametrize("platform", [".github", ".gitea"])
def test_only_the_forms_log_job_may_write_and_it_runs_only_git(office, platform) -> None:
    workflow = yaml.safe_load((office / platform / "workflows" / "report.yml").read_text("utf-8"))
    writers = {
        name: job["permissions"]
        for name, job in workflow["jobs"].items()
        if "write" in job.get("permissions", workflow["permissions"]).values()
    }
    # deploy: GitHub Pages only (GitHub), turned on by the office.
    assert writers.pop("forms-log") == {"contents": "write"}
    assert set(writers) <= {"deploy"} and "contents" not in writers.get("deploy", {})
    steps = workflow["jobs"]["forms-log"]["steps"]
    used = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert used == ["actions/checkout", "actions/download-artifact"]
    for step in steps:
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                assert line.split()[0] in (ALLOWED - {"gkctl"}) | {"git"}, line
    # Every job that runs gkctl checks out without keeping the credentials.
    report = workflow["jobs"]["report"]["steps"]
    assert report[0]["with"]["persist-credentials"] is False


# --- the GitLab jobs, run here ---------------------------------------------------------------


def _gitlab(office: Path) -> dict[str, Any]:
    return yaml.safe_load((office / ".gitlab-ci.yml").read_text(encoding="utf-8"))


def run_gitlab_job(repo: Path, job: str, env: dict[str, str] | None = None) -> str:
    """Run a job's before_script and script as GitLab's shell runner does (one bash, stops
    at the first failing line); the install line is GitLab's part (this virtualenv's gkctl
    stands in for it). Return the job's log."""
    config = _gitlab(repo)
    spec = config[job]
    before = config[spec["extends"]]["before_script"] if "extends" in spec else []
    assert all(INSTALL.match(line) and PIN in line for line in before)
    script = "\n".join(spec["script"])
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GKCTL_", "CI_"))}
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base['PATH']}"
    base.update(GIT_ENV)
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=repo,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"job {job} failed ({done.returncode})\n{done.stdout}\n{done.stderr}")
    return done.stdout


def test_gitlab_validate_job_writes_the_merge_request_reports(office) -> None:
    repo = _with_bundled_plan(office)
    run_gitlab_job(repo, "validate")
    assert json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []
    suites = ET.parse(repo / "gkctl-validate.xml").getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("1", "0")
    reports = _gitlab(repo)["validate"]["artifacts"]
    assert reports["when"] == "always"
    assert reports["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "gkctl-validate.xml",
    }


def test_gitlab_validate_job_fails_with_its_problems_in_the_reports(office) -> None:
    repo = _with_bundled_plan(office)
    tasks = repo / "data" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("units: [区经委]\n", "units: [区经委员会]\n", 1), "utf-8")
    with pytest.raises(AssertionError, match=r"job validate failed \(1\)"):
        run_gitlab_job(repo, "validate")
    # The job failed, and its reports (artifacts: when: always) name the problem.
    [entry] = json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert entry["location"]["path"] == "data/tasks.yaml"
    assert entry["description"].startswith("未知责任单位“区经委员会”，是否为“区经委”？")
    failed = [
        c
        for c in ET.parse(repo / "gkctl-validate.xml").iter("testcase")
        if c.find("failure") is not None
    ]
    assert len(failed) == 2  # the plan, and the problem


def test_gitlab_report_job_makes_the_artifacts(office) -> None:
    repo = _with_bundled_plan(office)
    log = run_gitlab_job(repo, "report", {"GKCTL_TODAY": "2024-10-15", "GKCTL_FORM_KEY": "f" * 64})
    assert "未设 CI/CD 变量 GKCTL_FORM_KEY" not in log
    paths = _gitlab(repo)["report"]["artifacts"]["paths"]
    assert paths == ["out/", "site/", "填报表/", "data/forms-log.yaml"]
    # The same 通报 as this repository's report workflow makes (its golden file).
    golden = ROOT / "tests" / "golden" / "report-summary-since-2024-09-01-2024-10-15.md"
    summary = (repo / "out" / "summary.md").read_text(encoding="utf-8")
    assert summary == golden.read_text(encoding="utf-8")
    assert (repo / "out" / "summary.docx").read_bytes()[:2] == b"PK"
    assert len(list((repo / "填报表").glob("*.xlsx"))) == 40
    assert (repo / "site" / "index.html").is_file()
    # Without the key: no forms, and the log says why.
    shutil.rmtree(repo / "填报表")
    log = run_gitlab_job(repo, "report", {"GKCTL_TODAY": "2024-10-15"})
    assert "未设 CI/CD 变量 GKCTL_FORM_KEY，未生成填报表" in log
    assert not (repo / "填报表").exists()


def test_gitlab_pages_is_off_unless_turned_on(office) -> None:
    config = _gitlab(office)
    assert config["pages"]["rules"] == [
        {
            "if": '$GKCTL_PAGES == "true" && '
            '($CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web")'
        }
    ]
    assert config["pages"]["artifacts"]["paths"] == ["public"]
    (office / "site").mkdir()
    (office / "site" / "index.html").write_text("<h1>督办看板</h1>\n", encoding="utf-8")
    run_gitlab_job(office, "pages")
    assert (office / "public" / "index.html").read_text(encoding="utf-8") == "<h1>督办看板</h1>\n"


def _push_env(origin: Path, token: str = "glpat-push-token") -> dict[str, str]:
    """What GitLab sets for a scheduled pipeline on main, and the office's push token. git
    reaches the local `origin` only through the exact URL the job must build (with the
    token in it), so a wrong URL fails the push."""
    url = f"https://gkctl-report:{token}@gitlab.example.invalid:443/office/plan.git"
    return {
        "CI_SERVER_PROTOCOL": "https",
        "CI_SERVER_HOST": "gitlab.example.invalid",
        "CI_SERVER_PORT": "443",
        "CI_PROJECT_PATH": "office/plan",
        "CI_COMMIT_BRANCH": "main",
        "GKCTL_PUSH_TOKEN": token,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{origin}.insteadOf",
        "GIT_CONFIG_VALUE_0": url,
    }


def _gitlab_report(
    tmp_path: Path, gk: Any, plans: bool, key: bool = True
) -> tuple[Path, Path, str]:
    """The report job run in a checkout of the office's repository (GitLab checks out the
    commit, detached); return the checkout, its origin and the forms log's path."""
    repo, log = _office_with_the_plan(tmp_path, gk, plans)
    origin = with_origin(repo, tmp_path)
    git(repo, "checkout", "-q", "--detach")
    env = {"GKCTL_TODAY": "2024-10-15", **({"GKCTL_FORM_KEY": "f" * 64} if key else {})}
    run_gitlab_job(repo, "report", env)
    assert log in _gitlab(repo)["report"]["artifacts"]["paths"]
    return repo, origin, log


@pytest.mark.parametrize("plans", [False, True])
def test_gitlab_forms_log_job_commits_the_log(tmp_path, gk, plans) -> None:
    repo, origin, log = _gitlab_report(tmp_path, gk, plans)
    office_pushes(origin, tmp_path)  # while the report ran
    run_gitlab_job(repo, "forms-log", _push_env(origin))
    assert git(origin, "log", "--format=%s", "main").splitlines() == [
        "report: 填报表发出记录（forms-log.yaml） [skip ci]",
        "office",
        "plan",
    ]
    kept = git(origin, "show", f"main:{log}")
    assert len(sent_lines(kept)) == 40 and LOGGED in kept
    job = _gitlab(repo)["forms-log"]
    assert job["needs"] == ["report"] and "extends" not in job  # installs and runs no gkctl
    assert job["rules"] == _gitlab(repo)["report"]["rules"]


def test_gitlab_forms_log_job_without_a_token_warns(tmp_path, gk) -> None:
    repo, origin, log = _gitlab_report(tmp_path, gk, plans=False)
    env = _push_env(origin)
    del env["GKCTL_PUSH_TOKEN"]
    with pytest.raises(AssertionError, match=r"job forms-log failed \(3\)") as failed:
        run_gitlab_job(repo, "forms-log", env)
    assert (
        f"未设 CI/CD 变量 GKCTL_PUSH_TOKEN：填报表发出记录只在 report 作业的构件中（{log}）"
        in str(failed.value)
    )
    # Exit code 3 shows the job as a warning; the pipeline passes.
    assert _gitlab(repo)["forms-log"]["allow_failure"] == {"exit_codes": [3]}
    assert git(origin, "rev-list", "--count", "main") == "1\n"


def test_gitlab_forms_log_job_without_forms_does_nothing(tmp_path, gk) -> None:
    repo, origin, log = _gitlab_report(tmp_path, gk, plans=False, key=False)
    assert not (repo / log).exists()
    run_gitlab_job(repo, "forms-log", _push_env(origin))
    assert git(origin, "rev-list", "--count", "main") == "1\n"


class _GitLab(BaseHTTPRequestHandler):
    """GitLab's Notes API as far as the plan-diff job uses it: records each request."""

    notes: ClassVar[list[dict[str, Any]]] = []
    seen: ClassVar[list[dict[str, Any]]] = []

    def _answer(self, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        type(self).seen.append(
            {
                "method": self.command,
                "path": self.path,
                "token": self.headers.get("PRIVATE-TOKEN"),
                "type": self.headers.get("Content-Type"),
                "body": json.loads(raw) if raw else None,
            }
        )

    def do_GET(self) -> None:
        self._record()
        self._answer(type(self).notes)

    def do_POST(self) -> None:
        self._record()
        self._answer({"id": 501})

    def do_PUT(self) -> None:
        self._record()
        self._answer({"id": 500})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gitlab_api() -> Iterator[tuple[str, type[_GitLab]]]:
    handler = type("Handler", (_GitLab,), {"notes": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4", handler
    finally:
        server.shutdown()
        server.server_close()


def _merge_request(office: Path, tmp_path: Path, change: bool = True) -> Path:
    """The job's checkout of a merge request: a clone of a GitLab project (a bare repository
    here) whose target branch holds the plan, with the merge request's change committed."""
    project = tmp_path / "project.git"
    repo = _with_bundled_plan(office)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the plan as published")
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(project))
    git(repo, "remote", "add", "origin", str(project))
    git(repo, "checkout", "-q", "-b", "move-deadline")
    if change:
        tasks = repo / "data" / "tasks.yaml"
        text = tasks.read_text(encoding="utf-8")
        tasks.write_text(text.replace("deadline: 3月底前\n", "deadline: 12月底前\n", 1), "utf-8")
        git(repo, "commit", "-q", "-am", "task 41 later")
    return repo


def _mr_env(api: str, token: str = "glpat-test-token") -> dict[str, str]:
    return {
        "CI_API_V4_URL": api,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "GKCTL_GITLAB_TOKEN": token,
        "GKCTL_TODAY": "2024-10-15",
    }


def test_gitlab_plan_diff_posted_as_a_merge_request_note(office, tmp_path, gitlab_api) -> None:
    api, handler = gitlab_api
    repo = _merge_request(office, tmp_path)
    log = run_gitlab_job(repo, "plan-diff", _mr_env(api))
    assert "已把计划变更贴到合并请求上。" in log
    diff = (repo / "plan-diff.md").read_text(encoding="utf-8")
    assert "12月底前" in diff
    notes = "/api/v4/projects/42/merge_requests/7/notes"
    assert handler.seen == [
        {
            "method": "GET",
            "path": notes + "?sort=asc&order_by=created_at&per_page=100",
            "token": "glpat-test-token",
            "type": "application/json",
            "body": None,
        },
        {
            "method": "POST",
            "path": notes,
            "token": "glpat-test-token",
            "type": "application/json",
            "body": {"body": "<!-- gkctl-plan-diff -->\n\n" + diff},
        },
    ]


def test_gitlab_plan_diff_note_is_updated_not_repeated(office, tmp_path, gitlab_api) -> None:
    api, handler = gitlab_api
    handler.notes = [
        {"id": 499, "body": "看过了"},
        {"id": 500, "body": "<!-- gkctl-plan-diff -->\n\n旧的变更"},
    ]
    repo = _merge_request(office, tmp_path)
    assert "已更新合并请求上的计划变更评论。" in run_gitlab_job(repo, "plan-diff", _mr_env(api))
    assert [(r["method"], r["path"].split("?")[0]) for r in handler.seen] == [
        ("GET", "/api/v4/projects/42/merge_requests/7/notes"),
        ("PUT", "/api/v4/projects/42/merge_requests/7/notes/500"),
    ]
    assert handler.seen[1]["body"]["body"].startswith("<!-- gkctl-plan-diff -->\n\n## ")


def test_gitlab_plan_diff_without_changes_or_token_posts_nothing(
    office, tmp_path, gitlab_api
) -> None:
    api, handler = gitlab_api
    repo = _merge_request(office, tmp_path, change=False)
    run_gitlab_job(repo, "plan-diff", _mr_env(api))
    assert [r["method"] for r in handler.seen] == ["GET"]  # looked, found none, posted none
    assert (repo / "plan-changed.txt").read_text(encoding="utf-8") == "0\n"
    handler.seen.clear()
    log = run_gitlab_job(repo, "plan-diff", _mr_env(api, token=""))
    assert "未设 CI/CD 变量 GKCTL_GITLAB_TOKEN" in log and handler.seen == []


def test_gitlab_jobs_run_when_they_should(office) -> None:
    config = _gitlab(office)
    assert config["plan-diff"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert config["plan-diff"]["variables"] == {"GIT_DEPTH": "0"}
    assert config["report"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web"'}
    ]
    assert config["variables"]["GKCTL_IMAGE"] == "python:3.11"


def test_scaffold_names_every_file_it_ships() -> None:
    shipped = {
        p.relative_to(ROOT / "gkctl" / "scaffold").as_posix()
        for p in (ROOT / "gkctl" / "scaffold").rglob("*")
        if p.is_file()
    }
    assert shipped == set(newrepo.SCAFFOLD)


def test_the_wheel_ships_the_scaffold(tmp_path) -> None:
    # gkctl init reads these from the installed package (importlib.resources), not from a
    # source checkout, which an office does not have.
    import zipfile

    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"gkctl/scaffold/{name}" for name in newrepo.SCAFFOLD} <= names


@pytest.mark.parametrize("plans", [False, True])
def test_the_plan_files_point_editors_at_the_schemas_init_copied(tmp_path, gk, plans) -> None:
    folder = tmp_path / "office"
    made = gk("init", str(folder), "--year", "2025", *(["--plans"] if plans else []), data=None)
    assert made.exit_code == 0, made.stdout + made.stderr
    where = newrepo.layout(plans, 2025)
    for path, schema in ((where.tasks, "tasks"), (where.units, "units")):
        file = folder / path
        lines = [
            line
            for line in file.read_text(encoding="utf-8").splitlines()
            if line.startswith("# yaml-language-server: $schema=")
        ]
        assert len(lines) == 1, path
        target = (file.parent / lines[0].split("=", 1)[1]).resolve()
        assert target == (folder / ".gkctl" / "schemas" / f"{schema}.schema.json").resolve()
        shipped = ROOT / "gkctl" / "schemas" / f"{schema}.schema.json"
        assert target.read_bytes() == shipped.read_bytes()
        checked = subprocess.run(
            [_tool("check-jsonschema"), "--schemafile", str(target), str(file)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_from_a_table_keeps_the_schema_line(tmp_path, gk) -> None:
    table = tmp_path / "任务分解表.xlsx"
    assert gk("export", "-f", "xlsx", "-o", str(table), data=DATA).exit_code == 0
    folder = tmp_path / "office"
    made = gk("init", str(folder), "--from", str(table), data=None)
    assert made.exit_code in (0, 1), made.stderr  # 1: units left for units.review.yaml
    tasks = (folder / "data" / "tasks.yaml").read_text(encoding="utf-8")
    assert "  - id: 75\n" in tasks  # the import did replace the blank plan
    assert "# yaml-language-server: $schema=../.gkctl/schemas/tasks.schema.json\n" in tasks
