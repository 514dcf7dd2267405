"""Waiting on Ozon: the client-wide pause a Retry-After (or a 429 with one) asks for, and the
full-jitter backoff of a failed action's next attempt."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from app import outbox
from sync.context import SyncContext
from sync.cycle import Offline
from sync.errors import NetworkError, RateLimitedError, ServerError

MAX_PAUSE = timedelta(minutes=15)
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0


def full_jitter(attempt: int, rng: random.Random) -> float:
    """AWS 'full jitter': uniform in [0, min(cap, base·2^attempt)]."""
    return rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** min(attempt, 16))))


def retry_delay(attempt: int, exc: Exception | None, rng: random.Random) -> float:
    """Seconds until an action's next attempt: full jitter, but never sooner than Ozon's Retry-After."""
    delay = full_jitter(attempt, rng)
    if isinstance(exc, (RateLimitedError, ServerError)) and exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, MAX_PAUSE.total_seconds()))
    return delay


class Pause:
    """Ozon's Retry-After pauses the whole client: no pull, no push until it ends (at most MAX_PAUSE)."""

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.until: datetime | None = None

    def active(self) -> bool:
        return self.until is not None and self.ctx.clock.now() < self.until

    def pause_for(self, exc: RateLimitedError | ServerError) -> None:
        if exc.retry_after is None:
            return
        now = self.ctx.clock.now()
        until = now + min(timedelta(seconds=exc.retry_after), MAX_PAUSE)
        self.until = until
        with self.ctx.db.write() as s:
            outbox.postpone_all(s, until, now)

    def guard(self, fn: Callable[[], None]) -> None:
        """Run one pull step; a link that answers nothing ends the cycle, and so does a 429 or a
        Retry-After (which pauses the client). A 5xx without one, or a read that stayed unanswered
        after its retries on a link that still answers, is that step's failure only."""
        try:
            fn()
        except (RateLimitedError, ServerError) as exc:
            if isinstance(exc, ServerError) and exc.retry_after is None:
                raise
            self.pause_for(exc)
            raise Offline(str(exc)) from exc
        except NetworkError as exc:
            if not self.ctx.client.link_down:
                raise
            raise Offline(str(exc)) from exc
