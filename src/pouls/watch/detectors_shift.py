"""Detectors of lasting changes: a level shift in a series, a sudden rise of a share."""

from __future__ import annotations

import math
from datetime import datetime

from pouls.watch.detectors_baseline import Baseline
from pouls.watch.detectors_score import Score, check_sensitivity, deviation, seconds, squash


class LevelShiftDetector:
    """A lasting move of the level (two-sided CUSUM on deviations from a slow baseline)."""

    __slots__ = ("_base", "_count_like", "_down", "_recent", "_up", "drift", "limit", "warmup")

    def __init__(self, sensitivity: float = 0.5, *, drift: float = 0.5, warmup: int = 24) -> None:
        check_sensitivity(sensitivity)
        self.limit = 4.0 + 16.0 * (1.0 - sensitivity)  # CUSUM decision interval, in errors
        self.drift = drift  # deviations below this many errors do not accumulate
        self.warmup = warmup
        self._base = Baseline(alpha=0.02)
        self._count_like = True
        self._up = 0.0
        self._down = 0.0
        self._recent = math.nan

    def update(self, timestamp: float | datetime, value: float) -> Score:
        """Score `value` seen at `timestamp`, then learn from it."""
        ts = seconds(timestamp)
        x = float(value)
        if self._count_like and (x < 0 or x != int(x)):
            self._count_like = False
        self._recent = (
            x if self._recent != self._recent else self._recent + 0.3 * (x - self._recent)
        )
        expected, scale = self._base.forecast(ts)
        if self._base.n < 2 or expected != expected:
            self._base.learn(ts, x)
            return Score(0.0, False, x, x)
        z = deviation(x, expected, scale, self._count_like)
        zc = max(-6.0, min(6.0, z))
        self._up = max(0.0, self._up + zc - self.drift)
        self._down = max(0.0, self._down - zc - self.drift)
        stat = max(self._up, self._down)
        signed = stat if self._up >= self._down else -stat
        if self._base.n < self.warmup:
            self._up = self._down = 0.0
            self._base.learn(ts, x)
            return Score(0.0, False, expected, x, signed)
        score = squash(stat / self.limit * 4.0, 4.0)
        self._base.learn(ts, x)
        alert = stat >= self.limit
        if alert:
            self._base.rebase(self._recent)
            self._up = self._down = 0.0
        return Score(score, alert, expected, x, signed)


class ShareDetector:
    """A sudden rise of a share (negative, toxic, scam...) from hits out of totals per bucket.

    Evidence is pooled over the last few buckets, so a rise shows even when each bucket holds
    a handful of signals, and a lone bucket of 2 out of 2 is not enough to alert.
    """

    __slots__ = (
        "_hits",
        "_n",
        "_quiet",
        "_short_hits",
        "_short_total",
        "_total",
        "cooldown",
        "keep",
        "min_hits",
        "pool",
        "warmup",
        "z_alert",
    )

    OVERDISPERSION = 0.05  # shares wander more than a binomial says: widen the variance

    def __init__(
        self,
        sensitivity: float = 0.5,
        *,
        min_hits: float = 3.0,
        memory: float = 168.0,
        pool: float = 0.5,
        cooldown: int = 6,
        warmup: int = 12,
    ) -> None:
        check_sensitivity(sensitivity)
        self.z_alert = 2.5 + 5.0 * (1.0 - sensitivity)
        self.min_hits = min_hits  # fewer pooled hits than this never alert
        self.keep = 1.0 - 1.0 / memory  # the baseline forgets with this factor per bucket
        self.pool = pool  # weight kept by the previous buckets' evidence, per bucket
        self.cooldown = cooldown
        self.warmup = warmup
        self._hits = self._total = 0.0
        self._short_hits = self._short_total = 0.0
        self._n = 0
        self._quiet = -1

    def update(self, timestamp: float | datetime, hits: float, total: float) -> Score:
        """Score a bucket where `hits` of `total` signals have the property watched."""
        if hits < 0 or total < hits:
            raise ValueError("need 0 <= hits <= total")
        seconds(timestamp)
        base = (self._hits + 0.5) / (self._total + 1.0)
        self._short_hits = self._short_hits * self.pool + hits
        self._short_total = self._short_total * self.pool + total
        n_s = self._short_total
        expected = n_s * base
        var = n_s * base * (1.0 - base) * (1.0 + self.OVERDISPERSION * n_s) + 0.25
        z = (self._short_hits - expected) / math.sqrt(var)
        score = squash(z, self.z_alert)
        self._n += 1
        observed = hits / total if total else math.nan
        alert = False
        if self._n <= self.warmup or self._short_hits < self.min_hits:
            score = min(score, 0.49)
        elif self._n <= self._quiet:
            pass
        elif score >= 0.5:
            alert = True
            self._quiet = self._n + self.cooldown
        self._hits = self._hits * self.keep + hits
        self._total = self._total * self.keep + total
        return Score(score, alert, base, observed, z)
