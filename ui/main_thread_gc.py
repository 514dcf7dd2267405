"""Python's cycle collector runs only on the GUI thread.

Left automatic, it runs in whichever thread happens to allocate — a database worker — and may free a
Qt widget there: the widget's destructor takes a Qt lock and then waits for the GIL, while the GUI
thread holds the GIL and waits for that lock (a frozen window; seen in a test run). So automatic
collection is switched off and a timer on the GUI thread collects the generation that is due.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


def collect_due() -> None:
    """Collect the oldest generation whose count passed its threshold (what Python would do)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [generation for generation in range(3) if counts[generation] > thresholds[generation]]
    if due:
        gc.collect(due[-1])


def collect_on_gui_thread(parent: QObject) -> Callable[[], None]:
    """Switch automatic collection off and collect from a timer on the GUI thread instead.

    Returns the undo: the timer stops and automatic collection is as it was (a timer left on the
    application would go on collecting in whatever runs on it next)."""
    was_enabled = gc.isenabled()
    gc.disable()
    timer = QTimer(parent)
    timer.setObjectName("mainThreadGc")
    timer.timeout.connect(collect_due)
    timer.start(INTERVAL_MS)

    def undo() -> None:
        timer.stop()
        timer.deleteLater()
        if was_enabled:
            gc.enable()

    return undo
