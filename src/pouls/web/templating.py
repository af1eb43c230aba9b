"""The Jinja2 environment of the pages, with the few filters they need."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_time
from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemLoader, pass_context

from pouls.locale import N_, formats, translate
from pouls.locale.jinja import environment
from pouls.query.period import PeriodError, zone
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
    env.filters["stamp"] = _stamp
    env.filters["day"] = _day
    env.filters["clock"] = _clock
    env.filters["tzname"] = _tzname
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


def page_zone(context: Any) -> tzinfo:
    """The clock a page shows times on: its `zone` when given, else its workspace's time zone
    (`settings.workspace(ws).timezone`), else UTC."""
    given = context.get("zone")
    if isinstance(given, tzinfo):
        return given
    request, sel = context.get("request"), context.get("sel")
    workspace = getattr(sel, "workspace", None)
    if request is None or workspace is None:
        return UTC
    declared = request.app.state.settings.workspace(workspace)
    try:
        return zone(declared.timezone if declared else None)
    except PeriodError:  # a zone pouls.toml misspells: its check names it; pages stay on UTC
        return UTC


@pass_context
def _stamp(context: Any, when: datetime | None, named: bool = True) -> str:
    """`7 déc. 2026, 19:30 CET`: a date and time on the workspace's clock, in the page's language."""
    if when is None:
        return "–"
    return formats.stamp(i18n.lang_of(context), when, page_zone(context), named=named)


@pass_context
def _clock(context: Any, when: datetime) -> str:
    """`19:30` / `7:30 PM`: the time of day alone on the workspace's clock."""
    local = when.astimezone(page_zone(context))
    return format_time(local, "short", tzinfo=local.tzinfo, locale=i18n.lang_of(context))


@pass_context
def _tzname(context: Any, when: datetime | None = None) -> str:
    """The workspace zone's abbreviation at `when` (now when none): `CET`, `CEST`, `UTC`."""
    at = when or datetime.now(UTC)
    return at.astimezone(page_zone(context)).tzname() or "UTC"


@pass_context
def _day(context: Any, when: date | datetime) -> str:
    """`7 déc. 2026`; a moment is first put on the workspace's clock."""
    if isinstance(when, datetime):
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(page_zone(context))
        return formats.day(i18n.lang_of(context), when.date())
    return formats.day(i18n.lang_of(context), when)


@pass_context
def _role(context: Any, role: object) -> str:
    return role_label(i18n.lang_of(context), str(role))


@pass_context
def _channel_label(context: Any, channel: str) -> str:
    return translate(i18n.lang_of(context), CHANNEL_LABELS.get(channel, channel))
