"""Injected faults: what goes wrong between the client and Ozon, one matching request at a time.

=================  ====================================================================================
kind               effect
=================  ====================================================================================
latency            sleep ``delay`` seconds, then answer normally (applied)
http_500/502/503   5xx error answer, not applied; ``retry_after`` adds a Retry-After header
rate_limit         429 code 8 "You have reached request rate limit per second" with Ratelimit-Remaining: 0,
                   not applied; ``retry_after``: None = no header, int = seconds, str = sent verbatim (an
                   HTTP-date)
method_not_allowed 405 code 12 "method is not allowed", not applied
legacy_error       400 in the older error shape ``{"error": {"code": "BAD_REQUEST", "message", "data": []}}``,
                   not applied
reset              connection reset before the request is applied
timeout            no answer at all, not applied (over HTTP the connection is held ``delay`` s, default 30)
lost_reply         the request IS applied, then the connection is reset (the reply never arrives)
malformed_json     applied; the JSON body is cut in half
missing_field      applied; the first record's id field (``posting_number``, ``id``, ...) is removed
=================  ====================================================================================

``rate`` (0..1, default 1) makes a fault hit only that share of the matching requests, drawn from a
generator seeded by the emulator's seed; a request it spares goes on to the next matching fault. Several
faults with ``times: null`` and a rate each make a lossy link (``tests/bench/lossy_bench.py``).
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any

from .errors import INTERNAL, METHOD_NOT_ALLOWED_MESSAGE, UNAVAILABLE, UNIMPLEMENTED, error_body

# kind -> (HTTP status, body) of the faults that answer at once and leave the request unapplied.
REFUSALS: dict[str, tuple[int, bytes]] = {
    "http_500": (500, error_body(INTERNAL, "Internal error")),
    "http_502": (502, error_body(UNAVAILABLE, "Bad Gateway")),
    "http_503": (503, error_body(UNAVAILABLE, "Service Unavailable")),
    "method_not_allowed": (405, error_body(UNIMPLEMENTED, METHOD_NOT_ALLOWED_MESSAGE)),
    "legacy_error": (
        400,
        json.dumps({"error": {"code": "BAD_REQUEST", "message": "Invalid request payload", "data": []}}).encode(),
    ),
}
KINDS = frozenset(
    {"latency", "rate_limit", "reset", "timeout", "lost_reply", "malformed_json", "missing_field", *REFUSALS}
)
DEFAULT_TIMEOUT_HOLD = 30.0
# Which key counts as "the id" of a record, most specific first.
ID_KEYS = (
    "posting_number",
    "return_id",
    "chat_id",
    "message_id",
    "review_id",
    "question_id",
    "answer_id",
    "comment_id",
    "carriage_id",
    "id",
    "product_id",
    "sku",
)


@dataclass
class Fault:
    kind: str
    path: str = "*"
    times: int | None = 1
    delay: float = 0.0
    retry_after: int | str | None = None
    rate: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 or None (forever)")
        if self.delay < 0:
            raise ValueError("delay must be >= 0")
        if isinstance(self.retry_after, bool) or not isinstance(self.retry_after, int | str | None):
            raise ValueError("retry_after must be None, an int (seconds) or a string (sent verbatim)")
        if isinstance(self.rate, bool) or not isinstance(self.rate, int | float) or not 0 < self.rate <= 1:
            raise ValueError("rate must be a number in (0, 1]")

    def matches(self, path: str) -> bool:
        return self.path == path or fnmatchcase(path, self.path)


class Faults:
    """The active faults, first added first matched; each hit uses up one of its ``times``."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._active: list[tuple[Fault, list[int | None]]] = []
        self._rng = random.Random(seed)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._active.append((fault, [fault.times]))

    def clear(self) -> int:
        with self._lock:
            count = len(self._active)
            self._active.clear()
            return count

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for i, (fault, remaining) in enumerate(self._active):
                if fault.matches(path):
                    if fault.rate < 1 and self._rng.random() >= fault.rate:
                        continue
                    left = remaining[0]
                    if left is not None:
                        remaining[0] = left - 1
                        if left - 1 <= 0:
                            del self._active[i]
                    return fault
            return None

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(asdict(fault), remaining=remaining[0]) for fault, remaining in self._active]


def truncate(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


def drop_id(body: bytes) -> bytes:
    """Remove the id field of the first record found breadth-first (or the root's first key)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    queue: list[Any] = [data]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            for key in ID_KEYS:
                if key in node:
                    del node[key]
                    return json.dumps(data, ensure_ascii=False).encode()
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)
    if isinstance(data, dict) and data:
        del data[next(iter(data))]
    return json.dumps(data, ensure_ascii=False).encode()
