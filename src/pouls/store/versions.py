"""Which of two versions of one signal is the newer, so a replayed old delivery never wins.

A signal stored before is replaced only by a version at least as new (issue 11, item 7): the
platform's edit time decides first (an edit replaces the original; the original never replaces
an edit; of two edits, the later); without one on either side, the time each version was
observed does, an older observation losing only when it is older by more than `TOLERANCE`
(clocks of several workers differ a little; a re-fetch seconds apart still updates metrics).
Two versions with the same edit time are one version: storing it again is a no-op. Without an
edit time anywhere, a replay observed later than the stored version is taken as newer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from pouls.signals import Signal
from pouls.store.rows import to_us

TOLERANCE = timedelta(seconds=5)
_TOLERANCE_US = int(TOLERANCE.total_seconds() * 1_000_000)


class Version(NamedTuple):
    """What decides a version's age: its edit time and when it was observed (microseconds)."""

    edited_us: int | None
    observed_us: int


def version(signal: Signal) -> Version:
    """The age of a signal about to be stored."""
    edited = None if signal.edited_at is None else to_us(signal.edited_at)
    return Version(edited, to_us(signal.observed_at))


def stored_version(edited_at: str | None, observed_us: int) -> Version:
    """The age of a stored signal, from its document's `edited_at` and its `observed_at` column."""
    if not edited_at:
        return Version(None, observed_us)
    try:
        return Version(to_us(datetime.fromisoformat(edited_at)), observed_us)
    except ValueError:
        return Version(None, observed_us)


def replaces(new: Version, old: Version) -> bool:
    """Whether the version `new` may replace `old`: never when it is older, nor when the same."""
    if new.edited_us is not None or old.edited_us is not None:
        if old.edited_us is None:
            return True  # an edit replaces the original
        if new.edited_us is None:
            return False  # the original, replayed, never replaces an edit
        return new.edited_us > old.edited_us
    return new.observed_us >= old.observed_us - _TOLERANCE_US
