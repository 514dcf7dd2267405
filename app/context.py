"""AppContext: what every screen and command is handed (no global singletons)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from app import label_files, outbox, paths, secrets, settings
from app.clock import Clock, SystemClock
from app.db import guard, migrate
from app.db.engine import Database, read_only_url, sqlite_url
from app.errors import DatabaseInUse, FolderReadOnly, UserError
from app.events import EventBus

if TYPE_CHECKING:
    from app.db.notify import DeskEvents

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    paths: paths.Paths
    settings: settings.Settings
    db: Database
    bus: EventBus = field(default_factory=EventBus)
    clock: Clock = field(default_factory=SystemClock)
    # Notices for the seller gathered while starting (e.g. a repaired settings file); the UI
    # translates them by code, the CLI prints their English text.
    startup_messages: list[UserError] = field(default_factory=list)
    # Held by the process that syncs a SQLite database (see `recover_interrupted`).
    owner_lock: guard.OwnerLock | None = None
    # The full `PRAGMA quick_check` of a large file, running while the app starts (guard.BackgroundCheck).
    integrity_check: guard.BackgroundCheck | None = None
    # On the shop's server: this desk's events to the other desks and theirs here (LISTEN/NOTIFY).
    desk_events: DeskEvents | None = None

    def recover_interrupted(self) -> int:
        """Claim the database for this process, then re-check actions left in flight by a previous
        run (they may have reached Ozon) before any re-send. Only the process that syncs (the app,
        `sync`) calls this. On SQLite the claim is an OS lock beside the database file: another
        live owner — even one started on another data folder with the same `database_url` — makes
        this raise DatabaseInUse, so its in-flight actions are never reset under it."""
        if not self.db.is_sqlite:
            return 0  # several desks share the server: the desk taking the sync lead does this (sync/leader.py)
        if self.db.path is not None and self.owner_lock is None:
            lock = guard.OwnerLock(self.db.path)
            lock.acquire()
            self.owner_lock = lock
        with self.db.write() as s:
            recovered = outbox.recover_in_flight(s, self.clock.now())
        if recovered:
            log.info("%d action(s) were in flight at the last exit; they are re-checked before re-sending", recovered)
        return recovered

    def close(self) -> None:
        if self.desk_events is not None:
            self.desk_events.stop()
            self.desk_events = None
            label_files.unshare(self.paths.labels)
        if self.integrity_check is not None:
            self.integrity_check.stop()
            self.integrity_check = None
        if self.owner_lock is not None:
            self.owner_lock.release()
            self.owner_lock = None
        self.db.dispose()


def open_context(
    data_dir: str | None = None, clock: Clock | None = None, *, read_only: bool = False, db_url: str | None = None
) -> AppContext:
    """Resolve folders, read settings, open and migrate the database.

    A SQLite file is checked first (`PRAGMA quick_check`, read-only; a file over
    guard.INLINE_CHECK_BYTES only by its header and schema here, fully on a thread right after,
    a fault then found going the way of damage found mid-run): a damaged one raises
    DatabaseDamaged and a missing or empty one where a database was created before raises
    DatabaseMissing; neither file is touched. `read_only` opens the database without writing
    anything (for listing commands on a read-only folder): no folders made, no migration.
    `db_url` names the database over everything else (see `database_url`).
    """
    where = paths.resolve(data_dir)
    if not read_only:
        try:
            where.ensure()
        except OSError as exc:
            raise guard.named(exc, where.data) or exc from None
    loaded, warning = settings.load(where.settings)
    url = db_url or database_url(where, loaded)
    file = guard.sqlite_path(url)
    notices: list[UserError] = [warning] if warning else []
    if file is not None and not read_only:
        notices += _scheduled_restore(file)
    inline = True  # the whole file checked before it opens
    # A folder that takes no new files is read in place (SQLite's -shm file could not be made).
    immutable = read_only and file is not None and file.parent.is_dir() and not guard.writable(file.parent)
    if file is not None:
        guard.expect_existing(where.data, file)
        inline = guard.checks_inline(file)
        guard.quick_check(file, immutable=immutable, full=inline)
        if not read_only and file.parent.is_dir() and not guard.writable(file.parent):
            raise FolderReadOnly(str(file.parent))  # SQLite could not even open it for writing
    db = _open_database(url, file, read_only, immutable)
    try:
        if not read_only:
            migrate.upgrade(db)
            if file is not None:
                guard.record(where.data, file)
    except (SQLAlchemyError, OSError) as exc:
        db.dispose()
        if isinstance(exc, SQLAlchemyError) and not db.is_sqlite:
            db.name_server_failure(exc)  # the server off, the login refused: the seller's line, not a bug
        named = guard.named(exc, file.parent if file is not None else where.data)
        if named is not None:
            raise named from exc
        raise
    except Exception:
        db.dispose()
        raise
    ctx = AppContext(paths=where, settings=loaded, db=db, clock=clock or SystemClock())
    if file is not None and not inline:
        ctx.integrity_check = guard.BackgroundCheck(file, db._set_damaged, immutable=immutable)
        ctx.integrity_check.start()
    ctx.startup_messages.extend(notices)
    if not db.is_sqlite and not read_only:
        from app.db.notify import DeskEvents  # psycopg loads only for a server (80 ms at every start otherwise)

        ctx.desk_events = DeskEvents(url, ctx.bus).start()
        label_files.share(where.labels, db)  # the leader downloads Ozon's PDFs, every desk prints them
    return ctx


DB_URL_ENV = "PACKDESK_DB_URL"


def database_url(where: paths.Paths, loaded: settings.Settings) -> str:
    """The database this desk uses: PACKDESK_DB_URL (set by `--db URL` too, used as given), else the
    settings' `database_url` with its password put back from the OS keyring (the file never holds
    it; app.secrets), else the SQLite file in the data folder (a single desk)."""
    given = address_given()
    if given:
        return given
    if loaded.database_url:
        return secrets.with_database_password(loaded.database_url)
    return sqlite_url(str(where.database))


def address_given() -> str:
    """The address given by PACKDESK_DB_URL or `--db` ("" when none): it wins over the settings."""
    return os.environ.get(DB_URL_ENV, "").strip()


def _scheduled_restore(file: Path) -> list[UserError]:
    """A restore the window scheduled, done before the database opens: the notice saying what
    happened (a refused backup is said and cancelled; another Packdesk on the file leaves it due)."""
    from app import backup

    try:
        done = backup.apply_scheduled(file)
    except DatabaseInUse as exc:
        log.warning("the scheduled restore waits: %s", exc)
        return []
    except UserError as exc:
        log.error("the scheduled restore was not done: %s", exc)
        return [backup.RestoreNotDone(str(exc))]
    return [] if done is None else [backup.restored_notice(done)]


def _open_database(url: str, file: Path | None, read_only: bool, immutable: bool) -> Database:
    if not read_only or file is None:
        return Database(url)
    if not guard.has_data(file):  # nothing to read, and no new database can be made there
        raise FolderReadOnly(str(file.parent))
    return Database(read_only_url(file, immutable=immutable), read_only=True)
