"""The Jinja2 environment of the pages, with the few filters they need."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from fastapi.templating import Jinja2Templates

from pouls.signals import utcnow

CHANNEL_LABELS = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "Press / RSS",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "messenger": "Messenger",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "email": "E-mail",
    "reddit": "Reddit",
    "mqtt": "MQTT",
    "checkin": "Check-in",
    "webhook": "Webhook",
    "import": "Import",
    "reviews": "Reviews",
}


def ago(when: datetime, now: datetime | None = None) -> str:
    """Short relative time, as walls show it: `now`, `5 min`, `3 h`, `2 d`, then the date."""
    seconds = ((now or utcnow()) - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h"
    if seconds < 7 * 86_400:
        return f"{int(seconds // 86_400)} d"
    return when.strftime("%d %b %Y")


def templates() -> Jinja2Templates:
    """Templates shipped in the package."""
    folder = resources.files("pouls.web").joinpath("templates")
    t = Jinja2Templates(directory=str(folder))
    t.env.filters["ago"] = ago
    t.env.filters["channel_label"] = lambda c: CHANNEL_LABELS.get(c, c)
    t.env.globals["CHANNEL_LABELS"] = CHANNEL_LABELS
    return t
