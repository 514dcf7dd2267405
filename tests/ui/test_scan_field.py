"""The scan field keeps what a scanner in keyboard mode types, the GS of a marking code included."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
