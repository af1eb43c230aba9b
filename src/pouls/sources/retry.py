"""Waiting politely: exponential back-off with jitter and the servers' own retry hints.

Shared by the network connectors so each of them backs off the same way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from pouls.signals import utcnow

__all__ = ["Backoff", "RetryLater", "rate_limit_wait", "retry_after"]


class RetryLater(Exception):
    """The server asked us to slow down (429/503 with Retry-After, or a rate-limit header)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"server asked to retry in {seconds:.0f}s")
        self.seconds = seconds


class Backoff:
    """Delays of base, 2·base, 4·base… capped, each with ±20 % jitter; `reset` after a success."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, max(base, cap)
        self.failures = 0

    def next(self) -> float:
        """The delay before the next attempt, counting one more failure."""
        self.failures += 1
        delay = min(self.cap, self.base * 2 ** (self.failures - 1))
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self.failures = 0


def retry_after(value: str | None, default: float = 60.0) -> float:
    """Retry-After as seconds: a number or an HTTP date; `default` when absent or unreadable."""
    if not value:
        return default
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return default


def rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait before the next request when the quota is spent, from rate-limit headers.

    Reddit sends `X-Ratelimit-Remaining` and `X-Ratelimit-Reset` (seconds until the reset);
    Mastodon sends `X-RateLimit-Remaining` and `X-RateLimit-Reset` (an ISO 8601 time).
    None while requests remain.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    remaining = lower.get("x-ratelimit-remaining")
    reset = lower.get("x-ratelimit-reset")
    if remaining is None or reset is None:
        return None
    try:
        if float(remaining) >= 1:
            return None
    except ValueError:
        return None
    try:
        return max(0.0, float(reset))
    except ValueError:
        pass
    from datetime import datetime

    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (when - utcnow()).total_seconds())
