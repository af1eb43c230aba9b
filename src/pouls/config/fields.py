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


def read_secret(value: str | None, env: str | None, environ: Any = None) -> str | None:
    """A secret given inline or, preferably, by the name of the environment variable holding it."""
    if env:
        found = (os.environ if environ is None else environ).get(env)
        if found:
            return str(found)
    return value
