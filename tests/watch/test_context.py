from __future__ import annotations

import math
import random

import pytest

from pouls.watch.detectors import ContextDetector, MetricDetector
from tests.watch.synthetic import HOUR, START, counts


def test_context_detector_learns_a_pattern_and_sees_it_broken():
    pattern = [0, 3, 7, 3, 0, 10]
    detector = ContextDetector()
    scores = [detector.novelty(pattern[i % 6]) for i in range(600)]
    assert max(scores[300:]) == 0.0
    assert detector.novelty(7) == 0.5  # known contexts, but 7 never followed 10


def test_context_detector_memory_is_bounded():
    rng = random.Random(1)
    detector = ContextDetector()
    for _ in range(20_000):
        detector.novelty(rng.random())
    assert len(detector._next) <= 8192


def test_metric_detector_finds_a_spike_once_and_rests():
    series = counts(days=30, base=25, seed=21)[:600]
    for i in range(400, 405):
        series[i] = (series[i][0], 400)
    detector = MetricDetector()
    scores = [detector.update(t, v) for t, v in series]
    assert any(s.alert for s in scores[400:402])
    assert sum(s.alert for s in scores[400:500]) == 1
    assert all(0.0 <= s.anomaly_score <= 1.0 for s in scores)


def test_metric_detector_is_causal():
    rng = random.Random(3)
    series = [(START + i * HOUR, 50 + 10 * math.sin(i / 24) + rng.gauss(0, 2)) for i in range(700)]
    series[500] = (series[500][0], 5.0)
    whole = [s for d in [MetricDetector()] for s in (d.update(t, v) for t, v in series)]
    d = MetricDetector()
    prefix = [d.update(t, v) for t, v in series[:520]]
    assert prefix == whole[:520]
    assert any(s.alert for s in whole[500:503])


def test_metric_detector_stays_quiet_on_a_repeating_metric():
    rng = random.Random(4)
    series = [
        (START + i * 300, 50 + 10 * math.sin(i / 288 * 2 * math.pi) + rng.gauss(0, 0.5))
        for i in range(288 * 8)
    ]
    scores = [s for d in [MetricDetector()] for s in (d.update(t, v) for t, v in series)]
    assert sum(s.alert for s in scores[288 * 2 :]) <= 2


def test_metric_detector_checks_its_sensitivity():
    with pytest.raises(ValueError):
        MetricDetector(sensitivity=0.0)
