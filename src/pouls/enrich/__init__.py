"""Enrichments: one module per kind (language, sentiment, entities, toxicity, scam, duplicates).

Models ship inside the package and run offline on a CPU.
"""

from __future__ import annotations

from typing import Protocol

from pouls.signals import Signal


class Enricher(Protocol):
    """Adds one kind of enrichment to a batch; pure with respect to the store.

    Signals are frozen, so `enrich` returns the batch with new copies where it changed one.
    """

    name: str

    def enrich(self, batch: list[Signal]) -> list[Signal]: ...
