"""The metric detector that `pouls detect` runs: deviations, seasonal and sequence novelty.

It is separate from `VolumeDetector` (alert rules) because it is shaped for generic metrics
and for how NAB rewards detections: one early alert per event, then a rest.
"""

from __future__ import annotations

from datetime import datetime

from pouls.watch.detectors_context import ContextDetector
from pouls.watch.detectors_score import Score, check_sensitivity, seconds
from pouls.watch.detectors_seasonal import SeasonalMedian

NOVELTY_MEMORY = 0.001  # weight of a new novelty in its long-run mean (about 1,000 steps)
CONTEXT_WARMUP = 100  # steps before the novelty counts: every context is new at first
TAIL_DECAY = 4.0  # past the largest deviation seen, rarity keeps growing (16 times per octave)
COARSE = 12  # the slow view reads the mean of each 12 values
SIDE_WEIGHT = 0.8  # the novelty of steps and of the slow view counts a little less


class Novelty:
    """Sequence novelty of one view of a series, less the novelty usual for this series.

    A noisy series is always a little new: `max(0, n - usual) / (1 - usual)`, with the usual
    novelty an exponential mean, removes that floor. Nothing counts during `warmup` reads,
    when every context is new.
    """

    __slots__ = ("_context", "_n", "_usual", "warmup")

    def __init__(self, warmup: int = CONTEXT_WARMUP) -> None:
        self._context = ContextDetector()
        self._usual = 0.0
        self._n = 0
        self.warmup = warmup

    def read(self, x: float) -> float:
        """The centred novelty of x (0 to 1), then learn it."""
        novelty = self._context.novelty(x)
        n = self._n
        self._n += 1
        usual = self._usual
        self._usual += max(NOVELTY_MEMORY, 1.0 / (n + 1)) * (novelty - usual)
        if n < self.warmup or usual >= 1.0:
            return 0.0
        return max(0.0, novelty - usual) / (1.0 - usual)


class MetricDetector:
    """Spikes, dips, shifts and odd patterns of any metric: what `pouls detect` runs.

    The score is the largest of: the seasonal `VolumeDetector`'s score (how far the value is
    from its forecast and from the long-run level, judged by rarity, without a ceiling on
    rarity), the sequence novelty of the values, and, weighted 0.8, the novelty of the steps
    between values (a change of shape at any level) and of the means of each `COARSE` values
    (a slow pattern broken), and the rarity of the distance from the median of the same time
    on past days (`SeasonalMedian`; `seasonal` replaces the default one). An alert fires when
    it reaches the sensitivity's bar; the next `rest` steps then score 0, so one event is one
    alert, raised early (what NAB rewards). Only the volume detector's own alert (its score
    at 0.5) may break into a rest that another view started. The score is rescaled so that
    0.5 is the bar at any sensitivity.
    """

    __slots__ = (
        "_bar",
        "_by_volume",
        "_coarse",
        "_n",
        "_previous",
        "_quiet_until",
        "_seasonal",
        "_steps",
        "_sum",
        "_values",
        "_volume",
        "rest",
    )

    def __init__(
        self, sensitivity: float = 0.5, *, rest: int = 100, seasonal: SeasonalMedian | None = None
    ) -> None:
        from pouls.watch.detectors import VolumeDetector

        check_sensitivity(sensitivity)
        self._bar = 1.1 * (1.0 - sensitivity)  # 0.55 at the default sensitivity
        self.rest = rest
        self._volume = VolumeDetector(sensitivity, cooldown=0, tail_decay=TAIL_DECAY)
        self._values = Novelty()
        self._steps = Novelty()
        self._coarse = Novelty(warmup=CONTEXT_WARMUP // COARSE)
        # Same bars as the volume detector's, a little stricter on rarity (6 instead of 5).
        self._seasonal = seasonal or SeasonalMedian(
            6.0 * (1.0 - sensitivity), 9.0 * (1.0 - sensitivity)
        )
        self._previous: float | None = None
        self._sum = 0.0
        self._n = 0
        self._quiet_until = -1
        self._by_volume = True

    def _novelty(self, x: float, n: int) -> float:
        step = 0.0 if self._previous is None else x - self._previous
        self._previous = x
        novelty = max(self._values.read(x), SIDE_WEIGHT * self._steps.read(step))
        self._sum += x
        if n % COARSE == COARSE - 1:
            novelty = max(novelty, SIDE_WEIGHT * self._coarse.read(self._sum / COARSE))
            self._sum = 0.0
        return novelty

    def update(self, timestamp: float | datetime, value: float) -> Score:
        """Score `value` seen at `timestamp`, then learn from it."""
        base = self._volume.update(timestamp, value)
        n = self._n
        self._n += 1
        volume = base.anomaly_score
        seasonal = self._seasonal.read(seconds(timestamp), base.observed)
        raw = max(volume, self._novelty(base.observed, n), seasonal)
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
