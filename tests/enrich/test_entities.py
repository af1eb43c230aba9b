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
