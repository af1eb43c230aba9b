"""Growing pauses after wrong passwords, per account and address and per address.

A hard lock of an account after N failures lets anyone who knows a login keep its owner out;
here the pauses are counted per (login, client address), so a guesser elsewhere slows only
themselves, and per address across logins, so one address cannot spray many accounts. Past a
few free tries, each further failure within the window doubles the wait before the next try.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

FAILURE_WINDOW = 15 * 60.0  # seconds a failure counts for
PAIR_FREE_TRIES = 3  # failures for one login from one address before the first pause
ADDRESS_FREE_TRIES = 10  # failures from one address, whatever the logins, before a pause
MAX_PAUSE = FAILURE_WINDOW  # the longest pause, however many failures
MAX_KEYS = 100_000  # tracked keys before expired ones are swept (bounds the memory)


def pause(failures: int, free: int) -> float:
    """Seconds to wait after the latest of `failures`: none for the free tries, then 1, 2, 4…

    >>> [pause(n, 3) for n in range(1, 7)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 8.0]
    """
    if failures < free:
        return 0.0
    return min(MAX_PAUSE, 2.0 ** (failures - free))


class Throttle:
    """Failures of the last FAILURE_WINDOW seconds, per (login, address) and per address.

    `clock` is injectable so that tests move time instead of sleeping.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str] | str, deque[float]] = {}

    def _recent(self, key: tuple[str, str] | str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] > FAILURE_WINDOW:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def _left(self, key: tuple[str, str] | str, free: int, now: float) -> float:
        times = self._recent(key, now)
        if not times:
            return 0.0
        return max(0.0, times[-1] + pause(len(times), free) - now)

    def wait(self, login: str, address: str) -> float:
        """Seconds before `login` may be tried again from `address` (0: it may now)."""
        now = self.clock()
        return max(
            self._left((login, address), PAIR_FREE_TRIES, now),
            self._left(address, ADDRESS_FREE_TRIES, now),
        )

    def failed(self, login: str, address: str) -> int:
        """Count a wrong password; the number of failures of this pair within the window."""
        now = self.clock()
        if len(self._failures) > MAX_KEYS:
            self._sweep(now)
        for key in ((login, address), address):
            self._failures.setdefault(key, deque()).append(now)
        return len(self._failures[(login, address)])

    def succeeded(self, login: str, address: str) -> None:
        """Forget the pair's failures; the address's stay, or signing in to one's own account
        would wipe the count of guesses at others'."""
        self._failures.pop((login, address), None)

    def _sweep(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
