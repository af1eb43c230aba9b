"""The enrich stage as the pipeline runs it: every enricher on one mixed batch."""

from __future__ import annotations

import pytest

from pouls.enrich import ENRICHERS, Enricher, build_enrichers, enrich
from tests.conftest import make_signal

BATCH = [
    make_signal(1, "Je suis ravie de mon nouveau vélo Décathlon, merci à l'équipe de Lille !"),
    make_signal(2, "The delivery was late again and support never answered. Awful."),
    make_signal(3, "Gagnez 1000€ en BTC !!! écrivez-moi sur WhatsApp +33 6 12 34 56 78"),
    make_signal(4, "", title="Communiqué : ouverture d'un nouveau magasin à Bordeaux"),
    make_signal(5, ""),
]


def test_build_enrichers_orders_them_language_first_and_rejects_unknown_names():
    names = [e.name for e in build_enrichers(["duplicates", "sentiment", "language"])]
    assert names == ["language", "sentiment", "duplicates"]
    assert [e.name for e in build_enrichers()] == list(ENRICHERS)
    with pytest.raises(ValueError, match="unknown enrichers"):
        build_enrichers(["sentiment", "horoscope"])


def test_every_enricher_satisfies_the_protocol_and_keeps_the_batch_shape():
    for enricher in build_enrichers(spacy=False):
        checked: Enricher = enricher
        out = checked.enrich(list(BATCH))
        assert [s.id for s in out] == [s.id for s in BATCH]
        assert checked.enrich([]) == []


def test_the_whole_stage_fills_every_enrichment():
    stage = build_enrichers(gazetteers={"acme": {"brand": ["Décathlon"]}})
    out = enrich(list(BATCH), stage)
    velo, late, scam, title, empty = out
    assert velo.lang == "fr" and late.lang == "en"
    assert velo.sentiment is not None and velo.sentiment.label == "positive"
    assert late.sentiment is not None and late.sentiment.label == "negative"
    assert ("brand", "decathlon") in {(e.type, e.norm) for e in velo.entities}
    assert scam.scam is not None and scam.scam > 0.5 > (velo.scam or 0)
    assert velo.toxicity is not None and set(velo.toxicity) >= {"toxic", "hate", "offensive"}
    assert title.sentiment is not None  # a signal with only a title is read from its title
    assert empty.sentiment is None and empty.toxicity is None and empty.dup_cluster is None
    assert velo.dup_cluster == velo.id
