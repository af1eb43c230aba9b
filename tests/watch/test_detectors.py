from __future__ import annotations

import math
import random

import pytest

from pouls.watch.detectors import (
    Cooldown,
    LevelShiftDetector,
    Score,
    ShareDetector,
    VolumeDetector,
)
from tests.watch.synthetic import HOUR, START, counts, poisson


def run(detector, series):
    return [detector.update(t, v) for t, v in series]


def test_volume_detector_finds_a_spike_in_seasonal_counts():
    series = counts(days=28, base=40, seed=1)
    at = len(series) - 100
    t, v = series[at]
    series[at] = (t, v * 4 + 50)
    scores = run(VolumeDetector(), series)
    assert scores[at].alert
    assert scores[at].anomaly_score > 0.5
    assert scores[at].observed > scores[at].baseline


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_volume_detector_stays_quiet_on_daily_and_weekly_seasonality(seed):
    series = counts(days=42, base=60, seed=seed)
    scores = run(VolumeDetector(), series)
    # Three weeks to learn the weekly shape, then not one alert.
    assert sum(s.alert for s in scores[24 * 21 :]) == 0


@pytest.mark.parametrize("base", [0.05, 0.3, 1.5])
def test_volume_detector_ignores_noise_of_low_counts(base):
    rng = random.Random(7)
    series = [(START + i * HOUR, poisson(rng, base)) for i in range(24 * 60)]
    scores = run(VolumeDetector(), series)
    assert sum(s.alert for s in scores) == 0


def test_volume_detector_sees_a_burst_from_near_zero():
    rng = random.Random(8)
    series = [(START + i * HOUR, poisson(rng, 0.2)) for i in range(24 * 30)]
    series[-10] = (series[-10][0], 25)
    scores = run(VolumeDetector(), series)
    assert scores[-10].alert


def test_volume_detector_handles_real_valued_metrics():
    rng = random.Random(9)
    series = [
        (START + i * 300, 50 + 10 * math.sin(i / 288 * 2 * math.pi) + rng.gauss(0, 1))
        for i in range(288 * 10)
    ]
    series[-50] = (series[-50][0], series[-50][1] - 30)
    scores = run(VolumeDetector(), series)
    assert scores[-50].alert
    assert sum(s.alert for s in scores[288:]) <= 2


def test_volume_detector_direction_up_ignores_drops():
    series = counts(days=21, base=40, seed=10)
    series[-20] = (series[-20][0], 0)
    scores = run(VolumeDetector(direction=1), series)
    assert not scores[-20].alert


def test_detectors_are_causal_a_prefix_scores_the_same():
    series = counts(days=20, base=20, seed=11)
    series[300] = (series[300][0], 200)
    for make in (VolumeDetector, LevelShiftDetector):
        whole = run(make(), series)
        prefix = run(make(), series[:350])
        assert prefix == whole[:350]


def test_volume_detector_cool_down_makes_one_alert_per_event():
    series = counts(days=21, base=30, seed=12)
    for i in range(-60, -50):
        series[i] = (series[i][0], 300)
    scores = run(VolumeDetector(), series)
    assert sum(s.alert for s in scores[-60:-40]) == 1


def test_level_shift_detector_finds_a_lasting_step():
    rng = random.Random(13)
    series = [(START + i * HOUR, 100 + rng.gauss(0, 5)) for i in range(600)]
    series += [(START + (600 + i) * HOUR, 130 + rng.gauss(0, 5)) for i in range(200)]
    scores = run(LevelShiftDetector(), series)
    alerts = [i for i, s in enumerate(scores) if s.alert]
    assert alerts and 600 <= alerts[0] <= 610
    assert sum(s.alert for s in scores[24:600]) == 0
    assert len(alerts) <= 2


def test_share_detector_finds_a_rise_of_the_negative_share_with_low_totals():
    rng = random.Random(14)
    series = []
    for i in range(24 * 14):
        total = poisson(rng, 6)
        share = 0.1 if i < 24 * 13 else 0.6
        hits = sum(rng.random() < share for _ in range(total))
        series.append((START + i * HOUR, hits, total))
    detector = ShareDetector()
    scores = [detector.update(t, h, n) for t, h, n in series]
    assert sum(s.alert for s in scores[: 24 * 13]) == 0
    rise = [i for i, s in enumerate(scores) if s.alert]
    assert rise and rise[0] <= 24 * 13 + 4


def test_share_detector_needs_more_than_one_lucky_bucket():
    detector = ShareDetector()
    for i in range(48):
        detector.update(START + i * HOUR, 0 if i % 10 else 1, 2)
    assert not detector.update(START + 48 * HOUR, 2, 2).alert


def test_cooldown_groups_an_event_into_one_alert_that_updates():
    cooldown = Cooldown(quiet=3 * HOUR)
    changes = []
    for i, s in enumerate([0.1, 0.6, 0.7, 0.55, 0.9, 0.2, 0.3, 0.1, 0.1, 0.1, 0.6]):
        score = Score(s, s >= 0.5, 10.0, 10.0 + 10 * s)
        changes += [(i, c.kind, c.episode.number) for c in cooldown.update(START + i * HOUR, score)]
    assert changes == [
        (1, "opened", 1),
        (2, "updated", 1),
        (4, "updated", 1),
        (8, "closed", 1),
        (10, "opened", 2),
    ]
    assert cooldown.episode is not None and cooldown.episode.number == 2


def test_sensitivity_outside_zero_one_is_refused():
    with pytest.raises(ValueError):
        VolumeDetector(sensitivity=1.0)


def test_rarity_tail_keeps_shrinking_past_the_largest_deviation_seen_when_asked():
    from pouls.watch.detectors_baseline import Rarity

    capped, uncapped = Rarity(), Rarity(tail_decay=4.0)
    rng = random.Random(5)
    for _ in range(500):
        d = abs(rng.gauss(0, 1))
        capped.add(d)
        uncapped.add(d)
    assert capped.tail(20.0) == capped.tail(2000.0)  # a record is a record, whatever its size
    assert uncapped.tail(2000.0) < uncapped.tail(20.0) < capped.tail(20.0)
    assert uncapped.tail(1.0) == capped.tail(1.0)  # within what was seen, nothing changes


def test_volume_detector_without_a_rarity_ceiling_can_alert_on_a_short_history():
    rng = random.Random(6)
    series = [(START + i * HOUR, 100 + rng.gauss(0, 3)) for i in range(200)]
    series[150] = (series[150][0], 250.0)
    capped = run(VolumeDetector(), series)
    uncapped = run(VolumeDetector(tail_decay=4.0), series)
    assert not capped[150].alert  # 150 values cannot make anything rarer than 1 in 151
    assert uncapped[150].alert
    assert not any(s.alert for s in uncapped[30:150])


def test_metric_detector_sees_a_sawtooth_turn_around_within_its_range():
    from pouls.watch.detectors import MetricDetector

    rising = [(i % 24) / 24 for i in range(24 * 40)]  # slow climbs, sudden drops
    falling = [1 - (i % 24) / 24 for i in range(24 * 5)]  # then slow drops, sudden climbs
    series = [(START + i * HOUR, 10 + 5 * v) for i, v in enumerate(rising + falling)]
    scores = run(MetricDetector(), series)
    assert not any(s.alert for s in scores[300 : len(rising)])
    assert any(s.alert for s in scores[len(rising) : len(rising) + 30])
