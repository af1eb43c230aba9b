"""Cool-down and grouping: consecutive alert-worthy scores form one episode that updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pouls.watch.detectors_score import Score, seconds


@dataclass
class Episode:
    """One event as a team sees it: when it started, its worst moment, how long it lasts."""

    number: int
    started: float  # epoch seconds of the first alert-worthy score
    last_seen: float  # epoch seconds of the latest alert-worthy score
    peak: Score  # the most anomalous score so far
    scores: int = 1  # alert-worthy scores folded into this episode
    open: bool = True


@dataclass(frozen=True)
class Change:
    """What to tell people: an episode opened, got worse, or ended."""

    kind: Literal["opened", "updated", "closed"]
    episode: Episode


class Cooldown:
    """Folds alert-worthy scores into episodes, so one event yields one alert that updates.

    An episode opens at the first score at or above `threshold`, is updated only when a later
    score beats its peak, and closes once no alert-worthy score has come for `quiet` seconds.
    """

    def __init__(self, quiet: float = 6 * 3600.0, threshold: float = 0.5) -> None:
        self.quiet = quiet
        self.threshold = threshold
        self.episode: Episode | None = None
        self._count = 0

    def update(self, timestamp: float | datetime, score: Score) -> list[Change]:
        """The changes that `score`, seen at `timestamp`, brings (usually none)."""
        ts = seconds(timestamp)
        changes: list[Change] = []
        ep = self.episode
        if ep is not None and ep.open and ts - ep.last_seen > self.quiet:
            ep.open = False
            changes.append(Change("closed", ep))
        if score.anomaly_score < self.threshold:
            return changes
        if ep is None or not ep.open:
            self._count += 1
            self.episode = Episode(self._count, ts, ts, score)
            changes.append(Change("opened", self.episode))
            return changes
        ep.last_seen = ts
        ep.scores += 1
        if score.anomaly_score > ep.peak.anomaly_score:
            ep.peak = score
            changes.append(Change("updated", ep))
        return changes
