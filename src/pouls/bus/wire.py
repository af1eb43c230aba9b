"""A delivery as bytes in a journal, and back: whatever it holds, nothing is lost on the way.

Each signal is encoded on its own (JSON), so one that cannot be written (a lone surrogate left
in its raw payload) or read back (a value its type refuses) becomes a dead letter with its
reason while its neighbours go on. Dead letters are always writable: escaped to ASCII if need be.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from pouls.bus import Delivery
from pouls.signals import Batch, DeadLetter, Signal
from pouls.signals import decode as read_signal


class _Stored(msgspec.Struct, array_like=True):
    cursor: str | None
    signals: list[msgspec.Raw]
    dead_letters: list[DeadLetter]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_Stored)


def encode(delivery: Delivery) -> bytes:
    """The delivery as bytes; a signal that cannot be encoded is kept as a dead letter."""
    batch = delivery.batch
    signals: list[msgspec.Raw] = []
    dead = list(batch.dead_letters)
    for signal in batch.signals:
        try:
            signals.append(msgspec.Raw(_encoder.encode(signal)))
        except Exception as exc:  # a failure is this entry's, not the delivery's
            dead.append(refused(delivery, signal, "could not be journaled", exc))
    try:
        return _encoder.encode(_Stored(batch.cursor, signals, dead))
    except Exception:  # a dead letter or the cursor holds what UTF-8 refuses
        plain = [escaped(d) for d in dead]
        return _encoder.encode(_Stored(ascii_only(batch.cursor), signals, plain))


def decode(data: bytes, workspace: str, source: str, seq: int) -> Batch:
    """The batch a journal row holds; a signal that no longer reads is a dead letter."""
    try:
        stored = _decoder.decode(data)
    except Exception as exc:  # the row is this delivery's only copy: keep it
        return Batch(dead_letters=[_unreadable(data, workspace, source, seq, exc)])
    signals: list[Signal] = []
    dead = list(stored.dead_letters)
    for n, raw in enumerate(stored.signals):
        try:
            signals.append(decode_signal(raw))
        except Exception as exc:
            dead.append(
                DeadLetter(
                    workspace=workspace,
                    source=source,
                    reason=f"could not be read back from the intake journal: {exc}"[:2000],
                    raw=bytes(raw).decode("utf-8", "replace"),
                    position=f"journal:{seq}:{n}",
                )
            )
    return Batch(signals=signals, dead_letters=dead, cursor=stored.cursor)


def decode_signal(raw: msgspec.Raw) -> Signal:
    """One signal's bytes to a validated Signal."""
    return read_signal(bytes(raw))


def _unreadable(data: bytes, workspace: str, source: str, seq: int, exc: Exception) -> DeadLetter:
    return DeadLetter(
        workspace=workspace,
        source=source,
        reason=f"could not be read back from the intake journal: {exc}"[:2000],
        raw=data.decode("utf-8", "replace"),
        position=f"journal:{seq}",
    )


def refused(delivery: Delivery, signal: Signal, what: str, exc: Exception) -> DeadLetter:
    """A signal that could not go further (journaled, enriched, stored), kept with its input
    and the reason: shared by the journal and the intake's commit."""
    return DeadLetter(
        workspace=delivery.workspace,
        source=delivery.source,
        reason=f"{what}: {type(exc).__name__}: {exc}"[:2000],
        raw=_ascii_json(signal),
        position=f"id:{signal.id}",
    )


def _ascii_json(signal: Signal) -> str:
    """The input as JSON in ASCII (lone surrogates and all escaped); the signal if none."""
    value: Any = signal.raw
    if value is None:
        try:
            value = msgspec.to_builtins(signal)
        except Exception:
            value = repr(signal)
    try:
        return json.dumps(value, ensure_ascii=True, default=repr)
    except Exception:  # e.g. a number too large for JSON's repr
        return ascii(value)


def ascii_only(text: str | None) -> str | None:
    """The text with everything outside ASCII escaped: a write that even that refuses is not
    about the text any more."""
    return None if text is None else text.encode("ascii", "backslashreplace").decode("ascii")


def escaped(d: DeadLetter) -> DeadLetter:
    """The dead letter in ASCII only: the last form in which it can always be written."""
    return DeadLetter(
        workspace=d.workspace,
        source=d.source,
        reason=ascii_only(d.reason) or "",
        raw=ascii_only(d.raw) or "",
        position=ascii_only(d.position),
        at=d.at,
    )
