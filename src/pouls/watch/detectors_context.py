"""Sequence novelty and the metric detector that `pouls detect` uses.

`ContextDetector` follows the idea of the Contextual Anomaly Detector (CAD OSE, Smirnov and
Ishkina, NAB 2016), written from its description: values become one of a few levels, the
last few levels form contexts, and a value is anomalous when the contexts it completes have
never been seen. `MetricDetector` joins it with the seasonal `VolumeDetector` and shapes the
result the way NAB rewards: one alert at the start of an event, then silence for a while.
"""

from __future__ import annotations

import math
from datetime import datetime

from pouls.watch.detectors_score import Score, check_sensitivity

RANGE_MARGIN = 2.0  # a new extreme widens the range by twice the old span: levels stay stable
CAPACITY = 8192  # contexts remembered per series; past this the memory starts afresh
NOVELTY_MEMORY = 0.001  # weight of a new novelty in its long-run mean (about 1,000 steps)
CONTEXT_WARMUP = 100  # steps before the novelty counts: every context is new at first


class ContextDetector:
    """How new is the sequence the latest value ends? (share of never-seen contexts, 0 to 1)

    The value is read as one of `levels` equal bins of the range seen so far; when a value
    falls outside the range, the range grows past it by `RANGE_MARGIN` spans, so the bins
    change rarely. For every order k from 1 to `order`, the last k levels are a context:
    the score averages the share of contexts never seen before and, among the known ones,
    the share whose next level had never followed them.
    """

    __slots__ = ("_history", "_next", "_size", "hi", "levels", "lo", "order")

    def __init__(self, levels: int = 12, order: int = 7) -> None:
        if not 2 <= levels <= 60 or order < 1:
            raise ValueError("levels must lie in 2..60 and order be at least 1")
        self.levels = levels
        self.order = order
        self.lo = math.inf
        self.hi = -math.inf
        self._history = 0  # the last `order` levels, base `levels` digits
        self._size = 0  # how many levels `_history` holds
        self._next: dict[int, int] = {}  # context -> bit mask of the levels seen after it

    def _level(self, x: float) -> int:
        lo, hi = self.lo, self.hi
        if hi < lo:
            lo = hi = x
        elif hi == lo:
            lo, hi = min(lo, x), max(hi, x)
        elif x > hi:
            hi = x + RANGE_MARGIN * max(hi - lo, x - lo)
        elif x < lo:
            lo = x - RANGE_MARGIN * max(hi - lo, hi - x)
        self.lo, self.hi = lo, hi
        if hi == lo:
            return 0
        return min(self.levels - 1, int((x - lo) / (hi - lo) * self.levels))

    def novelty(self, x: float) -> float:
        """Score x (0 to 1), then learn it."""
        level = self._level(x)
        table = self._next
        if len(table) >= CAPACITY:
            table.clear()
        known = followed = unknown = 0
        span = 1
        bit = 1 << level
        for k in range(1, min(self.order, self._size) + 1):
            span *= self.levels
            key = (self._history % span) * 64 + k
            mask = table.get(key)
            if mask is None:
                unknown += 1
                table[key] = bit
            else:
                known += 1
                if mask & bit:
                    followed += 1
                else:
                    table[key] = mask | bit
        self._history = (self._history * self.levels + level) % (self.levels**self.order)
        self._size = min(self._size + 1, self.order)
        total = known + unknown
        if total == 0:
            return 0.0
        missed = 1.0 - followed / known if known else 1.0
        return 0.5 * (missed + unknown / total)

    def update(self, timestamp: float | datetime, value: float) -> Score:
        """Score `value`; `alert` is left to `MetricDetector`, which shapes the scores."""
        x = float(value)
        return Score(self.novelty(x), False, math.nan, x)


class MetricDetector:
    """Spikes, dips, shifts and odd patterns of any metric: what `pouls detect` runs.

    The score is the larger of the seasonal `VolumeDetector`'s score (how far the value is
    from its forecast and from the long-run level, judged by rarity) and the sequence novelty
    of `ContextDetector`, less the novelty usual for this series (a noisy series is always a
    little new). An alert fires when it reaches the sensitivity's bar; the next `rest` steps
    then score 0, so one event is one alert, raised early (what NAB rewards). Only the
    volume detector's own alert (its score at 0.5) may break into a rest that the novelty
    alone started. The score is rescaled so that 0.5 is the bar at any sensitivity.
    """

    __slots__ = (
        "_bar",
        "_by_volume",
        "_context",
        "_n",
        "_quiet_until",
        "_usual",
        "_volume",
        "rest",
    )

    def __init__(self, sensitivity: float = 0.5, *, rest: int = 100) -> None:
        from pouls.watch.detectors import VolumeDetector

        check_sensitivity(sensitivity)
        self._bar = 1.1 * (1.0 - sensitivity)  # 0.55 at the default sensitivity
        self.rest = rest
        self._volume = VolumeDetector(sensitivity, cooldown=0)
        self._context = ContextDetector()
        self._usual = 0.0  # long-run mean novelty of this series
        self._n = 0
        self._quiet_until = -1
        self._by_volume = True

    def _novelty(self, x: float, n: int) -> float:
        novelty = self._context.novelty(x)
        usual = self._usual
        self._usual += max(NOVELTY_MEMORY, 1.0 / (n + 1)) * (novelty - usual)
        if n < CONTEXT_WARMUP or usual >= 1.0:
            return 0.0
        return max(0.0, novelty - usual) / (1.0 - usual)

    def update(self, timestamp: float | datetime, value: float) -> Score:
        """Score `value` seen at `timestamp`, then learn from it."""
        base = self._volume.update(timestamp, value)
        n = self._n
        self._n += 1
        volume = base.anomaly_score
        raw = max(volume, self._novelty(base.observed, n))
        bar = self._bar
        if n <= self._quiet_until:
            if self._by_volume or volume < 0.5:
                return Score(0.0, False, base.baseline, base.observed, base.deviation)
            raw = max(raw, bar)  # the volume detector's own alert breaks into the rest
        alert = raw >= bar
        if alert:
            self._quiet_until = n + self.rest
            self._by_volume = volume >= 0.5
        score = min(1.0, 0.5 * raw / bar)
        return Score(score, alert, base.baseline, base.observed, base.deviation)
