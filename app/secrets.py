"""Ozon credentials: Client-Id from settings, Api-Key from the OS keyring.

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

from app import logs

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
