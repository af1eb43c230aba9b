"""What every detector answers (`Score`) and the small conversions they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

_EPOCH = datetime(1970, 1, 1)
POISSON_BELOW = 50.0  # above this expected count, the learnt error alone judges a count


@dataclass(frozen=True, slots=True)
class Score:
    """What a detector concluded about one value."""

    anomaly_score: float  # in [0, 1]; 0.5 and above is alert-worthy
    alert: bool  # a new alert starts here (the detector's cool-down is applied)
    baseline: float  # the value expected from the past
    observed: float  # the value seen
    deviation: float = 0.0  # signed distance from the baseline in typical errors (a z-score)


def seconds(timestamp: float | datetime) -> float:
    """Epoch seconds from a number or a datetime (naive datetimes are read as UTC)."""
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            return (timestamp - _EPOCH).total_seconds()
        return timestamp.timestamp()
    return float(timestamp)


def check_sensitivity(sensitivity: float) -> float:
    """The sensitivity itself, once checked to lie strictly between 0 (deaf) and 1 (jumpy)."""
    if not 0.0 < sensitivity < 1.0:
        raise ValueError("sensitivity must be strictly between 0 and 1")
    return sensitivity


def squash(z: float, z_alert: float) -> float:
    """A logistic on a deviation: 0.5 exactly at the alert level, strictly increasing."""
    t = 1.5 * (z - z_alert)
    if t > 35:
        return 1.0 - math.exp(-t)
    if t < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-t))


def deviation(x: float, expected: float, scale: float, count_like: bool) -> float:
    """Signed distance of x from its forecast, in typical errors (a z-score).

    The learnt error is floored so that a flat stretch does not make every wiggle look huge.
    Counts also get a Poisson reading (Anscombe's variance-stabilising transform) and the
    milder of the two is kept at low volumes: a jump from 1 to 7 is noise, not news.
    """
    s = 1.25 * scale
    if not count_like or expected > POISSON_BELOW:
        return (x - expected) / max(s, 1e-3 * abs(expected), 1e-9)
    z = (x - expected) / max(s, 1e-9)
    poisson = 2.0 * (math.sqrt(x + 0.375) - math.sqrt(max(expected, 0.0) + 0.125))
    return z if abs(z) < abs(poisson) else poisson
