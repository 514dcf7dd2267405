"""The cycle collector runs on the GUI thread only (a widget freed on a worker thread deadlocks)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer
from pytestqt.qtbot import QtBot

from ui import main_thread_gc


def test_collection_is_off_outside_the_gui_thread_and_the_timer_collects(qtbot: QtBot) -> None:
    parent = QObject()
    enabled_before = gc.isenabled()
    stop = main_thread_gc.collect_on_gui_thread(parent)
    timer = parent.findChild(QTimer, "mainThreadGc")
    assert timer is not None
    try:
        assert not gc.isenabled() and timer.isActive()
        collected_on: list[str] = []

        class Cycle:
            def __init__(self) -> None:
                self.me = self

            def __del__(self) -> None:
                collected_on.append(threading.current_thread().name)

        held: list[list[int]] = []

        def make_garbage() -> None:  # a worker allocates far past the thresholds: nothing is collected there
            for _ in range(5):
                Cycle()
            held.extend([] for _ in range(gc.get_threshold()[0] * 3))

        worker = threading.Thread(target=make_garbage, name="worker")
        worker.start()
        worker.join()
        assert collected_on == []
        qtbot.waitUntil(lambda: len(collected_on) == 5, timeout=5000)
        assert set(collected_on) == {threading.main_thread().name}
    finally:
        stop()
    assert gc.isenabled() == enabled_before and not timer.isActive()  # the undo leaves nothing collecting behind
