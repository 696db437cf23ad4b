"""Resolve a 时间节点 text (e.g. 11月底前, 全年, 按市级部署) into a deadline.

No general-purpose date parser reads these cells correctly (dateparser reads 前 as "ago"),
so this is a small grammar of its own over normalized text:

* NFKC folds full-width digits and punctuation (１１月底前 -> 11月底前);
* white space is dropped (the PDF extraction writes 11 月底前);
* Chinese numerals become digits only where they stand before 年/月/日/号/天/周/季度/个月
  (十一月底前 -> 11月底前, 第三季度末 -> 第3季度末), so 全年 and 上半年 stay as they are.

The text is split into clauses on commas and semicolons; each clause must be one form from
the table below, read whole: a typo (11月底钱) or a stray digit (111月底前) is an error, not a
date the grammar guessed. After a complete form only 前 and a short list of action words
(ACTIONS: 完成、报送 …) may follow. A cell with several dated clauses (6月底前完成初稿，11月底前完成)
yields milestones, the last date being the due date. Milestones numbered ①②… may carry the
work done by each date (①3月底前,完成设计。②…); only numbered ones, so that a typo after a
date stays an error. A deadline means the end of that day.

Period words: 上旬 ends on the 10th, 中旬 on the 20th, 下旬 on the month's last day; a
deadline named by a period (N月中旬前) is met while that period lasts, so it resolves to the
period's last day.

Input is bounded before any number is read (MAX_LENGTH characters, MAX_DIGITS digits in a
number), so hostile text costs linear time and never builds a huge integer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from gkctl.core.errors import DeadlineError
from gkctl.core.workdays import last_workday


class Kind(StrEnum):
    DATE = "date"
    ONGOING = "ongoing"
    PENDING = "pending"
    RECURRING = "recurring"
    # No 时间节点 at all (a table without a deadline column): shown as 未明确时限, no date.
    UNDATED = "undated"


class Recurrence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


_PERIOD_MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}


class Milestone(NamedTuple):
    text: str
    due: date


class Deadline(NamedTuple):
    """A resolved 时间节点. `due` is None for pending, recurring and undated deadlines."""

    text: str
    kind: Kind
    due: date | None
    milestones: tuple[Milestone, ...] = ()
    recurrence: Recurrence | None = None
    # For recurring deadlines: day of the period's month (None: its last day) ...
    recurrence_day: int | None = None
    plan_end: date | None = None
    rule: str = ""
    explicit: bool = False
    # ... and which month of the period (1 = first; None: the period's last month).
    recurrence_month: int | None = None

    def due_on(self, as_of: date) -> date | None:
        """The date this deadline falls due for a view as of `as_of`.

        Recurring deadlines fall due at the end of the current period, never after the
        plan year ends (after it, the last one stays due).
        """
        if self.kind is not Kind.RECURRING:
            return self.due
        assert self.recurrence is not None and self.plan_end is not None
        year = self.plan_end.year
        # The year's last occurrence: in the last period, which ends in December.
        months = _PERIOD_MONTHS[self.recurrence]
        last = _occurrence(
            year, 12 - months + 1, months, self.recurrence_month, self.recurrence_day
        )
        if as_of > last:  # after it, the last one stays due (and is overdue)
            return last
        start = max(as_of, date(year, 1, 1))  # never before the plan year
        return _next_occurrence(self.recurrence, self.recurrence_month, self.recurrence_day, start)


class WorkdayDue(NamedTuple):
    date: date
    calendar_known: bool


def workday_due(due: date | None) -> WorkdayDue | None:
    """The last working day on or before `due` (Chinese public holidays counted)."""
    if due is None:
        return None
    day, known = last_workday(due)
    return WorkdayDue(day, known)


# Words accepted after a complete form (6月底前完成初稿, 发布后30日内报送): what is done by
# then. Anything else after a form is an error, so that 11月底钱 is not read as 11月底前.
ACTIONS = (
    "完成初稿",
    "完成任务",
    "全面完成",
    "完成",
    "报送",
    "上报",
    "启动",
    "印发",
    "发布",
    "出台",
    "公开",
    # What a 民生实事 table says is done by then (9月投入使用, 5月底前动工).
    "投入使用",
    "开工建设",
    "开工",
    "动工",
    "建成",
    "竣工",
)
MAX_LENGTH = 200
MAX_DIGITS = 6

FORMS_HELP = (
    "可识别的写法：全年、年内、持续推进、长期坚持、常态化、持续开展、实时更新、动态更新；"
    "N月底前（如 11月底前、十一月底前）；"
    "N月N日前、N月N号前；N月上旬/中旬/下旬；年底前、年末前；上半年、下半年；一季度、第三季度末；"
    "2025年6月底前、2025年、2024—2026年、2022年11—12月、2025年1月11日-2025年10月底；"
    "2024年起；自即日起至11月20日、自本通知印发之日起至2025年3月31日止；"
    "按市级部署、按上级部署、按国家部署、按市里要求、按省里要求、根据上级安排、待上级通知；"
    "每月、每季度、每半年、每年、每月10日前、每季度最后一个月的30日前、每年1月31日前；"
    "发布后30日内、印发后一个月内；"
    "多个节点用逗号分开（6月底前完成初稿，11月底前完成），编号的节点可带做法（①3月底前,完成设计）；"
    "节点之前可写 于、在、到、截至、力争、务于、请于；日期之后可写当天的时刻（3月17日下午下班前）；"
    "节点之后只可跟“前”“止”或 " + "、".join(ACTIONS)
)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = r"[零〇一二两三四五六七八九十百]+(?=年|月|日|号|天|周|个月|季度|个工作日)"
_DASHES = "-—–~～至到"


def _cn_to_int(s: str) -> int:
    if "十" not in s and "百" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total = current = 0
    for c in s:
        if c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_DIGITS[c]
    return total + current


_DASH_RUN = r"[-—–~～]{2,}"


def _fold(text: str) -> str:
    import unicodedata  # a warm run resolves nothing (the cache holds the deadlines)

    folded = unicodedata.normalize("NFKC", text)
    # 9月30日——10月30日: a doubled dash is one dash.
    return re.sub(_DASH_RUN, "—", "".join(folded.split()).replace("号", "日"))


def normalize(text: str) -> str:
    """Fold a 时间节点 text to the form the grammar reads."""
    return _grammar().numerals.sub(lambda m: str(_cn_to_int(m.group(0))), _fold(text))


# --- dates ------------------------------------------------------------------------------


def _days_in(year: int, month: int) -> int:
    """Days in a month (the calendar module costs start-up time for this one answer)."""
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def _month_end(year: int, month: int) -> date:
    return date(year, month, _days_in(year, month))


def _check_month(month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"月份 {month} 不存在")
    return month


def _occurrence(year: int, start: int, months: int, which: int | None, day: int | None) -> date:
    """The due day in the period of `months` months starting at month `start`."""
    month = start + (which or months) - 1
    end = _days_in(year, month)
    return date(year, month, min(day or end, end))


def _next_occurrence(rec: Recurrence, which: int | None, day: int | None, as_of: date) -> date:
    """The first due day of a period (month, quarter, half, year) on or after `as_of`."""
    months = _PERIOD_MONTHS[rec]
    year, start = as_of.year, (as_of.month - 1) // months * months + 1
    while True:
        candidate = _occurrence(year, start, months, which, day)
        if candidate >= as_of:
            return candidate
        start += months
        if start > 12:
            year, start = year + 1, 1


# --- the grammar ------------------------------------------------------------------------


class _Ctx(NamedTuple):
    year: int
    published: date | None

    @property
    def first_year(self) -> int:
        return 2000

    @property
    def last_year(self) -> int:
        return self.year + 10

    def check_year(self, year: int) -> int:
        if not self.first_year <= year <= self.last_year:
            raise ValueError(
                f"年份 {year} 不在 {self.first_year}—{self.last_year} 年之间"
                f"（计划年度 {self.year}，年份请写四位数）"
            )
        return year


class _Clause(NamedTuple):
    kind: Kind
    due: date | None
    rule: str
    recurrence: Recurrence | None = None
    recurrence_day: int | None = None
    recurrence_month: int | None = None


_Handler = Callable[[re.Match[str], _Ctx], _Clause]
_Y = r"(?:(?P<y>\d+)年)?"


def _year(m: re.Match[str], ctx: _Ctx) -> int:
    y = m.groupdict().get("y")
    return ctx.check_year(int(y)) if y else ctx.year


def _per_event(m: re.Match[str], ctx: _Ctx) -> _Clause:
    what, n, unit = m.group("what"), m.group("n"), m.group("unit")
    raise ValueError(
        f"“{what}……后{n}{unit}内”从每件事各自起算，不是计划中的一个日期；"
        f"请写“持续推进”或“常态化”，把“{n}{unit}内”写入任务内容"
    )


def _no_start(m: re.Match[str], ctx: _Ctx) -> _Clause:
    n, unit = m.group("n"), m.group("unit")
    raise ValueError(
        f"“{m.group(0)}”没有写从哪一天起算，不是计划中的一个日期；"
        f"请写具体日期，或写“发布后{n}{unit}内”"
    )


def _holiday(m: re.Match[str], ctx: _Ctx) -> _Clause:
    raise ValueError(
        f"“{m.group(0)}”按农历或节气定日，不在计划的公历日历上；请写作具体日期（如“2月5日前”）"
    )


def _pending(m: re.Match[str], ctx: _Ctx) -> _Clause:
    return _Clause(Kind.PENDING, None, "待上级部署：暂无日期，确定后在任务中填写 due")


_RELATIVE_LIMITS = {"日": 3660, "天": 3660, "周": 520, "个工作日": 2600, "个月": 120, "月": 120}


def _relative(m: re.Match[str], ctx: _Ctx) -> _Clause:
    if ctx.published is None:
        raise ValueError(
            "没有可用的发布日期，无法推算（计划中写 document.published，或用 --published 给出）"
        )
    n, unit = int(m.group("n")), m.group("unit")
    if n > _RELATIVE_LIMITS[unit]:
        raise ValueError(f"“发布后{n}{unit}”过长（最多 {_RELATIVE_LIMITS[unit]}{unit}）")
    start = ctx.published
    if unit in ("日", "天"):
        due = start + timedelta(days=n)
    elif unit == "周":
        due = start + timedelta(weeks=n)
    elif unit == "个工作日":
        due = _add_workdays(start, n)
    else:
        from dateutil.relativedelta import relativedelta  # only this form needs it

        due = start + relativedelta(months=n)
    return _Clause(Kind.DATE, due, f"发布后{n}{unit}内：发布日期 {start.isoformat()} 起算")


def _add_workdays(start: date, n: int) -> date:
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if last_workday(day)[0] == day:
            left -= 1
    return day


def _span(m: re.Match[str], ctx: _Ctx) -> _Clause:
    first, last = ctx.check_year(int(m.group("a"))), ctx.check_year(int(m.group("b")))
    if last < first:
        raise ValueError(f"年份区间 {first}—{last} 起止颠倒")
    return _Clause(Kind.ONGOING, date(last, 12, 31), f"跨年度：持续到 {last} 年底")


def _month_span(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = _year(m, ctx)
    first, last = _check_month(int(m.group("a"))), _check_month(int(m.group("m")))
    if last < first:
        raise ValueError(f"月份区间 {first}—{last} 起止颠倒")
    return _Clause(Kind.DATE, _month_end(year, last), "N—M月：以最后一个月的月底为截止日期")


_WEEKDAYS = "一二三四五六日"


def _day(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, month, day = _year(m, ctx), _check_month(int(m.group("m"))), int(m.group("d"))
    if not 1 <= day <= _days_in(year, month):
        raise ValueError(f"{year}年{month}月没有{day}日")
    _check_time(m)
    due = date(year, month, day)
    # 4月20日(星期五)前: the weekday written beside a date must be that date's.
    written = (m.groupdict().get("w") or "").replace("天", "日")
    if written and written != _WEEKDAYS[due.weekday()]:
        raise ValueError(
            f"{year}年{month}月{day}日是星期{_WEEKDAYS[due.weekday()]}，不是星期{written}"
        )
    return _Clause(Kind.DATE, due, "N月N日前：当日")


def _check_time(m: re.Match[str]) -> None:
    """The time of day written after a date (23:59, 12点30分) must be a time a day has."""
    groups = m.groupdict()
    if groups.get("h") is None:
        return
    hour, minute = int(groups["h"]), int(groups.get("mi") or groups.get("mn") or 0)
    if hour > 24:
        raise ValueError(f"一天没有{hour}点")
    if minute > 59:
        raise ValueError(f"一小时没有{minute}分")
    if hour == 24 and minute:
        raise ValueError(f"一天没有24点{minute}分")


def _day_without_ri(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = f"{m.group('y')}年" if m.group("y") else ""
    day = f"{year}{m.group('m')}月{m.group('d')}"
    raise ValueError(f"“{day}”少了“日”，请写作“{day}日前”")


def _day_only(m: re.Match[str], ctx: _Ctx) -> _Clause:
    d = m.group("d")
    if not 1 <= int(d) <= 31:
        raise ValueError(f"没有{int(d)}日，请写作“N月N日前”")
    raise ValueError(f"“{d}日”没有写月份，请写作“N月{d}日前”，每月都要做的写“每月{d}日前”")


def _period(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, month = _year(m, ctx), _check_month(int(m.group("m")))
    part = m.group("p")
    end = _month_end(year, month)
    due = {"上": date(year, month, 10), "中": date(year, month, 20), "下": end}[part]
    return _Clause(Kind.DATE, due, f"N月{part}旬：该旬最后一天")


def _month_start(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, month = _year(m, ctx), _check_month(int(m.group("m")))
    return _Clause(Kind.DATE, date(year, month, 10), "N月初：同上旬，该月10日")


def _month(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, month = _year(m, ctx), _check_month(int(m.group("m")))
    return _Clause(Kind.DATE, _month_end(year, month), "N月底前：该月最后一天")


def _ambiguous_month(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, month = _year(m, ctx), _check_month(int(m.group("m")))
    before = f"{month - 1}月底前" if month > 1 else f"{year - 1}年12月底前"
    raise ValueError(f"“{month}月前”有歧义，请写作“{month}月底前”或“{before}”")


def _ambiguous_year(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = ctx.check_year(int(m.group("y")))
    written = f"{year}年{m.group('w')}"
    raise ValueError(f"“{written}”有歧义，请写作“{year}年底前”或“{year - 1}年底前”")


def _from_year(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = ctx.check_year(int(m.group("y")))
    end = max(year, ctx.year)
    return _Clause(Kind.ONGOING, date(end, 12, 31), f"{year}年起：持续推进，以{end}年底为限")


def _relative_week(m: re.Match[str], ctx: _Ctx) -> _Clause:
    raise ValueError(
        f"“{m.group(0)}”从发文之时起算，不是计划中的一个日期；请写作具体日期（如“3月17日前”）"
    )


def _too_frequent(m: re.Match[str], ctx: _Ctx) -> _Clause:
    every = m.group(0)
    raise ValueError(
        f"“{every}”的周期短于一个月，不是一个截止日期；"
        f"请写“持续推进”或“常态化”，把“{every}”写入任务内容"
    )


def _quarter(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year, q = _year(m, ctx), int(m.group("q"))
    if not 1 <= q <= 4:
        raise ValueError(f"第{q}季度不存在")
    return _Clause(Kind.DATE, _month_end(year, q * 3), "季度：该季度最后一天")


def _half(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = _year(m, ctx)
    due = date(year, 6, 30) if m.group("h") == "上" else date(year, 12, 31)
    return _Clause(Kind.DATE, due, f"{m.group('h')}半年：该半年最后一天")


def _year_end(m: re.Match[str], ctx: _Ctx) -> _Clause:
    return _Clause(Kind.DATE, date(_year(m, ctx), 12, 31), "年底前：当年12月31日")


def _ongoing(m: re.Match[str], ctx: _Ctx) -> _Clause:
    year = _year(m, ctx)
    return _Clause(Kind.ONGOING, date(year, 12, 31), f"全年持续：{year}年内持续推进，年底为限")


_RECURRENCE_WORDS = {
    "月": (Recurrence.MONTHLY, "每月"),
    "季度": (Recurrence.QUARTERLY, "每季度"),
    "半年": (Recurrence.HALF_YEARLY, "每半年"),
    "年": (Recurrence.YEARLY, "每年"),
}


def _recurring(m: re.Match[str], ctx: _Ctx) -> _Clause:
    groups = m.groupdict()
    rec, label = _RECURRENCE_WORDS[groups.get("r") or "年"]
    months = _PERIOD_MONTHS[rec]
    which = int(groups["k"]) if groups.get("k") else None
    if which is not None and not 1 <= which <= months:
        raise ValueError(f"{label}没有第{which}个月")
    day = int(groups["d"]) if groups.get("d") else None
    if day is not None and not 1 <= day <= 31:
        raise ValueError(f"{label}没有{day}日")
    # 每年2月30日: a day no year has (2月29日 is kept: leap years have it).
    if (
        day is not None
        and which is not None
        and rec is Recurrence.YEARLY
        and day > _days_in(2000, which)
    ):
        raise ValueError(f"{label}{which}月没有{day}日")
    if which is not None and rec is Recurrence.YEARLY:
        when = f"{which}月{day}日" if day else f"{which}月底"
    else:
        month = "" if months == 1 else (f"第{which}个月" if which else "最后一个月")
        when = month + (f"{day}日" if day else "最后一天")
    return _Clause(
        Kind.RECURRING,
        None,
        f"{label}：每期{when}到期，按查看日期推算下一期",
        rec,
        day,
        which,
    )


_SPAN = rf"(?P<a>\d{{4}})年?[{_DASHES}](?P<b>\d{{4}})年"
# A time of day after a date (11月8日中午12点前, 3月17日下午下班前): the day is the deadline.
_TIME_OF_DAY = (
    r"(?:上午|中午|下午|晚上)?(?:(?P<h>\d{1,2})(?::(?P<mi>\d{2})|[点时](?:(?P<mn>\d{1,2})分?)?)|下班)?"
    r"(?:\(北京时间\))?"
)
# Before a form, the words that say "by" (于6月底前, 到2023年底, 力争9月底前, 务于2月3日前).
_HEAD = r"(?:(?:力争|争取|务必|务|须|应|请|最迟|最晚)?(?:于|在|到)|截至|截止到?|力争|争取|最迟|最晚|至)?"
# Before a relative form, what was published.
_PUBLISHED = r"(?:本(?:工作要点|要点|方案|通知|计划|意见|文件))?"
# An action may be done once a period (每季度报送一次).
_TAIL = r"(?:之前|以前|前|止)?(?:(?:" + "|".join(ACTIONS) + ")(?:一次)?)?"
# Ongoing: a word for "keep doing" with the verb that may follow it, or a word for "whenever
# there is something" with what is then done (持续开展, 长期坚持, 常态化推进, 动态更新 …).
_ONGOING_WORDS = (
    r"(?:(?:持续|长期|常态化?)(?:推进|坚持|开展|实施|落实|抓好|进行)?"
    r"|(?:实时|随时|及时|动态)(?:更新|公开|发布|调整))"
)
# The levels above an office that may set a date later.
_LEVELS = (
    r"(?:国家和省|中央和省|省市|市级|市里|全市|市|省级|省里|全省|省|区级|区里|县级|县里"
    r"|上级部门|上级|国家|中央)"
)


class _Form(NamedTuple):
    # The form alone. What may stand around it (_HEAD before, _TAIL after) is found once
    # per clause and the form matched between them, rather than compiled into every form:
    # each new head or action word would otherwise cost compile time once per form.
    core: re.Pattern[str]
    handler: _Handler


class _Grammar(NamedTuple):
    forms: list[_Form]
    head: re.Pattern[str]
    clauses: re.Pattern[str]
    numerals: re.Pattern[str]
    long_number: re.Pattern[str]
    dash: re.Pattern[str]
    tail: re.Pattern[str]
    year_head: re.Pattern[str]


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    """The compiled grammar, built on first use: compiling it costs ~8 ms, which a command
    that never resolves a new deadline (one served from the plan cache) need not pay."""
    # Tried in order, first match wins: specific forms before the general ones they contain.
    table: list[tuple[str, _Handler]] = [
        (
            r"(?:按照?|根据|依照|遵照|视|待)"
            + _LEVELS
            + r"的?(?:统一)?(?:部署|要求|安排|通知|规定)(?:执行|推进|落实|确定|为准)?",
            _pending,
        ),
        (r"以" + _LEVELS + r"的?(?:部署|要求|安排|通知|规定)为准", _pending),
        (
            _PUBLISHED + r"(?:发布|印发|出台|下发|公布)(?:之日)?(?:后|起)(?P<n>\d+)"
            r"(?P<unit>个工作日|个月|月|日|天|周)内?",
            _relative,
        ),
        (
            r"(?P<what>.+?)(?:发布|印发|出台|下发|公布|收到|受理)(?:之日)?(?:后|起)(?P<n>\d+)"
            r"(?P<unit>个工作日|个月|月|日|天|周)内?",
            _per_event,
        ),
        (r"每年的?(?P<k>\d+)月(?:(?P<d>\d+)日|底|末)", _recurring),
        (
            r"每个?(?P<r>季度|半年|月|年)的?(?:第(?P<k>\d+)个月|最后1个月|末月)?的?"
            r"(?:末|底)?(?:(?P<d>\d+)日)?",
            _recurring,
        ),
        # Work more often than monthly (每周四下班前, 每十天) has no date of its own.
        (
            rf"每个?(?:(?:周|星期|礼拜)[一二三四五六日天]?|\d*[天日]|\d+周|半个?月){_TIME_OF_DAY}",
            _too_frequent,
        ),
        # A weekday or a month counted from the notice (下周五下班前, 下月中旬).
        (rf"(?:本|下|上|这)?(?:周|星期|礼拜)[一二三四五六日天]{_TIME_OF_DAY}", _relative_week),
        (r"(?:本|下|上|这)个?月(?:[上中下]旬|底|末|初|\d+日)?", _relative_week),
        (_SPAN, _span),
        (_Y + rf"(?P<a>\d+)月?[{_DASHES}](?P<m>\d+)月(?:份)?(?:底|末)?", _month_span),
        (
            _Y
            + r"(?P<m>\d+)月(?P<d>\d+)日(?:\((?:星期|周|礼拜)(?P<w>[一二三四五六日天])\))?"
            + _TIME_OF_DAY,
            _day,
        ),
        # 8月30前: a day written without 日 is refused, not guessed.
        (_Y + r"(?P<m>\d+)月(?P<d>\d{1,2})", _day_without_ri),
        (_Y + r"(?P<m>\d+)月初", _month_start),
        # 12月上中旬: two 旬 together end with the later one.
        (_Y + r"(?P<m>\d+)月(?:[上中](?=[中下]旬))?(?P<p>[上中下])旬", _period),
        (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", _day),
        (_Y + r"(?P<m>\d+)月份?前", _ambiguous_month),
        (_Y + r"(?P<m>\d+)月(?:份)?(?:底|末|内)?", _month),
        (_Y + r"第?(?P<q>\d+)季度(?:末|底)?", _quarter),
        (_Y + r"(?P<h>[上下])半年(?:末|底)?", _half),
        (r"(?:(?P<y>\d+)年年?|年)(?:底|末|终)", _year_end),
        # 2008年以前 may mean "by the end of 2007" or "within 2008", like 11月前.
        (r"(?P<y>\d{4})年(?P<w>以前|之前|前)", _ambiguous_year),
        # From a year on (2020年起, 从2019年起): ongoing.
        (r"(?:自|从)?(?P<y>\d{4})年度?(?:起|开始)", _from_year),
        # A year alone (到2023年, 2025年): that year's work, due at its end.
        (r"(?P<y>\d{4})年度?", _ongoing),
        (
            r"(?:(?:(?P<y>\d+)年(?:年?内|全年)|全年|年内)"
            + _ONGOING_WORDS
            + "?|"
            + _ONGOING_WORDS
            + ")",
            _ongoing,
        ),
        # 在7日之内: a length of time with nothing to count it from.
        (r"(?P<n>\d+)(?P<unit>个工作日|个月|日|天|周)(?:之内|以内)", _no_start),
        # 春节前: a holiday whose date moves from year to year.
        (_Y + r"(?P<h>春节|中秋节?|端午节?|清明节?)", _holiday),
        (r"(?P<d>\d+)日", _day_only),
    ]
    forms = [_Form(re.compile(core), handler) for core, handler in table]
    return _Grammar(
        forms,
        re.compile(_HEAD),
        re.compile(r"[,;，；。、]"),
        re.compile(_CN_NUM),
        re.compile(rf"\d{{{MAX_DIGITS + 1},}}"),
        re.compile(rf"[{_DASHES}]"),
        re.compile(_TAIL),
        re.compile(r"^\d{4}年"),
    )


_RELATIVE_YEARS = (("明年", 1), ("次年", 1), ("来年", 1), ("今年", 0), ("当年", 0), ("本年", 0))
# 2023年当年内: a year word right after a written year repeats it.
_YEAR_REPEATED = r"(\d{4}年)(?:当年|本年|今年)"
# 一直持续到12月16日: ongoing until a date.
_UNTIL = r"(?:一直)?持续(?:到|至)(?P<rest>.+)"
# The start of a span that is the notice itself (自即日起至…, 自本公告发布之日起至…): the
# span's end is the deadline. 截止 may follow (从公告之日起，截止到10月31日).
_FROM_NOTICE = (
    r"(?:自|从)?(?:即日|(?:本)?(?:公告|通告|通知|方案|文件)?(?:发布|印发|下发)?之日"
    r"|(?:发布|印发|下发)(?:本)?(?:公告|通告|通知|方案|文件)之日)(?:开始)?起?"
)
# A span's start that names its month, and an end that names only a day or a 旬.
_MONTH_HEAD = r"(?:\d{4}年)?\d+月"
_DAY_OR_PERIOD = r"\d+日|[上中下]旬"
# 从5月初起到6月25日, 自2021年10月13日起至10月19日止: the words around a span's start.
_FROM_WORDS = r"^(?:自|从)|(?:起|开始)$"
# The words joining a span's ends, written in one way: 自本公告发布之日起，至12月15日止 (a comma
# inside a span does not separate milestones), 从公告之日起，截至12月20日, 自即日开始，12月31日结束.
_SPAN_JOINS = (
    (r"起,?(?:截止到?|截至)", "起至"),
    (r"起,(?=至|到)", "起"),
    (r"(?:开始|起),?(.+)结束$", r"起至\1"),
)


def _join_span(norm: str) -> str:
    for pattern, joined in _SPAN_JOINS:
        norm = re.sub(pattern, joined, norm)
    return norm


def _resolve_clause(clause: str, ctx: _Ctx) -> _Clause:
    """One clause: a year word (明年 …) made explicit, then one form read whole, or a range
    of two forms (11月15日至11月30日, 2025年1月11日-2025年10月底) due at its end."""
    clause = re.sub(_YEAR_REPEATED, r"\1", clause)
    for word, offset in _RELATIVE_YEARS:
        if word in clause:
            clause = clause.replace(word, f"{ctx.check_year(ctx.year + offset)}年")
    until = re.fullmatch(_UNTIL, clause)
    if until:
        end = _resolve_form(until.group("rest"), ctx)
        if end is not None and end.due is not None:
            return _Clause(Kind.ONGOING, end.due, f"持续到某日：到该日为止（{end.rule}）")
    found = _resolve_form(clause, ctx)
    if found is not None:
        return found
    found = _resolve_range(clause, ctx)
    if found is not None:
        return found
    raise ValueError(_unread(clause))


# The longest text _TAIL reads (之前 + 开工建设 + 一次): where a tail may start is looked for
# only this far from the end.
_LONGEST_TAIL = 2 + max(len(a) for a in ACTIONS) + 2


def _resolve_form(clause: str, ctx: _Ctx) -> _Clause | None:
    """The first form (in the table's order) that reads the clause whole, once the words
    before it (于、到 …) and after it (前、完成 …) are set aside."""
    g = _grammar()
    head = g.head.match(clause)
    starts = [head.end(), 0] if head and head.end() else [0]
    ends = [
        t
        for t in range(len(clause), max(-1, len(clause) - _LONGEST_TAIL - 1), -1)
        if g.tail.fullmatch(clause, t)
    ]
    for form in g.forms:
        for start in starts:
            for end in ends:
                m = form.core.fullmatch(clause, start, end)
                if m:
                    return form.handler(m, ctx)
    return None


def _resolve_range(clause: str, ctx: _Ctx) -> _Clause | None:
    """Try each dash as the range's middle; a split that reads on both sides wins."""
    failure: ValueError | None = None
    for dash in _grammar().dash.finditer(clause):
        left, right = clause[: dash.start()], clause[dash.end() :]
        if re.fullmatch(_FROM_NOTICE, left):
            until = _resolve_form(right, ctx)
            if until is not None and until.due is not None:
                if ctx.published is not None and until.due < ctx.published:
                    raise ValueError(
                        f"区间的结束日期 {until.due.isoformat()} 早于发布日期 "
                        f"{ctx.published.isoformat()}"
                    )
                rule = f"自发文之日起的区间：以结束日期为截止日期（{until.rule}）"
                return _Clause(until.kind, until.due, rule)
            continue
        left = re.sub(_FROM_WORDS, "", left)
        month = re.match(_MONTH_HEAD, left)
        if month and re.match(_DAY_OR_PERIOD, right):
            right = month.group(0) + right  # 11月1日至20日, 12月中旬至下旬: the month holds too
        year = _grammar().year_head.match(left)
        if year and not _grammar().year_head.match(right):
            right = year.group(0) + right  # 2024年11月15日至12月底: the year holds for both
        try:
            start, end = _resolve_form(left, ctx), _resolve_form(right, ctx)
        except ValueError as exc:
            failure = failure or exc
            continue
        if start and end and start.due and end.due and Kind.DATE in (start.kind, end.kind):
            if end.due < start.due:
                raise ValueError(f"区间的结束日期 {end.due.isoformat()} 早于开始日期")
            return _Clause(Kind.DATE, end.due, f"区间：以结束日期为截止日期（{end.rule}）")
    if failure is not None:
        raise failure
    return None


def _unread(clause: str) -> str:
    """Say which part of a clause no form reads: what is left around the longest form."""
    best: re.Match[str] | None = None
    for form in _grammar().forms:
        m = form.core.search(clause)
        if m and (best is None or len(m.group(0)) > len(best.group(0))):
            best = m
    if best is None:
        return ""
    before = clause[: best.start()]
    before = before[re.match(_HEAD, before).end() :]  # type: ignore[union-attr]
    after = clause[best.end() :]
    after = after[_grammar().tail.match(after).end() :]  # type: ignore[union-attr]
    if before and after:
        return f"其中“{before}”和“{after}”无法识别"
    if before:
        return f"其中“{before}”无法识别"
    return (
        f"“{best.group(0)}”后面的“{after}”无法识别（节点之后只可跟“前”“止”或 {'、'.join(ACTIONS)}）"
    )


# Resolved deadlines by (text, year, published). A plan repeats a handful of texts, and the
# parsed-plan cache stores this table so that a warm run never compiles the grammar.
_RESOLVED: dict[tuple[str, int, date | None], Deadline] = {}


def memo() -> dict[tuple[str, int, date | None], Deadline]:
    """What has been resolved so far (for the parsed-plan cache to keep)."""
    return dict(_RESOLVED)


def remember(entries: dict[tuple[str, int, date | None], Deadline]) -> None:
    """Take back what a cache kept; resolution is pure, so the results are the same."""
    _RESOLVED.update(entries)


def resolve(text: str, year: int, published: date | None = None) -> Deadline:
    """Resolve `text` for a plan of `year` published on `published`.

    Raises DeadlineError (with the forms understood) for a text it cannot read.
    """
    key = (text, year, published)
    found = _RESOLVED.get(key)
    if found is None:
        if len(_RESOLVED) > 65536:  # a long-lived process fed arbitrary text stays bounded
            _RESOLVED.clear()
        found = _RESOLVED[key] = _resolve(text, year, published)
    return found


def _normalize_bounded(text: str) -> str:
    """normalize(), refusing long text and long numbers before any number is converted."""
    folded = _fold(text)
    if len(folded) > MAX_LENGTH:
        raise DeadlineError(f"时间节点过长（{len(folded)} 个字符，最多 {MAX_LENGTH} 个）。")
    cn_run = max((len(m.group(0)) for m in _grammar().numerals.finditer(folded)), default=0)
    if cn_run > MAX_DIGITS:
        long = _grammar().numerals.search(folded)
        assert long is not None
        raise DeadlineError(f"无法识别时间节点“{text}”：数字“{_clip(long.group(0))}”过长。")
    norm = normalize(folded)
    long = _grammar().long_number.search(norm)
    if long:
        raise DeadlineError(f"无法识别时间节点“{text}”：数字“{_clip(long.group(0))}”过长。")
    return norm


def _clip(number: str) -> str:
    return number if len(number) <= 12 else number[:12] + "…"


# Numbered milestones (①3月底前,完成设计招标。②5月底前,…): a circled or bracketed number
# starts a milestone. NFKC would fold ① into 1 and glue it to the month (①3月 -> 13月), so
# the numbers become clause breaks before anything else is done to the text.
_ORDINAL = "[\u2460-\u249b]"
# In a numbered cell, the clauses after a milestone's date say what is done by then; a
# clause that starts the way a date does is never taken for such words (a typo stays an error).
_DATE_START = (
    r"\d|每|按|根据|全年|年内|年底|年末|[上下]半年|明年|次年|今年|当年|本年"
    r"|(?:力争|争取|务|须|应|请)?(?:于|在|到)\d|截至|截止"
)
# A period word inside a sentence: the cell describes recurring work in prose.
_PERIOD_IN_PROSE = r"每个?(?:月|季度|半年|年|周)"


# A period with, in brackets, the dates it falls on for the rest of the year, as a notice
# writes it: 在每季度末(分别在6月、9月和12月底). The dates named are the milestones (the
# office said which); each must end the period, and an end word after the last month
# (底, 末, 底前) is every bare month's.
_PERIOD_LISTED = (
    r"(?:(?:于|在|到)?每个?(?P<r>月|季度|半年)末?)\((?:分别(?:在|于|为|是)?|即)?(?P<dates>[^()]+)\)"
)
_LISTED_PARTS = r"[、,和及与]"
_PERIOD_ENDS = {"月": tuple(range(1, 13)), "季度": (3, 6, 9, 12), "半年": (6, 12)}


def _period_listed(text: str, year: int, published: date | None) -> Deadline | None:
    """The milestones a period's bracket names (see _PERIOD_LISTED); None for other text."""
    if "每" not in text or not any(b in text for b in "(（"):
        return None  # most texts: nothing to fold
    m = re.fullmatch(_PERIOD_LISTED, _normalize_bounded(text))
    if m is None:
        return None
    parts = [p for p in re.split(_LISTED_PARTS, m["dates"]) if p]
    last = re.fullmatch(r"\d{1,2}月(?P<end>\D*)", parts[-1]) if parts else None
    end = last["end"] if last else ""
    dates = [f"{p}{end}" if re.fullmatch(r"\d{1,2}月", p) else p for p in parts]
    listed = _resolve("，".join(dates), year, published)
    label = _RECURRENCE_WORDS[m["r"]][1]
    dues: list[date | None] = [ms.due for ms in listed.milestones] or [listed.due]
    if listed.kind is not Kind.DATE or any(
        d is None or d.month not in _PERIOD_ENDS[m["r"]] for d in dues
    ):
        raise DeadlineError(
            f"无法识别时间节点“{text}”：括号中的“{m['dates']}”不都是{label}末；"
            f"请只写“{label}”，或写出各个节点（如“6月底，9月底，12月底”）。"
        )
    named = "、".join(dates)
    return listed._replace(
        text=text, rule=f"{label}末，括号中写明的节点（{named}）：以最后一个为截止日期"
    )


def _resolve(text: str, year: int, published: date | None = None) -> Deadline:
    if not isinstance(text, str) or not text.strip():
        raise DeadlineError("时间节点为空。" + FORMS_HELP)
    listed = _period_listed(text, year, published)
    if listed is not None:
        return listed
    ctx = _Ctx(year, published)
    numbered = re.search(_ORDINAL, text) is not None
    norm = _join_span(_normalize_bounded(re.sub(_ORDINAL, "；", text) if numbered else text))
    clauses = [c for c in _grammar().clauses.split(norm) if c]
    resolved: list[tuple[str, _Clause]] = []
    for clause in clauses:
        try:
            found = _resolve_clause(clause, ctx)
            if found.due is not None:
                ctx.check_year(found.due.year)  # 发布后3000日内 lands years away
        except (ValueError, OverflowError) as exc:
            if numbered and resolved and not re.match(_DATE_START, clause):
                # What is done by the milestone before it: kept with it, shown with its date.
                raw, found_before = resolved[-1]
                resolved[-1] = (f"{raw}，{clause}", found_before)
                continue
            recurring_form = clause[_grammar().head.match(clause).end() :].startswith("每")  # type: ignore[union-attr]
            if re.search(_PERIOD_IN_PROSE, norm) and not recurring_form:
                raise DeadlineError(
                    f"无法识别时间节点“{text}”：周期性的工作请只写周期"
                    "（如“每月”“每季度”“每月10日前”），做法写入任务内容。"
                ) from None
            if not str(exc):
                raise DeadlineError(f"无法识别时间节点“{text}”。{FORMS_HELP}") from None
            raise DeadlineError(f"无法识别时间节点“{text}”：{exc}。") from None
        resolved.append((clause, found))
    if not resolved:
        raise DeadlineError(f"无法识别时间节点“{text}”。{FORMS_HELP}")
    plan_end = date(year, 12, 31)
    if len(resolved) == 1:
        only = resolved[0][1]
        return Deadline(
            text,
            only.kind,
            only.due,
            (),
            only.recurrence,
            only.recurrence_day,
            plan_end,
            only.rule,
            recurrence_month=only.recurrence_month,
        )
    kinds = {c.kind for _, c in resolved}
    if kinds & {Kind.PENDING, Kind.RECURRING}:
        raise DeadlineError(f"无法识别时间节点“{text}”：待部署或周期性的节点不能与其他节点并列。")
    milestones = tuple(Milestone(raw, c.due) for raw, c in resolved if c.due is not None)
    last = max(milestones, key=lambda ms: ms.due)
    kind = Kind.ONGOING if kinds == {Kind.ONGOING} else Kind.DATE
    return Deadline(
        text,
        kind,
        last.due,
        milestones,
        None,
        None,
        plan_end,
        f"多个节点：以最后一个（{last.text}）为截止日期",
    )


UNDATED_LABEL = "未明确时限"


def undated(year: int) -> Deadline:
    """The deadline of a task that has no 时间节点: no date until one is written in."""
    return Deadline(
        "",
        Kind.UNDATED,
        None,
        plan_end=date(year, 12, 31),
        rule=f"{UNDATED_LABEL}：任务没有时间节点；确定后在任务中填写 deadline 或 due",
    )


def explicit(text: str, due: date, year: int) -> Deadline:
    """A deadline whose date was fixed in the data (`due:`), overriding resolution."""
    return Deadline(
        text,
        Kind.DATE,
        due,
        (),
        None,
        None,
        date(year, 12, 31),
        f"已在任务中指定截止日期 {due.isoformat()}（due）",
        explicit=True,
    )
