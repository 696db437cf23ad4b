"""The 填报表 loop: `gkctl form` writes a unit's sheet; a person fills it in (here with
openpyxl, the way people do: typed dates in each style, a hand-typed drop-down value, an
extra column, rows re-sorted or deleted); `gkctl progress import` takes it back."""

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gkctl.exchange import form
from gkctl.exchange.form_read import parse_date
from gkctl.store import loader
from tests.conftest import DATA
from tests.test_progress import git_diff

TODAY = {"GKCTL_TODAY": "2024-10-20"}
AS_OF = "2024-10-15"
FORM = "区经委-填报表.xlsx"
Run = Callable[..., Any]
# The office's key, made by the first form of a data folder (here: the tests' copy).
KEY_MADE = (
    "已生成填报表密钥 data/.gkctl-form-key：导入填报表时用它核对签名。请留在本机并备份，"
    "不要提交到 git，不要发给单位（见 README“单位填报表”）。\n"
)


@pytest.fixture
def made(gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """区经委's form as of 2024-10-15, in the current folder (messages name it as typed)."""
    monkeypatch.chdir(tmp_path)
    result = gk("form", "--unit", "经委", "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{KEY_MADE}已写出 {FORM}：区经委 的 43 项任务，状态截至 2024-10-15。\n"
    )
    return tmp_path / FORM


def test_form_cells_styled_by_column(made: Path) -> None:
    """The plan's columns are grey and locked, the unit's are white and open, dates are
    dates on every row (the styles are set once per column and copied)."""
    ws = load_workbook(made)[form.SHEET]
    rows = list(ws.iter_rows(min_row=form.HEADER_ROW + 1))
    assert len(rows) == 43
    locked = len(form.LOCKED)
    dated = {form.HEADER.index(label) for label in ("截止日期", "完成日期", "申请延期至")}
    for row in rows:
        for j, cell in enumerate(row):
            assert (cell.font.name, cell.font.sz) == ("宋体", 10)
            assert cell.border.top.style == "thin"
            assert cell.protection.locked == (j < locked), (cell.coordinate, j)
            assert cell.fill.fgColor.rgb == ("00EDEDED" if j < locked else "00000000")
            assert cell.number_format == ("yyyy-mm-dd" if j in dated else "General")
            assert cell.alignment.wrap_text


def fill(path: Path, rows: dict[int, dict[str, Any]], fill_date: Any = None) -> dict[int, int]:
    """Type values into the rows of the given tasks (by 序号 and header text), as a person
    would, and save; returns task id -> row number."""
    wb = load_workbook(path)
    ws = wb[form.SHEET]
    header = next(r for r in ws.iter_rows() if [c.value for c in r][:2] == ["序号", "任务名称"])
    cols = {c.value: c.column for c in header if c.value}
    where = {}
    for row in ws.iter_rows(min_row=header[0].row + 1):
        task_id = row[cols["序号"] - 1].value
        if task_id in rows:
            where[task_id] = row[0].row
            for label, value in rows[task_id].items():
                ws.cell(row[0].row, cols[label]).value = value
    if fill_date is not None:
        ws[form.FILL_DATE_CELL] = fill_date
    wb.save(path)
    return where


def read_plan(data: Path) -> Any:
    dataset, problems = loader.check_bytes(
        (data / "tasks.yaml").read_bytes(), (data / "units.yaml").read_bytes(), "t", "u"
    )
    assert not problems and dataset is not None
    return dataset.plan


FILLED = {
    28: {"完成情况": "已完成", "进展说明": "已发布年度目录", "完成日期": "2024-10-15",
         "佐证链接": "https://www.example.gov.cn/28.html"},
    31: {"完成情况": "推进中", "进展说明": "平台联调中", "申请延期至": "2024/11/30",
         "延期理由": "等待市级平台上线"},
    2: {"完成情况": "推进中", "进展说明": "持续发布产业信息", "完成日期": "２０２４年１０月１８日"},
    72: {"完成情况": "已完成", "进展说明": "整改方案已报送", "完成日期": datetime(2024, 10, 12)},
    73: {"完成情况": "已完成", "完成日期": "2024.10.16"},
}  # fmt: skip


def test_form_round_trip_adds_only_lines(gk: Run, data_copy: Path, made: Path) -> None:
    before = made.parent / "before.yaml"
    shutil.copy(data_copy / "tasks.yaml", before)
    fill(made, FILLED, fill_date="2024-10-19")
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{FORM}（区经委，截至 2024-10-15）：进展 5 条、延期申请 1 条；38 行未填写。",
        "已写入 data/tasks.yaml：新增 6 条记录。"
        "可用 git diff 查看，提交合并请求后由区政府办公室审阅。",
    ]
    changed = git_diff(before, data_copy / "tasks.yaml")
    assert changed and all(line.startswith("+") for line in changed)
    plan = read_plan(data_copy)
    p28 = plan.require(28).progress
    assert [(p.date, p.unit, p.status.value, p.note, p.link) for p in p28] == [
        (
            date(2024, 10, 15),
            "区经委",
            "done",
            "已发布年度目录",
            "https://www.example.gov.cn/28.html",
        )
    ]
    assert [(p.date, p.status.value) for p in plan.require(2).progress] == [
        (date(2024, 10, 18), "doing")
    ]
    assert plan.require(72).progress[0].date == date(2024, 10, 12)
    assert plan.require(73).progress[0].date == date(2024, 10, 16)
    # 推进中 without 完成日期: the day the form says it was filled in.
    assert plan.require(31).progress[0].date == date(2024, 10, 19)
    ext = plan.require(31).extensions
    assert [(e.date, e.unit, e.to, e.reason, e.decision.value) for e in ext] == [
        (date(2024, 10, 19), "区经委", date(2024, 11, 30), "等待市级平台上线", "requested")
    ]

    # The same form again: nothing added, the file byte for byte as it was.
    after = (data_copy / "tasks.yaml").read_bytes()
    again = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"{FORM}（区经委，截至 2024-10-15）：进展 0 条、延期申请 0 条；6 条已记录过，未重复写入；38 行未填写。",
        "没有新内容：表中的进展和延期申请都已记录过，data/tasks.yaml 未改动。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == after


def test_dry_run_shows_the_lines_and_writes_nothing(gk: Run, data_copy: Path, made: Path) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    fill(made, {28: FILLED[28]})
    result = gk("progress", "import", FORM, "--dry-run", data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert "未写入（--dry-run）" in result.stdout
    assert (
        "  任务 28（进展）：\n    progress:\n      - date: 2024-10-15\n        unit: 区经委\n"
        in result.stdout
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (datetime(2024, 10, 20), date(2024, 10, 20)),
        (date(2024, 10, 20), date(2024, 10, 20)),
        ("2024-10-20", date(2024, 10, 20)),
        ("2024/10/20", date(2024, 10, 20)),
        ("2024.10.20", date(2024, 10, 20)),
        ("2024年10月20日", date(2024, 10, 20)),
        ("2024 年 10 月 20 日", date(2024, 10, 20)),
        ("２０２４年１０月２０日", date(2024, 10, 20)),
        ("２０２４－１０－２０", date(2024, 10, 20)),
        ("2024-10-20 00:00:00", date(2024, 10, 20)),
        ("2024-1-5", date(2024, 1, 5)),
        ("20241020", date(2024, 10, 20)),
        (45585, date(2024, 10, 20)),  # an Excel date that lost its format
        ("2024-13-01", None),
        ("2024-02-30", None),
        ("10月20日", None),
        ("下周", None),
        (3.5, None),
    ],
)
def test_dates_as_offices_type_them(typed: Any, expected: date | None) -> None:
    assert parse_date(typed) == expected


def test_problems_name_the_cell_and_nothing_is_written(
    gk: Run, data_copy: Path, made: Path
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(
        made,
        {
            28: {"完成情况": "已完成", "完成日期": "2024-13-01"},
            31: {"完成情况": "好了"},
            2: {"进展说明": "写了说明，没选完成情况"},
            72: {"完成情况": "推进中", "佐证链接": "www.example.gov.cn"},
            73: {"申请延期至": "2024-11-30"},
            8: {"完成情况": "完成", "完成日期": "2024-10-16"},  # typed by hand: fine
        },
    )
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    r = rows
    assert result.stderr.splitlines() == [
        f"{FORM}!J{r[2]}：填了进展，请在完成情况中选“已完成”或“推进中”".replace(
            f"J{r[2]}", f"H{r[2]}"
        ),
        f"{FORM}!J{r[28]}：完成日期“2024-13-01”无效，请写作 2024-10-20 这样的日期",
        f"{FORM}!H{r[31]}：完成情况“好了”无法识别，请选“已完成”或“推进中”",
        f"{FORM}!K{r[72]}：佐证链接“www.example.gov.cn”不是网址，应以 http:// 或 https:// 开头",
        f"{FORM}!M{r[73]}：填了申请延期至，请写明延期理由",
        "未导入：共 5 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_checks_of_progress_add_and_extend_name_the_cell(
    gk: Run, data_copy: Path, made: Path
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(
        made,
        {
            28: {"完成情况": "已完成", "完成日期": "2024-10-25"},  # after today
            31: {"申请延期至": "2024-10-01", "延期理由": "来不及"},  # not later
            60: {"申请延期至": "2024-11-30", "延期理由": "补报"},  # overdue: needs --late
            2: {"完成情况": "推进中", "进展说明": "正常"},  # fine, but all or none
        },
        fill_date="2024-10-19",
    )
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{FORM}!J{rows[28]}：进展日期 2024-10-25 晚于今天（2024-10-20）：只能记录已经发生的事",
        f"{FORM}!L{rows[31]}：延期至 2024-10-01 不晚于现行截止日期 2024-10-31，不是延期",
        f"{FORM}!L{rows[60]}：申请日期 2024-10-19 已过原截止日期 2024-08-31，"
        "属于逾期后申请延期；如确需登记，请加 --late",
        "未导入：共 3 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before
    fill(made, {28: {"完成日期": "2024-10-15"}, 31: {"申请延期至": None, "延期理由": None}})
    late = gk("progress", "import", FORM, "--late", data=data_copy, env=TODAY)
    assert late.exit_code == 0, late.stderr
    ext = read_plan(data_copy).require(60).extensions
    assert [(e.to, e.late) for e in ext] == [(date(2024, 11, 30), True)]


def test_text_the_loader_would_refuse_is_refused_at_its_cell(
    gk: Run, data_copy: Path, made: Path
) -> None:
    # Issue 22, item 13: a bidi override in 进展说明 reached the plan, the site and Word.
    before = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(
        made,
        {
            28: {"完成情况": "推进中", "进展说明": "理由\u202e意同"},
            31: {"申请延期至": "2024-11-30", "延期理由": "来不及\x9b2J"},
        },
        fill_date="2024-10-19",
    )
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{FORM}!I{rows[28]}：进展说明中有看不见的字符（U+202E，第 3 个字符），请删去",
        f"{FORM}!M{rows[31]}：延期理由中有控制字符（U+009B，第 4 个字符），请删去",
        "未导入：共 2 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_form_dates_before_the_plan_are_refused(gk: Run, data_copy: Path, made: Path) -> None:
    """A 完成日期, or a 填报日期 that dates a request, before the plan was published."""
    before = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(
        made,
        {
            28: {"完成情况": "已完成", "完成日期": "2015-06-01"},
            31: {"申请延期至": "2024-11-30", "延期理由": "等待市级平台上线"},
        },
        fill_date="2014-01-02",
    )
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    early = "早于计划发布日期 2024-04-10：计划发布之前不会有它的记录"
    assert result.stderr.splitlines() == [
        f"{FORM}!H{rows[28]}：进展日期 2015-06-01 {early}",
        f"{FORM}!L{rows[31]}：申请日期 2014-01-02 {early}",
        "未导入：共 2 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_a_report_that_contradicts_the_record_is_refused(
    gk: Run, data_copy: Path, made: Path
) -> None:
    fill(made, {28: FILLED[28]})
    assert gk("progress", "import", FORM, data=data_copy, env=TODAY).exit_code == 0
    recorded = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(made, {28: {"完成日期": "2024-10-16"}})
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{FORM}!H{rows[28]}：区经委 已于 2024-10-15 报告已完成（")
    assert first.endswith("与表中（2024-10-16，已发布年度目录）不同；请核对后改正表格，或手工编辑")
    assert (data_copy / "tasks.yaml").read_bytes() == recorded


def _rows(ws: Any) -> list[list[Any]]:
    return [[c.value for c in r] for r in ws.iter_rows(min_row=form.HEADER_ROW + 1)]


@pytest.mark.parametrize("change", ["extra-column", "re-sorted", "row-deleted", "blank-rows"])
def test_a_rearranged_form_still_imports(gk: Run, data_copy: Path, made: Path, change: str) -> None:
    fill(made, {28: FILLED[28], 31: FILLED[31]})
    wb = load_workbook(made)
    ws = wb[form.SHEET]
    ws.protection.sheet = False  # as a person who unprotects the sheet to tidy it up
    if change == "extra-column":
        ws.insert_cols(9)
        ws.cell(form.HEADER_ROW, 9, "备注")
        ws.cell(form.HEADER_ROW + 3, 9, "本单位自用")
    elif change == "re-sorted":
        rows = _rows(ws)
        for i, values in enumerate(reversed(rows)):
            for j, value in enumerate(values):
                ws.cell(form.HEADER_ROW + 1 + i, j + 1).value = value
    elif change == "row-deleted":
        ws.delete_rows(form.HEADER_ROW + 1, 1)  # task 2, left unfilled
    else:
        ws.insert_rows(form.HEADER_ROW + 3, 3)
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert "进展 2 条、延期申请 1 条" in result.stdout
    plan = read_plan(data_copy)
    assert plan.require(28).progress[0].note == "已发布年度目录"
    assert plan.require(31).extensions[0].to == date(2024, 11, 30)


def test_a_row_filled_twice_is_refused(gk: Run, data_copy: Path, made: Path) -> None:
    wb = load_workbook(made)
    ws = wb[form.SHEET]
    first = form.HEADER_ROW + 1
    ws.cell(first, 8, "推进中")
    for j in range(1, 8):  # a person copies row of task 2 below it
        ws.cell(first + 1, j, ws.cell(first, j).value)
    ws.cell(first + 1, 8, "已完成")
    ws.cell(first + 1, 10, "2024-10-01")
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{FORM}!A{first + 1}：任务 2 在第 {first} 行已经填过，同一任务只能填一行\n"
    )


def _edit_tasks(data: Path, old: str, new: str) -> None:
    path = data / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_forms_that_do_not_belong_are_refused(gk: Run, data_copy: Path, made: Path) -> None:
    rows = fill(made, {28: FILLED[28]})
    before = (data_copy / "tasks.yaml").read_bytes()

    def refused(*args: str) -> str:
        result = gk("progress", "import", *args, data=data_copy, env=TODAY)
        assert result.exit_code == 1, result.stdout
        return str(result.stderr)

    assert refused(FORM, "--unit", "发改委").startswith(
        f"{FORM}：这是区经委的填报表，不是区发改委的，未导入。\n"
    )
    shutil.copy(made, made.parent / "区发改委-填报表.xlsx")
    assert refused("区发改委-填报表.xlsx").startswith(
        "区发改委-填报表.xlsx：文件名写的是区发改委，表内却是区经委的填报表；"
        "请核对是哪个单位报送的（可用 --unit 指定），未导入。\n"
    )
    export = gk("export", "-o", "table.xlsx", "--as-of", AS_OF, data=data_copy)
    assert export.exit_code == 0
    assert refused("table.xlsx").startswith(
        "table.xlsx：不是 gkctl 生成的填报表（找不到表内的计划信息）。"
    )
    (made.parent / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert refused("broken.xlsx").startswith(
        "无法读取 broken.xlsx：不是有效的 Excel 文件（.xlsx）："
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before

    # The task's 时间节点 changed after the form was made.
    _edit_tasks(
        data_copy,
        "高新区]\n    deadline: 11月底前\n\n  - id: 29",
        "高新区]\n    deadline: 12月底前\n\n  - id: 29",
    )
    assert refused(FORM).startswith(
        f"{FORM}!A{rows[28]}：任务 28 在填报表生成（截至 2024-10-15）之后改过（时间节点有变化），"
        "请用新生成的填报表重新填报这一项\n"
    )
    # Another plan.
    _edit_tasks(data_copy, "number: 金府办发〔2024〕5号", "number: 金府办发〔2025〕1号")
    assert refused(FORM).startswith(
        f"{FORM}：这是《2024年金山区政务公开工作要点》（金府办发〔2024〕5号）的填报表，"
        "不是当前计划《2024年金山区政务公开工作要点》（金府办发〔2025〕1号）的，未导入。\n"
    )


def test_grey_cells_edited_or_metadata_broken(gk: Run, data_copy: Path, made: Path) -> None:
    rows = fill(made, {28: FILLED[28]})
    wb = load_workbook(made)
    ws = wb[form.SHEET]
    ws.cell(rows[28], 3, "改过的任务内容")
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{FORM}!A{rows[28]}：任务 28 这一行的灰色各列与任务原文不符（被改动过？），请核对\n"
    )
    wb = load_workbook(made)
    wb[form.META_SHEET]["B1"] = "something else"
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{FORM}：表内的计划信息（隐藏的 gkctl 工作表）已损坏，无法核对。"
    )


def test_the_form_as_written(made: Path) -> None:
    wb = load_workbook(made)
    assert wb.sheetnames == [form.SHEET, form.META_SHEET]
    ws, meta = wb[form.SHEET], wb[form.META_SHEET]
    assert meta.sheet_state == "hidden"
    values = {r[0]: r[1] for r in meta.iter_rows(values_only=True)}
    assert values["format"] == "gkctl-填报表 2" and values["unit"] == "区经委"
    assert re.fullmatch(r"[0-9a-f]{8}", values["key"]) and re.fullmatch(
        r"[0-9a-f]{64}", values["mac"]
    )
    assert values["number"] == "金府办发〔2024〕5号" and values["as_of"] == AS_OF
    assert len([k for k in values if k.startswith("task ")]) == 43
    assert [c.value for c in ws[form.HEADER_ROW]] == list(form.HEADER)
    assert ws["A1"].value == "2024年金山区政务公开工作要点 任务填报表（区经委）"
    assert ws.protection.sheet and not ws.protection.password
    first = form.HEADER_ROW + 1
    assert [ws.cell(first, j).protection.locked for j in range(1, 14)] == [True] * 7 + [False] * 6
    assert ws[form.FILL_DATE_CELL].protection.locked is False
    assert ws.freeze_panes == f"C{first}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == f"${form.HEADER_ROW}:${form.HEADER_ROW}"
    kinds = sorted((dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation)
    # Dates from the plan's publication on: what the import would refuse, Excel stops.
    (days,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    assert (days.formula1, days.formula2) == ("DATE(2024,4,10)", "DATE(2026,12,31)")
    last = first + 42
    assert kinds == [
        ("date", f"D4 J{first}:J{last} L{first}:L{last}"),
        ("list", f"H{first}:H{last}"),
    ]
    ids = [ws.cell(r, 1).value for r in range(first, last + 1)]
    assert ids[:4] == [2, 8, 9, 10] and 28 in ids and 60 in ids
    # 可能涉及: tasks of 各相关部门 are marked in the 责任单位 cell.
    row39 = ws.cell(first + ids.index(39), 4).value
    assert row39.endswith("\n" + form.POSSIBLY)


def test_each_unit_and_the_unit_option(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    result = gk(
        "form", "--each-unit", "-o", str(tmp_path / "forms"), "--as-of", AS_OF, data=data_copy
    )
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert len(files) == 40 and "区经委-填报表.xlsx" in files
    again = gk(
        "form", "--each-unit", "-o", str(tmp_path / "forms"), "--as-of", AS_OF, data=data_copy
    )
    assert again.exit_code == 2
    assert again.stderr.startswith(f"{tmp_path / 'forms'}/")
    assert again.stderr.endswith(
        ".xlsx 等 40 个文件 已存在，未覆盖（可能是单位发回、尚未导入的填报表）。"
        "要覆盖请加 --force，或用 -o 写到别处。\n"
    )
    forced = gk(
        "form",
        "--each-unit",
        "-o",
        str(tmp_path / "forms"),
        "--force",
        "--as-of",
        AS_OF,
        data=data_copy,
    )
    assert forced.exit_code == 0, forced.stderr
    both = gk("form", "--each-unit", "--unit", "经委", data=data_copy)
    assert both.exit_code == 2
    assert both.stderr == "请给出 --unit 单位，或用 --each-unit 为每个单位各生成一份。\n"
    bad = gk("form", "--unit", "经委", "-o", str(tmp_path / "x.xls"), data=data_copy)
    assert bad.exit_code == 2


def test_export_for_one_unit(gk: Run, data_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "u.xlsx"
    result = gk("export", "--unit", "经委", "-o", str(out), "--as-of", AS_OF, data=data_copy)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"已写出 {out}：区经委的 43 项任务、5 个部分，状态截至 2024-10-15。\n"
    ws = load_workbook(out).active
    assert ws["A1"].value == "2024年金山区政务公开工作要点任务分解表（区经委）"
    ids = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(ids) == 43 and 28 in ids and 1 not in ids


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_form_saved_again_by_libreoffice_still_imports(
    gk: Run, data_copy: Path, made: Path, tmp_path: Path
) -> None:
    fill(made, {28: FILLED[28], 31: FILLED[31]}, fill_date="2024-10-19")
    out = tmp_path / "lo"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(made)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    resaved = out / FORM
    # soffice exits 0 and writes nothing when it has no Calc (Debian: libreoffice-calc).
    assert resaved.exists(), f"LibreOffice wrote no {FORM}: is Calc installed?\n{done.stdout}"
    assert resaved.read_bytes() != made.read_bytes()
    wb = load_workbook(resaved)
    assert wb[form.META_SHEET].sheet_state == "hidden"
    result = gk("progress", "import", str(resaved), data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert "进展 2 条、延期申请 1 条" in result.stdout
    plan = read_plan(data_copy)
    assert plan.require(28).progress[0].link == "https://www.example.gov.cn/28.html"


def test_the_form_shows_requests_waiting_and_a_returned_report(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"GKCTL_TODAY": "2024-11-06"}
    steps = [
        ("extend", "31", "-u", "经委", "--to", "2024-11-30", "-r", "等待", "--date", "2024-10-20"),
        ("progress", "add", "28", "-u", "经委", "-s", "done", "--date", "2024-11-01"),
        ("return", "28", "-u", "经委", "--reason", "未附链接", "--date", "2024-11-05"),
    ]
    for args in steps:
        assert gk(*args, data=data_copy, env=env).exit_code == 0
    assert gk("form", "-u", "经委", "--as-of", "2024-11-06", data=data_copy).exit_code == 0
    ws = load_workbook(tmp_path / FORM)[form.SHEET]
    state = {
        ws.cell(r, 1).value: ws.cell(r, 7).value for r in range(form.HEADER_ROW + 1, ws.max_row + 1)
    }
    assert state[31] == "已逾期 逾期6天\n延期申请待批 至2024-11-30"
    assert state[28] == "即将到期 剩24天\n已退办：未附链接"
    # After 退办 the unit may report done again on its form.
    fill(
        tmp_path / FORM,
        {28: {"完成情况": "已完成", "完成日期": "2024-11-06", "佐证链接": "https://a.cn/b"}},
    )
    result = gk("progress", "import", FORM, data=data_copy, env=env)
    assert result.exit_code == 0, result.stderr
    assert "进展 1 条" in result.stdout


def test_a_form_imported_again_after_return_is_not_taken_as_recorded(
    gk: Run, data_copy: Path, made: Path
) -> None:
    """After 退办, the same form again is no longer "已记录过" (exit 0, task still returned):
    the import says the report was sent back and refuses it; a changed row is a new report."""
    rows = fill(made, {28: FILLED[28]})
    assert gk("progress", "import", FORM, data=data_copy, env=TODAY).exit_code == 0
    sent_back = gk(
        "return", "28", "-u", "经委", "--reason", "链接打不开", "--date", "2024-10-18",
        data=data_copy, env=TODAY,
    )  # fmt: skip
    assert sent_back.exit_code == 0, sent_back.stderr
    returned = (data_copy / "tasks.yaml").read_bytes()
    again = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr.splitlines() == [
        f"{FORM}!H{rows[28]}：区经委 2024-10-15 的这份完成报告已于 2024-10-18 退办"
        "（理由：链接打不开），不再记录；请单位重新填报（写明新的完成日期或进展说明）",
        "未导入：共 1 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == returned
    # A new 进展说明 (or a new date) is a new report.
    fill(made, {28: {"进展说明": "已发布年度目录，链接已更新"}})
    anew = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert anew.exit_code == 0, anew.stderr
    assert anew.stdout.startswith(f"{FORM}（区经委，截至 2024-10-15）：进展 1 条、延期申请 0 条；")
    notes = [(p.note, p.returned) for p in read_plan(data_copy).require(28).progress]
    assert notes == [
        ("已发布年度目录", date(2024, 10, 18)),
        ("已发布年度目录，链接已更新", None),
    ]


def test_several_forms_in_one_import_all_or_none(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert gk("form", "--each-unit", "-o", "forms", "--as-of", AS_OF, data=data_copy).exit_code == 0
    mine, theirs = Path("forms/区经委-填报表.xlsx"), Path("forms/区发改委-填报表.xlsx")
    fill(mine, {28: FILLED[28]})
    fill(theirs, {28: {"完成情况": "推进中", "进展说明": "目录编制中"}}, fill_date="2024-10-19")
    before = (data_copy / "tasks.yaml").read_bytes()
    bad = Path("forms/区科委-填报表.xlsx")
    rows = fill(bad, {28: {"完成情况": "已完成", "完成日期": "2024/10/32"}})
    result = gk("progress", "import", str(mine), str(theirs), str(bad), data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{bad}!J{rows[28]}：完成日期“2024/10/32”无效，请写作 2024-10-20 这样的日期"
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before
    result = gk("progress", "import", str(mine), str(theirs), data=data_copy, env=TODAY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"{mine}（区经委，截至 2024-10-15）：进展 1 条、延期申请 0 条；42 行未填写。",
        f"{theirs}（区发改委，截至 2024-10-15）：进展 1 条、延期申请 0 条；"
        f"{len(load_workbook(theirs)[form.SHEET]['A']) - form.HEADER_ROW - 1} 行未填写。",
    ]
    units = [(p.unit, p.status.value) for p in read_plan(data_copy).require(28).progress]
    assert units == [("区经委", "done"), ("区发改委", "doing")]


def _first_task(path: Path) -> int:
    ws = load_workbook(path, read_only=True)[form.SHEET]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if list(r[:2]) == ["序号", "任务名称"])
    return int(rows[header + 1][0])


def test_review_lists_the_units_that_owe_a_form_with_days(
    gk: Run, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sent = gk("form", "--each-unit", "-o", "forms", "--as-of", AS_OF, data=data_copy)
    assert sent.exit_code == 0, sent.stderr
    back = []
    for name in ("区经委", "区科委", "朱泾镇"):
        path = tmp_path / "forms" / f"{name}-填报表.xlsx"
        fill(path, {_first_task(path): {"完成情况": "推进中", "进展说明": "正在推进"}})
        back.append(str(path))
    dry = gk("progress", "import", *back, "--dry-run", data=data_copy, env=TODAY)
    assert dry.exit_code == 0, dry.stderr
    imported = gk("progress", "import", *back, data=data_copy, env=TODAY)
    assert imported.exit_code == 0, imported.stderr
    log = (data_copy / "forms-log.yaml").read_text(encoding="utf-8")
    assert log.count('event: "sent"') == 40 and log.count('event: "returned"') == 3
    assert (
        '  - {unit: "区经委", event: "returned", date: 2024-10-20, form_date: 2024-10-15}\n' in log
    )

    doc = json.loads(gk("review", "--as-of", "2024-11-05", "-f", "json", data=data_copy).stdout)
    owing = [f for f in doc["forms"] if f["returned"] is None]
    assert len(doc["forms"]) == 40 and len(owing) == 37
    assert {f["days_owing"] for f in owing} == {21} and {f["sent"] for f in owing} == {AS_OF}
    assert [(f["unit"], f["returned"]) for f in doc["forms"][37:]] == [
        ("区经委", "2024-10-20"),
        ("区科委", "2024-10-20"),
        ("朱泾镇", "2024-10-20"),
    ]
    table = gk("review", "--as-of", "2024-11-05", data=data_copy).stdout
    section = table.split("填报表未交回", 1)[1]
    assert section.startswith("（37）\n  共发出 40 份，已交回 3 份；欠得最久的在前\n")
    assert "区政府办公室  2024-10-15 发出，已 21 天未交回" in section
    assert "区经委" not in section
    # Before any form went out, review says nothing of forms.
    assert "填报表" not in gk("review", "--as-of", "2024-10-14", data=data_copy).stdout


def test_a_written_form_leaves_no_workbook_behind() -> None:
    """openpyxl's workbook is a web of reference cycles: write_form builds it with the
    collector off and collects it once saved (core.collector.collected_after), so that a
    form per unit does not leave 40 workbooks to the collector's passes over every unit's
    rows. Here the collector is off around the call, as inside a paused building."""
    import gc

    from openpyxl import Workbook

    from gkctl.store.formkey import FormKey

    dataset = loader.load(DATA)
    unit = next(u for u in dataset.directory.units if u.name == "区经委")
    sheet = form.form_layout(dataset, unit, date(2024, 10, 15))

    def workbooks() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, Workbook))

    gc.collect()
    before = workbooks()
    gc.disable()
    try:
        written = form.write_form(sheet, FormKey(b"k" * 32, "test"))
        assert not gc.isenabled(), "the collector's own state is given back"
        assert workbooks() == before
    finally:
        gc.enable()
    assert load_workbook(io.BytesIO(written))[form.SHEET]["A1"].value == sheet.title
