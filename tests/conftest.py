"""Test-wide setup: offscreen Qt, no real keyring, no real credentials, a fresh data folder."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
for _name in ("OZON_CLIENT_ID", "OZON_API_KEY", "PACKDESK_DATA_DIR"):
    os.environ.pop(_name, None)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.context import DB_URL_ENV, AppContext, open_context  # noqa: E402
from tests import pg_server  # noqa: E402

os.environ.pop(DB_URL_ENV, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL the tests of SQLite's own machinery (its file, backup, integrity) are left out;
    on SQLite the tests of what only a server has (several desks: the sync leader, NOTIFY)."""
    left_out = "sqlite_only" if pg_server.admin_url() else "server_only"
    kept = [item for item in items if item.get_closest_marker(left_out) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session) -> None:
    if pg_server.admin_url():
        pg_server.drop_template()


@pytest.fixture(autouse=True)
def _database_of_its_own(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """On PostgreSQL (PACKDESK_TEST_PG) each test gets a fresh database, named by PACKDESK_DB_URL."""
    if not pg_server.admin_url():
        yield
        return
    name = pg_server.fresh_database()
    monkeypatch.setenv(DB_URL_ENV, pg_server.url_of(name))
    yield
    pg_server.drop(name)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"))
    yield context
    context.close()
