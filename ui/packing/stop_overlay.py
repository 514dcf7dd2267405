"""The STOP screen: a cancelled posting must not leave the desk. It covers the whole window in red
until the packer acknowledges that the goods are back on the shelf (the button, or scanning the
ACK / ABORT command). Esc and stray scans do not lift it; nothing on it takes the keyboard focus,
so a scanner's Enter can never press the button by accident."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.workflows.packing.outcomes import StopInfo
from ui import plain_text

# The warehouse staff of an Ozon seller read Russian whatever the desk's UI language is: this line
# is shown as it is, under the translated headline, on purpose.
RUSSIAN_HEADLINE = ("НЕ ОТПРАВЛЯТЬ", "верните товары на полку")
_STYLE = """
StopOverlay { background: #b71c1c; }
QLabel { color: white; background: transparent; }
QPushButton { background: white; color: #b71c1c; font-weight: bold; border-radius: 8px; padding: 16px 40px; }
"""


def _big(label: QLabel, points: float, bold: bool = True) -> QLabel:
    font = QFont(label.font())
    font.setPointSizeF(points)
    font.setBold(bold)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class StopOverlay(QWidget):
    """Signals:
    acknowledged(): the packer pressed the button.
    """

    acknowledged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stopOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.russian = _big(plain_text.label(RUSSIAN_HEADLINE[0], self), 54)
        self.russian.setObjectName("stopRussian")
        self.russian_sub = _big(plain_text.label(RUSSIAN_HEADLINE[1], self), 30)
        self.russian_sub.setObjectName("stopRussianSub")
        self.headline = _big(plain_text.label(self.tr("DO NOT SHIP — put the goods back"), self), 28)
        self.headline.setObjectName("stopHeadline")
        self.posting = _big(plain_text.label("", self), 24)
        self.posting.setObjectName("stopPosting")
        self.reason = _big(plain_text.label("", self), 18, bold=False)
        self.reason.setObjectName("stopReason")
        self.goods = _big(plain_text.label("", self), 20, bold=False)
        self.goods.setObjectName("stopGoods")
        self.button = QPushButton(self.tr("The goods are back on the shelf — continue"), self)
        self.button.setObjectName("stopAcknowledge")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button_font = QFont(self.button.font())
        button_font.setPointSizeF(20)
        self.button.setFont(button_font)
        self.button.clicked.connect(self.acknowledged)
        self.hint = _big(plain_text.label(self.tr("or scan the ACK (or ABORT) command barcode"), self), 14, bold=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addStretch(1)
        for widget in (self.russian, self.russian_sub, self.headline, self.posting, self.reason, self.goods):
            layout.addWidget(widget)
            layout.addSpacing(6)
        layout.addSpacing(24)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self._host: QWidget | None = None
        self.hide()

    def show_stop(self, stop: StopInfo, host: QWidget) -> None:
        """Cover `host` (the top-level window) with the STOP for `stop`."""
        if self._host is not host:
            if self._host is not None:
                self._host.removeEventFilter(self)
            self.setParent(host)
            host.installEventFilter(self)
            self._host = host
        self.posting.setText(self.tr("Posting {number} was cancelled").format(number=stop.posting_number))
        self.reason.setText(stop.reason)  # Ozon's text: a plain-text label
        self.reason.setVisible(bool(stop.reason))
        back = [f"{line.name} × {line.scanned}" for line in stop.lines if line.scanned]
        self.goods.setText(self.tr("Back to the shelf: {goods}").format(goods=", ".join(back)) if back else "")
        self.goods.setVisible(bool(back))
        self.setGeometry(host.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The collector may have cleared this wrapper while Qt still has it as a filter (a page of an
        # earlier window, not deleted yet): then it has no host to follow.
        host: QWidget | None = getattr(self, "_host", None)
        if host is not None and watched is host and event.type() == QEvent.Type.Resize:
            self.setGeometry(host.rect())
        return False
