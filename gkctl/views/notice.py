"""A unit's notice as the words sent to it: short Chinese, one line per matter, each with
the task number and its deadline. One text for every channel (mail body, bot message), so
that the dry run shows exactly what each receives; its lines read as Markdown too (a list),
for the bots' markdown messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkctl.core.model import Decision
from gkctl.core.notice import Item, Matter, Notice
from gkctl.core.records import iso
from gkctl.core.status import TaskState

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
