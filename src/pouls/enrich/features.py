"""Text features shared by the shipped classifiers: hashed word and character n-grams.

Training (scripts/models) and inference use the same `Featurizer`, so a model is only its
settings, its idf weights and its coefficients (see `linear`). A batch is featurised as a
whole: the texts are normalised and tokenised in one pass, facts about each distinct word are
computed once and kept, and every n-gram is hashed with numpy, so no Python code runs per
n-gram and little runs per word.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy import sparse

from pouls.enrich.markers import batch_markers
from pouls.enrich.text import (
    CLAUSE_END,
    MODELS_DIR,
    NEGATORS,
    WORD,
    normalize,
    normalize_batch,
    polarity,
    text_of,
    texts_of,
    words,
)

# Re-exported: the models and scripts import these from here.
__all__ = [
    "MODELS_DIR",
    "Featurizer",
    "log1p_counts",
    "normalize",
    "polarity",
    "shared_counts",
    "shared_markers",
    "shared_normalized",
    "shared_parts",
    "text_of",
    "texts_of",
    "words",
]


_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = "\n\x00\n"  # between texts of a batch: no normalisation step reaches across it
_LEX_TOKENS = tuple(
    f"__lex_{sign}{strength}{negated}__"
    for sign in ("pos", "neg")
    for strength in (1, 2)
    for negated in ("", "_negated")
)


# log1p of the small counts, for `log1p_counts`: computed by the same `np.log1p`.
_LOG1P = np.log1p(np.arange(256, dtype=np.float32))


def log1p_counts(counts: np.ndarray) -> np.ndarray:
    """`np.log1p(counts)` for term counts (float32 whole numbers, as `_sum_pairs` makes them and
    adding two such matrices keeps them): the usual small ones looked up, three times faster."""
    if counts.dtype == np.float32 and len(counts) and counts.max() < len(_LOG1P):
        return _LOG1P.take(counts.astype(np.uint8))
    return np.log1p(counts)


def _mix(h: np.ndarray) -> np.ndarray:
    """A cheap 64-bit finaliser (xor-shift-multiply) so nearby hashes spread over buckets."""
    h = h ^ (h >> np.uint64(31))
    h = h * _MIX
    return h ^ (h >> np.uint64(29))


def _token_hash(token: str) -> int:
    return zlib.crc32(token.encode()) + 1


@dataclass(frozen=True)
class Featurizer:
    """Hashed word n-grams plus character n-grams, both counted into one sparse row per text.

    Character n-grams are hashed for the whole batch at once with numpy rolling hashes, words
    with crc32 (once per distinct word): no per-n-gram Python string is built.
    """

    n_features: int = 2**20
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    negation: bool = True
    sublinear_tf: bool = True
    markers: bool = False
    lexicon: bool = False

    def counts(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """Term counts (log-scaled if `sublinear_tf`) of texts, before idf weighting."""
        return _Texts(list(texts)).counts(self)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Featurizer:
        raw = json.loads(text)
        for key in ("word_ngrams", "char_ngrams"):
            raw[key] = tuple(raw[key])
        return cls(**raw)


class _Vocabulary:
    """What featurising needs to know about each distinct word, computed once and kept.

    Per word: its hash, the hash of its negated copy, whether it is a negator or ends a clause,
    and its lexicon pseudo-tokens (as itself and as a negated copy).
    """

    LIMIT = 1_000_000  # distinct words kept before starting afresh (some 150 MB)

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.hash = np.zeros(0, np.uint64)
        self.hash_neg = np.zeros(0, np.uint64)
        self.negator = np.zeros(0, bool)
        self.clause_end = np.zeros(0, bool)
        self.lex = np.zeros(0, np.int8)  # 1 + index in _LEX_TOKENS, 0 for none
        self.lex_neg = np.zeros(0, np.int8)

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """The index of each token, adding the ones never seen."""
        new = set(tokens).difference(self.index)
        if new:
            self._add(sorted(new))
        return np.fromiter(map(self.index.__getitem__, tokens), np.int64, len(tokens))

    def _add(self, tokens: list[str]) -> None:
        start = len(self.index)
        for i, token in enumerate(tokens):
            self.index[token] = start + i
        lex = [_lex_code(token) for token in tokens]
        lex_neg = [_lex_code(token + "_neg") for token in tokens]
        self.hash = np.concatenate(
            [self.hash, np.array([_token_hash(t) for t in tokens], np.uint64)]
        )
        self.hash_neg = np.concatenate(
            [self.hash_neg, np.array([_token_hash(t + "_neg") for t in tokens], np.uint64)]
        )
        self.negator = np.concatenate(
            [self.negator, [t in NEGATORS or t.endswith("n't") for t in tokens]]
        )
        self.clause_end = np.concatenate([self.clause_end, [t in CLAUSE_END for t in tokens]])
        self.lex = np.concatenate([self.lex, np.array(lex, np.int8)])
        self.lex_neg = np.concatenate([self.lex_neg, np.array(lex_neg, np.int8)])


def _lex_code(token: str) -> int:
    found = polarity([token])
    return 1 + _LEX_TOKENS.index(found[0]) if found else 0


_LEX_HASHES = np.array([0] + [_token_hash(t) for t in _LEX_TOKENS], np.uint64)
_vocabulary = _Vocabulary()


def _vocabulary_for(tokens: list[str]) -> _Vocabulary:
    global _vocabulary
    if len(_vocabulary.index) + len(tokens) > _Vocabulary.LIMIT:
        _vocabulary = _Vocabulary()
    return _vocabulary


class _Texts:
    """One batch of texts, normalised and tokenised once for every featurizer that reads it."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._normed: list[str] | None = None
        self._joined = ""
        self._words: tuple[_Vocabulary, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._chars: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._markers: list[tuple[str, ...]] | None = None
        self._counts: dict[Featurizer, sparse.csr_matrix] = {}
        self._raw: dict[Featurizer, sparse.csr_matrix] = {}
        self._markers_only: dict[Featurizer, sparse.csr_matrix] = {}

    def counts(self, featurizer: Featurizer) -> sparse.csr_matrix:
        """`featurizer`'s counts of these texts (kept: featurizers share a batch's matrices)."""
        found = self._counts.get(featurizer)
        if found is None:
            found = self._raw_counts(featurizer).copy()
            if featurizer.sublinear_tf:
                found.data = log1p_counts(found.data)
            self._counts[featurizer] = found
        return found

    def markers(self) -> list[tuple[str, ...]]:
        """`markers.batch_markers` of the raw texts."""
        if self._markers is None:
            self._markers = batch_markers(self.texts)
        return self._markers

    def _raw_counts(self, featurizer: Featurizer) -> sparse.csr_matrix:
        found = self._raw.get(featurizer)
        if found is not None:
            return found
        if featurizer.markers:
            # The marker n-grams on top of the same featurizer's without markers: the words,
            # characters and their sorting are shared with the models that read no markers.
            base = self._raw_counts(replace(featurizer, markers=False))
            found = base + self.marker_counts(featurizer)
        else:
            rows_w, cols_w = self._word_pairs(featurizer)
            rows_c, cols_c = self._char_pairs(featurizer)
            found = _sum_pairs(
                np.concatenate([rows_w, rows_c]),
                np.concatenate([cols_w, cols_c]),
                len(self.texts),
                featurizer.n_features,
            )
        self._raw[featurizer] = found
        return found

    def marker_counts(self, featurizer: Featurizer) -> sparse.csr_matrix:
        """Raw counts of the n-grams that hold a marker (`featurizer.markers` must be on): what
        `featurizer` counts on top of the same featurizer without markers."""
        found = self._markers_only.get(featurizer)
        if found is None:
            rows, cols = self._word_pairs(featurizer, only_markers=True)
            found = _sum_pairs(rows, cols, len(self.texts), featurizer.n_features)
            self._markers_only[featurizer] = found
        return found

    def normed(self) -> list[str]:
        """`normalize` of each text, computed on the whole batch at once where it can be."""
        if self._normed is None:
            joined = _SEPARATOR.join(self.texts)
            parts: list[str] = []
            if "\x00" not in joined.replace(_SEPARATOR, ""):
                joined = normalize_batch(joined)
                parts = joined.split(_SEPARATOR)
            if len(parts) != len(self.texts):  # a text held a NUL or an escaped one
                parts = [normalize(t) for t in self.texts]
                joined = ""
            self._normed, self._joined = parts, joined
        return self._normed

    def _tokens(self) -> tuple[_Vocabulary, np.ndarray, np.ndarray, np.ndarray]:
        """Vocabulary, token indices, document of each token, and which are separators."""
        if self._words is None:
            normed = self.normed()
            if self._joined:
                tokens = WORD.findall(self._joined)
                separator = "\x00"
            else:
                # WORD never yields an empty token: "" separates texts that hold a NUL.
                tokens = [t for text in normed for t in [*WORD.findall(text), ""]][:-1]
                separator = ""
            vocabulary = _vocabulary_for(tokens)
            ids = vocabulary.lookup([*tokens, separator])
            ids, sep = ids[:-1], ids[:-1] == ids[-1]
            self._words = (vocabulary, ids, np.cumsum(sep), sep)
        return self._words

    def _word_pairs(
        self, featurizer: Featurizer, only_markers: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every word n-gram, in the order `words` + `polarity` + `markers`."""
        vocabulary, ids, doc, separators = self._tokens()
        negated = (
            _negated(vocabulary, ids, separators)
            if featurizer.negation
            else np.zeros(len(ids), bool)
        )
        kept = ~separators
        ids, doc, negated = ids[kept], doc[kept], negated[kept]
        # A negated word is emitted twice: its "_neg" copy, then itself.
        plain_at = np.arange(len(ids)) + np.cumsum(negated)
        size = len(ids) + int(negated.sum())
        symbols = np.zeros(size, np.uint64)
        lex = np.zeros(size, np.int8)
        docs = np.zeros(size, np.int64)
        symbols[plain_at] = vocabulary.hash[ids]
        lex[plain_at] = vocabulary.lex[ids]
        docs[plain_at] = doc
        neg_at = plain_at[negated] - 1
        symbols[neg_at] = vocabulary.hash_neg[ids[negated]]
        lex[neg_at] = vocabulary.lex_neg[ids[negated]]
        docs[neg_at] = doc[negated]
        parts = [(symbols, docs, np.zeros(size, bool))]
        if featurizer.lexicon:
            hits = np.flatnonzero(lex)
            parts.append((_LEX_HASHES[lex[hits]], docs[hits], np.zeros(len(hits), bool)))
        if featurizer.markers:
            found = self.markers()
            names = [m for ms in found for m in ms]
            hashes = np.array([_token_hash(m) for m in names], np.uint64)
            where = np.repeat(np.arange(len(found)), [len(ms) for ms in found])
            parts.append((hashes, where, np.ones(len(names), bool)))
        symbols = np.concatenate([p[0] for p in parts])
        docs = np.concatenate([p[1] for p in parts])
        marked = np.concatenate([p[2] for p in parts])
        order = np.argsort(docs, kind="stable")
        lo, hi = featurizer.word_ngrams
        return _ngrams(
            symbols[order],
            docs[order],
            lo,
            hi,
            featurizer.n_features,
            _word_salt,
            marked[order] if only_markers else None,
        )

    def _char_pairs(self, featurizer: Featurizer) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = featurizer.char_ngrams
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for n in range(lo, hi + 1):
            doc, hashed = self._char_hashes(n)
            rows.append(doc)
            cols.append(_bucket(hashed, featurizer.n_features))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows), np.concatenate(cols)

    def _char_hashes(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Document and salted 64-bit hash of every character n-gram (kept for each n)."""
        if n not in self._chars:
            squeezed = [" ".join(t.split()) for t in self.normed()]
            padded = f" {'  '.join(squeezed)} " if self.texts else ""
            lengths = [len(t) + 2 for t in squeezed]
            codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            codes = codes.astype(np.uint64)
            doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            h = np.zeros(len(codes), dtype=np.uint64)
            with np.errstate(over="ignore"):
                for k in range(1, max(n, 5) + 1):
                    width = len(codes) - k + 1
                    if width <= 0:
                        self._chars[k] = (np.zeros(0, np.int64), np.zeros(0, np.uint64))
                        continue
                    h = h[:width] * _PRIME + codes[k - 1 :]
                    same_doc = doc[:width] == doc[k - 1 :]
                    self._chars[k] = (doc[:width][same_doc], _char_salt(h[same_doc], k))
        return self._chars[n]


def _negated(vocabulary: _Vocabulary, ids: np.ndarray, separators: np.ndarray) -> np.ndarray:
    """Whether a negator governs each token: one came before it since the last clause end."""
    at = np.arange(len(ids))
    last_negator = np.maximum.accumulate(np.where(vocabulary.negator[ids], at, -1))
    before = np.concatenate([[-1], last_negator[:-1]]) if len(ids) else last_negator
    resets = vocabulary.clause_end[ids] | separators
    last_reset = np.maximum.accumulate(np.where(resets, at, -1))
    return (before > last_reset) & ~resets


def _bucket(hashed: np.ndarray, n_features: int) -> np.ndarray:
    if n_features & (n_features - 1) == 0:
        return (hashed & np.uint64(n_features - 1)).astype(np.int64)
    return (hashed % np.uint64(n_features)).astype(np.int64)


def _sum_pairs(rows: np.ndarray, cols: np.ndarray, n: int, n_features: int) -> sparse.csr_matrix:
    """A CSR matrix counting each (row, col) pair, with sorted indices and no duplicates.

    One sort of integer keys: several times faster than scipy's COO conversion and
    `sum_duplicates` on the same pairs; 32-bit keys where they fit (a batch of 500 over 2^20
    columns does), which numpy sorts twice as fast as 64-bit ones.
    """
    keys = rows * n_features + cols
    if n * n_features < 1 << 32:
        keys = keys.astype(np.uint32)
    keys = np.sort(keys)
    if len(keys):
        first = np.concatenate([[True], keys[1:] != keys[:-1]])
        at = np.flatnonzero(first)
        counts = np.diff(np.append(at, len(keys))).astype(np.float32)
        keys = keys[at]
    else:
        counts = np.zeros(0, np.float32)
    rows_u = keys // keys.dtype.type(n_features)
    indptr = np.searchsorted(rows_u, np.arange(n + 1))
    cols_u = (keys - rows_u * keys.dtype.type(n_features)).astype(np.int32)
    x = sparse.csr_matrix((counts, cols_u, indptr), shape=(n, n_features))
    x.has_sorted_indices = True
    x.has_canonical_format = True
    return x


_recent: list[_Texts] = []  # the last few batches, newest first


def _shared(texts: list[str]) -> _Texts:
    for i, found in enumerate(_recent):
        if found.texts == texts:
            if i:
                _recent.insert(0, _recent.pop(i))
            return found
    found = _Texts(list(texts))
    _recent.insert(0, found)
    del _recent[3:]  # a batch and the subsets a model reads on the side (romanised Hindi)
    return found


def shared_counts(featurizer: Featurizer, texts: list[str]) -> sparse.csr_matrix:
    """`featurizer.counts(texts)`, reusing the work done on the same batch before.

    The language, sentiment, toxicity and scam models read the same batch in turn: it is
    normalised, tokenised and hashed once for all of them.
    """
    return _shared(texts).counts(featurizer)


def shared_normalized(texts: Sequence[str]) -> list[str]:
    """`normalize` of each text, reusing the batch's if the models read it already."""
    return _shared(list(texts)).normed()


def shared_parts(
    featurizer: Featurizer, texts: list[str]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    """For a featurizer that reads markers: the counts of the same featurizer without markers
    (the ones the other models read, log-scaled if `sublinear_tf`), their raw counts, and the
    raw counts of the marker n-grams. Their sum, where no marker n-gram shares a column with a
    word or character n-gram of its text, is `featurizer.counts(texts)` before the log."""
    batch = _shared(texts)
    base = replace(featurizer, markers=False)
    return batch.counts(base), batch._raw_counts(base), batch.marker_counts(featurizer)


def shared_markers(texts: list[str]) -> list[tuple[str, ...]]:
    """`markers.batch_markers(texts)`, reusing the ones found for the scam model's features."""
    return _shared(texts).markers()


def _word_salt(h: np.ndarray, n: int) -> np.ndarray:
    return _mix(h ^ (np.uint64(n) << np.uint64(56)))


def _char_salt(h: np.ndarray, n: int) -> np.ndarray:
    return _mix(h + np.uint64(n) * _MIX)


def _ngrams(
    symbols: np.ndarray,
    doc: np.ndarray,
    lo: int,
    hi: int,
    n_features: int,
    salt: Callable[[np.ndarray, int], np.ndarray],
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every hashed n-gram, lo <= n <= hi, that stays within one document.

    A rolling polynomial hash over `symbols` (word or character codes), salted by n so that
    n-grams of different lengths land apart; `doc` gives each symbol's document. With `only`,
    just the n-grams that hold at least one of the symbols it marks.
    """
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    h = np.zeros(len(symbols), dtype=np.uint64)
    marked = np.concatenate([[0], np.cumsum(only)]) if only is not None else None
    with np.errstate(over="ignore"):
        for n in range(1, hi + 1):
            width = len(symbols) - n + 1
            if width <= 0:
                break
            h = h[:width] * _PRIME + symbols[n - 1 :]
            if n < lo:
                continue
            keep = doc[:width] == doc[n - 1 :]
            if marked is not None:
                keep &= marked[n : n + width] > marked[:width]
            rows.append(doc[:width][keep])
            cols.append(_bucket(salt(h[keep], n), n_features))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)
