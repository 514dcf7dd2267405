"""Settings → Database → Test connection: reach a database without opening it for work (no
migration, no write) and say what is there — the server's version, the schema revision against this
build's head, and which desk leads the sync. Runs on the window's I/O pool, never the GUI thread.

A server that cannot be reached, a refused login, an address that is not one and a missing driver
raise the seller's errors (DatabaseUnreachable, DatabaseLoginRefused, DatabaseUrlInvalid,
DatabaseDriverMissing), as opening the database for work would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app import desks, secrets
from app.db import migrate
from app.db.engine import Database, read_only_url


@dataclass(frozen=True, slots=True)
class DatabaseFound:
    server: bool  # a shared server (False: a SQLite file on this computer)
    version: str  # the server's version ("" when there is no file yet)
    revision: str | None  # the schema's revision there (None: no Packdesk tables yet)
    head: str  # this build's schema revision
    known: bool  # this build can open (and upgrade) that revision
    leader: str | None  # the desk leading the sync (None: no desk leads, or a file)
    exists: bool = True  # False: the SQLite file is not there yet

    @property
    def same_schema(self) -> bool:
        return self.revision == self.head


def check_address(address: str, now: datetime) -> DatabaseFound:
    """Test a server address as the seller typed it: without a password in it, the one kept in the
    OS keyring for it is used."""
    return _check(Database(secrets.with_database_password(address)), now)


def check_file(file: Path, now: datetime) -> DatabaseFound:
    """Test this computer's own SQLite file, read-only (a missing file is not created)."""
    if not file.is_file() or file.stat().st_size == 0:
        head = migrate.head_revision()
        return DatabaseFound(False, "", None, head, True, None, exists=False)
    return _check(Database(read_only_url(file), read_only=True), now)


def _check(db: Database, now: datetime) -> DatabaseFound:
    head, known = migrate.head_revision(), migrate.known_revisions()
    try:
        with db.read() as s:
            conn = s.connection()
            if db.is_sqlite:
                version = str(s.execute(text("SELECT sqlite_version()")).scalar())
            elif conn.dialect.name == "postgresql":
                version = str(s.execute(text("SHOW server_version")).scalar())
            else:
                version = ".".join(str(part) for part in conn.dialect.server_version_info or ())
            revision = MigrationContext.configure(conn).get_current_revision()
            leading = None
            if not db.is_sqlite and revision in known and inspect(conn).has_table("desks"):
                found = desks.leader(s, now)
                leading = found.name if found is not None else None
    finally:
        db.dispose()
    return DatabaseFound(
        server=not db.is_sqlite,
        version=version,
        revision=revision,
        head=head,
        known=revision is None or revision in known,
        leader=leading,
    )
