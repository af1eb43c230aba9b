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
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from pouls.enrich import prepared
from pouls.enrich.features import Featurizer, log1p_counts, shared_counts, shared_parts


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


def columns_used(n_features: int, *indices: np.ndarray) -> np.ndarray:
    """The sorted distinct columns in `indices`, through a bitmap of the `n_features` columns.

    `np.unique` hashes or sorts millions of indices: it was most of the time spent loading the
    models (seconds per process); marking them in a bitmap is linear and takes milliseconds.
    """
    seen = np.zeros(n_features, dtype=bool)
    for found in indices:
        seen[found] = True
    return np.flatnonzero(seen).astype(np.int32)


def _positions(n_features: int, support: np.ndarray) -> np.ndarray:
    """Column → its index in the sorted `support` (`len(support)` for the columns not in it)."""
    found = np.full(n_features, len(support), dtype=np.int32)
    found[support] = np.arange(len(support), dtype=np.int32)
    return found


_remaps: dict[bytes, np.ndarray] = {}


def _remap(n_features: int, support: np.ndarray) -> np.ndarray:
    """`_positions`, kept for the models that use the same columns (the French toxicity ones).

    4 bytes per feature (4 MB) for each model that scores on its own: a binary search in its
    columns instead takes more time than the rest of the stage.
    """
    key = hashlib.blake2b(support.tobytes() + n_features.to_bytes(8, "little")).digest()
    found = _remaps.get(key)
    if found is None:
        found = _positions(n_features, support)
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
        self.support = columns_used(featurizer.n_features, np.flatnonzero(idf), coef.indices)
        self.idf = idf[self.support].astype(np.float32)
        # The last row stays zero: it is where the columns the model does not use land.
        weights = np.zeros((len(self.support) + 1, len(classes)), dtype=np.float32)
        at = _positions(featurizer.n_features, self.support)[coef.indices]
        of_class = np.repeat(np.arange(coef.shape[0]), np.diff(coef.indptr))
        weights[at, of_class] = coef.data * self.idf[at]
        idf2 = np.append(self.idf * self.idf, np.float32(0))
        self._weights: np.ndarray | None = weights
        self._idf2: np.ndarray | None = idf2
        self._lender: _SideBySide | None = None
        self.intercept = intercept.astype(np.float32)
        self.classes = tuple(classes)
        self.link = link
        self.meta = meta or {}
        self.digest = hashlib.blake2b(
            weights.tobytes() + self.support.tobytes() + self.intercept.tobytes()
        ).hexdigest()
        # Models with equal columns and idf (the French toxicity ones) share their norms.
        self.columns = hashlib.blake2b(
            featurizer.to_json().encode() + self.support.tobytes() + idf2.tobytes()
        ).hexdigest()
        self._rows: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """Dense weights over `support` (idf folded in), plus a zero last row."""
        if self._weights is None:
            self._weights, self._idf2 = self._borrowed()
        return self._weights

    @property
    def idf2(self) -> np.ndarray:
        """Squared idf over `support`, plus a zero last entry."""
        if self._idf2 is None:
            self._weights, self._idf2 = self._borrowed()
        return self._idf2

    def lend(self, side: _SideBySide) -> None:
        """Let go of the weights `side` holds a copy of; they are copied back if asked for."""
        self._lender = side
        self._weights = self._idf2 = None

    def _borrowed(self) -> tuple[np.ndarray, np.ndarray]:
        assert self._lender is not None, "weights let go without a wide matrix that holds them"
        return self._lender.copy_of(self)

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
        x, squares = self._design_parts(counts)
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        return x, norms

    def _design_parts(self, counts: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
        """`counts` with columns moved to rows of `self.weights`, and each row's squared norm."""
        if self._rows is None:
            self._rows = _remap(self.featurizer.n_features, self.support)
        rows = self._rows[counts.indices]
        shape = (counts.shape[0], len(self.weights))
        x = sparse.csr_matrix((counts.data, rows, counts.indptr), shape=shape)
        squares = sparse.csr_matrix((counts.data * counts.data, rows, counts.indptr), shape=shape)
        return x, squares @ self.idf2

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
        used = columns_used(self.featurizer.n_features, coef.indices)
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
        """Read a model written by `save` (allow_pickle stays off), from its prepared arrays
        where an earlier process left them (`pouls.enrich.prepared`)."""
        entry = prepared.location(path)
        found = prepared.read(entry) if entry is not None else None
        if found is not None:
            return cls._ready(*found)
        model = cls._inflated(path)
        if entry is not None:
            prepared.write(entry, *model._parts())
        return model

    def _parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {
            "support": self.support,
            "idf": self.idf,
            "weights": self.weights,
            "intercept": self.intercept,
        }
        facts = {
            "featurizer": self.featurizer.to_json(),
            "classes": list(self.classes),
            "link": self.link,
            "meta": self.meta,
            "digest": self.digest,
            "columns": self.columns,
        }
        return arrays, facts

    @classmethod
    def _ready(cls, arrays: dict[str, np.ndarray], facts: dict[str, Any]) -> LinearModel:
        """A model from its prepared arrays, as `__init__` would have made it."""
        model = cls.__new__(cls)
        model.featurizer = Featurizer.from_json(facts["featurizer"])
        model.support = arrays["support"]
        model.idf = arrays["idf"]
        model._weights = arrays["weights"]
        model._idf2 = np.append(model.idf * model.idf, np.float32(0))
        model._lender = None
        model.intercept = np.array(arrays["intercept"], dtype=np.float32)
        model.classes = tuple(facts["classes"])
        model.link = facts["link"]
        model.meta = facts["meta"]
        model.digest = facts["digest"]
        model.columns = facts["columns"]
        model._rows = None
        return model

    @classmethod
    def _inflated(cls, path: Path) -> LinearModel:
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


class _SideBySide:
    """The weights of every model over one featurizer that the stage scored, side by side.

    The language, sentiment and toxicity models read the same counts of a batch in turn: one
    gather of the batch's columns and one product over all their weights (a row of the wide
    matrix is one or two cache lines, where each model's own costs a miss of its own) replace
    one per model, with the same sums (each score column is added up as alone, in the same
    order). Scores are kept for the last batches, so a model asked about some rows of a batch
    takes those rows of the batch's product. The price is memory: the wide matrix holds a zero
    where a model does not use a column (about 125 MB for the French and English models of
    the enrich benchmark, beside their own 54 MB).
    """

    def __init__(self) -> None:
        self.models: dict[str, LinearModel] = {}
        self.remap = np.zeros(0, np.int32)
        self.weights = np.zeros((0, 0), np.float32)
        self.idf2 = np.zeros((0, 0), np.float32)
        self.at: dict[str, tuple[int, int]] = {}  # digest → first score column, norm column
        self.recent: list[tuple[sparse.csr_matrix, np.ndarray, np.ndarray]] = []

    def scores(
        self, model: LinearModel, counts: sparse.csr_matrix, rows: Sequence[int] | None
    ) -> np.ndarray:
        z, squares = self.parts(model, counts, rows)
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        return z / norms[:, None] + model.intercept

    def parts(
        self, model: LinearModel, counts: sparse.csr_matrix, rows: Sequence[int] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`model`'s scores of `counts` before they are divided by the tf-idf norms and the
        intercept added, and the squared norms."""
        self.add([model])
        z, squares = self._product(counts)
        start, column = self.at[model.digest]
        width = len(model.classes)
        if rows is None:
            return z[:, start : start + width], squares[:, column]
        picked = list(rows)
        return z[picked, start : start + width], squares[picked, column]

    def add(self, models: Sequence[LinearModel]) -> None:
        """Put `models` side by side with one build of the wide matrix (not one per model)."""
        new = {m.digest: m for m in models if m.digest not in self.models}
        if new:
            self.models.update(new)
            self._build()
        for m in models:
            if m is not self.models[m.digest] and m._lender is not self:
                m.lend(self)  # equal weights in another object (English toxic and offensive)

    def copy_of(self, model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
        """`model`'s own weights and squared idf, as this matrix holds them (exact copies)."""
        where = self.remap[model.support]
        start, column = self.at[model.digest]
        weights = np.zeros((len(model.support) + 1, len(model.classes)), np.float32)
        weights[:-1] = self.weights[where, start : start + len(model.classes)]
        return weights, np.append(self.idf2[where, column], np.float32(0))

    def _build(self) -> None:
        models = list(self.models.values())
        # Each model's own arrays, copied back first if it lent them to the matrix rebuilt here.
        own = {m.digest: (m.weights, m.idf2) for m in models}
        n_features = models[0].featurizer.n_features
        union = columns_used(n_features, *(m.support for m in models))
        self.remap = _positions(n_features, union)
        norm_columns: dict[str, int] = {}
        for m in models:
            norm_columns.setdefault(m.columns, len(norm_columns))
        self.weights = np.zeros((len(union) + 1, sum(len(m.classes) for m in models)), np.float32)
        self.idf2 = np.zeros((len(union) + 1, len(norm_columns)), np.float32)
        self.at = {}
        start = 0
        for m in models:
            where = self.remap[m.support]
            self.weights[where, start : start + len(m.classes)] = own[m.digest][0][:-1]
            self.idf2[where, norm_columns[m.columns]] = own[m.digest][1][:-1]
            self.at[m.digest] = (start, norm_columns[m.columns])
            start += len(m.classes)
        self.recent = []
        # The wide matrix holds every weight of these models: their own copies go (some 50 MB
        # for the shipped ones), and come back only if something scores with a model alone.
        for m in models:
            m.lend(self)

    def _product(self, counts: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        for seen, z, summed in self.recent:
            if seen is counts:
                return z, summed
        rows = self.remap[counts.indices]
        shape = (counts.shape[0], len(self.weights))
        x = sparse.csr_matrix((counts.data, rows, counts.indptr), shape=shape)
        squares = sparse.csr_matrix((counts.data * counts.data, rows, counts.indptr), shape=shape)
        z = x @ self.weights
        summed = squares @ self.idf2
        # The matrix is kept with its product: a batch's counts are one object while it is
        # being enriched, and holding it keeps its id from going to another.
        self.recent.insert(0, (counts, z, summed))
        del self.recent[2:]
        return z, summed


_side_by_side: dict[Featurizer, _SideBySide] = {}
# A model joins the wide matrix when it uses at least this share of its featurizer's columns
# (the language model, the multilingual sentiment one, the English toxicity ones). The others
# (sentiment per language, French toxicity, scam) use a fifth or less: side by side they would
# add a column of zeros for most of the 800,000 rows each (some 100 MB in all), and they score
# only the rows of their language, on their own, for about the same time.
WIDE = 0.25


def _joins(model: LinearModel) -> bool:
    return len(model.support) >= WIDE * model.featurizer.n_features


def share(models: Sequence[LinearModel]) -> None:
    """Put `models` side by side before they score anything: one build of each featurizer's
    wide matrix at start-up, instead of a rebuild each time a model is first used."""
    by_featurizer: dict[Featurizer, list[LinearModel]] = {}
    for model in filter(_joins, models):
        # A model that reads markers is scored with the others on its words and characters.
        key = replace(model.featurizer, markers=False)
        by_featurizer.setdefault(key, []).append(model)
    for featurizer, found in by_featurizer.items():
        _side_by_side.setdefault(featurizer, _SideBySide()).add(found)


def proba_of_rows(
    model: LinearModel, counts: sparse.csr_matrix, rows: Sequence[int] | None = None
) -> np.ndarray:
    """`model.proba_from_counts(counts[rows])` (all rows by default), where `counts` is a whole
    batch's `shared_counts`: computed with the other models over the same features (see
    `_SideBySide`), with the same results.
    """
    if rows is not None and len(rows) == 0:
        return np.zeros((0, len(model.classes)), dtype=np.float32)
    if not _joins(model):
        return model.proba_from_counts(counts if rows is None else counts[list(rows)])
    side = _side_by_side.setdefault(model.featurizer, _SideBySide())
    return model.probabilities(side.scores(model, counts, rows))


def proba_with_markers(model: LinearModel, texts: Sequence[str]) -> np.ndarray:
    """`model.predict_proba(texts)` for a model whose featurizer reads markers (the scam model),
    up to float rounding: its words and characters are scored in the product the other models
    share (see `_SideBySide`), and only the marker n-grams on their own.

    Exact split wherever a text's marker n-grams and its other n-grams use different columns;
    the rare texts where a hash puts both in one column (log(1 + a + b) is not log(1 + a) plus
    log(1 + b)) are scored from their whole counts.
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, len(model.classes)), dtype=np.float32)
    base, base_raw, extra_raw = shared_parts(model.featurizer, texts)
    extra = extra_raw.copy()
    if model.featurizer.sublinear_tf:
        extra.data = log1p_counts(extra.data)
    if _joins(model):
        side = _side_by_side.setdefault(replace(model.featurizer, markers=False), _SideBySide())
        z, squares = side.parts(model, base, None)
    else:
        own, squares = model._design_parts(base)
        z = own @ model.weights
    x, extra_squares = model._design_parts(extra)
    norms = np.sqrt(squares + extra_squares)
    norms[norms == 0] = 1.0
    scores = (z + x @ model.weights) / norms[:, None] + model.intercept
    shared = _shared_columns(base_raw, extra_raw)
    if len(shared):
        whole = base_raw[shared] + extra_raw[shared]
        if model.featurizer.sublinear_tf:
            whole.data = log1p_counts(whole.data)
        scores[shared] = model.scores(whole)
    return model.probabilities(scores)


def _shared_columns(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Rows in which the canonical matrices `a` and `b` both hold some column."""
    if not b.nnz:
        return np.zeros(0, np.int64)
    width = np.int64(a.shape[1])
    keys_a = np.repeat(np.arange(a.shape[0], dtype=np.int64), np.diff(a.indptr)) * width
    keys_a += a.indices
    keys_b = np.repeat(np.arange(b.shape[0], dtype=np.int64), np.diff(b.indptr)) * width
    keys_b += b.indices
    at = np.minimum(np.searchsorted(keys_a, keys_b), max(len(keys_a) - 1, 0))
    hit = keys_a[at] == keys_b if len(keys_a) else np.zeros(len(keys_b), bool)
    return np.unique(keys_b[hit] // width)
