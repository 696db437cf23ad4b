"""Sending a notice out: SMTP e-mail (smtplib) and group-bot webhooks (urllib), with a
bounded retry of what may pass (a refused or timed-out connection, HTTP 5xx and 429, an
SMTP 4xx reply). Nothing here prints: each delivery returns its outcome, and a failure is
an outcome, not an exception, so that one unit's failure does not stop the others.

Secrets come in as arguments, read from the environment by the caller; none is ever put
into an outcome's text (an address that carries a key is not shown either).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import NamedTuple

from gkctl.store.contacts import BotFormat, BotKind, Security, Smtp

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2


class Outcome(NamedTuple):
    ok: bool
    attempts: int
    detail: str  # in Chinese: 已送达, or why not


class _Transient(Exception):
    """A failure worth another try."""


class _Failed(Exception):
    """A failure another try would repeat (refused login, bad address, bot error code)."""


def with_retries(
    attempt: Callable[[], str],
    retries: int,
    delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Try once, and again up to `retries` times after a transient failure, waiting
    `delay`, then twice as long, between tries."""
    tries = 0
    while True:
        tries += 1
        try:
            return Outcome(True, tries, attempt())
        except _Failed as exc:
            return Outcome(False, tries, str(exc))
        except _Transient as exc:
            if tries > retries:
                return Outcome(False, tries, str(exc))
        sleep(delay * 2 ** (tries - 1))


# E-mail ---------------------------------------------------------------------------------


def email_message(
    smtp: Smtp, to: tuple[str, ...], subject: str, body: str, sent_at: float
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(sent_at, localtime=False)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2])
    message.set_content(body, charset="utf-8")
    return message


def send_email(
    smtp: Smtp, login: tuple[str, str] | None, message: EmailMessage, timeout: float
) -> str:
    step = ""  # what the server was asked for, where it says it does not offer it
    try:
        if smtp.security is Security.SSL:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client:
            if smtp.security is Security.STARTTLS:
                step = "STARTTLS"
                client.starttls(context=ssl.create_default_context())
            if login is not None:
                step = "登录（AUTH）"
                client.login(*login)
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise _Failed(f"邮件服务器拒绝登录（{exc.smtp_code}）") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise _Failed(f"邮件服务器拒收全部收件人：{'、'.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        said = f"邮件服务器答复 {exc.smtp_code}"
        raise (_Transient if 400 <= exc.smtp_code < 500 else _Failed)(said) from None
    except smtplib.SMTPServerDisconnected:
        raise _Transient("邮件服务器断开了连接") from None
    except smtplib.SMTPNotSupportedError:
        raise _Failed(f"邮件服务器不支持 {step}，请检查 contacts.yaml 的 smtp 设置") from None
    except ssl.SSLError as exc:
        raise _Failed(f"邮件服务器的加密连接失败：{exc.reason}") from None
    except TimeoutError:
        raise _Transient(f"连接邮件服务器超时（{timeout:g} 秒）") from None
    except OSError as exc:
        raise _Transient(f"无法连接邮件服务器 {smtp.host}:{smtp.port}：{_os_reason(exc)}") from None
    if refused:
        return f"已送达，但被拒收：{'、'.join(refused)}"
    return "已送达"


# Group bots -----------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret,
    base64, then URL-encoded."""
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), text, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing, base64."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def bot_request(
    kind: BotKind,
    url: str,
    fmt: BotFormat,
    title: str,
    text: str,
    secret: str | None,
    now_ms: int,
) -> tuple[str, bytes]:
    """The address to post to and the JSON body, as each platform documents them."""
    body: dict[str, object]
    if kind is BotKind.FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if secret is not None:
            seconds = now_ms // 1000
            body = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
    elif fmt is BotFormat.MARKDOWN:
        # 企业微信 and 钉钉 take Markdown; the text's lines are a Markdown list already.
        inner: dict[str, str] = {"content": text}
        if kind is BotKind.DINGTALK:
            inner = {"title": title, "text": text}
        body = {"msgtype": "markdown", "markdown": inner}
    else:
        body = {"msgtype": "text", "text": {"content": text}}
    if kind is BotKind.DINGTALK and secret is not None:
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
    return url, json.dumps(body, ensure_ascii=False).encode("utf-8")


def post(url: str, body: bytes, timeout: float) -> str:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        said = f"机器人接口返回 HTTP {exc.code}"
        raise (_Transient if exc.code >= 500 or exc.code == 429 else _Failed)(said) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _Transient(f"连接机器人接口超时（{timeout:g} 秒）") from None
        why = _os_reason(reason) if isinstance(reason, OSError) else str(reason)
        raise _Transient(f"无法连接机器人接口：{why}") from None
    except TimeoutError:
        raise _Transient(f"机器人接口响应超时（{timeout:g} 秒）") from None
    except OSError as exc:
        raise _Transient(f"机器人接口连接中断：{_os_reason(exc)}") from None
    return _bot_answer(answer)


def _bot_answer(answer: bytes) -> str:
    """企业微信 and 钉钉 answer {"errcode": 0}, 飞书 {"code": 0} (older: StatusCode); a
    non-zero code is a refusal (bad key, signature, message) that a retry would repeat."""
    try:
        said = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "已送达"
    if not isinstance(said, dict):
        return "已送达"
    for code_key, message_key in (
        ("errcode", "errmsg"),
        ("code", "msg"),
        ("StatusCode", "StatusMessage"),
    ):
        code = said.get(code_key)
        if code not in (None, 0):
            raise _Failed(f"机器人接口拒收：{code} {said.get(message_key, '')}".rstrip())
    return "已送达"


def _os_reason(exc: OSError) -> str:
    from gkctl.core.errors import os_reason

    return os_reason(exc)
