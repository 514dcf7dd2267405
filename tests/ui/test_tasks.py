from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.tasks import TaskManager


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def test_result_arrives_on_the_gui_thread(tasks: TaskManager, qtbot: QtBot) -> None:
    ran_on: list[str] = []
    got: list[tuple[int, threading.Thread]] = []

    def work() -> int:
        ran_on.append(threading.current_thread().name)
        return 42

    tasks.run_db(work, on_done=lambda value: got.append((value, threading.current_thread())))
    assert got == []  # never delivered inside the call
    qtbot.waitUntil(lambda: bool(got))
    assert got == [(42, threading.main_thread())]
    assert ran_on[0].startswith("packdesk-db")
    qtbot.waitUntil(lambda: not tasks.busy())


def test_error_reaches_on_error_on_the_gui_thread(tasks: TaskManager, qtbot: QtBot) -> None:
    errors: list[tuple[BaseException, threading.Thread]] = []

    def fail() -> None:
        raise ValueError("printer on fire")

    tasks.run_io(
        fail,
        on_done=lambda _: pytest.fail("no result expected"),
        on_error=lambda exc: errors.append((exc, threading.current_thread())),
    )
    qtbot.waitUntil(lambda: bool(errors))
    exc, thread = errors[0]
    assert isinstance(exc, ValueError) and str(exc) == "printer on fire"
    assert exc.__traceback__ is not None
    assert thread is threading.main_thread()


def test_unhandled_errors_go_to_the_window(qtbot: QtBot) -> None:
    seen: list[BaseException] = []
    manager = TaskManager(on_unhandled=seen.append)
    manager.run_db(lambda: 1 / 0)
    manager.run_db(lambda: 1, on_done=lambda _: (_ for _ in ()).throw(KeyError("bug in callback")))
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert isinstance(seen[0], ZeroDivisionError)
    assert isinstance(seen[1], KeyError)
    manager.shutdown()


def test_database_work_is_serialised(tasks: TaskManager, qtbot: QtBot) -> None:
    order: list[int] = []
    lock_held = threading.Lock()

    def step(i: int) -> int:
        assert lock_held.acquire(blocking=False), "two database tasks ran at once"
        order.append(i)
        lock_held.release()
        return i

    done: list[int] = []
    for i in range(20):
        tasks.run_db(functools.partial(step, i), on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 20)
    assert order == list(range(20)) == done


def test_nothing_runs_after_shutdown(qtbot: QtBot) -> None:
    manager = TaskManager()
    manager.shutdown()
    future = manager.run_io(lambda: 1, on_done=lambda _: pytest.fail("closed"))
    assert future.cancelled()
    assert not manager.busy()
