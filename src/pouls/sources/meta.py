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
from datetime import UTC, datetime
from typing import Any

from pouls.signals import Batch, DeadLetter, Signal, signal_id

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


def parse(body: bytes, *, workspace: str, source: str, observed_at: datetime) -> Delivery:
    """One signed POST as signals, dead letters for what cannot be read, and statuses."""
    delivery_id = hashlib.blake2b(body, digest_size=8).hexdigest()
    out = Delivery(Batch(cursor=delivery_id))
    reader = _Reader(workspace, source, observed_at, out)

    def dead(where: str, reason: str, raw: Any) -> None:
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
        out.batch.dead_letters.append(
            DeadLetter(
                workspace=workspace,
                source=source,
                reason=reason,
                raw=text[:RAW_LIMIT],
                position=f"{delivery_id}:{where}",
            )
        )

    try:
        payload = json.loads(body)
    except ValueError as exc:
        dead("body", f"not valid JSON ({exc.args[0]})", body.decode("utf-8", "replace"))
        return out
    channel = CHANNELS.get(str(payload.get("object"))) if isinstance(payload, dict) else None
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if channel is None or not isinstance(entries, list):
        dead("body", "not a WhatsApp, Messenger or Instagram webhook (object, entry)", payload)
        return out
    for i, entry in enumerate(entries):
        items = [("changes", j, c) for j, c in enumerate(_list(entry, "changes"))]
        items += [("messaging", j, m) for j, m in enumerate(_list(entry, "messaging"))]
        for kind, j, item in items:
            try:
                reader.read(channel, kind, entry, item)
            except _Skip:
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                reason = f"entry[{i}].{kind}[{j}]: unreadable {channel} event ({type(exc).__name__}: {exc})"
                dead(f"{i}:{kind}:{j}", reason, item)
    return out


def _list(value: Any, key: str) -> list[Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


class _Reader:
    def __init__(self, workspace: str, source: str, observed_at: datetime, out: Delivery) -> None:
        self.workspace, self.source, self.observed_at, self.out = (
            workspace,
            source,
            observed_at,
            out,
        )

    def read(self, channel: str, kind: str, entry: dict[str, Any], item: dict[str, Any]) -> None:
        if kind == "messaging":
            self._messaging(channel, entry, item)
        elif channel == "whatsapp" and item["field"] == "messages":
            self._whatsapp(item["value"])
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

    def _whatsapp(self, value: dict[str, Any]) -> None:
        phone_number_id = value["metadata"]["phone_number_id"]
        names = {
            c.get("wa_id"): (c.get("profile") or {}).get("name") for c in _list(value, "contacts")
        }
        for message in _list(value, "messages"):
            sender = message["from"]
            self.out.batch.signals.append(
                self._signal(
                    "whatsapp",
                    message["id"],
                    kind="message",
                    visibility="private",
                    created_at=_seconds(message["timestamp"]),
                    text=_whatsapp_text(message),
                    author_handle=sender,
                    author_name=names.get(sender),
                    conversation_id=f"whatsapp:{phone_number_id}:{sender}",
                    parent_id=(message.get("context") or {}).get("id"),
                    raw={"phone_number_id": phone_number_id, "message": message},
                )
            )
        for status in _list(value, "statuses"):
            errors = status.get("errors") or []
            error = "; ".join(f"{e.get('code')} {e.get('title')}" for e in errors) or None
            self.out.statuses.append(
                Status(
                    "whatsapp", status["id"], status["status"], status.get("recipient_id"), error
                )
            )

    def _messaging(self, channel: str, entry: dict[str, Any], event: dict[str, Any]) -> None:
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
        sender, page = event["sender"]["id"], event["recipient"]["id"]
        native = (
            message.get("mid")
            or (postback or {}).get("mid")
            or f"postback:{sender}:{event['timestamp']}"
        )
        text = message.get("text") or (postback or {}).get("title") or _attachments(message)
        self.out.batch.signals.append(
            self._signal(
                channel,
                native,
                kind="message",
                visibility="private",
                created_at=_millis(event["timestamp"]),
                text=text,
                author_handle=sender,
                conversation_id=f"{channel}:{page}:{sender}",
                parent_id=(message.get("reply_to") or {}).get("mid"),
                raw={
                    "sender": event["sender"],
                    "recipient": event["recipient"],
                    "message": message or postback,
                },
            )
        )

    def _comment(self, entry: dict[str, Any], value: dict[str, Any]) -> None:
        author = value.get("from") or {}
        media = value.get("media") or {}
        created = _seconds(entry["time"]) if "time" in entry else self.observed_at
        self.out.batch.signals.append(
            self._signal(
                "instagram",
                value["id"],
                kind="reply" if value.get("parent_id") else "comment",
                visibility="public",
                created_at=created,
                text=value["text"],
                author_handle=author.get("username") or author.get("id"),
                conversation_id=f"instagram:{media['id']}" if media.get("id") else None,
                parent_id=value.get("parent_id"),
                raw={"comment": value},
            )
        )


def _whatsapp_text(message: dict[str, Any]) -> str:
    kind = message.get("type", "unknown")
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    text = (
        body.get("body")  # text
        or body.get("caption")  # image, video, document
        or body.get("text")  # button
        or body.get("emoji")  # reaction
        or (body.get("button_reply") or body.get("list_reply") or {}).get("title")  # interactive
        or ", ".join(x for x in (body.get("name"), body.get("address")) if x)  # location
    )
    return text or f"[{kind}]"


def _attachments(message: dict[str, Any]) -> str:
    kinds = [a.get("type", "file") for a in message.get("attachments") or []]
    return " ".join(f"[{k}]" for k in kinds)


def _seconds(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


def _millis(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
