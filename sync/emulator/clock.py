"""The emulator's clock and Ozon-style timestamps.

The clock either stands still until :meth:`Clock.advance` moves it (``speed == 0``, for tests) or runs
``speed`` times faster than real time on top of the manual offset (demo mode).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | None = None, speed: float = 0.0) -> None:
        if start is None:
            start = datetime.now(UTC).replace(microsecond=0)
        elif start.tzinfo is None:
            raise ValueError("start must be a timezone-aware datetime")
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._offset = 0.0
        self._t0 = time.monotonic()
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            elapsed = self._offset
        if self._speed > 0:
            elapsed += (time.monotonic() - self._t0) * self._speed
        return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the emulator clock cannot go back")
        with self._lock:
            self._offset += seconds


# Timestamp styles: the real API is not consistent, so each record picks one.
PLAIN, MILLIS, MICROS, NANOS = 0, 1, 2, 3


def iso(dt: datetime | None, style: int = PLAIN) -> str | None:
    """``2026-05-14T08:00:00Z`` / ``...00.657Z`` / ``...00.657123Z`` / ``...00.657123000Z``; None stays None."""
    if dt is None:
        return None
    base = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if style == PLAIN:
        return base + "Z"
    if style == MILLIS:
        return f"{base}.{dt.microsecond // 1000:03d}Z"
    if style == MICROS:
        return f"{base}.{dt.microsecond:06d}Z"
    return f"{base}.{dt.microsecond:06d}000Z"


def iso_z(dt: datetime) -> str:
    """Plain ``...Z`` with microseconds when there are any (used for the action log)."""
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def parse_time(value: str) -> datetime:
    """Parse an RFC 3339 timestamp or a plain date (midnight UTC); naive values are taken as UTC."""
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if len(text) == 10:
        text += "T00:00:00"
    dt = datetime.fromisoformat(text.replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def micros(dt: datetime) -> int:
    """Integer microseconds since the epoch: a cheap, exact sort key."""
    delta = dt - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
