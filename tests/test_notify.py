"""gkctl notify against real servers on loopback: an SMTP server (aiosmtpd) and http.server
standing in for the 企业微信, 钉钉 and 飞书 bot endpoints, each checking what it receives."""

import base64
import hashlib
import hmac
import json
import shutil
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from gkctl.core import notice
from gkctl.store import loader
from tests.conftest import FIXTURES

Run = Callable[..., Any]
PROGRESS = FIXTURES / "progress" / "plan"
DAY = "2024-11-05"
UNITS = ["区甲委", "区乙局", "丙镇", "区丁办", "戊园区"]
# 戊园区 (a park) is named by no task of the fixture: it has nothing to act on.
PARK = "  - name: 戊园区\n    kind: park\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"pa55-word")


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


class Bot:
    """One stub endpoint: records each request; answers with the next of `statuses`
    (then 200), sleeping `delay` seconds first; checks 钉钉/飞书 signatures with `secret`."""

    def __init__(self, kind: str, secret: str | None = None) -> None:
        self.kind = kind
        self.secret = secret
        self.statuses: list[int] = []
        self.delay = 0.0
        self.received: list[tuple[str, bytes]] = []
        self.signed: list[bool] = []

    def verify(self, path: str, body: bytes) -> bool:
        assert self.secret is not None
        if self.kind == "dingtalk":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            ts, sign = query["timestamp"][0], query["sign"][0]
            mac = hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(), hashlib.sha256)
            fresh = abs(time.time() * 1000 - int(ts)) < 3600 * 1000
            return fresh and sign == base64.b64encode(mac.digest()).decode()
        sent = json.loads(body)
        key = f"{sent['timestamp']}\n{self.secret}".encode()
        return bool(
            sent["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        )


@pytest.fixture
def bots() -> Iterator[Callable[..., tuple[Bot, str]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(kind: str, secret: str | None = None) -> tuple[Bot, str]:
        bot = Bot(kind, secret)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                bot.received.append((self.path, body))
                time.sleep(bot.delay)
                code = bot.statuses.pop(0) if bot.statuses else 200
                answer: dict[str, object] = {"errcode": 0, "errmsg": "ok"}
                if bot.secret is not None:
                    ok = bot.verify(self.path, body)
                    bot.signed.append(ok)
                    if not ok:
                        answer = {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args: object) -> None:  # keep the test output clean
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return bot, f"http://127.0.0.1:{server.server_address[1]}/send?key=k"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    target = tmp_path / "plan"
    shutil.copytree(PROGRESS, target)
    units = target / "units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("\ngroups:", PARK + "\ngroups:"), encoding="utf-8")
    return target


def contacts(plan: Path, port: int, hooks: dict[str, str], extra: str = "") -> None:
    """Every unit: an address, and the given webhooks ({name: yaml lines})."""
    lines = [
        "office: 区政府办公室",
        "smtp:",
        "  host: 127.0.0.1",
        f"  port: {port}",
        "  security: none",
        "  sender: gongkai@example.gov.cn",
        "  user_env: TEST_SMTP_USER",
        "  password_env: TEST_SMTP_PASSWORD",
        "units:",
    ]
    for i, unit in enumerate(UNITS):
        lines += [f"  - unit: {unit}", f"    email: [u{i}@example.gov.cn]"]
        if hooks:
            lines.append("    webhooks:")
            for body in hooks.values():
                lines += ["      - " + body.replace("\n", "\n        ")]
    (plan / "contacts.yaml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")


ENV = {"TEST_SMTP_USER": "office", "TEST_SMTP_PASSWORD": "pa55-word"}


def dry_texts(stdout: str) -> dict[str, str]:
    """The dry run's text per unit: what follows the header and subject, to the blank line."""
    out = {}
    for block in stdout.split("==== ")[1:]:
        header, _subject, text = block.split("\n", 2)
        out[header.split(" → ")[0]] = text[:-1]
    return out


def test_send_delivers_one_message_per_unit_with_something_to_act_on_and_never_twice(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    box, port = smtp
    wecom, url = bots("wecom")
    contacts(plan, port, {"w": f"kind: wecom\nname: 群\nformat: markdown\nurl: {url}"})
    dry = gk("notify", "--as-of", DAY, data=plan, env=ENV)
    assert dry.exit_code == 0, dry.stderr
    texts = dry_texts(dry.stdout)
    assert list(texts) == ["区甲委", "区乙局", "丙镇", "区丁办"]  # not 戊园区
    assert texts["区甲委"] == (
        "区甲委：\n"
        "截至 2024-11-05，测试工作要点中以下事项请办理：\n"
        "已逾期（1 项）：\n"
        "- 任务 1 逾期的任务，截止 2024-09-30，已逾期 36 天\n"
        "即将到期（1 项）：\n"
        "- 任务 3 乙局延期的任务，截止 2024-11-30，还有 25 天\n"
        "完成后请报送进展；需延期的，请在截止前申请。区政府办公室\n"
    )
    assert box.messages == [] and wecom.received == []  # the dry run sends nothing
    assert not (plan / "notify-log.yaml").exists()

    sent = gk("notify", "--as-of", DAY, "--send", data=plan, env=ENV)
    assert sent.exit_code == 0, sent.stderr
    assert box.logins == [(b"office", b"pa55-word")] * 4
    assert "pa55-word" not in sent.stdout + sent.stderr + dry.stdout + dry.stderr
    mails = [message_from_bytes(m.content, policy=policy.default) for m in box.messages]
    assert [m["To"] for m in mails] == [f"u{i}@example.gov.cn" for i in range(4)]
    assert [m.get_content() for m in mails] == list(texts.values())
    assert mails[0]["Subject"] == "【催办】区甲委：测试工作要点有 2 项事项请办理（截至 2024-11-05）"
    assert [b for _, b in wecom.received] == [
        json.dumps({"msgtype": "markdown", "markdown": {"content": t}}, ensure_ascii=False).encode()
        for t in texts.values()
    ]
    assert "区甲委 邮件 u0@example.gov.cn：已送达" in sent.stdout
    assert "区甲委 企业微信机器人 群：已送达" in sent.stdout
    assert "已发送 8 条，本期已发送而跳过 0 条，失败 0 条" in sent.stderr

    # Again, and later in the same week: nothing goes out twice.
    for day in (DAY, "2024-11-07"):
        again = gk("notify", "--as-of", day, "--send", data=plan, env=ENV)
        assert again.exit_code == 0
        assert "已发送 0 条，本期已发送而跳过 8 条" in again.stderr
    assert len(box.messages) == 4 and len(wecom.received) == 4
    shown = gk("notify", "--as-of", DAY, data=plan, env=ENV)
    assert "邮件 u0@example.gov.cn（本期已发送，不再发）" in shown.stdout
    # The next week is another period.
    later = gk("notify", "--as-of", "2024-11-12", "--send", data=plan, env=ENV)
    assert later.exit_code == 0 and len(box.messages) == 8


def test_the_sent_log_is_yaml_that_names_each_delivery(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int]
) -> None:
    _, port = smtp
    contacts(plan, port, {})
    assert (
        gk("notify", "--as-of", DAY, "--send", "--unit", "丙镇", data=plan, env=ENV).exit_code == 0
    )
    log = (plan / "notify-log.yaml").read_text(encoding="utf-8")
    fingerprint = next(
        n.fingerprint
        for n in notice.notices(loader.load(plan), date(2024, 11, 5))
        if n.unit.name == "丙镇"
    )
    assert log.endswith(
        f'sent:\n  - {{period: "2024-W45", unit: "丙镇", channel: "email", '
        f'notice: "{fingerprint}", date: 2024-11-05}}\n'
    )


def test_dingtalk_message_carries_a_valid_signature(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    _, port = smtp
    ding, url = bots("dingtalk", secret="SEC-ding-1234")
    contacts(
        plan, port, {"d": "kind: dingtalk\nurl_env: TEST_DING_URL\nsecret_env: TEST_DING_SECRET"}
    )
    env = {**ENV, "TEST_DING_URL": url, "TEST_DING_SECRET": "SEC-ding-1234"}
    result = gk("notify", "--as-of", DAY, "--send", "--unit", "丙镇", data=plan, env=env)
    assert result.exit_code == 0, result.stdout
    assert ding.signed == [True]
    path, body = ding.received[0]
    assert path.startswith("/send?key=k&timestamp=")
    assert json.loads(body)["msgtype"] == "text"
    assert json.loads(body)["text"]["content"].startswith("丙镇：\n")
    assert "SEC-ding" not in result.stdout + result.stderr and url not in result.stdout


def test_a_wrong_dingtalk_secret_is_refused_and_said(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    box, port = smtp
    ding, url = bots("dingtalk", secret="SEC-right")
    contacts(plan, port, {"d": f"kind: dingtalk\nurl: {url}\nsecret_env: TEST_DING_SECRET"})
    env = {**ENV, "TEST_DING_SECRET": "SEC-wrong"}
    result = gk("notify", "--as-of", DAY, "--send", "--unit", "丙镇", data=plan, env=env)
    assert result.exit_code == 1
    assert ding.signed == [False]  # not retried: a refusal would repeat
    assert "丙镇 钉钉机器人 dingtalk：机器人接口拒收：310000 sign not match" in result.stdout
    assert "丙镇 邮件 u2@example.gov.cn：已送达" in result.stdout  # the other channel went
    assert len(box.messages) == 1
    # Only the delivered channel is logged: the next run tries the bot again.
    again = gk(
        "notify",
        "--as-of",
        DAY,
        "--send",
        "--unit",
        "丙镇",
        data=plan,
        env={**env, "TEST_DING_SECRET": "SEC-right"},
    )
    assert again.exit_code == 0 and ding.signed == [False, True] and len(box.messages) == 1


def test_feishu_message_is_signed_in_its_body(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    _, port = smtp
    feishu, url = bots("feishu", secret="SEC-fs")
    contacts(plan, port, {"f": f"kind: feishu\nurl: {url}\nsecret_env: TEST_FS_SECRET"})
    env = {**ENV, "TEST_FS_SECRET": "SEC-fs"}
    result = gk("notify", "--as-of", DAY, "--send", "--unit", "区丁办", data=plan, env=env)
    assert result.exit_code == 0, result.stdout
    assert feishu.signed == [True]
    sent = json.loads(feishu.received[0][1])
    assert sent["msg_type"] == "text" and sent["content"]["text"].startswith("区丁办：\n")


def test_refused_connection_fails_one_channel_and_not_the_others(
    gk: Run, plan: Path, bots: Callable[..., tuple[Bot, str]]
) -> None:
    wecom, url = bots("wecom")
    contacts(plan, _free_port(), {"w": f"kind: wecom\nurl: {url}"})  # no SMTP server there
    result = gk("notify", "--as-of", DAY, "--send", "--retries", "1", data=plan, env=ENV)
    assert result.exit_code == 1
    assert result.stdout.count("无法连接邮件服务器 127.0.0.1") == 4
    assert result.stdout.count("（第 2 次）") == 4  # retried once, then given up
    assert len(wecom.received) == 4
    assert "已发送 4 条，本期已发送而跳过 0 条，失败 4 条" in result.stderr


def test_http_500_is_retried_and_a_persistent_one_fails(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    _, port = smtp
    wecom, url = bots("wecom")
    contacts(plan, port, {"w": f"kind: wecom\nurl: {url}"})
    wecom.statuses = [500]
    once = gk(
        "notify", "--as-of", DAY, "--send", "--unit", "丙镇", "--retries", "1", data=plan, env=ENV
    )
    assert once.exit_code == 0
    assert "丙镇 企业微信机器人 wecom：已送达（第 2 次）" in once.stdout
    assert len(wecom.received) == 2
    wecom.statuses = [500, 500]
    always = gk(
        "notify", "--as-of", DAY, "--send", "--unit", "区丁办", "--retries", "1", data=plan, env=ENV
    )
    assert always.exit_code == 1
    assert "区丁办 企业微信机器人 wecom：机器人接口返回 HTTP 500（第 2 次）" in always.stdout


def test_a_timeout_is_bounded_and_reported(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    _, port = smtp
    slow, url = bots("wecom")
    slow.delay = 2.0
    contacts(plan, port, {"w": f"kind: wecom\nurl: {url}"})
    args = (
        "notify",
        "--as-of",
        DAY,
        "--send",
        "--unit",
        "丙镇",
        "--retries",
        "0",
        "--timeout",
        "0.3",
    )
    result = gk(*args, data=plan, env=ENV)
    assert result.exit_code == 1
    assert "丙镇 企业微信机器人 wecom：" in result.stdout and "超时（0.3 秒）" in result.stdout
    assert "丙镇 邮件 u2@example.gov.cn：已送达" in result.stdout


def test_a_missing_secret_fails_that_channel_without_naming_a_value(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    contacts(plan, port, {})
    result = gk(
        "notify",
        "--as-of",
        DAY,
        "--send",
        "--unit",
        "丙镇",
        data=plan,
        env={"TEST_SMTP_USER": "office"},
    )
    assert result.exit_code == 1
    assert (
        "丙镇 邮件 u2@example.gov.cn：未发送：环境变量 TEST_SMTP_PASSWORD 未设置" in result.stdout
    )
    assert box.messages == []


def test_returns_and_decisions_are_told_to_their_unit(gk: Run, plan: Path) -> None:
    tasks = plan / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    text = text.replace(
        "    deadline: 9月底前\n",
        "    deadline: 9月底前\n    progress:\n      - date: 2024-10-20\n        unit: 区甲委\n"
        "        status: done\n        returned: 2024-11-04\n        return_reason: 未附公开链接\n",
        1,
    ).replace(
        "        reason: 系统改造\n",
        "        reason: 系统改造\n        decision: rejected\n        decided: 2024-11-01\n"
        "        decision_note: 理由不充分\n",
    )
    tasks.write_text(text, encoding="utf-8")
    result = gk("notify", "--as-of", DAY, data=plan)
    texts = dry_texts(result.stdout)
    assert (
        "完成报告被退办（1 项）：\n"
        "- 任务 1 逾期的任务，截止 2024-09-30，2024-11-04 退办：未附公开链接，请重新报送\n"
    ) in texts["区甲委"]
    assert "已逾期" not in texts["区甲委"]  # said once, as sent back
    assert (
        "延期申请已有决定（1 项）：\n"
        "- 任务 5 乙局延期、丙镇未延期的任务，2024-11-01 不批准延期至 2024-12-31，"
        "仍按截止 2024-10-31办理（理由不充分）\n"
    ) in texts["区乙局"]


def test_an_ended_plan_chases_no_one(gk: Run, plan: Path, smtp: tuple[Mailbox, int]) -> None:
    box, port = smtp
    contacts(plan, port, {})
    result = gk("notify", "--as-of", "2025-01-06", "--send", data=plan, env=ENV)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "本计划已于2024年12月31日结束，不再催办" in result.stderr
    assert box.messages == []


def test_send_without_contacts_is_a_usage_error(gk: Run, plan: Path) -> None:
    result = gk("notify", "--as-of", DAY, "--send", data=plan)
    assert result.exit_code == 2
    assert "contacts.yaml：请先登记各单位的邮箱和机器人地址" in result.stderr


BAD_CONTACTS = """\
smtp:
  host: 127.0.0.1
  security: tls
  sender: office
units:
  - unit: 区甲
    email: [a@example.gov.cn, not-an-address]
  - unit: 丙镇
    webhooks:
      - kind: wechat
        url: https://example.invalid/x
      - kind: dingtalk
        url: ftp://example.invalid/x
        secret_env: lower-case
      - kind: wecom
"""


def test_bad_contacts_are_told_at_their_line_and_column(gk: Run, plan: Path) -> None:
    (plan / "contacts.yaml").write_text(BAD_CONTACTS, encoding="utf-8")
    result = gk("notify", "--as-of", DAY, data=plan)
    assert result.exit_code == 1
    where = str(plan / "contacts.yaml")
    lines = result.stderr.replace(where, "F").splitlines()
    assert lines == [
        "F:3:13: 未知的加密方式“tls”，应为 starttls、ssl 或 none",
        "F:4:11: 发件人“office”不是邮箱地址",
        "F:6:11: 未知单位“区甲”，是否为“区甲委”？",
        "F:7:31: “not-an-address”不是邮箱地址",
        "F:10:15: 未知的机器人类型“wechat”，应为 wecom、dingtalk 或 feishu",
        "F:13:14: 机器人地址应以 https:// 开头，这里是“ftp://example.invalid/x”",
        "F:14:21: 签名密钥变量（secret_env）应为环境变量名（大写字母、数字和 _），这里是“lower-case”",
        "F:15:9: 机器人要写 url 或 url_env 之一（地址含密钥时用 url_env，从环境变量读取）",
        "共发现 8 个问题，请先修正（gkctl validate 可列出全部问题）。",
    ]


def test_a_notice_is_the_same_notice_all_week() -> None:
    dataset = loader.load(PROGRESS)
    tuesday = {n.unit.name: n.fingerprint for n in notice.notices(dataset, date(2024, 11, 5))}
    thursday = {n.unit.name: n.fingerprint for n in notice.notices(dataset, date(2024, 11, 7))}
    assert tuesday == thursday
    assert notice.period_of(date(2024, 11, 5)) == notice.period_of(date(2024, 11, 10)) == "2024-W45"
    assert notice.period_of(date(2024, 11, 11)) == "2024-W46"
    # A new matter makes a new notice: 区丁办's task 3 turns overdue after 30 November.
    december = {n.unit.name: n.fingerprint for n in notice.notices(dataset, date(2024, 12, 2))}
    assert december["区丁办"] != tuesday["区丁办"]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl, as on any CI runner)."""
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key)),
            *("-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_goes_over_tls_and_an_untrusted_server_is_refused(
    gk: Run, plan: Path, certificate: tuple[Path, Path], security: str
) -> None:
    import ssl

    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box = Mailbox()
    port = _free_port()
    tls: dict[str, Any] = (
        {"tls_context": server_tls, "require_starttls": True}
        if security == "starttls"
        # aiosmtpd tells TLS only by STARTTLS: on an implicit-TLS port it must be told.
        else {"ssl_context": server_tls, "auth_require_tls": False}
    )
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, **tls
    )
    controller.start()
    try:
        contacts(plan, port, {})
        path = plan / "contacts.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("security: none", f"security: {security}"),
            encoding="utf-8",
        )
        args = ("notify", "--as-of", DAY, "--send", "--unit", "丙镇", "--retries", "0")
        # The client checks the server's certificate: one it does not trust is refused,
        # before any login is sent.
        untrusted = gk(*args, data=plan, env={**ENV, "SSL_CERT_FILE": str(plan / "none.pem")})
        assert untrusted.exit_code == 1
        assert "丙镇 邮件 u2@example.gov.cn：邮件服务器的加密连接失败" in untrusted.stdout
        assert box.logins == [] and box.messages == []
        trusted = gk(*args, data=plan, env={**ENV, "SSL_CERT_FILE": str(cert)})
        assert trusted.exit_code == 0, trusted.stdout
        assert box.logins == [(b"office", b"pa55-word")]
        assert len(box.messages) == 1
    finally:
        controller.stop()


def test_starttls_asked_of_a_server_without_it_is_refused_not_sent_in_clear(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    contacts(plan, port, {})
    path = plan / "contacts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("security: none", "security: starttls"),
        encoding="utf-8",
    )
    result = gk("notify", "--as-of", DAY, "--send", "--unit", "丙镇", data=plan, env=ENV)
    assert result.exit_code == 1
    assert (
        "丙镇 邮件 u2@example.gov.cn：邮件服务器不支持 STARTTLS，请检查 contacts.yaml 的 smtp 设置"
        in result.stdout
    )
    assert box.logins == [] and box.messages == []


def test_a_unit_that_owes_a_form_is_told_so(gk: Run, plan: Path) -> None:
    # 戊园区 has no task to act on, but was sent a form on 10-15 and has not returned it;
    # 区甲委 returned its form.
    (plan / "forms-log.yaml").write_text(
        "forms:\n"
        '  - {unit: "戊园区", event: "sent", date: 2024-10-15, form_date: 2024-10-15}\n'
        '  - {unit: "区甲委", event: "sent", date: 2024-10-15, form_date: 2024-10-15}\n'
        '  - {unit: "区甲委", event: "returned", date: 2024-10-20, form_date: 2024-10-15}\n',
        encoding="utf-8",
    )
    result = gk("notify", "--as-of", DAY, data=plan)
    texts = dry_texts(result.stdout)
    assert texts["戊园区"] == (
        "戊园区：\n"
        "截至 2024-11-05，测试工作要点中以下事项请办理：\n"
        "填报表未交回（1 项）：\n"
        "- 2024-10-15 发出的填报表，已 21 天未交回，请填好发回\n"
        "完成后请报送进展；需延期的，请在截止前申请。区政府办公室\n"
    )
    assert "【催办】戊园区：测试工作要点有 1 项事项请办理" in result.stdout
    assert "填报表" not in texts["区甲委"]
    dataset = loader.load(plan)
    from gkctl.core.forms import form_states
    from gkctl.store import formslog

    events = formslog.events(plan)
    week = [
        notice.notices(dataset, day, forms=form_states(events, day))
        for day in (date(2024, 11, 5), date(2024, 11, 7))
    ]
    assert [n.fingerprint for n in week[0]] == [n.fingerprint for n in week[1]]


# --- notify --format json -------------------------------------------------------------------


def test_json_dry_run_says_what_each_unit_would_get(gk: Run, plan: Path) -> None:
    dry = gk("notify", "--as-of", DAY, data=plan, env=ENV)
    shown = gk("notify", "--as-of", DAY, "--format", "json", data=plan, env=ENV)
    assert shown.exit_code == 0, shown.stderr
    answer = json.loads(shown.stdout)  # nothing but the JSON on stdout
    assert list(answer) == ["version", "as_of", "period", "send", "notices", "summary"]
    assert (answer["version"], answer["as_of"], answer["period"], answer["send"]) == (
        1,
        DAY,
        "2024-W45",
        False,
    )
    assert [n["unit"] for n in answer["notices"]] == ["区甲委", "区乙局", "丙镇", "区丁办"]
    first = answer["notices"][0]
    assert list(first) == [
        "unit",
        "fingerprint",
        "matters",
        "subject",
        "text",
        "items",
        "form",
        "deliveries",
    ]
    assert first["text"] == dry_texts(dry.stdout)["区甲委"]  # the bytes the channels get
    assert first["items"][0] == {
        "matter": "overdue",
        "plan": None,
        "id": 1,
        "name": "逾期的任务",
        "due": "2024-09-30",
        "days_left": -36,
        "returned": None,
        "return_reason": "",
        "decision": None,
        "decided": None,
        "to": None,
    }
    assert [i["matter"] for i in first["items"]] == ["overdue", "due_soon"]
    assert (first["form"], first["deliveries"]) == (None, [])  # no contacts.yaml
    assert answer["summary"] == {"units": 4, "sent": 0, "already_sent": 0, "failed": 0}


def test_json_after_send_gives_each_delivery_its_result(
    gk: Run, plan: Path, smtp: tuple[Mailbox, int], bots: Callable[..., tuple[Bot, str]]
) -> None:
    box, port = smtp
    wecom, url = bots("wecom")
    wecom.statuses = [500, 500, 500]  # the first unit's bot fails every try (2 retries)
    contacts(plan, port, {"w": f"kind: wecom\nname: 群\nurl: {url}"})
    result = gk("notify", "--as-of", DAY, "--send", "--format", "json", data=plan, env=ENV)
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["send"] is True
    first = answer["notices"][0]["deliveries"]
    assert [(d["channel"], d["label"], d["result"], d["attempts"]) for d in first] == [
        ("email", "邮件 u0@example.gov.cn", "sent", 1),
        ("群", "企业微信机器人 群", "failed", 3),
    ]
    assert answer["summary"] == {"units": 4, "sent": 7, "already_sent": 0, "failed": 1}
    assert "区甲委 企业微信机器人 群：" in result.stderr  # each delivery's line: stderr
    assert len(box.messages) == 4

    again = gk("notify", "--as-of", DAY, "--format", "json", data=plan, env=ENV)
    results = [[d["result"] for d in n["deliveries"]] for n in json.loads(again.stdout)["notices"]]
    assert results == [["already_sent", "would_send"]] + [["already_sent"] * 2] * 3


def test_json_of_an_ended_plan_has_no_notices(gk: Run, plan: Path) -> None:
    shown = gk("notify", "--as-of", "2025-02-01", "--format", "json", data=plan)
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["notices"] == []


def test_notify_rejects_a_format_it_does_not_have(gk: Run, plan: Path) -> None:
    shown = gk("notify", "--as-of", DAY, "--format", "csv", data=plan)
    assert (shown.exit_code, shown.stderr) == (
        2,
        "此命令不支持 --format csv，可用：table、json。\n",
    )


# --- notify across the plans of a folder of plans ----------------------------------------------

PLANS = FIXTURES / "plans" / "plans"


def test_across_plans_each_unit_gets_one_notice_with_the_due_views_selection(
    gk: Run, tmp_path: Path, smtp: tuple[Mailbox, int]
) -> None:
    folder = tmp_path / "plans"
    shutil.copytree(PLANS, folder)
    due = gk("due", "--unit", "区经委", "--as-of", "2025-03-05", "--format", "json", data=folder)
    wanted = [
        (t["plan"], t["id"])
        for t in json.loads(due.stdout)["tasks"]
        if t["status"] in ("overdue", "due_soon") and not t["possible"]
    ]

    shown = gk("notify", "--as-of", "2025-03-05", "--format", "json", data=folder)

    assert shown.exit_code == 0, shown.stderr
    answer = json.loads(shown.stdout)
    by_unit = {n["unit"]: n for n in answer["notices"]}
    jingwei = by_unit["区经委"]
    assert [(i["plan"], i["id"]) for i in jingwei["items"]] == wanted == [("2025", 3), ("2024", 8)]
    assert "- 任务 2025#3 " in jingwei["text"] and "- 任务 2024#8 " in jingwei["text"]
    # The ended 2024 plan chases only the work still running in it (an extension past its end).
    assert all(i["plan"] == "2025" or i["id"] == 8 for n in answer["notices"] for i in n["items"])

    # The contacts and the sent log of a folder of plans are the folder's own.
    box, port = smtp
    (folder / "contacts.yaml").write_text(
        "smtp:\n  host: 127.0.0.1\n"
        f"  port: {port}\n"
        "  security: none\n  sender: gongkai@example.gov.cn\n"
        "units:\n  - unit: 区经委\n    email: [jw@example.gov.cn]\n",
        encoding="utf-8",
    )
    sent = gk("notify", "--as-of", "2025-03-05", "--send", "--unit", "经委", data=folder, env=ENV)
    assert sent.exit_code == 0, sent.stderr
    mail = message_from_bytes(box.messages[0].content, policy=policy.default)
    assert mail.get_content() == jingwei["text"]
    assert (folder / "notify-log.yaml").is_file()
    assert not (folder / "2025" / "notify-log.yaml").exists()
    again = gk("notify", "--as-of", "2025-03-05", "--send", "--unit", "经委", data=folder, env=ENV)
    assert "本期已发送而跳过 1 条" in again.stderr and len(box.messages) == 1


def test_plan_names_one_plan_of_the_folder_as_before(gk: Run, tmp_path: Path) -> None:
    shown = gk("notify", "--as-of", "2025-03-05", "--plan", "2025", data=PLANS)
    assert shown.exit_code == 0, shown.stderr
    assert "任务 3 " in shown.stdout and "#" not in shown.stdout
