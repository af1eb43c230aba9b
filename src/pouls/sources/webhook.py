"""The generic webhook: a POSTed JSON object, JSON array or JSON lines turned into one batch.

Push, not pull: `POST /ingest/{source}` (pouls.web.routes.ingest) checks the signature or token
with `authorised`, reads the body with `parse`, and stores the batch before answering. Valid
entries are stored, unreadable ones become dead letters, in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from pouls.signals import Batch, DeadLetter, content_id, inputs
from pouls.sources.records import Defaults, InvalidRecord, convert, to_signal

RAW_LIMIT = 10_000  # characters of an unreadable entry kept in its dead letter


def sign(secret: str, body: bytes) -> str:
    """The signature header value a sender computes: `sha256=` + hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is the body's HMAC-SHA256 (hex, `sha256=` prefix optional)."""
    if not header:
        return False
    given = header.strip().removeprefix("sha256=").lower()
    return hmac.compare_digest(sign(secret, body)[7:], given)


def bearer_ok(token: str, authorization: str | None) -> bool:
    """True when the Authorization header is `Bearer <token>` (constant-time compare)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def delivery_id(body: bytes) -> str:
    """A delivery's id, from its content: a retried delivery has the same one."""
    return hashlib.blake2b(body, digest_size=8).hexdigest()


def parse(
    body: bytes,
    *,
    defaults: Defaults,
    observed_at: datetime,
    mapping: Mapping[str, str] | None = None,
) -> Batch:
    """One delivery as a batch: a JSON object, a JSON array of objects, or JSON lines."""
    delivery = delivery_id(body)
    batch = Batch(cursor=delivery)
    entries = _entries(body)
    for index, entry in enumerate(entries):
        position = f"{delivery}:{index}"
        try:
            if isinstance(entry, _Unreadable):
                raise InvalidRecord(entry.reason)
            if not isinstance(entry, dict):
                raise InvalidRecord(f"expected a JSON object, got {_json_type(entry)}")
            readable = inputs.payload(entry)  # valid Unicode throughout, as it will be stored
            record = convert(readable, mapping)
            if record.native_id is None and record.id is None:
                # No id given: the entry's content is its identity, so a retry is stored once.
                record.native_id = content_id(json.dumps(readable, sort_keys=True, default=str))
            signal = to_signal(record, defaults, observed_at)
        except (InvalidRecord, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, InvalidRecord) else "nested too deeply"
            raw = entry.text if isinstance(entry, _Unreadable) else _dump(entry)
            batch.dead_letters.append(
                DeadLetter(
                    workspace=defaults.workspace,
                    source=defaults.source,
                    reason=f"entry {index}: {reason}",
                    raw=raw[:RAW_LIMIT],
                    position=position,
                )
            )
            continue
        batch.signals.append(msgspec.structs.replace(signal, raw=readable))
    return batch


class _Unreadable:
    """A line or body that is not JSON, kept as text for its dead letter."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason


def _entries(body: bytes) -> list[Any]:
    text = body.decode("utf-8", errors="replace")
    try:
        whole = json.loads(text)
    except RecursionError:
        return [_Unreadable(text, "not readable JSON (nested too deeply)")]
    except ValueError as exc:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) <= 1:
            return [_Unreadable(text, f"not valid JSON ({exc.args[0]})")]
        return [_line(line) for line in lines]  # JSON lines
    return whole if isinstance(whole, list) else [whole]


def _line(line: str) -> Any:
    try:
        return json.loads(line)
    except RecursionError:
        return _Unreadable(line, "not readable JSON (nested too deeply)")
    except ValueError as exc:
        return _Unreadable(line, f"not valid JSON ({exc.args[0]})")


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _dump(entry: Any) -> str:
    try:
        return json.dumps(entry, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        return repr(type(entry))  # too deep to write back; the reason says so
