"""E-mail for 催报 through the office's SMTP server (setting "smtp"), with smtplib.

The settings value is {host, port, sender, username?, password?, starttls?}. `send_mails` opens one
connection for a batch and answers, per mail, None (sent) or one Chinese line saying why not; it
never raises for a server's refusal or absence. It blocks: callers run it in a worker thread (the
web routes are plain `def` routes, run in FastAPI's thread pool), never on the event loop.
"""
from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

TIMEOUT = 15.0  # seconds per connection step
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def valid_email(address: str | None) -> bool:
    return bool(address) and len(address) <= 255 and _EMAIL.match(address) is not None


def parse_config(value: dict | None) -> SmtpConfig | None:
    """The stored setting as a config; None when no server is set (in-app messages only)."""
    if not value or not value.get("host"):
        return None
    return SmtpConfig(host=str(value["host"]), port=int(value.get("port") or 25), sender=str(value.get("sender") or ""),
                      username=value.get("username") or None, password=value.get("password") or None,
                      starttls=bool(value.get("starttls")))


def check_config(value: dict) -> dict:
    """A settings value from a form or the API, checked; ValueError (Chinese) when it is not usable."""
    host = str(value.get("host") or "").strip()
    if not host or len(host) > 255 or any(c.isspace() for c in host):
        raise ValueError("请填写邮件服务器地址（如 smtp.example.gov.cn）。")
    try:
        port = int(str(value.get("port") or "25").strip())
    except ValueError:
        raise ValueError("端口应为 1–65535 之间的数字。") from None
    if not 0 < port < 65536:
        raise ValueError("端口应为 1–65535 之间的数字。")
    sender = str(value.get("sender") or "").strip()
    if not valid_email(sender):
        raise ValueError(f"发件地址“{sender}”无效。")
    username = str(value.get("username") or "").strip() or None
    password = str(value.get("password") or "") or None
    return {"host": host, "port": port, "sender": sender, "username": username, "password": password,
            "starttls": bool(value.get("starttls"))}


def public_config(value: dict | None) -> dict | None:
    """The setting as pages and the API show it: never the password, only whether one is set."""
    if not value:
        return None
    return {k: value.get(k) for k in ("host", "port", "sender", "username", "starttls")} | \
        {"has_password": bool(value.get("password"))}


def build_message(sender: str, mail: Mail, sender_name: str = "依法治县办") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg.set_content(mail.body, charset="utf-8")
    return msg


def reason(exc: BaseException, config: SmtpConfig) -> str:
    """Why a mail was not sent, in one Chinese line."""
    where = f"{config.host}:{config.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"邮件服务器 {where} 拒绝登录（用户名或密码错误）。"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "邮件服务器拒绝了收件地址。"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "邮件服务器拒绝了发件地址。"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"邮件服务器 {where} 不支持所设的加密或登录方式。"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"连接邮件服务器 {where} 超时。"
    if isinstance(exc, ConnectionRefusedError):
        return f"无法连接邮件服务器 {where}（连接被拒绝）。"
    if isinstance(exc, socket.gaierror):
        return f"找不到邮件服务器 {config.host}。"
    if isinstance(exc, ssl.SSLError):
        return f"与邮件服务器 {where} 建立加密连接失败。"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"邮件服务器 {where} 拒绝发送（{exc.smtp_code}）。"
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return f"无法通过邮件服务器 {where} 发送（{type(exc).__name__}）。"
    raise exc


def connection_lost(exc: BaseException) -> bool:
    """Whether the connection is unusable after `exc` (vs. a refusal of one mail)."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (isinstance(exc, OSError)
                                                                and not isinstance(exc, smtplib.SMTPException))


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    server = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT)
    try:
        server.ehlo()
        if config.starttls:
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if config.username:
            server.login(config.username, config.password or "")
    except BaseException:
        server.close()
        raise
    return server


def send_mails(config: SmtpConfig, mails: list[Mail]) -> list[str | None]:
    """Send each mail over one connection; per mail None (sent) or the Chinese reason it was not."""
    if not mails:
        return []
    try:
        server = _connect(config)
    except Exception as e:  # noqa: BLE001 — every failure becomes the reason of each mail
        why = reason(e, config)
        return [why] * len(mails)
    out: list[str | None] = []
    try:
        for mail in mails:
            if not valid_email(mail.to):
                out.append(f"收件地址“{mail.to}”无效。")
                continue
            try:
                server.send_message(build_message(config.sender, mail))
                out.append(None)
            except Exception as e:  # noqa: BLE001
                out.append(reason(e, config))
                if connection_lost(e):  # the rest would wait for the same dead connection
                    out.extend([reason(e, config)] * (len(mails) - len(out)))
                    break
    finally:
        try:
            server.quit()
        except Exception:  # noqa: BLE001 — already closed by the server
            server.close()
    return out
