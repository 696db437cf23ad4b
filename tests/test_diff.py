"""gkctl diff: two revisions of the plan in a temporary git repository, compared task by task.

One repository (module scope) holds three commits, tagged: `empty` (no plan yet), `base`
(the bundled data) and `head` (one change of each kind, made by EDITS below). Tests that
change the working tree work on a copy of it.
"""

import itertools
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gkctl.core import plandiff
from gkctl.core.plandiff import ChangeKind, Op, Segment, text_diff
from gkctl.store import gitsrc, loader
from tests.conftest import DATA

AS_OF = "2024-10-15"
GIT_ENV = {
    # The test repository must not depend on the user's git configuration.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2024-10-01T08:00:00+08:00",
    "GIT_COMMITTER_DATE": "2024-10-01T08:00:00+08:00",
}

NEW_TASK = """
  - id: 76
    section: 五
    name: 强化组织落实
    content: 建立公共数据开放清单，按季度更新。
    units: [区数据局, 区政府办公室]
    deadline: 9月底前
"""

# (file, task id or None for the whole file, old text, new text): each must match once.
Edit = tuple[str, int | None, str | None, str]
EDITS: list[Edit] = [
    ("tasks.yaml", 1, "等重大项目推进情况。", "等重大项目的最新推进情况。"),
    ("tasks.yaml", 2, "units: [区经委]", "units: [区科委, 区经委]"),
    (
        "tasks.yaml",
        3,
        "deadline: 全年\n",
        "deadline: 全年\n    progress:\n      - date: 2024-06-30\n        unit: 区科委\n"
        "        status: doing\n        note: 已发布政策解读\n",
    ),
    ("tasks.yaml", 4, "deadline: 全年\n", "deadline: 全年\n    closed: 2024-09-01\n"),
    (
        "tasks.yaml",
        5,
        "deadline: 全年\n",
        "deadline: 全年\n    extensions:\n      - date: 2024-09-20\n        unit: 区发改委\n"
        "        to: 2025-01-31\n        reason: 等待市级文件\n",
    ),
    ("tasks.yaml", 6, "deadline: 全年", "deadline: 9月底前"),
    (
        "tasks.yaml",
        8,
        "name: 围绕促进经济稳定发展做好信息公开",
        "name: 围绕促进经济高质量发展做好信息公开",
    ),
    ("tasks.yaml", 9, "区投资促进办]", "区投促办]"),
    ("tasks.yaml", 10, "deadline: 全年\n", "deadline: 全年\n    notes: 与区文旅局共同推进\n"),
    ("tasks.yaml", 40, "deadline: 按市级部署\n", "deadline: 按市级部署\n    due: 2024-12-15\n"),
    ("tasks.yaml", 75, None, ""),  # None: the whole task goes
    ("units.yaml", None, "aliases: [经委]", "aliases: [经委, 经济委]"),
    (
        "units.yaml",
        None,
        "  - name: 区投资促进办\n    kind: department\n    aliases: [投资促进办]\n",
        "  - name: 区投促办\n    kind: department\n    aliases: [投促办, 投资促进办]\n"
        "  - name: 区数据局\n    kind: department\n",
    ),
    (
        "units.yaml",
        None,
        "  - name: 石化街道\n    kind: subdistrict\n    aliases: [石化]\n    source: outside\n",
        "",
    ),
]


def _task_block(text: str, task_id: int) -> tuple[int, int]:
    start = text.index(f"\n  - id: {task_id}\n") + 1
    end = text.find("\n  - id: ", start + 1)
    return start, (len(text) if end < 0 else end + 1)


def apply_edits(data: Path, edits: list[Edit]) -> None:
    for name, task_id, old, new in edits:
        path = data / name
        text = path.read_text(encoding="utf-8")
        start, end = _task_block(text, task_id) if task_id is not None else (0, len(text))
        block = text[start:end]
        if old is None:
            block = new
        else:
            assert block.count(old) == 1, (name, task_id, old)
            block = block.replace(old, new)
        path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def commit(repo: Path, message: str, tag: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    git(repo, "tag", tag)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plan-repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "gkctl tests")
    git(root, "config", "user.email", "tests@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    (root / "README.md").write_text("plan\n", encoding="utf-8")
    commit(root, "no plan yet", "empty")
    shutil.copytree(DATA, root / "data")
    commit(root, "the plan as published", "base")
    apply_edits(root / "data", EDITS)
    with (root / "data" / "tasks.yaml").open("a", encoding="utf-8") as handle:
        handle.write(NEW_TASK)
    commit(root, "one change of each kind", "head")
    return root


@pytest.fixture
def work(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the repository, as the working directory."""
    target = tmp_path / "work"
    shutil.copytree(repo, target, symlinks=True)
    monkeypatch.chdir(target)
    return target


Run = Callable[..., Any]


@pytest.fixture
def diff_json(gk: Run, repo: Path) -> dict[str, Any]:
    result = gk("diff", "base", "head", "--format", "json", "--as-of", AS_OF, data=repo / "data")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _task(doc: dict[str, Any], task_id: int) -> dict[str, Any]:
    found = [t for t in doc["tasks"] if t["id"] == task_id]
    assert len(found) == 1, f"task {task_id} not in the diff"
    return found[0]


def _change(doc: dict[str, Any], task_id: int, field: str) -> dict[str, Any]:
    found = [c for c in _task(doc, task_id)["changes"] if c["field"] == field]
    assert len(found) == 1, (task_id, field, _task(doc, task_id)["changes"])
    return found[0]


def _unit(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found = [u for u in doc["units"] if u["name"] == name]
    assert len(found) == 1, f"unit {name} not in the diff"
    return found[0]


# --- each kind of change (JSON, the form that names every fact) ----------------------------


def test_tasks_are_ordered_by_id_and_only_changed_ones_listed(diff_json: dict[str, Any]) -> None:
    ids = [t["id"] for t in diff_json["tasks"]]
    assert ids == [1, 2, 3, 4, 5, 6, 8, 9, 10, 40, 75, 76]
    assert diff_json["summary"] == {
        "added": 1,
        "removed": 1,
        "modified": 10,
        "becomes_overdue": 2,
        "units": 4,
        "config": 0,
    }


def test_task_added_and_removed(diff_json: dict[str, Any]) -> None:
    added, removed = _task(diff_json, 76), _task(diff_json, 75)
    assert (added["change"], added["units"], added["deadline"]) == (
        "added",
        ["区数据局", "区政府办公室"],
        "9月底前",
    )
    assert added["status"] == {"before": None, "after": "overdue"}
    assert added["becomes_overdue"] is True
    assert removed["change"] == "removed"
    assert removed["status"]["after"] is None
    assert removed["name"] == "强化组织落实"


def test_deadline_change_resolves_both_dates_and_says_it_is_now_overdue(
    diff_json: dict[str, Any],
) -> None:
    change = _change(diff_json, 6, "deadline")
    assert change == {
        "field": "deadline",
        "before": "全年",
        "after": "9月底前",
        "due_before": "2024-12-31",
        "due_after": "2024-09-30",
    }
    task = _task(diff_json, 6)
    assert task["status"] == {"before": "ongoing", "after": "overdue"}
    assert task["becomes_overdue"] is True


def test_deadline_not_overdue_before_the_new_date(gk: Run, repo: Path) -> None:
    result = gk("diff", "base", "head", "-f", "json", "--as-of", "2024-09-01", data=repo / "data")
    task = _task(json.loads(result.stdout), 6)
    assert task["status"] == {"before": "ongoing", "after": "due_soon"}
    assert task["becomes_overdue"] is False


def test_units_added_and_lead_changed(diff_json: dict[str, Any]) -> None:
    units = _change(diff_json, 2, "units")
    assert (units["before"], units["after"]) == (["区经委"], ["区科委", "区经委"])
    assert (units["added"], units["removed"], units["renamed"]) == (["区科委"], [], [])
    lead = _change(diff_json, 2, "lead")
    assert (lead["before"], lead["after"]) == ("区经委", "区科委")


def test_content_edit_is_a_short_character_diff(diff_json: dict[str, Any]) -> None:
    change = _change(diff_json, 1, "content")
    assert change["after"].endswith("等重大项目的最新推进情况。")
    assert change["diff"] == [
        {"op": "equal", "text": "…纽打造等重大项目"},
        {"op": "insert", "text": "的最新"},
        {"op": "equal", "text": "推进情况。"},
    ]
    name = _change(diff_json, 8, "name")
    assert [s for s in name["diff"] if s["op"] != "equal"] == [
        {"op": "delete", "text": "稳定"},
        {"op": "insert", "text": "高质量"},
    ]


def test_progress_closed_extension_due_and_notes(diff_json: dict[str, Any]) -> None:
    progress = _change(diff_json, 3, "progress")
    assert progress["before"] is None
    assert progress["after"] == {
        "date": "2024-06-30",
        "unit": "区科委",
        "status": "doing",
        "note": "已发布政策解读",
        "link": None,
        "returned": None,
        "return_reason": "",
        "recorded": "2024-06-30",  # no `recorded:`: written on its own date
        "accepted": None,
    }
    closed = _change(diff_json, 4, "closed")
    assert (closed["before"], closed["after"], closed["action"]) == (None, "2024-09-01", "closed")
    assert _task(diff_json, 4)["status"] == {"before": "ongoing", "after": "done"}
    extension = _change(diff_json, 5, "extensions")
    assert extension["after"]["to"] == "2025-01-31"
    assert _task(diff_json, 5)["due"] == {"before": "2024-12-31", "after": "2025-01-31"}
    due = _change(diff_json, 40, "due")
    assert (due["before"], due["after"]) == (None, "2024-12-15")
    assert _task(diff_json, 40)["status"] == {"before": "pending", "after": "open"}
    notes = _change(diff_json, 10, "notes")
    assert (notes["before"], notes["after"]) == ("", "与区文旅局共同推进")


def test_reverse_diff_reopens_and_removes(gk: Run, repo: Path) -> None:
    result = gk("diff", "head", "base", "-f", "json", "--as-of", AS_OF, data=repo / "data")
    doc = json.loads(result.stdout)
    closed = _change(doc, 4, "closed")
    assert (closed["before"], closed["after"], closed["action"]) == ("2024-09-01", None, "reopened")
    assert _change(doc, 3, "progress")["before"]["note"] == "已发布政策解读"
    assert _change(doc, 3, "progress")["after"] is None
    assert _task(doc, 76)["change"] == "removed"
    assert _task(doc, 75)["change"] == "added"
    assert _unit(doc, "区投资促进办")["change"] == "renamed"


def test_unit_renamed_added_removed_and_alias(diff_json: dict[str, Any]) -> None:
    renamed = _unit(diff_json, "区投促办")
    assert (renamed["change"], renamed["old_name"], renamed["tasks"]) == (
        "renamed",
        "区投资促进办",
        [9],
    )
    aliases = next(c for c in renamed["changes"] if c["field"] == "aliases")
    assert aliases["added"] == ["投促办"]
    # The task that followed the rename says so rather than "one unit out, one in".
    units = _change(diff_json, 9, "units")
    assert units["renamed"] == [{"before": "区投资促进办", "after": "区投促办"}]
    assert (units["added"], units["removed"]) == ([], [])
    assert _unit(diff_json, "区数据局")["change"] == "added"
    assert _unit(diff_json, "石化街道")["change"] == "removed"
    alias = _unit(diff_json, "区经委")["changes"]
    assert alias == [
        {
            "field": "aliases",
            "before": ["经委"],
            "after": ["经委", "经济委"],
            "added": ["经济委"],
            "removed": [],
        }
    ]
    assert [u["name"] for u in diff_json["units"]] == ["区经委", "区投促办", "区数据局", "石化街道"]


def test_unit_removed_while_tasks_still_name_it(gk: Run, work: Path) -> None:
    units = work / "data" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    entry = "  - name: 区经委\n    kind: department\n    aliases: [经委, 经济委]\n"
    assert text.count(entry) == 1
    units.write_text(text.replace(entry, ""), encoding="utf-8")
    result = gk("diff", "base", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 1
    assert result.stdout.startswith("工作区 的数据有 8 个问题，无法比较：\n")
    assert "data/tasks.yaml:" in result.stdout and "未知责任单位“区经委”" in result.stdout
    assert "单位“区经委”在 data/units.yaml 中已不存在，但任务 2、8、9、10、11" in result.stdout
    assert result.stderr == "无法比较：工作区 的数据有问题，请先修正。\n"
    doc = json.loads(gk("diff", "base", "-f", "json", "--as-of", AS_OF, data=Path("data")).stdout)
    assert "tasks" not in doc
    assert {p["side"] for p in doc["problems"]} == {"head"}
    assert doc["stale_units"][0]["name"] == "区经委"
    assert doc["stale_units"][0]["tasks"][:3] == [2, 8, 9]


def test_document_milestones_and_groups(gk: Run, work: Path) -> None:
    apply_edits(
        work / "data",
        [
            ("tasks.yaml", None, "year: 2024", "year: 2025"),
            (
                "tasks.yaml",
                76,
                "deadline: 9月底前\n",
                "deadline: 9月底前\n    milestones:\n      - name: 初稿\n        deadline: 6月底前\n",
            ),
            ("units.yaml", None, "meaning: 各镇和街道\n", "meaning: 全区各镇和街道\n"),
        ],
    )
    result = gk("diff", "HEAD", "-f", "json", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["document"] == [{"field": "year", "before": 2024, "after": 2025}]
    # Same 时间节点 text, another year: the resolved date moves, and the diff says so.
    assert _change(doc, 1, "deadline") == {
        "field": "deadline",
        "before": "全年",
        "after": "全年",
        "due_before": "2024-12-31",
        "due_after": "2025-12-31",
    }
    milestone = _change(doc, 76, "milestones")
    assert milestone["after"] == {"name": "初稿", "deadline": "6月底前", "due": None}
    group = _unit(doc, "各街镇")
    assert (group["kind"], group["change"]) == ("group", "modified")
    assert [s["text"] for s in group["changes"][0]["diff"] if s["op"] == "insert"] == ["全区"]
    table = gk("diff", "HEAD", "--as-of", AS_OF, data=Path("data")).stdout
    assert "计划年度" in table and "2024 → 2025" in table
    assert "全年：截止日期 2024-12-31 → 2025-12-31（计划年度或发布日期变化）" in table


# --- the three forms ---------------------------------------------------------------------


def test_table_form(gk: Run, repo: Path, golden: Callable[[str, str], None]) -> None:
    result = gk("diff", "base", "head", "--as-of", AS_OF, data=repo / "data")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "【+的最新+】" in result.stdout
    assert "全年（2024-12-31）→ 9月底前（2024-09-30）" in result.stdout
    golden("diff-base-head-2024-10-15.txt", result.stdout)


def test_markdown_form(gk: Run, repo: Path, golden: Callable[[str, str], None]) -> None:
    result = gk("diff", "base", "head", "-f", "markdown", "--as-of", AS_OF, data=repo / "data")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("## 计划变更：base → head\n")
    assert "### 任务" in out and "### 单位名录" in out
    assert "- **任务 6**（修改）" in out
    assert "【+**的最新**+】" in out
    assert "> **注意：截至 2024-10-15，任务 6、76 因本次变更成为已逾期。**" in out
    golden("diff-base-head-2024-10-15.md", out)


def test_json_envelope_is_stable(diff_json: dict[str, Any]) -> None:
    assert list(diff_json) == [
        "version",
        "as_of",
        "base",
        "head",
        "empty",
        "summary",
        "problems",
        "config",
        "document",
        "tasks",
        "units",
    ]
    assert diff_json["version"] == 1
    assert diff_json["config"] == []
    assert diff_json["base"] == {
        "kind": "revision",
        "ref": "base",
        "tasks_file": "base:data/tasks.yaml",
        "units_file": "base:data/units.yaml",
    }
    assert set(_task(diff_json, 6)) == {
        "id",
        "change",
        "name",
        "content",
        "units",
        "deadline",
        "status",
        "due",
        "becomes_overdue",
        "changes",
    }
    assert set(_unit(diff_json, "区投促办")) == {
        "name",
        "change",
        "kind",
        "old_name",
        "tasks",
        "changes",
    }


def test_markdown_escapes_yaml_text(gk: Run, work: Path) -> None:
    apply_edits(
        work / "data",
        [
            (
                "tasks.yaml",
                1,
                "最新推进情况。",
                "最新推进情况。[点此](http://x.example) <b>*粗*</b> @someone `x` | $y$",
            )
        ],
    )
    result = gk("diff", "HEAD", "-f", "markdown", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 0
    out = result.stdout
    assert (
        # The address is defused as in reports: no live link in a pull request comment.
        "\\[点此\\](http\\://x.example) \\<b\\>\\*粗\\*\\</b\\> @\u2060someone \\`x\\` \\| \\$y\\$"
        in out
    )
    assert "<b>" not in out and "[点此]" not in out
    # The table shows the same text literally (Rich markup is never parsed from YAML text).
    table = gk("diff", "HEAD", "--as-of", AS_OF, data=Path("data")).stdout
    assert "[点此](http://x.example)" in table


# --- where the two sides come from ---------------------------------------------------------


def test_head_defaults_to_the_working_tree(gk: Run, work: Path) -> None:
    apply_edits(work / "data", [("tasks.yaml", 12, "deadline: ", "deadline: 10月10日前  # was ")])
    result = gk("diff", "HEAD", "-f", "json", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["head"] == {
        "kind": "worktree",
        "ref": None,
        "tasks_file": "data/tasks.yaml",
        "units_file": "data/units.yaml",
    }
    assert [t["id"] for t in doc["tasks"]] == [12]
    assert _change(doc, 12, "deadline")["due_after"] == "2024-10-10"
    # Reading revisions left the working tree, the index and HEAD as they were.
    assert git(work, "status", "--porcelain") == " M data/tasks.yaml\n"
    assert git(work, "rev-parse", "HEAD") == git(work, "rev-parse", "head")


def test_data_folder_in_a_subfolder_of_the_repository(gk: Run, work: Path) -> None:
    result = gk("diff", "base", "-f", "json", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["added"] == 1
    os.chdir(work / "data")
    result = gk("diff", "base", "head", "-f", "json", "--as-of", AS_OF, data=Path("."))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["base"]["tasks_file"] == "base:data/tasks.yaml"


def test_two_plain_files_without_git(
    gk: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DATA, old)
    shutil.copytree(DATA, new)
    apply_edits(new, [("tasks.yaml", 6, "deadline: 全年", "deadline: 9月底前")])
    monkeypatch.chdir(tmp_path)
    result = gk("diff", "old/tasks.yaml", "new", "-f", "json", "--as-of", AS_OF, data=None)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["base"] == {
        "kind": "files",
        "ref": "old/tasks.yaml",
        "tasks_file": "old/tasks.yaml",
        "units_file": "old/units.yaml",
    }
    assert [t["id"] for t in doc["tasks"]] == [6]
    # A folder against the --data folder (HEAD omitted).
    result = gk("diff", "old", "--as-of", AS_OF, data=new)
    assert result.exit_code == 0
    assert "9月底前（2024-09-30）" in result.stdout


def test_empty_diff_says_so(gk: Run, repo: Path) -> None:
    result = gk("diff", "head", "--as-of", AS_OF, data=repo / "data")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "head 与 工作区 的计划没有差异" in result.stderr
    result = gk("diff", "head", "head", "-f", "json", "--as-of", AS_OF, data=repo / "data")
    doc = json.loads(result.stdout)
    assert (result.exit_code, doc["empty"], doc["tasks"], doc["units"]) == (0, True, [], [])
    result = gk("diff", "head", "-f", "markdown", "--as-of", AS_OF, data=repo / "data")
    assert "两个版本的计划没有差异" in result.stdout


def test_exit_code_says_whether_the_plan_changed(gk: Run, repo: Path) -> None:
    # For scripts: the answer is the exit code, whatever words the output holds.
    data = repo / "data"
    changed = gk(
        "diff", "base", "head", "-f", "markdown", "--exit-code", "--as-of", AS_OF, data=data
    )
    assert changed.exit_code == 1, changed.stderr
    assert "**任务 1**" in changed.stdout
    same = gk("diff", "head", "head", "-f", "markdown", "--exit-code", "--as-of", AS_OF, data=data)
    assert (same.exit_code, "没有差异" in same.stdout) == (0, True)
    # Without the option a change is no failure.
    assert gk("diff", "base", "head", "--as-of", AS_OF, data=data).exit_code == 0


# --- gkctl.toml: which data folder is read -------------------------------------------------


def _decoy(work: Path) -> None:
    """What issue 22 describes: a pull request adds gkctl.toml pointing at a folder that
    holds an unchanged copy of the plan, and breaks data/tasks.yaml, which nothing reads now."""
    shutil.copytree(work / "data", work / "decoy")
    git(work, "add", "decoy")
    git(work, "commit", "-q", "-m", "a copy of the plan")
    git(work, "tag", "before-toml")
    (work / "gkctl.toml").write_text('data = "decoy"\n', encoding="utf-8")
    tasks = work / "data" / "tasks.yaml"
    tasks.write_text(
        tasks.read_text(encoding="utf-8").replace("units: [", "units: [区经委员会, ", 1)
    )


def test_a_changed_data_folder_is_a_change_in_its_own_right(gk: Run, work: Path) -> None:
    _decoy(work)
    result = gk("diff", "before-toml", "--as-of", AS_OF, "-f", "json", data=None)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["empty"] is False and doc["tasks"] == [] and doc["summary"]["config"] == 1
    assert doc["config"] == [{"field": "data", "before": None, "after": "decoy"}]
    assert doc["base"]["tasks_file"] == "before-toml:decoy/tasks.yaml"
    text = gk("diff", "before-toml", "--as-of", AS_OF, "--exit-code", data=None)
    assert text.exit_code == 1, text.stderr
    assert "没有差异" not in text.stdout + text.stderr
    assert (
        "注意：gkctl.toml 改变了 gkctl 读取的数据目录：未设置（默认 data） → decoy。" in text.stdout
    )
    assert "数据目录（data）" in text.stdout and "未设置 → decoy" in text.stdout
    markdown = gk("diff", "before-toml", "--as-of", AS_OF, "-f", "markdown", data=None).stdout
    assert "### 项目配置 gkctl.toml\n\n- 数据目录（data）：未设置 → decoy\n" in markdown
    assert "> **注意：gkctl.toml 改变了 gkctl 读取的数据目录" in markdown


def test_gkctl_toml_changes_between_revisions_and_its_other_settings(gk: Run, work: Path) -> None:
    (work / "gkctl.toml").write_text('data = "data"\nwithin = 14\n', encoding="utf-8")
    commit(work, "settings", "toml-1")
    (work / "gkctl.toml").write_text(
        'data = "data"\nwithin = 7\nunit = "区经委"\n', encoding="utf-8"
    )
    commit(work, "other settings", "toml-2")
    doc = json.loads(
        gk("diff", "toml-1", "toml-2", "-f", "json", "--as-of", AS_OF, data=None).stdout
    )
    assert doc["config"] == [
        {"field": "within", "before": 14, "after": 7},
        {"field": "unit", "before": None, "after": "区经委"},
    ]
    # The same settings on both sides: no change; two folders compared have no gkctl.toml.
    same = gk("diff", "toml-2", "--as-of", AS_OF, "--exit-code", data=None)
    assert same.exit_code == 0, same.stdout + same.stderr
    files = gk("diff", "./data", "./data", "-f", "json", "--as-of", AS_OF, data=None)
    assert json.loads(files.stdout)["config"] == []


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchrev"], "未知的版本“nosuchrev”"),
        (["base~5"], "未知的版本“base~5”"),
        (["--data", "REPO", "--", "-p"], "“-p”不是有效的版本"),
        (["empty"], "版本“empty”中没有文件 data/tasks.yaml"),
        (["base", "head", "-f", "csv"], "此命令不支持 --format csv"),
    ],
)
def test_usage_errors(gk: Run, repo: Path, args: list[str], message: str) -> None:
    argv = [str(repo / "data") if a == "REPO" else a for a in args]
    result = gk("diff", *argv, data=repo / "data")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_not_a_git_repository(gk: Run, data_copy: Path) -> None:
    result = gk("diff", "HEAD", data=data_copy)
    assert result.exit_code == 2
    assert "不在 git 仓库的工作区中" in result.stderr


def test_missing_units_beside_a_plain_file(gk: Run, tmp_path: Path) -> None:
    (tmp_path / "tasks.yaml").write_bytes((DATA / "tasks.yaml").read_bytes())
    result = gk("diff", str(tmp_path / "tasks.yaml"), data=DATA)
    assert result.exit_code == 2
    assert "找不到单位名录" in result.stderr


def test_invalid_side_shows_its_problems_instead_of_a_diff(gk: Run, work: Path) -> None:
    apply_edits(work / "data", [("tasks.yaml", 6, "deadline: 9月底前", "deadline: 十三月底前")])
    result = gk("diff", "base", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "工作区 的数据有 1 个问题，无法比较："
    assert lines[1].startswith("data/tasks.yaml:") and "十三月底前" in lines[1]
    result = gk("diff", "base", "-f", "markdown", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 1
    assert "### 工作区 的数据有 1 个问题，无法比较：" in result.stdout
    # A revision side is named by its revision in every position.
    git(work, "commit", "-q", "-am", "broken")
    result = gk("diff", "HEAD", "base", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("HEAD:data/tasks.yaml:")


# --- the core, directly -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("推进情况", "推进情况", []),
        ("", "新增备注", [("insert", "新增备注")]),
        ("旧备注", "", [("delete", "旧备注")]),
        (
            "方案7.0版",
            "方案8.0版",
            [("equal", "方案"), ("delete", "7.0"), ("insert", "8.0"), ("equal", "版")],
        ),
        # One unchanged character between two edits joins them into one replacement.
        ("推进情况", "推动进展", [("equal", "推"), ("delete", "进情况"), ("insert", "动进展")]),
        (
            "一二三四五六七八九十甲乙丙丁戊己庚辛",
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬",
            [("equal", "…甲乙丙丁戊己庚辛"), ("insert", "壬")],
        ),
    ],
)
def test_text_diff(before: str, after: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.op.value, s.text) for s in text_diff(before, after)] == expected


def test_text_diff_is_capped() -> None:
    segments = text_diff("甲" * 500, "乙" * 500, limit=40)
    assert sum(len(s.text) for s in segments) < 100
    assert segments[-1] == Segment(Op.EQUAL, "…") or segments[-1].text.endswith("…")


def test_compare_same_dataset_is_empty() -> None:
    from datetime import date

    dataset = loader.load(DATA)
    result = plandiff.compare(dataset, dataset, date(2024, 10, 15))
    assert result.empty
    assert result.count(ChangeKind.ADDED) == 0


def test_find_repo_for_a_folder_not_yet_in_the_working_tree(repo: Path) -> None:
    found = gitsrc.find_repo(repo / "plans" / "2025")
    assert found.prefix == "plans/2025/"
    assert found.top.resolve() == repo.resolve()


# --- pre-commit ----------------------------------------------------------------------------


def test_pre_commit_hook_runs_validate_once_when_a_data_file_changes() -> None:
    import re

    import yaml

    from tests.conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "gkctl-validate")
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "gkctl validate --all-plans",
        "python",
        False,
    )
    files = re.compile(hook["files"])
    for path in ("data/tasks.yaml", "units.yaml", "plans/2024/tasks.yaml", "gkctl.toml"):
        assert files.search(path), path
    for path in ("data/tasks.yml", "data/oldtasks.yaml", "README.md", "data/tasks.yaml.bak"):
        assert not files.search(path), path
    example = yaml.safe_load(
        (ROOT / "docs" / "pre-commit-config.example.yaml").read_text(encoding="utf-8")
    )
    assert [h["id"] for r in example["repos"] for h in r["hooks"]] == ["gkctl-validate"]


@given(
    st.text(alphabet="推进情况公开政务7.0 ab，。", max_size=30),
    st.text(alphabet="推进情况公开政务8.0 ab，。", max_size=30),
)
def test_text_diff_rebuilds_both_texts_when_nothing_is_cut(before: str, after: str) -> None:
    segments = text_diff(before, after, context=10**6, limit=10**6)
    assert "".join(s.text for s in segments if s.op is not Op.INSERT) == (
        before if before != after else ""
    )
    assert "".join(s.text for s in segments if s.op is not Op.DELETE) == (
        after if before != after else ""
    )
    for one, two in itertools.pairwise(segments):
        assert not (one.op is Op.EQUAL and two.op is Op.EQUAL)


# --- a path may not shadow a revision (issue 12 item 12) ----------------------------------------


def test_a_revision_wins_over_a_same_named_path(gk: Run, work: Path) -> None:
    """A pull request adding base/tasks.yaml and base/units.yaml (copies of its own data)
    must not make `diff base` compare against them and report no difference."""
    shadow = work / "base"
    shadow.mkdir()
    for name in ("tasks.yaml", "units.yaml"):
        shutil.copy(work / "data" / name, shadow / name)
    result = gk("diff", "base", "-f", "json", "--as-of", AS_OF, data=Path("data"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tasks"], "the revision base differs from the worktree"
    assert result.stderr == (
        "“base”既是 git 版本又是路径，按版本比较；要比较该路径，请写 ./base 或 path:base。\n"
    )
    for spelled in ("path:base", "./base"):
        as_path = gk("diff", spelled, "-f", "json", "--as-of", AS_OF, data=Path("data"))
        assert as_path.exit_code == 0, as_path.stderr
        assert json.loads(as_path.stdout)["tasks"] == []
    missing = gk("diff", "path:nowhere", "--as-of", AS_OF, data=Path("data"))
    assert missing.exit_code == 2
    assert missing.stderr == "找不到“path:nowhere”：没有这个文件或目录。\n"


def test_office_settings_compare_one_key_at_a_time() -> None:
    # gkctl.toml's [office] table is compared as office.name and office.recipients, each
    # with a label of its own, not as one dict printed whole.
    from gkctl.core.plandiff import config_changes
    from gkctl.views.diff import CONFIG_LABELS

    before = {"within": 14, "office": {"name": "甲办公室", "recipients": "各有关单位"}}
    after = {"within": 14, "office": {"name": "乙办公室", "recipients": "各有关单位"}}
    changes = config_changes(before, after)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("office.name", "甲办公室", "乙办公室")
    ]
    assert CONFIG_LABELS["office.name"] == "通报落款（office.name）"
