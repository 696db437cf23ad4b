"""A form speaks only for the unit it was made for (issue 22, item 1): its hidden sheet is
signed with the office's key (GKCTL_FORM_KEY, else data/.gkctl-form-key), which the unit
does not have; a changed unit or task list, another key, or an unsigned (old) form is
refused by file and sheet, and nothing is written."""

import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gkctl.exchange import form
from gkctl.store import atomic, formkey, loader
from tests.conftest import FIXTURES
from tests.test_form import FORM, KEY_MADE, TODAY, fill, made, read_plan  # noqa: F401

Run = Callable[..., Any]
SIGNATURE = f"{FORM}!gkctl（隐藏工作表）"
REFUSED = "未导入：共 1 处问题，tasks.yaml 未改动。请改正表格后重新导入。"


def _meta_rows(ws: Any) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}


def test_a_unit_cannot_report_for_another_by_rewriting_the_hidden_sheet(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    """The attack of the issue: 区经委's form, its hidden `unit` changed to 区国资委, a
    row for task 1 (not 区经委's) added with the task's fingerprint recomputed, as anyone
    can (an unkeyed hash of public text), and the grey cells copied from the plan."""
    task = loader.load(data_copy).plan.require(1)
    wb = load_workbook(made)
    meta = wb[form.META_SHEET]
    rows = _meta_rows(meta)
    meta.cell(rows["unit"], 2).value = "区国资委"
    meta.cell(meta.max_row + 1, 1).value = "task 1"
    meta.cell(meta.max_row, 2).value = form.fingerprint(task)
    ws = wb[form.SHEET]
    row = ws.max_row + 1
    cells = [1, task.name, task.content, "、".join(task.units), task.deadline]
    for column, value in enumerate(cells, start=1):
        ws.cell(row, column).value = value
    ws.cell(row, 8).value = "已完成"
    ws.cell(row, 10).value = "2024-10-15"
    wb.save(made.with_name("回执.xlsx"))  # a name that names no unit
    before = (data_copy / "tasks.yaml").read_bytes()
    result = gk("progress", "import", "回执.xlsx", data=data_copy, env=TODAY)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "回执.xlsx!gkctl（隐藏工作表）：表内的单位、日期或任务清单与签名不符，填报表生成后被改动过，未导入。"
        "请核对来源，并用 gkctl form 为区国资委重新生成填报表。",
        REFUSED,
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before
    assert read_plan(data_copy).require(1).progress == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [("unit", "区发改委"), ("as_of", "2024-10-16"), ("task 28", None), ("mac", "0" * 64)],
)
def test_each_signed_value_is_covered(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
    name: str,
    value: str | None,
) -> None:
    fill(made, {2: {"完成情况": "推进中", "进展说明": "正常"}})
    wb = load_workbook(made)
    meta = wb[form.META_SHEET]
    meta.cell(_meta_rows(meta)[name], 2).value = value  # None: a task taken off the list
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{SIGNATURE}：表内的单位、日期或任务清单与签名不符")


def test_a_row_for_a_task_the_form_was_not_made_with_is_refused(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    wb = load_workbook(made)
    ws = wb[form.SHEET]
    row = ws.max_row + 1
    ws.cell(row, 1).value = 1
    ws.cell(row, 8).value = "已完成"
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{FORM}!A{row}：任务 1 不在这份填报表中（灰色各列不能修改）",
        REFUSED,
    ]


def test_an_old_unsigned_form_is_refused_with_what_to_do(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    fill(made, {2: {"完成情况": "推进中", "进展说明": "正常"}})
    wb = load_workbook(made)
    meta = wb[form.META_SHEET]
    rows = _meta_rows(meta)
    meta.cell(rows["format"], 2).value = "gkctl-填报表 1"
    for name in ("key", "mac"):  # version 1 had neither
        meta.delete_rows(_meta_rows(meta)[name])
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"{FORM}：这是旧版填报表（没有签名，表内的单位和任务可以被改写），无法确认是哪个单位填报的，"
        "未导入。请用 gkctl form 为该单位重新生成填报表，请单位在新表上填写后发回。",
        REFUSED,
    ]


def test_a_form_signed_with_another_key_is_told_from_an_edited_one(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    fill(made, {2: {"完成情况": "推进中", "进展说明": "正常"}})
    made_with = formkey.find(data_copy, None)
    assert made_with is not None
    other = "b" * 64
    result = gk("progress", "import", FORM, data=data_copy, env={**TODAY, formkey.ENV: other})
    assert result.exit_code == 1
    here = formkey.FormKey(other.encode(), formkey.ENV).id
    assert result.stderr.splitlines()[0] == (
        f"{SIGNATURE}：这份填报表不是用这里的密钥（GKCTL_FORM_KEY，编号 {here}）签名的"
        f"（表内编号“{made_with.id}”），未导入。若它是在别处（如 CI）生成的，"
        "请用 GKCTL_FORM_KEY 提供生成时的密钥；否则请用 gkctl form 重新生成。"
    )
    same = gk("progress", "import", FORM, "--dry-run", data=data_copy, env=TODAY)
    assert same.exit_code == 0, same.stderr


def test_the_key_file_is_made_once_private_and_never_overwritten(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = data_copy / formkey.FILE
    first = gk("form", "-u", "经委", "-o", "a.xlsx", "--as-of", "2024-10-15", data=data_copy)
    assert first.exit_code == 0 and first.stderr.startswith(KEY_MADE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# gkctl 填报表密钥") and len(text.splitlines()[-1]) == 64
    again = gk("form", "-u", "经委", "-o", "b.xlsx", "--as-of", "2024-10-15", data=data_copy)
    assert again.exit_code == 0 and not again.stderr.startswith(KEY_MADE)
    assert path.read_text(encoding="utf-8") == text
    # Two makers at once: the second finds the name taken and leaves the first key.
    assert atomic.create_new(path, b"another\n") is False
    assert path.read_text(encoding="utf-8") == text
    assert [p.name for p in data_copy.iterdir() if p.name.startswith(formkey.FILE)] == [
        formkey.FILE
    ]


def test_the_environment_key_wins_and_no_file_is_made(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {**TODAY, formkey.ENV: "k" * 40}
    result = gk("form", "-u", "经委", "--as-of", "2024-10-15", data=data_copy, env=env)
    assert (result.exit_code, result.stderr) == (
        0,
        f"已写出 {FORM}：区经委 的 43 项任务，状态截至 2024-10-15。\n",
    )
    assert not (data_copy / formkey.FILE).exists()
    fill(tmp_path / FORM, {2: {"完成情况": "推进中", "进展说明": "正常"}})
    assert gk("progress", "import", FORM, data=data_copy, env=env).exit_code == 0
    # Without the variable there is no key here at all: said before any form is read.
    monkeypatch.delenv(formkey.ENV, raising=False)
    none = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert (none.exit_code, none.stdout) == (2, "")
    assert none.stderr == (
        f"没有填报表密钥（环境变量 GKCTL_FORM_KEY，或 {data_copy / formkey.FILE}），"
        "无法核对填报表是哪个单位的。填报表须在持有密钥的地方生成和导入（见 README“单位填报表”）。\n"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "填报表密钥 GKCTL_FORM_KEY 为空（CI 中没有配置这个 secret？），至少要 32 个字符。"),
        ("short", "填报表密钥 GKCTL_FORM_KEY 只有 5 个字符，至少要 32 个字符。"),
    ],
)
def test_an_empty_or_short_environment_key_is_refused(
    gk: Run,
    data_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {formkey.ENV: value}
    result = gk("form", "-u", "经委", "--as-of", "2024-10-15", data=data_copy, env=env)
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert not (tmp_path / FORM).exists() and not (data_copy / formkey.FILE).exists()


def test_a_folder_of_plans_has_one_key_however_the_plan_is_named(
    gk: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--data plans/2024 and --data plans --plan 2024 name one plan of one data folder:
    the form made one way imports the other way, with the one key beside units.yaml."""
    plans = tmp_path / "plans"
    shutil.copytree(FIXTURES / "plans" / "plans", plans)
    monkeypatch.chdir(tmp_path)
    written = gk("form", "-u", "经委", "--as-of", "2024-10-15", data=plans / "2024")
    assert written.exit_code == 0, written.stderr
    assert (plans / formkey.FILE).is_file() and not (plans / "2024" / formkey.FILE).exists()
    fill(tmp_path / FORM, {2: {"完成情况": "推进中", "进展说明": "正常"}})
    result = gk("progress", "import", FORM, "--plan", "2024", "--dry-run", data=plans, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert not (plans / "2024" / formkey.FILE).exists()


def test_a_damaged_key_file_is_refused_with_what_to_do(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (data_copy / formkey.FILE).write_text("# 只剩注释\n", encoding="utf-8")
    result = gk("form", "-u", "经委", "--as-of", "2024-10-15", data=data_copy)
    assert (result.exit_code, result.stderr) == (
        2,
        "填报表密钥 data/.gkctl-form-key 为空，至少要 32 个字符；可删去 .gkctl-form-key 后由 "
        "gkctl form 重新生成（已发出的填报表须重新生成）。\n",
    )
    assert not (tmp_path / FORM).exists()
    assert (data_copy / formkey.FILE).read_text(encoding="utf-8") == "# 只剩注释\n"
