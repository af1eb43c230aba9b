"""Check-ins: a person's mood (1 to 5) or any personal measure, with a note and a place.

Written by `pouls checkin` and `POST /api/v1/checkins`; both build a `Checkin` and call
`to_signal`. Tags become hashtags in the text, so `#sommeil` finds them in searches.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec

from pouls.signals import Geo, Signal, signal_id

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
    """A check-in that cannot be stored; the message says why."""


def to_signal(checkin: Checkin, *, workspace: str, source: str, observed_at: datetime) -> Signal:
    """The check-in as a private signal of channel and kind `checkin`."""
    if checkin.mood is not None and checkin.value is not None:
        raise InvalidCheckin("give a mood or a value, not both")
    if checkin.value is not None and not checkin.unit:
        raise InvalidCheckin("a value needs its unit, e.g. hours, kg, steps")
    value = float(checkin.mood) if checkin.mood is not None else checkin.value
    unit = MOOD_UNIT if checkin.mood is not None else checkin.unit
    tags = [t.strip().lstrip("#") for t in checkin.tags if t.strip().lstrip("#")]
    text = " ".join([checkin.note.strip(), *(f"#{t}" for t in tags)]).strip()
    if value is None and not text:
        raise InvalidCheckin("nothing to record: give a mood, a value or a note")
    created = checkin.created_at or observed_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    geo = None
    if checkin.place or checkin.lat is not None:
        geo = Geo(lat=checkin.lat, lon=checkin.lon, place=checkin.place)
    native = checkin.id or f"checkin:{uuid.uuid4().hex}"
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
