"""`main.py --self-test`: does this installation work? One line per check, in a temp folder.

Each check runs in a fresh temporary folder (never the seller's data; with `--data-dir` that folder's
database is also checked, read-only) and returns one line: `ok  `, `skip` (cannot be checked here,
and says what to do instead) or `FAIL` with the reason. The run passes when no check fails.

It lives beside main.py (not in app/) because it exercises every layer: the database (app), the
emulator round trip (sync), a label rendered and read back (printing) and the translations (QtCore).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import logs

OK, SKIP, FAIL = "ok ", "skip", "FAIL"  # "ok  database: …", "FAIL label: …"
KEYRING_SERVICE = "Packdesk self-test"  # never the real one (app.secrets.SERVICE)


class Skipped(Exception):
    """The check cannot run on this machine; the message says what to do instead."""


class Failed(Exception):
    """The check ran and found a problem (the message names it)."""


@dataclass(frozen=True)
class Result:
    name: str
    status: str
    detail: str

    @property
    def line(self) -> str:
        return f"{self.status} {self.name}: {' '.join(self.detail.split())}"


# -- the checks (each gets its own empty folder) ------------------------------------------------


def _own_sqlite(work: Path) -> str:
    """The check's own SQLite file, even where PACKDESK_DB_URL names the shop's server."""
    from app.db.engine import sqlite_url
    from app.paths import Paths

    return sqlite_url(str(Paths(work).database))


def check_database(work: Path) -> str:
    from sqlalchemy import text

    from app.context import open_context
    from app.db import migrate

    ctx = open_context(str(work), db_url=_own_sqlite(work))
    try:
        revision, head = migrate.current_revision(ctx.db), migrate.head_revision()
        if revision != head:
            raise Failed(f"migrated to {revision}, expected {head}")
        with ctx.db.read() as s:
            integrity = s.execute(text("PRAGMA integrity_check")).scalar()
        if integrity != "ok":
            raise Failed(f"integrity check: {integrity}")
    finally:
        ctx.close()
    return f"created, migrated to {revision}, integrity ok"


def seller_data_check(data_dir: Path) -> Callable[[Path], str]:
    """The seller's own database, opened read-only (no migration, nothing written)."""

    def check(_work: Path) -> str:
        from app import paths, settings
        from app.context import database_url, open_context
        from app.db import guard, migrate

        where = paths.Paths(data_dir)
        url = database_url(where, settings.load(where.settings)[0])
        if not url.startswith("sqlite"):
            return _server_check(url)
        if data_dir.is_dir() and not guard.writable(data_dir):  # a probe file, the database untouched
            raise Failed(f"Packdesk cannot write to {data_dir} (a read-only disk or folder)")
        if not where.database.exists():
            return f"{data_dir}: no database yet"
        ctx = open_context(str(data_dir), read_only=True)  # a damaged or newer database raises, named
        try:
            revision, head = migrate.current_revision(ctx.db), migrate.head_revision()
        finally:
            ctx.close()
        size = where.database.stat().st_size / 1_000_000
        later = "" if revision == head else f" (migrated to {head} when Packdesk opens it)"
        return f"{where.database} ({size:.1f} MB) at {revision}{later}, integrity ok"

    return check


def _server_check(url: str) -> str:
    """The shop's server: reachable, and its schema (read only: nothing migrated from here)."""
    from app.db import migrate
    from app.db.engine import Database

    db = Database(url)
    try:
        with db.read():  # an unreachable server raises DatabaseUnreachable, named
            revision, head = migrate.current_revision(db), migrate.head_revision()
    finally:
        db.dispose()
    later = "" if revision == head else f" (migrated to {head} when Packdesk opens it)"
    return f"{db.shown} at {revision}{later}, reachable"


def check_emulator(work: Path) -> str:
    """The embedded emulator over loopback HTTP: one sync, a posting shipped, its label task done and
    the label PDF downloaded — the real client, engine and outbox."""
    from app import label_files
    from app.context import open_context
    from app.repos import postings as posting_repo
    from app.secrets import Credentials
    from app.workflows import shipping
    from sync import label_tasks
    from sync.client import OzonClient
    from sync.connect import DEMO_API_KEY, DEMO_CLIENT_ID
    from sync.emulator import Emulator, EmulatorServer
    from sync.engine import SyncEngine

    emu = Emulator(seed=7, postings=40, client_id=DEMO_CLIENT_ID, api_key=DEMO_API_KEY, speed=0.0, live=False)
    server = EmulatorServer(emu).start()
    ctx = open_context(str(work), clock=emu, db_url=_own_sqlite(work))
    client = OzonClient(server.url, Credentials(DEMO_CLIENT_ID, DEMO_API_KEY))
    client.read_retry_pause_s = 0.0
    try:
        engine = SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels)
        first = engine.run_cycle()
        if not first.ok:
            raise Failed(f"the first sync failed: {first.error}")
        with ctx.db.read() as s:
            cached = posting_repo.list_postings(s, ozon_status="awaiting_packaging")
            number = next(
                (
                    c.posting.posting_number
                    for c in cached
                    if not c.posting.is_rfbs and not c.posting.requirements.kinds() and not c.posting.is_multibox
                ),
                None,
            )
        if number is None:
            raise Failed("the emulator's shop has no FBS posting to pack")
        shipping.queue_ship(ctx.db, emu, number)
        pushed = engine.run_cycle()
        status = emu.posting(number)["status"]
        if not pushed.ok or status != "awaiting_deliver":
            raise Failed(f"the ship of {number} did not reach the emulator ({status}; {pushed.error})")
        emu.advance(60)  # Ozon makes the label about 50 s after the ship
        outcome = label_tasks.fetch_now(client, [number], ctx.paths.labels, sleep=emu.advance, timeout_s=120)
        if outcome.unprinted:
            raise Failed(f"no label: {outcome.unprinted[number]}")
        ((_page, text),) = label_files.split_pages(label_files.load(ctx.paths.labels, number))
        if number not in text.replace(" ", ""):
            raise Failed(f"the downloaded label does not name {number}")
    finally:
        client.close()
        ctx.close()
        server.stop()
    return f"{first.postings} postings synced over HTTP, {number} shipped, its label task done, the PDF downloaded"


def check_font(_work: Path) -> str:
    from printing import fonts

    return f"{fonts.label_font().path} (Latin, Cyrillic, Chinese)"


def check_label(_work: Path) -> str:
    """The test label rendered as a 203 dpi thermal printer gets it, and its barcodes read back."""
    from printing import raster, render
    from printing.documents import test_label

    pdf = render.test_label(render.Output(render.Format.PDF, dpi=203))
    image = raster.pdf_page_bitmap(pdf, 0, 203).convert("L")
    try:
        import zxingcpp
    except ImportError:
        raise Skipped(f"rendered ({len(pdf)} bytes); decoder not bundled") from None
    found = sorted(b.text for b in zxingcpp.read_barcodes(image))
    wanted = sorted([test_label.TEST_CODE, test_label.TEST_EAN])
    if found != wanted:
        raise Failed(f"decoded {found or 'nothing'}, expected {wanted}")
    return f"rendered at 203 dpi, Code 128 {test_label.TEST_CODE} and EAN-13 {test_label.TEST_EAN} decoded"


def check_keyring(_work: Path) -> str:
    """A test secret stored, read back and deleted under a service of its own."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    user, value = f"check-{os.getpid()}", secrets.token_hex(8)
    try:
        keyring.set_password(KEYRING_SERVICE, user, value)
        back = keyring.get_password(KEYRING_SERVICE, user)
        keyring.delete_password(KEYRING_SERVICE, user)
        gone = keyring.get_password(KEYRING_SERVICE, user) is None
    except NoKeyringError:
        raise Skipped("no system keyring: set OZON_API_KEY instead") from None
    except (KeyringError, RuntimeError) as exc:
        raise Failed(f"{name} refused ({type(exc).__name__}: {exc}); set OZON_API_KEY instead") from exc
    if back is None:  # keyring's null backend (PYTHON_KEYRING_BACKEND): it keeps nothing
        raise Skipped(f"no system keyring ({name} keeps nothing): set OZON_API_KEY instead")
    if back != value or not gone:
        raise Failed(f"{name} gave back {'another value' if back != value else 'a deleted secret'}")
    return f"{name}: stored, read back and deleted a test secret"


def check_translations(_work: Path) -> str:
    from PySide6.QtCore import QTranslator

    import resources

    files = sorted(resources.path("translations").glob("*.qm"))
    if not files:
        raise Failed(f"no .qm files in {resources.path('translations')}")
    bad = []
    for file in files:
        translator = QTranslator()
        if not translator.load(str(file)) or translator.isEmpty():
            bad.append(file.name)
    if bad:
        raise Failed(f"cannot load {', '.join(bad)}")
    return f"{len(files)} loaded ({', '.join(f.stem for f in files)})"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("database", check_database),
    ("emulator", check_emulator),
    ("label font", check_font),
    ("label", check_label),
    ("keyring", check_keyring),
    ("translations", check_translations),
]


def _one(name: str, check: Callable[[Path], str], work: Path) -> Result:
    folder = work / name.replace(" ", "-")
    try:
        folder.mkdir()
        return Result(name, OK, check(folder))
    except Skipped as exc:
        return Result(name, SKIP, str(exc))
    except Exception as exc:
        reason = str(exc) if isinstance(exc, Failed) else f"{type(exc).__name__}: {exc}"
        return Result(name, FAIL, logs.redact(reason))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(data_dir: Path | None = None, report: Callable[[Result], None] | None = None) -> list[Result]:
    """Every check (and the seller's `data_dir`, read-only, when given); `report` sees each result as it comes."""
    checks = list(CHECKS)
    if data_dir is not None:
        checks.insert(1, ("data folder", seller_data_check(data_dir)))
    results: list[Result] = []
    try:
        work = Path(tempfile.mkdtemp(prefix="packdesk-selftest-"))
    except OSError as exc:
        where = exc.filename or tempfile.gettempdir()
        result = Result("temp folder", FAIL, f"cannot create a temporary folder in {where}: {exc.strerror or exc}")
        if report:
            report(result)
        return [result]
    try:
        for name, check in checks:
            result = _one(name, check, work)
            results.append(result)
            if report:
                report(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def passed(results: list[Result]) -> bool:
    return all(r.status != FAIL for r in results)
