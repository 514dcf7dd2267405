"""The shop's database address: its password kept in the OS keyring (never in the settings file) and
put back at connect time; Test connection's look at a database (app.database_check); a refused login."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from app import database_check, desks, paths, secrets
from app import settings as settings_file
from app.context import DB_URL_ENV, AppContext, database_url
from app.db import migrate
from app.db.engine import Database
from app.errors import DatabaseLoginRefused, DatabaseNotOnServer, DatabaseUnreachable, DatabaseUrlInvalid
from app.settings import Settings
from tests.memory_keyring import MemoryKeyring, memory_keyring

SERVER = "postgresql+psycopg://packdesk:s3cr%40t-pw@192.168.1.10/shop"
BARE = "postgresql+psycopg://packdesk@192.168.1.10/shop"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    with memory_keyring() as kept:
        yield kept


@pytest.fixture
def no_address_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither --db / PACKDESK_DB_URL (the suite on PostgreSQL sets it) nor PACKDESK_DB_PASSWORD."""
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    monkeypatch.delenv(secrets.DATABASE_PASSWORD_ENV, raising=False)


def test_the_password_is_taken_out_of_the_address() -> None:
    assert secrets.split_database_password(SERVER) == (BARE, "s3cr@t-pw")
    assert secrets.split_database_password(f"  {BARE} ") == (BARE, "")
    assert secrets.split_database_password("") == ("", "")
    with pytest.raises(DatabaseUrlInvalid):
        secrets.split_database_password("not an address")
    assert secrets.database_account(BARE) == "packdesk@192.168.1.10:5432/shop"
    assert secrets.database_account("postgresql://u@db:6543/x") == "u@db:6543/x"


def test_the_keyring_password_is_put_back_at_connect_time(
    tmp_path: Path, ring: MemoryKeyring, no_address_given: None
) -> None:
    where = paths.Paths(tmp_path)
    secrets.store_database_password(BARE, "s3cr@t-pw")
    assert ring.entries == {("Packdesk database", "packdesk@192.168.1.10:5432/shop"): "s3cr@t-pw"}
    settings_file.save(where.settings, Settings(database_url=BARE))
    assert "s3cr" not in where.settings.read_text(encoding="utf-8")
    loaded = settings_file.load(where.settings)[0]
    url = make_url(database_url(where, loaded))
    assert (url.username, url.password, url.host, url.database) == ("packdesk", "s3cr@t-pw", "192.168.1.10", "shop")
    # no user, an address that has its password, a file: as they are
    assert secrets.with_database_password("postgresql+psycopg://db/shop") == "postgresql+psycopg://db/shop"
    assert secrets.with_database_password(SERVER) == SERVER
    assert secrets.with_database_password("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_the_environment_overrides(
    tmp_path: Path, ring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, no_address_given: None
) -> None:
    where = paths.Paths(tmp_path)
    loaded = Settings(database_url=BARE)
    assert make_url(database_url(where, loaded)).password is None  # nothing stored: connects without
    monkeypatch.setenv(secrets.DATABASE_PASSWORD_ENV, "from-env")
    assert make_url(database_url(where, loaded)).password == "from-env"
    given = "postgresql+psycopg://other@10.0.0.5/shop"
    monkeypatch.setenv(DB_URL_ENV, given)
    assert database_url(where, loaded) == given  # --db / PACKDESK_DB_URL: used as given


def test_no_keyring_is_the_sellers_error(no_address_given: None) -> None:
    # the suite's null keyring refuses to store anything
    with pytest.raises(secrets.DatabaseKeyringUnavailable):
        secrets.store_database_password(BARE, "pw")
    assert secrets.database_password(BARE) == ""


@pytest.mark.parametrize(
    "said",
    [
        'FATAL:  password authentication failed for user "packdesk"',
        "fe_sendauth: no password supplied",
        'FATAL:  role "packdesk" does not exist',  # a user name mistyped: the server answered, not the network
        'ВАЖНО:  роль "packdesk" не существует',
    ],
)
def test_a_refused_login_is_said_as_such(said: str) -> None:
    db = Database(BARE)
    try:
        failure = OperationalError("SELECT 1", {}, Exception(f"connection failed: {said}"))
        with pytest.raises(DatabaseLoginRefused) as raised:
            db._name_failure(failure)
        assert raised.value.params == {"server": "192.168.1.10/shop", "user": "packdesk"}
        refused = OperationalError("SELECT 1", {}, Exception("connection failed: Connection refused"))
        with pytest.raises(DatabaseUnreachable):
            db._name_failure(refused)
    finally:
        db.dispose()


@pytest.mark.parametrize("said", ['FATAL:  database "shop" does not exist', 'ВАЖНО:  база данных "shop" не существует'])
def test_a_database_name_the_server_does_not_have_is_said_as_such(said: str) -> None:
    """A mistyped database name: the server answered, so not "check the network" but the name."""
    db = Database(BARE)
    try:
        failure = OperationalError("SELECT 1", {}, Exception(f"connection failed: {said}"))
        with pytest.raises(DatabaseNotOnServer) as raised:
            db._name_failure(failure)
        assert raised.value.params == {"server": "192.168.1.10", "database": "shop"}
    finally:
        db.dispose()


@pytest.mark.server_only
def test_check_of_a_name_the_server_does_not_have(ctx: AppContext) -> None:
    url = make_url(ctx.db.url)
    with pytest.raises(DatabaseNotOnServer):
        database_check.check_address(url.set(database="no_such_shop").render_as_string(hide_password=False), NOW)
    with pytest.raises(DatabaseLoginRefused):
        database_check.check_address(url.set(username="no_such_packer").render_as_string(hide_password=False), NOW)


def test_check_of_a_server_that_does_not_answer() -> None:
    with pytest.raises(DatabaseUnreachable):
        database_check.check_address("postgresql+psycopg://packdesk@127.0.0.1:1/shop", NOW)
    with pytest.raises(DatabaseUrlInvalid):
        database_check.check_address("192.168.1.10/shop", NOW)


def test_check_of_a_missing_file(tmp_path: Path) -> None:
    found = database_check.check_file(tmp_path / "packdesk.sqlite3", NOW)
    assert not found.exists and not found.server and found.head == migrate.head_revision()
    assert not (tmp_path / "packdesk.sqlite3").exists()  # not created by looking


@pytest.mark.sqlite_only
def test_check_of_this_computers_file(ctx: AppContext) -> None:
    assert ctx.db.path is not None
    found = database_check.check_file(ctx.db.path, NOW)
    assert found.exists and not found.server and found.same_schema and found.leader is None
    assert found.version.count(".") == 2


@pytest.mark.server_only
def test_check_of_the_shops_server(ctx: AppContext) -> None:
    found = database_check.check_address(ctx.db.url, NOW)
    assert found.server and found.same_schema and found.known and found.leader is None
    assert found.version[0].isdigit()
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 2", "anna", NOW, leading=True)
    assert database_check.check_address(ctx.db.url, NOW).leader == "Desk 2"
    assert desks.read_leader(ctx.db, NOW) is not None


@pytest.mark.server_only
def test_check_of_an_empty_server_database(ctx: AppContext) -> None:
    """A database with no Packdesk tables yet: reached, and said to be empty."""
    from tests import pg_server

    name = pg_server.fresh_database()
    pg_server._admin(f"DROP DATABASE {name}")
    pg_server._admin(f"CREATE DATABASE {name}")
    try:
        found = database_check.check_address(pg_server.url_of(name), NOW)
    finally:
        pg_server.drop(name)
    assert found.server and found.revision is None and found.known and found.leader is None


def test_opening_a_server_that_does_not_answer_is_said_plainly(tmp_path: Path) -> None:
    """`python main.py --db URL orders` with the server off: the seller's line, not a bug (exit 70)."""
    from app.context import open_context

    with pytest.raises(DatabaseUnreachable) as raised:
        open_context(str(tmp_path), db_url="postgresql+psycopg://packdesk@127.0.0.1:1/shop")
    assert raised.value.params["server"] == "127.0.0.1:1/shop"


@pytest.mark.parametrize(
    "address", ["postgresql://packdesk@192.168.1.10/shop", "postgres://packdesk@192.168.1.10/shop"]
)
def test_a_plain_postgresql_address_uses_the_driver_packdesk_ships(address: str) -> None:
    """The address every PostgreSQL guide shows: not "install psycopg2" (or "pip install postgres")."""
    db = Database(address)
    try:
        assert db.writer.dialect.driver == "psycopg"
        assert db.writer.url.database == "shop" and db.writer.url.host == "192.168.1.10"
    finally:
        db.dispose()
