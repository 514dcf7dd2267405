"""A PrintControl over a blocking "print every queued job" function (printing.spooler.print_pending).

The run happens on the I/O pool, never on the GUI thread; one run at a time — a kick during a run
asks for one more run after it, so a job queued meanwhile is not left behind. `kick()` prints only
in auto-print mode; `print_all()` (F9, SHIP ALL) always does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ui.tasks import TaskManager

log = logging.getLogger(__name__)


class SpoolerControl:
    def __init__(self, tasks: TaskManager, run: Callable[[], object], auto_print: Callable[[], bool]) -> None:
        self._tasks = tasks
        self._run = run
        self._auto_print = auto_print
        self._running = False
        self._again = False

    def kick(self) -> None:
        if self._auto_print():
            self.print_all()

    def print_all(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        self._tasks.run_io(self._run, on_done=self._finished, on_error=self._failed)

    def _finished(self, _result: object) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.print_all()

    def _failed(self, exc: BaseException) -> None:
        log.error("printing failed", exc_info=exc)  # the job itself is marked failed by the spooler
        self._finished(None)
