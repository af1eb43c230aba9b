"""Check-ins: a person's mood (1 to 5) or any personal measure, with a note and a place.

Written by `pouls checkin` and `POST /api/v1/checkins`; both build a `Checkin` and call
`to_signal`. Tags become hashtags in the text, so `#sommeil` finds them in searches.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from pouls.signals import Geo, Signal, inputs, signal_id

MOOD_UNIT = "mood"


class Checkin(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a check-in carries; a mood, or a value with its unit, or at least a note."""

    mood: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    value: float | None = None
    unit: str | None = None
    note: str = ""
    tags: list[str] = msgspec.field(default_factory=list)
    place: str | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    created_at: datetime | None = None
    id: str | None = None  # given by a client that retries: the check-in is then stored once
    workspace: str | None = None
    source: str | None = None


class InvalidCheckin(ValueError):
    """A check-in that cannot be stored; the message says why, in English, and `template` with
    `values` let the web app and the CLI say it in French (pouls.locale.translate)."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.template = message
        self.values: dict[str, Any] = values


def decode(body: bytes) -> Checkin:
    """A posted JSON check-in, or InvalidCheckin saying what is wrong with it.

    Python's JSON reader first, since msgspec's refuses a lone surrogate (a JSON `\\ud800`)
    with a misleading "truncated"; such text is then made valid Unicode (U+FFFD).
    """
    try:
        data = json.loads(body)
    except RecursionError:
        raise InvalidCheckin("not readable JSON (nested too deeply)") from None
    except ValueError as exc:
        why = exc.args[0] if exc.args else exc
        raise InvalidCheckin("not valid JSON (%(why)s)", why=why) from None
    if not isinstance(data, dict):
        raise InvalidCheckin("expected a JSON object, got %(kind)s", kind=inputs.kind(data))
    try:
        return msgspec.convert(inputs.payload(data), Checkin)
    except msgspec.ValidationError as exc:
        raise InvalidCheckin(str(exc)) from None
    except RecursionError:
        raise InvalidCheckin("not readable JSON (nested too deeply)") from None


def to_signal(checkin: Checkin, *, workspace: str, source: str, observed_at: datetime) -> Signal:
    """The check-in as a private signal of channel and kind `checkin`."""
    if checkin.mood is not None and checkin.value is not None:
        raise InvalidCheckin("give a mood or a value, not both")
    if checkin.value is not None and not checkin.unit:
        raise InvalidCheckin("a value needs its unit, e.g. hours, kg, steps")
    if checkin.value is not None and inputs.finite(checkin.value) is None:
        raise InvalidCheckin("value: %(value)s is not a finite number", value=checkin.value)
    value = float(checkin.mood) if checkin.mood is not None else checkin.value
    unit = MOOD_UNIT if checkin.mood is not None else _text(checkin.unit)
    tags = [inputs.text(t.strip().lstrip("#")) for t in checkin.tags if t.strip().lstrip("#")]
    text = inputs.text(" ".join([checkin.note.strip(), *(f"#{t}" for t in tags)]).strip())
    if value is None and not text:
        raise InvalidCheckin("nothing to record: give a mood, a value or a note")
    try:
        created = inputs.utc(checkin.created_at or observed_at, "created_at")
    except ValueError as exc:
        raise InvalidCheckin(str(exc)) from None
    geo = None
    place = _text(checkin.place)
    lat, lon = inputs.finite(checkin.lat), inputs.finite(checkin.lon)
    if place or lat is not None:
        geo = Geo(lat=lat, lon=lon, place=place)
    native = _text(checkin.id) or f"checkin:{uuid.uuid4().hex}"
    return Signal(
        id=signal_id(workspace, source, native),
        workspace=workspace,
        source=source,
        channel="checkin",
        kind="checkin",
        visibility="private",
        native_id=native,
        created_at=created,
        observed_at=observed_at,
        text=text,
        value=value,
        unit=unit,
        geo=geo,
        raw={"tags": tags} if tags else None,
    )


def _text(value: str | None) -> str | None:
    return None if value is None else inputs.text(value)
