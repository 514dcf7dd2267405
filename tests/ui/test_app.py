from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

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
    ctx.settings = ctx.settings.replace(language="ru_RU")
    previous = QLocale()
    try:
        assert run_gui(ctx, None, demo=True, argv=["packdesk"]) == 1
    finally:
        QLocale.setDefault(previous)
        wording.forget_translations()
    (text,) = shown
    assert text.startswith("Packdesk уже открыт"), text
    english = "Packdesk is already open on this computer ({folder})."
    assert QCoreApplication.translate("App", english) == english  # the translators are gone again
