"""The app EventBus, re-emitted as Qt signals on the GUI thread.

The sync engine publishes `app.events` dataclasses from its worker thread. `EventBridge`
subscribes to the bus once and hands each event to the GUI thread through a queued connection;
there it emits one typed signal per event family. Widgets connect to these signals and never to
the bus, so their handlers always run on the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot

from app import events
from app.events import EventBus

log = logging.getLogger(__name__)


class EventBridge(QObject):
    """One QObject in the GUI thread that turns bus events into signals.

    Signals (each carries the event dataclass; all are emitted on the GUI thread):
        sync_started(SyncStarted), sync_finished(SyncFinished): sync state.
        postings_changed(PostingsChanged): postings were added or updated in the local cache.
        outbox_changed(OutboxChanged): pending / conflict counts of seller actions.
        connectivity_changed(ConnectivityChanged): online or offline.
        auth_failed(AuthFailed): Ozon rejected the Client-Id / Api-Key.
        plan_limited(PlanLimited): a paid-plan feature is off; that part of sync is paused.
        conflict_detected(ConflictDetected): Ozon refused a seller action for good.
        chats_changed, returns_changed, feedback_changed, label_ready: the other areas.
    """

    sync_started = Signal(events.SyncStarted)
    sync_finished = Signal(events.SyncFinished)
    postings_changed = Signal(events.PostingsChanged)
    outbox_changed = Signal(events.OutboxChanged)
    connectivity_changed = Signal(events.ConnectivityChanged)
    auth_failed = Signal(events.AuthFailed)
    plan_limited = Signal(events.PlanLimited)
    conflict_detected = Signal(events.ConflictDetected)
    chats_changed = Signal(events.ChatsChanged)
    returns_changed = Signal(events.ReturnsChanged)
    feedback_changed = Signal(events.FeedbackChanged)
    label_ready = Signal(events.LabelReady)

    _relay = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False
        self._routes: dict[type[events.Event], SignalInstance] = {
            events.SyncStarted: self.sync_started,
            events.SyncFinished: self.sync_finished,
            events.PostingsChanged: self.postings_changed,
            events.OutboxChanged: self.outbox_changed,
            events.ConnectivityChanged: self.connectivity_changed,
            events.AuthFailed: self.auth_failed,
            events.PlanLimited: self.plan_limited,
            events.ConflictDetected: self.conflict_detected,
            events.ChatsChanged: self.chats_changed,
            events.ReturnsChanged: self.returns_changed,
            events.FeedbackChanged: self.feedback_changed,
            events.LabelReady: self.label_ready,
        }
        # Always queued: an event published on the GUI thread is also delivered after the
        # publisher returns, so handlers never run inside the publisher's transaction or lock.
        self._relay.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        bus.subscribe(events.Event, self._on_event)  # held weakly by the bus

    def close(self) -> None:
        """Stop relaying (the bus has no unsubscribe; a closed bridge simply ignores events)."""
        self._closed = True

    def _on_event(self, event: events.Event) -> None:
        """Called by the bus on the publisher's thread: hand over, nothing else."""
        if self._closed:
            return
        try:
            self._relay.emit(event)
        except RuntimeError:  # the C++ object is gone (window closed during shutdown)
            self._closed = True

    @Slot(object)
    def _dispatch(self, event: events.Event) -> None:
        if self._closed:
            return
        signal = self._routes.get(type(event))
        if signal is None:
            log.debug("no signal for event %s", type(event).__name__)
            return
        signal.emit(event)
