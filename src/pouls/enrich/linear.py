"""The linear model format of the shipped classifiers, and its fast scoring.

A model is its `Featurizer` settings, idf weights and coefficients, saved as plain arrays in
one `.npz` (no pickle: loading a model never runs code and scikit-learn is needed only to
train). For scoring, idf is folded into the coefficients and both are kept densely over the
columns the model uses, so that one sparse × dense product gives the scores and another the
tf-idf norms, without building the tf-idf matrix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from pouls.enrich.features import Featurizer, shared_counts


def l2_normalize(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit Euclidean length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(x).tocsr()


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """`l2_normalize(counts * idf)` computed on the stored values only."""
    data = counts.data * idf[counts.indices]
    lengths = np.diff(counts.indptr)
    filled = lengths > 0
    norms = np.ones(counts.shape[0], dtype=np.float32)
    if filled.any():
        norms[filled] = np.sqrt(np.add.reduceat(data * data, counts.indptr[:-1][filled]))
    norms[norms == 0] = 1.0
    data = data / np.repeat(norms, lengths)
    return sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


_remaps: dict[bytes, np.ndarray] = {}


def _remap(n_features: int, support: np.ndarray) -> np.ndarray:
    """Column → row of the dense weights (`len(support)`, a zero row, for unused columns).

    Shared by models that use the same columns (the French toxicity models, for one).
    """
    key = hashlib.blake2b(support.tobytes() + n_features.to_bytes(8, "little")).digest()
    found = _remaps.get(key)
    if found is None:
        found = np.full(n_features, len(support), dtype=np.int32)
        found[support] = np.arange(len(support), dtype=np.int32)
        _remaps[key] = found
    return found


class LinearModel:
    """A linear classifier over tf-idf `Featurizer` features.

    `link` turns scores into probabilities: "softmax" (multinomial), "sigmoid" (independent
    labels) or "ovr" (one-vs-rest sigmoids rescaled to sum to one).
    """

    def __init__(
        self,
        featurizer: Featurizer,
        idf: np.ndarray,
        coef: sparse.csr_matrix,
        intercept: np.ndarray,
        classes: Sequence[str],
        link: str = "softmax",
        meta: dict[str, object] | None = None,
    ) -> None:
        coef = sparse.csr_matrix(coef)
        self.featurizer = featurizer
        self.support = np.union1d(np.flatnonzero(idf), np.unique(coef.indices)).astype(np.int32)
        self.idf = idf[self.support].astype(np.float32)
        # The last row stays zero: it is where the columns the model does not use land.
        self.weights = np.zeros((len(self.support) + 1, len(classes)), dtype=np.float32)
        at = np.searchsorted(self.support, coef.indices)
        of_class = np.repeat(np.arange(coef.shape[0]), np.diff(coef.indptr))
        self.weights[at, of_class] = coef.data * self.idf[at]
        self.idf2 = np.append(self.idf * self.idf, np.float32(0))
        self.intercept = intercept.astype(np.float32)
        self.classes = tuple(classes)
        self.link = link
        self.meta = meta or {}
        self.digest = hashlib.blake2b(
            self.weights.tobytes() + self.support.tobytes() + self.intercept.tobytes()
        ).hexdigest()
        # Models with equal columns and idf (the French toxicity ones) share their products.
        self.columns = hashlib.blake2b(
            featurizer.to_json().encode() + self.support.tobytes() + self.idf2.tobytes()
        ).hexdigest()
        self._rows: np.ndarray | None = None

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, one column per class (`self.classes`)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.proba_from_counts(shared_counts(self.featurizer, list(texts)))

    def scores(self, counts: sparse.csr_matrix) -> np.ndarray:
        """Raw scores (before the link) from `self.featurizer.counts(texts)`."""
        x, norms = self._design(counts)
        return (x @ self.weights) / norms[:, None] + self.intercept

    def _design(self, counts: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
        """`counts` with columns moved to rows of `self.weights`, and each row's tf-idf norm."""
        if self._rows is None:
            self._rows = _remap(self.featurizer.n_features, self.support)
        rows = self._rows[counts.indices]
        shape = (counts.shape[0], len(self.weights))
        x = sparse.csr_matrix((counts.data, rows, counts.indptr), shape=shape)
        squares = sparse.csr_matrix((counts.data * counts.data, rows, counts.indptr), shape=shape)
        norms = np.sqrt(squares @ self.idf2)
        norms[norms == 0] = 1.0
        return x, norms

    def proba_from_counts(self, counts: sparse.csr_matrix) -> np.ndarray:
        """Probabilities from `self.featurizer.counts(texts)` computed once for several models."""
        return self.probabilities(self.scores(counts))

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        """Probabilities from raw scores (`scores`), through the model's link."""
        if self.link in ("sigmoid", "ovr"):
            p = 1.0 / (1.0 + np.exp(-z))
            return p / p.sum(axis=1, keepdims=True) if self.link == "ovr" else p
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def coef(self) -> sparse.csr_matrix:
        """Coefficients (classes × features), as fitted."""
        safe = np.where(self.idf > 0, self.idf, 1)
        dense = self.weights[:-1] / safe[:, None]
        rows, cols = np.nonzero(dense.T)
        return sparse.csr_matrix(
            (dense.T[rows, cols], (rows, self.support[cols])),
            shape=(len(self.classes), self.featurizer.n_features),
        )

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz of plain arrays."""
        coef = self.coef()
        used = np.unique(coef.indices)
        idf = np.zeros(self.featurizer.n_features, dtype=np.float32)
        idf[self.support] = self.idf
        np.savez_compressed(
            path,
            featurizer=np.array(self.featurizer.to_json()),
            idf_index=used.astype(np.int32),
            idf_value=idf[used].astype(np.float16),
            coef_data=coef.data.astype(np.float16),
            coef_indices=coef.indices.astype(np.int32),
            coef_indptr=coef.indptr.astype(np.int32),
            intercept=self.intercept,
            classes=np.array(self.classes),
            link=np.array(self.link),
            meta=np.array(json.dumps(self.meta)),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save` (allow_pickle stays off)."""
        with np.load(path, allow_pickle=False) as z:
            featurizer = Featurizer.from_json(str(z["featurizer"]))
            idf = np.zeros(featurizer.n_features, dtype=np.float32)
            idf[z["idf_index"]] = z["idf_value"].astype(np.float32)
            n_classes = len(z["classes"])
            coef = sparse.csr_matrix(
                (z["coef_data"].astype(np.float32), z["coef_indices"], z["coef_indptr"]),
                shape=(n_classes, featurizer.n_features),
            )
            return cls(
                featurizer,
                idf,
                coef,
                z["intercept"],
                [str(c) for c in z["classes"]],
                str(z["link"]),
                json.loads(str(z["meta"])),
            )


_stacks: dict[tuple[str, ...], np.ndarray] = {}


def proba_many(models: Sequence[LinearModel], counts: sparse.csr_matrix) -> list[np.ndarray]:
    """`proba_from_counts` of each model; models with equal `columns` share one product.

    Their weights side by side cost one gather of the batch's columns and one product instead
    of one each, with the same sums (each score column is added up as alone).
    """
    groups: dict[str, list[int]] = {}
    for i, model in enumerate(models):
        groups.setdefault(model.columns, []).append(i)
    out: list[np.ndarray] = [np.zeros(0)] * len(models)
    for members in groups.values():
        first = models[members[0]]
        if len(members) == 1:
            out[members[0]] = first.proba_from_counts(counts)
            continue
        key = tuple(models[i].digest for i in members)
        weights = _stacks.get(key)
        if weights is None:
            weights = _stacks[key] = np.hstack([models[i].weights for i in members])
        x, norms = first._design(counts)
        z = (x @ weights) / norms[:, None]
        at = 0
        for i in members:
            model = models[i]
            width = len(model.classes)
            out[i] = model.probabilities(z[:, at : at + width] + model.intercept)
            at += width
    return out
