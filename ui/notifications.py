"""Desktop notifications for new orders and buyer cancellations.

A tray balloon (`QSystemTrayIcon.showMessage`) where the desktop has a tray, otherwise a toast in
the window's corner. The first sync after start is a catch-up: what it brings is in the orders
list and the status bar, not in a burst of notifications. Texts are plain text.

Signals:
    posting_activated(str): the seller clicked a notification about one posting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QStyle,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import events
from ui import plain_text
from ui.bridge import EventBridge

log = logging.getLogger(__name__)

SHOW_MS = 8000
_LISTED = 3  # posting numbers named in one notification
_STYLE = "#toast { background: #263238; border-radius: 6px; } #toast QLabel { color: white; }"
_ALERT_STYLE = "#toast { background: #b71c1c; border-radius: 6px; } #toast QLabel { color: white; }"


class Toast(QFrame):
    """A small message in the bottom-right corner of its window; hides by itself or on a click."""

    clicked = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("toast")
        self.title = plain_text.label("", self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = plain_text.label("", self)
        self.text.setWordWrap(True)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.addLayout(head)
        layout.addWidget(self.text)
        self.setFixedWidth(360)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        window.installEventFilter(self)
        self.hide()

    def show_message(self, title: str, text: str, alert: bool) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.setStyleSheet(_ALERT_STYLE if alert else _STYLE)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(SHOW_MS * (2 if alert else 1))

    def _place(self) -> None:
        """Bottom-right above the status bar, or higher up the right edge (then the left edge) where
        it covers no button or input (on the Packing page the print buttons are bottom-right)."""
        parent = self.parentWidget()
        if parent is None:
            return
        margin = 16
        bottom = parent.height() - margin - 28  # above the status bar
        right = max(0, parent.width() - self.width() - margin)
        taken = self._controls(parent)
        for x in (right, margin):
            y = bottom - self.height()
            while y >= margin:
                spot = QRect(x, y, self.width(), self.height())
                if not any(spot.intersects(rect) for rect in taken):
                    self.move(x, y)
                    return
                y -= 8
        self.move(right, max(0, bottom - self.height()))

    def _controls(self, parent: QWidget) -> list[QRect]:
        """Where the window's visible buttons and inputs are, in its coordinates."""
        rects = []
        for widget in parent.findChildren(QWidget):
            if widget is self or self.isAncestorOf(widget) or not widget.isVisible():
                continue
            if isinstance(widget, (QAbstractButton, QComboBox, QLineEdit)):
                rects.append(QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size()))
        return rects

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
            self.hide()


class Notifier(QObject):
    posting_activated = Signal(str)

    def __init__(self, window: QWidget, bridge: EventBridge, enabled: Callable[[], bool] | None = None) -> None:
        super().__init__(window)
        self._enabled = enabled or (lambda: True)
        self._caught_up = False
        self._pulled = False  # the current (catch-up) sync brought postings
        self._announced: set[str] = set()  # cancellations told (or caught up on) since the start
        self._last_posting = ""
        self.shown: list[tuple[str, str]] = []  # (title, text), newest last; kept short
        self.toast = Toast(window)
        self.toast.clicked.connect(self._activated)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self.tray = QSystemTrayIcon(QIcon(icon), self)
            self.tray.setToolTip(self.tr("Packdesk"))
            self.tray.messageClicked.connect(self._activated)
            self.tray.show()
        bridge.sync_finished.connect(self._on_sync_finished)
        bridge.postings_changed.connect(self._on_postings_changed)

    def _on_sync_finished(self, event: events.SyncFinished) -> None:
        # The catch-up is over once a sync read the postings: one that failed before reading them (offline
        # at start) leaves the next one to bring days of old cancellations, which are no news.
        if event.ok or self._pulled:
            self._caught_up = True

    def _on_postings_changed(self, event: events.PostingsChanged) -> None:
        if not self._caught_up:
            self._pulled = True
            self._announced.update(event.cancelled)
            return
        if not self._enabled():
            return
        fresh = event.cancelled - self._announced  # a cancellation reported again is not new
        self._announced.update(fresh)
        if fresh:
            numbers = sorted(fresh)
            self.notify(
                self.tr("Cancelled by the buyer: %n posting(s)", "", len(numbers)),
                self._listing(numbers) + "\n" + self.tr("Do not ship them. Put the goods back on the shelf."),
                alert=True,
                posting=numbers[0] if len(numbers) == 1 else "",
            )
        if event.new:
            numbers = sorted(event.new)
            self.notify(
                self.tr("New orders: %n", "", len(numbers)),
                self._listing(numbers),
                alert=False,
                posting=numbers[0] if len(numbers) == 1 else "",
            )

    def _listing(self, numbers: Sequence[str]) -> str:
        shown = ", ".join(numbers[:_LISTED])
        if len(numbers) > _LISTED:
            shown += " " + self.tr("and %n more", "", len(numbers) - _LISTED)
        return shown

    def notify(self, title: str, text: str, alert: bool = False, posting: str = "") -> None:
        self._last_posting = posting
        self.shown = [*self.shown[-19:], (title, text)]
        log.info("notification: %s — %s", title, text)
        if self.tray is not None and self.tray.supportsMessages():
            kind = QSystemTrayIcon.MessageIcon.Warning if alert else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, text, kind, SHOW_MS)
        else:
            self.toast.show_message(title, text, alert)

    def _activated(self) -> None:
        if self._last_posting:
            self.posting_activated.emit(self._last_posting)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
