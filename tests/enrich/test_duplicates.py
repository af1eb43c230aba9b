from __future__ import annotations

import numpy as np

from pouls.enrich.duplicates import DuplicateEnricher, DuplicateIndex, _bands, signatures
from tests.conftest import make_signal
from tests.enrich.conftest import random_texts

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


def _variants(n: int) -> list[str]:
    subjects = ["la marque X", "le magasin Y", "la ville Z", "le club W"]
    return [
        f"Boycott de {subjects[i % 4]} ! Partagez ce message avant ce soir, copie {i % 7}"
        for i in range(n)
    ]


def test_a_batch_gets_the_clusters_one_signal_at_a_time_would_get():
    texts = _variants(60)
    sigs, _ = signatures(texts)
    keys = [f"k{i}" for i in range(len(texts))]
    spaces = ["a" if i % 5 else "b" for i in range(len(texts))]
    for capacity, size in ((1000, 25), (30, 25), (10, 7)):
        batched, alone = DuplicateIndex(capacity), DuplicateIndex(capacity)
        got = []
        for i in range(0, len(texts), size):
            got += batched.assign_many(keys[i : i + size], spaces[i : i + size], sigs[i : i + size])
        # The reference: the plain loop, one signal after the other (`_assign_in_order`).
        want = alone._assign_in_order(keys, spaces, sigs, _bands(spaces, sigs))
        assert got == want, capacity
        assert len(set(got)) < len(got)  # some copies met
        assert len(batched) == len(alone)


def test_batch_canonical_texts_equal_the_plain_regexes_text_by_text():

    from pouls.enrich.duplicates import _canonical, canonical

    pieces = [
        "RT @someone: ",
        "rt ",
        "Bonjour",
        "l'été",
        " ",
        "  ",
        "\n",
        "!!",
        "—",
        "#Promo",
        "@marque",
        "é",
        "😀",
        "x",
        "-",
        "_",
        "ǅ",
        "٣",
        "\u0301",
        "http://t.co/x",
        "\t",
        "a",
    ]
    texts = random_texts(pieces, 2000, longest=10, seed=11)
    assert canonical(texts) == [_canonical(t) for t in texts]
    assert canonical([]) == [] and canonical([""]) == [""]
    with_nul = ["a\x00b  c", "ok ok"]
    assert canonical(with_nul) == [_canonical(t) for t in with_nul]


def test_a_text_gets_the_same_signature_wherever_it_stands_in_a_batch():
    from pouls.enrich.duplicates import canonical

    texts = [*CAMPAIGN, OTHER, "court", "Un tout autre sujet : la météo de demain sera pluvieuse"]
    alone = [signatures([t])[0][0] for t in texts]
    together, ok = signatures(texts)
    reversed_, _ = signatures(texts[::-1])
    for i in range(len(texts)):
        assert (together[i] == alone[i]).all()
        assert (reversed_[len(texts) - 1 - i] == alone[i]).all()
    assert ok.tolist() == [len(c) >= 25 for c in canonical(texts)]
    with_nul = signatures(["a\x00" + texts[0], texts[1]])[0]
    assert (with_nul[1] == alone[1]).all()


def _minhash_one(text: str) -> np.ndarray | None:
    """MinHash of one canonical text's character 5-grams, written plainly (the reference)."""
    from pouls.enrich.duplicates import _A, _B, MIN_CHARS, SHINGLE, _canonical

    canon = _canonical(text)
    if len(canon) < MIN_CHARS:
        return None
    mask = (1 << 64) - 1
    shingles = set()
    for i in range(len(canon) - SHINGLE + 1):
        h = 0
        for c in canon[i : i + SHINGLE]:
            h = (h * 1_000_003 + ord(c)) & mask
        shingles.add((h >> 32) ^ (h & 0xFFFFFFFF))
    return np.array(
        [
            min(((int(a) * x + int(b)) & mask) >> 32 for x in shingles)
            for a, b in zip(_A, _B, strict=True)
        ],
        dtype=np.uint32,
    )


def test_signatures_are_the_plain_minhash_of_each_canonical_text():
    texts = [*CAMPAIGN, OTHER, "court", "RT @user: " + CAMPAIGN[0], *_variants(5), ""]
    sigs, ok = signatures(texts)
    for text, sig, fine in zip(texts, sigs, ok, strict=True):
        expected = _minhash_one(text)
        assert fine == (expected is not None)
        if expected is not None:
            assert (sig == expected).all(), text
