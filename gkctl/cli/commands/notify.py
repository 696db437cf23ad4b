"""gkctl notify: chase each unit by e-mail and group bot (催办), without a phone call."""

import os
import time
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from gkctl.cli.commands.common import (
    AsOfOpt,
    DataOpt,
    PlanOpt,
    UnitOpt,
    WithinOpt,
    as_of_date,
    load,
    plan_dir,
    warn,
    warn_outside_plan_year,
    write_stdout,
)
from gkctl.core import status
from gkctl.core.errors import ExitCode, UsageError
from gkctl.core.units import lookup
from gkctl.store import paths

if TYPE_CHECKING:
    from gkctl.core.notice import Notice
    from gkctl.exchange.send import Outcome
    from gkctl.store.contacts import Contacts, Smtp, UnitContacts, Webhook

BOT_LABELS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


class _Delivery(NamedTuple):
    notice: "Notice"
    channel: str  # "email" or the webhook's name: the sent log's key
    label: str  # what the dry run and the report show (never an address with a key)
    hook: "Webhook | None"
    to: tuple[str, ...]


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
    data: DataOpt = None,
    plan: PlanOpt = None,
) -> None:
    """催办：给每个有事项要办的单位发通知（邮件、企业微信/钉钉/飞书群机器人）。

    每个单位的通知列出已逾期、即将到期的任务，被退办的完成报告及理由，近 7 天延期申请
    的决定，每项带任务序号和截止日期；没有事项的单位不发。联系方式在数据目录的
    contacts.yaml，密钥只从环境变量读。默认只显示将发送的内容；--send 才发送，发送记录
    写入 notify-log.yaml，同一期间同一通知不重发。有发送失败时退出码为 1。

    示例：gkctl notify --as-of 2024-11-05 --send
    """
    from gkctl.core.notice import notices, period_of
    from gkctl.store import contacts as store

    dataset = load(data, plan)
    day = as_of_date(as_of)
    folder = plan_dir(data, plan)
    ending = warn_outside_plan_year(dataset, day)
    if ending.ended:
        warn(f"{ending.label}，不再催办：各任务状态已是最终结果。")
        return
    from gkctl.core.forms import form_states
    from gkctl.store import formslog

    found = notices(dataset, day, within, forms=form_states(formslog.events(folder), day))
    if unit:
        chosen = lookup(dataset.directory, unit)
        found = [n for n in found if n.unit.name == chosen.name]
    book = store.read_contacts(folder, dataset.directory)
    if send and book is None:
        raise UsageError(
            f"没有 {paths.shown(store.contacts_path(folder))}：请先登记各单位的邮箱和机器人地址（见 README 的 gkctl notify）。"
        )
    log = store.read_log(folder)
    term = period or period_of(day)
    title = dataset.plan.document.title
    failed = sent = skipped = 0
    for notice in found:
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
        if not send:
            _show(notice, title, book, deliveries, fresh)
            continue
        for d in fresh:
            assert book is not None
            outcome = _deliver(d, book, title, retries, timeout)
            tries = f"（第 {outcome.attempts} 次）" if outcome.attempts > 1 else ""
            write_stdout(f"{notice.unit.name} {d.label}：{outcome.detail}{tries}\n")
            if outcome.ok:
                sent += 1
                log = store.record(log, term, notice.unit.name, d.channel, notice.fingerprint, day)
            else:
                failed += 1
    if book is None and found:
        warn(
            f"没有 {paths.shown(store.contacts_path(folder))}：各单位的联系方式未登记，以上只是通知的内容。"
        )
    _summary(send, len(found), sent, skipped, failed, term)
    if failed:
        raise typer.Exit(int(ExitCode.PROBLEMS))


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
    book: "Contacts | None",
    deliveries: list[_Delivery],
    fresh: list[_Delivery],
) -> None:
    """The dry run: the notice's text as every channel receives it, and where it goes."""
    from gkctl.views import notice as words

    where = (
        "、".join(d.label + ("" if d in fresh else "（本期已发送，不再发）") for d in deliveries)
        or "未登记联系方式"
    )
    office = (book.office if book else None) or words.DEFAULT_OFFICE
    write_stdout(
        f"==== {notice.unit.name} → {where}\n"
        f"主题：{words.subject(notice, title)}\n"
        f"{words.text(notice, title, office)}\n"
    )


def _deliver(d: _Delivery, book: "Contacts", title: str, retries: int, timeout: float) -> "Outcome":
    from gkctl.exchange import send as out
    from gkctl.views import notice as words

    office = book.office or words.DEFAULT_OFFICE
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
