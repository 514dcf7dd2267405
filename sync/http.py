"""Talking HTTP to Ozon: one requests.Session with the auth headers, the rate limiter and a timeout
on every call; network failures and error answers mapped to typed errors (`error_for`, Retry-After
parsed by `retry_after_seconds`); JSON and PDF answers, and files fetched from Ozon's CDN. A read
whose answer is lost is asked again at once, a few times (a lossy link); writes never are.

`sync.client.OzonClient` builds the typed Ozon methods on this transport.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

import orjson
import requests

from app.secrets import Credentials
from sync import methods, ratelimit
from sync.errors import (
    AuthError,
    FileUnavailable,
    InvalidStateError,
    MissingRoleError,
    NetworkError,
    NotFoundError,
    OzonError,
    PlanLimitError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
READ_ATTEMPTS = 3  # a read (`methods.READS`) whose answer is lost or garbled is sent up to this often
READ_RETRY_PAUSE_S = 0.5  # times the attempt number: a lossy link often recovers within a second
LINK_DOWN_AFTER = 3  # requests in a row without an answer: the link is down, not merely lossy
USER_AGENT = "Packdesk/0.1"

# Business refusals that are about the object's state, not the request's shape.
_STATE_MESSAGES = (
    "POSTING_ALREADY_CANCELLED",
    "POSTING_ALREADY_SHIPPED",
    "HAS_INCORRECT_STATUS",
    "TRANSITION_IS_NOT_POSSIBLE",
    "HAS_INCORRECT_TPL_INTEGRATION_TYPE",
    "NOT_ALLOWED",
    "INVALID_STATE",
    "aren't ready",
)
_PLAN_WORDS = ("subscription", "premium", "tariff", "plan ")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_fields(body: Any) -> tuple[int | None, str]:
    """(gRPC code, message) of either error body Ozon uses: `{code, message, details}`, or the older
    `{"error": {code, message, data}}` (where the code is a word)."""
    if not isinstance(body, dict):
        return None, ""
    inner = body.get("error")
    if isinstance(inner, dict):
        word, text = inner.get("code"), inner.get("message")
        parts = [str(x) for x in (word if isinstance(word, str) else None, text) if x]
        raw = word if isinstance(word, int) and not isinstance(word, bool) else None
        return raw, ": ".join(parts)
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    return code, str(body.get("message") or "")


def error_for(status: int, body: Any, path: str, retry_after: float | None = None) -> OzonError:
    """Map an HTTP error with Ozon's error body to a typed error."""
    code, message = _error_fields(body)
    message = message or f"HTTP {status}"
    low = message.lower()
    kw: dict[str, Any] = {"path": path, "status": status, "code": code}
    if status == 429 or code == 8:
        return RateLimitedError(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message, retry_after=retry_after, **kw)
    if "method is not allowed" in low:
        # Ozon's generic refusal of a method to this key or shop: like a missing role, not retried.
        return MissingRoleError(message, **kw)
    if status in (401, 403) or code in (7, 16):
        if "role" in low:
            return MissingRoleError(message, **kw)
        if any(w in low for w in _PLAN_WORDS):
            return PlanLimitError(message, **kw)
        return AuthError(message, **kw)
    if status == 404 or code == 5:
        return NotFoundError(message, **kw)
    if status == 409 or any(m.lower() in low for m in _STATE_MESSAGES):
        return InvalidStateError(message, **kw)
    return ValidationError(message, **kw)


class Transport:
    """Requests to the Ozon API (only the methods `sync.methods` lists) and downloads from its CDN."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        limiter: ratelimit.RateLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.limiter = limiter or ratelimit.for_account(credentials.client_id)
        self.read_retry_pause_s = READ_RETRY_PAUSE_S
        self.read_attempts = READ_ATTEMPTS  # 1 where someone waits on the answer with a deadline of their own
        self.unanswered = 0  # requests in a row that got no answer (see `link_down`)
        self._headers = {
            "Client-Id": credentials.client_id,
            "Api-Key": credentials.api_key,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }

    def close(self) -> None:
        self.session.close()

    def fork(self, timeout: tuple[float, float] | None = None) -> Self:
        """The same account and transport on a session of its own: a requests.Session must not be
        used by two threads at once, and the sync thread keeps its own to itself. The rate limiter
        is shared: Ozon counts the account's requests, not the session's."""
        session = requests.Session()
        for prefix, adapter in self.session.adapters.items():
            session.mount(prefix, adapter)  # keeps an in-process emulator transport too
        twin = type(self).__new__(type(self))
        twin.base_url, twin.timeout, twin.session = self.base_url, timeout or self.timeout, session
        twin.limiter = self.limiter
        twin.read_retry_pause_s, twin.read_attempts, twin.unanswered = self.read_retry_pause_s, self.read_attempts, 0
        twin._headers = dict(self._headers)
        return twin

    @property
    def link_down(self) -> bool:
        """Several requests in a row went unanswered: stop for now rather than time out on each."""
        return self.unanswered >= LINK_DOWN_AFTER

    def _send(self, path: str, send: Callable[[], requests.Response]) -> requests.Response:
        """One request through the rate limiter, network failures mapped to NetworkError."""
        self.limiter.acquire()
        try:
            response = self._answered(send)
        except requests.exceptions.ConnectTimeout:
            raise NetworkError("connection timed out", ambiguous=False, path=path) from None
        except requests.exceptions.ReadTimeout:
            raise NetworkError("no answer in time", ambiguous=True, path=path) from None
        except requests.exceptions.ConnectionError as exc:
            # Refused or unresolvable: nothing was sent. A reset mid-request may have been applied.
            text = str(exc)
            refused = any(w in text for w in ("Connection refused", "NewConnectionError", "Name or service"))
            reason = "cannot connect" if refused else "connection lost"
            raise NetworkError(reason, ambiguous=not refused, path=path) from None
        except requests.exceptions.RequestException as exc:
            raise NetworkError(type(exc).__name__, ambiguous=True, path=path) from None
        self.limiter.note_remaining(response.headers.get("Ratelimit-Remaining"))
        return response

    def _answered(self, send: Callable[[], requests.Response]) -> requests.Response:
        """`send`, counting the requests in a row that got no answer."""
        try:
            response = send()
        except requests.exceptions.RequestException:
            self.unanswered += 1
            raise
        self.unanswered = 0
        return response

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        if path not in methods.CALLED:
            raise ValueError(f"{path} is not an Ozon method Packdesk calls (see sync/methods.py)")
        response = self._send(
            path,
            lambda: self.session.post(
                self.base_url + path,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers=self._headers,
                timeout=self.timeout,
            ),
        )
        if response.status_code >= 400:
            try:
                err_body = response.json()
            except ValueError:
                err_body = None
            raise error_for(
                response.status_code, err_body, path, retry_after_seconds(response.headers.get("Retry-After"))
            )
        return response

    def call(self, path: str, body: dict[str, Any]) -> Any:
        """Send one request and return its JSON answer. A read (`methods.READS`) whose answer is lost,
        cut short or a 5xx is sent again (up to READ_ATTEMPTS in all, unless the link is down), so one
        lost packet does not cost the whole sync cycle. Writes are never re-sent here: the sync
        engine re-checks an ambiguous write on Ozon first. A 429 or a Retry-After is never retried:
        the engine pauses the whole client."""
        attempts = self.read_attempts if path in methods.READS else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._call_once(path, body)
            except (NetworkError, ServerError, ProtocolError) as exc:
                if attempt == attempts or not self._worth_another_try(exc):
                    raise
            if self.read_retry_pause_s:
                time.sleep(self.read_retry_pause_s * attempt)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _worth_another_try(self, exc: OzonError) -> bool:
        if isinstance(exc, NetworkError):
            return not self.link_down
        if isinstance(exc, ServerError):
            return exc.retry_after is None  # Ozon named a wait: the engine pauses the client
        return True  # a body cut short (the parsers run later: a malformed record is not retried)

    def _call_once(self, path: str, body: dict[str, Any]) -> Any:
        response = self._post(path, body)
        try:
            # orjson: a page of 100 postings is ~0.4 MB; the standard parser takes three times as long.
            return orjson.loads(response.content)
        except ValueError:
            raise ProtocolError("the answer is not valid JSON", path=path) from None

    def call_pdf(self, path: str, body: dict[str, Any]) -> bytes:
        """PDF endpoints answer raw bytes; some document a JSON wrapper with file_content."""
        response = self._post(path, body)
        content = response.content
        if content.startswith(b"%PDF"):
            return content
        try:
            data = response.json()
        except ValueError:
            raise ProtocolError("the answer is neither a PDF nor JSON", path=path) from None
        file_content = data.get("file_content") if isinstance(data, dict) else None
        if isinstance(file_content, str):
            try:
                raw = (
                    file_content.encode("latin-1")
                    if file_content.startswith("%PDF")
                    else base64.b64decode(file_content, validate=True)
                )
            except (ValueError, UnicodeError):
                raise ProtocolError("file_content is not a PDF", path=path, field="file_content") from None
            if raw.startswith(b"%PDF"):
                return raw
        raise ProtocolError("the answer holds no PDF", path=path, field="file_content")

    def download_pdf(self, url: str, max_bytes: int) -> bytes:
        """A file Ozon hands out by URL (a label batch on its CDN), by the rules of `_download`; it
        must be a PDF."""
        content = self._download(url, max_bytes, "file_url", follow_redirects=True)
        if not content.startswith(b"%PDF"):
            raise ProtocolError("the file is not a PDF", path="file_url")
        return content

    def download_image(self, url: str, max_bytes: int) -> bytes:
        """A picture Ozon links to (a buyer's photo in a chat), by the rules of `_download`. What the
        bytes are is for the caller to check (`app.chat.attachments.check_image`). A redirect is not
        followed: it would lead past the caller's check of the address (`sync.chat_images.allowed`)."""
        return self._download(url, max_bytes, "image_url", follow_redirects=False)

    def _download(self, url: str, max_bytes: int, where: str, follow_redirects: bool) -> bytes:
        """GET a file by URL: without Ozon's headers (the key never leaves for another host), over https
        (or from the API's own origin, e.g. the emulator), at most `max_bytes` (counted while streaming).
        4xx: FileUnavailable (ask Ozon for the file again); 5xx: ServerError."""
        target, api = urlsplit(url), urlsplit(self.base_url)
        same_origin = (target.scheme, target.netloc) == (api.scheme, api.netloc)
        if target.scheme != "https" and not same_origin:
            raise ProtocolError(f"Ozon gave a file address Packdesk will not open: {url[:80]}", path=where)
        response = self._send(
            where,
            lambda: self.session.get(
                url,
                headers={"User-Agent": USER_AGENT},
                timeout=self.timeout,
                stream=True,
                allow_redirects=follow_redirects,
            ),
        )
        try:
            if response.status_code >= 500:
                raise ServerError(f"Ozon's file server answered {response.status_code}", path=where)
            if response.status_code >= 400:  # expired, removed, refused: ask Ozon for the file again
                raise FileUnavailable(f"Ozon's file server has no file there ({response.status_code})", path=where)
            if 300 <= response.status_code < 400:  # a redirect not followed
                raise ProtocolError(f"Ozon's file server answered {response.status_code}", path=where)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise ProtocolError(f"the file is larger than {max_bytes // (1024 * 1024)} MB", path=where)
                chunks.append(chunk)
        except requests.exceptions.RequestException:
            raise NetworkError("connection lost", ambiguous=False, path=where) from None
        finally:
            response.close()
        return b"".join(chunks)
