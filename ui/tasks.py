"""Background work for the GUI: one database worker, a small I/O pool, results on the GUI thread.

The shape is Anki's TaskManager (qt/aqt/taskman.py):

* `run_db(fn, ...)` runs `fn` on a single worker thread. Everything that writes the database goes
  here, so writes are serialised and never run on the GUI thread. Background reads may go here too.
* `run_read(fn, ...)` runs a slow read (the orders tabs' counts over a year of postings) on a reader
  thread of its own, so it never holds the database worker that serves the rows on screen (SQLite in
  WAL mode: readers do not wait for each other or for the writer). Never writes.
* `run_io(fn, ...)` runs `fn` on a small pool for network and printing work.
* `on_done(result)` / `on_error(exc)` are always called later, on the GUI thread, through a queued
  signal of this QObject (which lives in the GUI thread). Never inside the `run_*` call itself.

Worker code (`fn`) must never touch widgets or any other QObject of the GUI thread: give it plain
data, let it return plain data (frozen dataclasses, numbers, strings) and update widgets in
`on_done`. `fn` calls an `app` function that opens its own session (ui holds no SQL); sessions
never cross threads. The GUI thread never waits on a future: there is no blocking `result()` helper on purpose.

An error without an `on_error` goes to `on_unhandled` (the window shows it), else to the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]


class TaskManager(QObject):
    """Runs callables in the background and hands their outcome back to the GUI thread.

    Signals:
        _deliver(object): internal; carries a closure from a worker to the GUI thread.
    """

    _deliver = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        io_threads: int = 3,
        on_unhandled: ErrorHandler | None = None,
    ) -> None:
        super().__init__(parent)
        if not 1 <= io_threads <= 8:
            raise ValueError("io_threads must be between 1 and 8")
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="packdesk-db")
        self._read = ThreadPoolExecutor(max_workers=1, thread_name_prefix="packdesk-read")
        self._io = ThreadPoolExecutor(max_workers=io_threads, thread_name_prefix="packdesk-io")
        self._lock = threading.Lock()
        self._gate = threading.Event()  # see hold()
        self._closed = False
        self._running = 0
        self.on_unhandled = on_unhandled
        # Queued even when emitted on the GUI thread: callbacks never run re-entrantly.
        self._deliver.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)

    # -- public API -----------------------------------------------------------------------------

    def run_db(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Future[T]:
        """Run `fn` on the database worker (one thread). `fn` must not touch widgets."""
        return self._submit(self._db, fn, on_done, on_error)

    def run_read(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Future[T]:
        """Run a slow read on the reader thread (one), beside the database worker. `fn` must not
        write the database or touch widgets."""
        return self._submit(self._read, fn, on_done, on_error)

    def run_io(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Future[T]:
        """Run `fn` on the network/printing pool. `fn` must not touch widgets or write the database."""
        return self._submit(self._io, fn, on_done, on_error)

    def hold(self, at_most_s: float) -> None:
        """Start no database work (worker or reader) until `release()` or for `at_most_s` seconds:
        what is submitted meanwhile queues in order. The window holds its pages' first reads until
        the orders table has painted its rows (the startup reads of a year of postings would
        compete with it for the GIL and the CPU)."""
        gate = self._gate = threading.Event()
        for executor in (self._db, self._read):
            executor.submit(gate.wait, at_most_s)

    def release(self) -> None:
        """Let held database work start (no-op when nothing is held)."""
        self._gate.set()

    def busy(self) -> bool:
        """True while a task runs or its callback has not been delivered yet."""
        with self._lock:
            return self._running > 0

    def shutdown(self, wait: bool = True) -> None:
        """Cancel queued work, optionally wait for running work; later callbacks are dropped."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._gate.set()
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._read.shutdown(wait=wait, cancel_futures=True)
        self._db.shutdown(wait=wait, cancel_futures=True)

    # -- internals ------------------------------------------------------------------------------

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None,
        on_error: ErrorHandler | None,
    ) -> Future[T]:
        with self._lock:
            if self._closed:
                log.debug("task %r submitted after shutdown; ignored", fn)
                future: Future[T] = Future()
                future.cancel()
                return future
            self._running += 1
        try:
            future = executor.submit(fn)
        except RuntimeError:  # the executor shut down between the check and the submit
            self._finished()
            future = Future()
            future.cancel()
            return future

        def done(f: Future[T]) -> None:
            # Runs in the worker thread (or here, if already finished): only hand over, never act.
            try:
                self._deliver.emit(lambda: self._complete(f, on_done, on_error))
            except RuntimeError:  # this QObject was deleted with its window
                log.debug("task finished after its manager was deleted")

        future.add_done_callback(done)
        return future

    @Slot(object)
    def _run_on_gui(self, callback: Callable[[], None]) -> None:
        callback()

    def _complete(
        self, future: Future[Any], on_done: Callable[[Any], None] | None, on_error: ErrorHandler | None
    ) -> None:
        self._finished()
        if self._closed or future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            if on_done is None:
                return
            try:
                on_done(future.result())
            except Exception as callback_exc:  # a bug in the callback: same route as a task error
                self._report(callback_exc, None)
            return
        self._report(exc, on_error)

    def _report(self, exc: BaseException, on_error: ErrorHandler | None) -> None:
        handler = on_error or self.on_unhandled
        if handler is None:
            log.error("background task failed", exc_info=exc)
            return
        try:
            handler(exc)
        except Exception:
            log.exception("error handler failed while handling %r", exc)

    def _finished(self) -> None:
        with self._lock:
            self._running -= 1
