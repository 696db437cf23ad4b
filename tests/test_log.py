"""gkctl log: one task's history, from a real git repository built here with real commits
(authors and dates set through GIT_AUTHOR_* and GIT_COMMITTER_*), written by gkctl's own
write commands, and a shallow clone of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gkctl.core.history import EventKind
from gkctl.store import history
from tests.conftest import DATA

OFFICE = ("区政府办公室 督办科", "office@example.invalid")
UNIT = ("区经委 信息科", "jingwei@example.invalid")
ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    # The write commands refuse dates after "today": the story happens in 2024.
    "GKCTL_TODAY": "2024-12-15",
}


def git(repo: Path, *args: str, who: tuple[str, str] = OFFICE, day: str = "2024-04-10") -> str:
    stamp = f"{day}T09:00:00+08:00"
    env = {
        **os.environ,
        **ENV,
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def commit(repo: Path, message: str, who: tuple[str, str], day: str) -> str:
    git(repo, "add", "-A", who=who, day=day)
    git(repo, "commit", "-q", "-m", message, who=who, day=day)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A plan's year in commits; `shas` names each commit by its step."""
    from typer.testing import CliRunner

    from gkctl.cli.app import app

    root = tmp_path_factory.mktemp("log-repo")
    data = root / "data"
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    shutil.copytree(DATA, data)
    shas = {"published": commit(root, "导入2024年工作要点", OFFICE, "2024-04-10")}

    def gk(*args: str) -> None:
        result = CliRunner().invoke(app, [*args, "--data", str(data)], env=ENV)
        assert result.exit_code == 0, result.output

    gk("progress", "add", "5", "--unit", "区发改委", "--status", "doing", "--date", "2024-06-01")
    shas["other_task"] = commit(root, "任务5 进展", UNIT, "2024-06-01")
    gk("extend", "31", "--unit", "区经委", "--to", "2024-11-30", "--reason", "等待市级平台上线",
       "--date", "2024-10-18")  # fmt: skip
    shas["extension"] = commit(root, "任务31 申请延期", UNIT, "2024-10-18")
    gk("approve", "31", "--unit", "区经委", "--date", "2024-10-22", "--note", "同意")
    shas["decision"] = commit(root, "批准任务31 延期", OFFICE, "2024-10-22")
    edit(
        data / "tasks.yaml",
        "    deadline: 10月底前\n    extensions:",
        "    deadline: 11月底前\n    extensions:",
    )
    shas["deadline"] = commit(root, "任务31 时间节点按新通知调整", OFFICE, "2024-10-25")
    gk("progress", "add", "31", "--unit", "区经委", "--status", "done", "--date", "2024-11-20",
       "--note", "政策服务包已上线")  # fmt: skip
    shas["progress"] = commit(root, "任务31 报完成", UNIT, "2024-11-20")
    gk("return", "31", "--unit", "区经委", "--reason", "未附公开链接", "--date", "2024-11-25")
    shas["return"] = commit(root, "退办任务31", OFFICE, "2024-11-25")
    edit(data / "units.yaml", "aliases: [经委]", "aliases: [经委, 经济委]")
    shas["units_only"] = commit(root, "单位名录加别名", OFFICE, "2024-11-26")
    return {"root": root, "data": data, "shas": shas}


def _log(gk, data: Path, task: str = "31") -> dict[str, Any]:
    result = gk("log", task, "--format", "json", data=data)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_log_lists_progress_a_decision_and_a_deadline_edit_with_commits(gk, story) -> None:
    shas = story["shas"]
    doc = _log(gk, story["data"])
    assert doc["complete"] is True and doc["stops_at"] is None
    # Newest first; the commits that left task 31 alone (task 5, units.yaml) are not there.
    assert [e["commit"] for e in doc["entries"]] == [
        shas[k] for k in ("return", "progress", "deadline", "decision", "extension", "published")
    ]
    by_step = {k: e for e in doc["entries"] for k, s in shas.items() if e["commit"] == s}
    assert [c["kind"] for c in by_step["published"]["changes"]] == ["added"]

    (progress,) = by_step["progress"]["changes"]
    assert progress["kind"] == "progress" and progress["before"] is None
    assert progress["after"]["status"] == "done" and progress["after"]["date"] == "2024-11-20"
    assert by_step["progress"]["author"] == UNIT[0]
    assert by_step["progress"]["date"] == "2024-11-20"

    (decision,) = by_step["decision"]["changes"]
    assert decision["kind"] == "decision"
    assert decision["before"]["decision"] == "requested"
    assert decision["after"]["decision"] == "approved"
    assert decision["after"]["decided"] == "2024-10-22"
    assert by_step["decision"]["author"] == OFFICE[0]
    assert by_step["decision"]["subject"] == "批准任务31 延期"

    (deadline,) = by_step["deadline"]["changes"]
    assert deadline["kind"] == "deadline"
    assert (deadline["before"], deadline["after"]) == ("10月底前", "11月底前")
    assert (deadline["due_before"], deadline["due_after"]) == ("2024-10-31", "2024-11-30")

    (returned,) = by_step["return"]["changes"]
    assert returned["kind"] == "return"
    assert returned["after"]["returned"] == "2024-11-25"
    assert returned["after"]["return_reason"] == "未附公开链接"
    (extension,) = by_step["extension"]["changes"]
    assert extension["kind"] == "extension" and extension["after"]["to"] == "2024-11-30"
    assert doc["scanned"] == 7  # every commit that changed tasks.yaml


def test_log_table_names_date_commit_author_and_change(gk, story) -> None:
    shas = story["shas"]
    result = gk("log", "31", data=story["data"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("任务 31 的修改历史（git 提交，新的在前）\n")
    assert f"2024-10-22  {shas['decision'][:7]}  区政府办公室 督办科  批准任务31 延期" in out
    assert (
        "  延期决定  2024-10-18 区经委 申请延期至 2024-11-30：等待市级平台上线；2024-10-22 批准：同意"
        in out
    )
    assert "  时间节点  10月底前（2024-10-31）→ 11月底前（2024-11-30）" in out
    assert (
        "  退办  2024-11-20 区经委 已完成：政策服务包已上线；2024-11-25 退办：未附公开链接" in out
    )
    assert "新增任务" in out
    assert out.index(shas["return"][:7]) < out.index(shas["published"][:7])


def test_a_task_nobody_touched_after_import_has_one_entry(gk, story) -> None:
    doc = _log(gk, story["data"], "40")
    assert [e["commit"] for e in doc["entries"]] == [story["shas"]["published"]]


def test_a_task_never_in_the_plan_has_no_entry_and_says_so(gk, story) -> None:
    result = gk("log", "999", "--format", "json", data=story["data"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["entries"] == []
    assert result.stderr == "在 7 次修改 tasks.yaml 的提交中，没有改动任务 999 的提交。\n"


def test_a_shallow_clone_says_where_the_history_stops(gk, story, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    url = story["root"].as_uri()
    git(tmp_path, "clone", "-q", "--depth", "3", url, str(clone))
    doc = _log(gk, clone / "data")
    shas = story["shas"]
    # The clone holds units_only, return and progress; progress has no parent here.
    assert [e["commit"] for e in doc["entries"]] == [shas["return"]]
    assert doc["complete"] is False
    assert doc["stops_at"]["commit"] == shas["progress"]
    assert doc["stops_at"]["date"] == "2024-11-20"
    table = gk("log", "31", data=clone / "data")
    assert table.exit_code == 0
    assert f"历史止于提交 {shas['progress'][:7]}（2024-11-20）：这是浅克隆" in table.stdout
    assert "git fetch --unshallow" in table.stdout


def test_a_commit_whose_file_does_not_parse_is_listed_not_a_crash(
    gk, story, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(story["root"], root)
    tasks = root / "data" / "tasks.yaml"
    good = tasks.read_text(encoding="utf-8")
    edit(tasks, "deadline: 11月底前\n    progress:", "deadline: [11月底前\n    progress:")
    broken = commit(root, "手工改坏", OFFICE, "2024-12-01")
    tasks.write_text(
        good.replace("deadline: 11月底前\n    progress:", "deadline: 12月底前\n    progress:")
    )
    fixed = commit(root, "修好并改期", OFFICE, "2024-12-02")
    doc = _log(gk, root / "data")
    first, second = doc["entries"][:2]
    assert first["commit"] == fixed
    # Compared with the last version that could be read, and said so.
    assert first["against"] == story["shas"]["return"]
    assert [(c["before"], c["after"]) for c in first["changes"]] == [("11月底前", "12月底前")]
    assert second["commit"] == broken and second["changes"] == []
    assert second["problems"] and second["problems"][0].startswith(f"{broken[:7]}:data/tasks.yaml:")
    table = gk("log", "31", data=root / "data")
    assert table.exit_code == 0
    assert "无法读取" in table.stdout
    assert f"（上一版本无法读取，与提交 {story['shas']['return'][:7]} 的版本比较）" in table.stdout


def test_a_moved_plan_file_is_followed(gk, story, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(story["root"], root)
    (root / "plans").mkdir()
    git(root, "mv", "data", "plans/2024")
    moved = commit(root, "计划移入 plans/2024", OFFICE, "2024-12-03")
    doc = _log(gk, root / "plans" / "2024")
    assert moved not in [e["commit"] for e in doc["entries"]]
    assert doc["entries"][-1]["commit"] == story["shas"]["published"]
    assert len(doc["entries"]) == 6


def test_outside_a_repository_it_says_what_log_needs(gk, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    result = gk("log", "31", data=data, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.exit_code == 2
    assert "不在 git 仓库的工作区中，无法查看任务的修改历史" in result.stderr
    assert "Traceback" not in result.output


def test_commits_that_leave_the_task_alone_are_not_parsed(story) -> None:
    """Only the commits whose bytes differ in the task's lines (or the header) are parsed:
    of the seven, task 5's own and the other tasks' are passed over."""
    changes = history._changes(story["root"], "data/tasks.yaml")
    blobs = history._Blobs(story["root"])
    try:
        versions = history._Versions(blobs)
        log = history._walk(5, changes, frozenset(), versions)
    finally:
        blobs.close()
    assert [e.events[0].kind for e in log.entries] == [EventKind.PROGRESS, EventKind.ADDED]
    # published (the file added: one side) and task 5's progress (both sides, one shared).
    assert versions.parsed == 2


def test_the_json_envelope_keeps_its_keys(gk, story) -> None:
    doc = _log(gk, story["data"])
    assert list(doc) == ["version", "task", "scanned", "complete", "stops_at", "entries"]
    assert doc["version"] == 1 and doc["task"] == 31
    assert list(doc["entries"][0]) == [
        "commit",
        "short",
        "author",
        "email",
        "date",
        "committed",
        "subject",
        "path",
        "against",
        "problems",
        "changes",
    ]
    assert doc["entries"][0]["path"] == "data/tasks.yaml"
    assert doc["entries"][0]["email"] == OFFICE[1]


def test_a_plan_in_a_folder_of_plans_with_its_carry_over(gk, tmp_path: Path) -> None:
    """plans/2024 and plans/2025 share plans/units.yaml; task 31 is carried into 2025."""
    from tests.conftest import FIXTURES

    root = tmp_path / "repo"
    plans = root / "plans"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    (plans / "2024").mkdir(parents=True)
    shutil.copy(FIXTURES / "plans" / "plans" / "units.yaml", plans / "units.yaml")
    fixture = (FIXTURES / "plans" / "plans" / "2024" / "tasks.yaml").read_text(encoding="utf-8")
    link = '    carried_to: {plan: "2025", id: 2}\n'
    before = fixture.replace("    deadline: 10月底前\n" + link, "    deadline: 10月底前\n")
    assert before != fixture
    (plans / "2024" / "tasks.yaml").write_text(before, encoding="utf-8")
    published = commit(root, "导入2024年计划", OFFICE, "2024-04-10")
    result = gk(
        "progress", "add", "31", "--unit", "区经委", "--status", "doing", "--date", "2024-11-20",
        "--plan", "2024", data=plans, env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    progress = commit(root, "任务31 进展", UNIT, "2024-11-20")
    text = (plans / "2024" / "tasks.yaml").read_text(encoding="utf-8")
    (plans / "2024" / "tasks.yaml").write_text(
        text.replace(
            "    deadline: 10月底前\n    progress:",
            "    deadline: 10月底前\n" + link + "    progress:",
        ),
        encoding="utf-8",
    )
    shutil.copytree(FIXTURES / "plans" / "plans" / "2025", plans / "2025")
    carried = commit(root, "结转到2025年计划", OFFICE, "2025-01-10")

    result = gk("log", "31", "--plan", "2024", "--format", "json", data=plans)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [e["commit"] for e in doc["entries"]] == [carried, progress, published]
    assert [e["problems"] for e in doc["entries"]] == [[], [], []]
    (carry,) = doc["entries"][0]["changes"]
    assert (carry["kind"], carry["field"], carry["after"]) == ("carry", "carried_to", "2025#2")
    assert doc["entries"][1]["changes"][0]["kind"] == "progress"

    # The carried task's history starts with where it came from.
    result = gk("log", "2", "--plan", "2025", "--format", "json", data=plans)
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["entries"]
    assert entry["commit"] == carried and entry["path"] == "plans/2025/tasks.yaml"
    assert [(c["kind"], c["after"]) for c in entry["changes"]] == [
        ("added", 2),
        ("carry", "2024#31"),
    ]
    table = gk("log", "2", "--plan", "2025", data=plans)
    assert "  新增任务\n  承接自    2024#31\n" in table.stdout
