"""What carries accepted deliveries from the routes that accept them to the stages that store them.

A `Journal` is durable: what `append` returned for survives a crash, and is given again by
`take` until `ack` says it was stored. The embedded one is a table of the SQLite store
(`pouls.store.journal`), acknowledged inside the put that stores it; a NATS JetStream stream
(issue #17) is meant to satisfy the same protocol, acknowledged after the put, whose stable ids
make a replay a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pouls.signals import Batch


@dataclass(frozen=True)
class Delivery:
    """What one webhook request brought, for one source of one workspace."""

    workspace: str
    source: str
    batch: Batch


@dataclass(frozen=True)
class Journaled:
    """A delivery as the journal gives it back: its sequence number and how many entries
    (signals and dead letters) it counts for in the backlog."""

    seq: int
    delivery: Delivery
    size: int


class Journal(Protocol):
    """Deliveries accepted and not yet stored, in the order they were accepted."""

    def append(self, deliveries: Sequence[Delivery]) -> list[int]:
        """Keep the deliveries durably, all at once; their sequence numbers."""
        ...

    def append_now(self, deliveries: Sequence[Delivery]) -> list[int] | None:
        """`append` if it can be done at once, without waiting for a lock or a peer; else None
        (the caller, an event loop, then appends from a worker thread)."""
        ...

    def take(self, limit: int, after: int = 0) -> list[Journaled]:
        """The oldest deliveries past `after`, up to `limit` entries (at least one delivery)."""
        ...

    def ack(self, seqs: Sequence[int]) -> None:
        """Forget these deliveries: they are stored."""
        ...

    def backlog(self) -> int:
        """How many entries wait to be stored."""
        ...


def size(delivery: Delivery) -> int:
    """What a delivery counts for in the backlog: its entries, at least one."""
    return max(1, len(delivery.batch.signals) + len(delivery.batch.dead_letters))
