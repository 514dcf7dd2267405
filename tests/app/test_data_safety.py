"""Issue 9 part B: one owner per database, a damaged or missing database named and left untouched,
full disks and read-only folders named, the Api-Key kept out of stored errors, a missing driver named."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app import logs, outbox, secrets
from app.context import AppContext, open_context
from app.db import guard
from app.db.engine import Database
from app.errors import (
    DatabaseDamaged,
    DatabaseDriverMissing,
    DatabaseInUse,
    DatabaseMissing,
    DiskFull,
    FolderReadOnly,
)
from app.outbox import ActionKind, OutboxState, TargetKind
from app.repos import postings
from tests.app.factories import NOW, posting

# -- 4: two data folders on one database file ------------------------------------------------------


def _shared(tmp_path: Path, name: str) -> Path:
    """A data folder whose settings point at the one shared database file."""
    folder = tmp_path / name
    folder.mkdir()
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    (folder / "settings.json").write_text(json.dumps({"database_url": url}))
    return folder


@pytest.mark.sqlite_only
def test_a_second_owner_of_one_database_is_refused_and_leaves_in_flight_actions_alone(tmp_path: Path) -> None:
    first = open_context(str(_shared(tmp_path, "a")))
    second = open_context(str(_shared(tmp_path, "b")))
    try:
        first.recover_interrupted()
        with first.db.write() as s:  # the first desk's sync claims a ship
            e = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
            outbox.mark_in_flight(s, e.key, NOW)
        with pytest.raises(DatabaseInUse) as refused:
            second.recover_interrupted()
        assert f"pid {os.getpid()}" in str(refused.value) and "shared.sqlite3" in str(refused.value)
        with second.db.read() as s:
            got = outbox.get(s, e.key)
        assert got is not None and got.state is OutboxState.IN_FLIGHT  # not reset under the live owner
    finally:
        first.close()
    try:  # the owner gone (its OS lock with it), the next one recovers its actions
        assert second.recover_interrupted() == 1
    finally:
        second.close()


def test_a_cache_command_needs_no_ownership(tmp_path: Path) -> None:
    owner = open_context(str(_shared(tmp_path, "a")))
    reader = open_context(str(_shared(tmp_path, "b")))
    try:
        owner.recover_interrupted()
        with reader.db.read() as s:
            assert outbox.entries(s) == []
    finally:
        reader.close()
        owner.close()


# -- 5: a damaged or missing database ----------------------------------------------------------------


def _corrupt_outbox(path: Path) -> None:
    """Overwrite the outbox table's first page with garbage (the rest of the file stays valid)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'outbox'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


def _filled(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ctx = open_context(str(data))
    with ctx.db.write() as s:
        postings.save(s, [posting()], NOW)
        outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "12345678-0001-1", {}, NOW)
    ctx.close()
    return data


@pytest.mark.sqlite_only
def test_a_damaged_database_is_named_at_start_and_left_untouched(tmp_path: Path) -> None:
    data = _filled(tmp_path)
    database = data / "packdesk.sqlite3"
    _corrupt_outbox(database)
    before = database.read_bytes()
    with pytest.raises(DatabaseDamaged) as damaged:
        open_context(str(data))
    assert damaged.value.code == "database_damaged" and damaged.value.params["path"] == str(database)
    assert "untouched" in str(damaged.value)
    assert database.read_bytes() == before
    assert not (data / "packdesk.sqlite3-wal").exists() or (data / "packdesk.sqlite3-wal").stat().st_size == 0


@pytest.mark.sqlite_only
def test_a_large_database_is_checked_in_the_background_and_damage_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A year of a large shop (1.2 GB) takes seconds to check: the window opens first, the check follows.
    from app.db import guard

    data = _filled(tmp_path)
    _corrupt_outbox(data / "packdesk.sqlite3")
    monkeypatch.setattr(guard, "INLINE_CHECK_BYTES", 0)
    monkeypatch.setattr(guard, "BACKGROUND_CHECK_DELAY_S", 0.0)
    ctx = open_context(str(data))  # header and schema are whole: it opens
    try:
        assert ctx.integrity_check is not None
        ctx.integrity_check.join(30)
        assert isinstance(ctx.db.damaged, DatabaseDamaged)
        with pytest.raises(DatabaseDamaged), ctx.db.read() as s:
            outbox.entries(s)
    finally:
        ctx.close()


@pytest.mark.sqlite_only
def test_a_large_whole_database_passes_its_background_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.db import guard

    data = _filled(tmp_path)
    monkeypatch.setattr(guard, "INLINE_CHECK_BYTES", 0)
    monkeypatch.setattr(guard, "BACKGROUND_CHECK_DELAY_S", 0.0)
    ctx = open_context(str(data))
    try:
        assert ctx.integrity_check is not None
        ctx.integrity_check.join(30)
        assert ctx.db.damaged is None
        with ctx.db.read() as s:
            assert len(outbox.entries(s)) == 1
    finally:
        ctx.close()


@pytest.mark.sqlite_only
def test_a_database_found_damaged_is_copied_as_found_before_anything_closes_it(tmp_path: Path) -> None:
    # Closing the last connection writes the WAL into the damaged file; the copy keeps both as found.
    data = _filled(tmp_path)
    ctx = open_context(str(data))
    try:
        with ctx.db.write() as s:  # a change still in the WAL
            outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "87654321-0001-1", {}, NOW)
        database = data / "packdesk.sqlite3"
        as_found = {p.name: p.read_bytes() for p in (database, database.with_name(database.name + "-wal"))}
        ctx.db._set_damaged(DatabaseDamaged(str(database), "malformed"))
    finally:
        ctx.close()
    copies = sorted(data.glob("packdesk.sqlite3.damaged-*"))
    assert [p.name.rsplit("-", 1)[-1] == "wal" for p in copies] == [False, True]
    assert [p.read_bytes() for p in copies] == [as_found["packdesk.sqlite3"], as_found["packdesk.sqlite3-wal"]]


@pytest.mark.sqlite_only
def test_damage_found_mid_run_stops_every_later_session(tmp_path: Path) -> None:
    data = _filled(tmp_path)
    ctx = open_context(str(data))
    heard: list[DatabaseDamaged] = []
    ctx.db.on_damaged(heard.append)
    try:
        ctx.db.dispose()  # the next sessions read the damaged file afresh
        _corrupt_outbox(data / "packdesk.sqlite3")
        with pytest.raises(DatabaseDamaged), ctx.db.read() as s:
            outbox.entries(s)
        assert len(heard) == 1 and ctx.db.damaged is heard[0]
        with pytest.raises(DatabaseDamaged), ctx.db.write() as s:  # refused before touching the file
            pass
        assert len(heard) == 1
    finally:
        ctx.close()


@pytest.mark.sqlite_only
def test_an_empty_file_where_a_database_was_is_not_a_new_database(tmp_path: Path) -> None:
    data = _filled(tmp_path)
    database = data / "packdesk.sqlite3"
    database.write_bytes(b"")
    with pytest.raises(DatabaseMissing) as missing:
        open_context(str(data))
    assert missing.value.params["marker"] == str(data / guard.MARKER)
    assert database.stat().st_size == 0
    database.unlink()
    with pytest.raises(DatabaseMissing):
        open_context(str(data))
    assert not database.exists()
    (data / guard.MARKER).unlink()  # the seller chose to start afresh
    open_context(str(data)).close()
    assert database.stat().st_size > 0


@pytest.mark.sqlite_only
def test_a_moved_folder_still_knows_its_database(tmp_path: Path) -> None:
    moved = tmp_path / "restored"
    shutil.move(_filled(tmp_path), moved)  # a folder restored from a backup, or copied to a new disk
    (moved / "packdesk.sqlite3").write_bytes(b"")
    with pytest.raises(DatabaseMissing):
        open_context(str(moved))


def test_a_symlink_to_the_database_is_the_same_database(tmp_path: Path) -> None:
    shared = tmp_path / "shared.sqlite3"
    held = guard.OwnerLock(shared)
    held.acquire()
    try:
        link = tmp_path / "link.sqlite3"
        link.symlink_to(shared)
        with pytest.raises(DatabaseInUse):
            guard.OwnerLock(link).acquire()
    finally:
        held.release()


# -- 6: full disks and read-only folders ------------------------------------------------------------


def test_a_full_disk_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import paths

    def full(self: paths.Paths) -> paths.Paths:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(paths.Paths, "ensure", full)
    with pytest.raises(DiskFull) as exc:
        open_context(str(tmp_path / "data"))
    assert str(exc.value) == f"The disk holding {tmp_path / 'data'} is full: free space and try again"


def test_sqlite_full_and_read_only_errors_are_named(ctx: AppContext) -> None:
    folder = ctx.paths.database.parent
    assert isinstance(guard.named(sqlite3.OperationalError("database or disk is full"), folder), type(None))
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13
    read_only = sqlite3.OperationalError("attempt to write a readonly database")
    read_only.sqlite_errorcode = 8
    assert isinstance(guard.named(full, folder), DiskFull)
    assert isinstance(guard.named(read_only, folder), FolderReadOnly)
    assert isinstance(guard.named(OSError(errno.EROFS, "Read-only file system"), folder), FolderReadOnly)


def _read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `folder` refuse new files: chmod, or (as root, who ignores it) the probe raising EROFS."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if guard.writable(folder):  # root (or Windows) writes anyway: the folder says it cannot
        monkeypatch.setattr(guard, "writable", lambda _folder: False)


def test_listing_commands_work_on_a_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _filled(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in data.iterdir()}
    _read_only(data, monkeypatch)
    try:
        ctx = open_context(str(data), read_only=True)
        try:
            with ctx.db.read() as s:
                assert [e.target_id for e in outbox.entries(s)] == ["12345678-0001-1"]
                assert postings.get(s, "12345678-0001-1") is not None
        finally:
            ctx.close()
        assert {p.name: p.stat().st_mtime_ns for p in data.iterdir()} == before  # nothing written
    finally:
        for path in [data, *data.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_log_file_that_cannot_be_written_says_so_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logs.setup(tmp_path / "logs", console_level=logging.CRITICAL)
        handler = next(h for h in root.handlers if isinstance(h, logs._QuietFileHandler))

        def full(_record: logging.LogRecord) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        handler.shouldRollover = full  # type: ignore[method-assign,assignment]
        for n in range(50):
            logging.getLogger("test.full").warning("line %d", n)
        err = capsys.readouterr().err
        assert err.count("packdesk: cannot write the log file") == 1 and "No space left" in err
        assert "Logging error" not in err
    finally:
        for h in list(root.handlers):
            if getattr(h, "_packdesk", False):
                root.removeHandler(h)
                h.close()
        root.handlers[:], root.level = saved[0], saved[1]


def test_a_log_folder_that_cannot_be_made_leaves_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        assert logs.setup(blocker / "logs", console_level=logging.CRITICAL) is None
        assert capsys.readouterr().err.count("cannot write the log file") == 1
    finally:
        for h in list(root.handlers):
            if getattr(h, "_packdesk", False):
                root.removeHandler(h)
                h.close()
        root.handlers[:], root.level = saved[0], saved[1]


# -- 8: the Api-Key never reaches the database -------------------------------------------------------


def test_the_api_key_is_redacted_from_stored_errors(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZON_CLIENT_ID", "123456")
    monkeypatch.setenv("OZON_API_KEY", "0f9e8d7c-key-under-test")
    creds = secrets.load("")
    assert creds is not None
    echoed = f"400 Bad Request: {{'Client-Id': '123456', 'Api-Key': '{creds.api_key}'}} for 123456:{creds.api_key}"
    with ctx.db.write() as s:
        e = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
        outbox.mark_retry(s, e.key, NOW, echoed, NOW, ambiguous=False)
        f = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "B", {}, NOW)
        outbox.mark_conflict(s, f.key, NOW, echoed)
        outbox.postpone(s, "B", ActionKind.SHIP, NOW, NOW, f"api_key={creds.api_key}")
    with ctx.db.read() as s:  # the column as stored, past the code that reads it
        stored = " ".join(s.execute(text("SELECT last_error FROM outbox")).scalars())
    assert "key-under-test" not in stored and "***" in stored and "123456" in stored
    with ctx.db.read() as s:
        assert all("key-under-test" not in x.last_error for x in outbox.entries(s))


def test_a_key_labelled_as_one_is_redacted_even_unregistered() -> None:
    text = logs.redact('{"api_key": "never-registered-1"} Api-Key: never-registered-2 ?apikey=never-registered-3&x=1')
    assert "never-registered" not in text and text.count("***") == 3


# -- 10: a database driver that is not installed ------------------------------------------------------


def test_a_missing_database_driver_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(DatabaseDriverMissing) as exc:
        Database("postgresql+psycopg://desk@localhost/packdesk")
    assert exc.value.params == {"driver": "psycopg", "package": "psycopg[binary]"}
    assert "pip install psycopg[binary]" in str(exc.value)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps({"database_url": "postgresql+psycopg://desk@localhost/x"}))
    with pytest.raises(DatabaseDriverMissing):
        open_context(str(folder))


@pytest.mark.sqlite_only
def test_a_database_that_cannot_grow_names_the_full_disk(ctx: AppContext) -> None:
    """SQLITE_FULL (here: the file may not grow past its size, as on a full disk) is named."""
    with ctx.db.write() as s:
        pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
        s.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages}")
    big = [posting(f"9{n:07d}-0001-1", address="д" * 4000) for n in range(200)]
    with pytest.raises(DiskFull) as full, ctx.db.write() as s:
        postings.save(s, big, NOW)
    assert full.value.params["folder"] == str(ctx.paths.database.parent)
    with ctx.db.read() as s:  # nothing half-written, and reading still works
        assert postings.get(s, "90000000-0001-1") is None
