"""Ozon credentials: Client-Id from settings, Api-Key from the OS keyring.

`OZON_CLIENT_ID` / `OZON_API_KEY` override both for headless use. The key is never logged, never
written to the database, never put into exception text.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError

log = logging.getLogger(__name__)

SERVICE = "Packdesk Ozon Api-Key"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    api_key: str

    def __repr__(self) -> str:  # never show the key, even in a debugger or a traceback
        return f"Credentials(client_id={self.client_id!r}, api_key=***)"

    __str__ = __repr__


def client_id(from_settings: str) -> str:
    return os.environ.get("OZON_CLIENT_ID", "").strip() or from_settings.strip()


def api_key(for_client_id: str) -> str:
    env = os.environ.get("OZON_API_KEY", "").strip()
    if env:
        return env
    if not for_client_id:
        return ""
    try:
        return keyring.get_password(SERVICE, for_client_id) or ""
    except (KeyringError, RuntimeError) as exc:
        log.warning("OS keyring unavailable: %s", type(exc).__name__)
        return ""


def store_api_key(for_client_id: str, key: str) -> None:
    """Raises KeyringError when the OS has no keyring; the caller tells the seller."""
    keyring.set_password(SERVICE, for_client_id, key)


def load(settings_client_id: str) -> Credentials | None:
    cid = client_id(settings_client_id)
    key = api_key(cid)
    if not cid or not key:
        return None
    return Credentials(cid, key)
