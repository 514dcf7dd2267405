"""Small dialogs of the pack station, opened with open() so nothing blocks the event loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui import plain_text


class OverrideDialog(QDialog):
    """Complete without every unit scanned: the reason is required and goes to the history.

    Signals:
        reason_given(str): OK was pressed with a reason.
    """

    reason_given = Signal(str)

    def __init__(self, remaining: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Complete without scanning everything"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        note: QLabel = plain_text.label(
            self.tr("%n unit(s) were not scanned. Why is the posting complete anyway?", "", remaining), self
        )
        note.setWordWrap(True)
        self.reason = QComboBox(self)
        self.reason.setObjectName("overrideReason")
        self.reason.setEditable(True)
        self.reason.addItems(
            [
                "",
                self.tr("The barcode is missing or unreadable"),
                self.tr("The scanner does not work"),
                self.tr("Checked by eye"),
            ]
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.currentTextChanged.connect(self._changed)
        self._changed("")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    def _accept(self) -> None:
        text = self.reason.currentText().strip()
        if text:
            self.reason_given.emit(text)
            self.accept()


def confirm_abort(parent: QWidget, posting_number: str, on_yes: Callable[[], None]) -> QMessageBox:
    """Put the posting aside? Calls `on_yes` when the packer says so; returns the open box."""
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)
    translate = QCoreApplication.translate
    box.setWindowTitle(translate("PackingDialogs", "Put the posting aside"))
    box.setText(
        translate(
            "PackingDialogs", "Put posting {number} aside? What was scanned is forgotten; the goods go back."
        ).format(number=posting_number)
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def clicked(button: QAbstractButton) -> None:
        if box.standardButton(button) == QMessageBox.StandardButton.Yes:
            on_yes()

    box.buttonClicked.connect(clicked)
    box.open()
    return box
