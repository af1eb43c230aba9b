"""Reading untrusted values into a Signal: text with lone surrogates, times, ids and counts.

Every push parser (generic webhook, Meta, Telegram, check-ins) reads what strangers send
through these, so that a Signal only ever holds what every stage and the store can take: text
that is valid Unicode, times within what a datetime and the store hold, counts within SQLite's
64-bit integers. A value that a signal cannot do without raises `ValueError` with a reason for
the dead letter; an optional one that is unreadable is dropped (None).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import msgspec

INT_MAX = 2**63 - 1  # SQLite's INTEGER, and so the store's counts
INT_MIN = -(2**63)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A time must stay a datetime whatever offset it is converted to: a day of margin each side.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def text(value: str) -> str:
    """The text with each unpaired surrogate (invalid Unicode, e.g. a JSON `\\ud800`) as U+FFFD."""
    if value.isascii():
        return value
    return _SURROGATE.sub("\ufffd", value)


def required_text(value: Any, field: str) -> str:
    """The text of a field a signal is read for: missing is empty, anything but text an error."""
    if value is None:
        return ""
    if isinstance(value, str):
        return text(value)
    raise ValueError(f"{field}: expected text, got {kind(value)}")


def optional_text(value: Any) -> str | None:
    """Text for a descriptive field (a name, a handle); anything but text is dropped."""
    return text(value) if isinstance(value, str) and value else None


def identifier(value: Any, field: str) -> str:
    """A platform's id (text or a whole number) as text; anything else is an error."""
    if isinstance(value, str) and value.strip():
        return text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{field}: expected an id, got {kind(value)}")


def timestamp(value: Any, field: str, *, millis: bool = False) -> datetime:
    """A time given as seconds (or milliseconds) since 1970, as a number or digits."""
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            seconds = None
    if seconds is None or not math.isfinite(seconds):
        raise ValueError(f"{field}: {_short(value)} is not a time (seconds since 1970)")
    if millis:
        seconds /= 1000
    try:
        found = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{field}: {_short(value)} is out of range for a time") from None
    return utc(found, field)


def utc(value: datetime, field: str) -> datetime:
    """The time in UTC (a naive one taken as UTC); out of what the store holds is an error."""
    try:
        found = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        found = None
    if found is None or not _EARLIEST <= found <= _LATEST:
        raise ValueError(f"{field}: {value.isoformat()} is out of range for a time")
    return found


def count(value: Any) -> int | None:
    """A count the store can hold; one past 64 bits (or not a whole number) is dropped."""
    if isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
        return value
    return None


def finite(value: float | None, low: float = -math.inf, high: float = math.inf) -> float | None:
    """A finite number within [low, high], else None: NaN and infinity mean nothing measured."""
    if value is None or not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def payload(value: Any) -> Any:
    """A decoded JSON value with every text (keys included) made valid Unicode: a raw payload."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {payload(k): payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return [payload(v) for v in value]
    return value


def storable(signal: Any) -> Any:
    """The signal (any msgspec struct) with every text made valid Unicode, for the store."""
    data = payload(msgspec.to_builtins(signal))
    return msgspec.convert(data, type(signal))


def escaped(value: str) -> str:
    """Text kept as given but writable: each unpaired surrogate as the six characters `\\udXXX`."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def kind(value: Any) -> str:
    """What a JSON value is, in words, for reasons."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "an object", list: "an array", str: "text", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
