"""Author pseudonymisation: a keyed hash replaces who wrote a signal unless the workspace allows names.

The key lives in the pouls home (`secret.key`), so pseudonyms are stable across restarts, cannot
be recomputed from a list of known handles without it, and differ between installations.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Collection
from pathlib import Path

import msgspec

from pouls.signals import Signal

KEY_FILE = "secret.key"


def secret(home: Path) -> bytes:
    """This installation's key, created (readable by its owner only) on first use."""
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path.read_bytes()


def pseudonym(key: bytes, workspace: str, channel: str, handle: str) -> str:
    """Stable pseudonymous author id for a handle on a channel within a workspace."""
    message = f"{workspace}\x1f{channel}\x1f{handle.strip().lower()}".encode()
    return "a_" + hmac.new(key, message, hashlib.blake2b).hexdigest()[:16]


class Pseudonymiser:
    """Enricher setting `author` to a pseudonym and dropping handle and name where not allowed."""

    name = "privacy"

    def __init__(self, key: bytes, named_workspaces: Collection[str] = ()) -> None:
        self.key = key
        self.named = frozenset(named_workspaces)

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        return [self._one(s) for s in batch]

    def _one(self, s: Signal) -> Signal:
        who = s.author_handle or s.author_name or s.author
        if who is None:
            return s
        author = (
            s.author
            if s.author and s.author.startswith("a_")
            else pseudonym(self.key, s.workspace, s.channel, who)
        )
        if s.workspace in self.named:
            return s if author == s.author else msgspec.structs.replace(s, author=author)
        return msgspec.structs.replace(s, author=author, author_handle=None, author_name=None)
