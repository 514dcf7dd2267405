"""Issue 12 item 3: online backups while the app writes, checked restores, keep-last-N, refusals that
leave the live database byte-identical, and the restore the window schedules for the next start."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import backup
from app.backup import BackupFailed, BackupRefused
from app.context import AppContext, open_context
from app.db import guard
from app.errors import DatabaseInUse, FolderReadOnly
from app.repos import postings
from tests.app.factories import NOW, posting

# SQLite's backup API and its file: a shop on PostgreSQL backs up with the server's own tools.
pytestmark = pytest.mark.sqlite_only
SHOP = "123456"  # the Client-Id in the backups' names


@pytest.fixture
def live(tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_context(str(tmp_path / "data"))
    with ctx.db.write() as s:
        postings.save(s, [posting(f"1000{i:04d}-0001-1") for i in range(50)], NOW)
    yield ctx
    ctx.close()


def _fingerprint(database: Path) -> tuple[int, int, str]:
    """Postings, their items and a checksum of every posting row (read-only)."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT * FROM postings ORDER BY posting_number").fetchall()
        items = conn.execute("SELECT count(*) FROM posting_items").fetchone()[0]
    finally:
        conn.close()
    return len(rows), int(items), hashlib.sha256(repr(rows).encode()).hexdigest()


def _integrity(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _bytes(database: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in database.parent.iterdir()
        if p.name.startswith(database.name) and p.is_file() and not p.name.endswith(".owner")
    }


def test_a_backup_taken_while_postings_are_saved_restores_the_same_data(live: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    assert live.db.path is not None
    stop, saved = threading.Event(), [0]

    def writer() -> None:
        while not stop.is_set():
            with live.db.write() as s:
                postings.save(s, [posting(f"2000{saved[0]:04d}-0001-1")], NOW)
            saved[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while saved[0] < 5:  # the writer is under way
            threading.Event().wait(0.01)
        made = backup.backup_to_folder(live.db.path, folder, keep=7, shop=SHOP)
        after = saved[0]
    finally:
        stop.set()
        thread.join()
    assert saved[0] > 5 and made.size == made.path.stat().st_size > 0
    assert made.path.name.startswith("packdesk-backup-") and made.path.suffix == ".sqlite3"
    assert [p.name for p in folder.iterdir()] == [made.path.name]  # no temp file left
    assert _integrity(made.path) == "ok"
    in_backup = _fingerprint(made.path)
    assert 50 + 5 <= in_backup[0] <= 50 + after  # one consistent snapshot of the running writes
    assert in_backup[1] == 2 * in_backup[0]  # every posting with its items: no half-saved posting

    live.close()
    done = backup.restore(made.path, live.paths.database, now=NOW)
    assert done.kept_aside is not None and done.kept_aside.name.startswith("packdesk.sqlite3.before-restore-")
    assert _fingerprint(live.paths.database) == in_backup
    assert _fingerprint(done.kept_aside)[0] == 50 + saved[0]  # the database as it was, WAL and all
    reopened = open_context(str(live.paths.data))  # migrations on open as usual
    try:
        with reopened.db.read() as s:
            assert postings.get(s, "10000000-0001-1") is not None
    finally:
        reopened.close()
    assert _integrity(live.paths.database) == "ok"


def _newer_schema(source: Path, target: Path) -> Path:
    conn = sqlite3.connect(target)
    sqlite3.connect(source).backup(conn)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    return target


def _foreign(target: Path) -> Path:
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES ('abc123')")
    conn.commit()
    conn.close()
    return target


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("truncated", "backup_damaged"),
        ("random", "backup_not_sqlite"),
        ("foreign", "backup_not_packdesk"),
        ("newer", "backup_too_new"),
        ("missing", "backup_not_found"),
    ],
)
def test_a_bad_backup_is_refused_before_anything_is_replaced(
    live: AppContext, tmp_path: Path, kind: str, code: str
) -> None:
    assert live.db.path is not None
    good = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP).path
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "random":
        bad.write_bytes(os.urandom(64 * 1024))
    elif kind == "foreign":
        _foreign(bad)
    elif kind == "newer":
        _newer_schema(good, bad)
    live.close()
    before = _bytes(live.paths.database)
    with pytest.raises(BackupRefused) as refused:
        backup.check(bad)
    assert refused.value.code == code and str(bad) in str(refused.value)
    with pytest.raises(BackupRefused):
        backup.restore(bad, live.paths.database)
    assert _bytes(live.paths.database) == before  # byte-identical, nothing renamed
    assert not list(live.paths.data.glob(".*.part"))


def test_keep_last_n_deletes_only_packdesk_backups(live: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    others = ["notes.txt", "packdesk-backup-latest.sqlite3", "my-packdesk-backup-20200101T000000Z.sqlite3"]
    for name in others:
        (folder / name).write_text("keep me")
    assert live.db.path is not None
    made = [
        backup.backup_to_folder(live.db.path, folder, keep=3, now=NOW + timedelta(hours=h), shop=SHOP).path
        for h in range(5)
    ]
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([*others, *(p.name for p in made[-3:])])
    assert backup.last_backup_time(folder, SHOP) == NOW + timedelta(hours=4)
    assert not backup.is_due(folder, 24, NOW + timedelta(hours=5), SHOP)
    assert backup.is_due(folder, 1, NOW + timedelta(hours=5), SHOP)


def test_two_backups_in_one_second_both_exist(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    first = backup.backup_to_folder(live.db.path, tmp_path, keep=5, now=NOW, shop=SHOP)
    second = backup.backup_to_folder(live.db.path, tmp_path, keep=5, now=NOW, shop=SHOP)
    assert first.path != second.path and len(backup.own_backups(tmp_path)) == 2


def test_restore_is_refused_while_packdesk_has_the_database_open(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    made = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP)
    live.recover_interrupted()  # the window holds the owner lock
    before = _bytes(live.paths.database)
    with pytest.raises(DatabaseInUse):
        backup.restore(made.path, live.paths.database)
    assert _bytes(live.paths.database) == before


def test_a_backup_folder_that_is_gone_is_a_clear_error(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    with pytest.raises(BackupFailed) as refused:
        backup.backup_to_folder(live.db.path, tmp_path / "unplugged", keep=7, shop=SHOP)
    assert refused.value.code == "backup_folder_missing"
    with pytest.raises(BackupFailed):
        backup.backup_to_file(live.db.path, live.db.path)  # never onto the database itself


def test_a_scheduled_restore_happens_at_the_next_start(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    made = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP)
    with live.db.write() as s:
        postings.save(s, [posting("30000000-0001-1")], NOW)
    live.recover_interrupted()
    backup.schedule_restore(made.path, live.db.path)
    assert backup.scheduled(live.db.path) == made.path.resolve()
    live.close()
    ctx = open_context(str(live.paths.data))
    try:
        with ctx.db.read() as s:
            assert postings.get(s, "30000000-0001-1") is None  # the backup's data
        assert [m.code for m in ctx.startup_messages] == ["restore_done"]
        assert backup.scheduled(live.paths.database) is None
    finally:
        ctx.close()


def test_a_scheduled_restore_of_a_file_gone_bad_is_cancelled_and_said(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    made = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP)
    backup.schedule_restore(made.path, live.db.path)
    made.path.write_bytes(b"not any more")
    live.close()
    ctx = open_context(str(live.paths.data))
    try:
        assert [m.code for m in ctx.startup_messages] == ["restore_not_done"]
        with ctx.db.read() as s:
            assert postings.get(s, "10000000-0001-1") is not None
    finally:
        ctx.close()
    assert backup.scheduled(live.paths.database) is None


def test_a_scheduled_restore_waits_while_another_packdesk_is_open(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    made = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP)
    backup.schedule_restore(made.path, live.db.path)
    holder = guard.OwnerLock(live.db.path)
    holder.acquire()
    try:
        second = open_context(str(live.paths.data))
        second.close()
        assert backup.scheduled(live.db.path) == made.path.resolve()  # still due
    finally:
        holder.release()


def test_taken_at_comes_from_the_name() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert backup.backup_name(when, SHOP) == "packdesk-backup-123456-20260102T030405Z.sqlite3"


def test_the_shop_tag_is_the_client_id_sanitised_or_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OZON_CLIENT_ID", raising=False)
    assert backup.shop_tag("123456", demo=False) == "123456"
    assert backup.shop_tag("123456", demo=True) == "demo"
    assert backup.shop_tag("", demo=False) == "noaccount"
    monkeypatch.setenv("OZON_CLIENT_ID", " 12-34/../5 ")  # the override the sync uses, never a path
    assert backup.shop_tag("123456", demo=False) == "12345"


def test_shops_sharing_a_folder_prune_only_their_own_backups(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    folder = tmp_path / "shared"
    folder.mkdir()
    legacy = [folder / f"packdesk-backup-2025010{d}T000000Z.sqlite3" for d in range(1, 5)]
    for old in legacy:  # written before the shop tag: anyone's
        old.write_bytes(b"")
    shutil.copyfile(backup.backup_to_file(live.db.path, tmp_path / "one.sqlite3").path, legacy[-1])

    def run(shop: str, keep: int, hours: range) -> list[Path]:
        return [
            backup.backup_to_folder(live.db.path, folder, keep, NOW + timedelta(hours=h), shop=shop).path  # type: ignore[arg-type]
            for h in hours
        ]

    first = run("111", 2, range(0, 10, 2))  # two desks taking turns
    second = run("222", 3, range(1, 10, 2))
    run("111", 2, range(10, 11))
    left = {p.name for p in folder.iterdir()}
    assert {p.name for p in second[-3:]} <= left and not {p.name for p in second[:-3]} & left
    assert [p.name for p in backup.own_backups(folder, "111")] == [
        first[-1].name,
        backup.backup_name(NOW + timedelta(hours=10), "111"),
    ]
    assert all(old.exists() for old in legacy)  # never pruned by a tagged run
    assert len(backup.own_backups(folder)) == 2 + 3 + len(legacy)  # every Packdesk backup, for restoring
    # Each shop decides from its own backups; the untagged ones count for nobody.
    assert backup.last_backup_time(folder, "222") == NOW + timedelta(hours=9)
    assert backup.is_due(folder, 24, NOW, "333")
    # An untagged backup is still restorable, its time read from its name.
    found = backup.check(legacy[-1])
    assert found.taken_at == datetime(2025, 1, 4, tzinfo=UTC) and found.revision


def _crashed_copy(live: AppContext, folder: Path) -> Path:
    """The database as a crash leaves it: the newest transactions still only in its WAL."""
    assert live.db.path is not None
    folder.mkdir()
    conn = sqlite3.connect(live.db.path)
    try:
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("DELETE FROM posting_items")
        conn.execute("DELETE FROM postings WHERE posting_number != '10000000-0001-1'")
        conn.commit()
        for end in ("", "-wal"):  # copied while open: the WAL is not checkpointed
            (folder / f"packdesk.sqlite3{end}").write_bytes(Path(f"{live.db.path}{end}").read_bytes())
    finally:
        conn.close()
    assert (folder / "packdesk.sqlite3-wal").stat().st_size > 0
    return folder / "packdesk.sqlite3"


def test_restoring_a_database_with_its_wal_restores_what_the_wal_holds(live: AppContext, tmp_path: Path) -> None:
    # e.g. undoing a restore: `packdesk.sqlite3.before-restore-<time>` is kept with its WAL
    crashed = _crashed_copy(live, tmp_path / "crashed")
    target = tmp_path / "other" / "packdesk.sqlite3"
    target.parent.mkdir()
    backup.restore(crashed, target)
    assert _fingerprint(target)[0] == 1  # not the 50 postings of the main file alone
    assert _integrity(target) == "ok"
    assert not target.with_name(target.name + "-wal").exists() or _fingerprint(target)[0] == 1


def test_two_restores_in_one_second_keep_both_databases_aside(live: AppContext, tmp_path: Path) -> None:
    assert live.db.path is not None
    made = backup.backup_to_folder(live.db.path, tmp_path, keep=7, shop=SHOP)
    live.close()
    first = backup.restore(made.path, live.paths.database, now=NOW)
    second = backup.restore(made.path, live.paths.database, now=NOW)
    assert first.kept_aside is not None and second.kept_aside is not None
    assert first.kept_aside != second.kept_aside and first.kept_aside.exists() and second.kept_aside.exists()


def test_a_read_only_backup_folder_is_named_not_a_bug(
    live: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a read-only disk even unlinking a file that is not there fails with EROFS (root too).
    assert live.db.path is not None
    folder = tmp_path / "ro"
    folder.mkdir()
    real_open, real_unlink = open, Path.unlink

    def read_only(path: Path) -> bool:
        return Path(path).parent == folder

    def no_open(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, (str, Path)) and read_only(Path(file)):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def no_unlink(self: Path, missing_ok: bool = False) -> None:
        if read_only(self):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr("builtins.open", no_open)
    monkeypatch.setattr(Path, "unlink", no_unlink)
    with pytest.raises(FolderReadOnly) as refused:
        backup.backup_to_folder(live.db.path, folder, keep=7, shop=SHOP)
    assert str(folder) in str(refused.value) and ".part" not in str(refused.value)
