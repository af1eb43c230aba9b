from __future__ import annotations

from pouls.enrich.duplicates import DuplicateEnricher, DuplicateIndex, signatures
from tests.conftest import make_signal

CAMPAIGN = [
    "Boycott de la marque X ! Partagez ce message à tous vos contacts avant ce soir http://a.b",
    "boycott de la marque X !! partagez ce message a tous vos contacts avant ce soir https://c.d/e",
    "RT @militant: Boycott de la marque X ! Partagez ce message à tous vos contacts avant ce soir",
]
OTHER = "La médiathèque du quartier ouvre ses portes samedi avec un atelier de lecture"


def test_copies_share_a_cluster_and_other_texts_do_not():
    batch = [make_signal(i, t) for i, t in enumerate([*CAMPAIGN, OTHER])]
    out = DuplicateEnricher().enrich(batch)
    clusters = [s.dup_cluster for s in out]
    assert clusters[0] == clusters[1] == clusters[2] == batch[0].id
    assert clusters[3] == batch[3].id


def test_clusters_carry_across_batches_but_not_across_workspaces():
    enricher = DuplicateEnricher()
    first = enricher.enrich([make_signal(1, CAMPAIGN[0])])
    later = enricher.enrich(
        [make_signal(2, CAMPAIGN[1]), make_signal(3, CAMPAIGN[1], workspace="b")]
    )
    assert later[0].dup_cluster == first[0].dup_cluster
    assert later[1].dup_cluster == later[1].id


def test_short_texts_get_no_cluster():
    out = DuplicateEnricher().enrich([make_signal(1, "ok merci"), make_signal(2, "ok merci")])
    assert [s.dup_cluster for s in out] == [None, None]


def test_index_memory_is_bounded_and_forgets_the_oldest_first():
    index = DuplicateIndex(capacity=2)
    sigs, _ = signatures(
        [CAMPAIGN[0], OTHER, "Un tout autre sujet : la météo de demain sera pluvieuse"]
    )
    assert index.assign("a", "w", sigs[0]) == "a"
    index.assign("b", "w", sigs[1])
    index.assign("c", "w", sigs[2])
    assert len(index) == 2
    assert index.assign("d", "w", sigs[0]) == "d"  # "a" was forgotten


def test_signatures_are_deterministic():
    assert (signatures(CAMPAIGN)[0] == signatures(CAMPAIGN)[0]).all()
