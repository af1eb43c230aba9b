from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pytest

from pouls.watch import nab

STD = nab.PROFILES["standard"]
T0 = datetime(2014, 4, 1)


def stamps(n: int) -> list[datetime]:
    return [T0 + timedelta(minutes=5 * i) for i in range(n)]


def weighed(scores: list[float], windows=((40, 49),), profile=STD) -> nab.File:
    ts = stamps(len(scores))
    return nab.weigh(ts, scores, [(ts[a], ts[b]) for a, b in windows], profile, "f.csv")


def with_detections(n: int, at: dict[int, float]) -> list[float]:
    return [at.get(i, 0.0) for i in range(n)]


def test_scaled_sigmoid_matches_nab_values():
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert nab.scaled_sigmoid(0.0) == 0.0
    assert nab.scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(3.0) == pytest.approx(-1.0, abs=1e-6)
    assert nab.scaled_sigmoid(200.0) == -1.0


def test_probation_is_fifteen_percent_capped_at_750_rows():
    assert nab.probation_length(100) == 15
    assert nab.probation_length(4032) == 604
    assert nab.probation_length(22695) == 750


def test_a_detection_at_the_left_edge_of_the_window_is_perfect():
    f = weighed(with_detections(100, {40: 1.0}))
    result = nab.evaluate([f], STD)
    assert result.raw == pytest.approx(1.0)
    assert result.normalized == pytest.approx(100.0)


def test_a_detection_at_the_right_edge_earns_little():
    f = weighed(with_detections(100, {49: 1.0}))
    # position -(49 - 49 + 1) / 10 = -0.1; s(-0.1) / s(-1)
    expected = (2 / (1 + math.exp(-0.5)) - 1) / nab.scaled_sigmoid(-1.0)
    assert nab.score_file(f, 1.0, STD) == pytest.approx(expected)
    assert expected == pytest.approx(0.2482, abs=1e-4)


def test_false_positives_cost_fp_weight_or_less_right_after_a_window():
    f = weighed(with_detections(100, {20: 1.0, 40: 1.0, 55: 1.0, 90: 1.0}))
    # 20: before any window, -0.11; 55: |49 - 55| / 9 past the window; 90: past 3 widths, -0.11
    after = 0.11 * (2 / (1 + math.exp(5 * 6 / 9)) - 1)
    assert nab.score_file(f, 0.5, STD) == pytest.approx(1.0 - 0.11 + after - 0.11)


def test_detections_during_probation_are_not_scored():
    f = weighed(with_detections(100, {5: 1.0, 40: 1.0}))
    assert nab.score_file(f, 0.5, STD) == pytest.approx(1.0)


def test_a_missed_window_costs_fn_weight_per_profile():
    f = weighed([0.0] * 100)
    low_fn = nab.PROFILES["reward_low_FN_rate"]
    assert nab.score_file(f, 0.5, STD) == -1.0
    assert nab.score_file(weighed([0.0] * 100, profile=low_fn), 0.5, low_fn) == -2.0
    assert nab.evaluate([f], STD).normalized == pytest.approx(0.0)


def test_the_threshold_sweep_picks_the_best_threshold():
    f = weighed(with_detections(100, {45: 0.9, 20: 0.8, 60: 0.95}))
    result = nab.evaluate([f], STD)
    inside = nab.scaled_sigmoid(-0.5) / nab.scaled_sigmoid(-1.0)
    far = 0.11 * nab.scaled_sigmoid(11 / 9)
    assert result.threshold == 0.9
    assert result.raw == pytest.approx(-1 + 1 + inside + far)
    # Normalised between the null (-1 per window) and the perfect (+1 per window) detector.
    assert result.normalized == pytest.approx(100 * (result.raw + 1) / 2)


def test_the_sweep_agrees_with_scoring_at_each_threshold():
    rng = random.Random(3)
    files = [
        weighed([round(rng.random(), 2) for _ in range(300)], windows=((100, 129), (200, 229)))
        for _ in range(3)
    ]
    files = [nab.File(f"f{i}", f.score, f.gain, f.window, f.windows) for i, f in enumerate(files)]
    for row in nab.raw_by_threshold(files, STD)[::7]:
        total = sum(nab.score_file(f, row.threshold, STD) for f in files)
        assert total == pytest.approx(row.score)


def test_the_low_fp_profile_punishes_false_positives_twice_as_much():
    low_fp = nab.PROFILES["reward_low_FP_rate"]
    scores = with_detections(100, {20: 1.0, 40: 1.0})
    assert nab.score_file(weighed(scores, profile=low_fp), 0.5, low_fp) == pytest.approx(1 - 0.22)


def test_a_threshold_above_every_score_misses_every_window():
    files = [weighed(with_detections(100, {40: 0.7, 20: 0.9}))]
    curve = nab.raw_by_threshold(files, STD)
    assert curve[0].threshold == math.inf
    assert curve[0].score == -1.0
    # Lowering the threshold to 0.9 adds a false positive, to 0.7 finds the window.
    assert [round(c.score, 6) for c in curve[1:3]] == [-1.11, round(-0.11 + 1.0, 6)]


def test_a_window_inside_the_probation_is_not_counted():
    f = weighed(with_detections(100, {5: 1.0, 40: 1.0}), windows=((3, 8), (40, 49)))
    assert f.windows == 1
    assert nab.score_file(f, 0.5, STD) == pytest.approx(1.0)


def test_windows_off_the_timestamps_or_overlapping_are_refused():
    ts = stamps(100)
    with pytest.raises(ValueError, match="not on the file's timestamps"):
        nab.weigh(ts, [0.0] * 100, [(ts[10], T0 + timedelta(seconds=1))], STD, "f.csv")
    with pytest.raises(ValueError, match="overlaps"):
        nab.weigh(ts, [0.0] * 100, [(ts[10], ts[30]), (ts[20], ts[40])], STD, "f.csv")
