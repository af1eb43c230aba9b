"""One entry of a polled page read on its own: a signal the store can write, or a dead letter.

A platform can send anything where a field is expected (a dict for a language, a count past
what SQLite holds, a lone surrogate escape). Each polled connector builds its signal from such an
entry, then passes it through `checked`, so one poison entry becomes a dead letter and its
neighbours in the page are stored.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit

import msgspec

from pouls.signals import Signal, decode, encode, inputs

RAW_LIMIT = 10_000  # characters of the input kept in a dead letter


class Unstorable(ValueError):
    """A built signal with a field of the wrong type or out of range; the message says which."""


def writable(text: str, limit: int = RAW_LIMIT) -> str:
    """Text for a dead letter's raw input or reason: cut to `limit` characters, every character
    kept (a lone surrogate written as `\\udXXX`, as the store writes dead letters)."""
    return inputs.escaped(str(text)[:limit])


def checked(signal: Signal) -> Signal:
    """The signal as the store will write and read it back; Unstorable names a bad field."""
    try:
        data = encode(signal)
    except UnicodeEncodeError:
        signal = inputs.storable(signal)
        data = encode(signal)
    try:
        decode(data)
    except msgspec.ValidationError as exc:
        raise Unstorable(_where(str(exc))) from None
    _check_numbers(signal)
    if signal.url is not None:
        try:
            urlsplit(signal.url)
        except ValueError as exc:  # `http://[x`: the store reads each url's site with urlsplit
            raise Unstorable(f"url: {signal.url[:200]!r} ({exc})") from None
    return signal


def _check_numbers(signal: Signal) -> None:
    # JSON writes NaN and infinities as null: the number would be lost without a word.
    floats: dict[str, float | None] = {"value": signal.value, "scam": signal.scam}
    if signal.geo is not None:
        floats.update({"geo.lat": signal.geo.lat, "geo.lon": signal.geo.lon})
    for field, number in floats.items():
        if number is not None and not math.isfinite(number):
            raise Unstorable(f"{field}: {number} is not a finite number")
    if signal.metrics is not None:
        for name in signal.metrics.__struct_fields__:
            count = getattr(signal.metrics, name)
            if count is not None and not inputs.INT_MIN <= count <= inputs.INT_MAX:
                raise Unstorable(f"metrics.{name}: {count} is out of range")


def _where(message: str) -> str:
    """`Expected `str`, got `dict` - at `$.lang`` -> `lang: expected `str`, got `dict``."""
    if " - at `$." in message:
        what, where = message.rsplit(" - at `$.", 1)
        return f"{where.rstrip('`')}: {what[0].lower()}{what[1:]}"
    return message
