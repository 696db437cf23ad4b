"""The 时间节点 resolver: every documented form, the bundled plan, and arbitrary text."""

from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkctl.core import deadlines
from gkctl.core.deadlines import Kind, Recurrence, normalize, resolve, workday_due
from gkctl.core.errors import DeadlineError
from tests.conftest import DATA

Y = 2024
P = date(2024, 4, 10)


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("全年", Kind.ONGOING, date(2024, 12, 31)),
        ("年内", Kind.ONGOING, date(2024, 12, 31)),
        ("持续推进", Kind.ONGOING, date(2024, 12, 31)),
        ("长期坚持", Kind.ONGOING, date(2024, 12, 31)),
        ("常态化", Kind.ONGOING, date(2024, 12, 31)),
        ("11月底前", Kind.DATE, date(2024, 11, 30)),
        ("11 月底前", Kind.DATE, date(2024, 11, 30)),
        (" 11　月底前 ", Kind.DATE, date(2024, 11, 30)),
        ("１１月底前", Kind.DATE, date(2024, 11, 30)),
        ("十一月底前", Kind.DATE, date(2024, 11, 30)),
        ("十二月底前", Kind.DATE, date(2024, 12, 31)),
        ("二月底前", Kind.DATE, date(2024, 2, 29)),  # 2024 is a leap year
        ("2月底前", Kind.DATE, date(2024, 2, 29)),
        ("6月末", Kind.DATE, date(2024, 6, 30)),
        ("9月份", Kind.DATE, date(2024, 9, 30)),
        ("6月15日前", Kind.DATE, date(2024, 6, 15)),
        ("6月15号前", Kind.DATE, date(2024, 6, 15)),
        ("六月十五日前", Kind.DATE, date(2024, 6, 15)),
        ("6月上旬", Kind.DATE, date(2024, 6, 10)),
        ("6月中旬前", Kind.DATE, date(2024, 6, 20)),
        ("6月下旬", Kind.DATE, date(2024, 6, 30)),
        ("年底前", Kind.DATE, date(2024, 12, 31)),
        ("年末前", Kind.DATE, date(2024, 12, 31)),
        ("上半年", Kind.DATE, date(2024, 6, 30)),
        ("下半年", Kind.DATE, date(2024, 12, 31)),
        ("一季度", Kind.DATE, date(2024, 3, 31)),
        ("第一季度末", Kind.DATE, date(2024, 3, 31)),
        ("二季度", Kind.DATE, date(2024, 6, 30)),
        ("三季度末", Kind.DATE, date(2024, 9, 30)),
        ("第四季度", Kind.DATE, date(2024, 12, 31)),
        ("2025年6月底前", Kind.DATE, date(2025, 6, 30)),
        ("2024年12月31日前", Kind.DATE, date(2024, 12, 31)),
        ("二〇二五年三月底前", Kind.DATE, date(2025, 3, 31)),
        ("2025年底前", Kind.DATE, date(2025, 12, 31)),
        ("2025年上半年", Kind.DATE, date(2025, 6, 30)),
        ("2024-11-15", Kind.DATE, date(2024, 11, 15)),
        ("2024—2026年", Kind.ONGOING, date(2026, 12, 31)),
        ("2024-2026年", Kind.ONGOING, date(2026, 12, 31)),
        ("2024年至2026年", Kind.ONGOING, date(2026, 12, 31)),
        ("按市级部署", Kind.PENDING, None),
        ("按上级部署", Kind.PENDING, None),
        ("按国家部署", Kind.PENDING, None),
        ("按市里要求", Kind.PENDING, None),
        ("根据上级统一部署", Kind.PENDING, None),
        ("发布后30日内", Kind.DATE, date(2024, 5, 10)),
        ("于本工作要点发布后30日内报送", Kind.DATE, date(2024, 5, 10)),
        ("印发后一个月内", Kind.DATE, date(2024, 5, 10)),
        ("印发后两周内", Kind.DATE, date(2024, 4, 24)),
        ("发布后10个工作日内", Kind.DATE, date(2024, 4, 24)),
        ("11月底前完成", Kind.DATE, date(2024, 11, 30)),
        ("印发后一月内", Kind.DATE, date(2024, 5, 10)),
        ("发布后1月内", Kind.DATE, date(2024, 5, 10)),
        ("明年6月底前", Kind.DATE, date(2025, 6, 30)),
        ("次年一季度", Kind.DATE, date(2025, 3, 31)),
        ("今年年底前", Kind.DATE, date(2024, 12, 31)),
        ("11月15日至11月30日", Kind.DATE, date(2024, 11, 30)),
        ("9月至10月", Kind.DATE, date(2024, 10, 31)),
        ("2025年内", Kind.ONGOING, date(2025, 12, 31)),
        # Forms seen in other governments' tables (issue 15).
        ("2022年11—12月", Kind.DATE, date(2022, 12, 31)),
        ("11-12月", Kind.DATE, date(2024, 12, 31)),
        ("2025年1月11日-2025年10月底", Kind.DATE, date(2025, 10, 31)),
        ("2024年11月15日至12月底", Kind.DATE, date(2024, 12, 31)),
        ("2024-11-15至2024-12-20", Kind.DATE, date(2024, 12, 20)),
        ("实时更新", Kind.ONGOING, date(2024, 12, 31)),
        ("随时更新", Kind.ONGOING, date(2024, 12, 31)),
        ("全年持续推进", Kind.ONGOING, date(2024, 12, 31)),
        ("按省统一部署", Kind.PENDING, None),
        ("按省里要求", Kind.PENDING, None),
        ("5月5号前", Kind.DATE, date(2024, 5, 5)),
        # A complete form may be followed by 前 and the documented action words only.
        ("6月底前完成初稿", Kind.DATE, date(2024, 6, 30)),
        ("10月底前报送", Kind.DATE, date(2024, 10, 31)),
        ("于6月底前上报", Kind.DATE, date(2024, 6, 30)),
        ("三季度末启动", Kind.DATE, date(2024, 9, 30)),
        ("年底前印发", Kind.DATE, date(2024, 12, 31)),
        ("2034年底前", Kind.DATE, date(2034, 12, 31)),
        ("2000年1月1日前", Kind.DATE, date(2000, 1, 1)),
        ("明年全年", Kind.ONGOING, date(2025, 12, 31)),
        # Classes held to the corpus of real texts (issue 28, item 5): words before a form ...
        ("力争9月底前", Kind.DATE, date(2024, 9, 30)),
        ("截至6月底", Kind.DATE, date(2024, 6, 30)),
        ("到2025年底", Kind.DATE, date(2025, 12, 31)),
        ("务于3月15日前", Kind.DATE, date(2024, 3, 15)),
        # ... ongoing words with their verbs, a year alone ...
        ("持续开展", Kind.ONGOING, date(2024, 12, 31)),
        ("常态化开展", Kind.ONGOING, date(2024, 12, 31)),
        ("动态更新", Kind.ONGOING, date(2024, 12, 31)),
        ("2025年", Kind.ONGOING, date(2025, 12, 31)),
        # ... the higher level's arrangement in other words, what is done by then.
        ("根据上级安排", Kind.PENDING, None),
        ("待上级通知", Kind.PENDING, None),
        ("以上级通知为准", Kind.PENDING, None),
        ("按省市要求执行", Kind.PENDING, None),
        ("9月投入使用", Kind.DATE, date(2024, 9, 30)),
        ("5月底前动工", Kind.DATE, date(2024, 5, 31)),
        ("4月20日（星期六）前", Kind.DATE, date(2024, 4, 20)),  # the weekday as written
        # The classes the deadline corpus showed (issue 28, item 5), each with texts the corpus
        # does not hold: a class is read, not the texts someone happened to see.
        # A span that starts with the notice itself ends on its deadline.
        ("自本通知印发之日起至2024年5月31日止", Kind.DATE, date(2024, 5, 31)),
        ("自即日起至5月20日", Kind.DATE, date(2024, 5, 20)),
        ("从文件下发之日起，至6月30日止", Kind.DATE, date(2024, 6, 30)),
        ("即日起至9月底", Kind.DATE, date(2024, 9, 30)),
        # A span between two dates, with 自/从 and 起 around its start.
        ("自2024年3月1日起至4月15日止", Kind.DATE, date(2024, 4, 15)),
        ("从6月初起到7月10日", Kind.DATE, date(2024, 7, 10)),
        ("截止到10月15日止", Kind.DATE, date(2024, 10, 15)),
        ("请在11月20日前", Kind.DATE, date(2024, 11, 20)),
        # A time of day: the day is the deadline.
        ("5月8日上午10点前", Kind.DATE, date(2024, 5, 8)),
        ("12月20日下班前", Kind.DATE, date(2024, 12, 20)),
        ("3月5日17时30分前", Kind.DATE, date(2024, 3, 5)),
        ("6月初", Kind.DATE, date(2024, 6, 10)),
        # From a year on; a year word repeating the written year; ongoing until a day.
        ("2024年起", Kind.ONGOING, date(2024, 12, 31)),
        ("自2025年起", Kind.ONGOING, date(2025, 12, 31)),
        ("2022年起", Kind.ONGOING, date(2024, 12, 31)),  # started earlier: this year's end
        ("2024年本年内", Kind.ONGOING, date(2024, 12, 31)),
        ("2025年年内", Kind.ONGOING, date(2025, 12, 31)),
        ("持续到10月31日", Kind.ONGOING, date(2024, 10, 31)),
        ("于每年的6月30日前", Kind.RECURRING, None),
        # A doubled dash; a span from 发布之日; the month of a span's start held by its end.
        ("9月1日——9月30日", Kind.DATE, date(2024, 9, 30)),
        ("发布之日起至8月31日", Kind.DATE, date(2024, 8, 31)),
        ("10月8日至15日", Kind.DATE, date(2024, 10, 15)),
        ("2024年3月上旬至中旬", Kind.DATE, date(2024, 3, 20)),
        ("从即日开始,10月31日结束", Kind.DATE, date(2024, 10, 31)),
        ("自本通知印发之日起，截至2024年5月31日", Kind.DATE, date(2024, 5, 31)),
        ("6月10日17:30前", Kind.DATE, date(2024, 6, 10)),
        ("6月10日9:00(北京时间)前", Kind.DATE, date(2024, 6, 10)),
        ("11月中下旬", Kind.DATE, date(2024, 11, 30)),
    ],
)
def test_forms(text: str, kind: Kind, due: date | None) -> None:
    resolved = resolve(text, Y, P)
    assert (resolved.kind, resolved.due) == (kind, due)
    assert resolved.text == text
    assert resolved.rule


def test_milestones_last_is_due() -> None:
    resolved = resolve("6月底前完成初稿，11月底前完成", Y, P)
    assert resolved.kind is Kind.DATE
    assert resolved.due == date(2024, 11, 30)
    assert [(m.text, m.due) for m in resolved.milestones] == [
        ("6月底前完成初稿", date(2024, 6, 30)),
        ("11月底前完成", date(2024, 11, 30)),
    ]


def test_milestones_separated_by_enumeration_comma() -> None:
    resolved = resolve("6月底前、11月底前", Y, P)
    assert resolved.due == date(2024, 11, 30)
    assert [m.due for m in resolved.milestones] == [date(2024, 6, 30), date(2024, 11, 30)]


def test_milestones_out_of_order_take_latest() -> None:
    resolved = resolve("11月底前完成；6月底前启动", Y, P)
    assert resolved.due == date(2024, 11, 30)
    assert len(resolved.milestones) == 2


@pytest.mark.parametrize(
    ("text", "recurrence", "as_of", "due"),
    [
        ("每月", Recurrence.MONTHLY, date(2024, 10, 15), date(2024, 10, 31)),
        ("每月10日前", Recurrence.MONTHLY, date(2024, 10, 15), date(2024, 11, 10)),
        ("每月10日前", Recurrence.MONTHLY, date(2024, 10, 10), date(2024, 10, 10)),
        ("每季度", Recurrence.QUARTERLY, date(2024, 10, 15), date(2024, 12, 31)),
        ("每季度", Recurrence.QUARTERLY, date(2024, 4, 1), date(2024, 6, 30)),
        ("每半年", Recurrence.HALF_YEARLY, date(2024, 5, 1), date(2024, 6, 30)),
        ("每半年", Recurrence.HALF_YEARLY, date(2024, 7, 1), date(2024, 12, 31)),
        ("每年", Recurrence.YEARLY, date(2024, 3, 1), date(2024, 12, 31)),
        # After the plan year the last period stays due; before it, the first one is due.
        ("每月", Recurrence.MONTHLY, date(2025, 2, 3), date(2024, 12, 31)),
        ("每月1日", Recurrence.MONTHLY, date(9999, 12, 31), date(2024, 12, 1)),
        ("每月", Recurrence.MONTHLY, date(2023, 3, 1), date(2024, 1, 31)),
        # With a day: late in the year the last occurrence stays due, not the year's end.
        ("每月15日", Recurrence.MONTHLY, date(2024, 12, 20), date(2024, 12, 15)),
        ("每月15日", Recurrence.MONTHLY, date(2025, 3, 1), date(2024, 12, 15)),
        # A day in a given month of the period (issue 15).
        ("每季度最后一个月的30日前", Recurrence.QUARTERLY, date(2024, 10, 15), date(2024, 12, 30)),
        ("每季度最后一个月的30日前", Recurrence.QUARTERLY, date(2024, 3, 31), date(2024, 6, 30)),
        ("每个季度第1个月的20日前", Recurrence.QUARTERLY, date(2024, 10, 15), date(2024, 10, 20)),
        # After the year's last occurrence (10-20), it stays due.
        ("每个季度第1个月的20日前", Recurrence.QUARTERLY, date(2024, 10, 21), date(2024, 10, 20)),
        ("每个季度第一个月的20日前", Recurrence.QUARTERLY, date(2024, 5, 2), date(2024, 7, 20)),
        ("每季度第一个月10日前", Recurrence.QUARTERLY, date(2024, 2, 1), date(2024, 4, 10)),
        ("每半年第1个月", Recurrence.HALF_YEARLY, date(2024, 2, 1), date(2024, 7, 31)),
        ("每年6月15日前", Recurrence.YEARLY, date(2024, 2, 1), date(2024, 6, 15)),
        ("每年6月底前", Recurrence.YEARLY, date(2024, 7, 1), date(2024, 6, 30)),
    ],
)
def test_recurring(text: str, recurrence: Recurrence, as_of: date, due: date) -> None:
    resolved = resolve(text, Y, P)
    assert resolved.kind is Kind.RECURRING
    assert resolved.due is None
    assert resolved.recurrence is recurrence
    assert resolved.due_on(as_of) == due


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("尽快", "无法识别时间节点“尽快”。可识别的写法："),
        ("13月底前", "无法识别时间节点“13月底前”：月份 13 不存在。"),
        ("2月30日前", "无法识别时间节点“2月30日前”：2024年2月没有30日。"),
        ("6月前", "无法识别时间节点“6月前”：“6月前”有歧义，请写作“6月底前”或“5月底前”。"),
        ("第五季度", "无法识别时间节点“第五季度”：第5季度不存在。"),
        ("2026—2024年", "无法识别时间节点“2026—2024年”：年份区间 2026—2024 起止颠倒。"),
        ("", "时间节点为空。"),
        ("   ", "时间节点为空。"),
        ("按市级部署，11月底前", "待部署或周期性的节点不能与其他节点并列"),
        ("，，", "无法识别时间节点“，，”。"),
        ("0月前", "无法识别时间节点“0月前”：月份 0 不存在。"),
        ("1月前", "请写作“1月底前”或“2023年12月底前”"),
        ("11月30日至11月15日", "区间的结束日期 2024-11-15 早于开始日期"),
        # Typos and stray digits are errors, never another date (issue 12, item 13).
        ("111月底前", "无法识别时间节点“111月底前”：月份 111 不存在。"),
        ("12024年6月底前", "：年份 12024 不在 2000—2034 年之间（计划年度 2024，年份请写四位数）。"),
        ("9年底前", "：年份 9 不在 2000—2034 年之间"),
        ("1999年底前", "：年份 1999 不在 2000—2034 年之间"),
        ("2035年6月底前", "：年份 2035 不在 2000—2034 年之间"),
        ("2024—2099年", "：年份 2099 不在 2000—2034 年之间"),
        ("发布后99999日内", "：“发布后99999日”过长（最多 3660日）。"),
        (
            "11月底钱",
            "无法识别时间节点“11月底钱”：“11月底”后面的“钱”无法识别（节点之后只可跟“前”“止”或 完成初稿、完成任务、全面完成、完成、报送",
        ),
        ("11月底XYZ", "：“11月底”后面的“XYZ”无法识别"),
        ("11月底前完成了", "：“11月底”后面的“了”无法识别"),
        ("约11月底前", "：其中“约”无法识别。"),
        ("全年6月", "：其中“全年”无法识别。"),
        ("5号前", "：“5日”没有写月份，请写作“N月5日前”，每月都要做的写“每月5日前”。"),
        ("6月份前", "：“6月前”有歧义"),
        ("每季度第4个月10日前", "：每季度没有第4个月。"),
        ("每月第2个月", "：每月没有第2个月。"),
        ("2025年6月前", "“6月前”有歧义，请写作“6月底前”或“5月底前”"),
        ("2022年12—11月", "月份区间 12—11 起止颠倒"),
        ("4月20日(星期五)前", "2024年4月20日是星期六，不是星期五"),
        # Counted from each event, not a date of the plan: said, with what to write.
        ("政策文件公开发布后3个工作日内", "从每件事各自起算，不是计划中的一个日期；请写“持续推进”"),
        ("实时监控，每月上报情况", "周期性的工作请只写周期（如“每月”“每季度”“每月10日前”）"),
        # Refusals of the corpus classes say what to write instead (issue 28, item 5).
        ("2026年以前", "“2026年以前”有歧义，请写作“2026年底前”或“2025年底前”"),
        ("2025年前完成", "“2025年前”有歧义，请写作“2025年底前”或“2024年底前”"),
        ("6月15前", "“6月15”少了“日”，请写作“6月15日前”"),
        ("2024年9月3前", "“2024年9月3”少了“日”，请写作“2024年9月3日前”"),
        ("每周一上午", "“每周一上午”的周期短于一个月，不是一个截止日期；请写“持续推进”或“常态化”"),
        ("每天", "“每天”的周期短于一个月"),
        ("每半个月", "“每半个月”的周期短于一个月"),
        ("每两周报送一次", "“每2周”的周期短于一个月"),
        ("下周三前", "“下周三”从发文之时起算，不是计划中的一个日期；请写作具体日期"),
        ("星期五下班前", "请写作具体日期"),
        ("5月8日25点前", "一天没有25点"),
        # A time of day is checked whole, not only its hour (review of issue 28 item 5).
        ("6月30日23:61前", "一小时没有61分"),
        ("6月30日0:60前", "一小时没有60分"),
        ("6月30日12时61分前", "一小时没有61分"),
        ("6月30日24:30前", "一天没有24点30分"),
        # A yearly day that no year has is refused, not moved to the month's end.
        ("每年2月30日前", "：每年2月没有30日。"),
        ("每年4月31日", "：每年4月没有31日。"),
        # A span from the notice cannot end before the notice was published (P is 2024-04-10).
        ("发布之日起至1月1日", "：区间的结束日期 2024-01-01 早于发布日期 2024-04-10。"),
        ("自即日起至4月9日止", "：区间的结束日期 2024-04-09 早于发布日期 2024-04-10。"),
        # A day that no month has is not offered back as “N月32日”.
        ("32日前", "：没有32日，请写作“N月N日前”。"),
        ("0日前", "：没有0日，请写作“N月N日前”。"),
        (
            "在15个工作日以内",
            "“15个工作日以内”没有写从哪一天起算，不是计划中的一个日期；请写具体日期",
        ),
        ("本月底前", "“本月底”从发文之时起算，不是计划中的一个日期；请写作具体日期"),
        ("端午节前", "“端午节”按农历或节气定日，不在计划的公历日历上；请写作具体日期"),
        ("2025年中秋前", "按农历或节气定日"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(DeadlineError) as info:
        resolve(text, Y, P)
    assert message in info.value.message


def test_rules_of_new_forms() -> None:
    assert resolve("每季度最后一个月的30日前", Y, P).rule == (
        "每季度：每期最后一个月30日到期，按查看日期推算下一期"
    )
    assert resolve("每年6月15日前", Y, P).rule == "每年：每期6月15日到期，按查看日期推算下一期"
    assert (
        resolve("每季度", Y, P).rule == "每季度：每期最后一个月最后一天到期，按查看日期推算下一期"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("一" * 4300 + "月底前", "时间节点过长（4303 个字符，最多 200 个）。"),
        ("1" * 50000 + "月底前", "时间节点过长（50003 个字符，最多 200 个）。"),
        ("1" * 150 + "月底前", "：数字“111111111111…”过长。"),
        ("一" * 7 + "月底前", "：数字“一一一一一一一”过长。"),
        ("发布后1234567日内", "：数字“1234567”过长。"),
    ],
)
def test_long_input_is_refused_early(text: str, message: str) -> None:
    with pytest.raises(DeadlineError) as info:
        resolve(text, Y, P)
    assert message in info.value.message
    assert len(info.value.message) < 400  # the text itself is not echoed when it is huge


@pytest.mark.parametrize("digit", ["1", "一"])
@pytest.mark.parametrize("n", [199, 5000, 50000])
def test_long_digit_runs_are_refused_by_length_before_any_regex(
    monkeypatch: pytest.MonkeyPatch, digit: str, n: int
) -> None:
    # The length guard refuses the text before the grammar's regular expressions see it, so
    # a long digit run costs one pass over the text (the time itself: make bench).
    def unreachable(*_: object) -> None:
        raise AssertionError("the grammar ran over a text the length guard should refuse")

    monkeypatch.setattr(deadlines, "normalize", unreachable)
    monkeypatch.setattr(deadlines, "_grammar", unreachable)
    with pytest.raises(DeadlineError) as info:
        resolve(digit * n + "月底前", Y, P)
    assert info.value.message == (
        f"时间节点过长（{n + 3} 个字符，最多 {deadlines.MAX_LENGTH} 个）。"
    )


def test_relative_date_beyond_the_plan_is_refused() -> None:
    with pytest.raises(DeadlineError) as info:
        resolve("发布后3660日内", 2020, P)
    assert "：年份 2034 不在 2000—2030 年之间" in info.value.message


def test_relative_needs_publication_date() -> None:
    with pytest.raises(DeadlineError, match="没有可用的发布日期"):
        resolve("发布后30日内", Y, None)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("十一月底前", "11月底前"),
        ("１１ 月底前", "11月底前"),
        ("第三季度末", "第3季度末"),
        ("二〇二四年", "2024年"),
        ("三十一日", "31日"),
        ("全年", "全年"),
        ("上半年", "上半年"),
        ("一个月内", "1个月内"),
    ],
)
def test_normalize(raw: str, folded: str) -> None:
    assert normalize(raw) == folded


def _bundled() -> list[dict[str, object]]:
    with open(DATA / "tasks.yaml", encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["tasks"])


def _expected_due(text: str) -> tuple[Kind, date | None]:
    if text == "全年":
        return Kind.ONGOING, date(2024, 12, 31)
    if text == "按市级部署":
        return Kind.PENDING, None
    month = int(text.removesuffix("月底前"))
    ends = {3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30}
    return Kind.DATE, date(2024, month, ends[month])


@pytest.mark.parametrize("task", _bundled(), ids=lambda t: f"task{t['id']}")
def test_every_bundled_deadline(task: dict[str, object]) -> None:
    text = str(task["deadline"])
    resolved = resolve(text, 2024, P)
    assert (resolved.kind, resolved.due) == _expected_due(text)


@pytest.mark.parametrize(
    ("due", "workday"),
    [
        (date(2024, 11, 30), date(2024, 11, 29)),  # Saturday
        (date(2024, 10, 31), date(2024, 10, 31)),  # Thursday
        (date(2024, 6, 30), date(2024, 6, 28)),  # Sunday
        (date(2024, 9, 30), date(2024, 9, 30)),  # Monday
        (date(2024, 10, 6), date(2024, 9, 30)),  # National Day holiday
        (date(2024, 9, 29), date(2024, 9, 29)),  # adjusted working Sunday
        (date(2024, 5, 1), date(2024, 4, 30)),  # Labour Day
    ],
)
def test_last_workday(due: date, workday: date) -> None:
    result = workday_due(due)
    assert result is not None
    assert result.date == workday
    assert result.calendar_known


def test_workday_falls_back_to_weekends_outside_holiday_data() -> None:
    result = workday_due(date(2099, 5, 2))  # a Saturday, beyond the holiday data
    assert result is not None
    assert result.date == date(2099, 5, 1)
    assert result.calendar_known is False


def test_explicit_due_overrides() -> None:
    resolved = deadlines.explicit("按市级部署", date(2024, 12, 15), 2024)
    assert (resolved.kind, resolved.due, resolved.explicit) == (Kind.DATE, date(2024, 12, 15), True)


_FORM_WORDS = [
    "全年",
    "月",
    "日",
    "底",
    "前",
    "季度",
    "上旬",
    "中旬",
    "半年",
    "年",
    "每",
    "按",
    "市级",
    "部署",
    "发布后",
    "内",
    "，",
    "；",
    "十",
    "一",
    "二",
    "〇",
    "１",
    "—",
]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(
            st.one_of(st.sampled_from(_FORM_WORDS), st.integers(-5, 99999).map(str)), max_size=8
        ).map("".join),
    )
)
def test_any_text_resolves_or_raises_deadline_error(text: str) -> None:
    try:
        resolved = resolve(text, Y, P)
    except DeadlineError as exc:
        assert exc.message
        return
    assert resolved.kind in set(Kind)
    if resolved.kind in (Kind.DATE, Kind.ONGOING):
        assert resolved.due is not None
    assert resolved.due_on(date(2024, 10, 15)) is None or resolved.kind is not Kind.PENDING
