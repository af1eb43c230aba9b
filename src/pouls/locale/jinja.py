"""Jinja2 that speaks the template's language: gettext/ngettext of Jinja2's i18n extension and
Babel's numbers and dates as filters. Pages (pouls.web) and notices (pouls.watch) share it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import BaseLoader, Environment, pass_context
from markupsafe import escape

from pouls.locale import DEFAULT, LANGS, formats, translator

LangOf = Callable[[Any], str]


def context_lang(context: Any) -> str:
    """The language a template was given as `lang` (French when none)."""
    lang = context.get("lang")
    return str(lang) if lang in LANGS else DEFAULT


def environment(
    loader: BaseLoader, *, autoescape: bool = True, lang_of: LangOf = context_lang
) -> Environment:
    """An environment with `_()`, `ngettext()`, `pgettext()` (newstyle: `_("%(n)s signals", n=3)`) and the
    filters `number`, `percent`, `span`, `ago`, `long_date`, each in `lang_of(context)`."""
    env = Environment(loader=loader, autoescape=autoescape, extensions=["jinja2.ext.i18n"])

    def safe(context: Any, text: str) -> str:
        # Jinja2 marks a translation safe (Markup) before filling it in, as if catalogues held
        # HTML; ours hold text, so it is escaped first and a quote cannot end an attribute.
        return escape(text) if context.eval_ctx.autoescape else text

    @pass_context
    def gettext(context: Any, message: str) -> str:
        return safe(context, translator(lang_of(context)).gettext(message))

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int) -> str:
        return safe(context, translator(lang_of(context)).ngettext(singular, plural, n))

    @pass_context
    def pgettext(context: Any, where: str, message: str) -> str:
        # The same English word may need two French ones: `pgettext("button", "Change")`.
        return safe(context, translator(lang_of(context)).pgettext(where, message))

    @pass_context
    def number(context: Any, value: float, digits: int = 1) -> str:
        return formats.number(lang_of(context), value, digits)

    @pass_context
    def percent(context: Any, share: float | None, signed: bool = False) -> str:
        return formats.percent(lang_of(context), share, signed)

    @pass_context
    def span(context: Any, text: str, long: bool = False) -> str:
        return formats.span(lang_of(context), text, long)

    @pass_context
    def ago(context: Any, when: datetime, now: datetime | None = None) -> str:
        return formats.ago(lang_of(context), when, now)

    @pass_context
    def long_date(context: Any, when: datetime) -> str:
        return formats.long_date(lang_of(context), when)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext
    )
    env.filters.update(number=number, percent=percent, span=span, ago=ago, long_date=long_date)
    return env
