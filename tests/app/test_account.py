"""The API key's expiry: kept for offline use, warned about `WARN_DAYS` ahead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app import account
from app.context import AppContext, open_context
from app.errors import CredentialsMissing
from app.repos import sync_state
from app.secrets import Credentials
from tests.app.factories import NOW


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"))
    yield c
    c.close()


def test_expiry_kept_and_cleared(ctx: AppContext) -> None:
    assert account.stored_expiry(ctx.db) is None
    account.store_expiry(ctx.db, NOW + timedelta(days=90), NOW)
    assert account.stored_expiry(ctx.db) == NOW + timedelta(days=90)
    account.store_expiry(ctx.db, None, NOW)
    assert account.stored_expiry(ctx.db) is None


def test_an_unreadable_stored_expiry_is_none(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        sync_state.put(s, account.STATE_KEY, "soon", NOW)
    assert account.stored_expiry(ctx.db) is None


def test_warning_and_days_left() -> None:
    assert not account.needs_warning(None, NOW)
    assert not account.needs_warning(NOW + timedelta(days=account.WARN_DAYS, seconds=1), NOW)
    assert account.needs_warning(NOW + timedelta(days=account.WARN_DAYS), NOW)
    assert account.days_left(NOW + timedelta(days=3, hours=5), NOW) == 3
    assert account.days_left(NOW - timedelta(days=1), NOW) == 0


def test_check_connection_asks_the_client_and_closes_it() -> None:
    seen: list[Credentials] = []
    closed: list[bool] = []

    class Client:
        def key_expires_at(self) -> None:
            return None

        def close(self) -> None:
            closed.append(True)

    def make(credentials: Credentials, _url: str) -> Client:
        seen.append(credentials)
        return Client()

    assert account.check_connection(make, " 123 ", " key ", "http://x") is None
    assert seen == [Credentials("123", "key")] and closed == [True]
    with pytest.raises(CredentialsMissing):
        account.check_connection(make, " ", "key", "http://x")
