"""The Jinja2 environment of the pages, with the few filters they need."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from pouls.web import i18n

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


def templates() -> Jinja2Templates:
    """Templates shipped in the package."""
    folder = resources.files("pouls.web").joinpath("templates")
    t = Jinja2Templates(directory=str(folder))
    t.env.filters["ago"] = i18n.ago
    t.env.filters["long_date"] = i18n.long_date
    t.env.filters["number"] = i18n.number
    t.env.filters["span"] = i18n.span
    t.env.filters["label"] = _label
    t.env.filters["channel_label"] = _channel_label
    t.env.tests["web_url"] = web_url
    t.env.globals["_"] = i18n.gettext
    t.env.globals["page_lang"] = i18n.current
    return t


def web_url(value: object) -> bool:
    """Whether a URL may be a link: http(s) only, so that a signal's `javascript:` or `data:`
    URL (which its sender chooses) is shown as text and never runs in the page.

    >>> [web_url(u) for u in ["https://a.fr/x", "HTTP://a", "javascript:alert(1)", " http://a"]]
    [True, True, False, False]
    """
    if not isinstance(value, str) or not value[:8].lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urlsplit(value).netloc)
    except ValueError:  # a malformed host, e.g. "http://[::1"
        return False


@pass_context
def _label(context: Any, value: object) -> str:
    """A value shown as a word (private, negative, open...), in the page's language."""
    return str(i18n.gettext(context, str(value)))


@pass_context
def _channel_label(context: Any, channel: str) -> str:
    return str(i18n.gettext(context, CHANNEL_LABELS.get(channel, channel)))
