"""Backups of the SQLite database, and restoring one.

`backup_to_folder` copies the live database with SQLite's online backup API while the app keeps
writing: the copy reads one snapshot (a read transaction held across the steps; in WAL mode writers
carry on meanwhile) in steps of `STEP_PAGES` with a short pause between them, into a hidden temp file
beside the target, which is checked (`PRAGMA integrity_check`) and then renamed to
`packdesk-backup-<shop>-<UTC time>.sqlite3`, `<shop>` being the Client-Id's letters and digits or
`demo` (`shop_tag`): desks and shops sharing a folder each keep the newest `keep` of their *own*
shop's files; nothing else in the folder is ever deleted. Untagged backups of older versions
(`packdesk-backup-<UTC time>.sqlite3`) are anyone's: never deleted, nor counted for `is_due`, by a
tagged run (the old pruning left at most `keep`); they stay restorable, and the seller deletes them.

`check` refuses a file that is not a Packdesk database this build can open. `restore` copies the
backup into the data folder under a temp name, checks that copy, keeps the current database (and its
WAL) aside as `<name>.before-restore-<time>` and renames the copy in; migrations run when the
database is next opened. It needs the owner lock: never while Packdesk has the database open. The
window therefore schedules a restore (`schedule_restore`) and `apply_scheduled` performs it at the
next start, before the database is opened.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.db import guard, migrate
from app.errors import DiskFull, FolderReadOnly, UserError
from app.settings import BACKUP_KEEP

log = logging.getLogger(__name__)

PREFIX, SUFFIX = "packdesk-backup-", ".sqlite3"
_STAMP = "%Y%m%dT%H%M%SZ"
# packdesk-backup-[<shop>-]<stamp>[-<n>].sqlite3; a name without the shop is from before the tag.
_OWN_NAME = re.compile(r"packdesk-backup-(?:(?P<shop>[0-9A-Za-z]+)-)?(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.sqlite3")
DEMO_SHOP, NO_SHOP = "demo", "noaccount"  # NO_SHOP: demo mode forced off with no Client-Id set
STEP_PAGES = 1024  # 4 MiB a step with 4 KiB pages
STEP_PAUSE_S = 0.002  # between steps: the writer and the disk get their turn


_HEADER = b"SQLite format 3\x00"
# Tables every Packdesk schema has had: with alembic_version they tell Packdesk's file from another.
_CORE_TABLES = {"postings", "outbox", "sync_state"}


class BackupRefused(UserError):
    """A file that cannot be restored (or a backup that cannot be made); nothing was replaced."""


class BackupFailed(UserError):
    """The backup could not be written (the folder is gone, not writable, the disk is full...)."""


class RestoreNotDone(UserError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "restore_not_done",
            f"The scheduled restore was not done; the database is as it was. {reason}",
            reason=reason,
        )


class RestoreDone(UserError):
    """Not a failure: the start-up notice that a scheduled restore replaced the database."""


def restored_notice(done: Restored) -> RestoreDone:
    when = f"{done.backup.taken_at:%Y-%m-%d %H:%M} UTC"
    aside = done.kept_aside.name if done.kept_aside else ""
    return RestoreDone(
        "restore_done",
        f"The backup of {when} was restored. The database as it was is kept as {aside}",
        taken_at=when,
        aside=aside,
    )


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    size: int  # bytes
    taken_at: datetime  # UTC: from the name of Packdesk's own backups, else the file's time
    revision: str = ""  # the schema revision inside


@dataclass(frozen=True, slots=True)
class Restored:
    backup: BackupFile
    database: Path
    kept_aside: Path | None  # the database as it was (None when there was none)


# -- making backups -------------------------------------------------------------------------------


def shop_tag(client_id: str, demo: bool) -> str:
    """The shop's part of a backup's name: the Client-Id in use (OZON_CLIENT_ID or the setting) with
    only its letters and digits, `demo` in demo mode."""
    if demo:
        return DEMO_SHOP
    from app import secrets

    return re.sub(r"[^0-9A-Za-z]", "", secrets.client_id(client_id))[:32] or NO_SHOP


def backup_name(when: datetime, shop: str) -> str:
    return f"{PREFIX}{shop}-{when.astimezone(UTC):{_STAMP}}{SUFFIX}"


def own_backups(folder: Path, shop: str | None = None) -> list[Path]:
    """Packdesk's backups in `folder`, oldest first (by the time in their names): every shop's and
    the untagged older ones when `shop` is None, else only those tagged with `shop`."""
    try:
        found = [
            (match, p)
            for p in folder.iterdir()
            if (match := _OWN_NAME.fullmatch(p.name)) and (shop is None or match["shop"] == shop) and p.is_file()
        ]
    except OSError:
        return []
    found.sort(key=lambda mp: (mp[0]["stamp"], int(mp[0]["n"] or 1), mp[1].name))
    return [p for _, p in found]


def last_backup_time(folder: Path, shop: str) -> datetime | None:
    backups = own_backups(folder, shop)
    return _taken_at(backups[-1]) if backups else None


def is_due(folder: Path, every_hours: int, now: datetime, shop: str) -> bool:
    last = last_backup_time(folder, shop)
    return last is None or (now - last).total_seconds() >= every_hours * 3600


def backup_to_folder(database: Path, folder: Path, keep: int, now: datetime | None = None, *, shop: str) -> BackupFile:
    """A new backup of `shop` (`shop_tag`) in `folder` (which must exist), then only the newest
    `keep` of that shop's backups kept."""
    if not folder.is_dir():
        raise _folder_missing(folder)
    when = now or datetime.now(UTC)
    name = backup_name(when, shop)
    target = folder / name
    number = 1
    while target.exists():  # two in one second
        number += 1
        target = folder / f"{name[: -len(SUFFIX)]}-{number}{SUFFIX}"
    made = backup_to_file(database, target)
    prune(folder, keep, shop)
    return made


def backup_to_file(database: Path, target: Path) -> BackupFile:
    """Copy the live database to `target` (a new file): consistent while others write, checked."""
    database = database.resolve()
    if target.resolve() in {database.with_name(database.name + end) for end in ("", "-wal", "-shm")}:
        raise BackupFailed("backup_onto_database", f"{target} is the database itself", path=str(target))
    if target.exists():
        raise BackupFailed("backup_exists", f"{target} already exists: choose another name", path=str(target))
    if not guard.has_data(database):
        raise BackupFailed("backup_no_database", f"there is no database at {database} to back up", path=str(database))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    started = time.monotonic()
    try:
        with open(tmp, "wb"):  # a read-only folder or a full disk as an OSError, not SQLite's "cannot open"
            pass
        _copy_online(database, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise _named(exc, target.parent) from exc
    except sqlite3.Error as exc:
        named = guard.named(exc, target.parent)
        if named is not None:
            raise named from exc
        if guard.is_corruption(exc):
            raise _failed(str(target.parent), f"the database could not be read: {exc}") from exc
        raise _failed(str(target.parent), str(exc)) from exc
    finally:
        with contextlib.suppress(OSError):  # a read-only disk refuses even this: the error above is named
            tmp.unlink(missing_ok=True)
    size = target.stat().st_size
    log.info("backup written: %s (%d bytes, %.1f s)", target, size, time.monotonic() - started)
    return BackupFile(target, size, _taken_at(target))


def _copy_online(database: Path, tmp: Path) -> None:
    src = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    dst = sqlite3.connect(tmp, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        wal = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        if wal:  # one snapshot for every step: writers go on in the WAL and the backup never restarts
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            src.backup(dst, pages=STEP_PAGES, progress=lambda *_: time.sleep(STEP_PAUSE_S))
            src.execute("COMMIT")
        else:  # a rollback journal: one step, so no writer can change it half-way
            src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        rows = [str(r[0]) for r in dst.execute("PRAGMA integrity_check(5)").fetchall()]
        if rows != ["ok"]:
            raise _failed(str(tmp.parent), "the copy failed its integrity check: " + "; ".join(rows))
    finally:
        dst.close()
        src.close()


def prune(folder: Path, keep: int, shop: str) -> list[Path]:
    """Delete `shop`'s backups beyond the newest `keep`; other shops' backups, untagged older ones and
    other files are left alone."""
    keep = max(BACKUP_KEEP[0], min(BACKUP_KEEP[1], keep))
    old = own_backups(folder, shop)[:-keep]
    removed = []
    for path in old:
        try:
            path.unlink()
            removed.append(path)
        except OSError as exc:
            log.warning("could not delete the old backup %s: %s", path, exc)
    return removed


# -- checking and restoring -----------------------------------------------------------------------


def check(file: Path) -> BackupFile:
    """The backup's facts, or BackupRefused saying why it cannot be restored (the file is only read)."""
    try:
        with open(file, "rb") as fh:
            header = fh.read(len(_HEADER))
        size = file.stat().st_size
    except FileNotFoundError:
        raise BackupRefused("backup_not_found", f"{file} does not exist", path=str(file)) from None
    except IsADirectoryError:
        raise BackupRefused("backup_not_sqlite", f"{file} is a folder, not a backup", path=str(file)) from None
    except OSError as exc:
        raise _named(exc, file.parent) from exc
    if header != _HEADER:
        raise BackupRefused(
            "backup_not_sqlite", f"{file} is not a Packdesk backup (not a SQLite database)", path=str(file)
        )
    if not _has_wal(file):
        return BackupFile(file, size, _taken_at(file), _inspect(file))
    with tempfile.TemporaryDirectory(prefix="packdesk-check-") as folder:  # the file and its WAL as one
        copy = Path(folder) / file.name
        try:
            _copy_with_wal(file, copy)
        except OSError as exc:
            raise _named(exc, file.parent) from exc
        revision = _inspect(copy, shown=file)
    return BackupFile(file, size, _taken_at(file), revision)


def _inspect(path: Path, shown: Path | None = None) -> str:
    """Integrity, Packdesk's tables, a schema revision this build knows; the revision. `shown` is the
    name the seller knows when `path` is a copy of it."""
    file = shown or path
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise BackupRefused("backup_not_sqlite", f"{file} cannot be opened: {exc}", path=str(file)) from None
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)").fetchall()]
        if rows != ["ok"]:
            raise BackupRefused("backup_damaged", f"{file} is damaged: {'; '.join(rows)}", path=str(file))
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = (
            conn.execute("SELECT version_num FROM alembic_version").fetchall() if "alembic_version" in tables else []
        )
    except sqlite3.DatabaseError as exc:
        raise BackupRefused("backup_damaged", f"{file} is damaged: {exc}", path=str(file)) from None
    finally:
        conn.close()
    if not found or not _CORE_TABLES.issubset(tables):
        raise BackupRefused("backup_not_packdesk", f"{file} is a SQLite database, but not Packdesk's", path=str(file))
    revision = str(found[0][0])
    if revision not in migrate.known_revisions():
        raise BackupRefused(
            "backup_too_new",
            f"{file} was made by a newer Packdesk (schema {revision}): update Packdesk to restore it",
            path=str(file),
            revision=revision,
        )
    return revision


def restore(file: Path, database: Path, now: datetime | None = None) -> Restored:
    """Replace `database` by the backup `file`, keeping the current one aside. Refused (DatabaseInUse)
    while a Packdesk holds the database's owner lock; nothing is replaced when the backup is refused."""
    check(file)  # a fast refusal, before the lock and the copy
    lock = guard.OwnerLock(database)
    lock.acquire()
    try:
        return _replace(file, database.resolve(), now or datetime.now(UTC))
    finally:
        lock.release()


def _replace(file: Path, database: Path, now: datetime) -> Restored:
    folder = database.parent
    tmp = folder / f".{database.name}.restore-{os.getpid()}.part"
    try:
        try:
            _copy_with_wal(file, tmp)
            _fsync(tmp)
        except OSError as exc:
            raise _named(exc, folder) from exc
        checked = check(tmp)  # what goes in is exactly what was checked
        found = BackupFile(file, checked.size, _taken_at(file), checked.revision)
        aside = _keep_aside(database, now)
        try:
            os.replace(tmp, database)
        except OSError as exc:
            if aside is not None:
                _put_back(aside, database)
            raise _named(exc, folder) from exc
        _fsync_folder(folder)
    finally:
        for end in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                tmp.with_name(tmp.name + end).unlink(missing_ok=True)
    log.info("restored %s into %s (the previous database kept as %s)", file, database, aside)
    return Restored(found, database, aside)


def _has_wal(file: Path) -> bool:
    try:
        return file.with_name(file.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _copy_with_wal(file: Path, target: Path) -> None:
    """Copy `file` to `target` with what its WAL holds (a database copied as it was open, or kept aside
    by a restore, has its newest transactions only there), folded into one self-contained file."""
    shutil.copyfile(file, target)
    if not _has_wal(file):
        return
    wal = target.with_name(target.name + "-wal")
    shutil.copyfile(file.with_name(file.name + "-wal"), wal)
    try:
        conn = sqlite3.connect(target, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")  # checkpoints the WAL into the file, removes it
        finally:
            conn.close()
    except sqlite3.Error as exc:  # never the main file alone: that would be an older state
        raise BackupRefused("backup_damaged", f"{file} is damaged: {exc}", path=str(file)) from None
    finally:
        wal.unlink(missing_ok=True)
        target.with_name(target.name + "-shm").unlink(missing_ok=True)


def _keep_aside(database: Path, now: datetime) -> Path | None:
    """Rename the database and its WAL to `<name>.before-restore-<time>` (+ `-wal`, so SQLite finds
    it when the copy is opened); its -shm index is dropped (rebuilt from the WAL)."""
    if not database.exists() and not database.with_name(database.name + "-wal").exists():
        return None
    stamp = f"{database.name}.before-restore-{now.astimezone(UTC):{_STAMP}}"
    aside, number = database.with_name(stamp), 1
    while aside.exists() or aside.with_name(aside.name + "-wal").exists():  # two restores in one second
        number += 1
        aside = database.with_name(f"{stamp}-{number}")
    try:
        if database.exists():
            os.replace(database, aside)
        wal = database.with_name(database.name + "-wal")
        if wal.exists():
            os.replace(wal, aside.with_name(aside.name + "-wal"))
        database.with_name(database.name + "-shm").unlink(missing_ok=True)
    except OSError as exc:
        _put_back(aside, database)
        raise _named(exc, database.parent) from exc
    return aside


def _put_back(aside: Path, database: Path) -> None:
    for src, dst in (
        (aside, database),
        (aside.with_name(aside.name + "-wal"), database.with_name(database.name + "-wal")),
    ):
        if src.exists() and not dst.exists():
            with contextlib.suppress(OSError):
                os.replace(src, dst)


# -- a restore scheduled by the window, done at the next start -------------------------------------


def _scheduled_file(database: Path) -> Path:
    return database.with_name(database.name + ".restore.json")


def schedule_restore(file: Path, database: Path) -> BackupFile:
    """Check `file` now and note it for `apply_scheduled` at the next start."""
    found = check(file)
    from app import atomic

    body = json.dumps({"file": str(file.resolve())}, ensure_ascii=False) + "\n"
    try:
        atomic.write_bytes(_scheduled_file(database), body.encode("utf-8"))
    except OSError as exc:
        raise _named(exc, database.parent) from exc
    return found


def scheduled(database: Path) -> Path | None:
    try:
        data = json.loads(_scheduled_file(database).read_text(encoding="utf-8"))
        return Path(data["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cancel_scheduled(database: Path) -> None:
    _scheduled_file(database).unlink(missing_ok=True)


def apply_scheduled(database: Path) -> Restored | None:
    """At start-up, before the database is opened: the restore the window scheduled. A refused backup
    cancels it (raised for the seller to read, the database untouched); another Packdesk still on the
    database leaves it scheduled (DatabaseInUse is raised)."""
    file = scheduled(database)
    marker = _scheduled_file(database)
    if file is None:
        if marker.exists():
            marker.unlink(missing_ok=True)
        return None
    try:
        done = restore(file, database)
    except (BackupRefused, BackupFailed, DiskFull, FolderReadOnly):
        marker.unlink(missing_ok=True)
        raise
    marker.unlink(missing_ok=True)
    return done


# -- helpers --------------------------------------------------------------------------------------


def _taken_at(path: Path) -> datetime:
    match = _OWN_NAME.fullmatch(path.name)
    if match:
        return datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return datetime.now(UTC)


def _named(exc: OSError, folder: Path) -> UserError:
    named = guard.named(exc, folder)
    if named is not None:
        return named
    if exc.errno == errno.ENOENT:
        return _folder_missing(folder)
    return _failed(str(folder), exc.strerror or str(exc))


def _failed(folder: str, reason: str) -> BackupFailed:
    return BackupFailed(
        "backup_failed", f"The backup could not be written to {folder}: {reason}", folder=folder, reason=reason
    )


def _folder_missing(folder: Path) -> BackupFailed:
    return BackupFailed(
        "backup_folder_missing",
        f"The backup folder {folder} does not exist (is its drive connected?)",
        folder=str(folder),
    )


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
