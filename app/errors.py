"""Error classes of the core.

`UserError` is the environment's or the user's problem (bad key, offline, wrong scan): it carries a
stable `code` and `params`, and the UI turns it into a translated sentence. Anything else that
escapes is a bug and is logged with its traceback.
"""

from __future__ import annotations

from typing import Any


class PackdeskError(Exception):
    """Base class of every error Packdesk raises on purpose."""


class UserError(PackdeskError):
    """A problem a seller can understand and act on."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class UserCancelled(PackdeskError):
    """The user backed out; never shown."""


class CredentialsMissing(UserError):
    def __init__(self, what: str) -> None:
        super().__init__("credentials_missing", f"{what} is not set", what=what)


class DatabaseTooNew(UserError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            "database_too_new",
            f"The database was written by a newer Packdesk (schema {revision}); update Packdesk to open it",
            revision=revision,
        )


class NotFound(UserError):
    pass


class InvalidAction(UserError):
    """The action makes no sense in the current local state (e.g. ship a cancelled posting)."""
