"""`--screenshot PATH [--page NAME]`: render the window with the data after the first sync, save a
PNG, quit. Used for the README and to look at the app on a server with no display (offscreen)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app import events
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

PAGES = MainWindow.PAGES
SIZE = (1280, 800)
TIMEOUT_MS = 60_000  # without a finished sync by then, the window is taken as it is
POLL_MS = 50


@dataclass(frozen=True, slots=True)
class Screenshot:
    path: Path
    page: str = "orders"


def use_offscreen_platform() -> None:
    """Render without a display unless the caller chose a platform: one 1920×1080 screen."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    config = {
        "synchronousWindowSystemEvents": False,
        "windowFrameMargins": False,
        "screens": [{"name": "Offscreen", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1}],
    }
    fd, name = tempfile.mkstemp(prefix="packdesk-offscreen-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(config, fh)
    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + name


class Photographer(QObject):
    """Waits for the first sync and for the background work to settle, prepares the page, saves."""

    def __init__(self, window: MainWindow, shot: Screenshot) -> None:
        super().__init__(window)
        self.window = window
        self.shot = shot
        self.saved = False
        self._synced = False
        self._prepared = False
        self._quiet_polls = 0
        window.bridge.sync_finished.connect(self._on_synced)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._timed_out)

    def start(self) -> None:
        self.window.resize(*SIZE)
        self.window.show_page(self.shot.page)
        self._poll.start()
        self._deadline.start(TIMEOUT_MS)

    def _on_synced(self, _event: events.SyncFinished) -> None:
        self._synced = True

    def _settled(self) -> bool:
        """No background task for a few polls in a row (results of results arrive in steps)."""
        self._quiet_polls = 0 if self.window.tasks.busy() else self._quiet_polls + 1
        return self._quiet_polls >= 4

    def _check(self) -> None:
        if not self._synced or not self._settled():
            return
        if not self._prepared:
            self._prepared = True
            self._quiet_polls = 0
            self._prepare()
            return
        self._take()

    def _prepare(self) -> None:
        """Show the page with something in it: a posting selected on the orders page, a posting on
        the packing desk."""
        self.window.show_page(self.shot.page)
        orders = self.window.orders
        if self.shot.page == "orders" and orders.model.rowCount() > 2:
            orders.view.selectRow(2)  # not the first: the selection colour shows over the urgent red
        analytics = getattr(self.window, "analytics", None)
        if self.shot.page == "analytics" and analytics is not None:
            analytics.refresh()  # the figures of what the first sync brought (no waiting for its timer)
        chats = getattr(self.window, "chats", None)
        if self.shot.page == "chats" and chats is not None:
            chats.select_first()  # the most urgent chat, its conversation open
        returns = getattr(self.window, "returns", None)
        if self.shot.page == "returns" and returns is not None:
            if not returns.model.rowCount():
                returns.show_stage(None)  # nothing waits for a decision: show every return
                self._prepared = False  # select once the list is read again
                return
            returns.select_first()  # the most urgent return, its detail open
        reviews = getattr(self.window, "reviews", None)
        if self.shot.page == "reviews" and reviews is not None:
            reviews.select_first()
        packing = getattr(self.window, "packing", None)
        scan = getattr(packing, "on_scanned", None)
        if self.shot.page == "packing" and callable(scan) and orders.model.rowCount() > 0:
            number = self._marked_posting() or orders.model.posting_number(0)
            if number is not None:
                scan(number)

    def _marked_posting(self) -> str | None:
        """The pack station at its fullest: a posting that needs Честный ЗНАК codes."""
        from app.queries import showcase

        return showcase.posting_needing_marks(self.window.ctx.db)  # a screenshot run only: one short read

    def _timed_out(self) -> None:
        log.warning("no sync finished within %d s; taking the screenshot anyway", TIMEOUT_MS // 1000)
        self._take()

    def _take(self) -> None:
        self._poll.stop()
        self._deadline.stop()
        self.shot.path.parent.mkdir(parents=True, exist_ok=True)
        self.saved = self.window.grab().save(str(self.shot.path), "PNG")
        if self.saved:
            log.info("screenshot of %s saved to %s", self.shot.page, self.shot.path)
        else:
            log.error("could not save the screenshot to %s", self.shot.path)
        QApplication.quit()
