"""A robust seasonal view: the distance of a value from the median of the same time on past days.

The robust statistics follow the published description of Twitter's Seasonal Hybrid ESD
(Hochenbaum, Vallis and Kejariwal, "Automatic Anomaly Detection in the Cloud Via Statistical
Learning", 2017, arXiv:1704.07706): the median in place of the mean and the median absolute
deviation (MAD, times 1.4826 to estimate a standard deviation under normal noise) in place of
the standard deviation, so that past anomalies do not bend the baseline nor widen its scale.
The forecast is seasonal-naive: the median of the same slot on the last few days. Written for
pouls from that description (no code of it was read or used); streaming, causal, bounded.
"""

from __future__ import annotations

import math

import numpy as np

from pouls.watch.detectors_baseline import Rarity

DAY = 86400.0
DAYS = 7  # the median is taken over the same slot of the last 7 days (fewer at first)
MAD_WINDOW = 289  # residuals whose median absolute value is the scale (about a day at 5 min)
MAX_PERIOD = 1440  # at most one value a minute is kept per day: bounds the state
STEP_SAMPLE = 10  # the step is the median of the first 10 gaps between timestamps
MAD_TO_SD = 1.4826


class SeasonalMedian:
    """How rare the distance of a value from its seasonal median is, for this series (0 to 1).

    The series' step is read from its first timestamps; a day is `period` steps. The value is
    compared with the median of the values one, two, ... `days` days earlier at the same
    position, in units of the robust scale of the last `MAD_WINDOW` residuals (their mean
    absolute value when more than half of them are 0). The distance is judged by its rarity
    in this series (`Rarity`, power-law tail past the largest seen); the score is
    `surprise / (surprise + surprise_bar)`, scaled down below `z_bar` robust errors. Series
    with steps of more than half a day (no daily season) or under a minute (the state would
    grow past `MAX_PERIOD` values a day) score 0. Steps are assumed regular: a gap shifts
    the slots until the ring catches up.
    """

    __slots__ = (
        "_first",
        "_gaps",
        "_last_ts",
        "_rarity",
        "_residuals",
        "_seen",
        "_values",
        "days",
        "period",
        "surprise_bar",
        "z_bar",
    )

    def __init__(self, surprise_bar: float = 3.0, z_bar: float = 4.5, days: int = DAYS) -> None:
        if days < 1:
            raise ValueError("days must be at least 1")
        self.days = days
        self.surprise_bar = surprise_bar
        self.z_bar = z_bar
        self.period = 0  # steps in a day; 0 while unknown, -1 when there is no daily season
        self._gaps: list[float] = []
        self._first: list[float] = []  # the values read while the period is unknown
        self._last_ts = math.nan
        self._seen = 0  # values read since the period became known
        self._values = np.zeros(0)  # ring of the last `days` * period values
        self._residuals = np.zeros(0)  # ring of the last MAD_WINDOW absolute residuals
        self._rarity = Rarity(tail_decay=4.0)

    def _learn_step(self, ts: float) -> None:
        if self._last_ts == self._last_ts and ts > self._last_ts:
            self._gaps.append(ts - self._last_ts)
        self._last_ts = ts
        if len(self._gaps) < STEP_SAMPLE:
            return
        period = round(DAY / float(np.median(self._gaps)))
        self.period = period if 2 <= period <= MAX_PERIOD else -1
        if self.period > 0:
            self._values = np.zeros(self.period * self.days)
            self._residuals = np.zeros(MAD_WINDOW)
            for x in self._first:
                self.read(ts, x)
        self._first = []

    def read(self, ts: float, x: float) -> float:
        """The score of x seen at ts (0 to 1), then learn it."""
        if self.period == 0:
            self._first.append(x)
            self._learn_step(ts)
            return 0.0
        if self.period < 0:
            return 0.0
        n, period = self._seen, self.period
        size = len(self._values)
        self._seen += 1
        back = [n - period * d for d in range(1, self.days + 1) if n - period * d >= 0]
        if not back:
            self._values[n % size] = x
            return 0.0
        residual = abs(x - _median([float(self._values[i % size]) for i in back]))
        self._values[n % size] = x  # after the median: it takes the oldest value's place
        kept = n - period  # residuals kept so far
        score = self._score(residual, kept) if kept >= min(MAD_WINDOW, period) else 0.0
        self._residuals[kept % MAD_WINDOW] = residual
        return score

    def _score(self, residual: float, kept: int) -> float:
        past = self._residuals[: min(kept, MAD_WINDOW)]
        scale = _array_median(past) * MAD_TO_SD
        if scale <= 0.0:
            scale = float(past.mean())
        z = residual / max(scale, 1e-9)
        if z == 0.0:
            return 0.0  # a value on its seasonal median says nothing, and is not counted
        surprise = -math.log10(self._rarity.tail(z))
        self._rarity.add(z)
        score = surprise / (surprise + self.surprise_bar)
        if z < self.z_bar:
            score *= z / self.z_bar
        return score


def _median(values: list[float]) -> float:
    """Median of a few values (np.median costs tens of microseconds in calls alone)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else 0.5 * (ordered[half - 1] + ordered[half])


def _array_median(values: np.ndarray) -> float:
    """Median of an array by partial sort, a few times faster than np.median here."""
    half = len(values) // 2
    if len(values) % 2:
        return float(np.partition(values, half)[half])
    low, high = np.partition(values, (half - 1, half))[half - 1 : half + 1]
    return 0.5 * float(low + high)
