"""The desk's PrintControl over a blocking spooler run."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.packing.ports import PrintControl
from ui.packing.spooler_control import SpoolerControl
from ui.tasks import TaskManager


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def test_kick_prints_only_in_auto_mode_and_runs_never_overlap(tasks: TaskManager, qtbot: QtBot) -> None:
    gate = threading.Event()
    runs: list[str] = []
    auto = {"on": False}

    def run() -> None:
        runs.append(threading.current_thread().name)
        gate.wait(5)

    control: PrintControl = SpoolerControl(tasks, run, lambda: auto["on"])
    control.kick()
    assert runs == [] and not tasks.busy()  # batch mode: labels wait for F9
    auto["on"] = True
    control.kick()
    qtbot.waitUntil(lambda: len(runs) == 1)
    control.kick()
    control.print_all()  # both during the run: one more run after it, not two in parallel
    assert len(runs) == 1
    gate.set()
    qtbot.waitUntil(lambda: len(runs) == 2 and not tasks.busy())
    assert all(name.startswith("packdesk-io") for name in runs)


def test_a_failing_run_does_not_stop_later_ones(tasks: TaskManager, qtbot: QtBot) -> None:
    calls: list[int] = []

    def run() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("printer unplugged")

    control = SpoolerControl(tasks, run, lambda: True)
    control.print_all()
    qtbot.waitUntil(lambda: not tasks.busy())
    control.print_all()
    qtbot.waitUntil(lambda: len(calls) == 2 and not tasks.busy())
