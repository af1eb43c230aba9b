"""One colour per channel, the same in every chart (dashboard stacks and donuts, reports).

A charting library's default palette cycles: with more channels than colours, two channels
share one and a stack cannot be read. Every known channel gets its own hue here, chosen apart
from its neighbours; a channel this list does not know gets one of the spares, picked from its
name so that it keeps the same colour from one page to the next.
"""

from __future__ import annotations

import zlib

CHANNEL_COLOURS = {
    "mastodon": "#6364ff",  # indigo
    "bluesky": "#0ea5e9",  # sky
    "rss": "#ea580c",  # orange
    "telegram": "#14b8a6",  # teal
    "whatsapp": "#16a34a",  # green
    "messenger": "#a855f7",  # purple
    "instagram": "#db2777",  # pink
    "facebook": "#1e3a8a",  # navy
    "email": "#92400e",  # brown
    "reddit": "#dc2626",  # red
    "mqtt": "#84cc16",  # lime
    "checkin": "#eab308",  # yellow
    "webhook": "#475569",  # slate
    "import": "#a8a29e",  # light stone
    "reviews": "#e879f9",  # light fuchsia
}
SPARES = ("#0f766e", "#7c3aed", "#b45309", "#be123c", "#4d7c0f", "#0369a1", "#6b7280")


def channel_colour(channel: str) -> str:
    """The colour of `channel`: its own, else a spare chosen by its name.

    >>> channel_colour("mastodon"), channel_colour("x") == channel_colour("x")
    ('#6364ff', True)
    """
    known = CHANNEL_COLOURS.get(channel)
    if known:
        return known
    return SPARES[zlib.crc32(channel.encode("utf-8")) % len(SPARES)]
