"""A dismissable message strip above the page (settings repaired, API key rejected…)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from ui import plain_text

_STYLE = "#banner { background: #fff4ce; border: 1px solid #e0c060; border-radius: 3px; }"
_ALERT_STYLE = "#banner { background: #fde0e0; border: 1px solid #d08080; border-radius: 3px; }"


class MessageBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = plain_text.label("", self)
        self.text.setWordWrap(True)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Hide"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.setStyleSheet(_STYLE)
        self.hide()

    def show_message(self, text: str, alert: bool = False) -> None:
        """Show `text` (plain text; several messages replace each other)."""
        self.text.setText(text)
        self.setStyleSheet(_ALERT_STYLE if alert else _STYLE)
        self.show()
