"""Typed errors of the Ozon API client.

Each class says what the sync engine does with it: transient ones are retried with backoff,
permanent ones become a visible conflict, auth and plan errors stop that part of the sync.
`ambiguous` means the request may have reached Ozon and been applied without us seeing the answer.
"""

from __future__ import annotations


class OzonError(Exception):
    transient = False

    def __init__(self, message: str, *, path: str = "", status: int = 0, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.status = status
        self.code = code
        self.ambiguous = False

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        http = f"HTTP {self.status} " if self.status and not self.message.startswith("HTTP ") else ""
        return f"{where}{http}{self.message}"


class AuthError(OzonError):
    """Bad, deactivated or IP-restricted Api-Key, or a wrong Client-Id."""


class MissingRoleError(OzonError):
    """The key lacks the role this method needs."""


class PlanLimitError(OzonError):
    """The shop's subscription does not include this method (chats, reviews)."""


class NotFoundError(OzonError):
    pass


class InvalidStateError(OzonError):
    """Ozon refused because of the object's state (already cancelled, wrong status, ...)."""


class ValidationError(OzonError):
    """The request was malformed in Ozon's eyes."""


class RateLimitedError(OzonError):
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(OzonError):
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after
        self.ambiguous = True


class NetworkError(OzonError):
    """No usable answer: refused, reset, timed out. `ambiguous` unless it failed before sending."""

    transient = True

    def __init__(self, message: str, *, ambiguous: bool, path: str = "") -> None:
        super().__init__(message, path=path)
        self.ambiguous = ambiguous


class FileUnavailable(OzonError):
    """A file Ozon handed out by URL (a label batch) cannot be had: gone, expired, refused. Not the
    key's fault (no key is sent there): Ozon is asked to make it again."""

    transient = True


class ProtocolError(OzonError):
    """Ozon answered something we cannot read (malformed JSON, a missing required field)."""

    transient = True  # usually a broken proxy or a half-delivered body; the next try may work

    def __init__(self, message: str, *, path: str = "", field: str = "") -> None:
        super().__init__(message, path=path)
        self.field = field
        self.ambiguous = True
