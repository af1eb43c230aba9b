"""Every message of the code and the templates has its French, kept true to its English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message
from scripts import translations

from pouls.locale import translate, translate_plural, translator

HOLE = re.compile(r"%\((\w+)\)")


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return translations.extract()


@pytest.fixture(scope="module")
def french() -> Catalog:
    return translations.read("fr")


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _where(m: Message) -> str:
    return ", ".join(sorted({f for f, _ in m.locations}))


def test_extraction_finds_pages_code_query_errors_and_alert_words(extracted: Catalog) -> None:
    """Guards the tests below against passing on an empty extraction."""
    files = {f for m in _messages(extracted) for f, _ in m.locations}
    assert any(f.endswith("templates/wall.html") for f in files)
    assert any(f.endswith("query/lexer.py") for f in files)
    assert any(f.endswith("query/parser.py") for f in files)
    assert any(f.endswith("query/period.py") for f in files)
    assert "The query is empty: type at least one word." in extracted
    assert "no such signal in this workspace" in extracted  # an HTTPException's detail
    assert len(extracted) > 300


def test_every_message_has_its_french(extracted: Catalog, french: Catalog) -> None:
    missing = []
    for m in _messages(extracted):
        entry = french.get(m.id, context=m.context)
        strings = entry.string if entry and entry.pluralizable else [entry and entry.string]
        if entry is None or entry.fuzzy or not all(strings):
            state = "missing" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            missing.append(f"{state}: {m.id!r} ({_where(m)})")
    assert missing == [], "run `make translations`, then translate:\n" + "\n".join(missing)


def test_every_message_has_its_english(extracted: Catalog) -> None:
    """English is the msgid itself: never blank, and a plural has both of its forms."""
    bad = [
        m.id
        for m in _messages(extracted)
        if not all(s.strip() for s in (m.id if isinstance(m.id, tuple) else (m.id,)))
    ]
    assert bad == []


def test_the_french_keeps_the_holes_of_the_english(french: Catalog) -> None:
    """A `%(name)s` lost or misspelt in French would fail (KeyError) or show nothing."""
    wrong = []
    for m in _messages(french):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        english = set().union(*(HOLE.findall(i) for i in ids))
        for s in strings:
            found = set(HOLE.findall(s or ""))
            # a plural form may leave its number out ("un signal"), never add an unknown hole
            if (found - english) or (not m.pluralizable and s and found != english):
                wrong.append(f"{m.id!r} -> {s!r}")
    assert wrong == []


def test_the_catalogue_holds_no_fuzzy_or_obsolete_entry(french: Catalog) -> None:
    assert [m.id for m in _messages(french) if m.fuzzy] == []
    assert list(french.obsolete) == []


def test_french_plurals_follow_french_rules() -> None:
    """French counts 0 and 1 in the singular: `0 signal`, `1 signal`, `2 signaux`."""
    forms = [translate_plural("fr", "%(num)s signal", "%(num)s signals", n) for n in (0, 1, 2)]
    assert forms == ["0 signal", "1 signal", "2 signaux"]
    english = [translate_plural("en", "%(num)s signal", "%(num)s signals", n) for n in (0, 1, 2)]
    assert english == ["0 signals", "1 signal", "2 signals"]


def test_query_errors_read_in_french_with_their_values() -> None:
    from pouls.query import QueryError, parse

    with pytest.raises(QueryError) as caught:
        parse("lang:(fr AND en)")
    error = caught.value
    assert error.message.startswith("The values of a lang:( ) group are separated by OR")
    french = translate("fr", error.template, **error.values)
    assert "lang:(fr OR en)" in french and french != error.message


def test_an_unknown_language_gets_the_english() -> None:
    assert translator("de").gettext("Search") == "Search"
    assert translate("fr", "Search") == "Rechercher"


def test_a_terminal_speaks_the_language_its_locale_names() -> None:
    from pouls.locale import system_language

    assert system_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert system_language({"LANGUAGE": "fr:en", "LANG": "en_US.UTF-8"}) == "fr"
    assert system_language({"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}) == "en"
    assert system_language({"LC_MESSAGES": "fr_CA.UTF-8"}) == "fr"
    assert system_language({}) == "en" and system_language({"LANG": "de_DE"}) == "en"


def test_no_message_shown_to_people_is_an_f_string() -> None:
    """`QueryError(f"...")`, `HTTPException(404, f"...")` or `translate(lang, f"...")` could
    never be translated: the message is a literal and its values go apart (`Refusal(404,
    "no workspace %(workspace)r", workspace=ws)`)."""
    assert translations.formatted_messages() == []


def test_a_fuzzy_or_empty_entry_is_never_shown() -> None:
    """Babel's guess (`#, fuzzy`) waits for a translator; an empty msgstr falls back to English."""
    from io import BytesIO

    from pouls.locale import compile_po

    po = b"""
msgid "Search"
msgstr "Rechercher"

#, fuzzy
msgid "Searches"
msgstr "Rechercher"

msgid "Topics"
msgstr ""

msgid "%(num)s signal"
msgid_plural "%(num)s signals"
msgstr[0] "%(num)s signal"
msgstr[1] "%(num)s signaux"
"""
    fr = compile_po(BytesIO(po), "fr")
    assert fr.gettext("Search") == "Rechercher"
    assert fr.gettext("Searches") == "Searches" and fr.gettext("Topics") == "Topics"
    assert fr.ngettext("%(num)s signal", "%(num)s signals", 2) == "%(num)s signaux"
    assert fr.ngettext("%(num)s signal", "%(num)s signals", 1) == "%(num)s signal"
