"""催报 by e-mail through a real SMTP server: aiosmtpd started in the test on a free port (a sink that
keeps what it receives), the office's SMTP setting, and the reasons given when the server is absent,
refuses a recipient or refuses the login — per unit, never an exception."""
from __future__ import annotations

import email
import email.policy
import re
import shutil

import pytest

from browser_kit import free_port
from notices_kit import PASSWORD, TODAY, YEAR, build_year

from fazhi.corpus.store import open_corpus


class Sink:
    """aiosmtpd handler: keeps each message; refuses recipients in `refuse`."""

    def __init__(self, refuse: set[str] | None = None):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd)
        if address in self.refuse:
            return "550 5.1.1 用户不存在"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sinks = []

    def start(refuse: set[str] | None = None, auth: tuple[str, str] | None = None):
        handler = Sink(refuse)
        kwargs = {}
        if auth:
            from aiosmtpd.smtp import AuthResult

            def check(server, session, envelope, mechanism, data):
                ok = data.login.decode() == auth[0] and data.password.decode() == auth[1]
                return AuthResult(success=ok, handled=False)

            kwargs = {"authenticator": check, "auth_require_tls": False}
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        sinks.append(controller)
        return handler, controller.port

    yield start
    for c in sinks:
        c.stop()


@pytest.fixture(scope="module")
def year_file(tmp_path_factory):
    from fazhi.cycle import Cycle

    path = tmp_path_factory.mktemp("mail") / "year.db"
    c = Cycle(open_corpus(f"sqlite:///{path}"))
    made = build_year(c)
    c.corpus.close()
    return path, made


@pytest.fixture
def cycle(year_file, tmp_path):
    from fazhi.cycle import Cycle

    path, made = year_file
    shutil.copy(path, tmp_path / "c.db")
    c = Cycle(open_corpus(f"sqlite:///{tmp_path / 'c.db'}"))
    c.made = made
    yield c
    c.corpus.close()


def _set(cycle, port: int, **extra) -> None:
    cycle.set_mail_settings(cycle.made["admin"], {"host": "127.0.0.1", "port": port,
                                                  "sender": "yfzx@example.gov.cn", **extra})


def test_remind_mails_every_late_unit_with_an_address(cycle, smtp_sink):
    sink, port = smtp_sink()
    _set(cycle, port)
    done = cycle.remind_late(cycle.made["reviewer"], YEAR, TODAY)
    assert done["count"] == 3 and done["emailed"] == 2 and done["failed"] == 0  # 未报局 has no address
    by_unit = {u["unit_name"]: u for u in done["units"]}
    assert by_unit["未报局"]["email_to"] is None and by_unit["未报局"]["email_error"] == "该单位未登记电子邮箱。"
    got = {tuple(rcpt): msg for rcpt, msg in sink.received}
    assert set(got) == {("weibao@example.gov.cn",), ("tuihui@example.gov.cn",)}
    msg = got[("weibao@example.gov.cn",)]
    assert msg["subject"] == "【催报】请尽快报送 2025 年度法治政府建设年度报告"  # decoded from RFC 2047
    assert "yfzx@example.gov.cn" in msg["from"] and msg["to"] == "weibao@example.gov.cn"
    body = msg.get_content()
    assert body.startswith("未报镇人民政府：") and "2025 年度" in body and "2026-03-01" in body
    assert "已逾期 61 天" in body
    assert "退回修改" in got[("tuihui@example.gov.cn",)].get_content()
    # each message records where it went and when
    (m,) = cycle.unit_messages(cycle.made["units"]["未报镇人民政府"])[:1]
    assert m["kind"] == "late" and m["email_to"] == "weibao@example.gov.cn"
    assert m["email_sent_at"] is not None and m["email_error"] is None
    row = [r for r in cycle.board(cycle.made["reviewer"], YEAR, TODAY)["rows"] if r["unit_name"] == "未报镇人民政府"][0]
    assert row["last_email"]["to"] == "weibao@example.gov.cn" and row["last_email"]["sent_at"] is not None


def test_a_server_that_is_not_there_gives_a_reason_per_unit(cycle):
    port = free_port()  # nothing listens there
    _set(cycle, port)
    done = cycle.remind_late(cycle.made["reviewer"], YEAR, TODAY)
    assert done["count"] == 3 and done["emailed"] == 0 and done["failed"] == 2
    assert "失败 2 封" in done["summary"]
    reason = f"无法连接邮件服务器 127.0.0.1:{port}（连接被拒绝）。"
    mailed = [u for u in done["units"] if u["email_to"]]
    assert [u["email_error"] for u in mailed] == [reason, reason]
    m = cycle.unit_messages(cycle.made["units"]["退回镇人民政府"])[0]
    assert m["kind"] == "late" and m["email_sent_at"] is None and m["email_error"] == reason  # in-app still there
    rows = {r["unit_name"]: r for r in cycle.board(cycle.made["reviewer"], YEAR, TODAY)["rows"]}
    assert rows["退回镇人民政府"]["last_email"] == {"to": "tuihui@example.gov.cn", "sent_at": None, "error": reason}
    assert rows["未报局"]["last_email"] is None and rows["未报局"]["last_reminded"] is not None


def test_a_refused_recipient_and_a_refused_login(cycle, smtp_sink):
    sink, port = smtp_sink(refuse={"tuihui@example.gov.cn"})
    _set(cycle, port)
    done = {u["unit_name"]: u for u in cycle.remind_late(cycle.made["reviewer"], YEAR, TODAY)["units"]}
    assert done["退回镇人民政府"]["email_error"] == "邮件服务器拒绝了收件地址。"
    assert done["未报镇人民政府"]["email_sent"] and len(sink.received) == 1
    _, port = smtp_sink(auth=("yfzx", "right-password"))
    _set(cycle, port, username="yfzx", password="wrong-password")
    done = cycle.remind_late(cycle.made["reviewer"], YEAR, TODAY)
    assert {u["email_error"] for u in done["units"] if u["email_to"]} == \
        {f"邮件服务器 127.0.0.1:{port} 拒绝登录（用户名或密码错误）。"}
    _set(cycle, port, username="yfzx", password="right-password")
    assert cycle.remind_late(cycle.made["reviewer"], YEAR, TODAY)["emailed"] == 2


def test_mail_settings_never_show_the_password(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    admin, rev = cycle.made["admin"], cycle.made["reviewer"]
    with pytest.raises(AccessDenied):
        cycle.set_mail_settings(rev, {"host": "smtp.example.gov.cn"})
    with pytest.raises(CycleError, match="发件地址"):
        cycle.set_mail_settings(admin, {"host": "smtp.example.gov.cn", "port": 25, "sender": "不是地址"})
    with pytest.raises(CycleError, match="端口"):
        cycle.set_mail_settings(admin, {"host": "smtp.example.gov.cn", "port": "abc", "sender": "a@b.cn"})
    assert cycle.mail_settings() is None
    shown = cycle.set_mail_settings(admin, {"host": "smtp.example.gov.cn", "port": 465, "sender": "a@b.cn",
                                            "username": "u", "password": "s3cret-pass", "starttls": True})
    assert "password" not in shown and shown["has_password"] and shown["starttls"]
    cycle.set_mail_settings(admin, {"host": "smtp.example.gov.cn", "port": 587, "sender": "a@b.cn",
                                    "username": "u", "password": ""})  # empty: keep the stored one
    assert cycle.setting("smtp")["password"] == "s3cret-pass" and cycle.mail_settings()["port"] == 587
    assert "s3cret-pass" not in str(cycle.audit_log())
    assert cycle.set_mail_settings(admin, {"host": ""}) is None and cycle.setting("smtp") is None


def test_web_remind_with_a_failing_server_and_the_settings_page(year_file, tmp_path, smtp_sink):
    from fastapi.testclient import TestClient

    from fazhi.web.app import create_app

    path, made = year_file
    shutil.copy(path, tmp_path / "w.db")
    app = create_app(str(tmp_path / "w.db"))

    def client(name):
        c = TestClient(app)
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
        return c

    admin, rev = client("admin"), client("rev")
    page = admin.get("/settings/mail").text
    port = free_port()
    r = admin.post("/settings/mail", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)
                                           .group(1), "host": "127.0.0.1", "port": str(port),
                                           "sender": "yfzx@example.gov.cn", "username": "yfzx",
                                           "password": "s3cret-pass"}, follow_redirects=False)
    assert r.status_code == 303
    page = admin.get("/settings/mail").text
    assert "s3cret-pass" not in page and "已设置" in page
    assert "s3cret-pass" not in admin.get("/api/settings/mail").text
    assert rev.get("/settings/mail").status_code == 403
    token = rev.get("/api/me").json()["csrf_token"]
    r = rev.post(f"/api/board/{YEAR}/remind", headers={"X-CSRF-Token": token})
    assert r.status_code == 200  # not a 500: each unit says why
    body = r.json()
    assert body["failed"] == 2 and all("连接被拒绝" in u["email_error"] for u in body["units"] if u["email_to"])
    assert "邮件未发出：无法连接邮件服务器" in rev.get(f"/periods?year={YEAR}").text  # the board says why
    # now a server that works, through the page's button
    sink, port = smtp_sink()
    tok = admin.get("/api/me").json()["csrf_token"]
    r = admin.post("/api/settings/mail", json={"host": "127.0.0.1", "port": port, "sender": "yfzx@example.gov.cn"},
                   headers={"X-CSRF-Token": tok})
    assert r.status_code == 200 and r.json()["smtp"]["has_password"] is False
    page = rev.get(f"/periods?year={YEAR}").text
    r = rev.post(f"/periods/{YEAR}/remind", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', page).group(1)}, follow_redirects=False)
    assert r.status_code == 303 and len(sink.received) == 2
    page = rev.get(f"/periods?year={YEAR}").text
    assert "邮件发送成功 2 封" in page
    assert "邮件已发至 weibao@example.gov.cn" in page


def test_a_dead_connection_fails_the_rest_at_once_and_a_refusal_does_not():
    import smtplib
    import socket

    from fazhi.cycle.mail import connection_lost

    assert connection_lost(smtplib.SMTPServerDisconnected("gone"))
    assert connection_lost(socket.timeout("timed out")) and connection_lost(ConnectionResetError())
    assert not connection_lost(smtplib.SMTPRecipientsRefused({"a@b.cn": (550, b"no")}))
    assert not connection_lost(smtplib.SMTPDataError(554, b"rejected"))


class DropsAfterFirst(Sink):
    """A server that hangs up in the middle of the first mail."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        server.transport.close()
        return "421 closing"


def test_a_server_hanging_up_fails_every_remaining_mail(cycle):
    from aiosmtpd.controller import Controller

    from fazhi.cycle.mail import Mail, parse_config, send_mails

    controller = Controller(DropsAfterFirst(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        _set(cycle, controller.port)
        config = parse_config(cycle.setting("smtp"))
        errors = send_mails(config, [Mail(f"u{i}@example.gov.cn", "主题", "正文") for i in range(3)])
    finally:
        controller.stop()
    assert len(errors) == 3 and all(e and e.startswith("无法通过邮件服务器") for e in errors), errors
