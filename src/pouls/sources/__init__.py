"""Connectors: each turns one kind of input into batches of signals with a resumable cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from pouls.signals import Batch


class Source(Protocol):
    """A configured connector instance.

    `stream(cursor)` yields batches; each batch carries the cursor to save once it is stored.
    The pipeline saves that cursor in the same transaction as the batch, so a source never
    advances past what was committed. `name` and `workspace` identify the instance.
    """

    name: str
    workspace: str

    def stream(self, cursor: str | None) -> AsyncIterator[Batch]: ...
