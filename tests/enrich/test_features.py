from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse
from scripts.models.train import fit

from pouls.enrich.features import Featurizer, normalize, words
from pouls.enrich.linear import l2_normalize, tfidf


def test_normalize_folds_urls_mentions_escapes_and_long_repeats():
    assert normalize("Trooooop BIEN @Marie https://x.co/a \\u2019") == "trooop bien @user  http  ’"


def test_words_mark_what_a_negator_governs_until_the_clause_ends():
    assert words("pas bon, mais beau", negation=True) == [
        "pas",
        "bon_neg",
        "bon",
        ",",
        "mais",
        "beau",
    ]


def test_featurizer_is_deterministic_across_calls_and_batches():
    f = Featurizer()
    one = f.counts(["Bonjour à tous 👋", "Hello world"])
    two = f.counts(["Hello world"])
    assert (one[1] != two[0]).nnz == 0
    assert one.shape == (2, f.n_features)


def test_linear_model_round_trips_through_npz(tmp_path: Path):
    texts = ["super génial", "nul horrible", "top merci", "pire service", "bravo", "honteux"]
    labels = ["positive", "negative"] * 3
    model = fit(Featurizer(n_features=2**12), texts, labels, 1.0)
    model.save(tmp_path / "m.npz")
    again = type(model).load(tmp_path / "m.npz")
    assert again.classes == model.classes
    assert np.allclose(again.predict_proba(texts), model.predict_proba(texts), atol=1e-2)


def test_tfidf_matches_the_plain_sparse_computation_with_empty_rows():
    filled = Featurizer(n_features=2**10).counts(["bonjour à tous", "hello"])
    empty = sparse.csr_matrix((1, 2**10), dtype=np.float32)
    counts = sparse.vstack([empty, filled[0], empty, filled[1], empty]).tocsr()
    idf = np.linspace(0.5, 3, 2**10).astype(np.float32)
    fast = tfidf(counts, idf).toarray()
    assert np.allclose(fast, l2_normalize(counts.multiply(idf).tocsr()).toarray(), atol=1e-6)
    assert not fast[[0, 2, 4]].any()


TRICKY = [
    "Trooooop BIEN @Marie https://x.co/a \\u2019",
    "HTTP://X.COM/a hTTp www.A.b whttp http",
    "!!!!\n\n\n\nzzzzzz pas bon, mais beau",
    "İSTANBUL çok güzel",
    "",
    "a\x00b contient un NUL",
    "I don't like it. Not at all!",
]


def test_a_batch_is_normalised_as_each_text_alone():
    from pouls.enrich.features import _Texts

    assert _Texts(TRICKY).normed() == [normalize(t) for t in TRICKY]
    assert _Texts(TRICKY[:5]).normed() == [normalize(t) for t in TRICKY[:5]]


def test_a_text_gets_the_same_features_in_any_batch():
    f = Featurizer(lexicon=True, markers=True)
    together = f.counts(TRICKY)
    for i, text in enumerate(TRICKY):
        assert (together[i] != f.counts([text])[0]).nnz == 0, text


def test_counts_are_the_same_with_32_and_64_bit_sort_keys():
    # 3 texts × 2^30 columns fit 32-bit keys, 5 texts do not.
    f = Featurizer(n_features=2**30)
    wide = f.counts(TRICKY[:5])
    narrow = f.counts(TRICKY[:3])
    assert wide.has_canonical_format and narrow.has_canonical_format
    assert (wide[:3] != narrow).nnz == 0


def test_the_shipped_models_score_in_one_product_as_alone():
    from pouls.enrich import language, sentiment, toxicity
    from pouls.enrich.features import shared_counts
    from pouls.enrich.linear import proba_of_rows

    models = [toxicity._model(a, "fr") for a in toxicity.MODEL_ATTRIBUTES["fr"]]
    multi = sentiment._model(None)
    assert multi is not None
    models += [toxicity._model("hate", "en"), multi, language._fast()]
    counts = shared_counts(models[0].featurizer, TRICKY)
    for model in models:
        assert np.array_equal(proba_of_rows(model, counts), model.proba_from_counts(counts))
        assert np.array_equal(
            proba_of_rows(model, counts, [0, 3]), model.proba_from_counts(counts[[0, 3]])
        )


def test_models_scored_side_by_side_give_exactly_their_own_probabilities():
    from pouls.enrich.features import shared_counts
    from pouls.enrich.linear import proba_of_rows

    f = Featurizer(n_features=2**12)
    texts = ["super génial", "nul horrible", "top merci", "pire service", "bravo", "honteux"]
    first = fit(f, texts, ["positive", "negative"] * 3, 1.0)
    second = fit(f, [*texts[:4], "bof", "moyen"], ["a", "b", "c", "a", "b", "c"], 10.0)
    batch = [*TRICKY, *texts]
    counts = shared_counts(f, batch)
    rows = [1, 3, 4, 8]
    # Each asked about its rows in turn, as the enrichers do, and the second joining late.
    assert np.array_equal(proba_of_rows(first, counts), first.proba_from_counts(counts))
    assert np.array_equal(
        proba_of_rows(second, counts, rows), second.proba_from_counts(counts[rows])
    )
    assert np.array_equal(proba_of_rows(first, counts, rows), first.proba_from_counts(counts[rows]))
    assert proba_of_rows(second, counts, []).shape == (0, 3)


def test_log1p_counts_looks_up_exactly_what_numpy_computes():
    from pouls.enrich.features import log1p_counts

    rng = np.random.default_rng(5)
    for size in (0, 1, 7, 16, 17, 63, 1000, 40_001):
        for high in (3, 256, 300):
            counts = rng.integers(1, high, size).astype(np.float32)
            for part in (counts, counts[1:], counts[3:-2]):
                assert np.array_equal(log1p_counts(part), np.log1p(part))
                assert log1p_counts(part).dtype == np.log1p(part).dtype


def test_marker_models_score_in_the_shared_product_as_alone():
    """The scam model's way: words and characters in the shared product, markers on the side;
    texts whose marker n-grams share a hashed column with their other n-grams (forced here by
    a tiny feature space) take their whole counts instead."""
    from pouls.enrich import scam
    from pouls.enrich.linear import _shared_columns, proba_with_markers

    texts = [
        "Gagnez 500€ en bitcoin, écrivez-moi sur WhatsApp +33 6 12 34 56 78",
        "DM me on Telegram now for your FREE crypto giveaway bit.ly/x1",
        "Merci pour votre aide, très bon service",
        "",
        *TRICKY,
    ]
    shipped = scam._model()
    assert np.allclose(proba_with_markers(shipped, texts), shipped.predict_proba(texts), atol=1e-6)
    for size in (2**6, 2**9, 2**16):
        f = Featurizer(n_features=size, markers=True)
        labels = ["spam", "ham"] * 3
        model = fit(f, texts[:6], labels, 1.0)
        counts = f.counts(texts)
        collided = _shared_columns(
            Featurizer(n_features=size, sublinear_tf=False).counts(texts),
            Featurizer(n_features=size, sublinear_tf=False, markers=True).counts(texts)
            - Featurizer(n_features=size, sublinear_tf=False).counts(texts),
        )
        if size == 2**6:
            assert len(collided), "a 64-column space must make markers share columns"
        assert np.allclose(
            proba_with_markers(model, texts), model.proba_from_counts(counts), atol=1e-6
        )


def test_shared_columns_names_the_rows_where_two_matrices_meet():
    from scipy import sparse

    from pouls.enrich.linear import _shared_columns

    a = sparse.csr_matrix(np.array([[1, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 1]]))
    b = sparse.csr_matrix(np.array([[0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]))
    assert _shared_columns(a, b).tolist() == [1, 3]
    assert _shared_columns(a, sparse.csr_matrix((4, 4))).tolist() == []
    assert _shared_columns(sparse.csr_matrix((4, 4)), b).tolist() == []


def test_a_model_in_the_wide_matrix_lets_go_of_its_weights_and_gets_them_back_exactly():
    from pouls.enrich import sentiment
    from pouls.enrich.linear import LinearModel, share

    multi = sentiment._model(None)
    assert multi is not None
    fresh = LinearModel.load(sentiment.MODELS_DIR / "sentiment.npz")
    weights, idf2 = fresh.weights.copy(), fresh.idf2.copy()
    share([fresh])
    assert fresh._weights is None and fresh._idf2 is None  # held once, in the wide matrix
    assert np.array_equal(fresh.weights, weights)
    assert np.array_equal(fresh.idf2, idf2)
