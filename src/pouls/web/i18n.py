"""French and English pages: the language of a request, and the template side of pouls.locale.

Templates write English inside `_()` and `ngettext()` (Jinja2's i18n extension, newstyle
gettext); the French is in src/pouls/locale/fr/LC_MESSAGES/messages.po. French is the default:
pouls is for French-speaking teams first; a browser that asks for English first gets English,
and the FR/EN switch in the header keeps a choice in a cookie.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from jinja2 import pass_context
from markupsafe import escape

from pouls.locale import DEFAULT, LANGS, formats, translate, translator

__all__ = ["COOKIE", "LANGS", "language", "translate"]

COOKIE = "pouls_lang"


def language(request: Request | None) -> str:
    """The page language: the switch's cookie, else the browser's first fr/en, else French."""
    if request is None:
        return DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return str(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGS:
            return code
    return DEFAULT


def lang_of(context: Any) -> str:
    """The language a template renders in: its `lang` when given, else its request's."""
    lang = context.get("lang")
    if lang in LANGS:
        return str(lang)
    return language(context.get("request"))


def _safe(context: Any, text: str) -> str:
    # Jinja2 marks a translation safe (Markup) before filling it in, as if catalogues held
    # HTML; ours hold text, so it is escaped first and a quote cannot end an attribute.
    return escape(text) if context.eval_ctx.autoescape else text


@pass_context
def gettext(context: Any, message: str) -> str:
    """The i18n extension's `gettext`: `message` in the template's language."""
    return _safe(context, translator(lang_of(context)).gettext(message))


@pass_context
def ngettext(context: Any, singular: str, plural: str, n: int) -> str:
    """The i18n extension's `ngettext`: the form `n` takes in the template's language."""
    return _safe(context, translator(lang_of(context)).ngettext(singular, plural, n))


@pass_context
def current(context: Any) -> str:
    return lang_of(context)


@pass_context
def ago(context: Any, when: datetime, now: datetime | None = None) -> str:
    """Short relative time, as walls show it (`pouls.locale.formats.ago`)."""
    return formats.ago(lang_of(context), when, now)


@pass_context
def number(context: Any, value: int | float) -> str:
    """1,234 in English, 1 234 in French (a narrow no-break space, as French typography wants)."""
    return formats.number(lang_of(context), value)


@pass_context
def percent(context: Any, share: float | None, signed: bool = False) -> str:
    """A share as `12 %` (French) or `12%` (English)."""
    return formats.percent(lang_of(context), share, signed)


@pass_context
def span(context: Any, text: str, long: bool = False) -> str:
    """`30d` as `30 j` (`30 jours` when `long`) or `30 days`; anything else as it is."""
    return formats.span(lang_of(context), text, long)


@pass_context
def long_date(context: Any, when: datetime) -> str:
    """`Monday 21 September 2026, 14:05 UTC` or `lundi 21 septembre 2026, 14:05 UTC`."""
    return formats.long_date(lang_of(context), when)
