"""Settings → Database: the address (its password to the OS keyring, never the settings file), this
desk's name, Test connection off the GUI thread with what it found or the clear error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import make_url

from app import database_check, desks, secrets
from app import settings as settings_file
from app.context import DB_URL_ENV, AppContext, database_url
from app.errors import DatabaseLoginRefused
from tests.memory_keyring import MemoryKeyring, memory_keyring
from tests.ui.factories import NOW
from tests.ui.test_settings_page import make_page
from ui.settings.page import SettingsPage
from ui.tasks import TaskManager

SERVER = "postgresql+psycopg://packdesk:s3cr3t-pw@192.168.1.10/shop"
BARE = "postgresql+psycopg://packdesk@192.168.1.10/shop"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    with memory_keyring() as kept:
        yield kept


def run_the_test(page: SettingsPage, qtbot: QtBot) -> str:
    box = page.database
    box.test_button.click()
    assert not box.test_button.isEnabled()  # the test runs off the GUI thread
    assert box.result.text() == "Connecting…"
    qtbot.waitUntil(box.test_button.isEnabled, timeout=15_000)
    return box.result.text()


def test_the_password_goes_to_the_keyring_not_the_file(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, ring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = make_page(ctx, tasks, qtbot)
    assert page.database.address.text() == ""
    assert page.database.address.placeholderText() == "Empty: this computer's own database file (one desk)"
    assert page.database.desk_name.placeholderText() == desks.desk_name(ctx.settings.replace(desk_name=""))
    page.database.address.setText(f" {SERVER} ")
    page.database.desk_name.setText(" Desk 2 ")
    with qtbot.waitSignal(page.saved) as signal:
        page.save_button.click()
    written = ctx.paths.settings.read_text(encoding="utf-8")
    assert "s3cr3t-pw" not in written
    stored = settings_file.load(ctx.paths.settings)[0]
    assert stored.database_url == BARE and stored.desk_name == "Desk 2" and signal.args[0] == stored
    assert ring.entries == {("Packdesk database", "packdesk@192.168.1.10:5432/shop"): "s3cr3t-pw"}
    assert page.database.address.text() == BARE
    assert page.database.password_note.isVisibleTo(page)
    assert "take effect when Packdesk starts again" in page.result.text()
    # the connection still gets it (unless --db / PACKDESK_DB_URL names another address)
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert make_url(database_url(ctx.paths, stored)).password == "s3cr3t-pw"

    again = make_page(ctx, tasks, qtbot)
    again.load(stored)
    qtbot.waitUntil(lambda: again.database.password_note.isVisibleTo(again))
    assert again.database.password_note.text() == "Its password is kept in the system keyring."
    assert again.chosen() == stored


def test_no_keyring_keeps_the_password_out_of_the_file_and_says_so(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot
) -> None:
    page = make_page(ctx, tasks, qtbot)  # the suite's keyring keeps nothing
    page.database.address.setText(SERVER)
    with qtbot.waitSignal(page.saved):
        page.save_button.click()
    assert "database password could not be saved" in page.result.text()
    assert "PACKDESK_DB_URL" in page.result.text() and page.save_button.isEnabled()
    assert "s3cr3t-pw" not in ctx.paths.settings.read_text(encoding="utf-8")
    assert settings_file.load(ctx.paths.settings)[0].database_url == BARE


def test_an_address_that_is_not_one_is_not_saved(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.database.address.setText("192.168.1.10/shop")
    page.save_button.click()
    assert "is not a database address" in page.result.text()
    assert not ctx.paths.settings.exists()


def test_the_test_of_this_computers_file(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    text = run_the_test(page, qtbot)
    if ctx.db.is_sqlite:
        assert text.startswith("This computer's database file (SQLite 3.")
        assert "the same as this Packdesk" in text and "Sync:" not in text
    else:  # on the shop's server the data folder holds no file
        assert text.startswith("No database file here yet")
    assert not ctx.paths.database.exists() or ctx.db.is_sqlite


def test_a_server_that_does_not_answer(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.database.address.setText("postgresql+psycopg://packdesk@127.0.0.1:1/shop")
    text = run_the_test(page, qtbot)
    assert text.startswith("The shop's database server 127.0.0.1:1/shop cannot be reached")
    assert "b71c1c" in page.database.result.styleSheet()


def test_the_clear_errors(ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.database.address.setText("mysql+nosuchdriver://packdesk@db/shop")
    assert "nosuchdriver" in run_the_test(page, qtbot) and "not installed" in page.database.result.text()
    page.database.address.setText("not an address")
    assert "is not a database address" in run_the_test(page, qtbot)

    def refused(_address: str, _now: datetime) -> database_check.DatabaseFound:
        raise DatabaseLoginRefused("192.168.1.10/shop", "packdesk")

    monkeypatch.setattr(database_check, "check_address", refused)
    page.database.address.setText(BARE)
    assert run_the_test(page, qtbot) == (
        "The shop's database server 192.168.1.10/shop refused the login of packdesk: check the user name and "
        "password in Settings → Database."
    )


def test_what_the_test_says_of_the_schema_and_the_leader(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    box = page.database
    box._desk = "Desk 1"
    found = database_check.DatabaseFound(True, "16.4", "0012", "0013", True, None)
    box._found(found)
    assert box.result.text() == (
        "Connected: PostgreSQL 16.4.\n"
        "Schema: revision 0012; this Packdesk has 0013 and upgrades it when it starts on this database.\n"
        "Sync: no desk leads — is another desk open?"
    )
    box._found(database_check.DatabaseFound(True, "16.4", "0014", "0013", False, "Desk 1"))
    assert "written by a newer Packdesk" in box.result.text() and "Sync: this desk leads." in box.result.text()
    box._found(database_check.DatabaseFound(True, "16.4", None, "0013", True, None))
    assert "Schema: empty" in box.result.text()


@pytest.mark.server_only
def test_the_test_of_the_shops_server(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    page = make_page(ctx, tasks, qtbot)
    page.database.address.setText(ctx.db.url)
    text = run_the_test(page, qtbot)
    assert text.startswith("Connected: PostgreSQL ")
    assert "the same as this Packdesk" in text and "Sync: no desk leads" in text
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 2", "anna", NOW, leading=True)
    assert "Sync: led by Desk 2." in run_the_test(page, qtbot)
    with ctx.db.write() as s:
        desks.check_in(s, desks.desk_name(ctx.settings), "li", NOW, leading=True)
    assert "Sync: this desk leads." in run_the_test(page, qtbot)


def test_an_address_given_at_start_is_said(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_URL_ENV, "postgresql+psycopg://packdesk@10.0.0.5/shop")
    page = make_page(ctx, tasks, qtbot)
    assert page.database.in_use.text().startswith("This desk was started with an address of its own")
    assert ctx.db.shown in page.database.in_use.text()
    monkeypatch.delenv(DB_URL_ENV)
    plain = make_page(ctx, tasks, qtbot)
    assert plain.database.in_use.text() == f"In use now: {ctx.db.shown}"


def test_the_keyring_is_never_read_on_the_gui_thread(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    threads: list[str] = []

    def password(_address: str) -> str:
        threads.append(threading.current_thread().name)
        return "pw"

    monkeypatch.setattr(secrets, "database_password", password)
    page = make_page(ctx, tasks, qtbot)
    page.load(ctx.settings.replace(database_url=BARE))
    qtbot.waitUntil(lambda: page.database.password_note.isVisibleTo(page))
    assert threads and all(name.startswith("packdesk-io") for name in threads)
