"""A unit's notice as the words sent to it: short Chinese, one line per matter, each with
the task number and its deadline. One text for every channel (mail body, bot message), so
that the dry run shows exactly what each receives; its lines read as Markdown too (a list),
for the bots' markdown messages."""

from __future__ import annotations

from gkctl.core.model import Decision
from gkctl.core.notice import Item, Matter, Notice

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
    head = f"任务 {s.task.id} {s.task.name}"
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
