"""The Ozon account: test a Client-Id/Api-Key, and the key's expiry.

Ozon's API keys expire (3–6 months); `/v1/roles` says when. The date is kept in sync_state so the
warning shows offline too; it starts `WARN_DAYS` before the end. The client comes from a
`ClientFactory` (the GUI passes `ui.settings.account.default_client`, the Ozon client).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from app import secrets
from app.db.engine import Database
from app.errors import CredentialsMissing
from app.repos import sync_state
from app.secrets import Credentials

WARN_DAYS = 14
STATE_KEY = "api_key_expires_at"


class AccountApi(Protocol):
    """The part of the Ozon client this needs (sync.client.OzonClient)."""

    def key_expires_at(self) -> datetime | None: ...


ClientFactory = Callable[[Credentials, str], AccountApi]  # (credentials, API URL) -> client


def check_connection(make_client: ClientFactory, client_id: str, api_key: str, api_url: str) -> datetime | None:
    """Call /v1/roles with these credentials (the stored key when `api_key` is empty). Runs on the
    I/O pool; raises the client's typed error. Returns the key's expiry (None if Ozon gives none)."""
    client_id = client_id.strip()
    if not client_id:
        raise CredentialsMissing("Client-Id")
    key = api_key.strip() or secrets.api_key(client_id)
    if not key:
        raise CredentialsMissing("Api-Key")
    client = make_client(Credentials(client_id, key), api_url)
    try:
        return client.key_expires_at()
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()


def days_left(expires_at: datetime, now: datetime) -> int:
    return max(0, (expires_at - now) // timedelta(days=1))


def needs_warning(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at - now <= timedelta(days=WARN_DAYS)


def store_expiry(db: Database, expires_at: datetime | None, now: datetime) -> None:
    with db.write() as session:
        if expires_at is None:
            sync_state.clear(session, STATE_KEY)
        else:
            sync_state.put(session, STATE_KEY, expires_at.isoformat(), now)


def stored_expiry(db: Database) -> datetime | None:
    with db.read() as session:
        raw = sync_state.get(session, STATE_KEY)
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
