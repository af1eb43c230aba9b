"""Numenta Anomaly Benchmark (NAB v1.1) scoring, so `pouls detect` compares with the scoreboard.

Written for pouls from NAB's published rules (Lavin and Ahmad, "Evaluating Real-time Anomaly
Detection Algorithms", 2015, arXiv:1510.03336, and the summary kept with the data in
`../shared/datasets/nab_other/SOURCE.md`):

- the first 15% of each file (at most 750 rows) is a probation and is not scored;
- a row inside a labelled window earns `tpWeight * s(-(right - i + 1) / width) / s(-1)` if it
  is a detection, with `s(x) = 2 / (1 + exp(5x)) - 1`; a window counts only its best-earning
  (earliest) detection, and a window without any costs `fnWeight`;
- a detection outside every window costs `fpWeight`, or `fpWeight * s(distance)` when a window
  ended before it, the distance counted in that window's widths (the cost grows from 0 right
  after the window to `fpWeight` far from it);
- one threshold on the anomaly score is chosen for the whole corpus, the one that maximises
  the raw score; the raw score is normalised between the null detector (no detection, every
  window missed) and the perfect one (every window found at its left edge).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

PROBATION_SHARE = 0.15
PROBATION_CAP = 750
NOTHING = math.inf  # the threshold that detects nothing: every window missed

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


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
    """Profiles from NAB's config/profiles.json (its `CostMatrix` of each profile)."""
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
    """NAB's s(x) = 2 / (1 + exp(5x)) - 1: near 1 early in a window, near -1 far after it."""
    return float(_sigmoid(np.array([position], dtype=np.float64))[0])


def _sigmoid(x: Floats) -> Floats:
    # exp overflows to inf past x ~ 140, where s is -1 anyway.
    with np.errstate(over="ignore"):
        return 2.0 / (1.0 + np.exp(5.0 * x)) - 1.0


def probation_length(rows: int) -> int:
    """Rows at the start of a file that are not scored: 15%, at most 750."""
    return min(math.floor(PROBATION_SHARE * rows), PROBATION_CAP)


@dataclass(frozen=True)
class File:
    """One file ready to score: its scored rows' anomaly scores, what each earns, its windows.

    `window[i]` is the index of the labelled window holding row i, or -1; `gain[i]` is what
    row i adds if it is a detection (its true-positive weight inside a window, a negative cost
    outside). `windows` counts the windows with at least one scored row.
    """

    name: str
    score: Floats
    gain: Floats
    window: Ints
    windows: int


def _spans(
    timestamps: Sequence[datetime], windows: Sequence[tuple[datetime, datetime]], name: str
) -> list[tuple[int, int]]:
    """The windows as (first row, last row), in order, checked to lie on the file's rows."""
    row = {ts: i for i, ts in enumerate(timestamps)}
    spans: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if start not in row or end not in row or row[end] < row[start]:
            raise ValueError(f"{name}: window {start}..{end} is not on the file's timestamps")
        if spans and row[start] <= spans[-1][1]:
            raise ValueError(f"{name}: window {start}..{end} overlaps the previous one")
        spans.append((row[start], row[end]))
    return spans


def weigh(
    timestamps: Sequence[datetime],
    scores: Sequence[float],
    windows: Sequence[tuple[datetime, datetime]],
    profile: Profile,
    name: str = "",
) -> File:
    """What each row of a file earns if it is a detection, under one profile."""
    if len(timestamps) != len(scores):
        raise ValueError("timestamps and scores differ in length")
    rows = len(timestamps)
    spans = _spans(timestamps, windows, name)
    index = np.arange(rows, dtype=np.float64)
    window = np.full(rows, -1, dtype=np.int64)
    gain = np.full(rows, -profile.fp_weight, dtype=np.float64)
    best = _sigmoid(np.array([-1.0]))[0]
    for k, (left, right) in enumerate(spans):
        width = right - left + 1
        inside = slice(left, right + 1)
        window[inside] = k
        gain[inside] = profile.tp_weight * _sigmoid(-(right - index[inside] + 1) / width) / best
        after = slice(right + 1, spans[k + 1][0] if k + 1 < len(spans) else rows)
        distance = (index[after] - right) / max(right - left, 1)
        gain[after] = profile.fp_weight * _sigmoid(distance)
    keep = slice(probation_length(rows), rows)
    scored = window[keep]
    return File(
        name,
        np.asarray(scores, dtype=np.float64)[keep],
        gain[keep],
        scored,
        len(np.unique(scored[scored >= 0])),
    )


@dataclass(frozen=True)
class ThresholdScore:
    """The raw score of a set of files when every score >= threshold is a detection."""

    threshold: float
    score: float


def _steps(f: File, profile: Profile) -> tuple[Floats, Floats]:
    """(threshold, change of the raw score) as the threshold falls to each row's score.

    Outside windows each detection adds its cost. Inside a window, lowering the threshold
    past a row's score helps only when that row earns more than the window's best so far.
    """
    outside = f.window < 0
    values = [f.score[outside]]
    deltas = [f.gain[outside]]
    for k in np.unique(f.window[~outside]):
        rows = np.flatnonzero(f.window == k)
        order = rows[np.argsort(-f.score[rows], kind="stable")]
        best = np.maximum.accumulate(np.concatenate(([-profile.fn_weight], f.gain[order])))
        values.append(f.score[order])
        deltas.append(np.diff(best))
    return np.concatenate(values), np.concatenate(deltas)


def raw_by_threshold(files: Iterable[File], profile: Profile) -> list[ThresholdScore]:
    """The raw score at every threshold that changes it, highest threshold first."""
    chosen = list(files)
    null = -profile.fn_weight * sum(f.windows for f in chosen)
    parts = [_steps(f, profile) for f in chosen]
    values = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
    deltas = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
    thresholds, group = np.unique(-values, return_inverse=True)
    raw = null + np.cumsum(np.bincount(group, weights=deltas, minlength=len(thresholds)))
    out = [ThresholdScore(NOTHING, null)]
    out += [ThresholdScore(float(-t), float(r)) for t, r in zip(thresholds, raw, strict=True)]
    return out


def score_file(f: File, threshold: float, profile: Profile) -> float:
    """Raw score of one file when every score >= threshold is a detection."""
    detected = f.score >= threshold
    total = float(f.gain[detected & (f.window < 0)].sum())
    for k in np.unique(f.window[f.window >= 0]):
        hits = detected & (f.window == k)
        total += float(f.gain[hits].max()) if hits.any() else -profile.fn_weight
    return total


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
    """Choose the threshold maximising the corpus' raw score, then score every file at it.

    Among equal raw scores the highest threshold wins (the fewest detections).
    """
    curve = raw_by_threshold(files, profile)
    top = max(curve, key=lambda s: s.score)  # max keeps the first, i.e. highest, of ties
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
