"""The range picker's view of a selection: its presets, the custom dates, the range in words.

Kept apart from the templates so that every page with a picker (the wall, and any page that
includes `_range.html`) shows the same choices, and the dates follow the workspace's clock
while their words follow the page's language.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from pouls.locale import N_, translate
from pouls.locale.formats import day, stamp
from pouls.query.period import PRESETS, Period

PRESET_LABELS = {
    "24h": N_("Last 24 hours"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "month": N_("This month"),
    "last-month": N_("Last month"),
}
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)  # parse_period's "from the beginning"


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    """One preset of the picker: its query value, its label (English, for `_()`), if chosen."""

    value: str
    label: str
    current: bool


class Picker(msgspec.Struct, frozen=True, kw_only=True):
    """What `_range.html` shows: presets, the custom form's dates, the range in words."""

    choices: list[Choice]
    custom: bool  # the range is dates rather than a preset
    first_day: str  # ISO dates for <input type=date>, "" when open
    last_day: str
    words: str  # the range as the page's language writes it, "" for all time


def picker(period: Period | None, tz: ZoneInfo, lang: str) -> Picker:
    """The picker for `period` (None: all time), dates read on the workspace's clock."""
    preset = period.preset if period else None
    choices = [Choice(value=p, label=PRESET_LABELS[p], current=p == preset) for p in PRESETS]
    if period is None:
        return Picker(choices=choices, custom=False, first_day="", last_day="", words="")
    since, until = period.since.astimezone(tz), period.until.astimezone(tz)
    open_start = period.since == _BEGINNING
    whole_days = since.time() == time() and until.time() == time()
    last = (until - timedelta(days=1)) if whole_days else until
    return Picker(
        choices=choices,
        custom=preset is None,
        first_day="" if open_start else since.date().isoformat(),
        last_day=last.date().isoformat(),
        words=_words(since, until, last, open_start, whole_days, lang),
    )


def _words(
    since: datetime, until: datetime, last: datetime, open_start: bool, days: bool, lang: str
) -> str:
    def show(moment: datetime) -> str:
        if days:  # one date family on every page (pouls.locale.formats: stamp, day)
            return day(lang, moment.date())
        return stamp(lang, moment, moment.tzinfo or UTC, named=False)

    if open_start:
        return translate(lang, "until %(end)s", end=show(last))
    if days and since.date() == last.date():
        return show(since)
    return f"{show(since)} – {show(last)}"
