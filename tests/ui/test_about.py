"""Help → About Packdesk: the version, the data folder, the log, Copy diagnostics; the log's filter."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import diagnostics
from app.context import AppContext
from tests.ui.test_main_window import open_window
from ui import log_view
from ui.about import AboutDialog
from ui.log_view import LogDialog


def test_about_shows_the_version_and_the_data_folder(ctx: AppContext, qtbot: QtBot) -> None:
    window = open_window(ctx, qtbot)
    window.about_action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AboutDialog) and w.isVisible())
    assert dialog.fields["version"] == diagnostics.version() == "0.1.0"
    assert dialog.fields["data"] == str(ctx.paths.data)
    if ctx.db.is_sqlite:
        assert str(ctx.paths.database) in dialog.fields["database"] and "MB" in dialog.fields["database"]
    else:  # the shop's server, its password never shown
        assert dialog.fields["database"].startswith("postgresql+psycopg://") and "***" not in dialog.fields["database"]
    copied = dialog.copy_diagnostics()
    assert QGuiApplication.clipboard().text() == copied and f"data folder: {ctx.paths.data}" in copied
    log = dialog.show_log()
    assert isinstance(log, LogDialog)
    log.close()
    dialog.close()


def test_the_log_shows_the_last_lines_that_match_the_filter(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "packdesk.log"
    path.write_text("".join(f"line {i} {'sync' if i % 2 else 'print'}\n" for i in range(1000)), encoding="utf-8")
    dialog = LogDialog(path)
    qtbot.addWidget(dialog)
    dialog.count.setValue(10)
    assert dialog.text.toPlainText().splitlines() == [
        f"line {i} {'sync' if i % 2 else 'print'}" for i in range(990, 1000)
    ]
    dialog.filter.setText("SYNC")
    assert dialog.text.toPlainText().splitlines() == [f"line {i} sync" for i in range(981, 1000, 2)]
    dialog.filter.setText("no such thing")
    assert dialog.text.toPlainText() == "No line matches the filter."
    assert log_view.last_lines("a\nb\nc\n", 2) == ["b", "c"]
