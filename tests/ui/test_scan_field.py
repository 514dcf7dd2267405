"""The scan field keeps what a scanner in keyboard mode types, the GS of a marking code included."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.app.marks import mark
from ui.widgets.scan_field import ScanField


def test_a_marking_code_arrives_whole_with_its_separators(qtbot: QtBot) -> None:
    field = ScanField(sticky=False)
    qtbot.addWidget(field)
    got: list[str] = []
    field.scanned.connect(got.append)
    code = mark("4607123456781", tail=88)  # the longest kind: shoes, 127 characters
    for i, part in enumerate(code.split("\x1d")):
        if i:  # a keyboard-wedge scanner types GS as Ctrl+]
            qtbot.keyClick(field, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(field, part)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert got == [code] and field.text() == ""
    qtbot.keyClicks(field, " 4607123456781 ")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert got[-1] == "4607123456781"


def type_text(field: ScanField, text: str) -> None:
    """Key presses carrying any text (QTest types only Latin-1), as the layout delivers them."""
    for c in text:
        event = QKeyEvent(QEvent.Type.KeyPress, ord(c.upper()), Qt.KeyboardModifier.NoModifier, c)
        QApplication.sendEvent(field, event)


def test_a_code_typed_with_the_russian_layout_on_is_read_back(qtbot: QtBot) -> None:
    field = ScanField(sticky=False)
    qtbot.addWidget(field)
    got: list[str] = []
    field.scanned.connect(got.append)
    type_text(field, "шш30525117479")  # Ozon's label code `ii30525117479`, Russian layout active
    qtbot.keyClick(field, Qt.Key.Key_Return)
    # A marking code: its letters arrive in Cyrillic, and the GS key is Ctrl+Ъ in that layout.
    type_text(field, "0104607123456781215Фи№Б,")
    ctrl_hard_sign = QKeyEvent(QEvent.Type.KeyPress, ord("Ъ"), Qt.KeyboardModifier.ControlModifier, "")
    QApplication.sendEvent(field, ctrl_hard_sign)
    type_text(field, "93ЙЦ/Н")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert got == ["ii30525117479", "0104607123456781215Ab#<?\x1d93QW|Y"]
