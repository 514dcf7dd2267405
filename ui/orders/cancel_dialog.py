"""Ask why the seller cancels the selected postings (Ozon's reason list) and, for "other", a message."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.orders.cancel_reasons import CancelReason
from ui import plain_text

MAX_MESSAGE = 500


class CancelDialog(QDialog):
    def __init__(self, posting_numbers: Sequence[str], reasons: Sequence[CancelReason], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Cancel postings"))
        self._reasons = list(reasons)
        count = len(posting_numbers)
        shown = ", ".join(posting_numbers[:5]) + (" …" if len(posting_numbers) > 5 else "")
        question = self.tr("Cancel %n posting(s)? The buyer is told, and it counts against your rating.", "", count)
        intro = plain_text.label(question + "\n" + shown, self)
        intro.setWordWrap(True)
        self.reason = QComboBox(self)
        self.reason.setObjectName("cancelReason")
        for r in self._reasons:
            self.reason.addItem(r.title, r.id)  # Ozon's titles; combo items are plain text
        self.message = QPlainTextEdit(self)
        self.message.setObjectName("cancelMessage")
        self.message.setPlaceholderText(self.tr("A few words for Ozon (required for “other”)"))
        self.message.setMaximumHeight(self.fontMetrics().height() * 5)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(self.tr("Cancel postings"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmCancel")
        self.buttons.addButton(self.tr("Keep them"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(plain_text.label(self.tr("Reason"), self), self.reason)
        form.addRow(plain_text.label(self.tr("Message"), self), self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.currentIndexChanged.connect(self._update)
        self.message.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(480)

    def chosen(self) -> CancelReason | None:
        index = self.reason.currentIndex()
        return self._reasons[index] if 0 <= index < len(self._reasons) else None

    def text(self) -> str:
        return self.message.toPlainText().strip()[:MAX_MESSAGE]

    def _update(self) -> None:
        reason = self.chosen()
        self.ok.setEnabled(reason is not None and (not reason.needs_message or bool(self.text())))
