"""A unit's notice as the words sent to it: short Chinese, one line per matter, each with
the task number and its deadline. One text for every channel (mail body, bot message), so
that the dry run shows exactly what each receives; its lines read as Markdown too (a list),
for the bots' markdown messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, NamedTuple

from gkctl.core.model import Decision
from gkctl.core.notice import Item, Matter, Notice
from gkctl.core.records import iso
from gkctl.core.status import TaskState
from gkctl.views.labels import zh_date

DEFAULT_OFFICE = "区政府办公室"

_HEADINGS = {
    Matter.OVERDUE: "已逾期",
    Matter.DUE_SOON: "即将到期",
    Matter.RETURNED: "完成报告被退办",
    Matter.DECIDED: "延期申请已有决定",
}


def subject(notice: Notice, title: str) -> str:
    n = notice.matters
    return (
        f"【催办】{notice.unit.name}：{title}有 {n} 项事项请办理（截至 {notice.as_of.isoformat()}）"
    )


def text(notice: Notice, title: str, office: str = DEFAULT_OFFICE) -> str:
    lines = [f"{notice.unit.name}：", f"截至 {notice.as_of.isoformat()}，{title}中以下事项请办理："]
    for matter in Matter:
        items = notice.of(matter)
        if not items:
            continue
        lines.append(f"{_HEADINGS[matter]}（{len(items)} 项）：")
        lines += [f"- {_line(i, notice)}" for i in items]
    if notice.form is not None:
        f = notice.form
        lines.append("填报表未交回（1 项）：")
        lines.append(f"- {f.sent.isoformat()} 发出的填报表，已 {f.days_owing} 天未交回，请填好发回")
    lines.append(f"完成后请报送进展；需延期的，请在截止前申请。{office}")
    return "\n".join(lines) + "\n"


def _line(item: Item, notice: Notice) -> str:
    s = item.state
    head = f"任务 {task_number(s)} {s.task.name}"
    due = f"截止 {s.due.isoformat()}" if s.due is not None else "未明确时限"
    if item.matter is Matter.OVERDUE and s.days_left is not None:
        return f"{head}，{due}，已逾期 {-s.days_left} 天"
    if item.matter is Matter.DUE_SOON and s.days_left is not None:
        return f"{head}，{due}，还有 {s.days_left} 天"
    if item.matter is Matter.RETURNED and s.returned is not None:
        back = s.returned
        when = back.returned.isoformat() if back.returned else ""
        return f"{head}，{due}，{when} 退办：{back.return_reason}，请重新报送"
    if item.matter is Matter.DECIDED and item.decision is not None:
        e = item.decision
        when = e.decided.isoformat() if e.decided else ""
        if e.decision is Decision.APPROVED:
            said = f"{when} 批准延期至 {e.to.isoformat()}"
        else:
            said = f"{when} 不批准延期至 {e.to.isoformat()}，仍按{due}办理"
        note = f"（{e.decision_note}）" if e.decision_note else ""
        return f"{head}，{said}{note}"
    return f"{head}，{due}"


def task_number(s: TaskState) -> str:
    """The task's number as the unit's due view shows it: 28, or 2025#3 across plans."""
    return f"{s.plan}#{s.task.id}" if s.plan else str(s.task.id)


def title_of(notice: Notice, titles: Mapping[str, str], default: str) -> str:
    """What the notice is about: the plan's title; across plans, the titles of the plans
    its matters belong to (`titles` by plan name), in the order they first appear."""
    named = dict.fromkeys(titles[i.state.plan] for i in notice.items if i.state.plan in titles)
    return "、".join(named) or default


def item_record(item: Item) -> dict[str, Any]:
    """One matter as machine output (notify --format json)."""
    s, e = item.state, item.decision
    back = s.returned if item.matter is Matter.RETURNED else None
    return {
        "matter": item.matter.value,
        "plan": s.plan or None,
        "id": s.task.id,
        "name": s.task.name,
        "due": iso(s.due),
        "days_left": s.days_left,
        "returned": iso(back.returned) if back is not None else None,
        "return_reason": back.return_reason if back is not None else "",
        "decision": e.decision.value if e is not None else None,
        "decided": iso(e.decided) if e is not None else None,
        "to": iso(e.to) if e is not None else None,
    }


def notice_record(
    notice: Notice, title: str, office: str, deliveries: list[dict[str, Any]]
) -> dict[str, Any]:
    """A unit's notice as machine output: what it says (subject, text: the bytes every
    channel receives), its matters, and each delivery with its result."""
    f = notice.form
    return {
        "unit": notice.unit.name,
        "fingerprint": notice.fingerprint,
        "matters": notice.matters,
        "subject": subject(notice, title),
        "text": text(notice, title, office),
        "items": [item_record(i) for i in notice.items],
        "form": {"sent": f.sent.isoformat(), "days_owing": f.days_owing} if f else None,
        "deliveries": deliveries,
    }


# --- the 督办通知单 (gkctl notice): the same matters as a numbered 公文 ----------------------


class Sheet(NamedTuple):
    """What a 督办通知单 says besides the notice: its number, the title of the plan(s), the
    office that signs it, the day to reply by, and how to reach the office (may be empty)."""

    number: str
    title: str
    office: str
    reply_by: date
    contact: str = ""


def sheet_markdown(notice: Notice, sheet: Sheet) -> str:
    """The 督办通知单 as Markdown laid out the way the Word 通报 reads it (exchange.gongwen):
    the title, the number and date under it, the unit addressed (主送), each kind of matter
    under its heading with a table, how and by when to reply, the office and the date."""
    from gkctl.views.report import md_escape as e

    day = zh_date(notice.as_of)
    lines = [
        "# 督办通知单",
        "",
        f"{e(sheet.number)}｜限{zh_date(sheet.reply_by)}前回复",
        "",
        f"{e(notice.unit.name)}：",
        "",
        f"根据{e(_quoted(sheet.title))}的任务分解，截至{day}，你单位有以下"
        f" {notice.matters} 项事项需要办理，现予督办。",
        "",
    ]
    year = notice.as_of.year
    for matter in Matter:
        items = notice.of(matter)
        if not items:
            continue
        header, cells = _SHEET_COLUMNS[matter]
        lines += [f"## {_SHEET_HEADINGS[matter]}（{len(items)} 项）", ""]
        lines.append("| " + " | ".join(("序号", "任务", *header)) + " |")
        lines.append("|---:|---|" + "|".join("---" for _ in header) + "|")
        for item in items:
            row = (task_number(item.state), item.state.task.name, *cells(item, year))
            lines.append("| " + " | ".join(e(c) for c in row) + " |")
        lines.append("")
    if notice.form is not None:
        f = notice.form
        lines += [
            "## 未交回的填报表",
            "",
            f"{zh_date(f.sent)}发出的填报表已 {f.days_owing} 天未交回，请填写后发回。",
            "",
        ]
    lines += [
        "## 办理要求",
        "",
        f"请于{zh_date(sheet.reply_by)}前将办理情况报{e(sheet.office)}：已完成的，报送完成"
        "情况和公开链接；被退办的，补充后重新报送；确需延期的，在截止日期前申请延期。",
        "",
    ]
    if sheet.contact:
        lines += [e(sheet.contact), ""]
    lines.append(f'<p align="right">{e(sheet.office)}<br>{day}</p>')
    return "\n".join(lines) + "\n"


def _quoted(title: str) -> str:
    """A plan's title in 书名号; several titles, each in its own."""
    return "、".join(f"《{t}》" for t in title.split("、"))


_SHEET_HEADINGS = {
    Matter.OVERDUE: "已逾期的任务",
    Matter.DUE_SOON: "即将到期的任务",
    Matter.RETURNED: "被退办的完成报告",
    Matter.DECIDED: "延期申请的决定",
}


def _late(item: Item, year: int) -> tuple[str, ...]:
    s = item.state
    return (zh_date(s.due, year=year), f"{-(s.days_left or 0)} 天")


def _soon(item: Item, year: int) -> tuple[str, ...]:
    s = item.state
    return (zh_date(s.due, year=year), f"{s.days_left or 0} 天")


def _back(item: Item, year: int) -> tuple[str, ...]:
    r = item.state.returned
    return (zh_date(r.returned if r else None, year=year), r.return_reason if r else "")


def _decided(item: Item, year: int) -> tuple[str, ...]:
    d, s = item.decision, item.state
    if d is None:
        return ("", "")
    if d.decision is Decision.APPROVED:
        said = f"批准延期至{zh_date(d.to, year=year)}"
    else:
        said = f"不批准延期，仍按{zh_date(s.due, year=year)}办理"
    return (
        zh_date(d.decided, year=year),
        said + (f"（{d.decision_note}）" if d.decision_note else ""),
    )


_SHEET_COLUMNS: dict[Matter, tuple[tuple[str, ...], Callable[[Item, int], tuple[str, ...]]]] = {
    Matter.OVERDUE: (("截止日期", "已逾期"), _late),
    Matter.DUE_SOON: (("截止日期", "还剩"), _soon),
    Matter.RETURNED: (("退办日期", "退办理由"), _back),
    Matter.DECIDED: (("决定日期", "决定"), _decided),
}
