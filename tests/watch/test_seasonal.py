from __future__ import annotations

import random

import pytest

from pouls.watch.detectors import MetricDetector
from pouls.watch.detectors_seasonal import DAYS, SeasonalMedian
from tests.watch.synthetic import START

STEP = 300.0  # five minutes: 288 values a day
DAY = 288


def daily_jumps(days: int, *, missing: int | None = None, seed: int = 1) -> list[float]:
    """A quiet level that jumps to 60 for three hours every day (not on day `missing`)."""
    rng = random.Random(seed)
    values = []
    for i in range(days * DAY):
        busy = 120 <= i % DAY < 156 and i // DAY != missing
        values.append((60.0 if busy else 20.0) + rng.gauss(0, 1.0))
    return values


def read(view: SeasonalMedian, values: list[float], step: float = STEP) -> list[float]:
    return [view.read(START + i * step, v) for i, v in enumerate(values)]


def test_a_missing_daily_jump_stands_out_and_the_usual_days_do_not():
    values = daily_jumps(10, missing=8)
    scores = read(SeasonalMedian(), values)
    assert max(scores[8 * DAY + 120 : 8 * DAY + 156]) > 0.5
    assert max(scores[3 * DAY : 8 * DAY]) < 0.5
    assert max(scores[9 * DAY :]) < 0.5  # the missing day does not become the new normal


def test_metric_detector_alerts_when_the_daily_jump_does_not_come():
    values = daily_jumps(10, missing=8)
    detector = MetricDetector()
    alerts = [detector.update(START + i * STEP, v).alert for i, v in enumerate(values)]
    assert any(alerts[8 * DAY + 120 : 8 * DAY + 156])


def test_the_view_is_causal_a_prefix_scores_the_same():
    values = daily_jumps(6, missing=5, seed=2)
    whole = read(SeasonalMedian(), values)
    for cut in (5, 11, DAY + 7, 5 * DAY + 130):
        assert read(SeasonalMedian(), values[:cut]) == whole[:cut]


def test_its_memory_is_bounded_by_the_days_it_compares():
    view = SeasonalMedian()
    read(view, daily_jumps(12))
    assert view.period == DAY
    assert len(view._values) == DAYS * DAY


@pytest.mark.parametrize("step", [86400.0, 7 * 86400.0])
def test_series_without_a_daily_season_score_zero(step):
    values = [float(i % 3) for i in range(60)] + [1000.0]
    view = SeasonalMedian()
    assert read(view, values, step) == [0.0] * len(values)
    assert view.period == -1
