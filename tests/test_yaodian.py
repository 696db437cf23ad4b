"""The 要点 as a document (issue 28, item 4, first part): numbered items under 一、/（一）
headings, units and deadlines in brackets, read into sections and items."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.exchange import unitcells
from gkctl.exchange.unitcells import CO, LEAD, PLAIN
from gkctl.exchange.yaodian import brackets, read_body, squeeze
from gkctl.store import loader
from tests.conftest import DATA, FIXTURES
from tests.test_data import SEED


@pytest.mark.skipif(not SEED.exists(), reason="the seed document lives in ../shared")
def test_the_bundled_body_reads_as_the_bundled_plan() -> None:
    """The body of the seed text: 75 items whose text and sections are the bundled plan's
    `text` and sections; it names no units (they are in its table), so none are made up."""
    body = read_body(SEED.read_text(encoding="utf-8").splitlines())
    plan = loader.load(DATA).plan
    assert body.sections == plan.sections
    assert [(i.id, i.section, i.text) for i in body.items] == [
        (t.id, t.section, t.text) for t in plan.tasks
    ]
    assert all(i.units == () and i.deadline == "" for i in body.items)
    assert body.items[0].subheading == "围绕落实重大战略任务做好信息公开"


# A made-up county's 要点 in the form several districts publish (not a real document): the
# units in brackets after each item, a deadline on some, wraps and a page number between.
MADE_UP = """\
某县2024年政务公开工作要点

一、深化重点领域公开
（一）财政信息公开
1.做好预决算公开，公开率达到
100%。（责任单位：县财政局、各有关单位、各乡镇）（完成时限：6 月底前）

- 2 -

2.推进 API 接口开放，数据量增长1.5倍。（责任单位：县数据局）
二、加强解读回应
3.做好政策解读。
附件：任务分解表
4.这一行在附件中，不读。（责任单位：县政府办）
"""


def test_items_with_units_in_brackets() -> None:
    body = read_body(MADE_UP.splitlines())
    assert [(s.id, s.title) for s in body.sections] == [
        ("一", "深化重点领域公开"),
        ("二", "加强解读回应"),
    ]
    assert [(i.id, i.section, i.subheading, i.text, i.units, i.deadline) for i in body.items] == [
        (1, "一", "财政信息公开", "做好预决算公开，公开率达到100%。",
         ("县财政局", "各有关单位", "各乡镇"), "6月底前"),
        (2, "一", "财政信息公开", "推进API接口开放，数据量增长1.5倍。", ("县数据局",), ""),
        (3, "二", "", "做好政策解读。", (), ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("2024 年", "2024年"),
        ("7.0 版", "7.0版"),
        ("Windows 11 系统", "Windows 11系统"),
        (" 1 次 ", "1次"),
    ],
)
def test_squeeze(raw, text) -> None:
    assert squeeze(raw) == text


# --- gkctl import of a 要点 without a table ------------------------------------------------------

REAL = FIXTURES / "yaodian"  # transcribed from published pages; sources in its README.md


def _docx(path: Path, lines: list[str]) -> Path:
    """The text as a Word file, one paragraph a line, as an office saves a 要点."""
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _source(tmp_path: Path, text_file: Path, fmt: str) -> Path:
    if fmt == "docx":
        return _docx(tmp_path / f"{text_file.stem}.docx", text_file.read_text("utf-8").splitlines())
    return text_file


def _imported(gk, source: Path, out: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    result = gk("import", str(source), "-o", str(out), *args)
    assert "Traceback" not in result.stderr
    return result, yaml.safe_load(out.read_text(encoding="utf-8"))


# Each item's units in the order the brackets give them (牵头单位 first, as gkctl keeps a
# lead), and the document facts the notice above the 要点 states.
REAL_PLANS = {
    "ganzhou-2023.txt": (
        ("赣州市2023年政务公开工作方案", None, date(2023, 5, 30), 2023),
        [("二", "重点工作任务")],
        [(1, "二", "聚焦高质量发展深化政务公开", ["市政府各部门", "各县(市、区)人民政府"])],
    ),
    "xunyang-2023.txt": (
        ("2023年浔阳区政务公开工作要点", None, date(2023, 9, 4), 2023),
        [("一", "紧扣工作重点,加强主动公开")],
        [
            (1, "一", "做好重大战略部署落实情况信息公开", [
                "区发改委", "区工信局", "区商务局", "区住建局", "区政府各相关部门", "各街道",
                "区自然资源局", "区生态环境局", "区城管局", "区农水局", "区文新旅局",
                "区国资中心", "区政府办",
            ]),
        ],
    ),
    "nanchang-jingkai-2023.txt": (
        ("2023年经开区政务公开工作要点", "洪经管办发〔2023〕6号", date(2023, 8, 2), 2023),
        [("一", "深化政务信息公开工作")],
        [
            (1, "一", "强化重大战略部署落实情况信息公开", [
                "临空经济区(空港新城)事务中心", "各镇人民政府", "街道办事处", "管理处",
                "区机关各部门", "驻区各单位", "区属企业",
            ]),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["txt", "docx"])
@pytest.mark.parametrize("name", sorted(REAL_PLANS))
def test_a_published_yaodian_imports_with_each_items_units_in_order(
    gk, tmp_path: Path, name: str, fmt: str
) -> None:
    (title, number, published, year), sections, tasks = REAL_PLANS[name]
    out = tmp_path / "plan" / "tasks.yaml"
    result, plan = _imported(gk, _source(tmp_path, REAL / name, fmt), out)
    # Their units are not Jinshan's: listed for review, as a table's would be.
    assert result.exit_code == 1
    assert "按要点正文读取" in result.stderr
    assert (tmp_path / "plan" / "units.review.yaml").is_file()
    doc = plan["document"]
    assert (doc["title"], doc.get("published"), doc["year"]) == (title, published, year)
    assert doc["number"] == (number or "待填写")
    assert [(s["id"], s["title"]) for s in plan["sections"]] == sections
    assert [(t["id"], t["section"], t["name"], t["units"]) for t in plan["tasks"]] == tasks
    # The text is the item's own, the brackets out of it.
    for task in plan["tasks"]:
        assert task["text"] == task["content"]
        assert "责任单位" not in task["text"] and task["text"].endswith("信息公开。")


# Three more published forms: the labels parted by commas on a line of their own after the
# item (立山 2023), and brackets without labels ending the item, X牵头,Y负责 with a sentence
# more (舟山 2022) and Y负责 (绍兴 2021). Each task: id, section, name, its units in order
# (the 牵头 one first), deadline, notes; and its text, the fixture's line that starts with the
# given number, the number and the given piece of the bracket cut out.
DUTY_PLANS: dict[str, tuple[tuple[str, date | None], list[Any], list[Any]]] = {
    "lishan-2023.txt": (
        ("lishan-2023", date(2023, 7, 5)),  # no title line: the file's name, nothing made up
        [("一", "提升政策公开水平")],
        [
            (1, "一", "公开现行规范文件", ["区政府办公室", "区司法局", "区政府各部门"],
             "2023年9月底前", "责任单位原文：牵头单位：区政府办公室、区司法局；区政府各部门",
             ("1.", "")),
            (2, "一", "落实政策解读规范", ["区政府办公室", "区政府各部门"], "长期坚持", None,
             ("2.", "")),
            (3, "一", "开展“三年行动”信息公开", ["区政府办公室", "区政府各有关部门"],
             "2023年6月底前", None, ("3.", "")),
        ],
    ),
    "zhoushan-2022.txt": (
        ("舟山市贯彻〈浙江省政务公开五年行动计划(2021—2025年)〉实施方案", date(2022, 7, 8)),
        [("二", "主要任务")],
        [
            (1, "二", "夯实主动公开基础",
             ["市府办〔市大数据局〕", "市政府各部门", "各县〔区〕政府", "各功能区管委会"],
             None, None,
             ("(一)", "市府办〔市大数据局〕牵头,市政府各部门、各县〔区〕政府、各功能区管委会负责。")),
        ],
    ),
    "shaoxing-2021.txt": (
        ("绍兴市人民政府办公室关于贯彻落实浙江省政务公开五年行动计划(2021—2025年)的通知", None),
        [("二", "工作任务")],
        [
            (1, "二", "夯实主动公开基础", ["市政府各部门", "各区、县〔市〕政府办公室"], None, None,
             ("(一)", "(市政府各部门,各区、县〔市〕政府办公室负责)")),
            (2, "二", "深化重大行政决策公开", ["市政府各部门", "各区、县〔市〕政府办公室"], None,
             None, ("(二)", "(市政府各部门,各区、县〔市〕政府办公室负责)")),
        ],
    ),
}  # fmt: skip


def _item_text(fixture: Path, number: str, cut: str) -> str:
    (line,) = [x for x in fixture.read_text(encoding="utf-8").splitlines() if x.startswith(number)]
    assert cut in line
    return line.removeprefix(number).replace(cut, "")


@pytest.mark.parametrize("fmt", ["txt", "docx"])
@pytest.mark.parametrize("name", sorted(DUTY_PLANS))
def test_labelled_lines_and_unlabelled_brackets_import_in_order(
    gk, tmp_path: Path, name: str, fmt: str
) -> None:
    (title, published), sections, tasks = DUTY_PLANS[name]
    out = tmp_path / "plan" / "tasks.yaml"
    result, plan = _imported(gk, _source(tmp_path, REAL / name, fmt), out)
    assert result.exit_code == 1  # their units are not Jinshan's: listed for review
    assert "按要点正文读取" in result.stderr
    assert (tmp_path / "plan" / "units.review.yaml").is_file()
    assert (plan["document"]["title"], plan["document"].get("published")) == (title, published)
    assert [(s["id"], s["title"]) for s in plan["sections"]] == sections
    assert [
        (t["id"], t["section"], t["name"], t["units"], t.get("deadline"), t.get("notes"))
        for t in plan["tasks"]
    ] == [task[:-1] for task in tasks]
    for task, (*_, (number, cut)) in zip(plan["tasks"], tasks, strict=True):
        assert task["text"] == task["content"] == _item_text(REAL / name, number, cut)


def test_a_level_list_in_a_unit_name_is_one_unit_in_the_review(gk, tmp_path: Path) -> None:
    """绍兴's 各区、县〔市〕政府办公室: the 、 lists levels of government inside one name."""
    result, _ = _imported(gk, REAL / "shaoxing-2021.txt", tmp_path / "tasks.yaml")
    assert "  各区、县〔市〕政府办公室（任务 1、2）：是否为“区政府办公室”？" in result.stderr
    review = yaml.safe_load((tmp_path / "units.review.yaml").read_text(encoding="utf-8"))
    assert [g["name"] for g in review["groups"]] == ["各区、县〔市〕政府办公室"]


@pytest.mark.parametrize(
    ("item", "kept", "cell", "roles"),
    [
        # 舟山 2022 (一): the lead first, the sentence after the units kept in the text
        ("夯实。(市府办〔市大数据局〕牵头,市政府各部门、各县〔区〕政府负责。以下工作不再列出)",
         "夯实。(以下工作不再列出)", "牵头单位：市府办〔市大数据局〕；市政府各部门、各县〔区〕政府",
         [("市府办〔市大数据局〕", LEAD), ("市政府各部门", PLAIN), ("各县〔区〕政府", PLAIN)]),
        # 绍兴 2021: no lead
        ("深化。(市政府各部门,各区、县〔市〕政府办公室负责)", "深化。",
         "市政府各部门,各区、县〔市〕政府办公室",
         [("市政府各部门", PLAIN), ("各区、县〔市〕政府办公室", PLAIN)]),
        # Made up (not a real document), the other words such brackets use:
        ("做好公开。（县政府办牵头，县直各部门按职责分工负责）", "做好公开。",
         "牵头单位：县政府办；县直各部门", [("县政府办", LEAD), ("县直各部门", PLAIN)]),
        ("做好公开。（县财政局牵头，各乡镇配合）", "做好公开。", "牵头单位：县财政局；配合单位：各乡镇",
         [("县财政局", LEAD), ("各乡镇", CO)]),
        ("做好公开。（县政府办牵头）", "做好公开。", "牵头单位：县政府办", [("县政府办", LEAD)]),
        ("做好公开。（县总工会、团县委、县科协负责）", "做好公开。", "县总工会、团县委、县科协",
         [("县总工会", PLAIN), ("团县委", PLAIN), ("县科协", PLAIN)]),
        # ... and brackets that say no unit, or stand inside the text: kept as written
        ("落实《规范（试行）》要求（2024年）", "落实《规范（试行）》要求（2024年）", "", []),
        ("做好公开（县财政局负责）并报送。", "做好公开（县财政局负责）并报送。", "", []),
        # ... or that end in 负责 but name no unit: a sentence of the text, not a cell (the
        # words before 负责 are no unit's name, and dropping them would lose what they say)
        ("建立审查机制（保密审查由各单位负责）。", "建立审查机制（保密审查由各单位负责）。", "", []),
        ("开展开放日活动（每季度一次，由区政务服务中心负责）",
         "开展开放日活动（每季度一次，由区政务服务中心负责）", "", []),
        ("落实主体责任（主要负责）", "落实主体责任（主要负责）", "", []),
        ("做好公开（县政府办牵头，按季度报送）", "做好公开（县政府办牵头，按季度报送）", "", []),
    ],
)  # fmt: skip
def test_an_unlabelled_bracket_ending_the_item(item, kept, cell, roles) -> None:
    assert brackets(item) == (kept, cell, "")
    assert unitcells.read_cell(cell, lambda _: False) == roles


def test_a_bracket_too_long_for_a_list_of_units_stays_in_the_text() -> None:
    """Reading a bracket as units takes time that grows with the square of its length: one
    longer than any list of units (600 characters) is a sentence, kept as written; 40 units
    with their words still fit."""
    units = "、".join(f"区第{n}局" for n in range(40))
    assert brackets(f"做好公开。（区政府办牵头，{units}负责）") == (
        "做好公开。",
        f"牵头单位：区政府办；{units}",
        "",
    )
    item = "做好公开。（" + "区政府办牵头，" * 100 + "各部门负责）"
    assert brackets(item) == (item, "", "")


def test_the_item_text_is_the_documents_without_its_brackets(gk, tmp_path: Path) -> None:
    _, plan = _imported(gk, REAL / "ganzhou-2023.txt", tmp_path / "tasks.yaml")
    body = (REAL / "ganzhou-2023.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert plan["tasks"][0]["text"] == body.removeprefix("1.").split("〔责任单位")[0]


MARKDOWN = """\
# 某县2024年政务公开工作要点

## 一、深化重点领域公开

### （一）财政信息公开

1. 做好预决算公开，公开率达到100%。（责任单位：县财政局、各有关单位、各乡镇）（完成时限：6月底前）
2. 推进 API 接口开放，数据量增长1.5倍。（责任单位：县数据局）

## 二、加强解读回应

3. **做好政策解读。**
"""


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_markdown_and_text_read_alike(gk, tmp_path: Path, fmt: str) -> None:
    source = tmp_path / f"yaodian.{fmt}"
    source.write_text(MARKDOWN if fmt == "md" else MADE_UP, encoding="utf-8")
    result, plan = _imported(gk, source, tmp_path / "out" / "tasks.yaml")
    assert result.exit_code == 1  # task 3 names no unit; the units are not Jinshan's
    assert plan["document"]["title"] == "某县2024年政务公开工作要点"
    assert [(t["id"], t["section"], t["units"], t.get("deadline")) for t in plan["tasks"]] == [
        (1, "一", ["县财政局", "各有关单位", "各乡镇"], "6月底前"),
        (2, "一", ["县数据局"], None),
        (3, "二", [], None),
    ]
    assert plan["tasks"][2]["name"] == "做好政策解读"
    assert "有 1 项任务的正文没有写明责任单位" in result.stderr
    assert "任务 3。" in result.stderr


def test_a_text_without_items_or_with_columns_is_refused(gk, tmp_path: Path) -> None:
    source = tmp_path / "note.txt"
    source.write_text("关于做好政务公开工作的通知\n请各单位认真落实。\n", encoding="utf-8")
    result = gk("import", str(source), "-o", str(tmp_path / "tasks.yaml"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{source}：找不到任务。既没有任务分解表（有任务文字列和责任单位列的表格），"
        "也没有“一、”标题下编号的条目（1. 2. …），或带责任单位的“（一）”段落。\n"
    )
    result = gk("import", str(REAL / "ganzhou-2023.txt"), "-o", str(tmp_path / "t.yaml"),
                "--columns", "任务名称=B")  # fmt: skip
    assert result.exit_code == 2
    assert "--columns 只用于表格" in result.stderr
    assert not (tmp_path / "tasks.yaml").exists() and not (tmp_path / "t.yaml").exists()


@pytest.mark.skipif(not SEED.exists(), reason="the seed document lives in ../shared")
@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_the_seed_imports_as_the_bundled_plan_units_to_fill(gk, tmp_path: Path, fmt: str) -> None:
    """The seed text (its body and, after 附件, its table as text) imports as the 75 items
    of its body: text and sections the bundled plan's, the document's facts from the
    notice, no unit made up; validate then names each task to fill, by file:line:column."""
    out = tmp_path / "plan" / "tasks.yaml"
    source = _source(tmp_path, SEED, fmt)
    result, plan = _imported(gk, source, out, "--copy-units")
    assert result.exit_code == 1
    bundled = loader.load(DATA).plan
    assert [(s["id"], s["title"]) for s in plan["sections"]] == [
        (s.id, s.title) for s in bundled.sections
    ]
    assert [(t["id"], t["section"], t["text"]) for t in plan["tasks"]] == [
        (t.id, t.section, t.text) for t in bundled.tasks
    ]
    assert all(t["units"] == [] for t in plan["tasks"])
    doc, facts = plan["document"], bundled.document
    assert (doc["title"], doc["number"], doc["published"], doc["year"]) == (
        facts.title,
        facts.number,
        facts.published,
        facts.year,
    )
    assert (
        "有 75 项任务的正文没有写明责任单位（括号中的“责任单位：……”），units 留空待填："
        "任务 1、2、3、4、5、6、7、8、9、10、11、12 等 75 项。请按任务分解表填写；gkctl validate 逐项指出。"
    ) in result.stderr.splitlines()
    checked = gk("validate", "--format", "json", data=out.parent)
    assert checked.exit_code == 1
    problems = json.loads(checked.stdout)["problems"]
    lines = out.read_text(encoding="utf-8").splitlines()
    where = [i for i, line in enumerate(lines, start=1) if line == "    units: []"]
    assert [(p["line"], p["column"], p["code"], p["message"]) for p in problems] == [
        (line, 12, "empty-value", f"任务 {n} 的责任单位（units）不能为空")
        for n, line in enumerate(where, start=1)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet="一二、（）()〔〕[]【】1.２3：:；;责任单位完成时限牵头配合附件- \n区县市经委镇。，,",
            max_size=40,
        ),
        max_size=12,
    )
)
def test_any_text_reads_into_items_or_none(lines: list[str]) -> None:
    """Whatever the lines (unbalanced brackets, labels without values, numbers anywhere),
    the reader gives sections and items, never an exception; every item's section is one
    of the sections, and the ids run up."""
    body = read_body(lines)
    ids = {s.id for s in body.sections}
    assert all(item.section in ids for item in body.items)
    assert [i.id for i in body.items] == sorted({i.id for i in body.items})


def test_plan_new_from_a_yaodian(gk, tmp_path: Path) -> None:
    """A new plan of a folder of plans from a 要点 text, as from a table."""
    import shutil

    plans = tmp_path / "plans"
    shutil.copytree(FIXTURES / "plans" / "plans", plans)
    result = gk("plan", "new", "gz-2023", "--from", str(REAL / "ganzhou-2023.txt"), data=plans)
    assert result.exit_code == 1, result.stderr  # its units are not in the shared directory
    plan = yaml.safe_load((plans / "gz-2023" / "tasks.yaml").read_text(encoding="utf-8"))
    assert plan["document"]["title"] == "赣州市2023年政务公开工作方案"
    assert [t["units"] for t in plan["tasks"]] == [["市政府各部门", "各县(市、区)人民政府"]]
