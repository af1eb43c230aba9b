"""Sequence novelty: how new is the sequence of levels that the latest value ends?

`ContextDetector` follows the idea of the Contextual Anomaly Detector (CAD OSE, Smirnov and
Ishkina, NAB 2016), written from its description: values become one of a few levels, the
last few levels form contexts, and a value is anomalous when the contexts it completes have
never been seen. `detectors_metric.MetricDetector` runs several of them.
"""

from __future__ import annotations

import math
from datetime import datetime

from pouls.watch.detectors_score import Score

RANGE_MARGIN = 2.0  # a new extreme widens the range by twice the old span: levels stay stable
CAPACITY = 8192  # contexts remembered per series; past this the memory starts afresh


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
