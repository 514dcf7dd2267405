"""The list of waiting and refused actions: retry, drop, drop and redo; opened from the status bar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app import events, outbox
from app.context import AppContext
from app.outbox import ActionKind, OutboxState, Refusal, TargetKind
from app.outbox_review import listed
from tests.ui.factories import NOW, make_posting, save
from tests.ui.fakes import FakeSync
from tests.ui.test_main_window import open_window
from ui.conflicts import ConflictsDialog, OutboxModel
from ui.tasks import TaskManager

HOSTILE = "<b>x</b><img src=file:///etc/passwd>"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def setup_outbox(ctx: AppContext) -> dict[str, str]:
    """A refused ship, a pending ship, a dropped cancel; returns their keys by name."""
    save(ctx, [make_posting(n) for n in (1, 2, 3)])
    keys = {}
    with ctx.db.write() as s:
        refused = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, make_posting(1).posting_number, {}, NOW)
        outbox.apply_local_effect(s, refused)
        outbox.mark_conflict(s, refused.key, NOW, "posting was cancelled by the buyer " + HOSTILE, Refusal.CANCELLED)
        pending = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, make_posting(2).posting_number, {}, NOW)
        outbox.apply_local_effect(s, pending)
        dropped = outbox.enqueue(s, ActionKind.CANCEL, TargetKind.POSTING, make_posting(3).posting_number, {}, NOW)
        outbox.drop(s, dropped.key, NOW)
        done = outbox.enqueue(s, ActionKind.CHAT_READ, TargetKind.CHAT, "chat-1", {}, NOW)
        outbox.mark_done(s, done.key, NOW)
        keys = {"refused": refused.key, "pending": pending.key, "dropped": dropped.key}
    return keys


def state(ctx: AppContext, key: str) -> OutboxState:
    with ctx.db.read() as s:
        entry = outbox.get(s, key)
    assert entry is not None
    return entry.state


def open_dialog(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> tuple[ConflictsDialog, list[str]]:
    nudged: list[str] = []
    dialog = ConflictsDialog(ctx.db, ctx.bus, ctx.clock, tasks, sync_now=lambda: nudged.append("sync"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3)
    return dialog, nudged


def select_key(dialog: ConflictsDialog, key: str) -> None:
    for row in range(dialog.model.rowCount()):
        entry = dialog.model.entry(row)
        if entry is not None and entry.key == key:
            dialog.view.selectRow(row)
            return
    raise AssertionError(key)


def test_lists_refused_first_with_what_to_do(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    keys = setup_outbox(ctx)
    dialog, _ = open_dialog(ctx, tasks, qtbot)
    listed = [e.key for e in (dialog.model.entry(r) for r in range(3)) if e is not None]
    assert listed == [keys["refused"], keys["pending"], keys["dropped"]]  # the done one is not listed
    select_key(dialog, keys["refused"])
    text = dialog.detail.text()
    assert "Do not ship it" in text and HOSTILE in text  # Ozon's words verbatim, as plain text
    assert dialog.detail.textFormat() == Qt.TextFormat.PlainText
    assert dialog.retry_button.isEnabled() and dialog.drop_button.isEnabled() and dialog.redo_button.isEnabled()
    select_key(dialog, keys["pending"])
    assert not dialog.retry_button.isEnabled() and dialog.drop_button.isEnabled()
    assert not dialog.redo_button.isEnabled()
    select_key(dialog, keys["dropped"])
    assert dialog.retry_button.isEnabled() and not dialog.drop_button.isEnabled()


def test_retry_puts_the_action_back_and_nudges_sync(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    keys = setup_outbox(ctx)
    seen: list[events.OutboxChanged] = []
    ctx.bus.subscribe(events.OutboxChanged, seen.append)
    dialog, nudged = open_dialog(ctx, tasks, qtbot)
    select_key(dialog, keys["refused"])
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: nudged == ["sync"])
    assert state(ctx, keys["refused"]) is OutboxState.PENDING
    assert seen[-1] == events.OutboxChanged(pending=2, conflicts=0)


def test_drop_marks_it_failed_and_undoes_the_pending_mark(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    keys = setup_outbox(ctx)
    dialog, nudged = open_dialog(ctx, tasks, qtbot)
    select_key(dialog, keys["pending"])
    with qtbot.waitSignal(dialog.model.modelReset):
        dialog.drop_button.click()
    assert state(ctx, keys["pending"]) is OutboxState.FAILED
    assert nudged == []
    from app.repos import postings

    with ctx.db.read() as s:
        cached = postings.get(s, make_posting(2).posting_number)
    assert cached is not None and cached.local_status is None


def test_drop_and_redo_opens_the_posting(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    keys = setup_outbox(ctx)
    dialog, _ = open_dialog(ctx, tasks, qtbot)
    select_key(dialog, keys["refused"])
    with qtbot.waitSignal(dialog.show_posting) as signal:
        dialog.redo_button.click()
    assert signal.args == [make_posting(1).posting_number]
    assert state(ctx, keys["refused"]) is OutboxState.FAILED


def test_model_passes_the_model_tester(ctx: AppContext, qtmodeltester: object) -> None:
    setup_outbox(ctx)
    model = OutboxModel()
    model.set_entries(listed(ctx.db))
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_status_bar_click_opens_the_dialog_and_redo_shows_the_posting(ctx: AppContext, qtbot: QtBot) -> None:
    keys = setup_outbox(ctx)
    window = open_window(ctx, qtbot, FakeSync())
    qtbot.waitUntil(lambda: window.status.conflicts.text() == "Conflicts: 1")
    qtbot.mouseClick(window.status.conflicts, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    dialog = window.conflicts_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3)
    select_key(dialog, keys["refused"])
    dialog.redo_button.click()
    number = make_posting(1).posting_number
    qtbot.waitUntil(lambda: window.orders.selected_postings() == [number])
    assert window.stack.currentWidget() is window.orders
    qtbot.waitUntil(lambda: window.status.conflicts.text() == "Conflicts: 0" or not window.status.conflicts.isVisible())
    dialog.close()
