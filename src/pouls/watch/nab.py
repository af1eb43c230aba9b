"""Numenta Anomaly Benchmark (NAB v1.1) scoring: window weights, threshold sweep, normalisation.

Follows the upstream sweeper (numenta/NAB, nab/sweeper.py) so that scores compare with the
published scoreboard: the first 15% of each file (at most 750 rows) is not scored; in each
labelled window only the best (earliest) detection counts; detections outside every window
cost `fp_weight`, less when they follow a window closely; one threshold for the whole corpus
is chosen to maximise the raw score, then normalised between the null and perfect detectors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

PROBATION_PERCENT = 0.15
START_THRESHOLD = 1.1  # above every score in [0, 1]: nothing detected, every window missed


@dataclass(frozen=True)
class Profile:
    """One NAB application profile: the weights of the cost matrix."""

    name: str
    tp_weight: float
    fp_weight: float
    fn_weight: float


PROFILES: dict[str, Profile] = {
    "standard": Profile("standard", 1.0, 0.11, 1.0),
    "reward_low_FP_rate": Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
    "reward_low_FN_rate": Profile("reward_low_FN_rate", 1.0, 0.11, 2.0),
}


def load_profiles(path: Path) -> dict[str, Profile]:
    """Profiles from NAB's config/profiles.json."""
    raw = json.loads(path.read_text())
    return {
        name: Profile(
            name,
            float(p["CostMatrix"]["tpWeight"]),
            float(p["CostMatrix"]["fpWeight"]),
            float(p["CostMatrix"]["fnWeight"]),
        )
        for name, p in raw.items()
    }


def scaled_sigmoid(position: float) -> float:
    """NAB's s(x) = 2 / (1 + exp(5x)) - 1, and -1 from x >= 3 (far past a window)."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_length(rows: int) -> int:
    """Rows at the start of a file that are not scored: 15%, at most 750."""
    return int(min(math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000))


@dataclass(frozen=True)
class Point:
    """One scorable row: its anomaly score, its weight if detected, and its window (or None)."""

    score: float
    weight: float
    window: int | None


@dataclass
class File:
    """One scored data file: the scorable points and how many labelled windows it has."""

    name: str
    points: list[Point]
    windows: int


def weigh(
    timestamps: Sequence[datetime],
    scores: Sequence[float],
    windows: Sequence[tuple[datetime, datetime]],
    profile: Profile,
    name: str = "",
) -> File:
    """Give each row the weight it earns if detected (NAB's `calcSweepScore`)."""
    if len(timestamps) != len(scores):
        raise ValueError("timestamps and scores differ in length")
    index = {ts: i for i, ts in enumerate(timestamps)}
    spans = []
    for start, end in sorted(windows):
        if start not in index or end not in index:
            raise ValueError(f"{name}: window {start}..{end} is not on the file's timestamps")
        spans.append((index[start], index[end]))
    max_tp = scaled_sigmoid(-1.0)
    probation = probation_length(len(timestamps))
    points: list[Point] = []
    pending = 0
    current: tuple[int, int] | None = None
    previous: tuple[int, int] | None = None
    seen_windows: set[int] = set()
    for i, score in enumerate(scores):
        if pending < len(spans) and i == spans[pending][0]:
            current = spans[pending]
            pending += 1
        if current is not None:
            width = current[1] - current[0] + 1
            weight = scaled_sigmoid(-(current[1] - i + 1) / width) * profile.tp_weight / max_tp
        elif previous is None:
            weight = -profile.fp_weight
        else:
            past = abs(previous[1] - i) / max(previous[1] - previous[0], 1)
            weight = scaled_sigmoid(past) * profile.fp_weight
        if i >= probation:
            window = pending - 1 if current is not None else None
            if window is not None:
                seen_windows.add(window)
            points.append(Point(float(score), weight, window))
        if current is not None and i == current[1]:
            previous, current = current, None
    return File(name, points, len(seen_windows))


@dataclass(frozen=True)
class ThresholdScore:
    """The raw score of a set of files when every score >= threshold is a detection."""

    threshold: float
    score: float
    tp: int
    fp: int


def sweep(files: Iterable[File], profile: Profile) -> list[ThresholdScore]:
    """Raw score at every distinct threshold, highest threshold first (`calcScoreByThreshold`)."""
    flat: list[tuple[float, float, tuple[str, int] | None]] = []
    best: dict[tuple[str, int], float] = {}
    for f in files:
        for p in f.points:
            key = None if p.window is None else (f.name, p.window)
            if key is not None:
                best[key] = -profile.fn_weight
            flat.append((p.score, p.weight, key))
    flat.sort(key=lambda item: item[0], reverse=True)
    windows_part = sum(best.values())
    fp_part = 0.0
    tp = fp = 0
    out: list[ThresholdScore] = []
    threshold = START_THRESHOLD
    for score, weight, key in flat:
        if score != threshold:
            out.append(ThresholdScore(threshold, fp_part + windows_part, tp, fp))
            threshold = score
        if key is None:
            fp += 1
            fp_part += weight
        else:
            tp += 1
            if weight > best[key]:
                windows_part += weight - best[key]
                best[key] = weight
    out.append(ThresholdScore(threshold, fp_part + windows_part, tp, fp))
    return out


def score_file(f: File, threshold: float, profile: Profile) -> float:
    """Raw score of one file when every score >= threshold is a detection."""
    best: dict[int, float] = {}
    fp_part = 0.0
    for p in f.points:
        if p.window is not None:
            best.setdefault(p.window, -profile.fn_weight)
            if p.score >= threshold and p.weight > best[p.window]:
                best[p.window] = p.weight
        elif p.score >= threshold:
            fp_part += p.weight
    return fp_part + sum(best.values())


def normalize(raw: float, windows: int, profile: Profile) -> float:
    """100 * (S - S_null) / (S_perfect - S_null); the null detector misses every window."""
    null = -profile.fn_weight * windows
    perfect = profile.tp_weight * windows
    if perfect == null:
        return math.nan
    return 100.0 * (raw - null) / (perfect - null)


@dataclass
class Result:
    """A corpus scored for one profile at its optimal threshold."""

    profile: Profile
    threshold: float
    raw: float
    windows: int
    normalized: float
    per_file: dict[str, float] = field(default_factory=dict)

    def subset(self, names: Iterable[str], files: Mapping[str, File]) -> tuple[float, int, float]:
        """(raw, windows, normalised score) of some files at this result's threshold."""
        chosen = list(names)
        raw = sum(self.per_file[n] for n in chosen)
        windows = sum(files[n].windows for n in chosen)
        return raw, windows, normalize(raw, windows, self.profile)


def evaluate(files: Sequence[File], profile: Profile) -> Result:
    """Choose the threshold maximising the corpus' raw score, then score every file at it."""
    scores = sweep(files, profile)
    top = max(scores, key=lambda s: s.score)
    # Like NAB, ties keep the first (highest) threshold met in the sweep.
    top = next(s for s in scores if s.score == top.score)
    per_file = {f.name: score_file(f, top.threshold, profile) for f in files}
    windows = sum(f.windows for f in files)
    return Result(
        profile, top.threshold, top.score, windows, normalize(top.score, windows, profile), per_file
    )


def parse_timestamp(text: str) -> datetime:
    """NAB's `2014-04-01 00:00:00` and its labels' `2014-04-10 07:15:00.000000`."""
    return datetime.fromisoformat(text.strip())


def load_windows(path: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """labels/combined_windows.json: relative data path -> list of (start, end)."""
    raw = json.loads(path.read_text())
    return {
        name: [(parse_timestamp(a), parse_timestamp(b)) for a, b in spans]
        for name, spans in raw.items()
    }
