"""Keeping a SQLite database file safe: its integrity check, the marker saying a database exists,
the lock naming the one process that owns it, and the OS and SQLite failures named for the seller.

Nothing here ever writes to a database file: a damaged or missing one is reported and left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app.errors import DatabaseDamaged, DatabaseInUse, DatabaseMissing, DiskFull, FolderReadOnly, UserError

log = logging.getLogger(__name__)

MARKER = ".packdesk"
# SQLite primary result codes (sqlite.org/rescode.html).
_SQLITE_READONLY, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 8, 11, 13, 26
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///PATH` URL (None for memory databases and other engines)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def keep_as_found(database: Path) -> list[Path]:
    """Copy a damaged database and its WAL aside as they are now (`<name>.damaged-<time>`): SQLite
    writes the WAL into the file when the last connection closes, and the WAL may hold the only copy
    of the latest changes. Returns the copies made."""
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    made = []
    for source in (database, database.with_name(database.name + "-wal")):
        if source.is_file():
            target = database.with_name(f"{database.name}.damaged-{stamp}" + source.name[len(database.name) :])
            try:
                shutil.copy2(source, target)
            except OSError as exc:
                log.error("could not keep a copy of %s: %s", source, exc)
                continue
            made.append(target)
    if made:
        log.error("the damaged database was copied as found: %s", ", ".join(str(p) for p in made))
    return made


def has_data(path: Path) -> bool:
    """The file holds a database: non-empty itself, or its WAL still holds the first pages."""
    wal = path.with_name(path.name + "-wal")
    return (path.exists() and path.stat().st_size > 0) or (wal.exists() and wal.stat().st_size > 0)


# -- integrity ------------------------------------------------------------------------------------


# A file up to this size is checked before it opens (`PRAGMA quick_check` reads every page: about
# 3 s for a year of a large shop's postings, 1.2 GB). A larger one gets a look at its header and
# schema before it opens and the full check on a thread of its own right after (`BackgroundCheck`).
INLINE_CHECK_BYTES = 128 * 2**20
# The background check starts this long after the database opens, at the lowest CPU priority the
# system allows: the window paints its first rows on a busy two-core machine first.
BACKGROUND_CHECK_DELAY_S = 5.0


def quick_check(path: Path, *, immutable: bool = False, full: bool = True) -> None:
    """Raise DatabaseDamaged when `PRAGMA quick_check` finds a fault (the file is opened read-only;
    `immutable` for a folder that takes no new files, where SQLite could not make its -shm file).
    `full=False` reads only the header and the schema (a file that is not a database, a damaged
    first page): the rest is `BackgroundCheck`'s."""
    if not has_data(path):
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{'immutable=1' if immutable else 'mode=ro'}", uri=True)
    except sqlite3.Error as exc:
        log.warning("cannot open %s to check it: %s", path, exc)
        return
    try:
        sql = "PRAGMA quick_check(5)" if full else "SELECT 'ok' FROM (SELECT count(*) FROM sqlite_master)"
        rows = [str(r[0]) for r in conn.execute(sql).fetchall()]
    except sqlite3.DatabaseError as exc:
        if _code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            log.error("database %s is damaged: %s", path, exc)
            raise DatabaseDamaged(str(path), str(exc)) from None
        log.warning("cannot check %s: %s", path, exc)
        return
    finally:
        conn.close()
    if rows != ["ok"]:
        log.error("database %s is damaged: %s", path, "; ".join(rows))
        raise DatabaseDamaged(str(path), "; ".join(rows))


def checks_inline(path: Path) -> bool:
    """The whole file is checked before it opens (small enough); else `BackgroundCheck` does it."""
    database = path.stat().st_size if path.exists() else 0
    wal = path.with_name(path.name + "-wal")
    return database + (wal.stat().st_size if wal.exists() else 0) <= INLINE_CHECK_BYTES


class BackgroundCheck:
    """`quick_check` of a large file on a thread of its own while the app starts. A fault goes to
    `found` (Database._set_damaged: the same route as damage found mid-run — the file copied as
    found, every later session refused, the seller told). `stop()` interrupts it (closing)."""

    def __init__(self, path: Path, found: Callable[[DatabaseDamaged], None], *, immutable: bool = False) -> None:
        self._path = path
        self._found = found
        self._immutable = immutable
        self._stopped = threading.Event()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="packdesk-quick-check", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        with self._lock:
            if self._conn is not None:
                self._conn.interrupt()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        if self._stopped.wait(BACKGROUND_CHECK_DELAY_S):
            return
        _lowest_priority()
        mode = "immutable=1" if self._immutable else "mode=ro"
        try:
            conn = sqlite3.connect(f"{self._path.resolve().as_uri()}?{mode}", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning("cannot open %s to check it: %s", self._path, exc)
            return
        with self._lock:
            self._conn = conn
        started = time.monotonic()
        try:
            if self._stopped.is_set():
                return
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.DatabaseError as exc:
            if self._stopped.is_set() or _code(exc) not in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                if not self._stopped.is_set():
                    log.warning("cannot check %s: %s", self._path, exc)
                return
            rows = [str(exc)]
        finally:
            with self._lock:
                self._conn = None
            conn.close()
        if rows == ["ok"]:
            log.info("database %s checked in the background in %.1f s: ok", self._path, time.monotonic() - started)
            return
        log.error("database %s is damaged: %s", self._path, "; ".join(rows))
        self._found(DatabaseDamaged(str(self._path), "; ".join(rows)))


def _lowest_priority() -> None:
    """This thread yields the CPU to every other (Linux: a thread has its own nice value)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _code(exc: BaseException) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def is_corruption(exc: BaseException) -> bool:
    """A SQLite error saying the file is damaged (directly or wrapped by SQLAlchemy)."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.DatabaseError) and _code(orig) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def named(exc: BaseException, folder: Path) -> UserError | None:
    """A full disk or a read-only folder as the seller's error (None for anything else)."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.Error):
        code = _code(orig)
        if code == _SQLITE_FULL:
            return DiskFull(str(folder))
        if code == _SQLITE_READONLY:
            return FolderReadOnly(str(folder))
        return None
    if isinstance(orig, OSError):
        if orig.errno == errno.ENOSPC:
            return DiskFull(str(folder))
        if orig.errno in _READ_ONLY_ERRNOS:
            return FolderReadOnly(str(folder))
    return None


def writable(folder: Path) -> bool:
    """The folder takes a new file (tried, not guessed: root ignores permission bits)."""
    probe = folder / f".packdesk-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        if exc.errno in _READ_ONLY_ERRNOS or exc.errno == errno.ENOSPC:
            return False
        raise
    return True


# -- the marker: a database was created here --------------------------------------------------------


def _recorded(marker: Path) -> list[str]:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("databases") if isinstance(data, dict) else None
    return [str(p) for p in found] if isinstance(found, list) else []


def _names(data_dir: Path, database: Path) -> list[str]:
    """How the marker names `database`: relative to the data folder when inside it (so a folder moved
    or restored elsewhere still knows its database), else its absolute path."""
    absolute = database.resolve()
    try:
        return [absolute.relative_to(data_dir.resolve()).as_posix(), str(absolute)]
    except ValueError:
        return [str(absolute)]


def expect_existing(data_dir: Path, database: Path) -> None:
    """Refuse a missing or empty file where this folder's marker says a database was created."""
    marker = data_dir / MARKER
    if set(_names(data_dir, database)) & set(_recorded(marker)) and not has_data(database):
        raise DatabaseMissing(str(database), str(marker))


def record(data_dir: Path, database: Path) -> None:
    """Note in the folder's marker that `database` holds Packdesk's data (from now on it is expected)."""
    from app import atomic

    marker = data_dir / MARKER
    known = _recorded(marker)
    name = _names(data_dir, database)[0]
    if name in known:
        return
    body = json.dumps({"databases": [*known, name]}, indent=1) + "\n"
    atomic.write_bytes(marker, body.encode("utf-8"))


# -- the owner lock --------------------------------------------------------------------------------


class OwnerLock:
    """An OS lock on `<database>.owner`, held while this process syncs the database. The OS drops it
    when the process dies, so a crash never leaves a stale lock; the file names the holder."""

    def __init__(self, database: Path) -> None:
        database = database.resolve()  # a symlink to the file is the same database: one lock
        self.path = database.with_name(database.name + ".owner")
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock, or raise DatabaseInUse naming the process that holds it."""
        if self._file is not None:
            return
        fh = open(self.path, "a+b")  # noqa: SIM115 (held open while locked)
        try:
            _lock(fh)
        except OSError:
            fh.seek(_INFO_AT)
            owner = fh.read(400).decode("utf-8", "replace").strip() or "another process"
            fh.close()
            raise DatabaseInUse(str(self.path.with_suffix("")), owner) from None
        info = f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}"
        fh.seek(_INFO_AT)
        fh.truncate()
        fh.write(info.encode("utf-8"))
        fh.flush()
        self._file = fh

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            _unlock(self._file)
        self._file.close()
        self._file = None


_INFO_AT = 16  # the owner's description starts past the locked byte (Windows locks are mandatory)

if sys.platform == "win32":
    import msvcrt

    def _lock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
