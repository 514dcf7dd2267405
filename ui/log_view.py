"""Help → Show log: the end of the log file as plain text, with Refresh and Copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ui import plain_text

TAIL_BYTES = 256 * 1024  # the last quarter megabyte: a day of normal logging


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last `limit` bytes of the file, starting at a whole line; "" when there is no file."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            data = fh.read()
    except OSError:
        return ""
    if size > limit:
        _, _, data = data.partition(b"\n")
    return data.decode("utf-8", errors="replace")


class LogDialog(QDialog):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(self.tr("Packdesk log"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.where = plain_text.label(self.tr("Log file: {path}").format(path=str(path)), self)
        self.where.setObjectName("logPath")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("logText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.clicked.connect(self.reload)
        copy = QPushButton(self.tr("Copy"), self)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.reload()

    def reload(self) -> None:
        content = read_tail(self.path)
        self.text.setPlainText(content or self.tr("The log is empty."))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.ensureCursorVisible()


def show_log(parent: QWidget | None, path: Path) -> LogDialog:
    dialog = LogDialog(path, parent)
    dialog.open()
    return dialog
