"""Time ranges as people type them: presets, dates, datetimes and relative spans.

Every page, API route, CLI command and report that selects signals reads its range here, so
`7d` means the same everywhere and a bad value is refused with the same words. A period is
half-open, `[since, until)`, in UTC; calendar presets (`month`, `last-month`) and bare dates
are read in the workspace's time zone, so "this month" starts at local midnight on the 1st.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from pouls.signals import utcnow

# Presets, in the order a range picker shows them.
PRESETS = ("24h", "7d", "30d", "90d", "month", "last-month")

_RELATIVE = re.compile(r"^(\d{1,5})\s*(min|h|d|w)$")
_UNITS = {"min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNITS["w"] = timedelta(weeks=1)
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)

HOUR, DAY, WEEK = timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)


class PeriodError(ValueError):
    """A range that cannot be read. `message` is English with `%(name)s` holes filled from
    `values`, so a page can show it in its own language: `_(exc.message, **exc.values)`."""

    def __init__(self, message: str, **values: str) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


class Period(msgspec.Struct, frozen=True, kw_only=True):
    """`[since, until)` in UTC; `preset` is the preset it came from, if any (for the picker)."""

    since: datetime
    until: datetime
    preset: str | None = None

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    def previous(self) -> Period:
        """The period of the same length just before this one: what a change is measured against."""
        return Period(since=self.since - self.length, until=self.since)

    def bucket(self) -> timedelta:
        """The series step people read best for this length: hours up to 2 days, days up to
        ~3 months, weeks beyond."""
        if self.length <= 2 * DAY:
            return HOUR
        if self.length <= 92 * DAY:
            return DAY
        return WEEK

    def contains(self, moment: datetime) -> bool:
        return self.since <= moment < self.until


def origin(period: Period, step: timedelta, tz: ZoneInfo) -> datetime:
    """Where buckets of `step` start from, so they fall on the workspace's clock: the local
    midnight of the period's first day, and for weeks the Monday on or before it."""
    first = period.since.astimezone(tz).date()
    if step >= WEEK:
        first -= timedelta(days=first.weekday())
    return _midnight(first, tz)


def zone(name: str | None) -> ZoneInfo:
    """A time zone by IANA name (`Europe/Paris`); UTC when unset."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PeriodError(
            "unknown time zone %(zone)s: use an IANA name such as Europe/Paris", zone=str(name)
        ) from exc


def preset_period(name: str, *, now: datetime | None = None, tz: ZoneInfo | None = None) -> Period:
    """One of `PRESETS`, ending now (`month`: from the 1st; `last-month`: the whole month)."""
    now = (now or utcnow()).astimezone(UTC)
    tz = tz or ZoneInfo("UTC")
    if name in ("24h", "7d", "30d", "90d"):
        return Period(since=now - _relative(name), until=now, preset=name)
    local = now.astimezone(tz)
    first = local.date().replace(day=1)
    if name == "month":
        return Period(since=_midnight(first, tz), until=now, preset=name)
    if name == "last-month":
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(since=_midnight(previous, tz), until=_midnight(first, tz), preset=name)
    raise PeriodError(
        "unknown range %(value)s: choose one of %(choices)s, or give dates",
        value=name[:40],
        choices=", ".join(PRESETS),
    )


def parse_period(
    since: str | None = None,
    until: str | None = None,
    *,
    preset: str | None = None,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
) -> Period | None:
    """The period that `since`/`until` (or a preset) describe; None when nothing was given.

    `since` and `until` each take an ISO 8601 date (`2026-11-30`, the day's local midnight;
    as `until` the day is included), an ISO datetime (`2026-11-30T14:00`, local unless it
    carries an offset or Z), or a relative span back from now (`90min`, `24h`, `7d`, `2w`).
    `since` also takes a preset name. A missing `until` is now; a missing `since` is the
    beginning of time. Empty strings count as missing.
    """
    now = (now or utcnow()).astimezone(UTC)
    tz = tz or ZoneInfo("UTC")
    since, until, preset = (v.strip() if v else None for v in (since, until, preset))
    if preset:
        if since or until:
            raise PeriodError("give either a preset range or since/until dates, not both")
        return preset_period(preset, now=now, tz=tz)
    if not since and not until:
        return None
    if since in PRESETS and not until:
        return preset_period(since, now=now, tz=tz)
    start = read_moment(since, now=now, tz=tz, name="since") if since else _EARLIEST
    end = read_moment(until, now=now, tz=tz, name="until", end=True) if until else now
    if end <= start:
        raise PeriodError(
            "the range ends before it starts: %(until)s is not after %(since)s",
            since=since or "",
            until=until or "",
        )
    return Period(since=start, until=end)


def read_moment(
    text: str, *, now: datetime, tz: ZoneInfo, name: str = "since", end: bool = False
) -> datetime:
    """One bound as UTC. A bare date as an end bound means the end of that day."""
    relative = _RELATIVE.match(text.lower())
    if relative:  # a span reaching before 1970 means "from the beginning"
        span = _relative(text.lower())
        return _EARLIEST if span >= now - _EARLIEST else now - span
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return _midnight(day + timedelta(days=1) if end else day, tz)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except (ValueError, OverflowError) as exc:
        raise PeriodError(
            "%(name)s: %(value)s is not a date; write 2026-11-30, 2026-11-30T14:00, 24h, 7d or 2w",
            name=name,
            value=text[:40],
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    moment = moment.astimezone(UTC)
    if not _EARLIEST <= moment < _LATEST:
        raise PeriodError("%(name)s: %(value)s is out of range", name=name, value=text[:40])
    return moment


def _relative(text: str) -> timedelta:
    found = _RELATIVE.match(text)
    if not found:  # pragma: no cover - callers matched first
        raise PeriodError("%(value)s is not a span such as 24h or 7d", value=text)
    amount, unit = int(found.group(1)), found.group(2)
    if amount == 0:
        raise PeriodError("%(value)s is an empty span: use at least 1", value=text)
    return amount * _UNITS[unit]


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    try:
        return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    except OverflowError as exc:
        raise PeriodError("%(value)s is out of range", value=day.isoformat()) from exc
