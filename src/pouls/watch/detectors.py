"""Streaming detectors: each takes one (timestamp, value) at a time and says how unusual it is.

Every detector is causal (a decision at time t uses nothing after t), keeps a small bounded
state (a few hundred floats at most, so 10,000 topics fit in memory) and answers
`update(timestamp, value) -> Score`. `VolumeDetector` watches social volumes (alert rules);
`MetricDetector` (what `pouls detect` runs, best on NAB), `ContextDetector`,
`LevelShiftDetector`, `ShareDetector` and the `Cooldown` grouping live in sibling modules.
"""

from __future__ import annotations

import math
from datetime import datetime

from pouls.watch.detectors_baseline import Baseline, Rarity
from pouls.watch.detectors_context import ContextDetector
from pouls.watch.detectors_episode import Change, Cooldown, Episode
from pouls.watch.detectors_metric import MetricDetector
from pouls.watch.detectors_score import Score, check_sensitivity, deviation, seconds
from pouls.watch.detectors_shift import LevelShiftDetector, ShareDetector

__all__ = [
    "Change",
    "ContextDetector",
    "Cooldown",
    "Episode",
    "LevelShiftDetector",
    "MetricDetector",
    "Score",
    "ShareDetector",
    "VolumeDetector",
    "seconds",
]

QUIET_FACTOR = 0.1  # during a cool-down, scores are damped so one event is not fifty alerts
LEVEL_MEMORY = 0.001  # weight of a new value in the long-run mean and variance of the level
REBASE_RUN = 3.0  # a run of deviations averaging this many errors is a new level, not a spike


class VolumeDetector:
    """Spikes and dips of a volume, or of any metric, against a seasonal baseline.

    Two questions make the score: how far is the value from its forecast (in typical errors),
    and how far from the series' long-run level; each distance is judged by how rare it has
    been in this series. The score passes 0.5 when a distance both exceeds the sensitivity's
    bar and is rarer than the sensitivity's tail probability; then a cool-down starts.
    """

    __slots__ = (
        "_base",
        "_count_like",
        "_far",
        "_mean",
        "_near",
        "_quiet_until",
        "_run",
        "_var",
        "cooldown",
        "direction",
        "surprise_alert",
        "warmup",
        "z_alert",
    )

    def __init__(
        self,
        sensitivity: float = 0.5,
        *,
        direction: int = 0,
        cooldown: int = 150,
        warmup: int = 24,
        tail_decay: float = 0.0,
    ) -> None:
        check_sensitivity(sensitivity)
        self.z_alert = 9.0 * (1.0 - sensitivity)  # at least this many typical errors away
        self.surprise_alert = 5.0 * (1.0 - sensitivity)  # and -log10 of its rarity above this
        self.direction = direction  # +1 rises only, -1 falls only, 0 both
        self.cooldown = cooldown  # steps during which a new alert is folded into the last one
        self.warmup = warmup
        self._base = Baseline()
        self._near = Rarity(tail_decay=tail_decay)
        self._far = Rarity(tail_decay=tail_decay)
        self._count_like = True
        self._quiet_until = -1
        self._run = 0.0
        self._mean = math.nan
        self._var = 0.0

    def _oriented(self, z: float) -> float:
        if self.direction == 0:
            return abs(z)
        return max(0.0, z * self.direction)

    def _level_distance(self, x: float) -> float:
        if self._mean != self._mean:
            self._mean = x
        dev = x - self._mean
        sd = math.sqrt(self._var) if self._var > 0 else 1e-9
        self._mean += LEVEL_MEMORY * dev
        self._var = (1 - LEVEL_MEMORY) * (self._var + LEVEL_MEMORY * dev * dev)
        return self._oriented(dev / sd)

    def update(self, timestamp: float | datetime, value: float) -> Score:
        """Score `value` seen at `timestamp`, then learn from it."""
        ts = seconds(timestamp)
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            raise ValueError("value must be a finite number")
        if self._count_like and (x < 0 or x != int(x)):
            self._count_like = False
        expected, scale = self._base.forecast(ts)
        n = self._base.n
        if n < 2 or expected != expected:
            self._base.learn(ts, x)
            self._level_distance(x)
            return Score(0.0, False, x, x)
        z = deviation(x, expected, scale, self._count_like)
        self._run = 0.7 * self._run + 0.3 * max(-8.0, min(8.0, z))
        near = self._oriented(z)
        surprise = -math.log10(self._near.tail(near))
        self._near.add(near)
        far = self._level_distance(x)
        surprise = max(surprise, -math.log10(self._far.tail(far)))
        self._far.add(far)
        score = surprise / (surprise + self.surprise_alert)
        if near < self.z_alert:
            score *= near / self.z_alert
        alert = False
        if n < self.warmup:
            score = 0.0
        elif n <= self._quiet_until:
            score *= QUIET_FACTOR
        elif score >= 0.5:
            alert = True
            self._quiet_until = n + self.cooldown
        self._base.learn(ts, x)
        if abs(self._run) > REBASE_RUN:
            self._base.rebase(x)
            self._run = 0.0
        return Score(score, alert, expected, x, z)
