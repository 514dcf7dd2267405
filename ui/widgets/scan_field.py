"""The scan field: where a USB barcode scanner (a keyboard that types fast and ends with Enter)
delivers its codes.

`scanned(str)` carries each code, stripped; the field clears itself at once so the next code can
arrive while the last one is still being processed. A code typed with the Russian keyboard layout
active is read back as the keys pressed (`app.scanner_input`). The GS separator inside a Честный ЗНАК code,
which a scanner in keyboard mode types as Ctrl+], is kept (a line edit would drop it). With
`sticky=True` the field takes the focus back whenever it loses it to something that is not a
dialog or a popup, so a stray click never sends the next scan into the void.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app import scanner_input

MAX_CODE = 200  # no barcode is longer (a marking code with its crypto tail: 127); a stuck key is
GS = "\x1d"
# Ctrl+] types GS; with the Russian layout active, the same key is Ctrl+Ъ (Qt names it by its letter).
_GS_KEYS = (Qt.Key.Key_BracketRight, ord("Ъ"))
# Focus leaving for a popup or another window is the user's choice; anything else is taken back.
_LEAVE_ALONE = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


class ScanField(QLineEdit):
    """Signals:
    scanned(str): a code was entered (Enter), non-empty and stripped.
    """

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, sticky: bool = True, point_size: float = 22.0) -> None:
        super().__init__(parent)
        self.sticky = sticky
        self.setMaxLength(MAX_CODE)
        self.setClearButtonEnabled(False)
        font = QFont(self.font())
        font.setPointSizeF(point_size)
        self.setFont(font)
        self.returnPressed.connect(self._emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.text() == GS or (ctrl and event.key() in _GS_KEYS):
            self.insert(GS)
            return
        super().keyPressEvent(event)

    def _emit(self) -> None:
        code = scanner_input.as_keys_pressed(self.text().strip())
        self.clear()
        if code:
            self.scanned.emit(code)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.sticky and event.reason() not in _LEAVE_ALONE:
            QTimer.singleShot(0, self, self.reclaim_focus)  # dropped if the field is gone by then

    def reclaim_focus(self) -> None:
        """Take the focus back unless a dialog or popup is up, or the field is not on screen."""
        if not self.isVisible() or not self.isEnabled():
            return
        if QApplication.activeModalWidget() is not None or QApplication.activePopupWidget() is not None:
            return
        focused = QApplication.focusWidget()
        if focused is not None and focused.window() is not self.window():
            return  # another window (a dialog opened with show()) has it
        self.setFocus(Qt.FocusReason.OtherFocusReason)
