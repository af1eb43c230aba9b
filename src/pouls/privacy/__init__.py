"""Personal data under control: pseudonymisation, retention, export and erasure; a stage, not scattered ifs."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pouls.signals import DeadLetter, Signal


@runtime_checkable
class Guard(Protocol):
    """The privacy stage: it may not be skipped. `strip` is what is stored when `enrich` fails,
    and `redact` treats the dead letters of a batch the way `enrich` treats its signals."""

    name: str

    def enrich(self, batch: list[Signal]) -> list[Signal]: ...

    def strip(self, batch: list[Signal]) -> list[Signal]: ...

    def redact(self, dead_letters: list[DeadLetter]) -> list[DeadLetter]: ...
