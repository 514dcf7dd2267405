"""The status bar: demo badge, online/offline, last sync, pending actions and conflicts; on the
shop's shared server also which desk leads the sync, or that the server cannot be reached.

Counts are read on the database worker (never on the GUI thread) at start, after each sync, on
conflicts and every 30 s; OutboxChanged events carry fresh counts and are shown at once. Clicking
the pending or conflict count asks for the list of actions (`details_requested`). The time of the
last good sync is kept (app.sync_status) so the next start shows it. On a server the leading desk
(app.desks.read_leader) is read on the reader thread every few seconds, one read at a time; a
server that cannot be reached is said there plainly. On a SQLite file that part is not shown.

Signals:
    details_requested(): the seller clicked the pending actions or the conflicts.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QMouseEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app import desks, events, sync_status
from app.clock import Clock
from app.db.engine import Database
from app.desks import Desk
from app.sync_status import Snapshot
from ui import errors, plain_text
from ui.bridge import EventBridge
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

_COUNTS_EVERY_MS = 30_000
_LEADER_EVERY_MS = 5_000  # desks check in every few seconds (sync/leader.py)
_LEADER_WIDTH_EM = 40  # a long error is cut here; its whole text is the tooltip
_BADGE_STYLE = "QLabel { background: #6a1b9a; color: white; font-weight: bold; padding: 2px 10px; border-radius: 3px; }"
_ALERT_STYLE = "QLabel { color: #b71c1c; font-weight: bold; }"
_ONLINE_STYLE = "QLabel { color: #1b5e20; }"
_OFFLINE_STYLE = "QLabel { color: #8d6e00; font-weight: bold; }"


def _clock_text(moment: datetime) -> str:
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m %H:%M")


class ClickableLabel(QLabel):
    """A plain-text label that acts like a link: a click emits `clicked`."""

    clicked = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class SyncStatusBar(QStatusBar):
    details_requested = Signal()

    def __init__(
        self,
        db: Database,
        tasks: TaskManager,
        bridge: EventBridge,
        demo: bool,
        parent: QWidget | None = None,
        *,
        desk: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._tasks = tasks
        self._desk, self._clock = desk, clock
        self._reading_leader = False
        self._last_sync: datetime | None = None
        self._syncing = False

        self.demo_badge = self._label("demoBadge", self.tr("DEMO MODE — emulator, not your Ozon shop"))
        self.demo_badge.setStyleSheet(_BADGE_STYLE)
        self.demo_badge.setVisible(demo)
        self.addWidget(self.demo_badge)
        self.connection = self._label("connection", self.tr("Connecting…"))
        self.last_sync = self._label("lastSync", self.tr("Not synced yet"))
        self.pending = self._link("pending")
        self.conflicts = self._link("conflicts")
        # On the shop's server: which desk leads the sync (a file has one desk: nothing to say).
        self.leader: QLabel | None = None
        if not db.is_sqlite:
            self.leader = self._label("syncLeader", self.tr("Sync: looking for the leading desk…"))
            self.addPermanentWidget(self.leader)
        for widget in (self.connection, self.last_sync, self.pending, self.conflicts):
            self.addPermanentWidget(widget)
        self._show_counts(0, 0)

        bridge.sync_started.connect(self._on_sync_started)
        bridge.sync_finished.connect(self._on_sync_finished)
        bridge.outbox_changed.connect(self._on_outbox_changed)
        bridge.conflict_detected.connect(self._on_conflict)
        bridge.connectivity_changed.connect(self._on_connectivity)
        bridge.auth_failed.connect(self._on_auth_failed)
        bridge.plan_limited.connect(self._on_plan_limited)

        self._timer = QTimer(self)
        self._timer.setInterval(_COUNTS_EVERY_MS)
        self._timer.timeout.connect(self.refresh_counts)
        self._timer.start()
        self.refresh_counts()

        if self.leader is not None:
            self._leader_timer = QTimer(self)
            self._leader_timer.setInterval(_LEADER_EVERY_MS)
            self._leader_timer.timeout.connect(self.refresh_leader)
            self._leader_timer.start()
            self.refresh_leader()

    def _label(self, name: str, text: str) -> QLabel:
        widget = plain_text.label(text, self)
        widget.setObjectName(name)
        return widget

    def _link(self, name: str) -> ClickableLabel:
        widget = ClickableLabel("", self)
        widget.setObjectName(name)
        widget.setToolTip(self.tr("Show the actions waiting for Ozon and the ones it refused"))
        widget.clicked.connect(self.details_requested)
        return widget

    def set_sync_available(self, available: bool) -> None:
        if not available:
            self.connection.setText(self.tr("Sync off"))
            self.connection.setStyleSheet("")

    def refresh_counts(self) -> None:
        db = self._db
        self._tasks.run_db(lambda: sync_status.read(db), on_done=self._apply_snapshot, on_error=self._counts_unknown)

    def _counts_unknown(self, exc: BaseException) -> None:
        """The counts stay as they were; a server that cannot be reached is said beside the leader."""
        if errors.is_expected(exc):
            log.info("the counts could not be read: %s", exc)
        else:
            log.error("reading the counts failed", exc_info=exc)

    def refresh_leader(self) -> None:
        """Read the leading desk on the reader thread (one read at a time: an unreachable server
        takes seconds to say so)."""
        if self.leader is None or self._reading_leader:
            return
        db, clock = self._db, self._clock
        self._reading_leader = True
        self._tasks.run_read(
            lambda: desks.read_leader(db, clock.now() if clock is not None else datetime.now(UTC)),
            on_done=self._show_leader,
            on_error=self._leader_unknown,
        )

    def _show_leader(self, leader: Desk | None) -> None:
        self._reading_leader = False
        if self.leader is None:
            return
        if leader is None:
            text, style = self.tr("Sync: no desk leads — is another desk open?"), _OFFLINE_STYLE
        elif leader.name == self._desk:
            text, style = self.tr("Sync: this desk leads"), ""
        else:
            text, style = self.tr("Sync: led by {desk}").format(desk=leader.name), ""
        self.leader.setText(text)
        self.leader.setStyleSheet(style)
        self.leader.setToolTip("")
        # Another desk talks to Ozon: this one's "Connecting…" (or the "Online" of when it led) would
        # say nothing true about it.
        self.connection.setVisible(leader is None or leader.name == self._desk)

    def _leader_unknown(self, exc: BaseException) -> None:
        self._reading_leader = False
        if self.leader is None:
            return
        if not errors.is_expected(exc):
            log.error("reading the leading desk failed", exc_info=exc)
        message = errors.message_for(exc)  # DatabaseUnreachable: the server cannot be reached
        metrics = QFontMetrics(self.leader.font())
        width = metrics.horizontalAdvance("M") * _LEADER_WIDTH_EM
        self.leader.setText(metrics.elidedText(message, Qt.TextElideMode.ElideRight, width))
        self.leader.setStyleSheet(_ALERT_STYLE)
        self.leader.setToolTip(plain_text.tooltip(message))

    # -- event handlers (GUI thread) ------------------------------------------------------------

    def _apply_snapshot(self, snap: Snapshot) -> None:
        self._show_counts(snap.pending, snap.conflicts)
        if snap.last_sync_at and not self._syncing and (self._last_sync is None or snap.last_sync_at > self._last_sync):
            self._last_sync = snap.last_sync_at
            self.last_sync.setText(self.tr("Last sync {time}").format(time=_clock_text(snap.last_sync_at)))

    def _show_counts(self, pending: int, conflicts: int) -> None:
        if pending:
            self.pending.setText(self.tr("Pending actions: %n", "", pending))
        else:
            self.pending.setText(self.tr("Nothing pending"))
        self.conflicts.setVisible(conflicts > 0)
        self.conflicts.setText(self.tr("Conflicts: %n", "", conflicts))
        self.conflicts.setStyleSheet(_ALERT_STYLE if conflicts else "")

    def _on_sync_started(self, _event: events.SyncStarted) -> None:
        self._syncing = True
        self.last_sync.setText(self.tr("Syncing…"))

    def _on_sync_finished(self, event: events.SyncFinished) -> None:
        self._syncing = False
        self._last_sync = event.at
        when = _clock_text(event.at)
        if event.ok:
            self.last_sync.setText(self.tr("Last sync {time}").format(time=when))
            self.last_sync.setStyleSheet("")
        else:
            self.last_sync.setText(self.tr("Sync failed {time}").format(time=when))
            self.last_sync.setStyleSheet(_ALERT_STYLE)
        self.last_sync.setToolTip(plain_text.tooltip(event.summary))
        self.refresh_counts()

    def _on_outbox_changed(self, event: events.OutboxChanged) -> None:
        self._show_counts(event.pending, event.conflicts)

    def _on_conflict(self, _event: events.ConflictDetected) -> None:
        self.refresh_counts()

    def _on_connectivity(self, event: events.ConnectivityChanged) -> None:
        if event.online:
            self.connection.setText(self.tr("● Online"))
            self.connection.setStyleSheet(_ONLINE_STYLE)
        else:
            self.connection.setText(self.tr("● Offline — actions are saved and sent later"))
            self.connection.setStyleSheet(_OFFLINE_STYLE)
        self.connection.setToolTip(plain_text.tooltip(event.reason))

    def _on_auth_failed(self, event: events.AuthFailed) -> None:
        self.connection.setText(self.tr("Ozon rejected the API key"))
        self.connection.setStyleSheet(_ALERT_STYLE)
        self.connection.setToolTip(plain_text.tooltip(event.reason))

    def _on_plan_limited(self, event: events.PlanLimited) -> None:
        self.showMessage(
            self.tr("{area}: not available on your Ozon plan; that part of sync is paused").format(area=event.area),
            15_000,
        )
