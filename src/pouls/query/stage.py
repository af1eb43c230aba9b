"""The topic-matching stage: every new signal is tested against all topics of its workspace.

Topics live in the store; the stage reloads a workspace's matcher when the store says its
topics changed (checked at most every `refresh` seconds), updating only the topics that moved.
`on_reload(workspace, names)` hears which topics the stage now matches live: a batch read with
the old matcher may be stored after the topic's backfill passed, so the store extends that
backfill to what it holds at this moment (see `Topics.live_from`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import msgspec

from pouls.query.matcher import Matcher
from pouls.query.parser import QueryError
from pouls.signals import Signal

TopicList = Callable[[str], Sequence[tuple[str, str]]]  # workspace -> [(name, query)]
Version = Callable[[str], int]
Reloaded = Callable[[str, list[str]], None]


class TopicStage:
    """Enricher setting `topics` on each signal from the saved topics of its workspace."""

    name = "topics"

    def __init__(
        self,
        topics: TopicList,
        version: Version,
        *,
        refresh: float = 2.0,
        on_reload: Reloaded | None = None,
    ) -> None:
        self._topics = topics
        self._version = version
        self._refresh = refresh
        self._on_reload = on_reload
        self._matchers: dict[str, tuple[Matcher, dict[str, str], int, float]] = {}

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        out = []
        for signal in batch:
            matcher = self._matcher(signal.workspace)
            found = tuple(matcher.match(signal)) if len(matcher) else ()
            merged = tuple(sorted(set(signal.topics) | set(found)))
            out.append(
                signal
                if merged == signal.topics
                else msgspec.structs.replace(signal, topics=merged)
            )
        return out

    def _matcher(self, workspace: str) -> Matcher:
        now = time.monotonic()
        cached = self._matchers.get(workspace)
        if cached is not None and now - cached[3] < self._refresh:
            return cached[0]
        version = self._version(workspace)
        if cached is not None and cached[2] == version:
            self._matchers[workspace] = (cached[0], cached[1], version, now)
            return cached[0]
        matcher, known = (cached[0], cached[1]) if cached else (Matcher(), {})
        wanted = dict(self._topics(workspace))
        for name in set(known) - set(wanted):
            matcher.remove(name)
            del known[name]
        changed = []
        for name, query in wanted.items():
            if known.get(name) == query:
                continue
            try:
                matcher.update(name, query)
            except QueryError:
                continue  # stored topics are checked when saved; never let one block the stream
            known[name] = query
            changed.append(name)
        self._matchers[workspace] = (matcher, known, version, now)
        if changed and cached is not None and self._on_reload is not None:
            self._on_reload(workspace, changed)  # the first load has no old matcher to race
        return matcher
