"""`emit(signal, *args)`: emit a Qt signal from Python without losing a reference to True.

PySide6 6.12.0 on Python 3.11 has a reference-count bug: `SignalInstance.emit()` returns `True`
without owning a reference to it, so each emit from Python drops one reference to the `True`
singleton. Python 3.11 does not make `True` immortal, so after a few thousand emits the
interpreter aborts with "Fatal Python error: bool_dealloc: deallocating True or False" (seen in
the test suite at exit, and it would hit a long-running desk at a random moment).

A probe at import measures whether this PySide6 has the bug; if it has, `emit()` gives the
reference back after each emit. With a fixed PySide6, or on Python >= 3.12 (immortal `True`), it
is a plain emit. Every Python-side emit in `ui/` goes through here.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None

_PROBE_EMITS = 16


class _Probe(QObject):
    ping = Signal()


def _emit_steals_a_reference() -> bool:
    if sys.version_info >= (3, 12):
        return False  # True is immortal: a lost reference cannot free it
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _incref(True)  # give back what the probe itself lost
    return lost >= _PROBE_EMITS


EMIT_STEALS_A_REFERENCE = _emit_steals_a_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, minus PySide6's reference leak (see the module docstring)."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]  # the stubs say None; it is a bool
    if EMIT_STEALS_A_REFERENCE and (result is True or result is False):
        _incref(result)
