"""Normalising a flat record (a JSONL object, a CSV row, a webhook body) into a Signal.

One validated shape, `Record`, whatever the input: a mapping renames the input's keys first,
then msgspec checks types and values and says which field is wrong, for the dead letter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from pouls.signals import (
    Channel,
    Geo,
    Kind,
    Metrics,
    Signal,
    Visibility,
    content_id,
    inputs,
    signal_id,
)


class Record(msgspec.Struct, kw_only=True):
    """What an input row may carry; unknown keys are ignored."""

    native_id: str | int | None = None
    id: str | int | None = None
    channel: Channel | None = None
    kind: Kind | None = None
    visibility: Visibility | None = None
    created_at: datetime | None = None
    edited_at: datetime | None = None
    updated_at: datetime | None = None  # another name for edited_at
    text: str = ""
    title: str | None = None
    url: str | None = None
    author: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    lang: str | None = None
    conversation_id: str | int | None = None
    parent_id: str | int | None = None
    geo: Geo | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    country: str | None = None
    metrics: Metrics | None = None
    value: float | None = None
    unit: str | None = None


class Defaults(msgspec.Struct, frozen=True, kw_only=True):
    """Values for what a record leaves out, and the identity of the source that read it."""

    workspace: str
    source: str
    channel: str = "import"
    kind: str = "post"
    visibility: str = "public"


class InvalidRecord(ValueError):
    """A record that cannot become a signal; the message is the dead letter's reason."""


_json = msgspec.json.Decoder(Record, strict=False)


def decode_json(line: bytes) -> Record:
    """One JSON object to a Record, or InvalidRecord saying what is wrong."""
    try:
        return _json.decode(line)
    except msgspec.ValidationError as exc:
        return _retry_dates(msgspec.json.decode(line), exc)
    except msgspec.DecodeError as exc:
        found = _lenient(line)
        if found is None:
            raise InvalidRecord(f"not valid JSON ({exc})") from None
    if not isinstance(found, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(found).__name__}")
    return convert(inputs.payload(found))


def _lenient(line: bytes) -> Any:
    """Python's JSON reader, for what msgspec's refuses but is JSON all the same: a lone
    surrogate escape (`\\ud800`, a cut-off emoji) that the caller then mends as U+FFFD."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def convert(data: Mapping[str, Any], mapping: Mapping[str, str] | None = None) -> Record:
    """A dict (CSV row, webhook body) to a Record, renaming keys by `mapping` (field -> key)."""
    if mapping:
        data = remap(data, mapping)
    data = {k: v for k, v in data.items() if v != ""}  # empty CSV cells mean "not given"
    try:
        return msgspec.convert(data, Record, strict=False)
    except msgspec.ValidationError as exc:
        return _retry_dates(data, exc)


def remap(data: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """Rename keys: `mapping` says, for a signal field, which input key (dotted for nesting) holds it."""
    out = dict(data)
    for field, key in mapping.items():
        value: Any = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None:
            out[field] = value
    return out


def _retry_dates(data: Any, exc: msgspec.ValidationError) -> Record:
    """Accept the ISO dates msgspec refuses (`2024-05-01`, `2024-05-01 10:00`) before giving up."""
    message = str(exc)
    if (
        isinstance(data, dict)
        and "$.created_at" in message
        and isinstance(data.get("created_at"), str)
    ):
        raw = data["created_at"]
        try:
            fixed = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidRecord(
                f"created_at: {raw[:40]!r} is not a date; expected ISO 8601"
                " (2026-05-01T09:30:00+02:00) or seconds since 1970"
            ) from None
        try:
            return msgspec.convert({**data, "created_at": fixed}, Record, strict=False)
        except msgspec.ValidationError as again:
            message = str(again)
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(data).__name__}") from None
    raise InvalidRecord(_friendly(message)) from None


def _friendly(message: str) -> str:
    """`Expected `str`, got `int` - at `$.text`` -> `text: expected `str`, got `int``."""
    if " - at `$." in message:
        what, where = message.rsplit(" - at `$.", 1)
        return f"{where.rstrip('`')}: {what[0].lower()}{what[1:]}"
    return message


def to_signal(record: Record, defaults: Defaults, observed_at: datetime) -> Signal:
    """Build the Signal, deriving its stable id; raises InvalidRecord for what cannot be stored.

    Text is made valid Unicode (a lone surrogate becomes U+FFFD); a created_at out of range is
    an error, while optional parts that cannot be stored (a count past 64 bits, a NaN value or
    coordinate, an edit time out of range) are dropped.
    """
    native = record.native_id if record.native_id is not None else record.id
    try:
        # Every stored time is UTC; a naive time is taken as UTC, an offset is converted.
        created = inputs.utc(record.created_at or observed_at, "created_at")
    except ValueError as exc:
        raise InvalidRecord(str(exc)) from None
    value = inputs.finite(record.value)
    text, title = inputs.text(record.text), _text(record.title)
    if not text and not title and value is None:
        raise InvalidRecord("no text, title or value: nothing to store")
    url, handle = _text(record.url), _text(record.author_handle)
    native_id = (
        inputs.text(str(native))
        if native is not None
        else content_id(text, title, created.isoformat(), handle, url)
    )
    return Signal(
        id=signal_id(defaults.workspace, defaults.source, native_id),
        workspace=defaults.workspace,
        source=defaults.source,
        channel=record.channel or defaults.channel,  # type: ignore[arg-type]
        kind=record.kind or defaults.kind,  # type: ignore[arg-type]
        visibility=record.visibility or defaults.visibility,  # type: ignore[arg-type]
        native_id=native_id,
        created_at=created,
        observed_at=observed_at,
        edited_at=_edited(record.edited_at or record.updated_at),
        text=text,
        title=title,
        url=url,
        author=_text(record.author),
        author_handle=handle,
        author_name=_text(record.author_name),
        lang=_text(record.lang),
        conversation_id=_text(_str(record.conversation_id)),
        parent_id=_text(_str(record.parent_id)),
        geo=_geo(record),
        metrics=_metrics(record.metrics),
        value=value,
        unit=_text(record.unit),
    )


def _str(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _text(value: str | None) -> str | None:
    return None if value is None else inputs.text(value)


def _edited(value: datetime | None) -> datetime | None:
    try:
        return None if value is None else inputs.utc(value, "edited_at")
    except ValueError:
        return None  # an edit time only orders versions: without it, the delivery time does


def _geo(record: Record) -> Geo | None:
    given = record.geo or Geo(
        lat=record.lat, lon=record.lon, place=record.place, country=record.country
    )
    lat, lon = inputs.finite(given.lat, -90, 90), inputs.finite(given.lon, -180, 180)
    if lat is None or lon is None:
        lat = lon = None  # half a position is no position
    place, country = _text(given.place), _text(given.country)
    if lat is None and not place and not country:
        return None
    return Geo(lat=lat, lon=lon, place=place, country=country)


def _metrics(metrics: Metrics | None) -> Metrics | None:
    if metrics is None:
        return None
    return Metrics(
        likes=inputs.count(metrics.likes),
        shares=inputs.count(metrics.shares),
        replies=inputs.count(metrics.replies),
        followers=inputs.count(metrics.followers),
    )
