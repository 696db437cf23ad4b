"""Record progress (进展), closing (销号), extensions (延期) and the office's decisions on
them (approve, reject, 退办) in tasks.yaml.

The checks a person's input must pass come here, against the data as it stands under the
write lock; the text edit and the write itself are gkctl.store.edit's. Dates are given by the
caller (`today` included): nothing here reads the clock.

Each record is a step (progress_step, extension_step): the checks of its arguments, made
at once, and a build that checks it against the data and makes the edit. `progress add`
and `extend` write one step; `record_all` writes many in one replace of the file.

Rules:
* progress and closing record what happened, so their date may not be after today, nor
  before the plan was published (1 January of its year where it gives no date); a request
  may not be dated before then either (a decision or 退办 is, being after the request or
  report it answers);
* a closed task takes no request (reopen it first);
* an extension is a request (`decision: requested`) until the office approves or rejects
  it; it must move the deadline in force for that unit (its own latest approved extension,
  else the task's due date) to a later day; asked after the original due date has passed,
  it is refused unless `late` is given, and is then recorded with `late: true`; a unit
  with a request still waiting may not ask again;
* a unit may only record for a task that names it (directly or through a group);
* the office decides a unit's waiting request, or sends back its latest done report, on a
  day not before the request or report and not after today;
* every write made later than the day it records says when it was made (`recorded`, or
  `return_recorded`, `accept_recorded`, `decision_recorded`, `closed_recorded`): the day
  it reached the office, which decides the 通报 period it belongs to (core.period).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from gkctl.core import dates, status, textsafe
from gkctl.core.errors import GkctlError, UsageError
from gkctl.core.limits import LINE_CHARS, LINK_CHARS, TEXT_CHARS, too_long
from gkctl.core.model import Dataset, Decision, Progress, ProgressStatus, Task, Unit
from gkctl.core.units import involvement, lookup
from gkctl.store import edit


@dataclass(frozen=True)
class Recorded:
    """What a write did: the task as it now reads, and the lines added."""

    task: Task
    edit: edit.Edit
    path: str
    written: bool


def clean_text(
    value: str,
    what: str,
    required: bool = False,
    limit: int = TEXT_CHARS,
    field: textsafe.Field = textsafe.Field.TEXT,
    hint: str = "（详细材料可放在网页上，附上链接）",
) -> str:
    """A person's text for the file, held to the loader's text policy (core.textsafe):
    what validate would refuse is refused here, before anything is written."""
    text = value.strip()
    long = too_long(text, limit)
    if long is not None:
        raise UsageError(f"{what}{long}，请精简后重试{hint}。")
    refused = textsafe.refusal(text, field, what)
    if refused is not None:
        raise UsageError(f"{refused.message}后重试。")
    if required and not text:
        raise UsageError(f"{what}不能为空。")
    return text


def document_facts(
    title: str | None, number: str | None, issuer: str | None
) -> tuple[str | None, str | None, str | None]:
    """A plan's --title, --number and --issuer (plan new, import): one line each, within
    LINE_CHARS, refused before a table is read or a file written (a 100,000-character 文号
    went into a new tasks.yaml)."""

    def one(value: str | None, what: str) -> str | None:
        if value is None:
            return None
        return clean_text(value, what, limit=LINE_CHARS, field=textsafe.Field.LINE, hint="")

    return (
        one(title, "标题（--title）"),
        one(number, "文号（--number）"),
        one(issuer, "发文单位（--issuer）"),
    )


def _task(dataset: Dataset, task_id: int) -> Task:
    return dataset.plan.require(task_id)


def _unit(dataset: Dataset, task: Task, query: str, what: str) -> Unit:
    unit = lookup(dataset.directory, query)
    if involvement(task, unit, dataset.directory) is None:
        raise UsageError(
            f"任务 {task.id} 的责任单位（{'、'.join(task.units)}）不包括“{unit.name}”，"
            f"不能记录它的{what}。"
        )
    return unit


def _not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise UsageError(
            f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}）：只能记录已经发生的事。"
        )


def _in_plan(dataset: Dataset, day: date, what: str) -> None:
    doc = dataset.plan.document
    early = dates.before_plan(day, doc.published, doc.year)
    if early is not None:
        raise UsageError(f"{what} {early}。")


def _recorded(key: str, day: date, today: date) -> edit.Fields:
    """`key: today` where the write is made later than the day it records: every write says
    when it reached the file (a report done 10-28 and entered 11-05 belongs to November's
    本期变化, core.period). Left out where the two are the same day, which is how an entry
    without it reads (Progress.entered), so that the file carries no line that says nothing."""
    return [(key, today)] if today != day else []


def _write(
    data_dir: Path, task_id: int, dry_run: bool, build: Callable[[Dataset, str], edit.Edit]
) -> Recorded:
    done, after = edit.write_tasks(data_dir, build, dry_run)
    task = after.plan.task(task_id)
    assert task is not None
    return Recorded(task, done, after.tasks_path, not dry_run)


def add_progress(
    data_dir: Path,
    task_id: int,
    unit_query: str,
    state: ProgressStatus,
    day: date,
    today: date,
    note: str = "",
    link: str | None = None,
    dry_run: bool = False,
) -> Recorded:
    """Append a progress entry: date, unit, status, and note and link where given."""
    step = progress_step(task_id, unit_query, state, day, today, note, link)
    return _write(data_dir, task_id, dry_run, _required(step))


def progress_step(
    task_id: int,
    unit_query: str,
    state: ProgressStatus,
    day: date,
    today: date,
    note: str = "",
    link: str | None = None,
    resent: bool = False,
) -> edit.Step:
    """The checks and the edit of `progress add`, as one step of a write. The arguments
    are checked now; the rest against the data under the lock.

    `resent`: the entry may be a report sent again (a returned form imported twice): what
    is recorded already is not added again (the step returns None), a report the office
    has sent back (退办) is refused, and a report that contradicts the unit's recorded ones
    is refused rather than added beside them."""
    note = clean_text(note, "说明")
    link = (
        clean_text(link, "链接", True, LINK_CHARS, textsafe.Field.LINE)
        if link is not None
        else None
    )
    _not_future(day, today, "进展日期")

    def build(dataset: Dataset, text: str) -> edit.Edit | None:
        _in_plan(dataset, day, "进展日期")
        task = _task(dataset, task_id)
        unit = _unit(dataset, task, unit_query, "进展")
        entry = (day, unit.name, state, note, link)
        for p in task.progress:
            if (p.date, p.unit, p.status, p.note, p.link) == entry:
                if resent and p.returned is not None:
                    # Not "recorded already": the office sent it back, and the task stays
                    # returned until the unit reports anew.
                    raise UsageError(
                        f"{unit.name} {p.date.isoformat()} 的这份完成报告已于 "
                        f"{p.returned.isoformat()} 退办（理由：{p.return_reason}），不再记录；"
                        "请单位重新填报（写明新的完成日期或进展说明）"
                    )
                if resent:
                    return None
                raise UsageError(
                    f"任务 {task_id} 已有同样的进展记录（{p.pos.file} 第 {p.pos.line} 行），"
                    "未重复写入。"
                )
        if resent and _already_reported(task, unit, state, note, link, day):
            return None
        fields: edit.Fields = [("date", day), ("unit", unit.name), ("status", state.value)]
        fields += [("note", note)] if note else []
        fields += [("link", link)] if link else []
        fields += _recorded("recorded", day, today)
        done = edit.append_item(text, task_id, "progress", fields)
        edit.verify(
            text, done.text, task_id, lambda t: t.setdefault("progress", []).append(dict(fields))
        )
        return done

    return edit.Step(task_id, build)


def _already_reported(
    task: Task, unit: Unit, state: ProgressStatus, note: str, link: str | None, day: date
) -> bool:
    """Whether a report sent again is one the unit has recorded (True), is new (False),
    or contradicts what it recorded (UsageError). A unit is done once: another 已完成
    on another date, or 推进中 after its 已完成, contradicts it; 推进中 with the same note
    and link is the same report whatever date it was given."""
    own = [p for p in task.progress if p.unit == unit.name]
    # A report the office sent back (退办) is no longer the unit's word: it may report again.
    done = [p for p in own if p.status is ProgressStatus.DONE and p.returned is None]
    if done:
        first = done[0]
        said = f"{first.date.isoformat()} 报告已完成（{first.pos.file} 第 {first.pos.line} 行）"
        if state is ProgressStatus.DOING:
            raise UsageError(f"{unit.name} 已于 {said}，表中却为推进中；请核对。")
        if first.date != day or (first.note, first.link) != (note, link):
            raise UsageError(
                f"{unit.name} 已于 {said}，与表中（{day.isoformat()}"
                f"{'，' + note if note else ''}）不同；请核对后改正表格，或手工编辑。"
            )
    return any(p.status is ProgressStatus.DOING and (p.note, p.link) == (note, link) for p in own)


def record_all(data_dir: Path, steps: list[edit.Step], dry_run: bool = False) -> edit.Steps:
    """Several entries (progress_step, extension_step) in one write: all or none."""
    return edit.write_steps(data_dir, steps, dry_run)


def record_across(
    parts: list[tuple[Path, list[edit.Step]]], dry_run: bool = False
) -> list[edit.Steps]:
    """Entries into several plans (each plan's folder and its steps) in one write: every
    plan's or none (edit.write_steps_across); one plan alone is record_all."""
    if len(parts) == 1:
        return [record_all(parts[0][0], parts[0][1], dry_run)]
    return edit.write_steps_across(parts, dry_run)


def _required(step: edit.Step) -> Callable[[Dataset, str], edit.Edit]:
    """A step's build for a single write, where nothing-to-add cannot happen."""

    def build(dataset: Dataset, text: str) -> edit.Edit:
        done = step.build(dataset, text)
        assert done is not None
        return done

    return build


class Unreported(GkctlError):
    """A whole task closed while units it is expected from have not reported it done:
    a problem found (exit 1), not a usage error; --force closes it all the same."""


def close(
    data_dir: Path,
    task_id: int,
    day: date,
    today: date,
    note: str = "",
    dry_run: bool = False,
    force: bool = False,
) -> Recorded:
    """Close (销号) a task: `closed:` and, with a note, `closed_note:`. A task whose
    expected units (status.expected_units) have not all reported it done by `day` is
    refused, naming them, unless `force`."""
    note = clean_text(note, "销号说明")
    _not_future(day, today, "销号日期")

    def build(dataset: Dataset, text: str) -> edit.Edit:
        _in_plan(dataset, day, "销号日期")
        task = _task(dataset, task_id)
        if task.closed is not None:
            raise UsageError(
                f"任务 {task_id} 已于 {task.closed.isoformat()} 销号；"
                f"如需改动，请先运行 gkctl reopen {task_id}。"
            )
        who = status.reported(dataset, task, day)
        missing = [u for u in who.expected if u not in who.units]
        if missing and not force and len(who.expected) > 1:
            raise Unreported(
                f"任务 {task_id} 应报完成的 {len(who.expected)} 个单位中只有 {len(who.units)} 个"
                f"已报完成，未报的 {len(missing)} 个：{'、'.join(missing)}。"
                f"可先逐个确认已完成的单位（gkctl accept {task_id} --unit 单位），"
                "或核实后加 --force 整体销号。"
            )
        base = text
        # A note or a recorded day left without its date (by hand, or by a reopen before
        # reopen removed them): replaced, not written twice.
        stale = [k for k in _CLOSING_KEYS[1:] if k in task.keys]
        if stale:
            base = edit.remove_keys(text, task_id, stale).text
        fields: edit.Fields = [("closed", day)] + ([("closed_note", note)] if note else [])
        fields += _recorded("closed_recorded", day, today)
        done = edit.insert_keys(base, task_id, fields)

        def change(t: dict[str, Any]) -> None:
            for key in stale:
                t.pop(key, None)
            t.update(fields)

        edit.verify(text, done.text, task_id, change)
        return done

    return _write(data_dir, task_id, dry_run, build)


# A closing's keys: its date first, then what is written beside it.
_CLOSING_KEYS = ("closed", "closed_note", "closed_recorded")


def reopen(data_dir: Path, task_id: int, dry_run: bool = False) -> Recorded:
    """Undo a closing: remove `closed:`, `closed_note:` and `closed_recorded:`."""

    def build(dataset: Dataset, text: str) -> edit.Edit:
        task = _task(dataset, task_id)
        if task.closed is None and not any(k in task.keys for k in _CLOSING_KEYS[1:]):
            raise UsageError(f"任务 {task_id} 尚未销号，无需撤销。")
        done = edit.remove_keys(text, task_id, list(_CLOSING_KEYS))

        def change(t: dict[str, Any]) -> None:
            for key in _CLOSING_KEYS:
                t.pop(key, None)

        edit.verify(text, done.text, task_id, change)
        return done

    return _write(data_dir, task_id, dry_run, build)


def extend(
    data_dir: Path,
    task_id: int,
    unit_query: str,
    to: date,
    reason: str,
    day: date,
    today: date,
    late: bool = False,
    dry_run: bool = False,
) -> Recorded:
    """Record a unit's request to move its deadline (延期) to `to`, asked on `day`."""
    step = extension_step(task_id, unit_query, to, reason, day, today, late)
    return _write(data_dir, task_id, dry_run, _required(step))


def extension_step(
    task_id: int,
    unit_query: str,
    to: date,
    reason: str,
    day: date,
    today: date,
    late: bool = False,
    resent: bool = False,
) -> edit.Step:
    """The checks and the edit of `extend`, as one step of a write (see progress_step;
    with `resent`, a request the unit has recorded with the same 延期至 and reason is not
    added again)."""
    reason = clean_text(reason, "延期理由", required=True)
    _not_future(day, today, "申请日期")

    def build(dataset: Dataset, text: str) -> edit.Edit | None:
        _in_plan(dataset, day, "申请日期")
        task = _task(dataset, task_id)
        unit = _unit(dataset, task, unit_query, "延期")
        if resent and any(
            (e.unit, e.to, e.reason) == (unit.name, to, reason) for e in task.extensions
        ):
            return None
        # Whatever day the request is dated: a request on a closed task is one that approve
        # and reject refuse to decide and review does not list.
        if task.closed is not None:
            raise UsageError(
                f"任务 {task_id} 已于 {task.closed.isoformat()} 销号，不能再申请延期；"
                f"如确需延期，请先运行 gkctl reopen {task_id} 撤销销号。"
            )
        if status.is_done(task, unit, day):
            raise UsageError(f"{unit.name} 已报告完成任务 {task_id}，无需延期。")
        waiting = status.open_request(task, unit.name, day)
        if waiting is not None:
            raise UsageError(
                f"{unit.name} 已于 {waiting.date.isoformat()} 申请任务 {task_id} 延期至 "
                f"{waiting.to.isoformat()}，尚待区政府办公室决定（gkctl approve 或 gkctl reject），"
                "决定之后才能再次申请。"
            )
        now = status.state(dataset, task, day, unit=unit)
        if now.due is None:
            raise UsageError(
                f"任务 {task_id} 的时间节点“{task.deadline}”没有确定的截止日期，无需延期。"
            )
        in_force = f"现行截止日期 {now.due.isoformat()}" + (
            f"（已延期，原 {now.original_due.isoformat()}）"
            if now.extension is not None and now.original_due is not None
            else ""
        )
        if to <= now.due:
            raise UsageError(f"延期至 {to.isoformat()} 不晚于{in_force}，不是延期。")
        original = now.original_due if now.original_due is not None else now.due
        is_late = day > original
        if is_late and not late:
            raise UsageError(
                f"申请日期 {day.isoformat()} 已过原截止日期 {original.isoformat()}，"
                "属于逾期后申请延期；如确需登记，请加 --late。"
            )
        fields: edit.Fields = [("date", day), ("unit", unit.name), ("to", to), ("reason", reason)]
        fields += [("late", True)] if is_late else []
        fields += [("decision", Decision.REQUESTED.value)]
        fields += _recorded("recorded", day, today)
        done = edit.append_item(text, task_id, "extensions", fields)
        edit.verify(
            text, done.text, task_id, lambda t: t.setdefault("extensions", []).append(dict(fields))
        )
        return done

    return edit.Step(task_id, build)


# --- the office's decisions: approve, reject, return ---------------------------------------------


def decide(
    data_dir: Path,
    task_id: int,
    unit_query: str,
    decision: Decision,
    day: date,
    today: date,
    note: str = "",
    dry_run: bool = False,
) -> Recorded:
    """Approve or reject the unit's waiting extension request: `decision`, `decided` and,
    with a note (required to reject), `decision_note` are written into its entry."""
    rejecting = decision is Decision.REJECTED
    note = clean_text(note, "不批准的理由" if rejecting else "批准说明", required=rejecting)
    _not_future(day, today, "决定日期")

    def build(dataset: Dataset, text: str) -> edit.Edit:
        task = _task(dataset, task_id)
        unit = _unit(dataset, task, unit_query, "延期决定")
        if task.closed is not None and task.closed <= day:
            raise UsageError(f"任务 {task_id} 已于 {task.closed.isoformat()} 销号，无需决定延期。")
        waiting = [
            (i, e)
            for i, e in enumerate(task.extensions)
            if e.unit == unit.name and e.decision is Decision.REQUESTED
        ]
        if not waiting:
            raise UsageError(
                f"{unit.name} 在任务 {task_id} 上没有待批的延期申请"
                f"（可用 gkctl show {task_id} 查看延期记录）。"
            )
        index, asked = max(waiting, key=lambda pair: pair[1].date)
        if day < asked.date:
            raise UsageError(
                f"决定日期 {day.isoformat()} 早于申请日期 {asked.date.isoformat()}："
                "只能在申请之后决定。"
            )
        fields: edit.Fields = [("decision", decision.value), ("decided", day)]
        fields += [("decision_note", note)] if note else []
        fields += _recorded("decision_recorded", day, today)
        return _set_entry(text, task_id, "extensions", index, fields)

    return _write(data_dir, task_id, dry_run, build)


def return_report(
    data_dir: Path,
    task_id: int,
    unit_query: str,
    reason: str,
    day: date,
    today: date,
    dry_run: bool = False,
) -> Recorded:
    """Send the unit's done report back (退办): `returned` and `return_reason` are written
    into its latest done entry that has not been sent back. The task is then judged by its
    date again, for the unit and plan-wide."""
    reason = clean_text(reason, "退办理由", required=True)
    _not_future(day, today, "退办日期")

    def build(dataset: Dataset, text: str) -> edit.Edit:
        task = _task(dataset, task_id)
        unit = _unit(dataset, task, unit_query, "退办")
        if task.closed is not None and task.closed <= day:
            raise UsageError(
                f"任务 {task_id} 已于 {task.closed.isoformat()} 销号；"
                f"如需退办，请先运行 gkctl reopen {task_id}。"
            )
        reports = _standing_reports(task, unit)
        if not reports:
            raise UsageError(f"{unit.name} 在任务 {task_id} 上没有可退办的完成报告。")
        index, report = max(reports, key=lambda pair: pair[1].date)
        if report.accepted is not None:
            raise UsageError(
                f"{unit.name} 在任务 {task_id} 上的完成报告已于 {report.accepted.isoformat()} "
                "确认，不能再退办；如确需退办，请手工删除该记录的 accepted 后再运行。"
            )
        if day < report.date:
            raise UsageError(
                f"退办日期 {day.isoformat()} 早于 {unit.name} 的完成报告（{report.date.isoformat()}）："
                "只能退办已经报送的完成报告。"
            )
        fields: edit.Fields = [("returned", day), ("return_reason", reason)]
        fields += _recorded("return_recorded", day, today)
        return _set_entry(text, task_id, "progress", index, fields)

    return _write(data_dir, task_id, dry_run, build)


def accept(
    data_dir: Path,
    task_id: int,
    unit_query: str,
    day: date,
    today: date,
    note: str = "",
    dry_run: bool = False,
) -> Recorded:
    """Close one unit's part of a task (确认完成): `accepted` is written into the unit's
    latest done report that was not sent back; where the unit has none, a done entry is
    added in its name, accepted the same day (the office's own finding, with `note`).
    The task leaves that unit's views and stays in the others'; an accepted report can no
    longer be sent back."""
    note = clean_text(note, "确认说明")
    _not_future(day, today, "确认日期")

    def build(dataset: Dataset, text: str) -> edit.Edit:
        _in_plan(dataset, day, "确认日期")
        task = _task(dataset, task_id)
        unit = _unit(dataset, task, unit_query, "完成确认")
        if task.closed is not None and task.closed <= day:
            raise UsageError(
                f"任务 {task_id} 已于 {task.closed.isoformat()} 整体销号，无需逐个单位确认。"
            )
        reports = _standing_reports(task, unit)
        if reports:
            index, report = max(reports, key=lambda pair: pair[1].date)
            if report.accepted is not None:
                raise UsageError(
                    f"{unit.name} 在任务 {task_id} 上的完成报告已于 "
                    f"{report.accepted.isoformat()} 确认，无需再确认。"
                )
            if day < report.date:
                raise UsageError(
                    f"确认日期 {day.isoformat()} 早于 {unit.name} 的完成报告"
                    f"（{report.date.isoformat()}）：只能确认已经报送的完成报告。"
                )
            if note:
                raise UsageError(
                    f"{unit.name} 已有完成报告（{report.date.isoformat()}），确认时不另写说明；"
                    "--note 只用于没有完成报告时由区政府办公室直接确认。"
                )
            fields: edit.Fields = [("accepted", day)]
            fields += _recorded("accept_recorded", day, today)
            return _set_entry(text, task_id, "progress", index, fields)
        added: edit.Fields = [("date", day), ("unit", unit.name), ("status", "done")]
        added += [("note", note)] if note else []
        added += [("accepted", day)]
        added += _recorded("recorded", day, today)
        done = edit.append_item(text, task_id, "progress", added)
        edit.verify(
            text, done.text, task_id, lambda t: t.setdefault("progress", []).append(dict(added))
        )
        return done

    return _write(data_dir, task_id, dry_run, build)


def _standing_reports(task: Task, unit: Unit) -> list[tuple[int, Progress]]:
    """The unit's done reports on the task not sent back, with their index in `progress`:
    what 退办 sends back and what 确认完成 accepts (the latest of them)."""
    return [
        (i, p)
        for i, p in enumerate(task.progress)
        if p.unit == unit.name and p.status is ProgressStatus.DONE and p.returned is None
    ]


def _set_entry(text: str, task_id: int, key: str, index: int, fields: edit.Fields) -> edit.Edit:
    done = edit.set_item_keys(text, task_id, key, index, fields)

    def change(t: dict[str, Any]) -> None:
        t[key][index].update(dict(fields))

    edit.verify(text, done.text, task_id, change)
    return done
