"""One 填报表 across the plans of a data folder (issue 23): `gkctl form` without --plan
writes one sheet per unit over every running plan, each row marked with its plan, and
`gkctl progress import` sends each returned row to its plan's tasks.yaml, all or none.

The folder: tests/fixtures/plans (2024, ended; 2025) plus tests/fixtures/plans-yingshang
as plans/yingshang-2025, a second plan running in 2025."""

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gkctl.exchange import form
from gkctl.store import loader
from tests.conftest import FIXTURES
from tests.test_form import Run

DAY = "2025-04-01"
TODAY = {"GKCTL_TODAY": "2025-04-03"}
FORM = "区经委-填报表.xlsx"
PLANS = ("2024", "2025", "yingshang-2025")


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the three-plan folder; the working folder is tmp_path."""
    target = tmp_path / "plans"
    shutil.copytree(FIXTURES / "plans" / "plans", target)
    (target / "yingshang-2025").mkdir()
    shutil.copy(FIXTURES / "plans-yingshang" / "tasks.yaml", target / "yingshang-2025")
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture
def made(gk: Run, plans: Path, tmp_path: Path) -> Path:
    """区经委's one form over the running plans, as of 2025-04-01."""
    result = gk("form", "--unit", "经委", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"已写出 {FORM}：区经委 的 5 项任务（2 个计划），状态截至 {DAY}。"
    )
    return tmp_path / FORM


def _tasks(plans: Path) -> dict[str, bytes]:
    return {name: (plans / name / "tasks.yaml").read_bytes() for name in PLANS}


def _grid(path: Path) -> tuple[Any, dict[str, int], dict[tuple[str, int], int]]:
    """The form's sheet, its columns by header text and its rows by (plan, task id)."""
    wb = load_workbook(path)
    ws = wb[form.SHEET]
    header = next(r for r in ws.iter_rows() if r[0].value == form.PLAN)
    cols = {str(c.value): c.column for c in header if c.value}
    rows = {
        (str(r[0].value), int(r[1].value)): r[0].row
        for r in ws.iter_rows(min_row=header[0].row + 1)
        if r[1].value is not None
    }
    return wb, cols, rows


def fill(path: Path, rows: dict[tuple[str, int], dict[str, Any]], fill_date: str = "") -> None:
    wb, cols, where = _grid(path)
    ws = wb[form.SHEET]
    for key, values in rows.items():
        for label, value in values.items():
            ws.cell(where[key], cols[label]).value = value
    if fill_date:
        ws[form.FILL_DATE_CELL] = fill_date
    wb.save(path)


FILLED = {
    ("2025", 2): {"完成情况": "已完成", "进展说明": "已公开", "完成日期": "2025-04-01"},
    ("yingshang-2025", 1): {"完成情况": "推进中", "进展说明": "清单梳理中"},
}


def _import(gk: Run, plans: Path, *args: str) -> Any:
    return gk("progress", "import", FORM, *args, data=plans, env=TODAY)


# --- the form ---------------------------------------------------------------------------------


def test_the_form_holds_the_open_tasks_of_every_running_plan(
    gk: Run, plans: Path, made: Path
) -> None:
    # The cross-plan due view's selection, less what the unit has done, less the ended plan.
    due = json.loads(
        gk("due", "-u", "区经委", "--all", "--as-of", DAY, "-f", "json", data=plans).stdout
    )
    listed = {(t["plan"], t["id"]) for t in due["tasks"] if t["status"] != "done"}
    assert ("2024", 8) in listed  # late work of the ended plan: due lists it, a form cannot
    assert ("yingshang-2025", 3) not in listed  # done
    wb, cols, rows = _grid(made)
    assert list(rows) == [
        ("2025", 1),
        ("2025", 2),
        ("2025", 3),
        ("yingshang-2025", 1),
        ("yingshang-2025", 2),
    ]
    assert set(rows) == {key for key in listed if key[0] != "2024"}
    ws = wb[form.SHEET]
    assert [ws.cell(form.HEADER_ROW, j).value for j in range(1, 15)] == list(form.PLANS_HEADER)
    assert ws["A1"].value == "区经委 任务填报表（2 个计划）"
    assert ws["A2"].value == (
        "单位：区经委　　状态截至：2025年4月1日　　共 5 项（直接点名 4 项）："
        "2025 3 项、yingshang-2025 2 项\n"
        "2025：2025年金山区政务公开工作要点（测试用）；"
        "yingshang-2025：2025年金山区优化营商环境工作要点（测试用）"
    )
    row = rows["yingshang-2025", 2]
    assert ws.cell(row, cols["责任单位"]).value == "区发改委、各相关部门\n（可能涉及本单位）"
    # The hidden sheet: each row's plan, task and fingerprint, and the plans, all signed.
    meta = {r[0].value: r[1].value for r in wb[form.META_SHEET].iter_rows()}
    assert json.loads(meta["plans"]) == ["2025", "yingshang-2025"]
    assert [k for k in meta if str(k).startswith("task ")] == [
        "task 2025/1",
        "task 2025/2",
        "task 2025/3",
        "task yingshang-2025/1",
        "task yingshang-2025/2",
    ]
    assert (meta["title"], meta["number"], meta["year"], meta["unit"]) == (
        None,
        None,
        "2025",
        "区经委",
    )
    # Sent in the forms log of each plan it has rows of, not in the ended plan's.
    for name in ("2025", "yingshang-2025"):
        log = (plans / name / "forms-log.yaml").read_text(encoding="utf-8")
        assert '  - {unit: "区经委", event: "sent", date: 2025-04-01, form_date: 2025-04-01}' in log
    assert not (plans / "2024" / "forms-log.yaml").exists()


def test_each_unit_across_plans(gk: Run, plans: Path, tmp_path: Path) -> None:
    result = gk("form", "--each-unit", "-o", "forms", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert written == sorted(f"{name}-填报表.xlsx" for name in _departments(plans))
    log_2025 = (plans / "2025" / "forms-log.yaml").read_text(encoding="utf-8")
    log_ys = (plans / "yingshang-2025" / "forms-log.yaml").read_text(encoding="utf-8")
    # 区发改委 has rows in both plans (2025#3, yingshang-2025#2); every department has
    # yingshang-2025#2 and 2025#2 through 各相关部门.
    assert '{unit: "区发改委", event: "sent"' in log_2025
    assert '{unit: "区发改委", event: "sent"' in log_ys
    assert log_2025.count('event: "sent"') == log_ys.count('event: "sent"') == len(written)


def _departments(plans: Path) -> list[str]:
    """Every department: 各相关部门 (2025#2, yingshang-2025#2) reaches each, and no town
    has a task of the running plans."""
    dataset, problems = loader.check(plans / "2025")
    assert dataset is not None and not problems
    return [u.name for u in dataset.directory.units if u.kind.value == "department"]


def test_no_running_plan_no_form_across(gk: Run, plans: Path) -> None:
    result = gk("form", "--unit", "区经委", "--as-of", "2026-12-04", data=plans)
    assert result.exit_code == 2
    assert result.stderr == (
        "截至 2026-12-04，数据目录中的计划都已结束，已结束计划的任务不进跨计划的填报表"
        "（补报须写明日期）；要为其中一个计划生成，请用 --plan。\n"
    )
    assert not list(plans.rglob("forms-log.yaml"))


# --- back -------------------------------------------------------------------------------------


def test_each_row_goes_to_its_plan(gk: Run, plans: Path, made: Path) -> None:
    before = _tasks(plans)
    fill(made, FILLED, fill_date="2025-04-02")
    dry = _import(gk, plans, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines()[:3] == [
        f"{FORM}（区经委，截至 2025-04-01）：进展 2 条、延期申请 0 条；3 行未填写。",
        "未写入（--dry-run）。将在 plans/2025/tasks.yaml、plans/yingshang-2025/tasks.yaml 添加：",
        "  计划 2025 任务 2（进展）：",
    ]
    assert _tasks(plans) == before
    result = _import(gk, plans)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "已写入 plans/2025/tasks.yaml、plans/yingshang-2025/tasks.yaml：新增 2 条记录。"
        "可用 git diff 查看，提交合并请求后由区政府办公室审阅。"
    )
    after = _tasks(plans)
    assert after["2024"] == before["2024"]
    added_2025 = after["2025"].decode()
    assert (
        added_2025.replace(
            "    progress:\n      - date: 2025-04-01\n        unit: 区经委\n"
            # Filled on 04-01, imported on 04-03 (TODAY): the day it reached the office.
            "        status: done\n        note: 已公开\n        recorded: 2025-04-03\n",
            "",
            1,
        )
        == before["2025"].decode()
    )
    assert "        note: 清单梳理中\n" in after["yingshang-2025"].decode()
    assert "      - date: 2025-04-02\n" in after["yingshang-2025"].decode()
    assert after["yingshang-2025"].decode().count("        recorded: 2025-04-03\n") == 1
    # Returned in both plans' logs; review of each plan says nobody owes it.
    for name in ("2025", "yingshang-2025"):
        log = (plans / name / "forms-log.yaml").read_text(encoding="utf-8")
        assert (
            '  - {unit: "区经委", event: "returned", date: 2025-04-03, form_date: 2025-04-01}'
            in log
        )
        review = json.loads(
            gk("review", "--plan", name, "--as-of", "2025-04-05", "-f", "json", data=plans).stdout
        )
        assert review["forms"] == [
            {"unit": "区经委", "sent": DAY, "returned": "2025-04-03", "days_owing": None}
        ]
    # The same form again adds nothing.
    again = _import(gk, plans)
    assert again.exit_code == 0, again.stderr
    assert _tasks(plans) == after


def _refused(gk: Run, plans: Path, before: dict[str, bytes]) -> str:
    result = _import(gk, plans)
    assert result.exit_code == 1, result.stdout
    assert _tasks(plans) == before
    return str(result.stderr)


def test_a_row_moved_to_another_plan_is_refused(gk: Run, plans: Path, made: Path) -> None:
    fill(made, {**FILLED, ("2025", 3): {"完成情况": "推进中", "进展说明": "正常"}})
    before = _tasks(plans)
    wb, cols, rows = _grid(made)
    ws = wb[form.SHEET]
    col = cols[form.PLAN]
    where = {key: f"{FORM}!B{row}" for key, row in rows.items()}
    # 2025#2's row relabelled as yingshang-2025#2: a row of the form, but not its text.
    ws.cell(rows["2025", 2], col).value = "yingshang-2025"
    # 2025#3's row as yingshang-2025#3: a task of that plan the form was not made with.
    ws.cell(rows["2025", 3], col).value = "yingshang-2025"
    wb.save(made)
    assert _refused(gk, plans, before).splitlines()[:2] == [
        f"{where['2025', 2]}：计划 yingshang-2025 任务 2 这一行的灰色各列与任务原文不符"
        "（被改动过？），请核对",
        f"{where['2025', 3]}：计划 yingshang-2025 任务 3 不在这份填报表中（灰色各列不能修改）",
    ]
    # Into a plan the form was not made for.
    ws.cell(rows["2025", 2], col).value = "2024"
    ws.cell(rows["2025", 3], col).value = "2025"
    wb.save(made)
    assert _refused(gk, plans, before).splitlines()[0] == (
        f"{FORM}!A{rows['2025', 2]}：计划“2024”无法识别；灰色各列不能修改"
    )


@pytest.mark.parametrize(
    "edit",
    [
        {"task 2025/2": "task yingshang-2025/2"},  # a row's plan rewritten on the hidden sheet
        {"plans": '["yingshang-2025", "2025"]'},  # the plans reordered
        {"plans": '["2025"]'},  # a plan dropped
    ],
)
def test_an_edited_hidden_sheet_is_refused(
    gk: Run, plans: Path, made: Path, edit: dict[str, str]
) -> None:
    fill(made, FILLED)
    before = _tasks(plans)
    wb = load_workbook(made)
    for row in wb[form.META_SHEET].iter_rows():
        if row[0].value in edit:
            if str(row[0].value).startswith("task "):
                row[0].value = edit[str(row[0].value)]
            else:
                row[1].value = edit[str(row[0].value)]
    wb.save(made)
    assert _refused(gk, plans, before).startswith(
        f"{FORM}!gkctl（隐藏工作表）：表内的单位、日期或任务清单与签名不符，填报表生成后被改动过，未导入。"
    )


def test_one_plan_unwritable_nothing_written(gk: Run, plans: Path, made: Path) -> None:
    fill(made, FILLED)
    before = _tasks(plans)
    target = plans / "yingshang-2025" / "tasks.yaml"
    os.chmod(target, 0o444)
    try:
        result = _import(gk, plans)
    finally:
        os.chmod(target, 0o644)
    assert result.exit_code == 1
    assert result.stderr == (
        f"无法写入 {target}：文件是只读的（权限 -r--r--r--）。"
        "如确需修改，请先加上写权限（chmod u+w），原有文件未改动。\n"
    )
    assert _tasks(plans) == before
    assert '"returned"' not in (plans / "2025" / "forms-log.yaml").read_text(encoding="utf-8")


def test_one_plan_invalid_nothing_written(gk: Run, plans: Path, made: Path) -> None:
    fill(made, FILLED)
    target = plans / "yingshang-2025" / "tasks.yaml"
    target.write_bytes(
        target.read_bytes().replace(b"deadline: 6\xe6\x9c\x88", b"deadline: [6\xe6\x9c\x88")
    )
    before = _tasks(plans)
    result = _import(gk, plans)
    assert result.exit_code == 1
    assert "plans/yingshang-2025/tasks.yaml:" in result.stderr
    assert _tasks(plans) == before


def test_one_row_refused_nothing_written(gk: Run, plans: Path, made: Path) -> None:
    _, cols, rows = _grid(made)
    # Done before plan yingshang-2025 was published: refused; the 2025 row is not written.
    fill(made, {**FILLED, ("yingshang-2025", 1): {"完成情况": "已完成", "完成日期": "2025-01-05"}})
    before = _tasks(plans)
    message = _refused(gk, plans, before)
    cell = f"{chr(64 + cols['完成情况'])}{rows['yingshang-2025', 1]}"
    assert message.startswith(f"{FORM}!{cell}：进展日期 2025-01-05 早于计划发布日期 2025-02-10")


# --- one plan, as before ----------------------------------------------------------------------


def test_plan_still_makes_and_takes_one_plans_form(gk: Run, plans: Path, tmp_path: Path) -> None:
    result = gk("form", "-u", "区经委", "--plan", "2025", "--as-of", DAY, data=plans)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"已写出 {FORM}：区经委 的 3 项任务，状态截至 {DAY}。"
    )
    wb = load_workbook(tmp_path / FORM)
    ws = wb[form.SHEET]
    assert [ws.cell(form.HEADER_ROW, j).value for j in range(1, 14)] == list(form.HEADER)
    meta = {r[0].value: r[1].value for r in wb[form.META_SHEET].iter_rows()}
    assert "plans" not in meta and "task 2" in meta
    assert meta["title"] == "2025年金山区政务公开工作要点（测试用）"
    header = next(r for r in ws.iter_rows() if r[0].value == "序号")
    row = next(r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value == 2)
    cols = {c.value: c.column for c in header}
    ws.cell(row[0].row, cols["完成情况"]).value = "推进中"
    ws.cell(row[0].row, cols["进展说明"]).value = "正常"
    wb.save(tmp_path / FORM)
    before = _tasks(plans)
    # With --plan, as always; without, a one-plan form finds its plan by its document.
    for args in (["--plan", "2025", "--dry-run"], ["--dry-run"]):
        dry = _import(gk, plans, *args)
        assert dry.exit_code == 0, dry.stderr
        assert dry.stdout.splitlines()[1:3] == [
            "未写入（--dry-run）。将在 plans/2025/tasks.yaml 添加：",
            "  任务 2（进展）：",
        ]
    assert _tasks(plans) == before
    # Into another plan: refused as before.
    other = _import(gk, plans, "--plan", "yingshang-2025")
    assert other.exit_code == 1
    assert other.stderr.startswith(
        f"{FORM}：这是《2025年金山区政务公开工作要点（测试用）》（测试〔2025〕1号）的填报表，"
        "不是当前计划《2025年金山区优化营商环境工作要点（测试用）》（测试〔2025〕2号）的，未导入。\n"
    )


def test_a_form_across_plans_needs_the_folder_of_plans(gk: Run, plans: Path, made: Path) -> None:
    fill(made, FILLED)
    before = _tasks(plans)
    result = _import(gk, plans, "--plan", "2025")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{FORM}：这是跨计划的填报表（计划 2025、yingshang-2025），"
        "请在多计划数据目录中导入，且不加 --plan，未导入。\n"
    )
    shutil.rmtree(plans / "yingshang-2025")
    result = _import(gk, plans)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{FORM}：填报表中的计划 yingshang-2025 不在数据目录中（现有计划：2024、2025），未导入。\n"
    )
    assert (plans / "2025" / "tasks.yaml").read_bytes() == before["2025"]
