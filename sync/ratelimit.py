"""Keeps a shop under Ozon's request rate: 50 requests per second per Client-Id, all methods together.

A sliding window: at most `per_second` requests start within any one second. Ozon's
`Ratelimit-Remaining` header, when an answer carries one, slows us further: with little left, the next
request waits for the window to roll over. Every client of one Client-Id in this process (the sync
thread, the window's own session, the pack station's checks) shares one limiter.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

OZON_LIMIT_PER_SECOND = 50
# A margin under Ozon's limit: clocks differ and Ozon counts on its side of the network.
DEFAULT_PER_SECOND = 45
LOW_REMAINING = 3  # requests left in Ozon's window below which we wait for the next one
WINDOW_S = 1.0


class RateLimiter:
    def __init__(
        self,
        per_second: int = DEFAULT_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._started: deque[float] = deque()
        self._hold_until = 0.0

    def acquire(self) -> float:
        """Wait until a request may start; returns how long it waited (seconds)."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._started and self._started[0] <= now - WINDOW_S:
                    self._started.popleft()
                wait = self._hold_until - now
                if len(self._started) >= self.per_second:
                    wait = max(wait, self._started[0] + WINDOW_S - now)
                if wait <= 0:
                    self._started.append(now)
                    return waited
            self._sleep(wait)
            waited += wait

    def note_remaining(self, header: str | None) -> None:
        """Ozon says how many requests are left in its current window."""
        if header is None:
            return
        try:
            remaining = int(header.strip())
        except ValueError:
            return
        if remaining <= LOW_REMAINING:
            with self._lock:
                self._hold_until = max(self._hold_until, self._clock() + WINDOW_S)


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def for_account(client_id: str) -> RateLimiter:
    """The one limiter of a Client-Id in this process."""
    with _shared_lock:
        limiter = _shared.get(client_id)
        if limiter is None:
            limiter = _shared[client_id] = RateLimiter()
        return limiter
