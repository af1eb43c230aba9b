"""Fitting and scoring shared by every shipped linear model (fixed seeds, train split only)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from pouls.enrich.features import Featurizer
from pouls.enrich.linear import LinearModel, l2_normalize, tfidf

SEED = 20260101


def fit(
    featurizer: Featurizer,
    texts: Sequence[str],
    labels: Sequence[str],
    c: float,
    balanced: bool = False,
    meta: dict[str, object] | None = None,
) -> LinearModel:
    """A multinomial logistic regression on tf-idf features of `texts`."""
    counts = featurizer.counts(texts)
    df = np.bincount(counts.indices, minlength=featurizer.n_features)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    x = l2_normalize(counts.multiply(idf).tocsr())
    # Fit on the columns seen in training only: the others would keep a zero weight anyway.
    used = np.flatnonzero(df)
    clf = LogisticRegression(
        C=c,
        solver="saga",
        max_iter=1000,
        tol=1e-4,
        random_state=SEED,
        class_weight="balanced" if balanced else None,
    )
    with warnings.catch_warnings():
        # saga may stop at max_iter a hair before its tolerance: val scores are what we check.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x[:, used], list(labels))
    classes = [str(k) for k in clf.classes_]
    coef_small = clf.coef_
    intercept = clf.intercept_
    if len(classes) == 2:
        # scikit-learn keeps one row for two classes; ship both so softmax stays one code path.
        coef_small = np.vstack([-coef_small[0] / 2, coef_small[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    coef = sparse.csr_matrix(
        (
            coef_small.ravel(),
            (np.repeat(np.arange(len(classes)), len(used)), np.tile(used, len(classes))),
        ),
        shape=(len(classes), featurizer.n_features),
    )
    coef.eliminate_zeros()
    idf[df == 0] = 0
    return LinearModel(featurizer, idf, coef, intercept, classes, meta=meta)


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the labels present in `truth`, in [0, 1]."""
    return float(f1_score(list(truth), list(predicted), average="macro", labels=sorted(set(truth))))


def fit_nb(
    featurizer: Featurizer,
    texts: Sequence[str],
    labels: Sequence[str],
    c: float,
    alpha: float = 1.0,
    balanced: bool = False,
    meta: dict[str, object] | None = None,
) -> LinearModel:
    """One-vs-rest logistic regressions on tf-idf features scaled by naive-Bayes log-count ratios.

    NBSVM (Wang and Manning 2012): feature j of class k is scaled by
    r = log((alpha + df_k(j)) / |.| / ((alpha + df_rest(j)) / |.|)); since the scaling is fixed,
    it folds into the weights and the shipped model is a plain linear model with the "ovr" link.
    """
    counts = featurizer.counts(texts)
    df = np.bincount(counts.indices, minlength=featurizer.n_features)
    idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    used = np.flatnonzero(df)
    x = tfidf(counts, idf)[:, used]
    present = (x > 0).astype(np.float32)
    y = np.asarray(labels)
    classes = sorted(set(labels))
    rows, cols, values, intercepts = [], [], [], []
    for k, label in enumerate(classes):
        mine = y == label
        p = alpha + np.asarray(present[mine].sum(axis=0)).ravel()
        q = alpha + np.asarray(present[~mine].sum(axis=0)).ravel()
        r = np.log((p / p.sum()) / (q / q.sum()))
        clf = LogisticRegression(
            C=c,
            solver="liblinear",
            random_state=SEED,
            class_weight="balanced" if balanced else None,
        )
        clf.fit(x.multiply(r).tocsr(), mine)
        weights = clf.coef_[0] * r
        keep = np.flatnonzero(weights)
        rows.append(np.full(len(keep), k))
        cols.append(used[keep])
        values.append(weights[keep])
        intercepts.append(clf.intercept_[0])
    coef = sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(classes), featurizer.n_features),
    )
    idf[df == 0] = 0
    return LinearModel(featurizer, idf, coef, np.array(intercepts), classes, "ovr", meta)
