"""The 要点 as a document (issue 28, item 4, first part): numbered items under 一、/（一）
headings, units and deadlines in brackets, read into sections and items."""

import pytest

from gkctl.exchange.yaodian import read_body, squeeze
from gkctl.store import loader
from tests.conftest import DATA
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
