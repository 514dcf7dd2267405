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


class DatabaseDamaged(UserError):
    """SQLite's integrity check failed: the file is left untouched and nothing syncs."""

    def __init__(self, path: str, detail: str = "") -> None:
        super().__init__(
            "database_damaged",
            f"The database is damaged: {path}. Packdesk left the file untouched and stopped syncing. "
            "Restore a backup copy of the file, or move it away to start with an empty database "
            "(the sqlite3 tool's .recover command exports what is still readable)",
            path=path,
            detail=detail,
        )


class DatabaseMissing(UserError):
    """A database was created here before, but its file is now missing or empty."""

    def __init__(self, path: str, marker: str) -> None:
        super().__init__(
            "database_missing",
            f"The database {path} is missing or empty, but Packdesk kept its data there. "
            f"Restore the file from a backup; to start afresh with an empty database, delete {marker}",
            path=path,
            marker=marker,
        )


class DatabaseInUse(UserError):
    """Another live process owns this database (two would send the same actions twice)."""

    def __init__(self, path: str, owner: str) -> None:
        super().__init__(
            "database_in_use",
            f"Another Packdesk ({owner}) is using the database {path}. Close it first: two programs "
            "on one database would send the same actions to Ozon twice",
            path=path,
            owner=owner,
        )


class DiskFull(UserError):
    def __init__(self, folder: str) -> None:
        super().__init__("disk_full", f"The disk holding {folder} is full: free space and try again", folder=folder)


class FolderReadOnly(UserError):
    def __init__(self, folder: str) -> None:
        super().__init__(
            "folder_read_only",
            f"Packdesk cannot write to {folder}: make the folder writable, or choose another data folder",
            folder=folder,
        )


class DatabaseDriverMissing(UserError):
    def __init__(self, driver: str, package: str) -> None:
        super().__init__(
            "database_driver_missing",
            f"The database address needs the {driver} driver, which is not installed: "
            f"install it with pip install {package}",
            driver=driver,
            package=package,
        )


class DatabaseUrlInvalid(UserError):
    def __init__(self, url: str) -> None:
        super().__init__(
            "database_url_invalid",
            f"{url} is not a database address (e.g. postgresql+psycopg://packdesk@192.168.1.10/shop)",
            url=url,
        )


class DatabaseUnreachable(UserError):
    """The shop's database server did not answer: this desk keeps what it has and takes no new work."""

    def __init__(self, server: str, detail: str) -> None:
        super().__init__(
            "database_unreachable",
            f"The shop's database server {server} cannot be reached ({detail}); "
            "check the network and that the server is running",
            server=server,
            detail=detail,
        )


class DatabaseLoginRefused(UserError):
    """The shop's database server answered but refused the login (a wrong or missing password, an unknown user)."""

    def __init__(self, server: str, user: str) -> None:
        super().__init__(
            "database_login_refused",
            f"The shop's database server {server} refused the login of {user}: "
            "check the user name and password in Settings → Database",
            server=server,
            user=user,
        )


class DatabaseNotOnServer(UserError):
    """The shop's database server answered but has no database of that name (a mistyped address)."""

    def __init__(self, server: str, database: str) -> None:
        super().__init__(
            "database_not_on_server",
            f"The database server {server} has no database named {database}: "
            "check the name at the end of the address in Settings → Database",
            server=server,
            database=database,
        )


class DisplayLibrariesMissing(UserError):
    """Qt cannot load: a system library the window needs is not installed."""

    def __init__(self, library: str) -> None:
        super().__init__(
            "display_libraries_missing",
            f"The window cannot start: the system library {library} is missing. On Debian or Ubuntu install "
            "the display libraries with: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 "
            "libglib2.0-0 libdbus-1-3",
            library=library,
        )
