"""Guard against PySide6 6.12.0's reference-count leak of None and True on Python 3.11.

With PySide6/shiboken6 6.12.0 on Python 3.11, every binding call that returns None (void
methods: `setText`, `processEvents`, `QObject.parent()` when there is none…) and every
`SignalInstance.emit()` (which returns True) gives back a reference it never took. Python 3.12
made None/True/False immortal, so there it is harmless; Python 3.11 counts references, and after
some thousands of calls the interpreter aborts ("Fatal Python error: none_dealloc" or
"bool_dealloc"): in the test suite at exit, in a desk after minutes of use. 6.11.3 does not leak.

`install()` probes for the leak and, only if this runtime leaks, raises the reference counts of
None, True and False so high (2**60) that they can never reach zero: what Python 3.12 does by
design. It is a stop-gap: the cure is Python >= 3.12 or a PySide6 without the bug.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_PROBE_CALLS = 64
_PLENTY = 1 << 60


class _Probe(QObject):
    ping = Signal()


def leaks() -> bool:
    """True when PySide6 calls drop references to None or True in this interpreter."""
    if sys.version_info >= (3, 12):
        return False  # immortal singletons: a lost reference cannot free them
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.parent()  # returns None
        probe.ping.emit()  # returns True
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    return lost_none >= _PROBE_CALLS or lost_true >= _PROBE_CALLS


def _make_immortal(obj: object) -> None:
    # CPython < 3.12 (non-debug): ob_refcnt is the first field of every object. The GIL is held.
    refcount = ctypes.c_ssize_t.from_address(id(obj))
    refcount.value += _PLENTY


_installed = False


def install() -> bool:
    """Apply the guard once if needed; returns whether it is active."""
    global _installed
    if _installed:
        return True
    if not leaks():
        return False
    for singleton in (None, True, False):
        _make_immortal(singleton)
    _installed = True
    log.info("PySide6 leaks references to None/True on this Python; None/True/False pinned (ui/refcount_guard.py)")
    return True
