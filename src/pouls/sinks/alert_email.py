"""Notices by e-mail: multipart/alternative text and HTML, the chart inline (`cid:`) image,
files attached (a report's PDF).

The SMTP connection (TLS, login) is `pouls.sinks.email.SmtpSink`'s; this module only composes.
"""

from __future__ import annotations

import asyncio
import mimetypes
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import cast

from pouls.sinks import Delivery
from pouls.sinks.email import SmtpSink
from pouls.sinks.notice import Notice, OnAttempt, send_with_retries


def compose(notice: Notice, sender: str, to: list[str]) -> EmailMessage:
    """The message: text part, HTML part with related PNG images named by their `cid`."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = f"[pouls] {notice.subject}"
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(notice.text + (f"\n\n{notice.link}" if notice.link else ""))
    if notice.html is None:
        _attach(msg, notice)
        return msg
    cids = {name: make_msgid(domain=domain) for name in notice.images}
    html = notice.html
    for name, cid in cids.items():
        html = html.replace(f"cid:{name}", f"cid:{cid[1:-1]}")
    msg.add_alternative(html, subtype="html")
    html_part = cast(EmailMessage, msg.get_payload()[1])  # type: ignore[index]
    for name, cid in cids.items():
        html_part.add_related(notice.images[name], "image", "png", cid=cid, filename=f"{name}.png")
    _attach(msg, notice)
    return msg


def _attach(msg: EmailMessage, notice: Notice) -> None:
    """The notice's files, after its text and HTML (the message becomes multipart/mixed)."""
    for name, data in notice.attachments.items():
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


class EmailNotices:
    """Sends each notice to a fixed list of recipients through one SMTP server."""

    def __init__(
        self,
        name: str,
        smtp: SmtpSink,
        *,
        to: list[str],
        attempts: int = 5,
        backoff: float = 2.0,
        on_attempt: OnAttempt | None = None,
    ) -> None:
        self.name, self.smtp, self.to = name, smtp, to
        self.attempts, self.backoff, self.on_attempt = attempts, backoff, on_attempt

    async def send(self, action: Notice) -> Delivery:
        msg = compose(action, self.smtp.sender, self.to)

        async def attempt() -> str:
            # SmtpSink's connection code (TLS, login), one try: the retries are ours.
            await asyncio.to_thread(self.smtp._send, msg)
            return str(msg["Message-ID"])

        return await send_with_retries(
            self.name,
            action,
            attempt,
            attempts=self.attempts,
            backoff=self.backoff,
            on_attempt=self.on_attempt,
            secrets=(self.smtp._password,),
        )
