from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import main
from app.context import AppContext
from tests.ui.fakes import FakeSync
from ui.app import run_gui
from ui.main_window import MainWindow


def test_run_gui_starts_and_stops_sync(ctx: AppContext, qtbot: QtBot, qapp: QApplication) -> None:
    sync = FakeSync()
    hooks = (sys.excepthook, threading.excepthook)
    seen: list[MainWindow] = []

    def close_soon() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        assert sync.calls == ["start"]  # started after the window was shown
        for window in windows:
            window.close()
        QApplication.quit()

    QTimer.singleShot(0, close_soon)
    # The QApplication is shared by all tests. Closing the last window inside exec() would post a
    # second Quit that arrives after exec() returns and leaves every later event loop quitting at once.
    qapp.setQuitOnLastWindowClosed(False)
    try:
        assert run_gui(ctx, sync, demo=True, argv=["packdesk"]) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert sync.calls == ["start", "stop"]
    assert len(seen) == 1
    window = seen[0]
    assert window.tasks.run_db(lambda: 1).cancelled()  # tasks shut down
    assert (sys.excepthook, threading.excepthook) == hooks  # hooks restored
    window.deleteLater()


def test_the_already_open_box_speaks_the_sellers_language(
    ctx: AppContext, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QCoreApplication, QLocale
    from PySide6.QtWidgets import QMessageBox

    from ui import app as app_module
    from ui import wording

    shown: list[str] = []
    monkeypatch.setattr(app_module.instance_lock, "acquire", lambda _folder: None)  # another Packdesk has it
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(app_module, "can_show_window", lambda: True)  # a seller's desktop
    ctx.settings = ctx.settings.replace(language="ru_RU")
    previous = QLocale()
    try:
        assert run_gui(ctx, None, demo=True, argv=["packdesk"]) == main.EXIT_BUSY == app_module.ALREADY_RUNNING
    finally:
        QLocale.setDefault(previous)
        wording.forget_translations()
    (text,) = shown
    assert text.startswith("Packdesk уже открыт"), text
    english = "Packdesk is already open on this computer ({folder})."
    assert QCoreApplication.translate("App", english) == english  # the translators are gone again


def test_a_database_found_damaged_stops_sync_once_and_says_so(
    ctx: AppContext, qtbot: QtBot, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import events
    from app.errors import DatabaseDamaged
    from ui import errors

    sync = FakeSync()
    shown: list[BaseException] = []
    finished: list[events.SyncFinished] = []
    monkeypatch.setattr(errors, "show_error", lambda _parent, exc: shown.append(exc))
    ctx.bus.subscribe(events.SyncFinished, finished.append)

    def damage_from_the_sync_thread() -> None:
        found = threading.Thread(target=ctx.db._set_damaged, args=(DatabaseDamaged("/x/packdesk.sqlite3"),))
        found.start()
        found.join()
        QTimer.singleShot(50, QApplication.quit)

    QTimer.singleShot(0, damage_from_the_sync_thread)
    qapp.setQuitOnLastWindowClosed(False)
    try:
        assert run_gui(ctx, sync, demo=True, argv=["packdesk"]) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert sync.calls == ["start", "stop"]  # stopped when found, not again at the end
    assert shown and {getattr(e, "code", None) for e in shown} == {"database_damaged"}  # said, and nothing else
    assert finished and not finished[-1].ok and "damaged" in finished[-1].summary
    for window in QApplication.topLevelWidgets():
        if isinstance(window, MainWindow):
            window.deleteLater()


@pytest.mark.sqlite_only
def test_a_window_that_cannot_start_shows_why(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.db import guard

    data = tmp_path / "data"
    data.mkdir()
    (data / guard.MARKER).write_text(json.dumps({"databases": [str((data / "packdesk.sqlite3").resolve())]}))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(main, "_wants_demo", lambda _args: False)
    from ui import app as app_module

    monkeypatch.setattr(app_module, "can_show_window", lambda: True)  # a seller's desktop
    assert main.main(["--data-dir", str(data)]) == main.EXIT_DATA_DIR
    (text,) = shown
    assert "packdesk.sqlite3" in text and not (data / "packdesk.sqlite3").exists()


@pytest.mark.sqlite_only  # one owner per SQLite file; on a server the desks share it
def test_a_second_owner_of_the_database_is_told_in_a_box(
    ctx: AppContext, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.db import guard
    from ui import app as app_module

    held = guard.OwnerLock(ctx.paths.database)
    held.acquire()  # another Packdesk, started on another data folder with this database_url
    shown: list[str] = []
    monkeypatch.setattr(app_module, "can_show_window", lambda: True)  # a seller's desktop
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    try:
        assert run_gui(ctx, FakeSync(), demo=True, argv=["packdesk"]) == main.EXIT_BUSY
    finally:
        held.release()
    (text,) = shown
    assert str(ctx.paths.database) in text


def test_the_start_up_errors_have_sentences_of_their_own() -> None:
    from app import errors as core
    from ui import errors

    raised = [
        core.DatabaseDamaged("/d/packdesk.sqlite3", "page 3"),
        core.DatabaseMissing("/d/packdesk.sqlite3", "/d/.packdesk"),
        core.DatabaseInUse("/d/packdesk.sqlite3", "pid 7 on desk-2"),
        core.DiskFull("/d"),
        core.FolderReadOnly("/d"),
        core.DatabaseDriverMissing("psycopg", "psycopg[binary]"),
        core.DisplayLibrariesMissing("libEGL.so.1"),
    ]
    for exc in raised:
        text = errors.message_for(exc)
        assert text == f"{exc}." or text == str(exc), exc.code  # the English sentence, every field filled
        assert "{" not in text, exc.code


def test_no_shown_error_repeats_the_api_key(qapp: QApplication) -> None:
    from app import logs
    from app.errors import UserError
    from ui import errors

    logs.register_secret("b1c2d3e4-shown-key")
    exc = UserError("some_new_code", "Ozon said: bad Api-Key b1c2d3e4-shown-key for Client-Id 123456")
    text = errors.message_for(exc)
    assert "shown-key" not in text and "123456" in text
    dialog = errors.ErrorDialog(None, exc)
    try:
        assert "shown-key" not in dialog.details and "shown-key" not in dialog.message.text()
    finally:
        dialog.deleteLater()


def test_no_message_box_where_nobody_can_click_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import app as app_module

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not app_module.can_show_window()
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not app_module.can_show_window()  # Qt would abort the process without a display
    monkeypatch.setenv("DISPLAY", ":0")
    assert app_module.can_show_window()


def test_a_folder_another_packdesk_holds_is_said_without_a_box_offscreen(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Offscreen nobody can click a box away: it hung until kill -9.
    from ui import app as app_module

    monkeypatch.setattr(app_module.instance_lock, "acquire", lambda _folder: None)
    monkeypatch.setattr(app_module, "can_show_window", lambda: False)
    assert run_gui(ctx, None, demo=True, argv=["packdesk"]) == main.EXIT_BUSY
    assert "already open" in capsys.readouterr().err
