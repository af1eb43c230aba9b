from __future__ import annotations

import math
import random

import numpy as np

from pouls.watch.detectors_art import DualVigilanceART
from pouls.watch.detectors_resonance import Resonance, ResonanceDetector, haar


def seasonal(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [50 + 20 * math.sin(i / 288 * 2 * math.pi) + rng.gauss(0, 1) for i in range(n)]


def read(detector: Resonance | ResonanceDetector, values: list[float]) -> list[float]:
    return [detector.read(v) for v in values]


def test_haar_orders_coefficients_as_wavelets_jl_does():
    x = np.array([1.0, 3.0, 2.0, 2.0, 0.0, 4.0, 1.0, 1.0])
    out = haar(x)
    half = math.sqrt(0.5)
    assert math.isclose(out[0], x.sum() / math.sqrt(8))  # scaling coefficient first
    assert np.allclose(out[4:], half * (x[1::2] - x[0::2]))  # finest details last, even - odd
    assert math.isclose(float(np.sum(out**2)), float(np.sum(x**2)))  # orthonormal


def test_art_resonates_with_a_known_input_and_founds_a_cluster_for_a_new_one():
    art = DualVigilanceART(4, rho_lb=0.7, rho_ub=0.9)
    art.train(np.zeros(4))  # upstream: the first input only makes the all-ones category
    first = art.train(np.array([0.1, 0.2, 0.1, 0.2]))
    again = art.train(np.array([0.1, 0.2, 0.1, 0.2]))
    other = art.train(np.array([0.9, 0.8, 0.9, 0.9]))
    assert first.label == -1 and again.label != -1 and other.label == -1
    assert again.similarity > 0.99 > other.similarity


def test_resonance_finds_a_spike_in_a_seasonal_series():
    values = seasonal(3000, seed=3)
    values[2000] = 160.0
    scores = read(Resonance(), values)
    assert max(scores[2000:2010]) > 0.65  # ARTime's alert bar in MetricDetector
    assert max(scores[2000:2010]) == max(scores[700:])


def test_resonance_does_not_alert_on_plain_seasonality():
    scores = read(Resonance(), seasonal(4000, seed=4))
    assert all(s == 0.0 for s in scores[:200])  # nothing before the first probation ends
    assert sum(s > 0.65 for s in scores[1000:]) <= 1


def test_resonance_is_causal_a_prefix_gives_the_same_scores():
    values = seasonal(1500, seed=5)
    values[900] = 5.0
    whole = read(Resonance(), values)
    for cut in (150, 400, 650, 1000):
        assert read(Resonance(), values[:cut]) == whole[:cut]


def test_resonance_keeps_no_values_past_its_last_probation():
    detector = Resonance()
    read(detector, seasonal(700, seed=6))
    assert detector._buffer is None
