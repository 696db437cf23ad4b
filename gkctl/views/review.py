"""Rich renderer for `gkctl review`: the office's queue as lines, not a table, so that it
reads the same at 60 columns as at 120 (each item: a line of facts, then its details
indented under it; the terminal wraps the details, never the unit names or ids)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from gkctl.core import behind
from gkctl.core.review import Queue
from gkctl.views.labels import short, zh_date
from gkctl.views.terminal import safe


def _title(text: str, count: int, note: str) -> Group:
    # The note on a line of its own, indented, so that a narrow terminal wraps it under
    # itself rather than under the title.
    return Group(Text(f"{text}（{count}）", style="bold"), Padding(safe(note, "dim"), (0, 0, 0, 2)))


def _indented(text: Text) -> Padding:
    return Padding(text, (0, 0, 0, 6))


def review_view(q: Queue) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"区政府办公室待办 · 截至 {zh_date(q.as_of)}", style="bold"),
        Text(""),
        _title("待销号", len(q.to_close), "应报单位都已报完成，请核实后销号或退办；报得最早的在前"),
    ]
    for c in q.to_close:
        task = c.state.task
        who = c.state.reported
        line = Text(f"{task.id:>4}  ")
        line.append(f"已报 {len(who.units)}/{len(who.expected)}" if who else "", style="green")
        line.append(f"  {c.reported_on.isoformat()} 报齐，已等 {(q.as_of - c.reported_on).days} 天")
        parts.append(line)
        parts.append(_indented(safe(short(task.content))))
        for p in c.reports:
            detail = f"{p.unit} {p.date:%m-%d}：{p.note or '（无说明）'}"
            detail += f" {p.link}" if p.link else "（无链接）"
            parts.append(_indented(safe(detail, "dim")))
    if not q.to_close:
        parts.append(Text("      无", style="dim"))
    parts += [
        Text(""),
        _title("延期申请待批", len(q.requests), "申请得最早的在前"),
    ]
    for w in q.requests:
        e = w.request
        line = Text(f"{w.state.task.id:>4}  ")
        line.append_text(safe(e.unit, "bold"))
        line.append(f"  申请至 {e.to.isoformat()}")
        line.append(f"  已等 {w.days} 天", style="magenta" if w.days > 7 else "")
        parts.append(line)
        current = f"现行 {w.state.due.isoformat()}" if w.state.due else "现行 待定"
        late = "，逾期后申请" if e.late else ""
        detail = f"{current}{late}；{e.date.isoformat()} 申请：{e.reason}"
        parts.append(_indented(safe(detail, "dim")))
    if not q.requests:
        parts.append(Text("      无", style="dim"))
    parts += [
        Text(""),
        _title(
            "催办",
            len(q.chase),
            f"直接点名的任务已逾期、{q.quiet}天内没有进展记录的单位；按落后名次，最落后的在前",
        ),
    ]
    for ch in q.chase:
        worst = max(-(t.state.days_left or 0) for t in ch.tasks)
        line = Text(f"第{ch.rank}名 ", style="dim")
        line.append_text(safe(ch.unit.name, "bold"))
        line.append(f"  {len(ch.tasks)} 项，最久逾期 {worst} 天", style="red")
        parts.append(Padding(line, (0, 0, 0, 2)))
        lead = [
            t.state.task.id for t in ch.tasks if t.state.involvement and t.state.involvement.lead
        ]
        leading = set(lead)  # a unit can owe thousands of tasks: no list scan per task
        other = [t.state.task.id for t in ch.tasks if t.state.task.id not in leading]
        said = [
            f"{word}：{'、'.join(map(str, ids))}"
            for word, ids in (("牵头", lead), ("配合", other))
            if ids
        ]
        # Broken the Chinese way, after a 、 (Rich's own wrap cut 60、7 ⏎ 2 inside a number).
        parts.append(_indented(safe("；".join(said), "dim")))
    if q.chase:
        parts.append(Padding(safe(behind.rank_note(), "dim"), (0, 0, 0, 2)))
    else:
        parts.append(Text("      无", style="dim"))
    if q.forms:  # only where gkctl form has sent some (forms-log.yaml)
        owing = [f for f in q.forms if f.returned is None]
        parts += [
            Text(""),
            _title(
                "填报表未交回",
                len(owing),
                f"共发出 {len(q.forms)} 份，已交回 {len(q.forms) - len(owing)} 份；欠得最久的在前",
            ),
        ]
        for f in owing:
            line = safe(f.unit, "bold")
            line.append(f"  {f.sent.isoformat()} 发出，已 {f.days_owing} 天未交回")
            parts.append(Padding(line, (0, 0, 0, 2)))
        if not owing:
            parts.append(Text("      无", style="dim"))
    return Group(*parts)
