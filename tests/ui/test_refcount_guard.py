from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from ui import refcount_guard


class Source(QObject):
    ping = Signal()


def test_many_pyside_calls_cannot_free_none_or_true() -> None:
    source = Source()
    for _ in range(50_000):  # more than the natural reference count of None or True on 3.11
        source.parent()
        source.ping.emit()
    assert sys.getrefcount(None) > 0 and sys.getrefcount(True) > 0


def test_guard_is_active_exactly_when_pyside_leaks() -> None:
    assert refcount_guard.install() is (sys.version_info < (3, 12) and refcount_guard._installed)
    if refcount_guard._installed:
        assert sys.getrefcount(None) > 1 << 59
