"""A requests transport adapter: mount it on a Session and the real client code talks to the emulator
in-process (any base URL; only the path counts)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .dispatch import HOLD, RESET
from .emulator import Emulator

REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if isinstance(timeout, int | float) else None


class EmulatorAdapter(BaseAdapter):
    """``reset``/``lost_reply`` faults raise ConnectionError; ``timeout`` raises ReadTimeout at once."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__()
        self.emulator = emulator

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or "/"
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = b"".join(body)  # an iterable body
        parts = urlsplit(url)
        headers = {k.lower(): v if isinstance(v, str) else v.decode() for k, v in request.headers.items()}
        headers.setdefault("host", parts.netloc)  # as urllib3 would send it
        reply = self.emulator.dispatch(
            request.method or "GET", parts.path or "/", headers, body, read_timeout=_read_timeout(timeout)
        )
        if reply.action == RESET:
            raise requests.exceptions.ConnectionError(
                "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))", request=request
            )
        if reply.action == HOLD:
            raise requests.exceptions.ReadTimeout(f"emulator: read timed out (timeout={timeout})", request=request)
        response = requests.Response()
        response.status_code = reply.status
        response.reason = REASONS.get(reply.status, "")
        response.headers = CaseInsensitiveDict(
            {"Content-Type": reply.content_type, "Content-Length": str(len(reply.body)), **reply.headers}
        )
        response._content = reply.body
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw = io.BytesIO(reply.body)
        response.url = url
        response.request = request
        response.encoding = "utf-8" if reply.content_type.startswith("application/json") else None
        response.elapsed = timedelta(0)
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        """Nothing to release."""
