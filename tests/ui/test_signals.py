from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from ui import signals


class Source(QObject):
    changed = Signal(object)


def test_emit_keeps_the_reference_count_of_true() -> None:
    source = Source()
    received: list[object] = []
    source.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(1000):
        signals.emit(source.changed, i)
    assert len(received) == 1000
    assert abs(sys.getrefcount(True) - before) < 10  # PySide6 6.12 + Python 3.11 alone would lose 1000
