"""Near-duplicates: MinHash signatures and LSH bands give copies one shared `dup_cluster`.

Incremental and bounded: the index keeps the signatures of the last `capacity` signals per
process, forgetting the oldest first, so a copy-paste campaign, a bot flood or a re-shared
article is grouped while it is going on. Clusters never cross workspaces.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

import msgspec
import numpy as np

from pouls.enrich.features import normalize, shared_normalized, texts_of
from pouls.signals import Signal

NUM_HASHES = 32
BANDS = 8  # 8 bands of 4 rows: pairs above about 0.6 Jaccard meet in a band with p > 0.8
SHINGLE = 5
_AT_ONCE = 4  # hash functions computed together (NUM_HASHES is a multiple)
MIN_CHARS = 25
_rng = np.random.default_rng(20260101)
_A = _rng.integers(1, 1 << 63, NUM_HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, NUM_HASHES, dtype=np.uint64)
_RETWEET = re.compile(r"^rt\s+@user:?\s*")
_NON_WORD = re.compile(r"[^\w@#]+", re.UNICODE)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _canonical(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", _RETWEET.sub("", normalize(text))).split())


def canonical(texts: Sequence[str]) -> list[str]:
    """`_canonical` of each text, for a batch at once (normalisation shared with the models)."""
    if not texts:
        return []
    codes, _ = _canonical_codes(texts)
    if codes is None:
        return [_canonical(t) for t in texts]
    joined = codes.tobytes().decode("utf-32-le", "surrogatepass")
    return joined.split("\x00")


@functools.cache
def _word_table() -> np.ndarray:
    """Per code point: whether `_NON_WORD` keeps it (a word character, "@" or "#")."""
    everything = "".join(map(chr, range(0x110000)))
    table = np.zeros(0x110000, dtype=bool)
    for m in re.finditer(r"[\w@#]+", everything):
        table[m.start() : m.end()] = True
    return table


def _canonical_codes(texts: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray]:
    """The canonical texts as one array of code points, each followed by a 0 but the last, and
    the text each code point belongs to (-1 for the 0s); (None, ...) if a text holds a NUL.

    `_canonical` with numpy: a run of other characters between two kept ones becomes one
    space, and one at either end of a text goes.
    """
    normed = [_RETWEET.sub("", t) if t.startswith("rt") else t for t in shared_normalized(texts)]
    joined = "\x00".join(normed)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    separator = codes == 0
    if int(separator.sum()) != max(len(texts) - 1, 0):
        return None, np.zeros(0, np.int64)
    word = _word_table()[codes]
    other = ~(word | separator)
    n = len(codes)
    # The next position that is not an "other" character, n past the end.
    upcoming = np.minimum.accumulate(np.where(other, n, np.arange(n))[::-1])[::-1]
    after_word = np.append(word, False)[upcoming]
    before_word = np.concatenate([[False], word[:-1]])
    run_start = other & ~np.concatenate([[False], other[:-1]])
    space = run_start & before_word & after_word
    keep = word | separator | space
    out = np.where(space, np.uint32(32), codes)[keep]
    is_separator = out == 0
    doc = np.cumsum(is_separator)
    doc[is_separator] = -1
    return out, doc


def signatures(texts: Sequence[str], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n × NUM_HASHES) of character 5-gram sets, and which texts had enough.

    Works `chunk` texts at a time so that the shingles × hashes matrix stays a few MB.
    """
    if len(texts) > chunk:
        parts = [signatures(texts[i : i + chunk], chunk) for i in range(0, len(texts), chunk)]
        return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    out = np.zeros((len(texts), NUM_HASHES), dtype=np.uint32)
    if not texts:
        return out, np.zeros(0, dtype=bool)
    codes, doc = _canonical_codes(texts)
    if codes is None:  # a text held a NUL: each canonical text on its own
        canon = [_canonical(t) for t in texts]
        codes = np.frombuffer("\x00".join(canon).encode("utf-32-le"), dtype=np.uint32)
        doc = np.repeat(np.arange(len(texts)), [len(c) + 1 for c in canon])[: len(codes)]
        doc[codes == 0] = -1
    ok = np.bincount(doc[doc >= 0], minlength=len(texts)) >= MIN_CHARS
    codes = codes.astype(np.uint64)
    width = len(codes) - SHINGLE + 1
    if not ok.any() or width <= 0:
        return out, ok
    with np.errstate(over="ignore"):
        h = np.zeros(width, dtype=np.uint64)
        for k in range(SHINGLE):
            h = h * np.uint64(1_000_003) + codes[k : k + width]
        # Within one text that has enough: the separators belong to none.
        valid = (doc[:width] == doc[SHINGLE - 1 :]) & (doc[:width] >= 0)
        valid &= ok[np.maximum(doc[:width], 0)]
        x = (h[valid] >> np.uint64(32)) ^ (h[valid] & np.uint64(0xFFFFFFFF))
        owner = doc[:width][valid]
    rows = np.flatnonzero(ok)
    starts = np.searchsorted(owner, rows)
    # Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits, one row per function (the
    # minimum over each text's shingles then runs along contiguous memory, four times faster
    # than down columns). The shift keeps order, so only the minimum is shifted. Four
    # functions at a time: their rows stay in the CPU's cache between the two passes.
    lowest = np.empty((NUM_HASHES, len(rows)), dtype=np.uint64)
    mixed = np.empty((_AT_ONCE, len(x)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(0, NUM_HASHES, _AT_ONCE):
            np.multiply(_A[k : k + _AT_ONCE, None], x[None, :], out=mixed)
            mixed += _B[k : k + _AT_ONCE, None]
            lowest[k : k + _AT_ONCE] = np.minimum.reduceat(mixed, starts, axis=1)
    out[rows] = (lowest.T >> np.uint64(32)).astype(np.uint32)
    return out, ok


def _bands(workspaces: Sequence[str], signatures: np.ndarray) -> np.ndarray:
    """The LSH band keys of each signature (n × BANDS): a 64-bit hash of (workspace, band, rows).

    A collision only costs one signature comparison.
    """
    salts = np.array([zlib.crc32(w.encode()) for w in workspaces], dtype=np.uint64)
    rows = signatures.reshape(len(signatures), BANDS, NUM_HASHES // BANDS).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = salts[:, None] * _PRIME + np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX
        for k in range(rows.shape[2]):
            h = (h ^ rows[:, :, k]) * _PRIME
        h = (h ^ (h >> np.uint64(29))) * _MIX
    return h


class _Entry(NamedTuple):
    signature: np.ndarray
    cluster: str
    workspace: str
    bands: list[int]
    seq: int  # insertion number: the live entries hold consecutive ones, oldest first


class DuplicateIndex:
    """The last `capacity` signatures, their LSH bands and their clusters."""

    def __init__(self, capacity: int = 50_000, threshold: float = 0.6) -> None:
        self.capacity = capacity
        self.threshold = threshold
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bands: dict[int, str] = {}  # band key -> newest signal key with that band
        self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, key: str, workspace: str, signature: np.ndarray) -> str:
        """The cluster of `key`: the cluster of a close enough signal seen before, or `key`."""
        return self.assign_many([key], [workspace], signature[None, :])[0]

    def assign_many(
        self, keys: Sequence[str], workspaces: Sequence[str], signatures: np.ndarray
    ) -> list[str]:
        """`assign` for each signal in order (a signal can join one earlier in the same call).

        Of several candidates equally close, the newest gives its cluster.
        """
        if not len(keys):
            return []
        bands = _bands(workspaces, signatures)
        if (
            len(keys) > self.capacity
            or len(set(keys)) < len(keys)
            or not self._entries.keys().isdisjoint(keys)
        ):
            return self._assign_in_order(keys, workspaces, signatures, bands)
        return self._assign_batch(keys, workspaces, signatures, bands)

    def _assign_batch(
        self,
        keys: Sequence[str],
        workspaces: Sequence[str],
        signatures: np.ndarray,
        bands: np.ndarray,
    ) -> list[str]:
        """`assign_many` for new, distinct keys, the comparisons done with numpy for the batch.

        The candidate of a row's band is the newest earlier row of the batch with that band,
        else the index's signal for it if not forgotten by then (`capacity`): what one signal
        at a time would find.
        """
        n = len(keys)
        flat = bands.ravel()
        of_row = np.repeat(np.arange(n), BANDS)
        order = np.argsort(flat, kind="stable")
        same = flat[order[1:]] == flat[order[:-1]]
        candidate = np.full(n * BANDS, -1, dtype=np.int64)
        candidate[order[1:][same]] = of_row[order[:-1][same]]
        # The index's signals for the other bands, numbered n.. (`known[k - n]` is their entry),
        # looked up with C-level maps rather than a Python loop per band.
        entries = self._entries
        missing = np.flatnonzero(candidate < 0)
        others = list(map(self._bands.get, flat[missing].tolist()))
        names = [name for name in dict.fromkeys(others) if name is not None]
        known = [entries[name] for name in names]
        numbers: dict[str | None, int] = dict(zip(names, range(n, n + len(names)), strict=True))
        found = np.array([numbers.get(other, -1) for other in others], dtype=np.int64)
        if known:
            # Forgotten by the time the row comes, as `capacity` forgets one per signal added.
            oldest = next(iter(entries.values())).seq
            place = np.array([e.seq - oldest for e in known])
            forgotten_by = len(entries) + missing // BANDS - self.capacity
            lost = (found >= n) & (place[np.maximum(found - n, 0)] < forgotten_by)
            found[lost] = -1
        candidate[missing] = found
        grid = candidate.reshape(n, BANDS)
        ids = {w: i for i, w in enumerate({*workspaces, *(e.workspace for e in known)})}
        older = np.array([e.signature for e in known], dtype=signatures.dtype)
        every_sig = np.concatenate([signatures, older.reshape(len(known), NUM_HASHES)])
        every_ws = np.array([ids[w] for w in workspaces] + [ids[e.workspace] for e in known])
        every_seq = np.array([*range(self._seq, self._seq + n), *(e.seq for e in known)])
        picked = np.maximum(grid, 0)
        matches = np.count_nonzero(every_sig[picked] == signatures[:, None, :], axis=2)
        close = (
            (grid >= 0)
            & (every_ws[picked] == every_ws[:n, None])
            & (matches / NUM_HASHES >= self.threshold)
        )
        # The closest, then the newest: a signal's number is below 2^40.
        rank = np.where(close, matches.astype(np.int64) << 40 | every_seq[picked], -1)
        chosen = grid[np.arange(n), rank.argmax(axis=1)].tolist()
        clusters: list[str] = []
        for key, found, other in zip(keys, close.any(axis=1).tolist(), chosen, strict=True):
            if not found:
                clusters.append(key)
            else:
                clusters.append(clusters[other] if other < n else known[other - n].cluster)
        seqs = range(self._seq, self._seq + n)
        rows = zip(signatures, clusters, workspaces, bands.tolist(), seqs, strict=True)
        entries.update(zip(keys, map(_Entry._make, rows), strict=True))
        self._seq += n
        owners = np.repeat(np.array(keys, dtype=object), BANDS).tolist()
        self._bands.update(zip(flat.tolist(), owners, strict=True))
        while len(entries) > self.capacity:
            self._forget()
        return clusters

    def _assign_in_order(
        self,
        keys: Sequence[str],
        workspaces: Sequence[str],
        signatures: np.ndarray,
        bands: np.ndarray,
    ) -> list[str]:
        """`assign_many` one signal at a time (a key seen before, or a batch over capacity)."""
        out: list[str] = []
        entries, bands_index = self._entries, self._bands
        for key, workspace, signature, own in zip(
            keys, workspaces, signatures, bands.tolist(), strict=True
        ):
            cluster = key
            best = self.threshold
            newest = -1
            for other in {bands_index.get(band) for band in own}:
                entry = entries.get(other) if other is not None else None
                if entry is None or entry.workspace != workspace:
                    continue
                similarity = np.count_nonzero(entry.signature == signature) / NUM_HASHES
                if similarity > best or (similarity == best and entry.seq > newest):
                    best, cluster, newest = similarity, entry.cluster, entry.seq
            self._insert(key, signature, cluster, workspace, own)
            out.append(cluster)
        return out

    def _insert(
        self, key: str, signature: np.ndarray, cluster: str, workspace: str, bands: list[int]
    ) -> None:
        old = self._entries.get(key)
        seq = old.seq if old is not None else self._seq
        self._seq += old is None
        self._entries[key] = _Entry(signature, cluster, workspace, bands, seq)
        for band in bands:
            self._bands[band] = key
        while len(self._entries) > self.capacity:
            self._forget()

    def _forget(self) -> None:
        key, entry = self._entries.popitem(last=False)
        for band in entry.bands:
            if self._bands.get(band) == key:
                del self._bands[band]


class DuplicateEnricher:
    """Sets `dup_cluster` on signals with enough text: the id of the first signal of the group."""

    name = "duplicates"

    def __init__(self, index: DuplicateIndex | None = None) -> None:
        self.index = index or DuplicateIndex()

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        if not rows:
            return batch
        sigs, ok = signatures(texts)
        chosen = [rows[k] for k in np.flatnonzero(ok).tolist()]
        clusters = self.index.assign_many(
            [batch[i].id for i in chosen], [batch[i].workspace for i in chosen], sigs[ok]
        )
        out = list(batch)
        for i, cluster in zip(chosen, clusters, strict=True):
            out[i] = msgspec.structs.replace(batch[i], dup_cluster=cluster)
        return out
