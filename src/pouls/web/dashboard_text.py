"""The dashboard's words and numbers in the page language: key-number tiles and chart labels.

Kept apart from the route so that the formatting rules (French `+12 %` with a narrow
no-break space, changes of shares in points rather than in percent) are tested on their own.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from pouls.locale import N_, translate
from pouls.locale.formats import number, percent
from pouls.locale.scores import MINUS, NONE, points, score
from pouls.signals.colours import channel_colour
from pouls.web.templating import CHANNEL_LABELS


class Tile(msgspec.Struct, frozen=True, kw_only=True):
    """One key number: its value, the previous period's, the change and how to colour it."""

    key: str
    label: str
    value: str
    previous: str
    change: str  # "+12,5 %", "+3,2 pts", or "" when there is nothing to compare with
    note: str  # shown instead of an empty change: "new this period", "no change" or "—"
    direction: Literal["up", "down", "flat"]
    tone: Literal["good", "bad", "neutral"]
    said: str  # the change in words, for screen readers: "up 12.5% on the previous period"


# (key, label, kind, which way is good): counts change in percent, shares and scores in points.
TILES = (
    ("volume", N_("Signals"), "count", None),
    ("authors", N_("Authors"), "count", None),
    ("reach", N_("Reach"), "count", None),
    ("negative_share", N_("Negative share"), "share", "down"),
    ("net_sentiment", N_("Net sentiment"), "score", "up"),
)


def tile(lang: str, key: str, label: str, kind: str, good: str | None, stat: Any) -> Tile:
    """The tile of one of the totals (`{"value", "previous", "change"}`).

    Counts change in percent, shares and scores in points. What cannot be compared says so in
    the same words on screen and for screen readers: a count from nothing is "new this
    period", two zeros are "no change", a share with no rated signal on either side is `—`.
    """
    value, previous = stat.get("value"), stat.get("previous")
    note = ""
    if kind == "count":
        value, previous = value or 0, previous or 0
        shown, before = number(lang, round(value), 0), number(lang, round(previous), 0)
        delta = stat.get("change")
        change = "" if delta is None else percent(lang, delta, signed=True)
        words = "" if delta is None else percent(lang, abs(delta))
        if delta is None:
            note = N_("new this period") if value else N_("no change")
    else:
        shown = score(lang, value, signed=kind == "score")
        before = score(lang, previous, signed=kind == "score")
        if value is None or previous is None:
            delta, change, words, note = None, "", "", NONE
        else:
            delta = round(value, 2) - round(previous, 2)  # as shown: no "+0 pts" from −0.4 %
            change = points(lang, delta)
            words = change.lstrip("+" + MINUS)
    direction: Literal["up", "down", "flat"] = (
        "flat" if not delta else ("up" if delta > 0 else "down")
    )
    tone: Literal["good", "bad", "neutral"] = "neutral"
    if good and direction != "flat":
        tone = "good" if direction == good else "bad"
    if direction == "up":
        said = translate(lang, "up %(change)s on the previous period", change=words)
    elif direction == "down":
        said = translate(lang, "down %(change)s on the previous period", change=words)
    elif note == N_("new this period"):
        said = translate(lang, "nothing in the previous period")
    elif note == NONE:
        said = translate(lang, "nothing to compare with: no rated signal in one of the periods")
    else:
        said = translate(lang, "no change on the previous period")
    return Tile(
        key=key,
        label=translate(lang, label),
        value=shown,
        previous=before,
        change=change,
        note=translate(lang, note) if note and note != NONE else note,
        direction=direction,
        tone=tone,
        said=said,
    )


def tiles(lang: str, totals: dict[str, Any]) -> list[Tile]:
    """The key numbers of the totals, in the order of TILES."""
    return [
        tile(lang, key, label, kind, good, totals[key])
        for key, label, kind, good in TILES
        if key in totals
    ]


# Words the charts and their tables show (series, axes, column heads), in English.
WORDS = (
    N_("Signals"),
    N_("Previous period"),
    N_("Period"),
    N_("Total"),
    N_("Previous"),
    N_("Change"),
    N_("Share"),
    N_("Count"),
    N_("Reach"),
    N_("Followers"),
    N_("Type"),
    N_("Topic"),
    N_("Place"),
    N_("Country"),
    N_("Latitude"),
    N_("Longitude"),
    N_("Net sentiment"),
    N_("Positive"),
    N_("Neutral"),
    N_("Negative"),
    N_("Places"),
    N_("Signals per country"),
    N_("places"),
    N_("new this period"),
    N_("no change"),
    N_("Sentiment"),
    N_("Author"),
    N_("Site"),
    N_("Hashtag"),
    N_("Mention"),
    N_("Term"),
    N_("Entity"),
    N_("Channel"),
    N_("Language"),
    N_("Unknown language"),
    N_("Nothing to show on this period."),
    N_("Tick the topics to compare above (a brand and its competitors)."),
)


def labels(lang: str, data: dict[str, Any]) -> dict[str, Any]:
    """What dashboard.js writes on charts and tables, in the page language: fixed words, and
    the names of the values that series are split by (channels, visibilities, sentiments);
    and each channel's colour (`pouls.signals.colours`), the same in every chart."""
    words = {w: translate(lang, w) for w in WORDS}
    values: dict[str, dict[str, str]] = {
        "channel": {k: translate(lang, v) for k, v in CHANNEL_LABELS.items()},
        "sentiment": {k: translate(lang, k) for k in ("positive", "neutral", "negative")},
    }
    visibility = data.get("volume", {}).get("by", {}).get("visibility", {})
    values["visibility"] = {k: translate(lang, k) for k in visibility}
    channels = set(data.get("volume", {}).get("by", {}).get("channel", {}))
    channels |= {it["key"] for it in data.get("mix", {}).get("channel", [])}
    colours = {"channel": {k: channel_colour(k) for k in sorted(channels | set(CHANNEL_LABELS))}}
    return {"words": words, "values": values, "colours": colours, "lang": lang}
