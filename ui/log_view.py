"""Help → Show log: the last lines of the log file as plain text, with a filter, Refresh and Copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import logs
from ui import plain_text

TAIL_BYTES = logs.TAIL_BYTES
DEFAULT_LINES = 500
MAX_LINES = 20_000


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last `limit` bytes of the file, starting at a whole line; "" when there is no file."""
    return logs.tail(path, limit)


def last_lines(content: str, count: int, needle: str = "") -> list[str]:
    """The last `count` lines of `content` that contain `needle` (case ignored; every line when empty)."""
    wanted = needle.strip().casefold()
    lines = [line for line in content.splitlines() if not wanted or wanted in line.casefold()]
    return lines[-count:] if count > 0 else []


class LogDialog(QDialog):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.content = ""
        self.setWindowTitle(self.tr("Packdesk log"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.where = plain_text.label(self.tr("Log file: {path}").format(path=str(path)), self)
        self.where.setObjectName("logPath")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("logFilter")
        self.filter.setPlaceholderText(self.tr("Show only lines with…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.show_lines)
        self.count = QSpinBox(self)
        self.count.setObjectName("logLines")
        self.count.setRange(10, MAX_LINES)
        self.count.setSingleStep(100)
        self.count.setValue(DEFAULT_LINES)
        self.count.valueChanged.connect(self.show_lines)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(QLabel(self.tr("Last lines:"), self))
        row.addWidget(self.count)
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
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.reload()

    def reload(self) -> None:
        self.content = read_tail(self.path, TAIL_BYTES if self.count.value() <= DEFAULT_LINES else 8 * TAIL_BYTES)
        self.show_lines()

    def show_lines(self) -> None:
        if not self.content:
            self.text.setPlainText(self.tr("The log is empty."))
            return
        lines = last_lines(self.content, self.count.value(), self.filter.text())
        self.text.setPlainText("\n".join(lines) if lines else self.tr("No line matches the filter."))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.ensureCursorVisible()


def show_log(parent: QWidget | None, path: Path) -> LogDialog:
    dialog = LogDialog(path, parent)
    dialog.open()
    return dialog
