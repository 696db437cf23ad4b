"""gkctl import on 任务分解表 of other offices, as each types them in Word and in Excel.

Each shape is one seen in published tables (issue 13): other header words, a label merged
over the row numbers and the text, no 序号 column, no 时间节点 column, sections as rows or
as a column merged down, 牵头/配合 in words or in two columns, units on lines or with
spaces, lists ending in 等, aliases, numbers starting again in each section, a row that
numbers the columns, columns for no field, notes under the table. Every imported task is
checked field by field.
"""

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.exchange import headers, taskrows, unitcells
from gkctl.exchange.table import Sheet
from gkctl.store import loader
from tests.tablebuild import BUILDERS, LEFT, UP

FORMATS = ["docx", "xlsx"]

# Units of a made-up district, with the alias 区府办 and the collective names.
UNITS_YAML = """\
units:
  - name: 区政府办公室
    kind: department
    aliases: [区府办, 政府办]
  - name: 区发改委
    kind: department
  - name: 区财政局
    kind: department
  - name: 区政务服务办
    kind: department
  - name: 区司法局
    kind: department
  - name: 山阳镇
    kind: town
groups:
  - name: 各街镇
    meaning: 每个镇和街道
    members: [town, subdistrict]
  - name: 各相关部门
    meaning: 相关的部门
    members: [department]
    relevant: true
"""


def _import(gk, source: Path, folder: Path, *args: str):
    """Import into `folder`; the data folder is an empty one, as in an office new to gkctl
    (units are checked against folder/units.yaml where a test puts one there)."""
    empty = folder.parent / "no-data"
    empty.mkdir(exist_ok=True)
    return gk("import", str(source), "-o", str(folder / "tasks.yaml"), *args, data=empty)


def _tasks(folder: Path) -> list[dict[str, object]]:
    return yaml.safe_load((folder / "tasks.yaml").read_text(encoding="utf-8"))["tasks"]


def _plan(folder: Path) -> dict[str, object]:
    return yaml.safe_load((folder / "tasks.yaml").read_text(encoding="utf-8"))


# --- a city bureau: other header words, sections as rows, 牵头/配合 in words -------------------

CITY = [
    ["序号", "工作任务", "具体要求", "责任处室", "完成时限"],
    ["一、深化重点领域信息公开", LEFT, LEFT, LEFT, LEFT],
    ["1", "推进规划信息公开", "及时公开国土空间规划批前公示和批后公告。", "办公室牵头，各处室配合", "全年"],
    ["2", UP, "做好规划许可信息的主动公开。", "规划处\n用地处", "6月底前"],
    ["二、加强政策解读", LEFT, LEFT, LEFT, LEFT],
    ["3", "深化政策解读", "对出台的政策文件同步开展解读。", "政策法规处（牵头）、办公室", "11月底前"],
    ["4", "回应社会关切", "及时回应涉及规划的社会关切。", "办公室、 宣传处", "持续推进"],
]  # fmt: skip
CITY_ABOVE = ["附件1", "2024年某市规划资源局政务公开工作要点任务分解表"]
CITY_BELOW = ["注：各处室于每季度末报送落实情况。"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_city_bureau(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"市局.{fmt}", CITY, CITY_ABOVE, CITY_BELOW)
    folder = tmp_path / "city"
    result = _import(gk, source, folder, "--published", "2024-03-20")
    assert result.exit_code == 1, result.stderr  # the office's units are not in any units.yaml
    plan = _plan(folder)
    assert plan["document"]["title"] == "2024年某市规划资源局政务公开工作要点"
    assert plan["document"]["year"] == 2024
    assert plan["sections"] == [
        {"id": "一", "title": "深化重点领域信息公开"},
        {"id": "二", "title": "加强政策解读"},
    ]
    assert plan["tasks"] == [
        {"id": 1, "section": "一", "name": "推进规划信息公开",
         "content": "及时公开国土空间规划批前公示和批后公告。", "units": ["办公室", "各处室"],
         "deadline": "全年"},
        {"id": 2, "section": "一", "name": "推进规划信息公开",
         "content": "做好规划许可信息的主动公开。", "units": ["规划处", "用地处"],
         "deadline": "6月底前"},
        {"id": 3, "section": "二", "name": "深化政策解读",
         "content": "对出台的政策文件同步开展解读。", "units": ["政策法规处", "办公室"],
         "deadline": "11月底前"},
        {"id": 4, "section": "二", "name": "回应社会关切",
         "content": "及时回应涉及规划的社会关切。", "units": ["办公室", "宣传处"],
         "deadline": "持续推进"},
    ]  # fmt: skip
    err = result.stderr
    assert "  B 列“工作任务” → 任务名称" in err
    assert "  C 列“具体要求” → 任务内容" in err
    assert "  D 列“责任处室” → 责任单位（排在前面，第一个为牵头单位）" in err
    assert "  E 列“完成时限” → 时间节点" in err
    if fmt == "xlsx":  # in Word the note is a paragraph under the table, not a row of it
        row = 3 + len(CITY)
        assert (
            f"表格中有 1 行不是任务，未导入：\n  第 {row} 行：注：各处室于每季度末报送落实情况。"
            in err
        )
    review = yaml.safe_load((folder / "units.review.yaml").read_text(encoding="utf-8"))
    assert [u["name"] for u in review["units"]] == [
        "办公室",
        "规划处",
        "用地处",
        "政策法规处",
        "宣传处",
    ]
    assert [(g["name"], g["members"]) for g in review["groups"]] == [("各处室", ["department"])]


# --- a land-reserve centre: no 序号 column, typed numbers, 牵头部门 + 配合部门 columns ---------

LAND = [
    ["重点任务", "工作要求", "牵头部门", "配合部门", "时间安排"],
    ["一、做好土地储备信息公开", LEFT, LEFT, LEFT, LEFT],
    ["1.公开储备计划", "按规定公开年度土地储备计划。", "计划科", "综合科、财务科", "3月底前"],
    ["2.公开出让信息", "及时公开地块出让信息。", "土地管理科（牵头）", "法务科\n综合科", "每季度"],
    ["二、规范依申请公开", LEFT, LEFT, LEFT, LEFT],
    ["3.规范依申请公开办理", "严格落实依申请公开办理程序。", "综合科", "各科室", "全年"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_land_reserve_centre(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"中心.{fmt}", LAND, ["2024年市土地储备中心政务公开工作任务分解表"]
    )
    folder = tmp_path / "land"
    result = _import(gk, source, folder, "--published", "2024-02-28")
    assert result.exit_code == 1, result.stderr
    tasks = _tasks(folder)
    assert [(t["id"], t["section"], t["name"], t["content"], t["units"], t["deadline"]) for t in tasks] == [
        (1, "一", "公开储备计划", "按规定公开年度土地储备计划。", ["计划科", "综合科", "财务科"], "3月底前"),
        (2, "一", "公开出让信息", "及时公开地块出让信息。", ["土地管理科", "法务科", "综合科"], "每季度"),
        (3, "二", "规范依申请公开办理", "严格落实依申请公开办理程序。", ["综合科", "各科室"], "全年"),
    ]  # fmt: skip
    assert all("notes" not in t for t in tasks)
    err = result.stderr
    assert "  C 列“牵头部门” → 责任单位（排在前面，第一个为牵头单位）" in err
    assert "  D 列“配合部门” → 责任单位（配合，排在牵头单位之后）" in err
    assert "没有序号列：序号取自任务文字开头的编号（如“1.”“（1）”），已从文字中去掉。" in err


# --- a town: 工作任务 over the numbers and the text, sections in a merged 类别 column, no
# deadline column, units separated by spaces, 牵头/配合 words, a list ending in 等 ----------

TOWN = [
    ["类别", "工作任务", LEFT, "责任单位"],
    ["一、推进主动公开", "1", "及时公开镇级财政预决算信息。", "党政办 财政所"],
    [UP, "2", "做好惠民惠农补贴信息公开。", "党政办牵头，各村（居）配合"],
    ["二、优化政务服务", "3", "公开便民服务事项清单和办事指南。", "社区事务受理服务中心"],
    [UP, "4", "做好热线诉求办理情况公开，回应群众关切。", "党政办、社区事务受理服务中心等"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_town_without_deadline_column(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"镇.{fmt}", TOWN, ["附件", "2024年某镇政务公开工作要点任务分解表"]
    )
    folder = tmp_path / "town"
    result = _import(gk, source, folder, "--published", "2024-04-01")
    assert result.exit_code == 1, result.stderr
    plan = _plan(folder)
    assert plan["sections"] == [
        {"id": "一", "title": "推进主动公开"},
        {"id": "二", "title": "优化政务服务"},
    ]
    assert plan["tasks"] == [
        {"id": 1, "section": "一", "name": "及时公开镇级财政预决算信息",
         "content": "及时公开镇级财政预决算信息。", "units": ["党政办", "财政所"]},
        {"id": 2, "section": "一", "name": "做好惠民惠农补贴信息公开",
         "content": "做好惠民惠农补贴信息公开。", "units": ["党政办", "各村（居）"]},
        {"id": 3, "section": "二", "name": "公开便民服务事项清单和办事指南",
         "content": "公开便民服务事项清单和办事指南。", "units": ["社区事务受理服务中心"]},
        {"id": 4, "section": "二", "name": "做好热线诉求办理情况公开，回应群众关切",
         "content": "做好热线诉求办理情况公开，回应群众关切。",
         "units": ["党政办", "社区事务受理服务中心"],
         "notes": "责任单位原文：党政办、社区事务受理服务中心等"},
    ]  # fmt: skip
    err = result.stderr
    assert "  A 列“类别” → 部分（合并的“一、……”单元格）" in err
    assert "  B 列“工作任务” → 序号（表头“工作任务”跨两列，这一列只有序号）" in err
    assert "  C 列“工作任务” → 任务内容（唯一的任务文字列）" in err
    assert "表格没有时间节点列：任务的时间节点空着，记作“未明确时限”（没有编造日期）。" in err
    assert "表格没有单独的任务名称列：任务名称（name）取任务内容的第一句，请核对。" in err
    # A bare 等 invents no group member (issue 28): X is kept, the 等 stays in the notes.
    assert (
        "有 1 处责任单位写作“X等”：只记写明的单位，不添加统称，原文写入 notes：\n"
        "  任务 4：“社区事务受理服务中心等”\n"
    ) in err
    review = yaml.safe_load((folder / "units.review.yaml").read_text(encoding="utf-8"))
    groups = {g["name"]: g for g in review["groups"]}
    assert "各相关单位" not in groups
    assert groups["各村（居）"]["members"] == ["department"]


# --- a district: two header rows (责任单位 over 牵头单位 | 配合单位), sections written in the
# 任务名称 column merged down, numbers starting again in each section, an alias, 等相关部门 ----

DISTRICT = [
    ["序号", "任务名称", "任务内容", "责任单位", LEFT, "时间节点"],
    [UP, UP, UP, "牵头单位", "配合单位", UP],
    ["1", "一、深化重点领域公开", "做好重大建设项目批准和实施信息公开。", "区发改委", "各街镇", "全年"],
    ["2", UP, "推进财政预决算公开。", "区财政局", "各相关部门", "6月底前"],
    ["1", "二、提升政务服务水平", "优化政务服务事项公开。", "区府办", "区政务服务办、区发改委等相关部门", "11月底前"],
    ["2", UP, "公开12345热线办理情况。", "区政务服务办", "", "每季度"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_district_with_units_file(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"区.{fmt}", DISTRICT, ["附件2", "2024年某区政务公开工作要点任务分解表"]
    )
    folder = tmp_path / "district"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    result = _import(
        gk, source, folder, "--published", "2024-04-10", "--number", "某府办发〔2024〕1号",
        "--issuer", "某区人民政府办公室",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = _plan(folder)
    assert plan["sections"] == [
        {"id": "一", "title": "深化重点领域公开"},
        {"id": "二", "title": "提升政务服务水平"},
    ]
    assert plan["tasks"] == [
        {"id": 1, "section": "一", "name": "做好重大建设项目批准和实施信息公开",
         "content": "做好重大建设项目批准和实施信息公开。", "units": ["区发改委", "各街镇"],
         "deadline": "全年"},
        {"id": 2, "section": "一", "name": "推进财政预决算公开",
         "content": "推进财政预决算公开。", "units": ["区财政局", "各相关部门"],
         "deadline": "6月底前"},
        {"id": 3, "section": "二", "name": "优化政务服务事项公开",
         "content": "优化政务服务事项公开。",
         "units": ["区政府办公室", "区政务服务办", "区发改委", "各相关部门"],
         "deadline": "11月底前",
         "notes": "责任单位原文：区府办；区政务服务办、区发改委等相关部门"},
        {"id": 4, "section": "二", "name": "公开12345热线办理情况",
         "content": "公开12345热线办理情况。", "units": ["区政务服务办"], "deadline": "每季度"},
    ]  # fmt: skip
    err = result.stderr
    assert "表头在第 3、4 行" in err if fmt == "xlsx" else "表头在第 1、2 行" in err
    assert "  D 列“责任单位/牵头单位” → 责任单位（排在前面，第一个为牵头单位）" in err
    assert "  E 列“责任单位/配合单位” → 责任单位（配合，排在牵头单位之后）" in err
    assert (
        "  B 列“任务名称” → 部分（合并的“一、……”单元格）（这一列只有“一、……”这样的部分标题）" in err
    )
    assert "序号在各部分中重新开始：任务按表中顺序编为 1–4。" in err
    assert "  区府办 → 区政府办公室（任务 3）" in err
    assert not (folder / "units.review.yaml").exists()
    assert gk("validate", data=folder).exit_code == 0


# --- columns for no field, a row numbering the columns, an empty deadline cell ------------------

EXTRA = [
    ["序号", "任务名称", "任务内容", "责任单位", "完成时间", "联系人", "备注"],
    ["1", "2", "3", "4", "5", "6", "7"],
    ["1", "公开权力清单", "动态调整并公开权力清单。", "区司法局；区府办", "9月底前", "张三", "已部署"],
    ["2", "公开收费清单", "公开行政事业性收费目录清单。", "区发改委（牵头）\n区财政局", "", "", ""],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_extra_columns_are_kept_in_notes(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", EXTRA, ["2024年某区政务公开工作要点任务分解表"])
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    result = _import(gk, source, folder, "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    assert _tasks(folder) == [
        {"id": 1, "section": "一", "name": "公开权力清单", "content": "动态调整并公开权力清单。",
         "units": ["区司法局", "区政府办公室"], "deadline": "9月底前",
         "notes": "联系人：张三；备注：已部署"},
        {"id": 2, "section": "一", "name": "公开收费清单", "content": "公开行政事业性收费目录清单。",
         "units": ["区发改委", "区财政局"]},
    ]  # fmt: skip
    err = result.stderr
    assert (
        "  F 列“联系人” → 没有对应的项，文字写入 notes（如需另作他用，请用 --columns 指定）" in err
    )
    assert "  G 列“备注” → 备注（写入 notes）" in err
    assert "有 1 项任务的时间节点为空，记作“未明确时限”：任务 2。" in err
    row = 3 if fmt == "xlsx" else 2
    assert f"  第 {row} 行：列序号行" in err
    validate = gk("validate", data=folder)
    assert validate.exit_code == 0
    assert "任务 2 未明确时限" in validate.stderr


# --- header words no vocabulary knows: --columns ------------------------------------------------

ODD = [
    ["项", "做什么", "谁来做", "何时"],
    ["1", "公开权力清单。", "区司法局", "9月底前"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_by_hand(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", ODD, ["2024年某区政务公开工作要点任务分解表"])
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    refused = _import(gk, source, folder, "--published", "2024-04-10")
    assert refused.exit_code == 1
    assert "可用 --columns 指定各列" in refused.stderr
    result = _import(
        gk, source, folder, "--published", "2024-04-10",
        "--columns", "序号=A,任务内容=B,责任单位=C,时间节点=D",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _tasks(folder) == [
        {"id": 1, "section": "一", "name": "公开权力清单", "content": "公开权力清单。",
         "units": ["区司法局"], "deadline": "9月底前"},
    ]  # fmt: skip
    assert "  C 列“谁来做” → 责任单位（排在前面，第一个为牵头单位）（--columns）" in result.stderr


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("任务=B", "--columns：不认识“任务”"),
        ("任务内容", "--columns 的“任务内容”应写作 名称=列，如 任务内容=C。"),
        ("任务内容=3x", "--columns：“任务内容=3x”中的列应写作字母（A、B…）或序号（1、2…）。"),
        ("任务内容=B,任务名称=B", "--columns：列 B 同时给了任务内容和任务名称。"),
        ("任务内容=Z", "--columns 用到了列 Z，但文件中最宽的表格只有 4 列。"),
    ],
)
def test_columns_by_hand_errors(gk, tmp_path, given, message) -> None:
    source = BUILDERS["xlsx"](tmp_path / "t.xlsx", ODD, ["2024年某区政务公开工作要点任务分解表"])
    result = _import(gk, source, tmp_path, "--columns", given)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "tasks.yaml").exists()


# --- second-level headings, a Word table broken in two, empty columns -------------------------

NESTED = [
    ["序号", "工作任务", "责任单位", "完成时限", ""],
    ["一、深化主动公开", LEFT, LEFT, LEFT, LEFT],
    ["（一）重点领域", LEFT, LEFT, LEFT, LEFT],
    ["1", "公开财政预决算。", "区财政局", "全年", ""],
    ["（二）政策解读", LEFT, LEFT, LEFT, LEFT],
    ["2", "做好政策解读。", "区发改委", "全年", ""],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_second_level_headings_go_into_notes(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", NESTED, ["2024年某区政务公开工作要点任务清单"])
    folder = tmp_path / "nested"
    result = _import(gk, source, folder, "--published", "2024-04-10")
    plan = _plan(folder)
    assert plan["document"]["title"] == "2024年某区政务公开工作要点"
    assert plan["sections"] == [{"id": "一", "title": "深化主动公开"}]
    assert [(t["id"], t["section"], t.get("notes")) for t in plan["tasks"]] == [
        (1, "一", "小标题：（一）重点领域"),
        (2, "一", "小标题：（二）政策解读"),
    ]
    assert "有 2 行是部分之下的小标题，写入其下各项任务的 notes（“小标题：……”）：" in result.stderr
    assert " E 列" not in result.stderr  # an empty column is not worth a line
    # Without 一、… rows, （一）… rows are the sections.
    flat = [row for row in NESTED if row[0] != "一、深化主动公开"]
    source = BUILDERS[fmt](tmp_path / f"flat.{fmt}", flat, ["2024年某区政务公开工作要点任务分解表"])
    _import(gk, source, tmp_path / "flat", "--published", "2024-04-10")
    assert _plan(tmp_path / "flat")["sections"] == [
        {"id": "一", "title": "重点领域"},
        {"id": "二", "title": "政策解读"},
    ]


def test_word_table_broken_in_two(gk, tmp_path) -> None:
    """A paragraph typed into a long table splits it in Word: the second part is read on."""
    import docx

    source = BUILDERS["docx"](tmp_path / "t.docx", CITY[:4], CITY_ABOVE)
    document = docx.Document(str(source))
    document.add_paragraph("（续表）")
    rest = document.add_table(rows=0, cols=5)
    for row in (CITY[0], *CITY[4:]):
        cells = rest.add_row().cells
        for j, value in enumerate(row):
            cells[j].text = "" if value == LEFT else value
    document.add_paragraph("")
    other = document.add_table(rows=1, cols=2)
    other.cell(0, 0).text = "联系人"
    other.cell(0, 1).text = "张三"
    document.save(str(source))
    folder = tmp_path / "broken"
    result = _import(gk, source, folder, "--published", "2024-03-20")
    assert [t["id"] for t in _tasks(folder)] == [1, 2, 3, 4]
    assert [s["id"] for s in _plan(folder)["sections"]] == ["一", "二"]
    assert "文件中的表格分成了 2 段（列数相同），已接在一起导入。" in result.stderr
    assert "  第 3 个表格（1 行，开头是“联系人”）" in result.stderr


# --- a new office with no data at all: three commands ------------------------------------------


def test_first_draft_from_an_empty_folder(gk, tmp_path, monkeypatch) -> None:
    """import -> review units -> validate, in an empty folder (README 的“第一稿”)."""
    monkeypatch.chdir(tmp_path)
    source = BUILDERS["docx"](tmp_path / "镇.docx", TOWN, ["2024年某镇政务公开工作要点任务分解表"])
    result = gk("import", "镇.docx", "--published", "2024-04-01", data=None)
    assert result.exit_code == 1
    assert source.exists() and (tmp_path / "data" / "tasks.yaml").is_file()
    assert result.stderr.splitlines()[-1] == (
        "导入的计划还不能通过校验：请核对 data/units.review.yaml"
        "（单位名称、kind 类型、统称的 meaning 和 members）后改名为 data/units.yaml"
        "（mv data/units.review.yaml data/units.yaml），再运行 gkctl validate --data data 复查。"
    )
    shutil.move("data/units.review.yaml", "data/units.yaml")  # the review, accepted as it is
    validate = gk("validate", data=None)
    assert validate.exit_code == 0, validate.stdout + validate.stderr
    assert validate.stdout.startswith("数据有效：4 项任务，其中 4 项未明确时限，")
    due = gk("due", "--unit", "党政办", "--as-of", "2024-05-01", data=None)
    assert due.exit_code == 0
    assert "未明确时限（3）" in due.stdout


# --- the parts, directly -------------------------------------------------------------------------

_DIRECTORY = None


def _matcher() -> unitcells.Matcher:
    from gkctl.exchange.table import read_directory

    return unitcells.Matcher(read_directory(UNITS_YAML.encode(), "units.yaml"))


@pytest.mark.parametrize(
    ("cell", "units"),
    [
        ("区国资委、区滨海办", ["区国资委", "区滨海办"]),
        ("区经委，区科委；区文旅局", ["区经委", "区科委", "区文旅局"]),
        ("区经委,区科委;区文旅局", ["区经委", "区科委", "区文旅局"]),
        ("区科委\n区财政局", ["区科委", "区财政局"]),  # a unit per line
        ("区市场监\n管局、 区科委", ["区市场监管局", "区科委"]),  # a name wrapped over two lines
        ("区经委 区科委", ["区经委", "区科委"]),
        ("区经委\u3000区科委", ["区经委", "区科委"]),  # an ideographic space
        ("区 经委", ["区经委"]),
        ("办公室牵头，各科室配合", ["办公室", "各科室"]),
        ("各科室配合，办公室牵头", ["办公室", "各科室"]),
        ("区经委（牵头）、区科委", ["区经委", "区科委"]),
        ("区科委、区经委(牵头)", ["区经委", "区科委"]),
        ("牵头单位：区经委；配合单位：区科委、区财政局", ["区经委", "区科委", "区财政局"]),
        ("由区经委牵头，区科委参与", ["区经委", "区科委"]),
        ("区经委牵头\n区科委、区财政局配合", ["区经委", "区科委", "区财政局"]),
        ("区经委、区科委等", ["区经委", "区科委"]),
        ("区经委等相关部门", ["区经委", "各相关部门"]),
        ("区经委等部门", ["区经委", "各相关部门"]),
        ("各镇（办）", ["各镇（办）"]),
        ("区科委、区经委\n（牵头）", ["区经委", "区科委"]),
        ("区经委 (牵头)，区科委", ["区经委", "区科委"]),
        ("区府办", ["区政府办公室"]),  # an alias
        ("区府办、区政府办公室", ["区政府办公室"]),
        ("山阳镇 区府办", ["山阳镇", "区政府办公室"]),
        ("区发改\n委", ["区发改委"]),  # known joined: a wrap
    ],
)
def test_unit_cells(cell, units) -> None:
    assert unitcells.parse([cell], [], _matcher()).names == units


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("6月底前\n11月底前", "6月底前，11月底前"),
        ("6月底前完成初稿\n11月底前完成", "6月底前完成初稿，11月底前完成"),
        ("2024年12月\n底前", "2024年12月底前"),  # a wrap
        ("全年\n持续推进", "全年持续推进"),
        ("按市级\n部署", "按市级部署"),
    ],
)
def test_deadline_cells_over_lines(cell, text) -> None:
    assert taskrows.deadline_text(cell) == text


def test_unit_columns_lead_first() -> None:
    found = unitcells.parse(["区财政局"], ["区发改委、区府办"], _matcher())
    assert found.names == ["区财政局", "区发改委", "区政府办公室"]
    marked = unitcells.parse(["区财政局"], ["区发改委（牵头）"], _matcher())
    assert marked.names == ["区发改委", "区财政局"]  # a lead named in the 配合 column leads


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("序号", "id"), ("编 号", "id"), ("工作任务", "name"), ("重点任务", "name"),
        ("主要任务", "name"), ("工作事项", "name"), ("任务内容", "content"),
        ("具体要求", "content"), ("工作要求", "content"), ("具体工作要求", "content"),
        ("具体内容", "content"), ("工作内容", "content"), ("主要内容", "content"),
        ("具体措施", "content"), ("责任单位", "lead"), ("责任部门", "lead"), ("责任科室", "lead"),
        ("责任主体", "lead"), ("牵头单位", "lead"), ("配合单位", "co"), ("协办单位", "co"),
        ("参与单位", "co"), ("责任单位（配合）", "co"), ("时间节点", "deadline"),
        ("完成时限", "deadline"), ("时限要求", "deadline"), ("完成时间", "deadline"),
        ("时间安排", "deadline"), ("完成时限（2024年）", "deadline"), ("截止日期", "deadline"), ("备注", "notes"),
        ("任务分解表", None), ("联系人", None), ("", None),
    ],
)  # fmt: skip
def test_header_words(label, field) -> None:
    assert headers.field_of(label) == field


@pytest.mark.parametrize(
    ("text", "number", "rest"),
    [
        ("1.积极推进", 1, "积极推进"),
        ("12、积极推进", 12, "积极推进"),
        ("（3）积极推进", 3, "积极推进"),
        ("(3) 积极推进", 3, "积极推进"),
        ("②积极推进", 2, "积极推进"),
        ("2024年底前完成", None, "2024年底前完成"),
        ("1.5倍", None, "1.5倍"),
    ],
)
def test_typed_numbers(text, number, rest) -> None:
    assert taskrows.typed_number(text) == (number, rest)


def test_layout_reads_spans_and_second_header_row() -> None:
    rows = ((1, ("序号", "任务名称", "任务内容", "责任单位", "责任单位", "时间节点")),
            (2, ("序号", "任务名称", "任务内容", "牵头单位", "配合单位", "时间节点")),
            (3, ("1", "名称", "内容", "区经委", "区科委", "全年")))  # fmt: skip
    layout = headers.find_layout(Sheet("t", rows).rows)
    assert layout is not None
    assert layout.header == (0, 1)
    assert [c.field for c in layout.columns] == ["id", "name", "content", "lead", "co", "deadline"]
    assert loader  # the module the import validates with


# --- any table: tasks or a clear message, never a crash ----------------------------------------

_WORDS = [
    "", "", "序号", "工作任务", "具体要求", "责任单位", "牵头单位", "配合单位", "完成时限", "备注",
    "一、公开", "二、解读", "1", "2", "（3）", "1.做好公开。", "区经委、区科委", "区府办牵头，各科室配合",
    "区科委\n区财政局", "区经委等", "全年", "11月底前", "注：说明", "待定", "类别", "十、",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    grid=st.lists(
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6), min_size=1, max_size=8
    ),
    hand=st.none() | st.just({"content": 1, "lead": 2}),
)
def test_any_table_reads_or_says_why(grid, hand) -> None:
    from gkctl.core.errors import GkctlError

    rows = tuple((n, tuple(cells)) for n, cells in enumerate(grid, start=1))
    try:
        imported = taskrows.read_sheets([Sheet("t.xlsx", rows)], "t.xlsx", hand)
    except GkctlError as exc:
        assert exc.message
        return
    layout = imported.report.layout if imported.report is not None else None
    # A table without a unit column imports with its units to fill; any other has them.
    unit_column = layout is None or bool(layout.all("lead") or layout.all("co"))
    for task in imported.tasks:
        assert task.id > 0 and task.name and task.content
        assert task.units or not unit_column
        assert task.section in {s.id for s in imported.sections}


# --- the section's number in the 序号 column, its title beside it ------------------------------

NUMERAL = [
    ["序号", "主要任务", "工作措施", "责任单位", "完成时限"],
    ["一", "推进决策公开", "", "", ""],
    ["1", "完善目录", "公开重大行政决策事项目录。", "区司法局", "3月底前"],
    ["二", "深化解读", "", "", ""],
    ["2", "政策解读", "做好解读。", "区府办、区发改委", "持续推进"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_section_number_in_the_number_column(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](tmp_path / f"t.{fmt}", NUMERAL, ["2024年某区政务公开工作要点任务分解表"])
    folder = tmp_path / "numeral"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    result = _import(gk, source, folder, "--published", "2024-04-10")
    assert result.exit_code == 0, result.stderr
    plan = _plan(folder)
    assert plan["sections"] == [
        {"id": "一", "title": "推进决策公开"},
        {"id": "二", "title": "深化解读"},
    ]
    assert [(t["id"], t["section"], t["name"], t["units"]) for t in plan["tasks"]] == [
        (1, "一", "完善目录", ["区司法局"]),
        (2, "二", "政策解读", ["区政府办公室", "区发改委"]),
    ]


# --- issue 28: headings numbered in the 序号 column, text in it, header words by meaning -----
# (a made-up county bureau's and a made-up development zone's tables, in shapes seen in
# published ones: not real data)

NUMBERED_HEADINGS = [
    ["序号", "目标任务", "任务举措", "承办科室", "协办科室", "完成时限"],
    ["1", "深化重点领域信息公开", "", "", "", ""],
    ["（1）", "推进规划信息公开", "及时公开规划批前公示。", "规划科", "", "全年"],
    ["（2）", "做好许可信息公开", "按时公开规划许可。", "用地科", "办公室", "6月底前"],
    ["2", "加强政策解读", LEFT, LEFT, LEFT, LEFT],
    ["2.1", "同步解读政策", "政策文件与解读同步公开。", "法规科", "", "持续推进"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_headings_numbered_in_the_number_column(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"县局.{fmt}", NUMBERED_HEADINGS, ["2024年某县自然资源局政务公开工作任务分解表"]
    )
    folder = tmp_path / "county"
    result = _import(gk, source, folder, "--published", "2024-03-01")
    assert result.exit_code == 1, result.stderr  # its units are in no units.yaml
    plan = _plan(folder)
    assert plan["sections"] == [
        {"id": "一", "title": "深化重点领域信息公开"},
        {"id": "二", "title": "加强政策解读"},
    ]
    assert plan["tasks"] == [
        {"id": 1, "section": "一", "name": "推进规划信息公开", "content": "及时公开规划批前公示。",
         "units": ["规划科"], "deadline": "全年"},
        {"id": 2, "section": "一", "name": "做好许可信息公开", "content": "按时公开规划许可。",
         "units": ["用地科", "办公室"], "deadline": "6月底前"},
        {"id": 3, "section": "二", "name": "同步解读政策", "content": "政策文件与解读同步公开。",
         "units": ["法规科"], "deadline": "持续推进"},
    ]  # fmt: skip
    err = result.stderr
    assert "  B 列“目标任务” → 任务名称" in err
    assert "  C 列“任务举措” → 任务内容" in err
    assert "  D 列“承办科室” → 责任单位（排在前面，第一个为牵头单位）" in err
    assert "  E 列“协办科室” → 责任单位（配合，排在牵头单位之后）" in err
    top = 3 if fmt == "xlsx" else 2  # the title is a merged row in Excel, a paragraph in Word
    assert (
        "有 2 行是没有写作“一、……”的部分标题，作为部分导入：\n"
        f"  第 {top} 行：1 深化重点领域信息公开\n  第 {top + 3} 行：2 加强政策解读\n"
    ) in err
    assert "序号在各部分中重新开始：任务按表中顺序编为 1–3。" in err


TEXT_IN_NUMBER_COLUMN = [
    ["序号", "工作事项", "事项内容", "负责处室", "时间节点"],
    ["政务公开平台", "", "", "", ""],
    ["1", "网站管理", "做好网站内容保障。", "办公室", "全年"],
    ["（一）依申请公开", LEFT, LEFT, LEFT, LEFT],
    ["2.规范办理", "", "严格依法办理申请。", "法规处", "全年"],
    ["3", "答复审核", "答复前做好审核。", "法规处", "持续推进"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_in_the_number_column(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"园区.{fmt}", TEXT_IN_NUMBER_COLUMN, ["2024年某开发区政务公开工作任务分解表"]
    )
    folder = tmp_path / "zone"
    result = _import(gk, source, folder, "--published", "2024-03-01")
    assert result.exit_code == 1, result.stderr
    plan = _plan(folder)
    assert plan["sections"] == [
        {"id": "一", "title": "政务公开平台"},
        {"id": "二", "title": "依申请公开"},
    ]  # （一）… is the top level where the table has no 一、… heading
    assert plan["tasks"] == [
        {"id": 1, "section": "一", "name": "网站管理", "content": "做好网站内容保障。",
         "units": ["办公室"], "deadline": "全年"},
        {"id": 2, "section": "二", "name": "规范办理", "content": "严格依法办理申请。",
         "units": ["法规处"], "deadline": "全年"},
        {"id": 3, "section": "二", "name": "答复审核", "content": "答复前做好审核。",
         "units": ["法规处"], "deadline": "持续推进"},
    ]  # fmt: skip
    assert "不是正整数" not in result.stderr
    assert "  B 列“工作事项” → 任务名称" in result.stderr
    assert "  C 列“事项内容” → 任务内容" in result.stderr
    assert "  D 列“负责处室” → 责任单位（排在前面，第一个为牵头单位）" in result.stderr


RESTARTED = [
    ["序号", "工作任务", "具体要求", "责任单位"],
    ["1", "公开权力清单", "按时公开权力清单。", "区司法局"],
    ["2", "公开财政预算", "公开部门预算。", "区财政局"],
    ["1", "公开决策草案", "公开重大决策草案。", "区发改委"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_may_leave_the_number_column_out(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"t.{fmt}", RESTARTED, ["2024年某区政务公开工作要点任务分解表"]
    )
    folder = tmp_path / "restarted"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    refused = _import(gk, source, folder, "--published", "2024-04-10")
    assert refused.exit_code == 1
    assert "序号 1 重复" in refused.stderr
    result = _import(
        gk, source, folder, "--published", "2024-04-10",
        "--columns", "任务名称=B,任务内容=C,责任单位=D",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [(t["id"], t["name"], t["units"]) for t in _tasks(folder)] == [
        (1, "公开权力清单", ["区司法局"]),
        (2, "公开财政预算", ["区财政局"]),
        (3, "公开决策草案", ["区发改委"]),
    ]
    assert "  A 列“序号” → 不导入（--columns 没有给序号，任务另行编号）" in result.stderr
    assert "没有序号列：任务按表中顺序编为 1–3。" in result.stderr


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("目标任务", "name"), ("年度重点任务", "name"), ("具体工作事项", "name"),
        ("工作任务名称", "name"), ("任务举措", "content"), ("主要工作举措", "content"),
        ("事项内容", "content"), ("具体工作措施", "content"), ("负责科室", "lead"),
        ("承办处室", "lead"), ("主办部门", "lead"), ("牵头处室", "lead"),
        ("负责单位（部门）", "lead"), ("配合科室", "co"), ("协办处室", "co"),
        ("责任领导", None), ("分管领导", None), ("单位", None), ("工作", None),
    ],
)  # fmt: skip
def test_header_words_by_meaning(label, field) -> None:
    assert headers.field_of(label) == field


# --- notes keep a cell's lines (a made-up district's table, not real data) ---------------------

CONTACTS = [
    ["序号", "任务名称", "任务内容", "责任单位", "联系电话", "备注"],
    ["1", "公开预算", "公开部门预算。", "区财政局", "57921234\n57925678", "第一行\n第二行"],
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_notes_keep_the_lines_of_a_cell(gk, tmp_path, fmt) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"t.{fmt}", CONTACTS, ["2024年某区政务公开工作要点任务分解表"]
    )
    folder = tmp_path / "contacts"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    result = _import(gk, source, folder)
    assert result.exit_code == 0, result.stderr
    (task,) = _tasks(folder)
    assert task["notes"] == "联系电话：57921234\n57925678；备注：第一行\n第二行"


# --- a header with nothing under it: refused, nothing written (review of issue 28 item 2) ------

HEADER = ["序号", "工作任务", "责任单位", "时间节点"]
NOTHING_UNDER = {
    "only_header": [HEADER],
    "only_header_no_units": [["序号", "工作任务", "时间节点"]],
    "empty_rows_no_units": [["序号", "工作任务", "时间节点"], ["", "", ""], ["", "", ""]],
    "merged_rows": [HEADER, ["一、加强政策解读", LEFT, LEFT, LEFT], ["二、回应关切", LEFT, LEFT, LEFT]],
}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", sorted(NOTHING_UNDER))
def test_a_header_without_task_rows_is_refused(gk, tmp_path, fmt, shape) -> None:
    source = BUILDERS[fmt](
        tmp_path / f"t.{fmt}", NOTHING_UNDER[shape], ["2026年某区政务公开工作要点任务分解表"]
    )
    folder = tmp_path / "out"
    folder.mkdir()
    result = _import(gk, source, folder)
    assert result.exit_code == 1
    header_row = 2 if fmt == "xlsx" else 1  # Excel has the title in a row of its own
    assert result.stderr == (
        f"{source}：表头在第 {header_row} 行，其下没有任务行（只有空行或部分标题），未导入。"
        "请确认选的是任务分解表，任务行写在表头之下。\n"
    )
    assert list(folder.iterdir()) == []  # neither tasks.yaml nor units.review.yaml
