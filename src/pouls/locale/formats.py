"""Numbers, shares, spans and dates as each language writes them, from Babel's CLDR data.

French groups digits with a narrow no-break space and puts a no-break space before `%`;
English uses commas and no space. Pages, notices and digests all go through these, so a figure
reads the same wherever it is shown.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, tzinfo

from babel.dates import (
    format_date,
    format_datetime,
    get_date_format,
    get_datetime_format,
    get_time_format,
)
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from pouls.locale import translate

_UNITS = {"m": "duration-minute", "h": "duration-hour", "d": "duration-day", "w": "duration-week"}


def number(lang: str, value: float, digits: int = 1) -> str:
    """`1 234` or `1,234`; a fraction keeps at most `digits` decimals (`2,5` / `2.5`)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=lang)


def percent(lang: str, share: float | None, signed: bool = False) -> str:
    """`12 %` or `12%`; `+12 %` with `signed`; `–` when there is nothing to compare with."""
    if share is None or math.isnan(share):
        return "–"
    text = format_percent(abs(share), locale=lang)
    if not signed:
        return text if share >= 0 else "-" + text
    return ("+" if share >= 0 else "−") + text


def span(lang: str, text: str, long: bool = False) -> str:
    """`30d` (as `?since=` writes it) as `30 j`, `30 jours` when `long`, or `30 days`; any other
    text as it is."""
    text = str(text).strip()
    amount, unit = text[:-1], _UNITS.get(text[-1:].lower())
    if not amount.isdigit() or unit is None:
        return text
    return format_unit(int(amount), unit, length="long" if long else "short", locale=lang)


def ago(lang: str, when: datetime, now: datetime | None = None) -> str:
    """How long ago, as walls show it: `now`, `5 min`, `3 h`, `2 j`, then the date."""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < 60:
        return translate(lang, "now")
    if seconds >= 7 * 86_400:
        return format_date(when, "medium", locale=lang)
    size, unit = next(u for u in ((86_400, "d"), (3600, "h"), (60, "m")) if seconds >= u[0])
    return span(lang, f"{int(seconds // size)}{unit}")


def long_date(lang: str, when: datetime, zone: tzinfo = UTC) -> str:
    """`lundi 21 septembre 2026, 14:05 UTC` or `Monday 21 September 2026, 14:05 UTC`."""
    name = "UTC" if zone is UTC else str(zone)
    return format_datetime(when, f"EEEE d MMMM y, HH:mm '{name}'", tzinfo=zone, locale=lang)


def stamp(lang: str, when: datetime, zone: tzinfo = UTC, *, named: bool = True) -> str:
    """A date and time as every page shows one: the medium date and the short time, on the
    clock of `zone`, its abbreviation after (`7 déc. 2026, 19:30 CET` / `Dec 7, 2026, 7:30 PM
    CET`); `named=False` leaves the abbreviation out where the page says the zone once."""
    local = when.astimezone(zone) if when.tzinfo else when.replace(tzinfo=UTC).astimezone(zone)
    pattern = (
        str(get_datetime_format("medium", locale=lang))
        .replace("{1}", get_date_format("medium", locale=lang).pattern)
        .replace("{0}", get_time_format("short", locale=lang).pattern)
    )
    text = format_datetime(local, pattern, tzinfo=zone, locale=lang)
    return f"{text} {local.tzname() or 'UTC'}" if named else text


def day(lang: str, when: date) -> str:
    """A day as every page shows one: `7 déc. 2026` / `Dec 7, 2026`."""
    return format_date(when, "medium", locale=lang)


def moment(lang: str, when: datetime, zone: tzinfo = UTC) -> str:
    """A short date and time for notices: `21/09/2026 14:05 UTC` or `9/21/26, 2:05 PM UTC`."""
    name = "UTC" if zone is UTC else str(zone)
    return f"{format_datetime(when, 'short', tzinfo=zone, locale=lang)} {name}"
