"""The dashboard keys of stored documents, remembered between requests.

A dashboard counts the partial 4-hour blocks at the ends of its ranges from the signals
themselves: each signal's JSON is decoded and its keys read (terms, hashtags, entities...),
which was a third of a topic dashboard's time. The same edges come back: the next view of
"the last 30 days" cuts the same blocks, a report re-reads what its page showed. A signal's
keys depend on its stored document only (`KeysOf` is a pure function of the signal), so they
are remembered by a digest of the document's bytes: a changed signal has another document,
hence another entry, and nothing is ever stale. The memory is bounded (least recently used
entries go first) and identical keys are shared between entries.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from pouls.signals import Signal, decode

Key = tuple[str, str, str]
KeysOf = Callable[[Signal], Iterable[Key]]

SIZE = 60_000  # documents: a day of ranges of a busy workspace; ~770 bytes each, 45 MB
POOL = 200_000  # distinct (kind, key, label) shared before the pool starts again


class KeyMemo:
    """`keys(doc)`: the keys of one stored document, computed once while it is remembered."""

    def __init__(self, keys_of: KeysOf, size: int = SIZE) -> None:
        self.keys_of = keys_of
        self.size = size
        self._seen: OrderedDict[bytes, tuple[Key, ...]] = OrderedDict()
        self._pool: dict[Key, Key] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def keys(self, doc: bytes) -> tuple[Key, ...]:
        digest = hashlib.blake2b(doc, digest_size=16).digest()
        with self._lock:
            found = self._seen.get(digest)
            if found is not None:
                self._seen.move_to_end(digest)
                self.hits += 1
                return found
        computed = tuple(self.keys_of(decode(doc)))
        with self._lock:
            self.misses += 1
            if len(self._pool) > POOL:
                self._pool.clear()
            shared = tuple(self._pool.setdefault(k, k) for k in computed)
            self._seen[digest] = shared
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return shared


_MEMOS: dict[KeysOf, KeyMemo] = {}
_MEMOS_LOCK = threading.Lock()


def memo_for(keys_of: KeysOf) -> KeyMemo:
    """The one memo of a keys function in this process."""
    with _MEMOS_LOCK:
        memo = _MEMOS.get(keys_of)
        if memo is None:
            memo = _MEMOS[keys_of] = KeyMemo(keys_of)
        return memo
