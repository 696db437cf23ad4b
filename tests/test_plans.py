"""Several plans in one data folder (plans/2024, plans/2025, one units.yaml), the cross-plan
due view, and carrying what was left into the next plan (tests/fixtures/plans)."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from gkctl.core.errors import UsageError
from gkctl.store import paths
from tests.conftest import DATA, FIXTURES

PLANS = FIXTURES / "plans" / "plans"
DAY = "2025-03-01"


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A private copy of the two-plan fixture, safe to write to."""
    target = tmp_path / "plans"
    shutil.copytree(PLANS, target)
    return target


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.yaml")}


# --- the layout -----------------------------------------------------------------------------


def test_a_folder_of_plans_lists_its_plans_by_folder_name() -> None:
    assert paths.holds_plans(PLANS)
    assert [p.name for p in paths.plans_of(PLANS)] == ["2024", "2025"]
    # Each plan reads the shared units.yaml above it; data/ keeps its own.
    assert paths.units_file(PLANS / "2025") == PLANS / "units.yaml"
    assert paths.units_file(DATA) == DATA / "units.yaml"
    assert paths.plans_of(DATA) == (paths.PlanFolder("data", DATA),)


def test_a_plan_folder_is_that_plan_of_its_folder_of_plans() -> None:
    scope = paths.scope(PLANS / "2024", None)
    assert scope.folder == PLANS and scope.several
    assert [p.name for p in scope.chosen] == ["2024"]
    assert [p.name for p in scope.plans] == ["2024", "2025"]


def test_one_plan_commands_need_plan_where_there_are_several() -> None:
    with pytest.raises(UsageError, match=r"有 2 个计划（2024、2025）.*--plan 2025"):
        paths.scope(PLANS, None).one()
    with pytest.raises(UsageError, match=r"没有计划“2023”，现有计划：2024、2025"):
        paths.scope(PLANS, "2023")


def test_walking_up_finds_a_folder_of_plans(tmp_path: Path, plans: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    chosen = paths.choose_data_dir(None, None, tmp_path / "docs", None)
    assert chosen == paths.DataChoice(plans, "向上查找")


@pytest.mark.parametrize("name", ["../x", "2025/a", "", "计划", "-x"])
def test_plan_names_are_plain_folder_names(name: str) -> None:
    with pytest.raises(UsageError, match="计划名称"):
        paths.plan_name(name)


# --- validate -------------------------------------------------------------------------------


def test_validate_checks_every_plan(gk) -> None:
    result = gk("validate", data=PLANS)
    assert result.exit_code == 0, result.output
    assert "计划 2024：数据有效：75 项任务" in result.stdout
    assert "计划 2025：数据有效：3 项任务" in result.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_validate_names_a_one_way_link(gk, plans: Path) -> None:
    _edit(plans / "2024" / "tasks.yaml", '    carried_to: {plan: "2025", id: 2}\n', "")
    result = gk("validate", data=plans)
    assert result.exit_code == 1
    line = next(
        i
        for i, text in enumerate((plans / "2025" / "tasks.yaml").read_text().splitlines(), 1)
        if "id: 31}" in text
    )
    assert (
        f"2025/tasks.yaml:{line}:19: 任务 2 的来源（carried_from） 2024#31："
        '那一项的去向（carried_to）没有写，应为 {plan: "2025", id: 2}，两处须互相指向'
    ) in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '{plan: "2024", id: 31}',
            '{plan: "2023", id: 31}',
            "数据目录中没有计划“2023”（其他计划：2024）",
        ),
        ('{plan: "2024", id: 31}', '{plan: "2024", id: 99}', "计划 2024 中没有序号为 99 的任务"),
        ('{plan: "2024", id: 31}', '{plan: "2025", id: 1}', "不能指向本计划"),
    ],
)
def test_validate_names_a_link_that_leads_nowhere(
    gk, plans: Path, old: str, new: str, message: str
) -> None:
    _edit(plans / "2025" / "tasks.yaml", old, new)
    result = gk("validate", data=plans)
    assert result.exit_code == 1
    assert message in result.stdout


def test_a_plan_folder_may_not_hold_its_own_units(gk, plans: Path) -> None:
    shutil.copy(plans / "units.yaml", plans / "2025" / "units.yaml")
    result = gk("validate", data=plans)
    assert result.exit_code == 1
    assert "2025/units.yaml:1:1: 多个计划共用一份单位名录" in result.stdout


# --- due across plans -----------------------------------------------------------------------


def test_due_lists_every_running_plan_marked(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", DAY, data=PLANS)
    assert result.exit_code == 0, result.output
    out = result.stdout
    # 2025's own task, and 2024's late work (an approved extension into 2025).
    assert "2025#3" in out and "2024#8" in out
    # 2024 has ended: its other open tasks (31 was overdue) drop out of the view.
    assert "2024#31" not in out and "逾期1" not in out


def test_due_all_shows_the_carried_tasks_with_their_origin(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", DAY, "--all", "--limit", "0", data=PLANS)
    out = result.stdout
    assert "2025#2" in out and "承接 2024#31" in out
    assert "2025#1" in out and "承接 2024#11" in out


def test_plan_narrows_due_to_one_plan_ended_or_not(gk) -> None:
    result = gk("due", "--unit", "区经委", "--as-of", DAY, "--plan", "2024", data=PLANS)
    assert "2024#60" in result.stdout  # an ended plan, named: everything it holds
    assert re.search(r"^ *2025#", result.stdout, re.M) is None  # rows of 2025: none


def test_due_json_and_csv_say_each_tasks_plan(gk) -> None:
    data = json.loads(
        gk("due", "--unit", "区经委", "--as-of", DAY, "--format", "json", data=PLANS).stdout
    )
    assert [(t["plan"], t["id"]) for t in data["tasks"]] == [("2025", 3), ("2024", 8)]
    csv = gk("due", "--unit", "区经委", "--as-of", DAY, "--format", "csv", data=PLANS).stdout
    rows = csv.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("plan,id,")
    assert [r.split(",")[:2] for r in rows[1:]] == [["2025", "3"], ["2024", "8"]]


def test_due_summary_counts_only_running_plans(gk) -> None:
    data = json.loads(gk("due", "--as-of", DAY, "--format", "json", data=PLANS).stdout)
    row = next(r for r in data["units"] if r["unit"] == "区经委")
    # 2025's three tasks (2024 ended): 3 named directly, none of 2024's 71 overdue.
    assert (row["total"], row["overdue"]) == (3, 0)


# --- show -----------------------------------------------------------------------------------


def test_show_links_both_ways(gk) -> None:
    old = gk("show", "31", "--plan", "2024", "--as-of", DAY, data=PLANS)
    new = gk("show", "2", "--plan", "2025", "--as-of", DAY, data=PLANS)
    assert "2024#31" in old.stdout and "已转入    计划 2025 第 2 项（2025#2）" in old.stdout
    assert "2025#2" in new.stdout and "承接自    计划 2024 第 31 项（2024#31）" in new.stdout
    record = json.loads(
        gk("show", "2", "--plan", "2025", "--format", "json", "--as-of", DAY, data=PLANS).stdout
    )["task"]
    assert record["plan"] == "2025"
    assert record["carried_from"] == {"plan": "2024", "id": 31}


def test_show_without_plan_is_a_usage_error(gk) -> None:
    result = gk("show", "2", "--as-of", DAY, data=PLANS)
    assert result.exit_code == 2
    assert "请用 --plan 指定" in result.stderr


# --- plan new, plan list --------------------------------------------------------------------


def test_plan_new_starts_an_empty_plan_that_validates(gk, plans: Path) -> None:
    args = ["--title", "2026年测试计划", "--number", "测试〔2026〕1号"]
    args += ["--issuer", "上海市金山区人民政府办公室", "--published", "2026-03-01"]
    result = gk("plan", "new", "2026", *args, data=plans)
    assert result.exit_code == 0, result.output
    assert (plans / "2026" / "tasks.yaml").is_file()
    assert gk("validate", data=plans).exit_code == 0
    again = gk("plan", "new", "2026", *args, data=plans)
    assert again.exit_code == 2 and "已存在" in again.stderr
    listed = json.loads(gk("plan", "list", "--as-of", DAY, "--format", "json", data=plans).stdout)
    assert [(p["plan"], p["year"], p["ended"]) for p in listed["plans"]] == [
        ("2024", 2024, True),
        ("2025", 2025, False),
        ("2026", 2026, False),
    ]


def test_plan_new_needs_the_document_facts(gk, plans: Path) -> None:
    result = gk("plan", "new", "2026", "--title", "x", data=plans)
    assert result.exit_code == 2
    assert "--number、--issuer、--published" in result.stderr
    assert not (plans / "2026").exists()


def test_plan_new_from_a_table_reads_the_shared_units(gk, plans: Path, tmp_path: Path) -> None:
    # A plan folder may not hold a units.yaml of its own: the closing advice must not ask
    # for a copy there (it once did, and validate then refused the copy).
    table = tmp_path / "table.xlsx"
    exported = gk(
        "export", "-f", "xlsx", "-o", str(table), "--plan", "2024", "--as-of", DAY, data=plans
    )
    assert exported.exit_code == 0, exported.output
    result = gk("plan", "new", "2026", "--from", str(table), "--year", "2026", data=plans)
    assert result.exit_code == 0, result.output
    assert "复制为" not in result.stderr and "--copy-units" not in result.stderr
    assert "计划可以通过校验。可运行 gkctl validate --data" in result.stderr
    assert not (plans / "2026" / "units.yaml").exists()
    assert gk("validate", data=plans).exit_code == 0


def test_plan_new_in_a_one_plan_folder_says_how_to_move(gk, data_copy: Path) -> None:
    result = gk("plan", "new", "2025", data=data_copy)
    assert result.exit_code == 2
    assert "git mv data/tasks.yaml plans/2024/tasks.yaml" in result.stderr


# --- carry ----------------------------------------------------------------------------------


def test_carry_lists_open_tasks_without_ids(gk, plans: Path) -> None:
    before = _bytes(plans)
    result = gk("carry", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 0
    # 75 tasks, none done; 11 and 31 went already.
    assert "计划 2024 截至 2025-03-01 有 73 项未完成的任务可转入 2025" in result.stderr
    assert _bytes(plans) == before


def test_carry_dry_run_writes_nothing(gk, plans: Path) -> None:
    before = _bytes(plans)
    result = gk(
        "carry", "28", "--from", "2024", "--to", "2025", "--dry-run", "--as-of", DAY, data=plans
    )
    assert result.exit_code == 0, result.output
    assert "将转入 1 项：2024#28 → 2025#4" in result.stdout
    assert 'carried_from: {plan: "2024", id: 28}' in result.stdout
    assert 'carried_to: {plan: "2025", id: 4}' in result.stdout
    assert _bytes(plans) == before


def test_carry_writes_both_plans_linked(gk, plans: Path) -> None:
    result = gk("carry", "28", "60", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.output
    assert "已转入 2 项：2024#28 → 2025#4，2024#60 → 2025#5" in result.stdout
    assert gk("validate", data=plans).exit_code == 0
    shown = gk("show", "60", "--plan", "2024", "--as-of", DAY, data=plans).stdout
    assert "已转入    计划 2025 第 5 项（2025#5）" in shown
    record = json.loads(
        gk("show", "5", "--plan", "2025", "--format", "json", "--as-of", DAY, data=plans).stdout
    )["task"]
    assert record["carried_from"] == {"plan": "2024", "id": 60}
    assert record["deadline"]["due"] == "2025-08-31"  # 8月底前, read in the new year
    assert record["progress"] == [] and record["extensions"] == []


def test_carry_is_all_or_none_across_the_two_files(gk, plans: Path) -> None:
    old = plans / "2024" / "tasks.yaml"
    before = _bytes(plans)
    old.chmod(0o444)  # the second file cannot be written: the first is put back
    try:
        result = gk("carry", "28", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    finally:
        old.chmod(0o644)
    assert result.exit_code == 1
    assert "两个计划都未改动，没有任务被转入" in result.stderr
    assert _bytes(plans) == before


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["31"], "任务 31 已转入 2025#2，不能再转"),
        (["99"], "没有序号为 99 的任务"),
    ],
)
def test_carry_refuses(gk, plans: Path, ids: list[str], message: str) -> None:
    before = _bytes(plans)
    result = gk("carry", *ids, "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 2
    assert message in result.stderr
    assert _bytes(plans) == before


def test_carry_refuses_a_done_task(gk, plans: Path) -> None:
    done = gk(
        "progress", "add", "2", "--unit", "区经委", "--status", "done", "--date", "2024-11-20",
        "--plan", "2024", data=plans, env={"GKCTL_TODAY": DAY},
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = gk("carry", "2", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 2
    assert "任务 2 截至 2025-03-01 已完成" in result.stderr


def test_carry_completes_a_carry_cut_short(gk, plans: Path) -> None:
    """A crash between the two replaces leaves the new task without its old end's link:
    the same carry again writes only the missing `carried_to`."""
    _edit(plans / "2024" / "tasks.yaml", '    carried_to: {plan: "2025", id: 2}\n', "")
    assert gk("validate", data=plans).exit_code == 1
    result = gk("carry", "31", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.output
    assert "2024#31 → 2025#2" in result.stdout
    assert gk("validate", data=plans).exit_code == 0
    assert (plans / "2025" / "tasks.yaml").read_text().count("id: 31}") == 1


def test_the_diff_tells_the_carry(gk, plans: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    shutil.copytree(plans / "2024", base)
    shutil.copy(plans / "units.yaml", base / "units.yaml")
    gk("carry", "28", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    result = gk("diff", str(base), str(plans / "2024"), "--as-of", DAY, "--format", "json")
    task = json.loads(result.stdout)["tasks"][0]
    assert task["id"] == 28
    assert task["changes"] == [{"field": "carried_to", "before": None, "after": "2025#4"}]


# --- site -----------------------------------------------------------------------------------


def test_site_has_an_index_of_plans_and_links_carried_tasks(gk, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = gk("site", "--as-of", DAY, "-o", str(out), data=PLANS)
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2024/index.html"' in index and 'href="2025/index.html"' in index
    new = (out / "2025" / "tasks" / "2.html").read_text(encoding="utf-8")
    old = (out / "2024" / "tasks" / "31.html").read_text(encoding="utf-8")
    assert '<a href="../../2024/tasks/31.html">计划 2024 第 31 项（2024#31）</a>' in new
    assert '<a href="../../2025/tasks/2.html">计划 2025 第 2 项（2025#2）</a>' in old
    for page in (out / "2025" / "tasks" / "2.html", out / "2024" / "tasks" / "31.html"):
        for link in ("../../2024/tasks/31.html", "../../2025/tasks/2.html"):
            assert (page.parent / link).resolve().is_file()


def test_site_of_plans_removes_only_what_it_wrote(gk, tmp_path: Path) -> None:
    """Issue 22, item 2 across plans: one manifest for the whole folder; a plan gone from
    the folder of plans takes its pages along, a hand-placed file in a plan's folder stays."""
    plans = tmp_path / "plans"
    shutil.copytree(PLANS, plans)
    out = tmp_path / "site"
    assert gk("site", "--as-of", DAY, "-o", str(out), data=plans).exit_code == 0
    (out / "2024" / "units" / "notes.html").write_text("mine", encoding="utf-8")
    shutil.rmtree(plans / "2025")
    result = gk("site", "--as-of", DAY, "-o", str(out), data=plans)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("；删除上次生成、这次已没有的 45 个文件。\n")
    assert sorted(os.listdir(out)) == [".gkctl-manifest.json", "2024", "index.html", "site.css"]
    assert (out / "2024" / "units" / "notes.html").read_text(encoding="utf-8") == "mine"
    assert (out / "2024" / "tasks" / "31.html").is_file()


def test_validate_all_plans_checks_a_folder_of_plans_and_its_links(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI's validate --all-plans finds the plans of plans/ (git tracks their tasks.yaml),
    checks each with the shared units.yaml, and the carry links between them."""
    import subprocess

    root = tmp_path / "repo"
    shutil.copytree(PLANS, root / "plans")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    result = gk("validate", "--all-plans", data=None)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "plans/2024：数据有效：75 项任务" in result.stdout
    assert "plans/2025：数据有效：3 项任务" in result.stdout
    _edit(root / "plans" / "2024" / "tasks.yaml", '    carried_to: {plan: "2025", id: 2}\n', "")
    broken = gk("validate", "--all-plans", data=None)
    assert broken.exit_code == 1
    assert "plans/2025/tasks.yaml:" in broken.stdout and "两处须互相指向" in broken.stdout


# --- stats and review: each plan's answer -------------------------------------------------


@pytest.mark.parametrize("command", [["stats"], ["stats", "--trend"], ["review"]])
def test_stats_and_review_answer_for_each_plan(gk, command: list[str]) -> None:
    """Without --plan, each plan's own answer under its name; each equals what --plan
    gives for that plan alone."""
    both = json.loads(gk(*command, "--as-of", DAY, "--format", "json", data=PLANS).stdout)
    assert list(both) == ["version", "as_of", "plans"]
    assert [p["plan"] for p in both["plans"]] == ["2024", "2025"]
    for answer in both["plans"]:
        alone = json.loads(
            gk(
                *command, "--as-of", DAY, "--plan", answer["plan"], "--format", "json", data=PLANS
            ).stdout
        )
        assert {"plan": answer["plan"], **alone} == {"version": 1, "as_of": DAY, **answer}
    table = gk(*command, "--as-of", DAY, data=PLANS).stdout
    assert "━━ 计划 2024：2024年金山区政务公开工作要点（本计划已于2024年12月31日结束）" in table
    assert "━━ 计划 2025：2025年金山区政务公开工作要点（测试用）\n" in table


def test_stats_csv_says_each_rows_plan(gk) -> None:
    text = gk("stats", "--as-of", DAY, "--format", "csv", data=PLANS).stdout
    rows = text.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("plan,scope,name,")
    alone = gk("stats", "--as-of", DAY, "--plan", "2025", "--format", "csv", data=PLANS).stdout
    assert [r for r in rows[1:] if r.startswith("2025,")] == [
        "2025," + r for r in alone.lstrip("\ufeff").splitlines()[1:]
    ]


def test_report_across_plans_is_each_plans_report(gk, tmp_path: Path) -> None:
    both = gk("report", "-t", "unit", "--unit", "区经委", "--as-of", DAY, data=PLANS).stdout
    alone = [
        gk(
            "report", "-t", "unit", "--unit", "区经委", "--as-of", DAY, "--plan", name, data=PLANS
        ).stdout
        for name in ("2024", "2025")
    ]
    assert both == "\n---\n\n".join(alone)
    assert "（已转入 2025#2）" in alone[0] and "（承接 2024#31）" in alone[1]
    word = gk("report", "--as-of", DAY, "-f", "docx", "-o", str(tmp_path / "x.docx"), data=PLANS)
    assert word.exit_code == 2 and "请用 --plan 指定" in word.stderr


def test_diff_against_a_revision_reads_the_shared_units(
    gk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pull request's view: a carry, compared with the committed plan (git reads
    plans/2024/tasks.yaml at the revision and the units.yaml above it)."""
    import subprocess

    root = tmp_path / "repo"
    shutil.copytree(PLANS, root / "plans")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "plans"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    monkeypatch.chdir(root)
    assert (
        gk("carry", "28", "--from", "2024", "--to", "2025", "--as-of", DAY, data=None).exit_code
        == 0
    )
    old = json.loads(
        gk("diff", "HEAD", "--plan", "2024", "--as-of", DAY, "-f", "json", data=None).stdout
    )
    assert old["base"]["units_file"] == "HEAD:plans/units.yaml"
    assert [(t["id"], t["changes"][0]["after"]) for t in old["tasks"]] == [(28, "2025#4")]
    new = json.loads(
        gk("diff", "HEAD", "--plan", "2025", "--as-of", DAY, "-f", "json", data=None).stdout
    )
    assert [(t["id"], t["change"]) for t in new["tasks"]] == [(4, "added")]
    assert new["tasks"][0]["changes"] == [
        {"field": "carried_from", "before": None, "after": "2024#28"}
    ]


def test_carry_keeps_each_files_line_endings(gk, plans: Path) -> None:
    old, new = plans / "2024" / "tasks.yaml", plans / "2025" / "tasks.yaml"
    old.write_bytes(old.read_bytes().replace(b"\n", b"\r\n"))  # Windows
    new.write_bytes(new.read_bytes().replace(b"\n", b"\r"))  # old Mac: CR alone
    result = gk("carry", "28", "--from", "2024", "--to", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.output
    assert (
        b"\n" not in new.read_bytes()
        and b'carried_from: {plan: "2024", id: 28}\r' in new.read_bytes()
    )
    assert old.read_bytes().count(b"\n") == old.read_bytes().count(b"\r\n")
    assert b'carried_to: {plan: "2025", id: 4}\r\n' in old.read_bytes()
    assert gk("validate", data=plans).exit_code == 0


# --- a unit renamed in a reorganisation ---------------------------------------------------


def _rename(plans: Path, former: bool) -> None:
    """区经委 becomes 区经信委 (a made-up reorganisation); 2025's own task uses the new
    name, 2024 and the tasks carried from it keep the old one."""
    entry = "  - name: 区经委\n    kind: department\n    aliases: [经委]\n"
    renamed = "  - name: 区经信委\n    kind: department\n    aliases: [经信委]\n"
    _edit(plans / "units.yaml", entry, renamed + ("    former: [区经委]\n" if former else ""))
    _edit(plans / "2025" / "tasks.yaml", "units: [区经委, 区发改委]", "units: [区经信委, 区发改委]")


def test_a_former_name_in_an_earlier_plan_reads_as_the_renamed_unit(gk, plans: Path) -> None:
    _rename(plans, former=True)
    assert gk("validate", data=plans).exit_code == 0
    # Asked by either name, the unit sees both plans' tasks, its 2024 extension included.
    for name in ("区经信委", "区经委"):
        data = json.loads(
            gk("due", "--unit", name, "--as-of", DAY, "--format", "json", data=plans).stdout
        )
        assert data["unit"] == "区经信委"
        assert [(t["plan"], t["id"]) for t in data["tasks"]] == [("2025", 3), ("2024", 8)]
    shown = gk("show", "8", "--plan", "2024", "--as-of", DAY, data=plans).stdout
    assert "区经信委、区市场监管局" in shown and "区经委" not in shown
    done = gk(
        "progress", "add", "2", "--unit", "区经委", "--status", "doing", "--date", "2024-11-20",
        "--plan", "2024", data=plans, env={"GKCTL_TODAY": DAY},
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "unit: 区经信委" in done.stdout
    assert gk("validate", data=plans).exit_code == 0


def test_without_former_the_old_name_is_an_unknown_unit(gk, plans: Path) -> None:
    _rename(plans, former=False)
    result = gk("validate", data=plans)
    assert result.exit_code == 1
    assert "未知责任单位“区经委”" in result.stdout


def test_a_folder_of_one_plan_needs_no_plan_option(gk, tmp_path: Path) -> None:
    # The first year of an office on the plans layout: one plan, so nothing to choose.
    folder = tmp_path / "plans"
    (folder / "2024").mkdir(parents=True)
    shutil.copy(DATA / "units.yaml", folder / "units.yaml")
    shutil.copy(DATA / "tasks.yaml", folder / "2024" / "tasks.yaml")
    year = gk("report", "-t", "year", "--as-of", "2025-01-15", data=folder)
    assert year.exit_code == 0, year.output
    assert year.stdout.startswith("# 2024年金山区政务公开工作要点 年终回头看")
    word = gk("report", "--as-of", DAY, "-f", "docx", "-o", str(tmp_path / "x.docx"), data=folder)
    assert word.exit_code == 0, word.output
