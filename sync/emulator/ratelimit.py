"""Ozon's request budget: 50 requests per second per Client-Id, all methods together
(docs/ozon-contract.md, Rate limit).

A sliding window over wall-clock time (``time.monotonic``, not the emulator clock: a rate is about real
requests). A refused request does not use up budget, so a client that backs off gets through again one
second after its burst. Only API requests count: never the control API nor CDN file downloads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 1.0  # seconds


class RateLimiter:
    def __init__(self, limit: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate_limit must be >= 1 or None (no limit)")
        self.limit = limit
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Count one request; False when it is over the budget of the last second."""
        if self.limit is None:
            return True
        with self._lock:
            now = self._clock()
            while self._times and self._times[0] <= now - WINDOW:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return False
            self._times.append(now)
            return True
