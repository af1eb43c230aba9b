"""The Jinja2 environment of the pages, with the few filters they need."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemLoader, pass_context

from pouls.locale import N_, translate
from pouls.locale.jinja import environment
from pouls.web import i18n

CHANNEL_LABELS = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": N_("Press / RSS"),
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
    "reviews": N_("Reviews"),
}

# The values pages show as words (`label` filter), marked here so that extraction puts them in
# the catalogues: they reach the filter as data, never as literals.
LABELS = frozenset(
    (
        *(N_("public"), N_("private"), N_("press")),  # visibility
        *(N_("post"), N_("comment"), N_("reply"), N_("message"), N_("article")),  # kind
        *(N_("review"), N_("reading"), N_("checkin")),
        *(N_("negative"), N_("neutral"), N_("positive"), N_("unknown")),  # sentiment
        *(N_("toxic"), N_("scam"), N_("hate"), N_("offensive"), N_("insult"), N_("threat")),
        *(N_("open"), N_("closed"), N_("opened"), N_("updated")),  # alert status and change
        *(N_("spike"), N_("threshold"), N_("match"), N_("toxicity"), N_("campaign")),
        *(N_("new_terms"), N_("escalation")),  # alert kinds
        *(N_("volume"), N_("reach"), N_("authors")),  # metrics
        *(N_("rule removed"), N_("replaced by a newer alert")),  # why an alert closed
        *(N_("likes"), N_("shares"), N_("replies"), N_("followers")),  # a signal's metrics
    )
)

# A workspace role as people read it (`role` filter, the 403 of a role that may not act): the
# stored names are identifiers (`community_manager`), not words.
ROLE_LABELS = {
    "admin": N_("admin"),
    "analyst": N_("analyst"),
    "community_manager": N_("community manager"),
    "moderator": N_("moderator"),
    "viewer": N_("viewer"),
}


def role_label(lang: str, role: str) -> str:
    """`community_manager` as `gestionnaire de communauté` or `community manager`."""
    return translate(lang, ROLE_LABELS.get(role, role))


def templates() -> Jinja2Templates:
    """Templates shipped in the package."""
    folder = resources.files("pouls.web").joinpath("templates")
    env = environment(FileSystemLoader(str(folder)), lang_of=i18n.lang_of)
    env.filters["label"] = _label
    env.filters["channel_label"] = _channel_label
    env.filters["role"] = _role
    env.tests["web_url"] = web_url
    env.globals["page_lang"] = i18n.current
    return Jinja2Templates(env=env)


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
    return translate(i18n.lang_of(context), str(value))


@pass_context
def _role(context: Any, role: object) -> str:
    return role_label(i18n.lang_of(context), str(role))


@pass_context
def _channel_label(context: Any, channel: str) -> str:
    return translate(i18n.lang_of(context), CHANNEL_LABELS.get(channel, channel))
