"""Bounded input (issue 22, item 11): a note, a reason or a link from an option or a form
cell, and a returned form's own size and rows, are refused past gkctl.core.limits, with the
place and the limit named, and nothing written."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gkctl.core import limits
from gkctl.exchange import form
from tests.test_form import FORM, TODAY, fill, made  # noqa: F401 (made is a fixture)

Run = Callable[..., Any]
LONG = "说" * (limits.TEXT_CHARS + 1)
LONG_LINK = "https://www.example.gov.cn/" + "a" * limits.LINK_CHARS
TOO_LONG = f"有 {limits.TEXT_CHARS + 1:,} 个字符，超过上限 {limits.TEXT_CHARS:,} 个字符"
LINK_TOO_LONG = f"有 {len(LONG_LINK):,} 个字符，超过上限 {limits.LINK_CHARS:,} 个字符"
HINT = "，请精简后重试（详细材料可放在网页上，附上链接）。\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["progress", "add", "2", "-u", "经委", "-s", "doing", "--note", LONG], "说明" + TOO_LONG),
        (
            ["progress", "add", "2", "-u", "经委", "-s", "done", "--link", LONG_LINK],
            "链接" + LINK_TOO_LONG,
        ),
        (["close", "2", "--note", LONG], "销号说明" + TOO_LONG),
        (
            ["extend", "31", "-u", "经委", "--to", "2024-11-30", "--reason", LONG],
            "延期理由" + TOO_LONG,
        ),
        (["approve", "31", "-u", "经委", "--note", LONG], "批准说明" + TOO_LONG),
        (["reject", "31", "-u", "经委", "--reason", LONG], "不批准的理由" + TOO_LONG),
        (["return", "28", "-u", "经委", "--reason", LONG], "退办理由" + TOO_LONG),
    ],
    ids=["progress-note", "progress-link", "close", "extend", "approve", "reject", "return"],
)
def test_a_text_option_past_the_limit_is_refused(
    gk: Run, data_copy: Path, args: list[str], message: str
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    result = gk(*args, data=data_copy, env=TODAY)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + HINT)
    assert (data_copy / "tasks.yaml").read_bytes() == before


LONG_LINE = "文" * (limits.LINE_CHARS + 1)
LINE_TOO_LONG = (
    f"有 {limits.LINE_CHARS + 1:,} 个字符，超过上限 {limits.LINE_CHARS:,} 个字符，请精简后重试。\n"
)
FACTS = {"--title": "2026年测试计划", "--number": "测试〔2026〕1号", "--issuer": "区政府办公室"}
WHAT = {
    "--title": "标题（--title）",
    "--number": "文号（--number）",
    "--issuer": "发文单位（--issuer）",
}


@pytest.mark.parametrize("option", list(FACTS))
def test_plan_new_refuses_a_document_fact_past_the_limit(
    gk: Run, tmp_path: Path, option: str
) -> None:
    """plan new wrote a 100,000-character 文号 into the new tasks.yaml (issue 22 item 11,
    re-checked: every text an option brings in is bounded)."""
    from tests.test_plans import PLANS

    plans = tmp_path / "plans"
    shutil.copytree(PLANS, plans)
    args = [a for o, v in {**FACTS, option: LONG_LINE}.items() for a in (o, v)]
    result = gk("plan", "new", "2026", *args, "--published", "2026-03-01", data=plans)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", WHAT[option] + LINE_TOO_LONG)
    assert not (plans / "2026").exists()


@pytest.mark.parametrize("option", list(FACTS))
def test_import_refuses_a_document_fact_past_the_limit(
    gk: Run, tmp_path: Path, option: str
) -> None:
    from tests.test_exchange import build_docx

    source = build_docx(tmp_path / "任务分解表.docx")
    out = tmp_path / "tasks.yaml"
    args = [option, LONG_LINE, "--published", "2024-04-10"]
    result = gk("import", str(source), "-o", str(out), *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", WHAT[option] + LINE_TOO_LONG)
    assert not out.exists()


def test_a_text_at_the_limit_is_written(gk: Run, data_copy: Path) -> None:
    at_limit = "说" * limits.TEXT_CHARS
    result = gk("progress", "add", "2", "-u", "经委", "-s", "doing", "--note", at_limit,
                data=data_copy, env=TODAY)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"note: {at_limit}\n" in (data_copy / "tasks.yaml").read_text(encoding="utf-8")


def test_form_cells_past_the_limit_are_refused_at_their_cell(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    rows = fill(
        made,
        {
            28: {"完成情况": "推进中", "进展说明": LONG},
            2: {"完成情况": "已完成", "完成日期": "2024-10-15", "佐证链接": LONG_LINK},
            31: {"申请延期至": "2024-11-30", "延期理由": LONG},
        },
    )
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{FORM}!K{rows[2]}：佐证链接{LINK_TOO_LONG}，请精简",
        f"{FORM}!I{rows[28]}：进展说明{TOO_LONG}，请精简",
        f"{FORM}!M{rows[31]}：延期理由{TOO_LONG}，请精简",
        "未导入：共 3 处问题，tasks.yaml 未改动。请改正表格后重新导入。",
    ]
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_a_form_file_past_the_size_limit_is_not_opened(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    with made.open("ab") as grown:  # the size is judged before the file is opened
        grown.write(b"\0" * limits.FORM_BYTES)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    size = made.stat().st_size / 1024 / 1024
    assert result.stderr.splitlines()[0] == (
        f"{FORM}：文件有 {size:.1f} MB，超过填报表的上限 5 MB（一份填报表通常只有几十 KB），未导入。"
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before


def test_a_form_with_rows_far_past_its_tasks_is_refused(
    gk: Run,
    data_copy: Path,
    made: Path,  # noqa: F811
) -> None:
    before = (data_copy / "tasks.yaml").read_bytes()
    wb = load_workbook(made)
    ws = wb[form.SHEET]
    most = form.HEADER_ROW + 43 + limits.FORM_EXTRA_ROWS
    ws.cell(most, 14).value = "填表人：张三"
    wb.save(made)
    fill(made, {28: {"完成情况": "推进中", "进展说明": "正常"}})
    assert gk("progress", "import", FORM, "--dry-run", data=data_copy, env=TODAY).exit_code == 0
    wb = load_workbook(made)
    wb[form.SHEET].cell(most + 1, 14).value = "联系电话"
    wb.save(made)
    result = gk("progress", "import", FORM, data=data_copy, env=TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{FORM}：工作表“填报表”有 {most + 1:,} 行，这份填报表生成时只有 43 项任务，"
        f"至多接受 {most:,} 行，未导入。"
    )
    assert (data_copy / "tasks.yaml").read_bytes() == before
