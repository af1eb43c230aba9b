"""Distributed dual-vigilance fuzzy ART: the category memory of `ResonanceDetector`.

A numpy port of the compact DVFA in ARTimeNAB.jl (Mark Hampton, 2021, AGPL-3.0,
https://github.com/markNZed/ARTimeNAB.jl, src/AdaptiveResonanceCompact.jl), itself derived
from AdaptiveResonance.jl (Sasha Petrenko, MIT). Kept apart from the detector because it is
a general learner: complement-coded inputs, fuzzy-AND categories learnt by fast commit, and
two vigilances (a category above `rho_ub` resonates and learns; the best one between
`rho_lb` and `rho_ub` founds a new category of the same cluster; below, a new cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MAX_CATEGORIES = 4096  # bounded memory (512 KiB at 16 features): past it nothing new is stored


@dataclass(frozen=True, slots=True)
class Match:
    """What one input did to the memory."""

    label: int  # the cluster it joined, or -1 when it founded a new cluster (a surprise)
    similarity: float  # the best category's match (features cubed times energy squared)
    energy: float  # the best category's match on the newest value alone


class DualVigilanceART:
    """Fuzzy ART with a lower and an upper vigilance, learning one input at a time."""

    __slots__ = ("_clusters", "_labels", "_n", "_weights", "dim", "rho_lb", "rho_ub")

    def __init__(self, dim: int, rho_lb: float = 0.0, rho_ub: float = 0.0) -> None:
        self.dim = dim
        self.rho_lb = rho_lb
        self.rho_ub = rho_ub
        self._weights: NDArray[np.float64] = np.empty((16, 2 * dim))
        self._labels: list[int] = []
        self._n = 0
        self._clusters = 0

    @property
    def categories(self) -> int:
        """How many categories are stored."""
        return self._n

    def _add(self, sample: NDArray[np.float64], label: int) -> None:
        if self._n >= MAX_CATEGORIES:
            return
        if self._n == len(self._weights):
            self._weights = np.concatenate([self._weights, np.empty_like(self._weights)])
        self._weights[self._n] = sample
        self._labels.append(label)
        self._n += 1

    def _activation(
        self, sample: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        w = self._weights[: self._n]
        fuzzy_and = np.minimum(sample, w)
        size = w.sum(axis=1)
        size[size == 0.0] = 0.001
        features = fuzzy_and.sum(axis=1) / size
        last, last_c = self.dim - 1, 2 * self.dim - 1  # the newest value and its complement
        with np.errstate(invalid="ignore", divide="ignore"):
            energy = (fuzzy_and[:, last] + fuzzy_and[:, last_c]) / (w[:, last] + w[:, last_c])
        return features**3 * energy**2, energy, fuzzy_and

    def train(self, x: NDArray[np.float64], *, learning: bool = True) -> Match:
        """Present one input in [0, 1]^dim: find its best category and learn from it."""
        sample = np.concatenate([x, 1.0 - x])
        if self._n == 0:
            # As upstream: the first input founds an all-ones category and is not learnt.
            self._add(np.ones(2 * self.dim), 1)
            self._clusters = 1
            return Match(1, 0.0, 0.0)
        match, energy, fuzzy_and = self._activation(sample)
        best, best_energy, label = 0.0, 0.0, -1
        mismatch = True
        if not np.isnan(match).any():  # upstream sorts NaN first, which ends the search at once
            for j in np.argsort(-match, kind="stable"):
                m = float(match[j])
                if m > best:
                    best, best_energy = m, float(energy[j])
                if not learning:
                    continue
                if m >= self.rho_ub:
                    self._weights[j] = fuzzy_and[j]  # fast commit
                    if m >= best:
                        label = self._labels[j]
                    mismatch = False
                elif m >= self.rho_lb and mismatch:
                    if m >= best:
                        label = self._labels[j]
                    self._add(sample, label)
                    mismatch = False
                    break
                else:
                    break
        if mismatch and learning:
            label = -1
            self._add(sample, self._clusters + 1)
            self._clusters += 1
        return Match(label, best, best_energy)
