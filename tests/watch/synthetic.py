"""Synthetic series for the detector tests: seeded, so every run sees the same data."""

from __future__ import annotations

import math
import random

HOUR = 3600.0
START = 1_700_006_400.0  # a Wednesday, 00:00 UTC


def poisson(rng: random.Random, lam: float) -> int:
    """One Poisson draw (Knuth below 30, a rounded normal above)."""
    if lam >= 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def seasonal_rate(t: float, base: float) -> float:
    """A social volume: busy afternoons, quiet nights, calmer weekends."""
    hour = (t % 86400) / 3600
    day = int((t // 86400 + 3) % 7)  # 0 = Monday for START's epoch
    daily = 1.0 + 0.8 * math.sin((hour - 9) / 24 * 2 * math.pi)
    weekly = 0.5 if day >= 5 else 1.0
    return base * daily * weekly


def counts(days: int, base: float, seed: int, step: float = HOUR) -> list[tuple[float, int]]:
    """Hourly Poisson counts with daily and weekly seasonality."""
    rng = random.Random(seed)
    n = int(days * 86400 / step)
    return [
        (START + i * step, poisson(rng, seasonal_rate(START + i * step, base))) for i in range(n)
    ]
