"""One API request in, one :class:`Reply` out: auth, routing, body parsing, error mapping.

Transports (the requests adapter and the HTTP server) only translate a Reply into bytes on the wire, or
into the matching failure when a fault says the connection breaks.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sync.methods import RETIRED

from .errors import (
    INTERNAL,
    METHOD_NOT_ALLOWED_MESSAGE,
    NOT_FOUND,
    PERMISSION_DENIED,
    RATE_LIMIT_MESSAGE,
    RESOURCE_EXHAUSTED,
    UNIMPLEMENTED,
    ApiError,
    error_body,
    premium_required,
)
from .fields import Fields
from .handlers import ROUTES, Ctx, Raw
from .ratelimit import RateLimiter
from .store import Store

log = logging.getLogger(__name__)

RESPOND, RESET, HOLD = "respond", "reset", "hold"


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str = RESPOND  # RESET: close with a TCP reset; HOLD: never answer
    hold: float = 0.0  # seconds to keep the connection open before the reset / close (HTTP server only)


def json_reply(value: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def error_reply(http: int, code: int, message: str) -> Reply:
    return Reply(http, error_body(code, message))


def rate_limited(retry_after: int | str | None) -> Reply:
    """429 code 8 with ``Ratelimit-Remaining: 0`` and, when given, ``Retry-After`` (sent verbatim)."""
    reply = error_reply(429, RESOURCE_EXHAUSTED, RATE_LIMIT_MESSAGE)
    reply.headers["Ratelimit-Remaining"] = "0"
    if retry_after is not None:
        reply.headers["Retry-After"] = str(retry_after)
    return reply


class Api:
    def __init__(
        self, store: Store, client_id: str, api_key: str, premium: bool, limiter: RateLimiter | None = None
    ) -> None:
        self.store = store
        self.client_id = client_id
        self.api_key = api_key
        self.premium = premium
        self.limiter = limiter or RateLimiter(None)
        self._trace = itertools.count(0x1A2B3C4D5E6F)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        """``headers`` with lower-case names."""
        reply = self._handle(method, path, headers, body)
        reply.headers.setdefault("x-o3-trace-id", f"{next(self._trace):x}")
        return reply

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if headers.get("client-id", "").strip() != self.client_id or headers.get("api-key", "").strip() != self.api_key:
            return error_reply(403, PERMISSION_DENIED, "Invalid Api-Key, please contact support")
        if not self.limiter.allow():  # the budget is per Client-Id: counted once the caller is known
            return rate_limited(1)
        # A method Ozon switched off answers exactly like one that never existed
        # (docs/ozon-contract.md, Retired methods).
        route = None if path in RETIRED else ROUTES.get(path)
        if route is None:
            return error_reply(404, NOT_FOUND, "method not found")
        if method != "POST":
            return error_reply(405, UNIMPLEMENTED, METHOD_NOT_ALLOWED_MESSAGE)
        if route.premium and not self.premium:
            return _error(premium_required())
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return error_reply(400, 3, "Request validation error: invalid body: not valid JSON")
        if not isinstance(data, dict):
            return error_reply(400, 3, "Request validation error: invalid body: must be a JSON object")
        store = self.store
        with store.lock:
            now = store.run_due()
            ctx = Ctx(store, path, now, data, headers.get("host", ""))
            try:
                result = route.handler(ctx, Fields(data))
                if isinstance(result, Raw):
                    return Reply(200, result.body, result.content_type)
                return json_reply(result)
            except ApiError as err:
                return _error(err)
            except Exception:
                log.exception("emulator handler for %s failed", path)
                return error_reply(500, INTERNAL, "Internal error")


def _error(err: ApiError) -> Reply:
    return Reply(err.http, err.body())
