"""An IMAP mailbox polled for new messages; MIME parsing and threads by the stdlib `email` package.

Polling, not IDLE: the stdlib `imaplib` (in a worker thread) has no IDLE, and a poll every
`interval` seconds doubles as the heartbeat: a server that stops answering within `timeout`
drops the connection, which is reopened with exponential back-off and jitter.

The cursor is `{"uidvalidity": V, "uid": last}`. When the server's UIDVALIDITY changes (the
mailbox was rebuilt and UIDs mean something else), the mailbox is read again from the start;
ids come from Message-ID (or a hash of the message), so what was stored is not duplicated.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import hashlib
import imaplib
import json
import re
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Literal

from pouls.signals import Batch, DeadLetter, Signal, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.retry import Backoff
from pouls.sources.rss import html_to_text

CHUNK = 100  # messages fetched per round trip
RAW_LIMIT = 10_000
_UID = re.compile(rb"UID (\d+)")
_IDS = re.compile(r"<([^<>\s]+)>")


class EmailSource:
    """Source reading one IMAP folder until cancelled; messages are never marked as read."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        host: str,
        username: str,
        password: str,
        port: int | None = None,
        security: Literal["ssl", "starttls", "none"] = "ssl",
        mailbox: str = "INBOX",
        interval: float = 60.0,
        timeout: float = 30.0,
        batch_size: int = 500,
        backoff: float | None = None,
        once: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.host = host
        self.port = port or (993 if security == "ssl" else 143)
        self.security = security
        self.username = username
        self._password = password
        self.mailbox = mailbox
        self.interval = interval
        self.timeout = timeout
        self.chunk = max(1, min(CHUNK, batch_size))
        self.backoff = interval if backoff is None else backoff
        self.once = once  # read what is there, then stop (tests, one-off imports)
        self.on_error = on_error

    def _report(self, message: str) -> None:
        if self.on_error:
            self.on_error(_mask(message, self._password))

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Yield new messages in UID order, a chunk at a time, then poll again."""
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        conn: imaplib.IMAP4 | None = None
        failures = 0
        backoff = Backoff(self.backoff, max(self.backoff, self.interval) * 8)
        try:
            while True:
                try:
                    if conn is None:
                        conn = await asyncio.to_thread(self._connect)
                    more = True
                    while more:
                        batch, state, more = await asyncio.to_thread(self._poll, conn, state)
                        if batch is not None:
                            yield batch
                    failures = 0
                    backoff.reset()
                    wait = self.interval
                except (OSError, imaplib.IMAP4.error) as exc:
                    failures += 1
                    message = f"imap {self.host}:{self.port}: {type(exc).__name__}: {exc}"
                    self._report(message)
                    if conn is not None:
                        await asyncio.to_thread(_close, conn)
                        conn = None
                    if self.once:
                        raise RuntimeError(_mask(message, self._password)) from None
                    wait = backoff.next()
                if self.once and failures == 0:
                    return
                await asyncio.sleep(wait)
        finally:
            if conn is not None:
                await asyncio.to_thread(_close, conn)

    def _connect(self) -> imaplib.IMAP4:
        if self.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=ssl.create_default_context(), timeout=self.timeout
            )
        else:
            conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                conn.starttls(ssl.create_default_context())
        try:
            conn.login(self.username, self._password)
        except imaplib.IMAP4.error:
            _close(conn)
            raise
        return conn

    def _poll(
        self, conn: imaplib.IMAP4, state: dict[str, Any]
    ) -> tuple[Batch | None, dict[str, Any], bool]:
        """One round: the next chunk of messages after the cursor, the new cursor, more to read?"""
        typ, data = conn.select(_quote(self.mailbox), readonly=True)  # readonly: \\Seen untouched
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open {self.mailbox}: {data[0]!r}")
        validity = int(conn.response("UIDVALIDITY")[1][0])
        last = int(state.get("uid", 0))
        if state.get("uidvalidity") not in (None, validity):
            self._report(
                f"{self.mailbox}: UIDVALIDITY changed ({state['uidvalidity']} -> {validity});"
                " reading the folder again (already stored messages are not duplicated)"
            )
            last = 0
        typ, data = conn.uid("SEARCH", f"UID {last + 1}:*")
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last)
        if not uids:
            new_state = {"uidvalidity": validity, "uid": last}
            return None, new_state, False
        chunk = uids[: self.chunk]
        typ, data = conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
        now = utcnow()
        batch = Batch()
        for part in data:
            if not isinstance(part, tuple):
                continue
            found = _UID.search(part[0])
            if found:
                self.read(batch, validity, int(found.group(1)), part[1], now)
        new_state = {"uidvalidity": validity, "uid": chunk[-1]}
        batch.cursor = json.dumps(new_state)
        return batch, new_state, len(uids) > len(chunk)

    def read(self, batch: Batch, validity: int, uid: int, raw: bytes, now: datetime) -> None:
        """One fetched message into the batch: its signal, or a dead letter saying why not."""
        try:
            signal = to_signal(
                raw, workspace=self.workspace, source=self.name, uid=uid, observed_at=now
            )
            batch.signals.append(checked(signal))
        except Exception as exc:  # whatever one message holds, the next ones are read
            batch.dead_letters.append(
                DeadLetter(
                    workspace=self.workspace,
                    source=self.name,
                    reason=writable(f"message UID {uid}: unreadable ({type(exc).__name__}: {exc})"),
                    raw=writable(raw.decode("utf-8", "replace"), RAW_LIMIT),
                    position=f"{validity}:{uid}",
                )
            )


def to_signal(
    raw: bytes, *, workspace: str, source: str, uid: int, observed_at: datetime
) -> Signal:
    """One RFC 5322 message as a private e-mail signal; ValueError or LookupError if unreadable."""
    now = observed_at
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    message_id = _first_id(msg["Message-ID"])
    native = message_id or "sha:" + hashlib.blake2b(raw, digest_size=16).hexdigest()
    references = _ids(msg["References"])
    in_reply_to = _first_id(msg["In-Reply-To"]) or (references[-1] if references else None)
    root = references[0] if references else in_reply_to or native
    sender = _address(msg["From"])
    reply_to = _address(msg["Reply-To"]) or sender
    subject = str(msg["Subject"] or "").strip() or None
    text = _text(msg)
    if not text and not subject:
        raise ValueError("no text part and no subject")
    return Signal(
        id=signal_id(workspace, source, native),
        workspace=workspace,
        source=source,
        channel="email",
        kind="message",
        visibility="private",
        native_id=native,
        conversation_id=f"email:{root}",
        parent_id=in_reply_to,
        author_handle=sender.addr_spec if sender else None,
        author_name=(sender.display_name or None) if sender else None,
        title=subject,
        text=text,
        created_at=_date(msg["Date"]) or now,
        observed_at=now,
        raw={
            "uid": uid,
            "message_id": message_id,
            "references": references,
            "subject": subject,
            "from": sender.addr_spec if sender else None,
            "reply_to": reply_to.addr_spec if reply_to else None,
            "to": [a for _, a in getaddresses([str(x) for x in msg.get_all("To", [])])],
        },
    )


def _text(msg: EmailMessage) -> str:
    """Plain text preferred; HTML converted to text when it is the only body."""
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_subtype() == "html":
        return html_to_text(content)
    return str(content).strip()


def _ids(header: Any) -> list[str]:
    return _IDS.findall(str(header or ""))


def _first_id(header: Any) -> str | None:
    found = _ids(header)
    return found[0] if found else (str(header).strip() or None if header else None)


def _address(header: Any) -> Address | None:
    addresses = getattr(header, "addresses", None) if header is not None else None
    return addresses[0] if addresses else None


def _date(header: Any) -> datetime | None:
    if header is None:
        return None
    stamp = getattr(header, "datetime", None)
    if stamp is None:
        try:
            stamp = parsedate_to_datetime(str(header))
        except (TypeError, ValueError):
            return None
    try:
        return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    except OverflowError:  # `31 Dec 9999 23:59:59 -1400` is past year 9999 in UTC
        return None


def _mask(text: str, secret: str) -> str:
    """The text with the password masked, should a server or library ever echo it."""
    return text.replace(secret, "***") if secret else text


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (OSError, imaplib.IMAP4.error):
        with contextlib.suppress(OSError):
            conn.shutdown()
