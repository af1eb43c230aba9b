"""Words in French and English: gettext catalogues read with Babel, one translator per language.

Code and templates write English; `locale/fr/LC_MESSAGES/messages.po` holds the French. The
`.po` is the only source: it is compiled in memory the first time a language is asked for, so
a catalogue edited by hand can never disagree with a compiled `.mo` (docs/translation.md).
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Mapping
from importlib import resources
from io import BytesIO
from typing import IO, Any

LANGS = ("fr", "en")
DEFAULT = "fr"  # pouls is for French-speaking teams first
SOURCE = "en"  # the language msgids are written in: it needs no catalogue
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


def catalogue_path(lang: str) -> Any:
    """The `.po` file of a language, inside the installed package."""
    return resources.files(__name__).joinpath(lang, "LC_MESSAGES", f"{DOMAIN}.po")


@functools.cache
def translator(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (fuzzy entries left out); English and unknown languages get
    the msgids as they are, with English plurals (one, many)."""
    if lang == SOURCE or lang not in LANGS:
        return gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as po:
        return compile_po(po, lang)


def compile_po(po: IO[bytes], lang: str) -> gettext.GNUTranslations:
    """A `.po` compiled in memory, as msgfmt would, fuzzy and empty entries left out."""
    from babel.messages.mofile import write_mo  # here: a command that says nothing skips it
    from babel.messages.pofile import read_po

    catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(lang: str, message: str, **values: Any) -> str:
    """`message` in `lang`, its `%(name)s` holes then filled from `values`."""
    text = translator(lang).gettext(message)
    return text % values if values else text


def translate_plural(lang: str, singular: str, plural: str, n: int, **values: Any) -> str:
    """The form of `singular`/`plural` that `n` takes in `lang`; `%(num)s` is `n`."""
    text = translator(lang).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def system_language(environ: Mapping[str, str] = os.environ) -> str:
    """The language of a terminal, read as gettext does (LANGUAGE, LC_ALL, LC_MESSAGES, LANG):
    French for `fr_FR.UTF-8` or `fr`, English otherwise (`C`, `en_GB`, nothing set)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            for part in value.split(":"):
                code = part[:2].lower()
                if code in LANGS:
                    return code
            return SOURCE
    return SOURCE
