from __future__ import annotations

import pytest

from pouls.enrich.entities import (
    EntityEnricher,
    Gazetteer,
    GazetteerEntry,
    extract,
    fold,
    normalize_name,
    pipeline,
)
from pouls.signals.model import Entity
from tests.conftest import make_signal
from tests.enrich.conftest import random_texts

BOOK = Gazetteer(
    [
        GazetteerEntry("Décathlon", "brand", ("decat",)),
        GazetteerEntry("Crédit Mutuel", "competitor"),
        GazetteerEntry("Île-de-France", "place"),
    ]
)


def test_fold_strips_accents_and_case_without_moving_offsets():
    text = "Île-de-France, Crédit Mutuel, ÇA VA"
    assert fold(text) == "ile-de-france, credit mutuel, ca va"
    assert len(fold(text)) == len(text)


def test_gazetteer_finds_names_whatever_their_accents_and_case():
    found = BOOK.find("J'adore DECATHLON et le credit mutuel en ile-de-france, pas decathlonien")
    assert [(e.text, e.type, e.norm) for _, _, e in found] == [
        ("DECATHLON", "brand", "decathlon"),
        ("credit mutuel", "competitor", "credit mutuel"),
        ("ile-de-france", "place", "ile-de-france"),
    ]


def test_gazetteer_aliases_group_under_the_main_name():
    [(_, _, entity)] = BOOK.find("soldes chez decat ce week-end")
    assert entity == Entity(type="brand", text="decat", norm="decathlon")


def test_gazetteer_from_workspace_setting():
    book = Gazetteer.from_types({"brand": ["Pouls"], "place": ["Lyon"]})
    assert [e.type for _, _, e in book.find("pouls à Lyon")] == ["brand", "place"]


def test_normalize_name_groups_spellings():
    assert normalize_name("La  Société Générale") == normalize_name("société générale")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Emmanuel Macron a rencontré les salariés de Renault à Lyon.",
            "fr",
            {("person", "emmanuel macron"), ("org", "renault"), ("place", "lyon")},
        ),
        (
            "Tim Cook visited the Microsoft office in London yesterday.",
            "en",
            {("person", "tim cook"), ("org", "microsoft"), ("place", "london")},
        ),
    ],
)
def test_spacy_finds_people_organisations_and_places(text: str, lang: str, expected: set):
    [entities] = extract([text], [lang])
    assert expected <= {(e.type, e.norm) for e in entities}


def test_gazetteer_wins_over_spacy_on_the_same_span():
    [entities] = extract(["Super accueil chez Décathlon à Lyon"], ["fr"], BOOK)
    assert Entity(type="brand", text="Décathlon", norm="decathlon") in entities
    assert sum(e.text == "Décathlon" for e in entities) == 1


def test_spacy_pipelines_keep_only_ner():
    assert pipeline("fr").pipe_names == ["ner"]
    assert pipeline("en").pipe_names == ["ner"]
    assert pipeline("ar") is None


def test_entity_enricher_uses_each_workspace_gazetteer_and_can_skip_spacy():
    enricher = EntityEnricher({"acme": BOOK}, use_spacy=False)
    out = enricher.enrich(
        [
            make_signal(1, "Vive Décathlon et Emmanuel Macron", workspace="acme", lang="fr"),
            make_signal(2, "Vive Décathlon", workspace="other", lang="fr"),
        ]
    )
    assert [e.norm for e in out[0].entities] == ["decathlon"]
    assert out[1].entities == ()


def test_a_preposition_spacy_keeps_before_a_place_is_not_part_of_it() -> None:
    from pouls.enrich.entities import EntityEnricher

    [signal] = EntityEnricher({}, use_spacy=True).enrich(
        [
            make_signal(
                1, "Toujours pas remboursé après l'intoxication de Lille.", workspace="w", lang="fr"
            )
        ]
    )
    places = [(e.text, e.norm) for e in signal.entities if e.type == "place"]
    assert ("Lille", "lille") in places and not any(t.lower().startswith("de ") for t, _ in places)


def test_ner_is_skipped_only_where_no_capitalised_word_is_left_unexplained():
    from pouls.enrich.entities import may_name

    assert not may_name("tout le monde en parle ce matin")
    assert not may_name("Le magasin ouvre demain")  # a capitalised stop word first
    assert may_name("Renault ferme son usine")
    assert may_name("on a vu Emmanuel Macron hier")
    text = "soldes chez Décathlon ce week-end"
    assert not may_name(text, BOOK.find(text))


def _token_by_token(book: list[GazetteerEntry], text: str) -> list[tuple[int, int, str]]:
    """The matching the regex replaced: tokens of the folded text, longest spelling first."""
    from pouls.enrich.entities import _TOKEN

    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for entry in book:
        for spelling in (entry.name, *entry.aliases):
            tokens = tuple(_TOKEN.findall(fold(spelling)))
            index.setdefault(tokens[0], []).append((tokens, entry.name))
    for candidates in index.values():
        candidates.sort(key=lambda c: -len(c[0]))
    spans = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(fold(text))]
    words = [s[2] for s in spans]
    found, i = [], 0
    while i < len(words):
        for candidate, name in index.get(words[i], ()):
            if tuple(words[i : i + len(candidate)]) == candidate:
                found.append((spans[i][0], spans[i + len(candidate) - 1][1], name))
                i += len(candidate)
                break
        else:
            i += 1
    return found


def test_gazetteer_batch_matching_equals_token_by_token_matching():

    from pouls.enrich.entities import _TOKEN

    entries = [
        GazetteerEntry("Décathlon", "brand", ("decat",)),
        GazetteerEntry("Crédit Mutuel", "competitor"),
        GazetteerEntry("Crédit", "brand"),
        GazetteerEntry("Île-de-France", "place"),
        GazetteerEntry("TGV inOui", "product"),
        GazetteerEntry("AT&T", "brand"),
        GazetteerEntry("l'Oréal", "brand"),
        GazetteerEntry("Carrefour", "brand", ("carrefour market", "crf")),
        GazetteerEntry("Tesla", "brand"),
    ]
    book = Gazetteer(entries)
    pieces = [
        "décathlon",
        "DECAT",
        "crédit",
        "mutuel",
        "ile-de-france",
        "tgv",
        "inoui",
        "at&t",
        "l'oréal",
        "l’Oréal",
        "carrefour",
        "market",
        "CRF",
        "tesla",
        "x",
        "-",
        ".",
        "&",
        "'",
        " ",
        "  ",
        "\n",
        "é",
        "😀",
        "\x00",
    ]
    texts = random_texts(pieces, 3000, longest=12, seed=5)
    for batch in (texts, [t.replace("\x00", " ") for t in texts]):
        for text, found in zip(batch, book.find_many(batch), strict=True):
            expected = _token_by_token(entries, text)
            assert [(a, b) for a, b, _ in found] == [(a, b) for a, b, _ in expected], text
            norms = [" ".join(_TOKEN.findall(fold(name))) for _, _, name in expected]
            assert [e.norm for _, _, e in found] == norms
            assert all(e.text == text[a:b] for a, b, e in found)
