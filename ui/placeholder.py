"""A page that is not built yet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui import plain_text


class PlaceholderPage(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = plain_text.label(title, self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        note = plain_text.label(self.tr("This part of Packdesk comes in a later version."), self)
        note.setObjectName("placeholderNote")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (heading, note):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addStretch(2)
