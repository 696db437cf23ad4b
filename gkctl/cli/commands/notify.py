"""gkctl notify: chase each unit by e-mail and group bot (催办), without a phone call."""

import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    UnitOpt,
    WithinOpt,
    as_of_date,
    check_format,
    format_option,
    load,
    load_plans,
    plan_scope,
    project_config,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.cli.formats import OutputFormat
from gkctl.core import status
from gkctl.core.errors import ExitCode, UsageError
from gkctl.core.units import lookup
from gkctl.store import paths

if TYPE_CHECKING:
    from gkctl.core.model import Directory
    from gkctl.core.notice import Notice
    from gkctl.exchange.send import Outcome
    from gkctl.store.contacts import Contacts, Smtp, UnitContacts, Webhook

F = OutputFormat
BOT_LABELS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


class _Delivery(NamedTuple):
    notice: "Notice"
    channel: str  # "email" or the webhook's name: the sent log's key
    label: str  # what the dry run and the report show (never an address with a key)
    hook: "Webhook | None"
    to: tuple[str, ...]


class Found(NamedTuple):
    """The notices of a day, with what their words need: each plan's title by name (empty
    in a one-plan folder), the title to use otherwise, and the folder of contacts.yaml and
    notify-log.yaml (the plan's; across plans, the folder of plans)."""

    notices: "list[Notice]"
    titles: dict[str, str]
    title: str
    folder: Path
    directory: "Directory"


def collect(
    data: Path | None, plan: str | None, day: date, within: int, unit: str | None
) -> Found | None:
    """Each unit's notice on `day` (notify and the 督办通知单 share it): one plan's, or in a
    folder of plans without --plan, one notice per unit across them (the selection of a
    cross-plan `due`). None, with a note, where the one plan has ended."""
    from gkctl.core.forms import form_states
    from gkctl.core.notice import notices, notices_across
    from gkctl.store import formslog

    scope = plan_scope(data, plan)
    if scope.several and plan is None:
        loaded = load_plans(scope.chosen)
        events = tuple(e for p in scope.chosen for e in formslog.events(p.path))
        found = notices_across(loaded, day, within, forms=form_states(events, day))
        titles = {p.name: p.dataset.plan.document.title for p in loaded}
        first = loaded[-1].dataset
        out = Found(found, titles, first.plan.document.title, scope.folder, first.directory)
    else:
        dataset = load(data, plan)
        folder = scope.one().path
        ending = warn_outside_plan_year(dataset, day)
        if ending.ended:
            warn(f"{ending.label}，不再催办：各任务状态已是最终结果。")
            return None
        forms = form_states(formslog.events(folder), day)
        found = notices(dataset, day, within, forms=forms)
        title = dataset.plan.document.title
        out = Found(found, {}, title, folder, dataset.directory)
    if unit:
        chosen = lookup(out.directory, unit)
        out = out._replace(notices=[n for n in out.notices if n.unit.name == chosen.name])
    return out


OfficeOpt = Annotated[
    str | None,
    typer.Option(
        "--office",
        help="落款：发通知的办公室；默认取 gkctl.toml 中 [office] 的 name，其次 contacts.yaml 的"
        " office，都没有时为“区政府办公室”。",
        show_default=False,
    ),
]


def office_of(given: str | None, book: "Contacts | None") -> str:
    """Who signs a notice (notify's message, the 督办通知单): --office, then the 通报's
    [office] name in gkctl.toml, then contacts.yaml's office, then 区政府办公室."""
    from gkctl.views.notice import DEFAULT_OFFICE

    config = project_config()
    named = config.office_name if config is not None else None
    return given or named or (book.office if book is not None else None) or DEFAULT_OFFICE


def notify(
    as_of: AsOfOpt = None,
    within: WithinOpt = status.DEFAULT_WITHIN,
    unit: UnitOpt = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="发送记录的期间：同一期间内同一通知只发一次；默认查看日期所在的 ISO 周，如 2024-W45。",
            show_default=False,
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="真的发送；不加时只显示将发送的内容（默认）。")
    ] = False,
    retries: Annotated[
        int,
        typer.Option("--retries", min=0, max=5, help="连接失败、超时、服务器 5xx 时最多重试几次。"),
    ] = 2,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.1, max=120, help="每次连接、等待答复的秒数上限。"),
    ] = 10.0,
    fmt: Annotated[OutputFormat, format_option(F.TABLE, F.JSON)] = F.TABLE,
    office_given: OfficeOpt = None,
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """催办：给每个有事项要办的单位发通知（邮件、企业微信/钉钉/飞书群机器人）。

    每个单位的通知列出已逾期、即将到期的任务，被退办的完成报告及理由，近 7 天延期申请
    的决定，每项带任务序号和截止日期；没有事项的单位不发。联系方式在数据目录的
    contacts.yaml，密钥只从环境变量读。默认只显示将发送的内容；--send 才发送，发送记录
    写入 notify-log.yaml，同一期间同一通知不重发。有发送失败时退出码为 1。数据目录有
    多个计划而未指定 --plan 时，每个单位一条通知，列出各计划中的事项（与 due 的选取相同）。
    --format json 输出每条通知的内容和每次发送的结果。

    示例：gkctl notify --as-of 2024-11-05 --send
    """
    from gkctl.core.notice import period_of
    from gkctl.store import contacts as store

    check_format(fmt, F.TABLE, F.JSON)
    day = as_of_date(as_of)
    found = collect(data, plan, day, within, unit)
    if found is None:
        if fmt is F.JSON:
            write_stdout(_json(day, period or period_of(day), send, [], (0, 0, 0)))
        return
    folder = found.folder
    book = store.read_contacts(folder, found.directory)
    if send and book is None:
        raise UsageError(
            f"没有 {paths.shown(store.contacts_path(folder))}：请先登记各单位的邮箱和机器人地址（见 README 的 gkctl notify）。"
        )
    log = store.read_log(folder)
    term = period or period_of(day)
    office = office_of(office_given, book)
    records: list[dict[str, Any]] = []
    failed = sent = skipped = 0
    from gkctl.views import notice as words

    for notice in found.notices:
        title = words.title_of(notice, found.titles, found.title)
        entry = book.units.get(notice.unit.name) if book is not None else None
        deliveries = _deliveries(notice, book, entry)
        if not deliveries and book is not None:
            warn(
                f"{notice.unit.name} 有 {notice.matters} 项事项，但 contacts.yaml 没有登记它的联系方式。"
            )
        fresh = [
            d
            for d in deliveries
            if not store.already_sent(log, term, notice.unit.name, d.channel, notice.fingerprint)
        ]
        skipped += len(deliveries) - len(fresh)
        results = {
            d.channel: _result("already_sent" if d not in fresh else "would_send")
            for d in deliveries
        }
        if not send:
            if fmt is F.TABLE:
                _show(notice, title, office, deliveries, fresh)
        else:
            for d in fresh:
                assert book is not None
                outcome = _deliver(d, book, title, office, retries, timeout)
                tries = f"（第 {outcome.attempts} 次）" if outcome.attempts > 1 else ""
                line = f"{notice.unit.name} {d.label}：{outcome.detail}{tries}"
                # With JSON on stdout, each delivery's line is progress: stderr.
                if fmt is F.TABLE:
                    write_stdout(line + "\n")
                else:
                    warn(line)
                results[d.channel] = _result(
                    "sent" if outcome.ok else "failed", outcome.attempts, outcome.detail
                )
                if outcome.ok:
                    sent += 1
                    log = store.record(
                        log, term, notice.unit.name, d.channel, notice.fingerprint, day
                    )
                else:
                    failed += 1
        if fmt is F.JSON:
            shown = [
                {"channel": d.channel, "label": d.label, **results[d.channel]} for d in deliveries
            ]
            records.append(words.notice_record(notice, title, office, shown))
    if book is None and found.notices:
        warn(
            f"没有 {paths.shown(store.contacts_path(folder))}：各单位的联系方式未登记，以上只是通知的内容。"
        )
    if fmt is F.JSON:
        write_stdout(_json(day, term, send, records, (sent, skipped, failed)))
    _summary(send, len(found.notices), sent, skipped, failed, term)
    if failed:
        raise typer.Exit(int(ExitCode.PROBLEMS))


def _result(result: str, attempts: int = 0, detail: str = "") -> dict[str, Any]:
    return {"result": result, "attempts": attempts, "detail": detail}


def _json(
    day: date, term: str, send: bool, records: list[dict[str, Any]], counts: tuple[int, int, int]
) -> str:
    from gkctl.views import machine

    sent, skipped, failed = counts
    return machine.dumps(
        {
            "version": machine.JSON_VERSION,
            "as_of": day.isoformat(),
            "period": term,
            "send": send,
            "notices": records,
            "summary": {
                "units": len(records),
                "sent": sent,
                "already_sent": skipped,
                "failed": failed,
            },
        }
    )


def _deliveries(
    notice: "Notice", book: "Contacts | None", entry: "UnitContacts | None"
) -> list[_Delivery]:
    if entry is None:
        return []
    out = []
    if entry.email and book is not None and book.smtp is not None:
        out.append(_Delivery(notice, "email", f"邮件 {'、'.join(entry.email)}", None, entry.email))
    for hook in entry.webhooks:
        out.append(
            _Delivery(notice, hook.name, f"{BOT_LABELS[hook.kind]}机器人 {hook.name}", hook, ())
        )
    return out


def _show(
    notice: "Notice",
    title: str,
    office: str,
    deliveries: list[_Delivery],
    fresh: list[_Delivery],
) -> None:
    """The dry run: the notice's text as every channel receives it, and where it goes."""
    from gkctl.views import notice as words

    where = (
        "、".join(d.label + ("" if d in fresh else "（本期已发送，不再发）") for d in deliveries)
        or "未登记联系方式"
    )
    write_stdout(
        f"==== {notice.unit.name} → {where}\n"
        f"主题：{words.subject(notice, title)}\n"
        f"{words.text(notice, title, office)}\n"
    )


def _deliver(
    d: _Delivery, book: "Contacts", title: str, office: str, retries: int, timeout: float
) -> "Outcome":
    from gkctl.exchange import send as out
    from gkctl.views import notice as words

    text = words.text(d.notice, title, office)
    subject = words.subject(d.notice, title)
    if d.hook is None:
        assert book.smtp is not None
        smtp = book.smtp
        missing = _missing_env(smtp.user_env, smtp.password_env)
        if missing:
            return out.Outcome(False, 0, missing)
        login = _login(smtp)
        message = out.email_message(smtp, d.to, subject, text, time.time())
        return out.with_retries(lambda: out.send_email(smtp, login, message, timeout), retries)
    hook = d.hook
    missing = _missing_env(hook.url_env, hook.secret_env)
    if missing:
        return out.Outcome(False, 0, missing)
    url = hook.url if hook.url is not None else os.environ[str(hook.url_env)]
    secret = os.environ[hook.secret_env] if hook.secret_env else None

    def attempt() -> str:
        # Signed anew for each try: 钉钉 refuses a timestamp more than an hour old.
        to, body = out.bot_request(hook.kind, url, hook.format, subject, text, secret, _now_ms())
        return out.post(to, body, timeout)

    return out.with_retries(attempt, retries)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _missing_env(*names: str | None) -> str:
    gone = [n for n in names if n and not os.environ.get(n)]
    return f"未发送：环境变量 {'、'.join(gone)} 未设置" if gone else ""


def _login(smtp: "Smtp") -> tuple[str, str] | None:
    if not smtp.user_env:
        return None
    password = os.environ.get(smtp.password_env, "") if smtp.password_env else ""
    return os.environ[smtp.user_env], password


def _summary(send: bool, units: int, sent: int, skipped: int, failed: int, term: str) -> None:
    if not units:
        warn("没有需要催办的单位。")
        return
    if not send:
        warn(f"以上为将发送的内容（{units} 个单位，期间 {term}）；加 --send 发送。")
        return
    warn(f"期间 {term}：已发送 {sent} 条，本期已发送而跳过 {skipped} 条，失败 {failed} 条。")


def register(app: typer.Typer) -> None:
    app.command()(notify)
