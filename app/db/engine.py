"""Engines and units of work.

One writer: every write goes through `Database.write()`, which holds a process-wide lock and starts
its SQLite transaction with BEGIN IMMEDIATE (a deferred transaction that reads first and then
writes can deadlock past the busy handler). Reads use short sessions on a separate pool; in WAL
mode they never wait for the writer. SQLite specifics stay in this module: the rest of the code
speaks SQLAlchemy and runs on PostgreSQL too.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.db import guard
from app.errors import (
    DatabaseDamaged,
    DatabaseDriverMissing,
    DatabaseLoginRefused,
    DatabaseNotOnServer,
    DatabaseUnreachable,
    DatabaseUrlInvalid,
)

log = logging.getLogger(__name__)

# SQLite versions with the WAL-reset race fixed (sqlite.org/wal.html#walresetbug).
_WAL_FIXED = ((3, 44, 6), (3, 50, 7), (3, 51, 3))


# What a failed read or write raises, for callers that handle it without knowing SQLAlchemy (the UI).
StoreError = SQLAlchemyError


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def read_only_url(path: Path, *, immutable: bool = False) -> str:
    """A URL that opens `path` without writing to it or beside it (`immutable`: no -shm/-wal either,
    for a folder that takes no new files)."""
    flag = "immutable=1" if immutable else "mode=ro"
    return f"sqlite:///{path.resolve().as_uri()}?{flag}&uri=true"


# The pip package of each database driver SQLAlchemy may ask for (the module's name otherwise).
_DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pymysql": "pymysql",
    "MySQLdb": "mysqlclient",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "oracledb": "oracledb",
    "pyodbc": "pyodbc",
}


def shown_url(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # said as typed, but for what could be a password (between ':' and '@')
        return re.sub(r"(?<=:)[^:@/]*(?=@)", "***", url.strip())[:200]


def server_name(url: str) -> str:
    """host:port/database of a server URL, for the seller."""
    parsed = make_url(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.host or 'localhost'}{port}/{parsed.database or ''}"


def _create_engine(url: str, **kwargs: Any) -> Engine:
    """create_engine, with a missing driver named as the package to install."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlInvalid(shown_url(url)) from None
    if parsed.drivername in ("postgresql", "postgres"):
        # The address PostgreSQL's own guides show: the driver Packdesk ships (psycopg 3), not psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        return create_engine(url, **kwargs)
    except ImportError as exc:
        module = (exc.name or "").split(".")[0] or url.split(":", 1)[0]
        raise DatabaseDriverMissing(module, _DRIVER_PACKAGES.get(module, module)) from None
    except NoSuchModuleError:
        driver = url.split(":", 1)[0]
        raise DatabaseDriverMissing(driver, driver.split("+")[-1]) from None


def _wal_bug_present(version: tuple[int, ...]) -> bool:
    for fixed in _WAL_FIXED:
        if version[:2] == fixed[:2]:
            return version < fixed
    return version < _WAL_FIXED[-1] and version[:2] not in {f[:2] for f in _WAL_FIXED}


def _sqlite_hooks(engine: Engine, *, immediate: bool, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 driver; we emit BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if read_only:
            cur.execute("PRAGMA query_only=ON")
            cur.close()
            return
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged action (the outbox) survives a power cut, not just a crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _connect_args(url: str) -> dict[str, Any]:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return {}  # _create_engine says what is wrong with it
    if backend == "postgresql":
        # connect_timeout: a server that is off is said in 5 s; keepalives: a pulled cable is noticed.
        return {"connect_timeout": 5, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
    return {}


def _is_connection_failure(exc: OperationalError) -> bool:
    """The server could not be reached or the link dropped, not a failed statement: no SQLSTATE (the
    client failed before the server answered), class 08 (connection exception) or 57P (shut down)."""
    if exc.connection_invalidated:
        return True
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))


# What libpq says when the server refuses a password or knows no such user (English and Russian
# server messages); libpq gives no SQLSTATE for a connection that failed to start.
_LOGIN_REFUSED = ("password authentication failed", "no password supplied", "не прошёл проверку подлинности")
_NO_SUCH_ROLE = re.compile(r'role ".*" does not exist|роль ".*" не существует')
_NO_SUCH_DATABASE = re.compile(r'database ".*" does not exist|база данных ".*" не существует')


def _is_no_such_database(exc: OperationalError) -> bool:
    """The server answered: it has no database of that name (SQLSTATE 3D000, or libpq's words)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "3D000" or bool(_NO_SUCH_DATABASE.search(str(orig or exc)))


def _is_login_refused(exc: OperationalError) -> bool:
    """The server answered and refused the login: a wrong or missing password (SQLSTATE 28P01/28000
    when the driver has one, libpq's own words otherwise)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in ("28P01", "28000"):
        return True
    pgconn = getattr(orig, "pgconn", None)
    if pgconn is not None and getattr(pgconn, "needs_password", False):
        return True
    text = str(orig or exc)
    return any(marker in text.lower() for marker in _LOGIN_REFUSED) or bool(_NO_SUCH_ROLE.search(text))


class Database:
    """Owns the engines. `read()` and `write()` yield sessions that never cross threads.

    A SQLite file found damaged mid-run (SQLITE_CORRUPT) is checked once, then every later session
    raises DatabaseDamaged at once (nothing reads or writes the file again) and `on_damaged`
    listeners hear of it (the window stops syncing and says so). A full disk or a read-only folder
    is raised as the seller's error that names the folder.
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        self.is_sqlite = url.startswith("sqlite")
        self.path = guard.sqlite_path(url) if self.is_sqlite and not read_only else None
        self.damaged: DatabaseDamaged | None = None
        self._damage_listeners: list[Callable[[DatabaseDamaged], None]] = []
        self._damage_lock = threading.Lock()
        if self.is_sqlite and read_only:
            self.writer = create_engine(url, pool_size=1, max_overflow=0)
            self.reader = self.writer
            _sqlite_hooks(self.writer, immediate=False, read_only=True)
        elif self.is_sqlite:
            version = sqlite3.sqlite_version_info
            log.info("SQLite %s", sqlite3.sqlite_version)
            if _wal_bug_present(version):
                log.info("SQLite %s predates the WAL-reset fix; Packdesk keeps one writer", sqlite3.sqlite_version)
            # The writer is one connection; readers get a small pool.
            self.writer = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
            self.reader = create_engine(url, pool_size=4, max_overflow=4)
            _sqlite_hooks(self.writer, immediate=True)
            _sqlite_hooks(self.reader, immediate=False)
        else:
            # A server: connections checked before use (a restarted server or a dropped link costs one
            # retry, not an error), and a dead server found within seconds rather than minutes.
            self.writer = _create_engine(url, pool_pre_ping=True, connect_args=_connect_args(url))
            self.reader = self.writer
        self._write_lock = threading.RLock()
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @property
    def shown(self) -> str:
        """The database named for the seller and the log (no password)."""
        return str(self.path) if self.path is not None else shown_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commit on success, roll back on any error."""
        self._refuse_if_damaged()
        try:
            with self._write_lock, self._write_sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            self._name_failure(exc)
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        self._refuse_if_damaged()
        try:
            with self._read_sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            self._name_failure(exc)
            raise

    def _refuse_if_damaged(self) -> None:
        """A fresh error each time (re-raising one instance would grow its traceback forever)."""
        if self.damaged is not None:
            raise DatabaseDamaged(self.damaged.params["path"], self.damaged.params["detail"])

    def on_damaged(self, listener: Callable[[DatabaseDamaged], None]) -> None:
        """Call `listener` (on the failing thread) once when the database is found damaged."""
        self._damage_listeners.append(listener)

    def name_server_failure(self, exc: SQLAlchemyError) -> None:
        """Raise the seller's error for a server that refused the login or cannot be reached (a
        connection made outside `read()` and `write()`, e.g. the migration's look at the schema)."""
        if not self.is_sqlite:
            self._name_failure(exc)

    def _name_failure(self, exc: SQLAlchemyError) -> None:
        """Raise the seller's error for a damaged file, a full disk, a read-only folder or a server
        that cannot be reached."""
        if not self.is_sqlite and isinstance(exc, OperationalError) and _is_login_refused(exc):
            raise DatabaseLoginRefused(server_name(self.url), make_url(self.url).username or "") from exc
        if not self.is_sqlite and isinstance(exc, OperationalError) and _is_no_such_database(exc):
            parsed = make_url(self.url)
            host = f"{parsed.host or 'localhost'}" + (f":{parsed.port}" if parsed.port else "")
            raise DatabaseNotOnServer(host, parsed.database or "") from exc
        if not self.is_sqlite and isinstance(exc, OperationalError) and _is_connection_failure(exc):
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
            raise DatabaseUnreachable(server_name(self.url), detail) from exc
        if self.path is None:
            return
        if guard.is_corruption(exc):
            try:
                guard.quick_check(self.path)
                damaged = DatabaseDamaged(str(self.path), str(getattr(exc, "orig", exc)))
            except DatabaseDamaged as found:
                damaged = found
            self._set_damaged(damaged)
            raise damaged from exc
        named = guard.named(exc, self.path.parent)
        if named is not None:
            raise named from exc

    def _set_damaged(self, damaged: DatabaseDamaged) -> None:
        with self._damage_lock:  # two threads may find it at once: the listeners hear it once
            if self.damaged is not None:
                return
            self.damaged = damaged
        log.error("the database is damaged; it is no longer read or written: %s", damaged)
        if self.path is not None:
            guard.keep_as_found(self.path)  # closing the connections may still write the WAL into it
        for listener in list(self._damage_listeners):
            try:
                listener(damaged)
            except Exception:
                log.exception("a damaged-database listener failed")

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
