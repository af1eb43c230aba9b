"""Settings of the privacy stage: how long what may name someone is kept."""

from __future__ import annotations

from typing import Annotated

import msgspec


class Privacy(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Retention of personal data pouls keeps for a while (see docs/privacy.md)."""

    dead_letter_days: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=3650,
            description=(
                "Days a dead letter (input that could not be read, with its reason) is kept, then"
                " deleted with its raw input; only workspace admins see that raw input."
            ),
        ),
    ] = 30
