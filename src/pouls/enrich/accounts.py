"""The workspace's own accounts: a stage marking the signals the brand itself posted or sent.

It runs before the privacy stage, while handles and platform ids are still there; signals that
arrive with a pseudonym already (a replay, a re-fetch) are recognised by the pseudonyms of the
declared accounts, computed with the same key (`pouls.pipeline.own_authors`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

import msgspec

from pouls.signals import Signal

_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


def normalize(channel: str, handle: str) -> str:
    """How a handle is compared: no case, no leading @ (nor u/ on reddit), a phone by its digits.

    >>> normalize("instagram", " @MaisonLumiere ")
    'maisonlumiere'
    >>> normalize("whatsapp", "+33 1 99 00 42 42")
    '33199004242'
    """
    h = handle.strip().lower().lstrip("@")
    if channel == "reddit" and h.startswith("u/"):
        h = h[2:]
    if _PHONE.match(h):
        h = re.sub(r"\D", "", h)
    return h


def spellings(channel: str, handle: str) -> set[str]:
    """The ways a source may write a declared handle, for computing its pseudonyms."""
    n = normalize(channel, handle)
    out = {n, "@" + n, handle.strip()}
    if channel == "reddit":
        out.add("u/" + n)
    if n.isdigit():
        out.add("+" + n)
    return out


class OwnAccounts:
    """Enricher setting `own` on the signals of the accounts each workspace declares."""

    name = "own"

    def __init__(
        self,
        accounts: Mapping[str, Mapping[str, Iterable[str]]],
        authors: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """`accounts`: workspace -> channel -> handles or ids; `authors`: workspace -> the
        pseudonyms of those accounts (what the privacy stage made of them)."""
        self.handles = {
            (ws, channel): frozenset(normalize(channel, h) for h in handles)
            for ws, by_channel in accounts.items()
            for channel, handles in by_channel.items()
        }
        self.authors = {ws: frozenset(found) for ws, found in (authors or {}).items()}

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        if not self.handles and not self.authors:
            return batch
        return [self._one(s) for s in batch]

    def owns(self, s: Signal) -> bool:
        """Whether one of the workspace's own accounts wrote `s`."""
        if s.author is not None and s.author in self.authors.get(s.workspace, ()):
            return True
        handles = self.handles.get((s.workspace, s.channel))
        if not handles:
            return False
        return any(
            normalize(s.channel, who) in handles
            for who in (s.author_handle, s.author)
            if who is not None
        )

    def _one(self, s: Signal) -> Signal:
        own = s.own or self.owns(s)
        return s if own == s.own else msgspec.structs.replace(s, own=own)
