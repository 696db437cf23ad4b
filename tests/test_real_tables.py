"""Real 任务分解表 of other governments (tests/realtables.py), imported as Word and as Excel
and checked field by field: sequence, section, name, content, units (lead first), deadline,
notes, and the plan's title and year."""

from pathlib import Path

import pytest
import yaml

from gkctl.exchange import headers, taskrows, unitcells
from tests.realtables import (
    CHIZHOU,
    DAZHU,
    HUOSHAN,
    JIANGMEN,
    JINGZHOU,
    KAIHUA,
    SHAOXING,
    TABLES,
    WEIFANG,
    ZHUJI,
    RealTable,
)
from tests.tablebuild import BUILDERS

FORMATS = ["docx", "xlsx"]


def _import(gk, tmp_path: Path, table: RealTable, fmt: str, *args: str):
    source = BUILDERS[fmt](tmp_path / f"{table.key}.{fmt}", table.grid, table.above)
    empty = tmp_path / "no-data"
    empty.mkdir(exist_ok=True)
    out = tmp_path / "plan" / "tasks.yaml"
    result = gk("import", str(source), "-o", str(out), *args, data=empty)
    plan = yaml.safe_load(out.read_text(encoding="utf-8")) if out.exists() else None
    return result, plan


def _rows(plan) -> list[tuple[object, ...]]:
    return [
        (
            t["id"],
            t["section"],
            t["name"],
            t["content"],
            t["units"],
            t.get("deadline"),
            t.get("notes"),
        )
        for t in plan["tasks"]
    ]


def test_every_table_names_its_source() -> None:
    for table in [*TABLES, KAIHUA]:
        assert table.source and (table.url is None or table.url.startswith("http"))
        assert "摘录" in table.source or "全表" in table.source  # an excerpt says so


@pytest.mark.parametrize("fmt", FORMATS)
def test_bureau_with_the_task_name_left_of_the_number(gk, tmp_path, fmt) -> None:
    # No title and no year on the page: the office gives the year it knows.
    result, plan = _import(gk, tmp_path, CHIZHOU, fmt, "--year", "2024")
    assert result.exit_code == 1, result.stderr  # its units are not in a units.yaml yet
    assert (plan["document"]["title"], plan["document"]["year"]) == (CHIZHOU.key, 2024)
    assert plan["sections"] == [{"id": "一", "title": "待填写"}]
    content = [row[2] for row in CHIZHOU.grid[1:]]
    assert _rows(plan) == [
        (1, "一", "强化行政规范性文件集中规范公开", content[0], ["办公室"], "年底前", None),
        (2, "一", "深化政策解读形式", content[1], ["各科室"], "持续推进", None),
        (3, "一", "做好主动公开基础工作", content[2], ["各科室"], "持续推进", None),
        (4, "一", "做好主动公开基础工作", content[3], ["办公室"], "持续推进", None),
        (5, "一", "规范办理依申请公开", content[4], ["各科室"], "持续推进", None),
        (6, "一", "认真抓好工作落实", content[5], ["办公室"], "持续推进", None),
        (7, "一", "加强宣传", content[6], ["各科室"], "持续推进", None),
        (8, "一", "做好指导监督", content[7], ["办公室"], "持续推进", None),
    ]  # fmt: skip
    assert "  A 列“工作任务” → 任务名称" in result.stderr
    assert "  B 列“序号” → 序号" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_county_livelihood_projects(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, DAZHU, fmt)
    assert result.exit_code == 1, result.stderr
    assert (plan["document"]["title"], plan["document"]["year"]) == ("2016年民生实事", 2016)
    assert "  B 列“民生实事” → 任务内容（唯一的任务文字列）" in result.stderr
    assert _rows(plan) == [
        (1, "一", "启动建设东柳河城区段综合治理工程和东湖湿地公园",
         "启动建设东柳河城区段综合治理工程和东湖湿地公园。", ["县水务局", "县住建局", "县护城河指挥部"],
         "12月底前", None),
        (2, "一", "新建2座人行天桥", "新建2座人行天桥。", ["县住建局"], "9月投入使用", None),
        (3, "一", "启动县图书馆新馆建设", "启动县图书馆新馆建设。", ["县文体广新局", "县代建中心"],
         "12月底前", None),
        (4, "一", "建成县残疾人综合服务中心", "建成县残疾人综合服务中心。", ["县残联"], "5月底前动工",
         None),
        # Item 5 has two rows under one number: two milestones, not 5月底前动工12月底前.
        (5, "一", "开工建设县老年养护楼", "开工建设县老年养护楼。开工建设老年大学。", ["县民政局"],
         "5月底前动工，12月底前", None),
        (6, "一", "迁建县政务服务中心", "迁建县政务服务中心。", ["县政务服务中心", "县代建中心"],
         "12月底前", None),
        (7, "一", "加快推进土地滩水库建设", "加快推进土地滩水库建设。", ["县水务局"], "12月底前", None),
        (8, "一", "启动大竹县第十二小学建设,新建中心幼儿园2所",
         "启动大竹县第十二小学建设,新建中心幼儿园2所。", ["县教科局", "县代建中心"], "12月底前", None),
        (9, "一", "完成棚户区改造2836户", "完成棚户区改造2836户。", ["县住建局"], "12月底前", None),
        (10, "一", "城区再新建1个农贸市场", "城区再新建1个农贸市场。", ["县商务局"], "12月底前", None),
    ]  # fmt: skip
    assert "无法识别" not in result.stderr  # every deadline reads, 9月投入使用 included


@pytest.mark.parametrize("fmt", FORMATS)
def test_centre_with_sections_in_the_task_column(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, JIANGMEN, fmt, "--year", "2024")
    assert result.exit_code == 1, result.stderr
    assert plan["sections"] == [
        {"id": "一", "title": "做好财政信息公开"},
        {"id": "二", "title": "做好政府网站专栏信息公开"},
        {"id": "三", "title": "持续加强重大政策发布解读"},
        {"id": "四", "title": "不断改进政策解读工作方式"},
        {"id": "五", "title": "切实增强回应关切效果"},
    ]
    # The number at the start of each requirement is the task's, taken off its text.
    content = [row[1].split(".", 1)[1] for row in JIANGMEN.grid[1:]]
    assert _rows(plan) == [
        (1, "一", "积极推进本中心预算、决算及相关报表公开", content[0], ["财务科"], None, None),
        (2, "二", "及时更新网站频道的各类型概况信息", content[1], ["办公室"], None, None),
        (3, "二", "及时反馈网民对调查征集信息的意见", content[2], ["各科室"], None, None),
        (4, "二", "及时更新微信公众号信息", content[3], ["办公室", "各科室"], None, None),
        (5, "三", "聚焦我中心工作,切实加强重大政策实施的发布解读", content[4], ["各科室"], None, None),
        (6, "三", "综合运用新闻发布会、在线访谈、图文动画、短视频等形式", content[5], ["各科室"], None,
         None),
        (7, "四", "按照《江门市政府系统政策解读工作细则(试行)》相关要求", content[6],
         ["办公室", "各科室"], None, None),
        (8, "四", "加强政策咨询服务", content[7], ["各科室"], None, None),
        (9, "四", "加强内部协调工作,修订本单位政府信息公开指南,明确对外告知政府信息公开渠道",
         content[8], ["办公室", "各科室"], None, None),
        (10, "五", "密切关注涉及土地储备等方面的舆情并及时作出回应,助力防范化解重大风险", content[9],
         ["各科室"], None, None),
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_city_with_two_heading_columns_and_units_that_carry_it_out(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, JINGZHOU, fmt)
    assert result.exit_code == 1, result.stderr
    assert (plan["document"]["title"], plan["document"]["year"]) == ("2022年政务公开", 2022)
    assert plan["sections"] == [{"id": "一", "title": "以公开助力经济平稳健康发展"}]
    content = [row[3] for row in JINGZHOU.grid[1:]]
    # 负责落实 restates the column's meaning: the units stay in the order written.
    units = ["市政府各有关部门", "各县市区人民政府", "功能区管委会"]
    assert _rows(plan) == [
        (1, "一", "加强涉及市场主体的信息公开", content[0], units, "持续推进", None),
        (2, "一", "加强涉及市场主体的信息公开", content[1], units, "持续推进", None),
    ]
    assert "  C 列“具体要求” → 序号（表头“具体要求”跨两列，这一列只有序号）" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_city_plan_with_units_that_lead_it(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, WEIFANG, fmt)
    assert result.exit_code == 1, result.stderr
    title = "潍坊市2017年政务公开工作要点实施方案"
    assert (plan["document"]["title"], plan["document"]["year"]) == (title, 2017)
    assert plan["sections"] == [{"id": "一", "title": "以政务公开助力稳增长"}]
    content = [row[2] for row in WEIFANG.grid[1:]]
    note = "责任单位原文：市金融办、人民银行潍坊市中心支行、潍坊银监分局分别牵头落实"
    assert _rows(plan) == [
        (1, "一", "加强预期引导", content[0], ["市发改委"], None, None),
        (2, "一", "加强预期引导", content[1], ["市人社局"], None, None),
        (3, "一", "加强预期引导", content[2], ["市金融办", "人民银行潍坊市中心支行", "潍坊银监分局"],
         None, note),
        (4, "一", "加强预期引导", content[3], ["市财政局"], None, None),
    ]  # fmt: skip
    assert "没有序号列：任务按表中顺序编为 1–4。" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_city_progress_report_with_a_column_of_what_was_done(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, SHAOXING, fmt)
    assert result.exit_code == 1, result.stderr  # 市发改委 is not in a units.yaml yet
    assert (plan["document"]["title"], plan["document"]["year"]) == (SHAOXING.key, 2020)
    # 内容与要求: two words for the content joined, read by what they mean.
    assert "  B 列“内容与要求” → 任务内容\n" in result.stderr
    assert "  C 列“进展情况” → 没有对应的项，文字写入 notes" in result.stderr
    content = [row[1] for row in SHAOXING.grid[1:]]
    progress = [f"进展情况：{row[2]}" for row in SHAOXING.grid[1:]]
    # The name is the first sentence, cut at a comma outside the quotation marks.
    assert _rows(plan) == [
        (1, "一", "坚持“稳开稳走,提质提效”的总体态势", content[0], ["市发改委"], None, progress[0]),
        (2, "一", "持续推进重大项目攻坚", content[1], ["市发改委"], None, progress[1]),
        (3, "一", "聚焦重点领域编制培育发展新兴产业新三年行动计划", content[2], ["市发改委"], None,
         progress[2]),
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_zone_list_with_the_leader_in_charge(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, HUOSHAN, fmt)
    assert result.exit_code == 1, result.stderr
    # …重点工作及责任清单: the title is what stands before 责任清单, without the 及.
    assert (plan["document"]["title"], plan["document"]["year"]) == ("2025年开发区重点工作", 2025)
    # The leader is a person: kept in the notes with the column's label, not a unit.
    assert "  C 列“责任领导” → 没有对应的项，文字写入 notes" in result.stderr
    content = [row[1] for row in HUOSHAN.grid[1:]]
    assert _rows(plan) == [
        (1, "一", "坚持服务跟着项目走", content[0], ["招商工作部", "安商工作部"], "全年",
         "责任领导：叶林"),
        (2, "一", "全力推进开发区“空间再造”", content[1], ["改革办"], "全年", "责任领导：马振明"),
        (3, "一", "持续提升园区承载能力", content[2], ["规划建设局"], "全年", "责任领导：张云峰"),
    ]  # fmt: skip
    assert "无法识别" not in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_city_targets_with_the_lead_unit_marked(gk, tmp_path, fmt) -> None:
    result, plan = _import(gk, tmp_path, ZHUJI, fmt)
    assert result.exit_code == 1, result.stderr
    # …主要目标任务分解清单: the title is the report's name, the year from it.
    title = "2023年《政府工作报告》"
    assert (plan["document"]["title"], plan["document"]["year"]) == (title, 2023)
    assert "  A 列“分块” → 部分" in result.stderr
    # ▲ marks the lead unit: it comes first, without the mark; the rest as written.
    towns = "各镇乡(街道)"
    units = [
        ["发改局", "各部门", towns], ["税务局", "财政局", towns], ["科技局", towns],
        ["发改局", "各部门", towns], ["商务局", towns], ["商务局", towns],
        ["发改局", "各部门", towns], ["发改局", "生态环境分局", towns],
        ["经信局", "相关部门", towns],
    ]  # fmt: skip
    content = [row[2] for row in ZHUJI.grid[1:]]
    names = [*content[:8], "紧扣创成“浙江制造天工鼎”目标"]
    assert _rows(plan) == [
        (n, "一", names[n - 1], content[n - 1], units[n - 1], None, None) for n in range(1, 10)
    ]
    assert not any("▲" in name for task in plan["tasks"] for name in task["units"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_without_a_unit_column_imports_with_units_to_fill(gk, tmp_path, fmt) -> None:
    # A county's list of its own work names no unit: its tasks are imported with their
    # units left to fill (as a 要点 without brackets), and validate names each one.
    result, plan = _import(gk, tmp_path, KAIHUA, fmt)
    assert result.exit_code == 1, result.stderr
    assert (plan["document"]["title"], plan["document"]["year"]) == (KAIHUA.key, 2023)
    content = [row[1] for row in KAIHUA.grid[1:]]
    deadline = [row[2] for row in KAIHUA.grid[1:]]
    notes = [f"进展情况：{row[3]}；完成情况：{row[4]}" for row in KAIHUA.grid[1:]]
    assert _rows(plan) == [
        (1, "一", "启动新安综合体建设", content[0], [], deadline[0], notes[0]),
        (2, "一", "以更加开放的姿态,支持银行、证券、保险业发展,壮大金融服务业", content[1], [],
         deadline[1], notes[1]),
    ]  # fmt: skip
    assert "  C 列“进度安排” → 时间节点" in result.stderr
    assert (
        "表格没有责任单位列：各项任务的责任单位（units）留空待填（没有编造单位）。" in result.stderr
    )
    assert "有 2 项任务在表格中没有责任单位，units 留空待填：任务 1、2。" in result.stderr
    assert "无法识别" not in result.stderr  # the numbered milestones read as deadlines
    checked = gk("validate", data=tmp_path / "plan")
    assert checked.exit_code == 1
    for task in (1, 2):
        assert f"任务 {task} 的责任单位（units）不能为空" in checked.stdout, checked.stdout


def test_a_table_with_its_unit_column_wins_over_one_without(gk, tmp_path) -> None:
    # Word: the 开化 list and, after it, a table with a 责任单位 column: the second is read.
    import docx

    from tests.tablebuild import build_docx

    first = build_docx(tmp_path / "a.docx", KAIHUA.grid, KAIHUA.above)
    second = build_docx(tmp_path / "b.docx", CHIZHOU.grid)
    merged = docx.Document(str(first))
    for table in docx.Document(str(second)).tables:
        merged.element.body.append(table._tbl)
    merged.save(str(tmp_path / "both.docx"))
    empty = tmp_path / "no-data"
    empty.mkdir()
    out = tmp_path / "plan" / "tasks.yaml"
    result = gk("import", str(tmp_path / "both.docx"), "-o", str(out), data=empty)
    assert result.exit_code == 1, result.stderr
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [t["units"] for t in plan["tasks"]][:2] == [["办公室"], ["各科室"]]
    assert "表格没有责任单位列" not in result.stderr


@pytest.mark.parametrize(
    ("cell", "units"),
    [
        ("市发改委牵头落实", [("市发改委", unitcells.LEAD)]),
        (
            "市金融办、人民银行潍坊市中心支行、潍坊银监分局分别牵头落实",
            [(n, unitcells.LEAD) for n in ("市金融办", "人民银行潍坊市中心支行", "潍坊银监分局")],
        ),
        # 负责落实 says what the 责任单位 column says: no role, the order as written.
        (
            "市政府各有关部门,各县市区人民政府、功能区管委会负责落实",
            [
                (n, unitcells.PLAIN)
                for n in ("市政府各有关部门", "各县市区人民政府", "功能区管委会")
            ],
        ),
        ("办公室负责，各科室配合", [("办公室", unitcells.LEAD), ("各科室", unitcells.CO)]),
        ("县民政局\n县代建中心", [("县民政局", unitcells.PLAIN), ("县代建中心", unitcells.PLAIN)]),
        # ▲ marks the lead (the table's note says so): 诸暨 2023.
        (
            "▲发改局,生态环境分局,各镇乡(街道)",
            [
                ("发改局", unitcells.LEAD),
                ("生态环境分局", unitcells.PLAIN),
                ("各镇乡(街道)", unitcells.PLAIN),
            ],
        ),
    ],
)
def test_role_words_that_say_what_is_done(cell, units) -> None:
    assert unitcells.read_cell(cell, lambda _: False) == units


@pytest.mark.parametrize(
    ("label", "field"),
    [("民生实事", "name"), ("重大实事", "name"), ("实事名称", "name"), ("民生实事内容", "content")],
)
def test_a_practical_matter_is_a_task(label, field) -> None:
    assert headers.field_of(label) == field


@pytest.mark.parametrize(
    ("before", "after", "joined"),
    [
        ("5月底前动工", "12月底前", "5月底前动工，12月底前"),
        ("2024年12月", "底前", "2024年12月底前"),  # a cell wrapped over a page break
        ("", "全年", "全年"),
    ],
)
def test_deadline_of_a_second_row(before, after, joined) -> None:
    assert taskrows.join_deadline(before, after) == joined
