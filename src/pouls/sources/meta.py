"""Meta webhooks: WhatsApp Cloud API, Messenger and Instagram deliveries turned into one batch.

Push, not pull: `/hooks/meta/{source}` (pouls.web.routes.meta) checks `X-Hub-Signature-256`
with `signature_ok` and stores what `parse` returns before answering 200. Message statuses
(sent, delivered, read, failed) are not signals: `parse` returns them apart, and the route
records the failed ones as the source's last error, visible in `pouls sources`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pouls.signals import Batch, DeadLetter, Signal, inputs, signal_id

RAW_LIMIT = 10_000
CHANNELS = {"whatsapp_business_account": "whatsapp", "page": "messenger", "instagram": "instagram"}


def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=` + the HMAC-SHA256 of the raw body with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[7:].strip().lower())


@dataclass(frozen=True)
class Status:
    """A delivery report on a message the business sent: sent, delivered, read or failed."""

    channel: str
    message_id: str
    status: str
    recipient: str | None = None
    error: str | None = None


@dataclass
class Delivery:
    """What one webhook POST carried."""

    batch: Batch
    statuses: list[Status] = field(default_factory=list)


class _Skip(Exception):
    """An event that is not a signal (an echo of our own message, a typing indicator)."""


# What reading a stranger's JSON can raise; anything else is a bug of ours and fails loudly.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


def parse(body: bytes, *, workspace: str, source: str, observed_at: datetime) -> Delivery:
    """One signed POST as signals, dead letters for what cannot be read, and statuses.

    Each message (each comment, each Messenger event) is read on its own: one that cannot be
    read becomes a dead letter whose position and reason say where it sits in the delivery
    (`entry[0].changes[1].value.messages[2]`), and its neighbours are stored.
    """
    delivery_id = hashlib.blake2b(body, digest_size=8).hexdigest()
    out = Delivery(Batch(cursor=delivery_id))
    reader = _Reader(workspace, source, observed_at, out, delivery_id)
    try:
        payload = json.loads(body)
    except RecursionError:
        reader.dead("body", "not readable JSON (nested too deeply)", _text(body))
        return out
    except ValueError as exc:
        reader.dead("body", f"not valid JSON ({exc.args[0]})", _text(body))
        return out
    channel = CHANNELS.get(str(payload.get("object"))) if isinstance(payload, dict) else None
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if channel is None or not isinstance(entries, list):
        reader.dead(
            "body", "not a WhatsApp, Messenger or Instagram webhook (object, entry)", payload
        )
        return out
    for i, entry in enumerate(entries):
        reader.entry(channel, f"entry[{i}]", entry)
    return out


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def _list(value: Any, key: str) -> list[Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


class _Reader:
    def __init__(
        self, workspace: str, source: str, observed_at: datetime, out: Delivery, delivery: str
    ) -> None:
        self.workspace, self.source, self.observed_at = workspace, source, observed_at
        self.out, self.delivery = out, delivery

    def dead(self, where: str, reason: str, raw: Any) -> None:
        """Keep what could not be read, with where it was and why."""
        try:
            text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):
            text = repr(type(raw))
        self.out.batch.dead_letters.append(
            DeadLetter(
                workspace=self.workspace,
                source=self.source,
                reason=reason if where == "body" else f"{where}: {reason}",
                raw=text[:RAW_LIMIT],
                position=f"{self.delivery}:{where}",
            )
        )

    def entry(self, channel: str, where: str, entry: Any) -> None:
        """Read each change and each Messenger event of one entry on its own."""
        if not isinstance(entry, dict):
            self.dead(where, f"expected an object, got {inputs.kind(entry)}", entry)
            return
        lists = {key: entry[key] for key in ("changes", "messaging") if key in entry}
        if not lists or not all(isinstance(v, list) for v in lists.values()):
            self.dead(where, "no `changes` or `messaging` list to read", entry)
            return
        for key, items in lists.items():
            for j, item in enumerate(items):
                at = f"{where}.{key}[{j}]"
                try:
                    self.read(channel, key, entry, item, at)
                except _Skip:
                    continue
                except _UNREADABLE as exc:
                    self.dead(at, _reason(channel, "event", exc), item)

    def read(self, channel: str, kind: str, entry: dict[str, Any], item: Any, at: str) -> None:
        if kind == "messaging":
            self._messaging(channel, item)
        elif channel == "whatsapp" and item["field"] == "messages":
            self._whatsapp(item["value"], f"{at}.value")
        elif channel == "instagram" and item["field"] in ("comments", "live_comments"):
            self._comment(entry, item["value"])
        else:
            raise _Skip

    def _signal(self, channel: str, native: str, **fields: Any) -> Signal:
        return Signal(
            id=signal_id(self.workspace, self.source, native),
            workspace=self.workspace,
            source=self.source,
            channel=channel,  # type: ignore[arg-type]
            native_id=native,
            observed_at=self.observed_at,
            **fields,
        )

    def _whatsapp(self, value: dict[str, Any], at: str) -> None:
        phone_number_id = inputs.identifier(value["metadata"]["phone_number_id"], "phone_number_id")
        names = {
            c.get("wa_id"): inputs.optional_text((c.get("profile") or {}).get("name"))
            for c in _list(value, "contacts")
            if isinstance(c, dict) and isinstance(c.get("wa_id"), str)
        }
        for k, message in enumerate(_list(value, "messages")):
            try:
                self.out.batch.signals.append(
                    self._whatsapp_message(message, phone_number_id, names)
                )
            except _UNREADABLE as exc:
                self.dead(f"{at}.messages[{k}]", _reason("whatsapp", "message", exc), message)
        for k, status in enumerate(_list(value, "statuses")):
            try:
                self.out.statuses.append(_status(status))
            except _UNREADABLE as exc:
                self.dead(f"{at}.statuses[{k}]", _reason("whatsapp", "status", exc), status)

    def _whatsapp_message(
        self, message: dict[str, Any], phone_number_id: str, names: dict[Any, str | None]
    ) -> Signal:
        sender = inputs.identifier(message["from"], "from")
        context = message.get("context") or {}
        return self._signal(
            "whatsapp",
            inputs.identifier(message["id"], "id"),
            kind="message",
            visibility="private",
            created_at=inputs.timestamp(message["timestamp"], "timestamp"),
            text=_whatsapp_text(message),
            author_handle=sender,
            author_name=names.get(message["from"]),
            conversation_id=f"whatsapp:{phone_number_id}:{sender}",
            parent_id=inputs.optional_text(context.get("id")),
            raw=inputs.payload({"phone_number_id": phone_number_id, "message": message}),
        )

    def _messaging(self, channel: str, event: dict[str, Any]) -> None:
        for report, status in (("delivery", "delivered"), ("read", "read")):
            if report in event:
                # Messenger reports up to a `watermark` time rather than per message.
                done = event[report].get("mids") or [event[report].get("watermark")]
                self.out.statuses.extend(Status(channel, str(mid), status) for mid in done)
                raise _Skip
        message = event.get("message") or {}
        postback = event.get("postback")
        if not message and not postback:
            raise _Skip  # reactions, typing, referrals: not something said
        if message.get("is_echo") or message.get("is_deleted"):
            raise _Skip  # our own page's message, or a deletion notice
        sender = inputs.identifier(event["sender"]["id"], "sender.id")
        page = inputs.identifier(event["recipient"]["id"], "recipient.id")
        created = inputs.timestamp(event["timestamp"], "timestamp", millis=True)
        mid = message.get("mid") or (postback or {}).get("mid")
        native = (
            inputs.identifier(mid, "mid")
            if mid is not None
            else f"postback:{sender}:{event['timestamp']}"
        )
        text = (
            inputs.required_text(message.get("text"), "message.text")
            or inputs.required_text((postback or {}).get("title"), "postback.title")
            or _attachments(message)
        )
        self.out.batch.signals.append(
            self._signal(
                channel,
                native,
                kind="message",
                visibility="private",
                created_at=created,
                text=text,
                author_handle=sender,
                conversation_id=f"{channel}:{page}:{sender}",
                parent_id=inputs.optional_text((message.get("reply_to") or {}).get("mid")),
                raw=inputs.payload(
                    {
                        "sender": event["sender"],
                        "recipient": event["recipient"],
                        "message": message or postback,
                    }
                ),
            )
        )

    def _comment(self, entry: dict[str, Any], value: dict[str, Any]) -> None:
        author = value.get("from") or {}
        media = value.get("media") or {}
        # The entry's time is when this version of the comment was sent: an edit comes later.
        sent = inputs.timestamp(entry["time"], "time") if "time" in entry else None
        media_id = inputs.optional_text(media.get("id"))
        self.out.batch.signals.append(
            self._signal(
                "instagram",
                inputs.identifier(value["id"], "id"),
                kind="reply" if value.get("parent_id") else "comment",
                visibility="public",
                created_at=sent or self.observed_at,
                edited_at=sent,
                text=inputs.required_text(value["text"], "text"),
                author_handle=inputs.optional_text(author.get("username"))
                or inputs.optional_text(author.get("id")),
                conversation_id=f"instagram:{media_id}" if media_id else None,
                parent_id=inputs.optional_text(value.get("parent_id")),
                raw=inputs.payload({"comment": value}),
            )
        )


def _reason(channel: str, what: str, exc: BaseException) -> str:
    return f"unreadable {channel} {what} ({type(exc).__name__}: {exc})"


def _status(status: dict[str, Any]) -> Status:
    errors = status.get("errors") or []
    error = "; ".join(f"{e.get('code')} {e.get('title')}" for e in errors) or None
    return Status(
        "whatsapp",
        inputs.identifier(status["id"], "id"),
        inputs.required_text(status["status"], "status"),
        inputs.optional_text(status.get("recipient_id")),
        None if error is None else inputs.text(error),
    )


def _whatsapp_text(message: dict[str, Any]) -> str:
    kind = inputs.optional_text(message.get("type")) or "unknown"
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    reply = body.get("button_reply") or body.get("list_reply") or {}
    for key, value in (
        ("body", body.get("body")),  # text
        ("caption", body.get("caption")),  # image, video, document
        ("text", body.get("text")),  # button
        ("emoji", body.get("emoji")),  # reaction
        ("title", reply.get("title")),  # interactive
    ):
        text = inputs.required_text(value, f"{kind}.{key}")
        if text:
            return text
    place = ", ".join(
        x for x in (inputs.optional_text(body.get(k)) for k in ("name", "address")) if x
    )  # location
    return place or f"[{kind}]"


def _attachments(message: dict[str, Any]) -> str:
    kinds = [
        inputs.optional_text(a.get("type")) or "file" for a in message.get("attachments") or []
    ]
    return " ".join(f"[{k}]" for k in kinds)
