"""Engines and units of work.

One writer: every write goes through `Database.write()`, which holds a process-wide lock and starts
its SQLite transaction with BEGIN IMMEDIATE (a deferred transaction that reads first and then
writes can deadlock past the busy handler). Reads use short sessions on a separate pool; in WAL
mode they never wait for the writer. SQLite specifics stay in this module: the rest of the code
speaks SQLAlchemy and runs on PostgreSQL too.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# SQLite versions with the WAL-reset race fixed (sqlite.org/wal.html#walresetbug).
_WAL_FIXED = ((3, 44, 6), (3, 50, 7), (3, 51, 3))


# What a failed read or write raises, for callers that handle it without knowing SQLAlchemy (the UI).
StoreError = SQLAlchemyError


def sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def _wal_bug_present(version: tuple[int, ...]) -> bool:
    for fixed in _WAL_FIXED:
        if version[:2] == fixed[:2]:
            return version < fixed
    return version < _WAL_FIXED[-1] and version[:2] not in {f[:2] for f in _WAL_FIXED}


def _sqlite_hooks(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 driver; we emit BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged action (the outbox) survives a power cut, not just a crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engines. `read()` and `write()` yield sessions that never cross threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
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
            self.writer = create_engine(url, pool_pre_ping=True)
            self.reader = self.writer
        self._write_lock = threading.RLock()
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commit on success, roll back on any error."""
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
