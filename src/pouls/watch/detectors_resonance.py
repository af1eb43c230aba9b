"""ARTime's anomaly detector, made causal: adaptive resonance over windows of the series.

A numpy port of ARTime (Mark Hampton, 2021; NAB leaderboard 74.9), ARTimeNAB.jl
src/ARTime.jl, https://github.com/markNZed/ARTimeNAB.jl, AGPL-3.0 (as pouls). Upstream is
handed the file's minimum, maximum and length by NAB; a causal detector cannot be, so the
probation has a fixed length and the value range is read from it (values past it are
clamped). Everything else follows upstream step by step.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import NDArray

from pouls.watch.detectors_art import DualVigilanceART

WINDOW = 8  # downsampled values per feature window (a power of two: Haar transform)
WINDOWS_PER_PROBATION = 13
LEVELS = 80  # values are rounded to 1/80 of the range
CHOMP = 0.075  # values this close to the running median are read as the median
INITIAL_RHO = 0.80
SQRT_HALF = math.sqrt(0.5)
PROBATIONS = (200, 400, 600)  # rungs of `Resonance`: a probation ends after this many values
RANGE_MARGIN = 0.25  # the probation's range, widened by a quarter of its span on each side


def haar(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Full periodic Haar transform as Wavelets.jl `dwt(x, wavelet(WT.haar))` orders it."""
    out = np.empty_like(x)
    s = x
    end = len(x)
    while end > 1:
        odd, even = s[0::2], s[1::2]
        out[end // 2 : end] = SQRT_HALF * (even - odd)
        s = SQRT_HALF * (odd + even)
        end //= 2
    out[0] = s[0]
    return out


def similarity(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Cosine similarity, with upstream's reading of a zero vector."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0:
        return 1.0 - nb
    if nb == 0.0:
        return 1.0 - na
    return float(a @ b) / (na * nb)


class ResonanceDetector:
    """Spikes and broken patterns of a metric, as ARTime finds them; 0 during the probation.

    Each `step` values are downsampled to one (their extreme, when it stands 10% off their
    mean), scaled to the probation's range, rounded to 80 levels and snapped to the running
    median when close; each window of 8 such values, with its Haar transform, is one input
    of a dual-vigilance fuzzy ART. An input that founds a new cluster is an anomaly, scored
    by how far it fell below the vigilances, unless it comes just after another (a mask).
    The vigilances follow the similarities seen, as upstream adapts them.
    """

    def __init__(
        self,
        probation: int = 750,
        *,
        value_range: tuple[float, float] | None = None,
        margin: float = 0.0,
    ) -> None:
        probation -= probation % 2
        self.step = max(1, probation // (WINDOW * WINDOWS_PER_PROBATION))
        self.trend_window = probation // self.step
        self.mask = int(WINDOW * 1.5)
        self._range = value_range
        self._margin = margin
        self._lo = 0.0
        self._span = 1.0
        self._i = 0  # raw values seen
        self._dsi = 0  # downsampled values made
        self._buffer: list[float] = []
        self._ds_window: deque[float] = deque([0.0] * self.step, maxlen=self.step)
        self._f_window: deque[float] = deque([0.0] * WINDOW, maxlen=WINDOW)
        self._moving_average = 0.0
        self._medbin = [0] * (LEVELS + 1)
        self._medlevel = self._below = self._above = 0
        self._art = DualVigilanceART(2 * WINDOW)
        tw = self.trend_window
        self._sim_window: deque[float] = deque([1.0] * (tw // 2 + 1), maxlen=tw // 2 + 1)
        self._sim_diff: deque[float] = deque([0.0] * (tw + 1), maxlen=tw + 1)
        self._sim_sum = 0.0
        self._sim_count = 0
        self._last_anomaly_i = 0
        self._last_anomaly_sim = 0.0
        self._last_rho_update_i = 0
        self._mask_after_cat = False
        self._no_new_cat = 0
        self._history_sum = 0.0
        self._history_n = 0
        self._history_last = 0.0

    def read(self, value: float) -> float:
        """The anomaly score (0 to 1) of `value`, then learn from it."""
        self._i += 1
        if self._i <= self.trend_window * self.step:
            self._buffer.append(value)
            if self._i == self.trend_window * self.step:
                self._end_probation()
            return 0.0
        return self._sample(value)

    def _end_probation(self) -> None:
        values = self._buffer
        lo, hi = self._range if self._range is not None else (min(values), max(values))
        span = hi - lo
        self._lo = lo - self._margin * span
        self._span = span * (1.0 + 2.0 * self._margin)
        rows = []
        for n, value in enumerate(values, start=1):
            self._ds_window.append(value)
            if n % self.step == 0:
                rows.append(self._features(self._downsample()))
        self._buffer = []
        features = np.array(rows)
        rho = self._initial_rho(features[WINDOW - 1 :])
        self._art.rho_lb = self._art.rho_ub = rho
        for i, f in enumerate(features, start=1):
            self._detect(f, i)

    def _sample(self, value: float) -> float:
        self._ds_window.append(value)
        if self._i % self.step:
            return 0.0
        f = self._features(self._downsample())
        return self._detect(f, self._dsi)

    def _downsample(self) -> float:
        """One value for the last `step`: their extreme when it stands out, else their mean."""
        window = self._ds_window
        mean = sum(window) / len(window)
        high, low = max(window), min(window)
        self._dsi += 1
        if self._dsi == 1:
            self._moving_average = mean
        self._moving_average = (self._moving_average + mean) / 2.0
        ds = high
        if abs(high - self._moving_average) < abs(low - self._moving_average):
            ds = low
        if abs(ds - mean) < 0.1 * mean:  # a spike must stand 10% off the mean
            ds = mean
        ds -= self._lo
        if self._span != 0.0:
            ds /= self._span
        return ds

    def _features(self, ds: float) -> NDArray[np.float64]:
        level = min(LEVELS, max(0, round(ds * LEVELS)))
        ds = level / LEVELS
        med = self._levelize(level) / LEVELS
        if abs(ds - med) < CHOMP:
            ds = med
        self._f_window.append(ds)
        if self._dsi < WINDOW:
            return np.zeros(2 * WINDOW)
        raw = np.array(self._f_window)
        dw = raw - raw.min()
        top = dw.max()
        if top != 0.0:
            dw /= top
        fw = haar(dw)
        fw -= fw.min()
        top = fw.max()
        if top != 0.0:
            fw /= top
        return np.concatenate([fw, raw])

    def _levelize(self, level: int) -> int:
        """Upstream's running median of the levels ("not strictly a median but close")."""
        medbin = self._medbin
        medbin[level] += 1
        medpos = self._dsi // 2
        if self._dsi == 1:
            self._medlevel = level
        if self._medlevel > level:
            self._below += 1
        elif self._medlevel < level:
            self._above += 1
        if medpos < self._above:
            self._below += medbin[self._medlevel]
            self._medlevel += 1
            while medbin[self._medlevel] == 0:
                self._medlevel += 1
            self._above -= medbin[self._medlevel]
        elif medpos < self._below:
            self._above += medbin[self._medlevel]
            self._medlevel -= 1
            while medbin[self._medlevel] == 0:
                self._medlevel -= 1
            self._below -= medbin[self._medlevel]
        return self._medlevel

    def _initial_rho(self, features: NDArray[np.float64]) -> float:
        """Vigilance at which a fresh ART, shown the least typical windows first, settles."""
        n = len(features)
        sim = np.ones((n, n))
        for i in range(n):
            for j in range(i):
                sim[i, j] = sim[j, i] = similarity(features[i], features[j])
        order = np.argsort(sim.sum(axis=0), kind="stable")
        art = DualVigilanceART(2 * WINDOW, INITIAL_RHO, INITIAL_RHO)
        matches = [art.train(features[k]).similarity for k in order]
        tail = matches[self.trend_window // 2 - 1 :]
        return sum(tail) / len(tail)

    def _detect(self, f: NDArray[np.float64], i: int) -> float:
        art, mask, tw = self._art, self.mask, self.trend_window
        since = i - self._last_anomaly_i
        rho_after_anomaly = since == mask
        rho_for_trend = (i - self._last_rho_update_i) >= tw // 2
        mask_after_anomaly = since <= mask
        if i > tw + mask and self._mask_after_cat and self._no_new_cat >= mask:
            self._mask_after_cat = False
        if i < WINDOW:
            match = art.train(f, learning=False)
            cat = -1
        else:
            match = art.train(f)
            cat = match.label
        self._no_new_cat = 0 if cat == -1 else self._no_new_cat + 1
        sim = match.similarity
        self._sim_sum += sim
        self._sim_count += 1
        self._sim_window.append(sim)
        self._sim_diff.append(art.rho_ub - sim)
        if since < mask and self._history_n and sim < self._history_last:
            self._history_sum += sim - self._history_last
            self._history_last = sim
        masking = self._mask_after_cat or mask_after_anomaly
        below_last = sim < self._last_anomaly_sim * (0.90 if mask_after_anomaly else 0.70)
        anomaly = 0.0
        if i > tw and cat == -1 and (not masking or below_last):
            anomaly = self._confidence(sim, match.energy)
            self._history_sum += sim
            self._history_n += 1
            self._history_last = sim
            self._last_anomaly_sim = sim
            self._last_anomaly_i = i
        self._mask_after_cat = cat == -1 or self._mask_after_cat
        if i > tw and (rho_after_anomaly or rho_for_trend):
            self._adapt_rho(i)
        return anomaly

    def _adapt_rho(self, i: int) -> None:
        art, tw = self._art, self.trend_window
        least = min(self._sim_window)
        new_ub = min(0.97, self._sim_sum / self._sim_count)
        lb = art.rho_lb
        if lb <= least:
            new_lb = lb + (least - lb) * 0.19
        else:
            decrease = 0.0
            if i > tw * 2:
                below = [min(0.37, d) for d in self._sim_diff if d > 0.05]
                if below:
                    decrease = sum(below) / len(below)
            new_lb = lb - max(0.01, decrease) / 2.0
            if self._history_n:
                new_lb = max(self._history_sum / self._history_n, new_lb)
        art.rho_lb = min(new_ub, new_lb)
        art.rho_ub = new_ub
        self._last_rho_update_i = i
        self._mask_after_cat = True

    def _confidence(self, sim: float, energy: float) -> float:
        sim = min(0.999, sim)
        art = self._art
        ub = ((1.0 - sim) - (1.0 - art.rho_ub)) / (1.0 - sim)
        lb = ((1.0 - sim) - (1.0 - art.rho_lb)) / (1.0 - sim)
        return round(min(1.0, ub * 0.35 + lb * 0.65 + (1.0 - energy) * 1.5), 6)


class Resonance:
    """`ResonanceDetector` without knowing the series' length: a ladder of probations.

    Upstream's probation is 15% of the file (at most 750 values), the very part NAB does
    not score, and it sets the detector's time scale. A stream has no length, so the
    values are kept until the longest probation of `PROBATIONS` and, once `p` values are
    seen, a detector with probation `p` is replayed on them and answers from then on:
    scores start after 200 values, and a long series is read at upstream's scale for
    4,000 values. One detector runs at a time; past the last rung no value is kept.
    """

    __slots__ = ("_active", "_buffer", "_n")

    def __init__(self) -> None:
        self._buffer: list[float] | None = []
        self._active: ResonanceDetector | None = None
        self._n = 0

    def read(self, value: float) -> float:
        """The anomaly score (0 to 1) of `value`, then learn from it."""
        n = self._n
        self._n += 1
        buffer = self._buffer
        if buffer is None:
            assert self._active is not None
            return self._active.read(value)
        buffer.append(value)
        if n not in PROBATIONS:
            return 0.0 if self._active is None else self._active.read(value)
        self._active = ResonanceDetector(n, margin=RANGE_MARGIN)
        score = 0.0
        for x in buffer:
            score = self._active.read(x)
        if n == PROBATIONS[-1]:
            self._buffer = None
        return score
