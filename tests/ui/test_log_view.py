"""Help → Show log, and Qt's own messages in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.ui.test_main_window import open_window
from ui import errors, log_view
from ui.log_view import LogDialog


def test_tail_starts_at_a_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "packdesk.log"
    path.write_text("".join(f"line {i:05d} <b>x</b>\n" for i in range(20_000)), encoding="utf-8")
    tail = log_view.read_tail(path, limit=1000)
    assert tail.startswith("line ") and tail.endswith("line 19999 <b>x</b>\n")
    assert len(tail) <= 1000
    assert log_view.read_tail(tmp_path / "missing.log") == ""


def test_dialog_shows_the_tail_as_plain_text(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "packdesk.log"
    path.write_text("2026-05-18 INFO ui: <img src=file:///etc/passwd> started\n", encoding="utf-8")
    dialog = LogDialog(path)
    qtbot.addWidget(dialog)
    assert "<img src=file:///etc/passwd> started" in dialog.text.toPlainText()
    assert str(path) in dialog.where.text()
    path.write_text("", encoding="utf-8")
    dialog.reload()
    assert dialog.text.toPlainText() == "The log is empty."


def test_help_menu_opens_the_log(ctx: AppContext, qtbot: QtBot) -> None:
    (ctx.paths.logs / "packdesk.log").write_text("hello from the log\n", encoding="utf-8")
    window = open_window(ctx, qtbot)
    window.log_action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LogDialog) and w.isVisible())
    assert "hello from the log" in dialog.text.toPlainText()
    dialog.close()


def test_qt_messages_go_to_the_log(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    uninstall = errors.install_qt_message_handler()
    try:
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("QFont::setPointSize: Point size <= 0 (-1)")
    finally:
        uninstall()
    record = next(r for r in caplog.records if r.name == "qt")
    assert record.levelno == logging.WARNING and "Point size" in record.getMessage()
