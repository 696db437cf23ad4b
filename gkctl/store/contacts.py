"""Where gkctl notify sends (contacts.yaml, beside units.yaml) and what it has sent
(notify-log.yaml, beside tasks.yaml).

contacts.yaml holds addresses and webhook addresses, never a secret: the SMTP login, a
webhook's signing secret, and a webhook address that carries its own access key are named
by environment variable (CI: the repository's secrets). The sent log is written by gkctl
alone, atomically, after each delivery, so that a run cut short still knows what went out.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from yaml.nodes import Node

from gkctl.core.errors import DataError, Problem
from gkctl.core.model import NOWHERE, Directory, Pos
from gkctl.core.units import suggest
from gkctl.store import eventlog, paths, yamlsrc
from gkctl.store.schema import Reader

CONTACTS_FILE = "contacts.yaml"
LOG_FILE = "notify-log.yaml"

_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


class Security(StrEnum):
    STARTTLS = "starttls"
    SSL = "ssl"
    # Only for a relay on the same machine (and the tests' loopback server).
    NONE = "none"


class BotKind(StrEnum):
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉（浙政钉）自定义机器人
    FEISHU = "feishu"  # 飞书自定义机器人


class BotFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"


class Smtp(NamedTuple):
    host: str
    port: int
    security: Security
    sender: str
    user_env: str | None  # the login's variables; no login where unset in the file
    password_env: str | None


class Webhook(NamedTuple):
    kind: BotKind
    name: str  # names the channel in the sent log and the report (not the address)
    url: str | None
    url_env: str | None
    secret_env: str | None
    format: BotFormat
    pos: Pos = NOWHERE


class UnitContacts(NamedTuple):
    unit: str
    email: tuple[str, ...]
    webhooks: tuple[Webhook, ...]
    pos: Pos = NOWHERE


class Contacts(NamedTuple):
    path: str
    smtp: Smtp | None
    office: str | None  # the sign-off of every message (落款)
    units: dict[str, UnitContacts]


TOP_KEYS = {"office": False, "smtp": False, "units": True}
SMTP_KEYS = {
    "host": True,
    "port": False,
    "security": False,
    "sender": True,
    "user_env": False,
    "password_env": False,
}
UNIT_KEYS = {"unit": True, "email": False, "webhooks": False}
HOOK_KEYS = {
    "kind": True,
    "name": False,
    "url": False,
    "url_env": False,
    "secret_env": False,
    "format": False,
}
_PORTS = {Security.SSL: 465, Security.STARTTLS: 587, Security.NONE: 25}


def contacts_path(plan_dir: Path) -> Path:
    return paths.units_file(plan_dir).parent / CONTACTS_FILE


def read_contacts(plan_dir: Path, directory: Directory) -> Contacts | None:
    """The checked contacts of the plan's units; None where there is no contacts.yaml.
    Every problem is collected and raised at once, each at its line and column."""
    path = contacts_path(plan_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    shown = paths.shown(path)
    problems: list[Problem] = []
    source = yamlsrc.read_bytes(raw, shown, problems)
    contacts = _read(source, directory, problems) if source.root is not None else None
    if problems or contacts is None:
        raise DataError(problems)
    return contacts


def _read(source: yamlsrc.Source, directory: Directory, problems: list[Problem]) -> Contacts:
    assert source.root is not None
    r = Reader(source.path, problems, raw=source.raw)
    top = r.mapping(source.root, TOP_KEYS, "contacts.yaml 顶层") or {}
    office = r.text(top.get("office"), "落款（office）")
    smtp = _smtp(r, top["smtp"]) if "smtp" in top else None
    units: dict[str, UnitContacts] = {}
    names = [u.name for u in directory.units]
    for node in r.sequence(top["units"], "units") if "units" in top else []:
        f = r.mapping(node, UNIT_KEYS, "单位联系方式")
        if f is None:
            continue
        name = r.name(f.get("unit"), "单位名称（unit）")
        if name is not None and name not in names:
            hint = suggest(name, names)
            r.problem(
                f["unit"],
                "unknown-unit",
                f"未知单位“{name}”"
                + (f"，是否为“{hint}”？" if hint else "（应为 units.yaml 中的单位名称）"),
            )
            name = None
        elif name is not None and name in units:
            r.problem(f["unit"], "duplicate-unit", f"单位“{name}”的联系方式重复登记")
            name = None
        email = _emails(r, f["email"]) if "email" in f else ()
        hooks = tuple(
            h
            for n in (r.sequence(f["webhooks"], "webhooks") if "webhooks" in f else [])
            if (h := _hook(r, n)) is not None
        )
        seen: set[str] = set()
        for h in hooks:
            if h.name in seen:
                r.problem(
                    node,
                    "duplicate-webhook",
                    f"单位“{name}”有两个名为“{h.name}”的机器人，请用 name 区分",
                )
            seen.add(h.name)
        if email and "smtp" not in top:
            r.problem(
                f["email"],
                "missing-smtp",
                "登记了邮箱，但 contacts.yaml 没有 smtp 设置（host、sender）",
            )
        if name is not None:
            units[name] = UnitContacts(name, email, hooks, yamlsrc.pos(source.path, node))
    return Contacts(source.path, smtp, office, units)


def _env_name(r: Reader, node: Node | None, what: str) -> str | None:
    value = r.name(node, what)
    if value is not None and node is not None and not _ENV_NAME.fullmatch(value):
        r.problem(node, "bad-env", f"{what}应为环境变量名（大写字母、数字和 _），这里是“{value}”")
        return None
    return value


def _smtp(r: Reader, node: Node) -> Smtp | None:
    f = r.mapping(node, SMTP_KEYS, "smtp 设置")
    if f is None:
        return None
    host = r.name(f.get("host"), "邮件服务器（host）")
    security = (
        r.choice(
            f.get("security"),
            "加密方式（security）",
            Security,
            "bad-security",
            "加密方式",
            "starttls、ssl 或 none",
        )
        if "security" in f
        else Security.STARTTLS
    )
    port = r.integer(f.get("port"), "端口（port）")
    if port is not None and not 0 < port < 65536 and "port" in f:
        r.problem(f["port"], "bad-port", f"端口应在 1–65535 之间，这里是 {port}")
        port = None
    sender = r.name(f.get("sender"), "发件人（sender）")
    if sender is not None and not _EMAIL.fullmatch(sender):
        r.problem(f["sender"], "bad-email", f"发件人“{sender}”不是邮箱地址")
        sender = None
    user_env = _env_name(r, f.get("user_env"), "登录名变量（user_env）")
    password_env = _env_name(r, f.get("password_env"), "密码变量（password_env）")
    if host is None or sender is None or security is None:
        return None
    return Smtp(host, port or _PORTS[security], security, sender, user_env, password_env)


def _emails(r: Reader, node: Node) -> tuple[str, ...]:
    items = r.sequence(node, "邮箱（email）")
    out = []
    for item in items:
        value = r.name(item, "邮箱（email）中的每一项")
        if value is not None and not _EMAIL.fullmatch(value):
            r.problem(item, "bad-email", f"“{value}”不是邮箱地址")
        elif value is not None:
            out.append(value)
    return tuple(out)


def _hook(r: Reader, node: Node) -> Webhook | None:
    f = r.mapping(node, HOOK_KEYS, "机器人（webhooks 中的每一项）")
    if f is None:
        return None
    kind = r.choice(
        f.get("kind"),
        "机器人类型（kind）",
        BotKind,
        "bad-kind",
        "机器人类型",
        "wecom、dingtalk 或 feishu",
    )
    fmt = (
        r.choice(
            f.get("format"),
            "消息格式（format）",
            BotFormat,
            "bad-format",
            "消息格式",
            "text 或 markdown",
        )
        if "format" in f
        else BotFormat.TEXT
    )
    url = r.name(f.get("url"), "机器人地址（url）")
    if url is not None and not url.startswith(("https://", "http://")):
        r.problem(f["url"], "bad-url", f"机器人地址应以 https:// 开头，这里是“{url}”")
        url = None
    url_env = _env_name(r, f.get("url_env"), "地址变量（url_env）")
    if ("url" in f) == ("url_env" in f):
        r.problem(
            node,
            "bad-webhook",
            "机器人要写 url 或 url_env 之一（地址含密钥时用 url_env，从环境变量读取）",
        )
    secret_env = _env_name(r, f.get("secret_env"), "签名密钥变量（secret_env）")
    if kind is BotKind.WECOM and "secret_env" in f:
        r.problem(f["secret_env"], "bad-webhook", "企业微信机器人没有签名密钥，请删去 secret_env")
    if kind is BotKind.FEISHU and fmt is BotFormat.MARKDOWN:
        r.problem(f["format"], "bad-format", "飞书机器人在这里只发 text 消息")
    name = r.name(f.get("name"), "机器人名称（name）") if "name" in f else None
    if kind is None or fmt is None or (url is None and url_env is None):
        return None
    return Webhook(
        kind, name or kind.value, url, url_env, secret_env, fmt, yamlsrc.pos(r.path, node)
    )


# The sent log ---------------------------------------------------------------------------


_LOG_HEADER = (
    "# gkctl notify 的发送记录：由 gkctl 写入，同一期间（period）内同一通知不再发送。\n"
    "# 删去一行，下次运行会再发那一条。\n"
)
_LOG_KEYS = ("period", "unit", "channel", "notice", "date")


def read_log(plan_dir: Path) -> eventlog.EventLog:
    return eventlog.read(plan_dir / LOG_FILE, _LOG_HEADER, "sent", _LOG_KEYS, frozenset({"date"}))


def already_sent(log: eventlog.EventLog, period: str, unit: str, channel: str, notice: str) -> bool:
    """`notice` (core.notice.Notice.fingerprint) went to the unit by `channel` in `period`."""
    sent = {"period": period, "unit": unit, "channel": channel, "notice": notice}
    return any(all(e[k] == v for k, v in sent.items()) for e in log.entries)


def record(
    log: eventlog.EventLog, period: str, unit: str, channel: str, notice: str, day: date
) -> eventlog.EventLog:
    """The log with one more delivery, written at once: a run cut short still knows."""
    entry: eventlog.Entry = {
        "period": period,
        "unit": unit,
        "channel": channel,
        "notice": notice,
        "date": day,
    }
    return eventlog.append(log, entry)
