"""Near-duplicates: MinHash signatures and LSH bands give copies one shared `dup_cluster`.

Incremental and bounded: the index keeps the signatures of the last `capacity` signals per
process, forgetting the oldest first, so a copy-paste campaign, a bot flood or a re-shared
article is grouped while it is going on. Clusters never cross workspaces.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

import msgspec
import numpy as np

from pouls.enrich.features import normalize, text_of
from pouls.signals import Signal

NUM_HASHES = 32
BANDS = 8  # 8 bands of 4 rows: pairs above about 0.6 Jaccard meet in a band with p > 0.8
SHINGLE = 5
MIN_CHARS = 25
_rng = np.random.default_rng(20260101)
_A = _rng.integers(1, 1 << 63, NUM_HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, NUM_HASHES, dtype=np.uint64)
_RETWEET = re.compile(r"^rt\s+@user:?\s*")
_NON_WORD = re.compile(r"[^\w@#]+", re.UNICODE)


def _canonical(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", _RETWEET.sub("", normalize(text))).split())


def signatures(texts: Sequence[str], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n × NUM_HASHES) of character 5-gram sets, and which texts had enough.

    Works `chunk` texts at a time so that the shingles × hashes matrix stays a few MB.
    """
    if len(texts) > chunk:
        parts = [signatures(texts[i : i + chunk], chunk) for i in range(0, len(texts), chunk)]
        return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    canon = [_canonical(t) for t in texts]
    ok = np.array([len(c) >= MIN_CHARS for c in canon], dtype=bool)
    out = np.zeros((len(texts), NUM_HASHES), dtype=np.uint32)
    rows = [i for i in range(len(texts)) if ok[i]]
    if not rows:
        return out, ok
    joined = "\x00".join(canon[i] for i in rows)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.array([len(canon[i]) + 1 for i in rows], dtype=np.int64)
    doc = np.repeat(np.arange(len(rows)), lengths)[: len(codes)]
    width = len(codes) - SHINGLE + 1
    with np.errstate(over="ignore"):
        h = np.zeros(width, dtype=np.uint64)
        for k in range(SHINGLE):
            h = h * np.uint64(1_000_003) + codes[k : k + width]
        valid = doc[:width] == doc[SHINGLE - 1 :]
        x = (h[valid] >> np.uint64(32)) ^ (h[valid] & np.uint64(0xFFFFFFFF))
        owner = doc[:width][valid]
        # Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits, one column per function.
        mixed = ((x[:, None] * _A + _B) >> np.uint64(32)).astype(np.uint32)
    starts = np.searchsorted(owner, np.arange(len(rows)))
    out[rows] = np.minimum.reduceat(mixed, starts, axis=0)
    return out, ok


def _bands(workspace: str, signature: np.ndarray) -> list[int]:
    # Python's hash is enough: the index lives in one process, and a collision only costs one
    # signature comparison.
    rows = signature.reshape(BANDS, NUM_HASHES // BANDS)
    return [hash((workspace, b, rows[b].tobytes())) for b in range(BANDS)]


class DuplicateIndex:
    """The last `capacity` signatures, their LSH bands and their clusters."""

    def __init__(self, capacity: int = 50_000, threshold: float = 0.6) -> None:
        self.capacity = capacity
        self.threshold = threshold
        self._entries: OrderedDict[str, tuple[np.ndarray, str, str]] = OrderedDict()
        self._bands: dict[int, str] = {}  # hash of (workspace, band, rows) -> newest key

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, key: str, workspace: str, signature: np.ndarray) -> str:
        """The cluster of `key`: the cluster of a close enough signal seen before, or `key`."""
        bands = _bands(workspace, signature)
        cluster = key
        best = self.threshold
        for other in {self._bands.get(band) for band in bands}:
            if other is None or other not in self._entries:
                continue
            other_sig, other_cluster, _ = self._entries[other]
            similarity = np.count_nonzero(other_sig == signature) / NUM_HASHES
            if similarity >= best:
                best, cluster = similarity, other_cluster
        self._entries[key] = (signature, cluster, workspace)
        for band in bands:
            self._bands[band] = key
        while len(self._entries) > self.capacity:
            self._forget()
        return cluster

    def _forget(self) -> None:
        key, (signature, _, workspace) = self._entries.popitem(last=False)
        for band in _bands(workspace, signature):
            if self._bands.get(band) == key:
                del self._bands[band]


class DuplicateEnricher:
    """Sets `dup_cluster` on signals with enough text: the id of the first signal of the group."""

    name = "duplicates"

    def __init__(self, index: DuplicateIndex | None = None) -> None:
        self.index = index or DuplicateIndex()

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        sigs, ok = signatures([text_of(s) for s in batch])
        out = list(batch)
        for i, signal in enumerate(batch):
            if ok[i]:
                cluster = self.index.assign(signal.id, signal.workspace, sigs[i])
                out[i] = msgspec.structs.replace(signal, dup_cluster=cluster)
        return out
