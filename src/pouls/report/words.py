"""The words of a report in French and English: its messages, numbers, changes and dates.

A report is read away from pouls (printed, forwarded as a PDF), so it is written wholly in its
own language, whatever the language of the page it was made from. Its French is in the gettext
catalogue like every other message (docs/translation.md).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from pouls.locale import N_, formats, translate

NO_DATA = N_(
    "No signal matches this report's selection between %(since)s and %(until)s: there is"
    " nothing to report yet. Widen the period or check the selection."
)
PDF_FAILED = N_("The PDF could not be made (%(reason)s); no file was written.")
NO_PANGO = N_(
    "PDF reports need the Pango library, which is missing here: install the Debian packages"
    " libpango-1.0-0 and libpangoft2-1.0-0 (`make pdf` does it)."
)
CHANNELS = {
    "rss": N_("Press / RSS"),
    "email": N_("E-mail"),
    "whatsapp": "WhatsApp",
    "mqtt": "MQTT",
    "checkin": N_("Check-in"),
    "reviews": N_("Reviews"),
}


def number(lang: str, value: float) -> str:
    """1,234 in English, 1 234 in French; at most one decimal."""
    return formats.number(lang, value)


def percent(lang: str, share: float) -> str:
    """A share as 12 % (French) or 12% (English)."""
    return formats.percent(lang, share)


def change(lang: str, value: float | None) -> str:
    """A relative change as +12 % / +12%, or – without a previous value."""
    return formats.percent(lang, value, signed=True)


def day(lang: str, when: datetime, tz: ZoneInfo) -> str:
    """7 décembre 2026 / 7 December 2026, in the workspace's time zone."""
    return format_datetime(when, "d MMMM y", tzinfo=tz, locale=lang)


def moment(lang: str, when: datetime, tz: ZoneInfo) -> str:
    """7 décembre 2026, 08:00 / 7 December 2026, 08:00, local time."""
    return format_datetime(when, "d MMMM y, HH:mm", tzinfo=tz, locale=lang)


def channel_label(lang: str, key: str) -> str:
    """A channel's name as people write it (Mastodon, Press / RSS)."""
    return translate(lang, CHANNELS[key]) if key in CHANNELS else key.capitalize()
