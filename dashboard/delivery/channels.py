"""The two ways out: mail through the bureau's SMTP server, and a JSON POST to a webhook.

Mail: a `multipart/mixed` message (`email.policy.SMTP`), the subject and the
attachment's name in Chinese encoded as RFC 2047 and RFC 2231 say, sent with
STARTTLS when `TPD_SMTP_STARTTLS` is set and signed in when a user is given.
Webhook: `{"title", "summary", "link", ...}` as UTF-8 JSON, what the internal
messaging gateway takes; any answer but 2xx is a failure. Either raises
`DeliveryError` (its message says why, in Chinese and English) on failure.
"""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from dashboard.delivery import settings

WEBHOOK_TIMEOUT_S = 15


class DeliveryError(RuntimeError):
    pass


MIME = {"pdf": ("application", "pdf"),
        "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")}


def message(to: str, subject: str, body: str, attachment: tuple[str, bytes] | None = None,
            smtp: settings.Smtp | None = None) -> EmailMessage:
    smtp = smtp or settings.smtp()
    msg = EmailMessage(policy=SMTP)
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[-1] or "localhost")
    msg.set_content(body)
    if attachment is not None:
        name, data = attachment
        maintype, subtype = MIME[name.rsplit(".", 1)[-1]]
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def send_mail(msg: EmailMessage, smtp: settings.Smtp | None = None) -> None:
    smtp = smtp or settings.smtp()
    if not smtp.host:
        raise DeliveryError("未配置邮件服务器（TPD_SMTP_HOST） / no mail server configured (TPD_SMTP_HOST)")
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            server.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"邮件发送失败 / mail not sent: {type(exc).__name__}: {exc}") from exc


def post_webhook(url: str, payload: dict) -> None:
    if not url:
        raise DeliveryError("未配置消息网关（TPD_WEBHOOK_URL） / no webhook configured (TPD_WEBHOOK_URL)")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"消息网关拒绝（HTTP {exc.code}） / the webhook answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"消息网关无法连接 / webhook unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"消息网关拒绝（HTTP {status}） / the webhook answered HTTP {status}")
