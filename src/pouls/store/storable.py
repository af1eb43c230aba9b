"""The store's last line of defence: any signal or dead letter made writable, or said why not.

Parsers already hand over valid signals; this keeps one bad signal from failing the commit of
its whole batch. A signal with invalid Unicode (a lone surrogate) is mended, U+FFFD in its
place; one that still cannot be written (a field of the wrong type, a parser's bug) becomes a
dead letter with the reason. A dead letter is always writable: its texts keep every character,
unpaired surrogates written as `\\udXXX`.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import msgspec

from pouls.signals import DeadLetter, Signal, encode, inputs, utcnow
from pouls.store.rows import Row, signal_row, to_us

_SQL_TYPES = frozenset({str, int, float, bool, bytes, type(None)})
# msgspec.ValidationError and UnicodeEncodeError are ValueErrors.
_UNWRITABLE = (ValueError, TypeError, AttributeError, OverflowError)


class Prepared(NamedTuple):
    """A signal ready to write: the signal as stored, its JSON document and its INSERT row."""

    signal: Signal
    doc: bytes
    row: Row


def prepare(signal: Signal) -> Prepared | DeadLetter:
    """The signal ready to write, mended if need be, or the dead letter saying why it cannot be."""
    try:
        return _prepared(signal)
    except _UNWRITABLE:
        pass
    try:
        return _prepared(inputs.storable(signal))
    except _UNWRITABLE as exc:
        return DeadLetter(
            workspace=_text(signal.workspace),
            source=_text(signal.source),
            reason=f"signal could not be stored: {exc}",
            raw=_dump(signal),
            position=f"signal:{_text(signal.id)}",
        )


def _prepared(signal: Signal) -> Prepared:
    doc = encode(signal)
    row = signal_row(signal, doc)
    for value in row:
        if type(value) not in _SQL_TYPES:
            raise TypeError(f"a {type(value).__name__} where the store expects text or a number")
        if type(value) is int and not inputs.INT_MIN <= value <= inputs.INT_MAX:
            raise OverflowError("an integer past 64 bits")
    return Prepared(signal, doc, row)


def dead_row(d: DeadLetter) -> tuple[str, str, str | None, str, str, int]:
    """A dead letter's values for INSERT, whatever its texts hold."""
    position = None if d.position is None else _text(d.position)
    return (_text(d.workspace), _text(d.source), position, _text(d.reason), _text(d.raw), _at(d))


def _at(d: DeadLetter) -> int:
    try:
        return to_us(d.at)
    except _UNWRITABLE:
        return to_us(utcnow())


def _text(value: Any) -> str:
    if not isinstance(value, str):
        value = _dump(value)
    return inputs.escaped(value)


def _dump(value: Any) -> str:
    try:
        return inputs.escaped(
            json.dumps(msgspec.to_builtins(value), ensure_ascii=False, default=str)
        )
    except (TypeError, ValueError, RecursionError):
        return inputs.escaped(repr(value)[:10_000])
