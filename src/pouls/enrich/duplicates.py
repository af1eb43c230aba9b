"""Near-duplicates: MinHash signatures and LSH bands give copies one shared `dup_cluster`.

Incremental and bounded: the index keeps the signatures of the last `capacity` signals per
process, forgetting the oldest first, so a copy-paste campaign, a bot flood or a re-shared
article is grouped while it is going on. Clusters never cross workspaces.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict
from collections.abc import Sequence

import msgspec
import numpy as np

from pouls.enrich.features import normalize, shared_normalized, text_of
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
_NON_WORD_KEEPING_NUL = re.compile(r"[^\w@#\x00]+", re.UNICODE)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _canonical(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", _RETWEET.sub("", normalize(text))).split())


def canonical(texts: Sequence[str]) -> list[str]:
    """`_canonical` of each text, for a batch at once (normalisation shared with the models)."""
    normed = [_RETWEET.sub("", t) if t.startswith("rt") else t for t in shared_normalized(texts)]
    if any("\x00" in t for t in normed):
        return [" ".join(_NON_WORD.sub(" ", t).split()) for t in normed]
    joined = _NON_WORD_KEEPING_NUL.sub(" ", "\x00".join(normed))
    return [t.strip() for t in joined.split("\x00")]


def signatures(texts: Sequence[str], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n × NUM_HASHES) of character 5-gram sets, and which texts had enough.

    Works `chunk` texts at a time so that the shingles × hashes matrix stays a few MB.
    """
    if len(texts) > chunk:
        parts = [signatures(texts[i : i + chunk], chunk) for i in range(0, len(texts), chunk)]
        return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    canon = canonical(texts)
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
        # The shift keeps order, so the minimum is taken first and only it is shifted.
        mixed = np.multiply(x[:, None], _A)
        mixed += _B
    starts = np.searchsorted(owner, np.arange(len(rows)))
    out[rows] = (np.minimum.reduceat(mixed, starts, axis=0) >> np.uint64(32)).astype(np.uint32)
    return out, ok


def _bands(workspaces: Sequence[str], signatures: np.ndarray) -> list[list[int]]:
    """The LSH band keys of each signature: a 64-bit hash of (workspace, band, its rows).

    A collision only costs one signature comparison.
    """
    salts = np.array([zlib.crc32(w.encode()) for w in workspaces], dtype=np.uint64)
    rows = signatures.reshape(len(signatures), BANDS, NUM_HASHES // BANDS).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = salts[:, None] * _PRIME + np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX
        for k in range(rows.shape[2]):
            h = (h ^ rows[:, :, k]) * _PRIME
        h = (h ^ (h >> np.uint64(29))) * _MIX
    keys: list[list[int]] = h.tolist()
    return keys


class DuplicateIndex:
    """The last `capacity` signatures, their LSH bands and their clusters."""

    def __init__(self, capacity: int = 50_000, threshold: float = 0.6) -> None:
        self.capacity = capacity
        self.threshold = threshold
        # key -> (signature, cluster, workspace, band keys)
        self._entries: OrderedDict[str, tuple[np.ndarray, str, str, list[int]]] = OrderedDict()
        self._bands: dict[int, str] = {}  # band key -> newest signal key with that band

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, key: str, workspace: str, signature: np.ndarray) -> str:
        """The cluster of `key`: the cluster of a close enough signal seen before, or `key`."""
        return self.assign_many([key], [workspace], signature[None, :])[0]

    def assign_many(
        self, keys: Sequence[str], workspaces: Sequence[str], signatures: np.ndarray
    ) -> list[str]:
        """`assign` for each signal in order (a signal can join one earlier in the same call)."""
        out: list[str] = []
        entries, bands_index = self._entries, self._bands
        for key, workspace, signature, bands in zip(
            keys, workspaces, signatures, _bands(workspaces, signatures), strict=True
        ):
            cluster = key
            best = self.threshold
            for other in {bands_index.get(band) for band in bands}:
                entry = entries.get(other) if other is not None else None
                if entry is None or entry[2] != workspace:
                    continue
                similarity = np.count_nonzero(entry[0] == signature) / NUM_HASHES
                if similarity >= best:
                    best, cluster = similarity, entry[1]
            entries[key] = (signature, cluster, workspace, bands)
            for band in bands:
                bands_index[band] = key
            while len(entries) > self.capacity:
                self._forget()
            out.append(cluster)
        return out

    def _forget(self) -> None:
        key, (_, _, _, bands) = self._entries.popitem(last=False)
        for band in bands:
            if self._bands.get(band) == key:
                del self._bands[band]


class DuplicateEnricher:
    """Sets `dup_cluster` on signals with enough text: the id of the first signal of the group."""

    name = "duplicates"

    def __init__(self, index: DuplicateIndex | None = None) -> None:
        self.index = index or DuplicateIndex()

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows = [i for i, s in enumerate(batch) if text_of(s)]
        if not rows:
            return batch
        sigs, ok = signatures([text_of(batch[i]) for i in rows])
        chosen = [rows[k] for k in np.flatnonzero(ok)]
        clusters = self.index.assign_many(
            [batch[i].id for i in chosen], [batch[i].workspace for i in chosen], sigs[ok]
        )
        out = list(batch)
        for i, cluster in zip(chosen, clusters, strict=True):
            out[i] = msgspec.structs.replace(batch[i], dup_cluster=cluster)
        return out
