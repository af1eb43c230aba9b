"""Author pseudonymisation: a keyed hash replaces who wrote a signal unless the workspace allows names.

The key lives in the pouls home (`secret.key`), so pseudonyms are stable across restarts, cannot
be recomputed from a list of known handles without it, and differ between installations.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path

import msgspec

from pouls.config import Settings
from pouls.privacy import raw
from pouls.signals import DeadLetter, Signal

KEY_FILE = "secret.key"
log = logging.getLogger("pouls.privacy")
PSEUDONYM = re.compile(r"a_[0-9a-f]{16}")
CACHE_SIZE = 50_000  # pseudonyms remembered per workspace and channel


def secret(home: Path) -> bytes:
    """This installation's key, created (readable by its owner only) on first use."""
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path.read_bytes()


def is_pseudonym(value: object) -> bool:
    """Whether a value is a pseudonym (a reply sink cannot send to it: the address is not kept)."""
    return isinstance(value, str) and PSEUDONYM.fullmatch(value) is not None


NOT_KEPT = (
    "its sender's address is not kept in a pseudonymous workspace: replies need"
    ' identities = "named" (docs/privacy.md)'
)


def for_settings(settings: Settings) -> Pseudonymiser:
    """The privacy stage for these settings' workspaces (pipeline.stages_for puts it first)."""
    named = [w.id for w in settings.workspaces if w.identities == "named"]
    brands = {
        w.id: [h for handles in w.own_accounts.values() for h in handles]
        for w in settings.workspaces
        if w.own_accounts
    }
    return Pseudonymiser(secret(settings.home), named, brands)


def pseudonym(key: bytes, workspace: str, channel: str, handle: str) -> str:
    """Stable pseudonymous author id for a handle on a channel within a workspace."""
    message = f"{workspace}\x1f{channel}\x1f{handle.strip().lower()}".encode()
    mac = _keyed(key).copy()  # HMAC's keyed state made once: the same digest, much faster
    mac.update(message)
    return "a_" + mac.hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.blake2b)


class Pseudonymiser:
    """The privacy stage: in a pseudonymous workspace, nothing that names a person is kept.

    The author becomes a pseudonym and handle and name are dropped; identities in `raw`, in the
    ids and in the url are hashed (pouls.privacy.raw); dead letters get the same treatment
    (`redact`). A workspace with `identities = "named"` keeps everything but gets the pseudonym.
    """

    name = "privacy"

    def __init__(
        self,
        key: bytes,
        named_workspaces: Collection[str] = (),
        own_accounts: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """`own_accounts`: workspace -> the brand's own handles, which are not people: their
        @mentions in what people write are kept (a brand watches who mentions it)."""
        self.key = key
        self.named = frozenset(named_workspaces)
        self.own = {
            ws: frozenset(h.strip().lstrip("@").casefold() for h in handles)
            for ws, handles in (own_accounts or {}).items()
        }
        # The same people write again and again: their pseudonyms are kept at hand.
        self._hidden: dict[tuple[str, str], dict[str, str]] = {}

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        return [self._one(s) for s in batch]

    def _one(self, s: Signal) -> Signal:
        try:
            return self._conceal(s)
        except Exception as exc:  # fail closed: store the signal without what could name someone
            log.error(
                "privacy: signal %s stored without raw, url, ids (%s)", s.id, type(exc).__name__
            )
            return self.strip([s])[0]

    def _conceal(self, s: Signal) -> Signal:
        who = s.author_handle or s.author_name or s.author
        author = (
            s.author
            if who is None or (s.author and s.author.startswith("a_"))
            else pseudonym(self.key, s.workspace, s.channel, who)
        )
        if s.workspace in self.named:
            return s if author == s.author else msgspec.structs.replace(s, author=author)
        keys = raw.keys_for(s.channel)
        known = [s.author_handle, s.author_name, s.author, *raw.identities(s.raw, keys)]
        scrub = raw.Scrubber(
            self._hider(s.workspace, s.channel), keys, known, self.own.get(s.workspace)
        )
        return msgspec.structs.replace(
            s,
            author=author,
            author_handle=None,
            author_name=None,
            raw=scrub.value(s.raw) if s.raw is not None else None,
            url=None if s.url and scrub.names_in(s.url) else s.url,
            text=scrub.contacts(s.text),
            title=scrub.contacts(s.title) if s.title else s.title,
            native_id=raw.hide_id(s.channel, s.native_id, scrub),
            conversation_id=raw.hide_id(s.channel, s.conversation_id, scrub),
            parent_id=raw.hide_id(s.channel, s.parent_id, scrub),
        )

    def strip(self, batch: list[Signal]) -> list[Signal]:
        """The batch with every field that may name someone removed (pseudonymous workspaces):
        what is stored when concealing fails, so that a failure never stores identities."""
        return [
            s
            if s.workspace in self.named
            else msgspec.structs.replace(
                s,
                author=s.author if s.author and s.author.startswith("a_") else None,
                author_handle=None,
                author_name=None,
                raw=None,
                url=None,
                native_id=None,
                conversation_id=None,
                parent_id=None,
            )
            for s in batch
        ]

    def redact(self, dead_letters: list[DeadLetter]) -> list[DeadLetter]:
        """Dead letters with the identities in their raw input, reason and position hashed
        (pseudonymous workspaces); raw input that cannot be redacted is not kept."""
        return [d if d.workspace in self.named else self._redact(d) for d in dead_letters]

    def _redact(self, d: DeadLetter) -> DeadLetter:
        try:
            scrub = raw.Scrubber(
                self._hider(d.workspace, "dead-letter"),
                raw.ALL_KEYS,
                raw.known_in(d.raw, raw.ALL_KEYS),
            )
            return msgspec.structs.replace(
                d,
                raw=raw.scrub_raw_text(d.raw, scrub),
                reason=raw.HANDLE.sub(lambda m: scrub.hide(m.group(0)), scrub.text(d.reason)),
                position=scrub.text(d.position) if d.position else None,
            )
        except Exception as exc:  # fail closed: the reason says what happened, the raw is gone
            log.error("privacy: a dead letter's raw input withheld (%s)", type(exc).__name__)
            why = f"unreadable input; its text and reason withheld ({type(exc).__name__})"
            return msgspec.structs.replace(d, raw="", reason=why, position=None)

    def _hider(self, workspace: str, channel: str) -> raw.Hide:
        cache = self._hidden.setdefault((workspace, channel), {})

        def hide(value: str) -> str:
            found = cache.get(value)
            if found is None:
                if PSEUDONYM.fullmatch(value.lstrip("@")):  # hidden already: the same again
                    found = value.lstrip("@")
                else:
                    found = pseudonym(self.key, workspace, channel, value)
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                cache[value] = found
            return found

        return hide
