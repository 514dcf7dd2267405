from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from app import events
from ui.bridge import EventBridge

AT = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)

CASES = [
    ("sync_started", events.SyncStarted(AT)),
    ("sync_finished", events.SyncFinished(AT, "12 postings", True)),
    ("postings_changed", events.PostingsChanged(frozenset({"1-1-1"}))),
    ("outbox_changed", events.OutboxChanged(pending=2, conflicts=1)),
    ("connectivity_changed", events.ConnectivityChanged(online=False, reason="timeout")),
    ("auth_failed", events.AuthFailed("403")),
    ("plan_limited", events.PlanLimited("chats", "Premium Plus only")),
    ("conflict_detected", events.ConflictDetected("k", "ship", "1-1-1", "cancelled")),
]


@pytest.mark.parametrize(("signal_name", "event"), CASES, ids=[c[0] for c in CASES])
def test_event_from_a_worker_thread_is_emitted_on_the_gui_thread(
    qtbot: QtBot, signal_name: str, event: events.Event
) -> None:
    bus = events.EventBus()
    bridge = EventBridge(bus)
    received: list[tuple[events.Event, threading.Thread]] = []
    getattr(bridge, signal_name).connect(lambda ev: received.append((ev, threading.current_thread())))

    worker = threading.Thread(target=bus.publish, args=(event,))
    with qtbot.waitSignal(getattr(bridge, signal_name), timeout=5000):
        worker.start()
    worker.join()
    assert received == [(event, threading.main_thread())]


def test_publish_on_the_gui_thread_is_still_queued(qtbot: QtBot) -> None:
    bus = events.EventBus()
    bridge = EventBridge(bus)
    received: list[events.Event] = []
    bridge.outbox_changed.connect(received.append)
    bus.publish(events.OutboxChanged(1, 0))
    assert received == []  # not inside the publisher's call
    qtbot.waitUntil(lambda: bool(received))


def test_closed_bridge_ignores_events(qtbot: QtBot) -> None:
    bus = events.EventBus()
    bridge = EventBridge(bus)
    bridge.close()
    with qtbot.assertNotEmitted(bridge.postings_changed, wait=50):
        bus.publish(events.PostingsChanged())
