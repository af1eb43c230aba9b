"""One commit for many webhook deliveries: their signals enriched as one batch, stored in one put.

When the store (or a stage) refuses the group, it is split in halves until the entries at
fault are found: those become dead letters with the reason, the others are stored, so one bad
entry never costs its neighbours (or the other senders) a 5xx. Runs in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pouls import pipeline
from pouls.bus import Delivery
from pouls.bus.wire import ascii_only, escaped, refused
from pouls.enrich import Enricher
from pouls.signals import DeadLetter, Signal
from pouls.store import PutResult, Store

log = logging.getLogger("pouls.web.intake")

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Outcome:
    """What became of one delivery: its counts, its signals as stored (enriched), and the
    entries that became dead letters at commit time (beside those its parser refused)."""

    result: PutResult = field(default_factory=PutResult)
    stored: list[Signal] = field(default_factory=list)
    refused: list[DeadLetter] = field(default_factory=list)


Entry = tuple[int, Signal]  # (index of its delivery in the group, the signal)


def commit(
    store: Store,
    stages: Sequence[Enricher],
    group: Sequence[Delivery],
    acked: Sequence[int] = (),
) -> list[Outcome]:
    """Enrich and store the deliveries of `group` together; one Outcome per delivery, in order.
    `acked`: the journal entries they came from, forgotten by the transaction that stores them."""
    outcomes = [Outcome() for _ in group]
    entries = [(k, s) for k, d in enumerate(group) for s in d.batch.signals]
    if entries and stages:
        entries = _enrich(stages, group, entries, outcomes)
    known = _known(store, [s.id for _, s in entries])
    dead = [d for delivery in group for d in delivery.batch.dead_letters]
    dead = pipeline.redact(stages, dead)  # privacy: their raw input too
    cursors = {(d.workspace, d.source): d.batch.cursor for d in group}  # later ones win
    try:
        result = store.put(
            [s for _, s in entries],
            dead_letters=dead + pipeline.redact(stages, [d for o in outcomes for d in o.refused]),
            cursors=cursors,
            acked=acked,
        )
        stored = _kept(group, entries, set(result.refused), outcomes)
    except Exception as exc:
        log.warning("a group of %d deliveries was refused (%s): splitting it", len(group), exc)
        stored = _split_put(store, group, entries, outcomes)
        dead += pipeline.redact(stages, [d for o in outcomes for d in o.refused])
        _put_dead_letters(store, dead, cursors, acked)
    _count(group, stored, known, outcomes)
    return outcomes


def _enrich(
    stages: Sequence[Enricher],
    group: Sequence[Delivery],
    entries: list[Entry],
    outcomes: list[Outcome],
) -> list[Entry]:
    """The entries through the stages; an entry that makes them raise becomes a dead letter."""

    def run(part: list[Entry]) -> list[Entry]:
        done = pipeline.apply(stages, [s for _, s in part])
        if len(done) != len(part):
            raise RuntimeError(f"the stages returned {len(done)} signals for {len(part)}")
        return [(k, s) for (k, _), s in zip(part, done, strict=True)]

    def failed(entry: Entry, exc: Exception) -> None:
        k, signal = entry
        outcomes[k].refused.append(refused(group[k], signal, "could not be enriched", exc))

    return [e for _, done in _bisect(entries, run, failed) for e in done]


def _kept(
    group: Sequence[Delivery], entries: list[Entry], refused: set[str], outcomes: list[Outcome]
) -> list[Entry]:
    """The entries the store wrote; those it kept as dead letters instead are told to their
    senders as refused (the store has already recorded them, with its reason)."""
    if not refused:
        return entries
    for k, signal in entries:
        if signal.id in refused:
            outcomes[k].refused.append(
                DeadLetter(
                    workspace=group[k].workspace,
                    source=group[k].source,
                    reason="could not be stored: kept as a dead letter",
                    raw="",
                    position=f"id:{signal.id}",
                )
            )
    return [(k, s) for k, s in entries if s.id not in refused]


def _split_put(
    store: Store, group: Sequence[Delivery], entries: list[Entry], outcomes: list[Outcome]
) -> list[Entry]:
    """Store the entries in halves, down to single ones; those refused alone become dead letters."""

    def run(part: list[Entry]) -> None:
        store.put([s for _, s in part])

    def failed(entry: Entry, exc: Exception) -> None:
        k, signal = entry
        log.warning("signal %s of %s/%s refused by the store: %s", signal.id, *_key(group[k]), exc)
        outcomes[k].refused.append(refused(group[k], signal, "could not be stored", exc))

    return [e for part, _ in _bisect(entries, run, failed) for e in part]


def _put_dead_letters(
    store: Store,
    dead: list[DeadLetter],
    cursors: dict[tuple[str, str], str | None],
    acked: Sequence[int],
) -> None:
    """The group's dead letters, cursors and journal acknowledgements, last (a crash before
    replays the group, whose stored halves are then no-ops); refused, again in plain ASCII."""
    try:
        store.put([], dead_letters=dead, cursors=cursors, acked=acked)
    except Exception as exc:
        log.warning("dead letters refused (%s): storing them escaped", exc)
        plain = [escaped(d) for d in dead]
        store.put([], dead_letters=plain, cursors=_escaped_cursors(cursors), acked=acked)


def _bisect(
    items: list[T], run: Callable[[list[T]], R], failed: Callable[[T, Exception], None]
) -> list[tuple[list[T], R]]:
    """`run(items)`, or on failure `run` on each half, down to single items given to `failed`."""
    if not items:
        return []
    try:
        return [(items, run(items))]
    except Exception as exc:
        if len(items) == 1:
            failed(items[0], exc)
            return []
    middle = len(items) // 2
    return _bisect(items[:middle], run, failed) + _bisect(items[middle:], run, failed)


def _count(
    group: Sequence[Delivery], stored: list[Entry], known: set[str], outcomes: list[Outcome]
) -> None:
    """Each delivery's own counts: an id is new for the first delivery of the group bearing it."""
    seen = set(known)
    for k, signal in stored:
        outcome = outcomes[k]
        outcome.stored.append(signal)
        if signal.id in seen:
            outcome.result.existing += 1
        else:
            outcome.result.inserted += 1
            seen.add(signal.id)
    for k, delivery in enumerate(group):
        outcomes[k].result.dead_letters = len(delivery.batch.dead_letters) + len(
            outcomes[k].refused
        )


def _known(store: Store, ids: list[str]) -> set[str]:
    known: Callable[[Sequence[str]], set[str]] | None = getattr(store, "known", None)
    if known is None or not ids:
        return set()
    try:
        return known(ids)
    except Exception:  # only the counts depend on it: count them all as new
        log.exception("could not look up which signals were stored")
        return set()


def _key(d: Delivery) -> tuple[str, str]:
    return d.workspace, d.source


def _escaped_cursors(
    cursors: dict[tuple[str, str], str | None],
) -> dict[tuple[str, str], str | None]:
    return {key: ascii_only(cursor) for key, cursor in cursors.items()}
