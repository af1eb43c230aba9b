"""French and English pages: the language of a request, and the template side of pouls.locale.

Templates write English inside `_()` and `ngettext()` (Jinja2's i18n extension, newstyle
gettext, `pouls.locale.jinja`); the French is in src/pouls/locale/fr/LC_MESSAGES/messages.po. French is the default:
pouls is for French-speaking teams first; a browser that asks for English first gets English,
and the FR/EN switch in the header keeps a choice in a cookie.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import pass_context

from pouls.locale import DEFAULT, LANGS, translate

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


@pass_context
def current(context: Any) -> str:
    return lang_of(context)
