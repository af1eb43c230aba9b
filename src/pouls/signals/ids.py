"""Stable signal ids, so that a replay or a duplicate delivery lands on the same row.

>>> signal_id("acme", "rss-press", "https://example.org/a/1")
'3fe61cf3d9cc1fb2a751ce4afee29cd2'
>>> signal_id("acme", "rss-press", "https://example.org/a/1") == signal_id("acme", "rss-press", "https://example.org/a/2")
False
"""

from __future__ import annotations

import hashlib

_SEP = "\x1f"


def signal_id(workspace: str, source: str, native_id: str) -> str:
    """Id derived from (workspace, source, native id): 128 bits of BLAKE2b, in hex."""
    key = _SEP.join((workspace, source, native_id)).encode()
    return hashlib.blake2b(key, digest_size=16).hexdigest()


def content_id(*parts: str | None) -> str:
    """A native id for sources that give none: a hash of the content that identifies it."""
    key = _SEP.join(p or "" for p in parts).encode()
    return "sha:" + hashlib.blake2b(key, digest_size=16).hexdigest()
