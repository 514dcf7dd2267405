from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app import desks, events, outbox
from app.context import AppContext
from app.db.engine import Database
from app.db.tables import SyncStateRow
from tests.ui.factories import NOW
from ui.bridge import EventBridge
from ui.status_bar import SyncStatusBar
from ui.tasks import TaskManager


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def make_bar(ctx: AppContext, tasks: TaskManager, qtbot: QtBot, demo: bool = False) -> SyncStatusBar:
    bridge = EventBridge(ctx.bus)
    bar = SyncStatusBar(ctx.db, tasks, bridge, demo)
    bar._test_bridge = bridge  # type: ignore[attr-defined]  # keep it alive with the bar
    qtbot.addWidget(bar)
    qtbot.waitUntil(lambda: not tasks.busy())
    return bar


def enqueue(ctx: AppContext, target: str) -> outbox.OutboxEntry:
    with ctx.db.write() as s:
        return outbox.enqueue(s, outbox.ActionKind.SHIP, outbox.TargetKind.POSTING, target, {}, NOW)


def test_pending_and_conflict_counts_after_enqueue(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    bar = make_bar(ctx, tasks, qtbot)
    assert bar.pending.text() == "Nothing pending"
    assert not bar.conflicts.isVisibleTo(bar)

    enqueue(ctx, "1-1-1")
    enqueue(ctx, "2-1-1")
    refused = enqueue(ctx, "3-1-1")
    with ctx.db.write() as s:
        outbox.mark_conflict(s, refused.key, NOW, "cancelled by the buyer")
    bar.refresh_counts()
    qtbot.waitUntil(lambda: bar.pending.text() == "Pending actions: 2")
    assert bar.conflicts.text() == "Conflicts: 1"
    assert bar.conflicts.isVisibleTo(bar)


def test_conflict_event_rereads_counts(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    bar = make_bar(ctx, tasks, qtbot)
    refused = enqueue(ctx, "3-1-1")
    with ctx.db.write() as s:
        outbox.mark_conflict(s, refused.key, NOW, "cancelled")
    ctx.bus.publish(events.ConflictDetected(refused.key, "ship", "3-1-1", "cancelled"))
    qtbot.waitUntil(lambda: bar.conflicts.text() == "Conflicts: 1")


def test_outbox_event_updates_counts_at_once(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    bar = make_bar(ctx, tasks, qtbot)
    ctx.bus.publish(events.OutboxChanged(pending=5, conflicts=2))
    qtbot.waitUntil(lambda: bar.pending.text() == "Pending actions: 5")
    assert bar.conflicts.text() == "Conflicts: 2"


def test_last_sync_from_the_database_then_from_events(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    stored = datetime(2026, 5, 18, 7, 45, tzinfo=UTC)
    with ctx.db.write() as s:
        s.add(SyncStateRow(name="last_sync_at", value=stored.isoformat(), updated_at=NOW))
    bar = make_bar(ctx, tasks, qtbot)
    expected = stored.astimezone().strftime("%H:%M")
    assert expected in bar.last_sync.text() and bar.last_sync.text().startswith("Last sync")

    ctx.bus.publish(events.SyncStarted(NOW))
    qtbot.waitUntil(lambda: bar.last_sync.text() == "Syncing…")
    finished = datetime(2026, 5, 18, 8, 30, tzinfo=UTC)
    ctx.bus.publish(events.SyncFinished(finished, "3 new postings", True))
    qtbot.waitUntil(lambda: bar.last_sync.text().startswith("Last sync"))
    assert finished.astimezone().strftime("%H:%M") in bar.last_sync.text()
    ctx.bus.publish(events.SyncFinished(finished, "<b>HTTP 502</b>", False))
    qtbot.waitUntil(lambda: bar.last_sync.text().startswith("Sync failed"))
    assert "<" not in bar.last_sync.toolTip()


def test_connectivity(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    bar = make_bar(ctx, tasks, qtbot)
    ctx.bus.publish(events.ConnectivityChanged(online=False, reason="connect timeout"))
    qtbot.waitUntil(lambda: "Offline" in bar.connection.text())
    ctx.bus.publish(events.ConnectivityChanged(online=True))
    qtbot.waitUntil(lambda: "Online" in bar.connection.text())
    ctx.bus.publish(events.AuthFailed("403 Forbidden"))
    qtbot.waitUntil(lambda: "API key" in bar.connection.text())


@pytest.mark.parametrize("demo", [True, False])
def test_demo_badge(ctx: AppContext, tasks: TaskManager, qtbot: QtBot, demo: bool) -> None:
    bar = make_bar(ctx, tasks, qtbot, demo=demo)
    assert bar.demo_badge.isVisibleTo(bar) is demo
    assert bar.demo_badge.text() == "DEMO MODE — emulator, not your Ozon shop"


# -- the leading desk on the shop's server --------------------------------------------------------


def make_desk_bar(db: Database, tasks: TaskManager, qtbot: QtBot, ctx: AppContext) -> SyncStatusBar:
    bridge = EventBridge(ctx.bus)
    bar = SyncStatusBar(db, tasks, bridge, False, desk="Desk 1", clock=ctx.clock)
    bar._test_bridge = bridge  # type: ignore[attr-defined]
    qtbot.addWidget(bar)
    return bar


@pytest.mark.sqlite_only
def test_a_single_desk_shows_no_leader(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    bar = make_desk_bar(ctx.db, tasks, qtbot, ctx)
    qtbot.waitUntil(lambda: not tasks.busy())
    assert bar.leader is None and bar.findChild(QLabel, "syncLeader") is None


@pytest.mark.server_only
def test_the_leading_desk_is_shown_and_refreshed(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.status_bar

    monkeypatch.setattr(ui.status_bar, "_LEADER_EVERY_MS", 50)
    threads: list[str] = []
    read = desks.read_leader

    def leader(db: Database, now: datetime) -> desks.Desk | None:
        threads.append(threading.current_thread().name)
        return read(db, now)

    monkeypatch.setattr(desks, "read_leader", leader)
    bar = make_desk_bar(ctx.db, tasks, qtbot, ctx)
    assert bar.leader is not None and bar.leader.isVisibleTo(bar)
    qtbot.waitUntil(
        lambda: bar.leader is not None and bar.leader.text() == "Sync: no desk leads — is another desk open?"
    )
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 2", "anna", NOW, leading=True)
    qtbot.waitUntil(lambda: bar.leader is not None and bar.leader.text() == "Sync: led by Desk 2")
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 1", "li", NOW, leading=True)
    qtbot.waitUntil(lambda: bar.leader is not None and bar.leader.text() == "Sync: this desk leads")
    assert threads and all(name.startswith("packdesk-read") for name in threads)  # never the GUI thread


@pytest.mark.server_only
def test_a_desk_that_does_not_lead_says_no_connecting_to_ozon(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the leading desk talks to Ozon: another desk would show "Connecting…" all day (no sync
    of its own ever says online or offline), or the "Online" of the time it led."""
    import ui.status_bar

    monkeypatch.setattr(ui.status_bar, "_LEADER_EVERY_MS", 50)
    bar = make_desk_bar(ctx.db, tasks, qtbot, ctx)
    assert bar.connection.isVisibleTo(bar) and bar.connection.text() == "Connecting…"
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 2", "anna", NOW, leading=True)
    qtbot.waitUntil(lambda: bar.leader is not None and bar.leader.text() == "Sync: led by Desk 2")
    assert not bar.connection.isVisibleTo(bar)
    with ctx.db.write() as s:
        desks.check_in(s, "Desk 1", "li", NOW, leading=True)
    qtbot.waitUntil(lambda: bar.leader is not None and bar.leader.text() == "Sync: this desk leads")
    assert bar.connection.isVisibleTo(bar)


def test_an_unreachable_server_is_said_plainly(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    db = Database("postgresql+psycopg://packdesk@127.0.0.1:1/shop")
    try:
        bar = make_desk_bar(db, tasks, qtbot, ctx)
        assert bar.leader is not None
        qtbot.waitUntil(lambda: bar.leader is not None and "cannot be reached" in bar.leader.text(), timeout=15_000)
        assert bar.leader.text().startswith("The shop's database server 127.0.0.1:1/shop cannot be reached")
        assert "Check the network" in bar.leader.toolTip() and "b71c1c" in bar.leader.styleSheet()
        bar._leader_timer.stop()
        qtbot.waitUntil(lambda: not tasks.busy(), timeout=15_000)
    finally:
        db.dispose()
