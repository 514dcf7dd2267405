"""Ozon credentials: Client-Id from settings, Api-Key from the OS keyring; the shop's database
password, also in the keyring (the settings file keeps the address without it).

`OZON_CLIENT_ID` / `OZON_API_KEY` override both for headless use. The key is never logged, never
written to the database, never put into exception text: every key read, stored or paired with a
Client-Id here is registered with `app.logs.redact`, which the logs, the outbox's stored errors and
the error dialogs all use.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError
from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from app import logs
from app.db.engine import shown_url
from app.errors import DatabaseUrlInvalid, UserError

log = logging.getLogger(__name__)

SERVICE = "Packdesk Ozon Api-Key"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    api_key: str

    def __post_init__(self) -> None:
        logs.register_secret(self.api_key)

    def __repr__(self) -> str:  # never show the key, even in a debugger or a traceback
        return f"Credentials(client_id={self.client_id!r}, api_key=***)"

    __str__ = __repr__


def client_id(from_settings: str) -> str:
    return os.environ.get("OZON_CLIENT_ID", "").strip() or from_settings.strip()


def api_key(for_client_id: str) -> str:
    """The Api-Key (registered with `logs.redact` before it is returned), or "" when none is set."""
    env = os.environ.get("OZON_API_KEY", "").strip()
    if env:
        logs.register_secret(env)
        return env
    if not for_client_id:
        return ""
    try:
        key = keyring.get_password(SERVICE, for_client_id) or ""
    except (KeyringError, RuntimeError) as exc:
        log.warning("OS keyring unavailable: %s", type(exc).__name__)
        return ""
    logs.register_secret(key)
    return key


def store_api_key(for_client_id: str, key: str) -> None:
    """Raises KeyringError when the OS has no keyring; the caller tells the seller."""
    logs.register_secret(key)
    keyring.set_password(SERVICE, for_client_id, key)


def load(settings_client_id: str) -> Credentials | None:
    cid = client_id(settings_client_id)
    key = api_key(cid)
    if not cid or not key:
        return None
    return Credentials(cid, key)


# -- the shop's database password -----------------------------------------------------------------
# A server address is kept in the settings file without its password; the password goes to the OS
# keyring under DATABASE_SERVICE, one entry per "user@host:port/database". PACKDESK_DB_PASSWORD
# overrides it for headless use; an address given by PACKDESK_DB_URL or --db is used as given.

DATABASE_SERVICE = "Packdesk database"
DATABASE_PASSWORD_ENV = "PACKDESK_DB_PASSWORD"  # noqa: S105  # the variable's name, not a password
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


class DatabaseKeyringUnavailable(UserError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "database_keyring_unavailable", f"the OS keyring refused the database password: {reason}", reason=reason
        )


def _parsed(address: str) -> URL:
    try:
        return make_url(address)
    except ArgumentError:
        raise DatabaseUrlInvalid(shown_url(address)) from None


def database_account(address: str) -> str:
    """The keyring entry of an address's password: user@host:port/database."""
    url = _parsed(address)
    port = url.port or _DEFAULT_PORTS.get(url.get_backend_name()) or ""
    return f"{url.username or ''}@{url.host or 'localhost'}:{port}/{url.database or ''}"


def split_database_password(address: str) -> tuple[str, str]:
    """(the address without its password, the password or ""). Raises DatabaseUrlInvalid for text
    that is not a database address; "" stays "" (this computer's own SQLite file)."""
    address = address.strip()
    if not address:
        return "", ""
    url = _parsed(address)
    if url.password is None:
        return address, ""
    password = str(url.password)
    logs.register_secret(password)
    return url._replace(password=None).render_as_string(hide_password=False), password


def store_database_password(address: str, password: str) -> None:
    """Raises DatabaseKeyringUnavailable when the OS has no working keyring."""
    logs.register_secret(password)
    account = database_account(address)
    try:
        keyring.set_password(DATABASE_SERVICE, account, password)
        kept = keyring.get_password(DATABASE_SERVICE, account) == password
    except Exception as exc:  # keyring backends raise KeyringError, RuntimeError, DBus errors…
        log.warning("could not store the database password in the OS keyring: %s", type(exc).__name__)
        raise DatabaseKeyringUnavailable(str(exc) or type(exc).__name__) from None
    if not kept:  # a keyring that takes passwords and keeps none (keyring's null backend)
        log.warning("the OS keyring did not keep the database password")
        raise DatabaseKeyringUnavailable("the keyring did not keep the password")


def database_password(address: str) -> str:
    """The password of a server address kept without one ("" when none is stored)."""
    env = os.environ.get(DATABASE_PASSWORD_ENV, "")
    if env:
        logs.register_secret(env)
        return env
    try:
        password = keyring.get_password(DATABASE_SERVICE, database_account(address)) or ""
    except (KeyringError, RuntimeError) as exc:
        log.warning("OS keyring unavailable: %s", type(exc).__name__)
        return ""
    logs.register_secret(password)
    return password


def with_database_password(address: str) -> str:
    """The address to connect with: the stored password put back into a server address that names a
    user but no password (a file, an address with its password or one that does not parse: as given)."""
    try:
        url = make_url(address)
    except ArgumentError:
        return address  # connecting says what is wrong with it
    if url.get_backend_name() == "sqlite" or url.password is not None or not url.username:
        return address
    password = database_password(address)
    return url.set(password=password).render_as_string(hide_password=False) if password else address
