"""Entities that are entities (issue 13): what spaCy calls a name is kept only where it reads as
one, measured on the brand set's labelled names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pouls.enrich.entities import begins_sentence, extract, normalize_name, pipeline, plausible

BRAND = Path(__file__).parents[2] / "datasets" / "brand"


def span(text: str, name: str) -> tuple[str, int, int]:
    start = text.index(name)
    return text, start, start + len(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Merci pour votre retour rapide", "Merci"),
        ("@maisonlumiere Merci beaucoup !", "Merci"),
        ("Super équipe. Queue interminable ce matin", "Queue"),
        ("Fuyez ! Service client inexistant", "Fuyez"),
        ("🎁 Gagnez un an de croissants", "Gagnez"),
        ("Message SUPPRIMÉ par la modération", "SUPPRIMÉ"),
        ("Le PAIN était rassis", "PAIN"),
        ("Envoyez-nous un MP avec votre numéro", "MP"),
        ("Ouvert de 7:30am-1pm le dimanche", "7:30am-1pm"),
        ("On a testé le kouign-amann hier", "kouign-amann"),
    ],
)
def test_words_that_are_not_names_are_refused(text: str, name: str) -> None:
    assert not plausible(*span(text, name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Trois heures de retard avec la SNCF ce matin", "SNCF"),
        ("Pas déçu du tout par Chez Paulette, on reviendra", "Chez Paulette"),
        ("Le flan de chez Maison Lumière, une tuerie", "Maison Lumière"),
        ("Weekend à Lyon avec les enfants", "Lyon"),
        ("Maison Lumière a encore raté ma commande", "Maison Lumière"),
        ("Thanks to Sarah at the Leeds branch", "Sarah"),
    ],
)
def test_names_are_kept(text: str, name: str) -> None:
    assert plausible(*span(text, name))


def test_a_sentence_begins_at_the_start_after_punctuation_and_after_leading_mentions() -> None:
    text = "@shop #promo Bonjour. Vraiment top! Merci"
    assert begins_sentence(text, text.index("Bonjour"))
    assert begins_sentence(text, text.index("Vraiment"))
    assert begins_sentence(text, text.index("Merci"))
    assert not begins_sentence("Je remercie Julie", len("Je remercie "))


def _measure(lang: str) -> tuple[float, float]:
    lines = (BRAND / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    found = extract([r["text"] for r in rows], [lang] * len(rows))
    predicted = correct = labelled = recalled = 0
    for row, entities in zip(rows, found, strict=True):
        gold = {normalize_name(n) for n in row["entities"]}
        norms = {e.norm for e in entities}
        predicted += len(entities)
        correct += sum(any(e.norm in g or g in e.norm for g in gold) for e in entities)
        labelled += len(gold)
        recalled += sum(any(g in n or n in g for n in norms) for g in gold)
    return correct / predicted, recalled / labelled


@pytest.mark.skipif(not (BRAND / "fr.jsonl").exists(), reason="the brand set is not here")
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_entity_precision_on_the_brand_set(lang: str) -> None:
    if pipeline(lang) is None:
        pytest.skip(f"no spaCy pipeline for {lang}")
    # Measured 0.96 (fr) and 0.96 (en), recall 0.69; before the filter 0.60 and 0.76
    # (docs/models/entities.md). The floor leaves room for a retrained pipeline, not for chips
    # such as Merci or PAIN coming back.
    precision, recall = _measure(lang)
    assert precision >= 0.9
    assert recall >= 0.6
