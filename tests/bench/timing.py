"""What the cache benchmarks share: the median time of a call, and one line per check."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_ms(fn: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    """The median of `runs` calls in milliseconds, and what the last call returned."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def report(name: str, ms: float, target: float, result: Any = None) -> bool:
    """Print a check's line; True when it met its target."""
    size = f"{result:,} rows" if isinstance(result, int) else ""
    good = ms < target
    print(f"{name:<30} {ms:8.1f} ms  (target < {target:.0f} ms) {size:<14} {'ok' if good else 'SLOW'}", flush=True)
    return good
