"""gkctl import / export / ics: Word and Excel tables built here like the real 任务分解表,
the round trip through both formats on the bundled plan, and the calendar parsed back."""

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.core.model import Document, Plan, Section, Task
from gkctl.exchange import table, unitcells, yaml_out
from gkctl.store import loader, yamlsrc
from tests.conftest import DATA, FIXTURES

AS_OF = "2024-10-15"
TITLE = "2024年测试区政务公开工作要点任务分解表"
HEADER = ["序号", "任务名称", "任务内容", "责任单位", "时间节点"]
MERGED = None  # the cell is merged into the one above it

# Like the attachment of the 2024 document: a section row spanning the table, a 任务名称
# merged down over three rows and wrapped, cells wrapped mid-word (汇龙湖区|域, 区市场监|管局),
# a blank 任务名称 below a name (a merge written as an empty cell), a unit typo
# (区经委员会 for 区经委) and a 时间节点 no resolver reads (待定).
ROWS: list[tuple[str | None, ...]] = [
    ("section", "一、融入中心服务大局，高质量深层次推进主动公开"),
    (
        "1",
        "围绕落实重大战略任务做好\n信息公开",
        "及时公开乐高乐园项目建设、汇龙湖区\n域连片开发等重大项目推进情况。",
        "区国资委、\n区滨海办、山阳镇",
        "全年",
    ),
    ("2", MERGED, "做好特色优势产业的信息公开。", "区经委员会", "11月底前"),
    ("3", MERGED, "做好政策的发布和解读。", "区市场监\n管局、 区科委", "待定"),
    ("section", "二、助力政策落地落实，全链条全周期优化公开服务"),
    ("4", "深化政策解读", "做好政策解读。", "各部门、街镇、高新区", "按市级部署"),
    ("5", "", "完成政策清单。", "区政府办公室", "6月底前完成初稿，11月底前完成"),
]

EXPECTED_BODY = """\
document:
  title: 2024年测试区政务公开工作要点
  number: 待填写
  issuer: 待填写
  published: 2024-04-10
  year: 2024

sections:
  - id: 一
    title: 融入中心服务大局，高质量深层次推进主动公开
  - id: 二
    title: 助力政策落地落实，全链条全周期优化公开服务

tasks:
  - id: 1
    section: 一
    name: 围绕落实重大战略任务做好信息公开
    content: 及时公开乐高乐园项目建设、汇龙湖区域连片开发等重大项目推进情况。
    units: [区国资委, 区滨海办, 山阳镇]
    deadline: 全年

  - id: 2
    section: 一
    name: 围绕落实重大战略任务做好信息公开
    content: 做好特色优势产业的信息公开。
    units: [区经委员会]
    deadline: 11月底前

  - id: 3
    section: 一
    name: 围绕落实重大战略任务做好信息公开
    content: 做好政策的发布和解读。
    units: [区市场监管局, 区科委]
    deadline: 待定

  - id: 4
    section: 二
    name: 深化政策解读
    content: 做好政策解读。
    units: [各部门, 街镇, 高新区]
    deadline: 按市级部署

  - id: 5
    section: 二
    name: 深化政策解读
    content: 完成政策清单。
    units: [区政府办公室]
    deadline: 6月底前完成初稿，11月底前完成
"""


def clean_rows() -> list[tuple[str | None, ...]]:
    """ROWS with the typo and the unreadable 时间节点 corrected."""
    out = []
    for row in ROWS:
        fixed = tuple({"区经委员会": "区经委", "待定": "10月底前"}.get(v or "", v) for v in row)
        out.append(fixed)
    return out


def build_docx(path: Path, rows=ROWS, title: str = TITLE, header=HEADER) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph(title)
    grid = document.add_table(rows=1 + len(rows), cols=len(header))
    for j, label in enumerate(header):
        grid.cell(0, j).text = label
    merges: list[tuple[int, int, int]] = []
    for i, row in enumerate(rows, start=1):
        if row[0] == "section":
            grid.cell(i, 0).merge(grid.cell(i, len(header) - 1)).text = row[1] or ""
            continue
        for j, value in enumerate(row):
            if value is MERGED:
                start = next(r for r in range(i - 1, 0, -1) if rows[r - 1][j] is not MERGED)
                merges.append((start, i, j))
                continue
            lines = value.split("\n")  # a wrapped cell: one paragraph per line, as Word keeps it
            cell = grid.cell(i, j)
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for start, end, j in merges:
        grid.cell(start, j).merge(grid.cell(end, j))
    document.save(str(path))
    return path


def build_xlsx(path: Path, rows=ROWS, title: str = TITLE, header=HEADER) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["本表由区政府办公室汇总。"])
    ws = workbook.create_sheet("任务分解表")
    ws.append([title])
    ws.append(header)
    merges = [[1, 1, 1, len(header)]]  # [first row, first column, last row, last column]
    running: dict[int, list[int]] = {}  # column -> the vertical merge it is in
    for row in rows:
        if row[0] == "section":
            ws.append([row[1]])
            merges.append([ws.max_row, 1, ws.max_row, len(header)])
            continue
        values: list[object] = [None if v is MERGED else v for v in row]
        if (row[0] or "").isdigit():
            values[0] = int(row[0] or 0)  # Excel keeps 序号 as a number
        ws.append(values)
        r = ws.max_row
        for j, value in enumerate(row, start=1):
            if value is not MERGED:
                continue
            if j in running and running[j][2] == r - 1:
                running[j][2] = r
            else:
                running[j] = [r - 1, j, r, j]
                merges.append(running[j])
    # Merged once every row is in: ws.append would start below a merged range.
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_cells(
            start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
        )
    workbook.active = 0  # the notes sheet: the reader must look further
    workbook.save(str(path))
    return path


BUILDERS = {"docx": build_docx, "xlsx": build_xlsx}


def _body(text: str) -> str:
    return text.split("\n\n", 1)[1]


def _tasks(plan: Plan) -> list[tuple[object, ...]]:
    return [(t.id, t.section, t.name, t.content, t.units, t.deadline) for t in plan.tasks]


# --- import --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_import_table_like_the_document(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"任务分解表.{fmt}")
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 1
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert _body(text) == EXPECTED_BODY
    assert text.startswith(
        f"# gkctl plan data, imported with `gkctl import` from 任务分解表.{fmt}."
    )
    err = result.stderr
    assert f"已导入 5 项任务（2 个部分）：{source} → {out}" in err
    assert "表格中没有文号 number、发文单位 issuer，已写作“待填写”" in err
    assert (
        f"有 1 个责任单位不在单位名录 {DATA / 'units.yaml'} 中，已写入 {tmp_path / 'units.review.yaml'} 供核对："
        in err
    )
    assert "  区经委员会（任务 2）：是否为“区经委”？" in err
    assert "有 1 个时间节点无法识别" in err
    assert "  任务 3：无法识别时间节点“待定”。" in err
    assert err.splitlines()[-1] == (
        f"导入的计划还不能通过校验（校验时使用的单位名录是 {DATA / 'units.yaml'}，{tmp_path} 下没有 units.yaml）："
        f"请处理上面列出的问题，把 {DATA / 'units.yaml'} 复制为 {tmp_path / 'units.yaml'}（或导入时加 --copy-units），"
        f"再运行 gkctl validate --data {tmp_path} 复查。"
    )
    review = (tmp_path / "units.review.yaml").read_text(encoding="utf-8")
    assert "  # 见任务 2；是否为“区经委”？\n  - name: 区经委员会\n    kind: department\n" in review


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_import_clean_table_validates(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", clean_rows())
    shutil.copy(DATA / "units.yaml", tmp_path / "units.yaml")
    out = tmp_path / "tasks.yaml"
    result = gk(
        "import", str(source), "-o", str(out), "--published", "2024-04-10",
        "--number", "测府办发〔2024〕1号", "--issuer", "测试区人民政府办公室",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"计划可以通过校验。可运行 gkctl validate --data {tmp_path} 复查。"
    )
    assert "待填写" not in out.read_text(encoding="utf-8")
    assert not (tmp_path / "units.review.yaml").exists()
    plan = loader.load(tmp_path).plan
    assert plan.document == Document(
        "2024年测试区政务公开工作要点", "测府办发〔2024〕1号", "测试区人民政府办公室",
        date(2024, 4, 10), 2024,
    )  # fmt: skip
    assert _tasks(plan)[1] == (
        2, "一", "围绕落实重大战略任务做好信息公开", "做好特色优势产业的信息公开。", ("区经委",),
        "11月底前",
    )  # fmt: skip
    validate = gk("validate", data=tmp_path)
    assert validate.exit_code == 0


def test_import_refuses_existing_output(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    out = tmp_path / "tasks.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 2
    assert result.stderr == f"{out} 已存在，未覆盖。要覆盖请加 --force，或用 -o 写到另一个文件。\n"
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = gk("import", str(source), "-o", str(out), "--published", "2024-04-10", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert out.read_text(encoding="utf-8").count("    section: ") == 5


def test_import_force_refuses_to_drop_a_plan_s_records(gk, tmp_path) -> None:
    # The progress fixture records progress, requests and a closing: --force alone must
    # not replace them with the table's text.
    plan = tmp_path / "plan"
    shutil.copytree(FIXTURES / "progress" / "plan", plan)
    table_file = tmp_path / "plan.xlsx"
    exported = gk("export", "-o", str(table_file), "--as-of", "2024-11-05", data=plan)
    assert exported.exit_code == 0, exported.stderr
    before = (plan / "tasks.yaml").read_bytes()
    refused = gk("import", str(table_file), "--force", data=plan)
    assert refused.exit_code == 2
    out = plan / "tasks.yaml"
    assert refused.stderr == (
        f"{out} 中记有 2 条进展、2 条延期申请、1 项销号（共 5 条记录），"
        "导入只写表格里的文字，这些记录会全部丢失，未覆盖。\n"
        "新一年的计划：导入到多计划目录中的新计划（gkctl import 表格 --data plans --plan 2025），"
        "再用 gkctl carry --from 2024 --to 2025 转入未完成的任务；\n"
        "同一计划的新版本：用 -o 写到另一个文件，gkctl diff 对比后把记录带过去；\n"
        "确要放弃这些记录（git 中仍可找回）：加 --force --discard-records。\n"
    )
    assert out.read_bytes() == before
    # The explicit flag alone does not replace a file either: --force still says so.
    alone = gk("import", str(table_file), "--discard-records", data=plan)
    assert alone.exit_code == 2 and "已存在，未覆盖" in alone.stderr
    both = gk("import", str(table_file), "--force", "--discard-records", data=plan)
    assert both.exit_code == 0, both.stderr
    assert "progress:" not in out.read_text(encoding="utf-8")


def test_import_force_refuses_a_plan_it_cannot_read(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    out = tmp_path / "tasks.yaml"
    out.write_text("tasks: [\n  - progress: {\n", encoding="utf-8")
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10", "--force")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{out} 无法按 YAML 读出，不能确认其中没有进展和销号等记录，未覆盖。\n"
    )
    assert out.read_text(encoding="utf-8") == "tasks: [\n  - progress: {\n"


def test_import_default_output_is_the_data_folder(gk, tmp_path) -> None:
    source = build_docx(tmp_path / "t.docx", clean_rows())
    result = gk("import", str(source))  # --data is the bundled folder: its tasks.yaml exists
    assert result.exit_code == 2
    assert "tasks.yaml 已存在，未覆盖" in result.stderr
    target = tmp_path / "new"
    target.mkdir()
    shutil.copy(DATA / "units.yaml", target)
    result = gk("import", str(source), "--published", "2024-04-10", data=target)
    assert result.exit_code == 0, result.stderr
    assert (target / "tasks.yaml").is_file()


def test_import_without_published_date(gk, tmp_path) -> None:
    """No 发布日期 in the table and none needed by its deadlines: the import goes through,
    validate warns (issue 28); a deadline counted from it is still refused."""
    source = build_docx(tmp_path / "t.docx", clean_rows())
    out = tmp_path / "tasks.yaml"
    shutil.copy(DATA / "units.yaml", tmp_path)
    result = gk("import", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "published:" not in text.replace("# published:", "")
    assert "表格中没有文号 number、发文单位 issuer，已写作“待填写”" in result.stderr
    assert "注意：表格上没有发布日期，document 中不写 published" in result.stderr
    checked = gk("validate", data=tmp_path)
    assert checked.exit_code == 0, checked.stderr
    assert (
        f"{out}:1:1: 警告：计划没有发布日期（document 中没有 published）：知道后写 published: YYYY-MM-DD"
        in checked.stderr
    )
    relative = text.replace("deadline: 全年", "deadline: 印发后3个月内", 1)
    assert relative != text
    out.write_text(relative, encoding="utf-8")
    refused = gk("validate", data=tmp_path)
    assert refused.exit_code == 1
    assert "没有可用的发布日期" in refused.stdout


def test_import_needs_a_year(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows(), title="测试区政务公开工作要点任务分解表")
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out))
    assert result.exit_code == 2
    assert "无法从标题“测试区政务公开工作要点”判断计划年度，请用 --year 指定" in result.stderr
    assert not out.exists()
    ok = gk("import", str(source), "-o", str(out), "--year", "2025", "--published", "2025-03-01")
    assert ok.exit_code == 0, ok.stderr
    assert "  year: 2025\n" in out.read_text(encoding="utf-8")


def test_import_without_units_file_writes_a_draft_directory(gk, tmp_path) -> None:
    """Another district adopting gkctl: its own table, no units.yaml yet."""
    exported = tmp_path / "t.xlsx"
    assert gk("export", "-o", str(exported), "--as-of", AS_OF).exit_code == 0
    target = tmp_path / "district"
    target.mkdir()
    result = gk("import", str(exported), data=target)
    assert result.exit_code == 1
    assert "单位名录中（没有找到 units.yaml）" in result.stderr
    draft = target / "units.review.yaml"
    text = draft.read_text(encoding="utf-8")
    assert "  - name: 山阳镇\n    kind: town\n" in text
    assert (
        "  - name: 各相关部门\n    meaning: 待填写\n    members: [department]\n    relevant: true\n"
        in text
    )
    draft.rename(target / "units.yaml")
    assert gk("validate", data=target).exit_code == 0


def test_import_creates_the_output_folder(gk, tmp_path) -> None:
    """The folder is made (parents too); the closing line says which units.yaml was used
    and how to make gkctl validate --data new check the same thing."""
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    new = tmp_path / "a" / "new"
    out = new / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    assert out.is_file()
    units = DATA / "units.yaml"
    assert result.stderr.splitlines() == [
        f"已新建目录 {new}。",
        f"已导入 5 项任务（2 个部分）：{source} → {out}",
        "注意：表格中没有文号 number、发文单位 issuer，已写作“待填写”，"
        f"请在 {out} 的 document 中补全。",
        "表头在第 2 行，各列用作：",
        "  A 列“序号” → 序号",
        "  B 列“任务名称” → 任务名称",
        "  C 列“任务内容” → 任务内容",
        "  D 列“责任单位” → 责任单位（排在前面，第一个为牵头单位）",
        "  E 列“时间节点” → 时间节点",
        "文件中另有 1 个表格未导入（只导入有表头的第一个）：",
        "  第 1 个工作表（1 行，开头是“本表由区政府办公室汇总。”）",
        f"计划可以通过校验（校验时使用的单位名录是 {units}，{new} 下没有 units.yaml）。"
        f"请把 {units} 复制为 {new / 'units.yaml'}（或导入时加 --copy-units），"
        f"再运行 gkctl validate --data {new} 复查。",
    ]
    assert not (new / "units.yaml").exists()  # never made up
    missing = gk("validate", data=new)  # what the line warns about
    assert missing.exit_code == 1
    assert "units.yaml" in missing.stdout + missing.stderr
    shutil.copy(units, new)
    assert gk("validate", data=new).exit_code == 0  # and following it works


def test_import_copy_units(gk, tmp_path) -> None:
    source = build_docx(tmp_path / "t.docx", clean_rows())
    new = tmp_path / "new"
    out = new / "tasks.yaml"
    args = ("import", str(source), "-o", str(out), "--published", "2024-04-10", "--copy-units")
    result = gk(*args)
    assert result.exit_code == 0, result.stderr
    assert (new / "units.yaml").read_bytes() == (DATA / "units.yaml").read_bytes()
    lines = result.stderr.splitlines()
    assert f"已把单位名录 {DATA / 'units.yaml'} 复制为 {new / 'units.yaml'}。" in lines
    assert lines[-1] == f"计划可以通过校验。可运行 gkctl validate --data {new} 复查。"
    assert gk("validate", data=new).exit_code == 0
    # Run again: the folder's own units.yaml is the one in use, nothing to copy.
    again = gk(*args, "--force")
    assert again.exit_code == 0, again.stderr
    assert "复制" not in again.stderr


def test_import_copy_units_refuses_to_replace_another_directory(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    own = tmp_path / "own.yaml"
    shutil.copy(DATA / "units.yaml", own)
    (tmp_path / "units.yaml").write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "tasks.yaml"
    args = ("import", str(source), "-o", str(out), "--published", "2024-04-10")
    result = gk(*args, "--units", str(own), "--copy-units")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{tmp_path / 'units.yaml'} 已存在，未用 {own} 覆盖。要覆盖请加 --force，或不加 --copy-units。\n"
    )
    assert not out.exists()
    assert (tmp_path / "units.yaml").read_text(encoding="utf-8") == "keep me\n"
    # Without --copy-units the import says the two directories differ.
    kept = gk(*args, "--units", str(own))
    assert kept.exit_code == 0, kept.stderr
    assert kept.stderr.splitlines()[-1] == (
        f"计划可以通过校验（校验时使用的单位名录是 {own}；gkctl validate 用的是 "
        f"{tmp_path / 'units.yaml'}，结果可能不同）。可运行 gkctl validate --data {tmp_path} 复查。"
    )


def test_import_copy_units_needs_a_directory(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    empty = tmp_path / "empty"
    empty.mkdir()
    new = tmp_path / "new"
    result = gk("import", str(source), "-o", str(new / "tasks.yaml"), "--copy-units", data=empty)
    assert result.exit_code == 2
    assert result.stderr == (
        "--copy-units：没有可复制的单位名录（输出目录和数据目录中都没有 units.yaml），"
        "请用 --units 指定。\n"
    )
    assert not new.exists()


def test_import_to_another_file_name_says_to_rename_it(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    shutil.copy(DATA / "units.yaml", tmp_path)
    out = tmp_path / "plan.yaml"
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"计划可以通过校验。请把 {out} 改名为 {tmp_path / 'tasks.yaml'}，"
        f"再运行 gkctl validate --data {tmp_path} 复查。"
    )


def test_import_output_that_cannot_be_a_file(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    result = gk("import", str(source), "-o", str(tmp_path), "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{tmp_path} 是一个目录，请给出文件名，如 {tmp_path / 'tasks.yaml'}。\n"
    )
    result = gk("import", str(source), "-o", str(source / "tasks.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"无法写入 {source / 'tasks.yaml'}：{source} 不是目录。\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_import_folder_that_cannot_be_made(gk, tmp_path) -> None:
    source = build_xlsx(tmp_path / "t.xlsx", clean_rows())
    out = Path("/proc/gkctl-test/new/tasks.yaml")
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 1
    assert result.stderr.startswith("无法新建目录 /proc/gkctl-test/new：")
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("t.doc", "不支持旧版格式 .doc：请在 Word 或 Excel 中另存为 .docx 或 .xlsx 后再导入。"),
        ("t.xls", "不支持旧版格式 .xls：请在 Word 或 Excel 中另存为 .docx 或 .xlsx 后再导入。"),
        (
            "t.csv",
            "只能导入 .docx、.xlsx 的任务分解表，或 .docx、.txt、.md 的要点正文，这里是“t.csv”。",
        ),
    ],
)
def test_import_unsupported_files(gk, tmp_path, name, message) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    result = gk("import", str(path), "-o", str(tmp_path / "tasks.yaml"))
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_import_missing_file(gk, tmp_path) -> None:
    result = gk("import", str(tmp_path / "no.docx"), "-o", str(tmp_path / "tasks.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"找不到文件 {tmp_path / 'no.docx'}。\n"


@pytest.mark.parametrize(
    ("fmt", "kind"), [("docx", "Word 文件（.docx）"), ("xlsx", "Excel 文件（.xlsx）")]
)
def test_import_corrupt_file(gk, tmp_path, fmt, kind) -> None:
    path = tmp_path / f"broken.{fmt}"
    path.write_bytes(b"not a zip file")
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(path), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"无法读取 {path}：不是有效的 {kind}")
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_import_not_a_task_table(gk, tmp_path, fmt) -> None:
    # No column for the units (负责人 is a person) nor for a 序号 or 时间节点: not a table
    # of tasks at all.
    header = ["任务名称", "任务内容", "负责人", "备注"]
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", [("a", "b。", "区经委", "d")], header=header)
    result = gk("import", str(source), "-o", str(tmp_path / "tasks.yaml"))
    assert result.exit_code == 1
    row = 1 if fmt == "docx" else 2
    assert result.stderr == (
        f"{source}：找不到任务分解表的表头。需要一行同时有任务文字的列（如 任务名称、工作任务、"
        "任务内容、具体要求）和责任单位的列（如 责任单位、责任部门、牵头单位），或没有责任单位列时的"
        f"序号列、时间节点列；最接近的是第 {row} 行，认出了：任务名称（A列“任务名称”）、"
        "任务内容（B列“任务内容”）、备注（D列“备注”）。表头用了别的说法时，可用 --columns "
        "指定各列，如 --columns 任务名称=B,任务内容=C,责任单位=D,时间节点=E。\n"
    )


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_import_a_table_whose_unit_column_is_not_recognised(gk, tmp_path, fmt) -> None:
    header = ["序号", "任务名称", "任务内容", "负责人", "备注"]
    rows = [("1", "a", "b。", "区经委", "d")]
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", rows, header=header)
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--year", "2024")
    # Imported with its units to fill, and the report says how to name the unit column.
    assert result.exit_code == 1
    assert "  D 列“负责人” → 没有对应的项，文字写入 notes" in result.stderr
    assert "若其中某一列就是责任单位，请用 --columns 指定后重新导入" in result.stderr
    task = yaml.safe_load(out.read_text(encoding="utf-8"))["tasks"][0]
    assert (task["units"], task["notes"]) == ([], "负责人：区经委；备注：d")
    # Said by hand, the same table imports, and the report says what was taken for what.
    hand = gk(
        "import",
        str(source),
        "-o",
        str(out),
        "--year",
        "2024",
        "--columns",
        "责任单位=D",
        "--force",
    )
    assert hand.exit_code == 0, hand.stderr  # no 发布日期, and no deadline needs one
    assert "  D 列“负责人” → 责任单位（排在前面，第一个为牵头单位）（--columns）" in hand.stderr
    assert "  E 列“备注” → 备注（写入 notes）" in hand.stderr
    task = yaml.safe_load(out.read_text(encoding="utf-8"))["tasks"][0]
    assert task == {
        "id": 1, "section": "一", "name": "a", "content": "b。", "units": ["区经委"],
        "notes": "备注：d",
    }  # fmt: skip


def test_import_reports_bad_rows_with_positions(gk, tmp_path) -> None:
    rows = [
        ("section", "一、公开"),
        ("1", "名称", "内容。", "区经委", "全年"),
        ("2", "名称", "内容。", "区经委", "全年"),
        ("section", "二、公开"),  # so that the repeated 1 is not a continuation
        ("3", "名称", "内容。", "", "全年"),
        ("1", "名称", "内容。", "区经委", "全年"),
        ("section", "以上各项任务均需按季度报送进展情况。"),  # a sentence, not a title
    ]
    source = build_xlsx(tmp_path / "t.xlsx", rows)
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"{source}:7:4: 任务 3 的责任单位为空",
        f"{source}:8:1: 序号 1 重复（第 4 行已有）",
        f"{source}:9:1: 无法识别的通栏行“以上各项任务均需按季度报送进展情况。”：部分标题应写作“一、……”",
        "表格中有 3 处问题（位置为 行:列），请在表格中修正后重新导入。",
    ]
    assert not out.exists()


def test_import_text_in_the_number_column_is_never_an_error(gk, tmp_path) -> None:
    """A word in the 序号 column beside a task (issue 28): the tasks are numbered in order,
    the word is kept in the task's notes; a short row spanning the table is a section."""
    rows = [
        ("section", "重点任务"),
        ("1", "名称一", "内容一。", "区经委", "全年"),
        ("新增", "名称二", "内容二。", "区经委", "全年"),
        ("2", "名称三", "内容三。", "区经委", "全年"),
    ]
    source = build_xlsx(tmp_path / "t.xlsx", rows)
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--year", "2024")
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert plan["sections"] == [{"id": "一", "title": "重点任务"}]
    assert [(t["id"], t["name"], t.get("notes")) for t in plan["tasks"]] == [
        (1, "名称一", None),
        (2, "名称二", "序号：新增"),
        (3, "名称三", None),
    ]
    assert (
        "序号列中有的任务没有数字序号（原文写入 notes）：任务按表中顺序编为 1–3。" in result.stderr
    )


def test_import_joins_rows_split_at_a_page_break(gk, tmp_path) -> None:
    rows = [
        ("section", "一、公开"),
        ("1", "名称", "第一页上的半句，", "区经委、", "全年"),
        ("", "", "第二页上的半句。", "区科委", ""),
        ("2", "名称", "内容。", "区经委", "11月底前"),
    ]
    source = build_docx(tmp_path / "t.docx", rows)
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    assert "有 1 行没有自己的序号，已并入上一项任务" in result.stderr
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert plan["tasks"][0]["content"] == "第一页上的半句，第二页上的半句。"
    assert plan["tasks"][0]["units"] == ["区经委", "区科委"]


def test_import_table_without_sections(gk, tmp_path) -> None:
    rows = [("1", "名称", "内容。", "区经委", "全年"), ("2", MERGED, "内容二。", "区科委", "全年")]
    source = build_xlsx(tmp_path / "t.xlsx", rows)
    out = tmp_path / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    assert "全部任务归入部分“一”" in result.stderr
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert plan["sections"] == [{"id": "一", "title": "待填写"}]
    assert [t["name"] for t in plan["tasks"]] == ["名称", "名称"]


# --- round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_round_trip_bundled_plan(gk, tmp_path, fmt) -> None:
    exported = tmp_path / f"任务分解表.{fmt}"
    result = gk("export", "--format", fmt, "-o", str(exported), "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"已写出 {exported}：75 项任务、5 个部分，状态截至 {AS_OF}。\n"
    shutil.copy(DATA / "units.yaml", tmp_path)
    back = gk("import", str(exported), "-o", str(tmp_path / "tasks.yaml"))
    assert back.exit_code == 0, back.stderr
    original = loader.load(DATA).plan
    imported = loader.load(tmp_path).plan
    assert _tasks(imported) == _tasks(original)
    assert imported.sections == original.sections
    assert imported.document == original.document  # kept in the file's properties
    assert all(t.text == "" and t.notes == "" for t in imported.tasks)
    assert "  F 列“截止日期” → 不导入（gkctl export 按时间节点算出的列）" in back.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_import_visible_title_wins_over_properties(gk, tmp_path, fmt) -> None:
    """An export whose visible title was changed to 2025 is the 2025 plan (issue 28): the
    file's properties (2024 title, 文号, 发布日期) are not kept over it, and it is said."""
    exported = tmp_path / f"任务分解表.{fmt}"
    assert gk("export", "--format", fmt, "-o", str(exported), "--as-of", AS_OF).exit_code == 0
    original = loader.load(DATA).plan.document
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(exported)
        cell = book.active["A1"]
        assert "2024" in str(cell.value)
        cell.value = str(cell.value).replace("2024", "2025")
        book.save(exported)
    else:
        import docx

        document = docx.Document(str(exported))
        first = document.paragraphs[0]
        assert "2024" in first.text
        first.runs[0].text = first.text.replace("2024", "2025")
        document.save(str(exported))
    shutil.copy(DATA / "units.yaml", tmp_path)
    back = gk(
        "import", str(exported), "-o", str(tmp_path / "tasks.yaml"), "--published", "2025-03-01"
    )
    plan = yaml.safe_load((tmp_path / "tasks.yaml").read_text(encoding="utf-8"))
    title = original.title.replace("2024", "2025")
    assert plan["document"]["title"] == title
    assert plan["document"]["year"] == 2025
    assert plan["document"]["number"] == "待填写"
    assert str(plan["document"]["published"]) == "2025-03-01"
    assert (
        f"注意：表格上方的标题“{title}”与文件属性中的“{original.title}”不同，按表格上方的标题导入。\n"
        "注意：计划年度按标题取 2025 年（文件属性中是 2024 年）；"
        "文件属性中的文号、发布日期属于原来的文件，未沿用。\n"
    ) in back.stderr


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["某县2024年度政务公开重点工作责任清单"], "某县2024年度政务公开重点工作"),
        (
            ["2024年某镇政务公开工作安排", "一、2024年重点领域信息公开"],
            "2024年某镇政务公开工作安排",
        ),
        (["一、2024年重点领域信息公开"], None),  # a section heading is never the title
        (["各单位要在2024年底前完成。"], None),  # a sentence is not a title
        (["附件2", "某开发区2024年政务公开工作一览表"], "某开发区2024年政务公开工作"),
    ],
)
def test_table_title_wordings(lines, title) -> None:
    assert table.table_title(lines) == title


# --- export -----------------------------------------------------------------------------------


def test_export_xlsx_layout(gk, tmp_path, monkeypatch) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    result = gk("export", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    path = tmp_path / f"任务分解表-{AS_OF}.xlsx"
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[3]] == [
        "序号",
        "任务名称",
        "任务内容",
        "责任单位",
        "时间节点",
        "截止日期",
        "状态",
    ]
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws["A1"].value == "2024年金山区政务公开工作要点任务分解表"
    assert ws["A4"].value == "一、融入中心服务大局，高质量深层次推进主动公开"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:G4" in merged
    assert "B5:B9" in merged  # tasks 1–5 share 围绕落实重大战略任务做好信息公开
    assert [c.value for c in ws[5]][:2] == [1, "围绕落实重大战略任务做好信息公开"]
    row31 = next(r for r in ws.iter_rows(min_row=4) if r[0].value == 31)
    assert row31[5].value.date() == date(2024, 10, 31)
    assert row31[6].value == "即将到期"
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert widths[2] == max(widths)  # 任务内容 gets the room
    assert all(w >= 7 for w in widths)


def test_export_xlsx_styles_every_cell(gk, tmp_path) -> None:
    """Every task cell has the body font, thin borders and its column's alignment (styles
    are set once per kind of cell and copied: xlsx_io.StyleStamps), and a section row
    its bold heading font, whatever row it is on."""
    import openpyxl
    from openpyxl.cell.cell import MergedCell

    path = tmp_path / "t.xlsx"
    assert gk("export", "--as-of", AS_OF, "-o", str(path)).exit_code == 0
    ws = openpyxl.load_workbook(path).active
    names = [r for r in ws.merged_cells.ranges if r.min_col == r.max_col == 2]
    ends = {r.max_row for r in names}
    tasks = headings = covered = 0
    for row in ws.iter_rows(min_row=4):
        if row[0].value is None:
            continue
        if isinstance(row[0].value, str):  # a section row
            headings += 1
            assert (row[0].font.name, row[0].font.b) == ("黑体", True)
            assert row[0].alignment.horizontal is None
            # Merged across: the covered cells carry the block's top and bottom lines,
            # the last its right one.
            for cell in row[1:]:
                assert isinstance(cell, MergedCell)
                sides = {cell.border.top.style, cell.border.bottom.style}
                assert sides == {"thin"} and cell.border.left.style is None
                assert cell.border.right.style == ("thin" if cell is row[-1] else None)
            continue
        tasks += 1
        for j, cell in enumerate(row):
            if isinstance(cell, MergedCell):  # under a merged 任务名称: styled by its top
                # ... and carrying the block's sides, the last its bottom line.
                assert j == 1 and cell.border.left.style == cell.border.right.style == "thin"
                assert cell.border.bottom.style == ("thin" if cell.row in ends else None)
                assert cell.border.top.style is None
                covered += 1
                continue
            assert (cell.font.name, cell.font.sz, cell.font.b) == ("宋体", 11, False)
            assert {cell.border.left.style, cell.border.bottom.style} == {"thin"}
            assert cell.alignment.wrap_text
            centered = j in (0, 1, 4, 5, 6)
            assert cell.alignment.horizontal == ("center" if centered else None), (row, j)
            assert cell.number_format == ("yyyy-mm-dd" if j == 5 else "General")
    assert (tasks, headings) == (75, 5)
    assert covered == sum(r.max_row - r.min_row for r in names) > 0


def test_export_docx_layout(gk, tmp_path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    path = tmp_path / "t.docx"
    result = gk("export", "-o", str(path), "--as-of", AS_OF)  # format from the extension
    assert result.exit_code == 0, result.stderr
    document = docx.Document(str(path))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert document.sections[0].page_width > document.sections[0].page_height
    grid = document.tables[0]
    header = grid.rows[0]
    assert [c.text for c in header.cells][-2:] == ["截止日期", "状态"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert grid.rows[1].cells[0].text == grid.rows[1].cells[6].text  # the section row spans
    names = [row.cells[1] for row in grid.rows[2:7]]
    assert len({id(c._tc) for c in names}) == 1  # one merged 任务名称 cell
    assert document.paragraphs[0].text == "2024年金山区政务公开工作要点任务分解表"


def test_export_groups_a_task_written_out_of_its_section_s_place(gk, data_copy, tmp_path) -> None:
    # Issue 22, item 21: task 1 (section 一) moved to the end of the file opened 一 a second
    # time ("6 个部分"). Validate accepts such a plan; export groups by the plan's sections,
    # as the reports and the site do.
    import docx
    import openpyxl

    path = data_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: 1\n")
    end = text.index("  - id: 2\n")
    path.write_text(text[:start] + text[end:] + "\n" + text[start:end], encoding="utf-8")
    assert loader.load(data_copy).plan.tasks[-1].id == 1
    assert gk("validate", data=data_copy).exit_code == 0
    sections = [
        "一、融入中心服务大局，高质量深层次推进主动公开",
        *(f"{s.id}、{s.title}" for s in loader.load(data_copy).plan.sections[1:]),
    ]
    xlsx, word = tmp_path / "t.xlsx", tmp_path / "t.docx"
    for out in (xlsx, word):
        result = gk("export", "-o", str(out), "--as-of", AS_OF, data=data_copy)
        assert result.exit_code == 0, result.stderr
        assert f"75 项任务、{len(sections)} 个部分" in result.stderr
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(xlsx).active.iter_rows(min_row=4)]
    headings = [r[0] for r in rows if r[1] is None and isinstance(r[0], str)]
    assert headings == sections
    # Task 1 ends section 一 (in file order within it, as in the reports), before 二 opens.
    second = next(i for i, r in enumerate(rows) if r[0] == sections[1])
    assert [r[0] for r in rows[second - 1 : second + 1]] == [1, sections[1]]
    grid = docx.Document(str(word)).tables[0]
    cells = [[c.text for c in row.cells] for row in grid.rows[1:]]
    assert [r[0] for r in cells if len(set(r)) == 1] == sections
    second = next(i for i, r in enumerate(cells) if r[0] == sections[1])
    assert cells[second - 1][0] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json"], "此命令不支持 --format json，可用：xlsx、docx。"),
        (["--format", "xlsx", "-o", "x.docx"], "-o x.docx 的扩展名与 --format xlsx 不符。"),
    ],
)
def test_export_usage_errors(gk, args, message) -> None:
    result = gk("export", *args, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "x.pdf"],
        ["-o", "x.xls"],
        ["-o", "x"],
        ["-o", "x.pdf", "--format", "xlsx"],
        ["-o", "x.csv", "--format", "docx"],
    ],
)
def test_export_refuses_other_extensions(gk, tmp_path, monkeypatch, args) -> None:
    monkeypatch.chdir(tmp_path)
    result = gk("export", *args, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == (
        f"-o {args[1]}：只能导出 .xlsx（Excel）或 .docx（Word）文件，请改用这两种扩展名之一。\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "ics"])
def test_write_errors_are_messages(gk, tmp_path, command) -> None:
    """-o at a folder (named like a file) or into /proc: a Chinese message, no traceback."""
    folder = tmp_path / "d.xlsx"
    folder.mkdir()
    result = gk(command, "-o", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"无法写入 {folder}：这是一个目录，请给出文件名。" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list(folder.iterdir()) == []
    if Path("/proc/self").is_dir():
        proc = gk(command, "-o", "/proc/gkctl-test.xlsx", "--as-of", AS_OF)
        assert proc.exit_code == 1
        assert "无法写入 /proc/gkctl-test.xlsx：" in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout


# --- ics ----------------------------------------------------------------------------------------


def _calendar(text: str):
    from icalendar import Calendar

    return Calendar.from_ical(text)


def _events(text: str) -> dict[str, object]:
    return {str(e["uid"]): e for e in _calendar(text).walk("VEVENT")}


def test_ics_feed_parses_back(gk) -> None:
    result = gk("ics", "--as-of", AS_OF)
    assert result.exit_code == 0
    events = _events(result.stdout)
    assert len(events) == 73  # 75 tasks - 3 pending + the milestone of task 75
    assert "有 3 项任务待市级部署、暂无日期，未列入日历：任务 40、55、64。" in result.stderr
    assert "共 73 个日历事件。" in result.stderr
    uids = list(events)
    prefix = uids[0].split("-task-")[0]
    assert all(re.fullmatch(prefix + r"-task-\d+(-m\d+)?@gkctl", u) for u in uids)
    assert not any(f"-task-{i}@" in u for u in uids for i in (40, 55, 64))
    task31 = events[f"{prefix}-task-31@gkctl"]
    assert task31["dtstart"].params["VALUE"] == "DATE"
    assert task31.decoded("dtstart") == date(2024, 10, 31)
    assert task31.decoded("dtend") == date(2024, 11, 1)
    assert str(task31["summary"]).startswith("任务31：")
    assert "责任单位：区经委" in str(task31["description"])
    alarms = task31.walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0].decoded("trigger") == timedelta(days=-3)
    milestone = events[f"{prefix}-task-75-m1@gkctl"]
    assert milestone.decoded("dtstart") == date(2024, 5, 10)  # 发布后30日内 of 2024-04-10
    assert "任务分解报送区政府办公室" in str(milestone["summary"])


def test_ics_uids_tell_plans_without_a_number_apart() -> None:
    from gkctl.exchange.ics import uid

    bundled = loader.load(DATA).plan.document
    # Pinned: a change here makes every subscribed calendar show the events twice.
    assert uid(bundled, 31) == "gkctl-c75aaa17a6-task-31@gkctl"
    assert uid(bundled, 75, 1) == "gkctl-c75aaa17a6-task-75-m1@gkctl"
    a = Document("2024年甲区政务公开工作要点", "待填写", "待填写", None, 2024)
    b = Document("2024年乙区政务公开工作要点", "待填写", "待填写", None, 2024)
    c = Document("2024年甲区政务公开工作要点", "待填写", "待填写", None, 2025)
    assert len({uid(d, 1) for d in (a, b, c)}) == 3
    again = Document("2024年甲区政务公开工作要点", "待填写", "另一单位", date(2024, 4, 1), 2024)
    assert uid(again, 1) == uid(a, 1)  # issuer and date are not part of the plan's identity


def test_ics_is_reproducible_and_uids_are_stable(gk, tmp_path) -> None:
    first = gk("ics", "--as-of", AS_OF).stdout
    assert gk("ics", "--as-of", AS_OF).stdout == first
    later = gk("ics", "--as-of", "2024-11-20").stdout
    assert set(_events(later)) == set(_events(first))
    stamps = {e.decoded("dtstamp").date() for e in _events(later).values()}
    assert stamps == {date(2024, 11, 20)}


def test_ics_for_a_unit_to_file(gk, tmp_path) -> None:
    path = tmp_path / "区经委.ics"
    result = gk("ics", "--unit", "经委", "--as-of", AS_OF, "-o", str(path), "--alarm-days", "0")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"已写出 {path}：43 个日历事件。" in result.stderr
    assert "任务 64。" in result.stderr
    calendar = _calendar(path.read_bytes())
    assert "（区经委）" in str(calendar["x-wr-calname"])
    events = calendar.walk("VEVENT")
    assert len(events) == 43
    assert not calendar.walk("VALARM")
    via_group = [e for e in events if "涉及方式：通过“各部门”" in str(e["description"])]
    assert via_group


def test_ics_recurring_and_done_tasks(gk, data_copy) -> None:
    tasks = data_copy / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    text = text.replace("    deadline: 全年\n", "    deadline: 每季度\n", 1)  # task 1
    text = re.sub(r"(  - id: 2\n(?:    .*\n)*?    deadline: .*\n)", r"\1    closed: 2024-04-30\n",
                  text, count=1)  # fmt: skip
    tasks.write_text(text, encoding="utf-8")
    result = gk("ics", "--as-of", "2024-05-01", data=data_copy)
    assert result.exit_code == 0, result.stderr
    events = {str(e["uid"]).split("-task-")[1]: e for e in _calendar(result.stdout).walk("VEVENT")}
    assert events["1@gkctl"].decoded("dtstart") == date(2024, 6, 30)  # next quarter's end
    done = events["2@gkctl"]
    assert str(done["summary"]).startswith("【已完成】任务2：")
    assert not done.walk("VALARM")


def test_ics_unknown_unit(gk) -> None:
    result = gk("ics", "--unit", "区经委员会", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "是否为“区经委”？" in result.stderr


# --- the core, directly ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "joined"),
    [
        ("围绕落实重大战略任务做好\n信息公开", "围绕落实重大战略任务做好信息公开"),
        ("汇龙湖区\r\n域连片开发 ", "汇龙湖区域连片开发"),
        ("  全年  ", "全年"),
        ("7.0 版", "7.0 版"),  # spaces inside a line are the cell's own
        ("", ""),
    ],
)
def test_join_lines(cell, joined) -> None:
    assert table.join_lines(cell) == joined


@pytest.mark.parametrize(
    ("cell", "units"),
    [
        (
            "区国资委、\n区滨海办、山阳镇、\n区交通委",
            ("区国资委", "区滨海办", "山阳镇", "区交通委"),
        ),
        ("区市场监\n管局、 区科委", ("区市场监管局", "区科委")),
        ("区经委，区科委；区文旅局", ("区经委", "区科委", "区文旅局")),
        ("区经委、、区经委、", ("区经委",)),
        ("区 经委", ("区经委",)),
        # 、 between levels of government written one character each, the last bracketed,
        # is inside one name (绍兴市 2021: 市政府各部门,各区、县〔市〕政府办公室负责).
        ("市政府各部门,各区、县〔市〕政府办公室", ("市政府各部门", "各区、县〔市〕政府办公室")),
        ("各区、县（市）政府、区经委", ("各区、县（市）政府", "区经委")),
        ("各市、区、县(市)政府", ("各市、区、县(市)政府",)),
        ("各县〔市、区〕人民政府、区发改委", ("各县〔市、区〕人民政府", "区发改委")),
        # ... or followed by how many levels (两级, 三级, 各级), each level with its bracket or not
        ("区、县两级人民政府、区经委", ("区、县两级人民政府", "区经委")),
        ("区经委、市、县各级财政部门", ("区经委", "市、县各级财政部门")),
        ("市、县（区）、乡（镇）三级政府", ("市、县（区）、乡（镇）三级政府",)),
        ("市（州）、县（市、区）人民政府、区经委", ("市（州）、县（市、区）人民政府", "区经委")),
        # ... but not after a unit's name, nor without the bracket that makes it a list of levels
        ("区经委、县（市）政府", ("区经委", "县（市）政府")),
        ("山阳区、县（市）政府", ("山阳区", "县（市）政府")),
        ("各区、县政府办公室", ("各区", "县政府办公室")),
    ],
)
def test_split_units(cell, units) -> None:
    assert unitcells.split_units(cell) == units


@pytest.mark.parametrize(
    ("texts", "title"),
    [
        (["附件", "2024年金山区政务公开工作要点任务分解表"], "2024年金山区政务公开工作要点"),
        (["附件1：2025年某区政务公开工作要点任务分解表（试行）"], "2025年某区政务公开工作要点"),
        (["附件"], None),
    ],
)
def test_table_title(texts, title) -> None:
    assert table.table_title(texts) == title


def test_unknown_units_suggest_names_for_aliases_and_typos() -> None:
    directory = loader.load(DATA).directory
    tasks = [
        Task(1, "一", "n", "c", "", ("区经委员会", "区经委"), "全年"),
        Task(2, "一", "n", "c", "", ("经委", "区经委员会", "火星办"), "全年"),
    ]
    found = table.unknown_units(tasks, directory)
    assert [(u.name, u.tasks, u.suggestion) for u in found] == [
        ("区经委员会", (1, 2), "区经委"),
        ("经委", (2,), "区经委"),
        ("火星办", (2,), None),
    ]


def test_meta_round_trip() -> None:
    document = loader.load(DATA).plan.document
    hints = table.decode_meta(table.encode_meta(document))
    assert hints == table.DocumentHints(
        document.title, document.number, document.issuer, document.published, document.year
    )
    assert table.decode_meta("某某单位制表") == table.DocumentHints()
    assert table.decode_meta("gkctl-document: {broken") == table.DocumentHints()


_TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s)


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, content=_TEXT, units=st.lists(_TEXT, min_size=1, max_size=4), deadline=_TEXT)
def test_plan_yaml_reads_back_any_text(name, content, units, deadline) -> None:
    plan = Plan(
        Document("标题", "文号", "发文单位", date(2024, 4, 10), 2024),
        (Section("一", "部分"),),
        (Task(7, "一", name, content, "", tuple(units), deadline),),
    )
    # Read as gkctl reads it (libyaml where installed).
    data = yaml.load(yaml_out.plan_yaml(plan, ["header"]), Loader=yamlsrc.LOADER)
    task = data["tasks"][0]
    assert (task["name"], task["content"], task["units"], task["deadline"]) == (
        name, content, units, deadline,
    )  # fmt: skip
    assert list(task) == ["id", "section", "name", "content", "units", "deadline"]
