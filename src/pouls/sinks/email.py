"""E-mail replies over SMTP, in the same thread as the message answered.

Threading follows RFC 5322 section 3.6.4: `In-Reply-To` is the answered message's Message-ID,
`References` its References plus that id, and the subject gets one `Re: `. The standard
`smtplib` runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import random
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

from pouls.privacy.pseudonyms import NOT_KEPT, is_pseudonym
from pouls.signals import Signal
from pouls.sinks import Delivery
from pouls.sinks.reply import Reply


class SendError(Exception):
    """The message could not be delivered; the text never carries the password."""


class SmtpSink:
    """Sends replies through one SMTP server (submission port 587 with STARTTLS by default)."""

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        port: int | None = None,
        security: Literal["ssl", "starttls", "none"] = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        attempts: int = 3,
        backoff: float = 1.0,
    ) -> None:
        self.host = host
        self.port = port or {"ssl": 465, "starttls": 587, "none": 25}[security]
        self.security = security
        self.sender = sender
        self.username = username
        self._password = password
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff

    def compose(self, signal: Signal, text: str) -> EmailMessage:
        """The reply to an e-mail signal, threaded under it."""
        raw = signal.raw or {}
        to = raw.get("reply_to") or raw.get("from")
        if is_pseudonym(to):
            raise SendError(f"signal {signal.id}: {NOT_KEPT}")
        if signal.channel != "email" or not to:
            raise SendError("only an e-mail signal with a sender address can be answered by e-mail")
        parent = raw.get("message_id")
        references = [*raw.get("references", []), *([parent] if parent else [])]
        subject = raw.get("subject") or signal.title or ""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        if parent:
            msg["In-Reply-To"] = f"<{parent}>"
        if references:
            msg["References"] = " ".join(f"<{r}>" for r in references)
        msg.set_content(text)
        return msg

    async def send(self, action: Reply) -> Delivery:
        """The `Sink` verb: deliver a `Reply` action, the outcome as a `Delivery`."""
        try:
            return Delivery(status="sent", id=await self.reply(action.signal, action.text))
        except SendError as exc:
            return Delivery(status="failed", error=str(exc))

    async def reply(self, signal: Signal, text: str) -> str:
        """Send the reply; returns its Message-ID."""
        msg = self.compose(signal, text)
        for attempt in range(1, self.attempts + 1):
            try:
                await asyncio.to_thread(self._send, msg)
                return str(msg["Message-ID"])
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code < 500 and attempt < self.attempts:  # 4xx: try again later
                    await asyncio.sleep(
                        self.backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
                    )
                    continue
                raise SendError(
                    f"smtp {self.host}:{self.port}: {exc.smtp_code} {exc.smtp_error!r}"
                ) from None
            except (OSError, smtplib.SMTPException) as exc:
                if attempt < self.attempts:
                    await asyncio.sleep(
                        self.backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
                    )
                    continue
                message = f"smtp {self.host}:{self.port}: {type(exc).__name__}: {exc}"
                if self._password:
                    message = message.replace(self._password, "***")
                raise SendError(message) from None
        raise AssertionError("unreachable")

    def _send(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username and self._password:
                smtp.login(self.username, self._password)
            smtp.send_message(msg)
