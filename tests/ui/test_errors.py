from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from app.errors import UserCancelled, UserError
from ui import errors
from ui.errors import ErrorDialog

HOSTILE = "<b>x</b><img src=file:///etc/passwd>"


def close(dialog: ErrorDialog | None) -> None:
    assert dialog is not None
    dialog.close()


def test_user_error_shows_its_message_as_plain_text(qtbot: QtBot) -> None:
    dialog = errors.show_error(None, UserError("printer_offline", f"Printer {HOSTILE} is offline"))
    assert dialog is not None
    assert dialog.message.text() == f"Printer {HOSTILE} is offline"
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert not dialog.is_bug
    copy = dialog.findChild(QPushButton, "copyDetails")
    assert copy is not None  # every dialog can hand its details to support
    copy.click()
    assert "[printer_offline]" in QGuiApplication.clipboard().text()
    close(dialog)


def test_cancel_is_silent(qtbot: QtBot) -> None:
    assert errors.show_error(None, UserCancelled()) is None


def test_bug_apologises_logs_and_copies_details(qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    errors.set_log_location(tmp_path / "logs")
    try:
        raise RuntimeError(HOSTILE)
    except RuntimeError as exc:
        caught = exc
    with caplog.at_level(logging.ERROR, logger="ui.errors"):
        dialog = errors.show_error(None, caught)
    errors.set_log_location(None)
    assert dialog is not None and dialog.is_bug
    text = dialog.message.text()
    assert text.startswith("Sorry")
    assert str(tmp_path / "logs" / "packdesk.log") in dialog.log_path.text()
    assert dialog.log_path.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE not in text  # the raw message is for the log, not the apology
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert caplog.records[0].exc_info is not None  # the traceback is logged

    copy = dialog.findChild(QPushButton, "copyDetails")
    assert copy is not None
    copy.click()
    copied = QGuiApplication.clipboard().text()
    assert "Traceback" in copied and "RuntimeError" in copied and "test_errors.py" in copied
    assert str(tmp_path / "logs" / "packdesk.log") in copied
    # A second bug while the apology is open does not stack another dialog.
    with caplog.at_level(logging.ERROR, logger="ui.errors"):
        assert errors.show_error(None, ValueError("again")) is dialog
    close(dialog)


def test_excepthooks_route_thread_errors_to_a_dialog(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    before = (sys.excepthook, threading.excepthook)
    uninstall = errors.install_excepthooks()
    try:
        assert sys.excepthook is not before[0] and threading.excepthook is not before[1]

        def boom() -> None:
            raise LookupError("worker bug")

        with caplog.at_level(logging.ERROR, logger="ui.errors"):
            worker = threading.Thread(target=boom)
            worker.start()
            worker.join()

            def dialog_open() -> bool:
                return any(isinstance(w, ErrorDialog) and w.isVisible() for w in QApplication.topLevelWidgets())

            qtbot.waitUntil(dialog_open)
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible())
        assert "LookupError: worker bug" in dialog.details
        dialog.close()
    finally:
        uninstall()
    assert (sys.excepthook, threading.excepthook) == before
