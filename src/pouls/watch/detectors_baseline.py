"""The causal, seasonal baseline every detector compares a new value with.

Three small additive models run side by side: a flat level, a level plus a daily profile and a
level plus a weekly profile (Holt-Winters without trend). Each tracks its own recent error; the
forecast comes from the one that has lately been the most accurate, so a series without
seasonality is not forced into one. Outliers are clipped before they teach the models, so a
spike does not become the new normal; a lasting shift is let in through `rebase`.
"""

from __future__ import annotations

import math
from array import array

DAY = 86400.0
WEEK = 7 * DAY
MAX_DAY_BINS = 288  # 5-minute resolution at most: bounds the state of one series
MAX_WEEK_BINS = 336  # 30-minute resolution over the week
CLIP = 4.0  # residuals beyond CLIP scales teach the models as if they were CLIP scales
HORIZON = 2000.0  # steps over which the rarity of a deviation is judged
ERROR_RATE = 0.02  # model choice: the error of about the last 50 steps


class _Model:
    """Level plus an optional seasonal profile, with its own error scale."""

    __slots__ = ("bins", "error", "level", "period", "profile", "ready_at", "scale", "seen")

    def __init__(self, period: float, bins: int) -> None:
        self.period = period
        self.bins = bins
        self.profile = array("d", bytes(8 * bins)) if bins else array("d")
        self.level = math.nan
        self.scale = math.nan  # mean absolute one-step error, robustly updated
        self.error = math.inf  # slower mean absolute error, used to choose between models
        self.seen = 0
        self.ready_at = 0.0

    def slot(self, ts: float) -> int:
        return int((ts % self.period) * self.bins / self.period) if self.bins else 0

    def predict(self, slot: int) -> float:
        return self.level + self.profile[slot] if self.bins else self.level


class Baseline:
    """Causal forecast of the next value of one series, with the typical size of its error."""

    __slots__ = ("_models", "alpha", "gamma", "last", "n", "step")

    def __init__(self, alpha: float = 0.1, gamma: float = 0.25) -> None:
        self.alpha = alpha  # level smoothing
        self.gamma = gamma  # seasonal profile smoothing
        self.n = 0
        self.step = math.nan
        self.last = math.nan
        self._models: list[_Model] = []

    def _start(self, step: float) -> None:
        models = [_Model(DAY, 0)]
        if step < DAY:
            models.append(_Model(DAY, min(MAX_DAY_BINS, max(2, round(DAY / step)))))
        if step <= DAY:
            models.append(_Model(WEEK, min(MAX_WEEK_BINS, max(7, round(WEEK / step)))))
        first = self._models[0] if self._models else None
        for m in models:
            if first is not None:
                m.level, m.scale, m.seen = first.level, first.scale, first.seen
            m.ready_at = self.last + (1.5 * m.period if m.bins else 0.0)
        self._models = models

    def _best(self) -> _Model:
        best = self._models[0]
        for m in self._models[1:]:
            if m.error < best.error:
                best = m
        return best

    def forecast(self, ts: float) -> tuple[float, float]:
        """(expected value, typical absolute error) at ts, from what was seen before ts."""
        if not self._models:
            return math.nan, math.nan
        m = self._best()
        return m.predict(m.slot(ts)), m.scale

    def learn(self, ts: float, x: float) -> None:
        """Take the value x observed at ts into every model."""
        if self.n == 1 and ts > self.last:
            self._start(ts - self.last)
        elif self.n == 0:
            self._models = [_Model(DAY, 0)]
        if self.n > 1 and ts > self.last:
            self.step = min(self.step, ts - self.last) if self.step == self.step else ts - self.last
        self.n += 1
        self.last = ts
        for m in self._models:
            self._learn(m, ts, x)

    def _learn(self, m: _Model, ts: float, x: float) -> None:
        if m.level != m.level:
            m.level = x
            m.scale = 0.0
            m.seen = 1
            return
        slot = m.slot(ts)
        e = x - m.predict(slot)
        a = abs(e)
        ready = ts >= m.ready_at
        if ready:
            m.error = a if m.error == math.inf else m.error + ERROR_RATE * (a - m.error)
        limit = CLIP * m.scale
        if m.seen > 10 and a > limit and (ready or not m.bins):
            e = limit if e > 0 else -limit
        w = max(0.05, 1.0 / (m.seen + 1))
        m.scale += w * (min(a, 2 * limit if m.seen > 10 else a) - m.scale)
        if m.bins:
            cycles = (ts - m.ready_at) / m.period + 1.5
            g = self.gamma if cycles > 1.0 / self.gamma else 1.0 / max(cycles, 1.0)
            m.level += self.alpha * e
            m.profile[slot] += g * (1 - self.alpha) * e
        else:
            m.level += self.alpha * e
        m.seen += 1

    def rebase(self, x: float) -> None:
        """Accept x as the new level in every model (after a lasting shift)."""
        for m in self._models:
            if m.level == m.level:
                m.level = x - (m.profile[m.slot(self.last)] if m.bins else 0.0)


class Rarity:
    """How rare a deviation is in this series' own recent history (a forgetting histogram).

    Deviations are binned on a log scale; old observations fade with a half-life of about
    `horizon` steps. The tail probability makes scores comparable across series whose noise
    differs in shape, not only in size: a series that often jumps learns that jumps are usual.
    """

    __slots__ = ("_bins", "_gain", "_total", "horizon", "tail_decay")

    BINS = 56
    PER_OCTAVE = 4

    def __init__(self, horizon: float | None = None, *, tail_decay: float = 0.0) -> None:
        self.horizon = HORIZON if horizon is None else horizon
        # Beyond the largest deviation seen, the tail shrinks 2**tail_decay times per octave
        # (a power-law tail); 0 keeps the floor of one pseudo-observation, so the rarity of
        # a record saturates at about 1 / horizon whatever its size.
        self.tail_decay = tail_decay
        self._bins = array("d", bytes(8 * self.BINS))
        self._total = 0.0
        self._gain = 1.0  # weight of the next observation; grows instead of decaying the past

    def _bin(self, d: float) -> int:
        if d <= 0.5:
            return 0
        b = 1 + int(math.log2(d / 0.5) * self.PER_OCTAVE)
        return b if b < self.BINS else self.BINS - 1

    def tail(self, d: float) -> float:
        """Share of past deviations at least as large as d (with one pseudo-observation)."""
        b = self._bin(d)
        above = 0.0
        bins = self._bins
        for i in range(b, self.BINS):
            above += bins[i]
        if above == 0.0 and self.tail_decay > 0.0:
            top = b - 1
            while top > 0 and bins[top] == 0.0:
                top -= 1
            shrink = 2.0 ** (-(b - top - 1) * self.tail_decay / self.PER_OCTAVE)
            return self._gain * shrink / (self._total + self._gain)
        return (above + self._gain) / (self._total + self._gain)

    def add(self, d: float) -> None:
        """Remember the deviation d."""
        self._bins[self._bin(d)] += self._gain
        self._total += self._gain
        self._gain *= 1.0 + 1.0 / self.horizon
        if self._gain > 1e100:
            scale = 1.0 / self._gain
            for i in range(self.BINS):
                self._bins[i] *= scale
            self._total *= scale
            self._gain = 1.0
