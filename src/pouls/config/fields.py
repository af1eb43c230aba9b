"""Building blocks of every settings struct: help text, ids, secrets."""

from __future__ import annotations

import os
from typing import Annotated, Any

import msgspec


def doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


Name = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="An id: lowercase letters, digits, - and _.",
    ),
]


SourceName = Annotated[Name, msgspec.Meta(description="Source id, unique within the workspace.")]
WorkspaceId = Annotated[str, msgspec.Meta(description="Workspace id the signals belong to.")]
Backoff = Annotated[
    float,
    msgspec.Meta(
        gt=0, description="First wait, in seconds, after a failure; doubled each time, with jitter."
    ),
]
BackoffCap = Annotated[
    float,
    msgspec.Meta(
        gt=0, description="Longest wait, in seconds, between two attempts after failures."
    ),
]


def read_secret(value: str | None, env: str | None, environ: Any = None) -> str | None:
    """A secret given inline or, preferably, by the name of the environment variable holding it."""
    if env:
        found = (os.environ if environ is None else environ).get(env)
        if found:
            return str(found)
    return value
