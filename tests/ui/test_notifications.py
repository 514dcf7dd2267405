"""Desktop notifications: quiet during the catch-up sync, then new orders and cancellations."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from app import events
from app.context import AppContext
from tests.ui.factories import NOW, make_posting, save
from tests.ui.test_main_window import open_window
from ui.bridge import EventBridge
from ui.notifications import Notifier

HOSTILE = "<b>x</b>"


def make(ctx: AppContext, qtbot: QtBot) -> tuple[QWidget, Notifier]:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    bridge = EventBridge(ctx.bus, window)
    return window, Notifier(window, bridge)


def test_offscreen_falls_back_to_a_toast(ctx: AppContext, qtbot: QtBot) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # the offscreen platform has no tray
    window, notifier = make(ctx, qtbot)
    assert notifier.tray is None
    ctx.bus.publish(events.PostingsChanged(new=frozenset({"1-1-1"})))  # the catch-up sync: quiet
    ctx.bus.publish(events.SyncFinished(NOW, "", True))
    qtbot.waitUntil(lambda: notifier._caught_up)
    assert notifier.shown == [] and not notifier.toast.isVisible()

    ctx.bus.publish(events.PostingsChanged(new=frozenset({"3-1-1", "2-1-1", "4-1-1", "5-1-1"})))
    qtbot.waitUntil(notifier.toast.isVisible)
    assert notifier.shown[-1] == ("New orders: 4", "2-1-1, 3-1-1, 4-1-1 and 1 more")
    toast = notifier.toast
    assert toast.geometry().right() <= window.width() and toast.geometry().bottom() <= window.height()


def test_cancellation_is_loud_and_opens_the_posting(ctx: AppContext, qtbot: QtBot) -> None:
    _window, notifier = make(ctx, qtbot)
    ctx.bus.publish(events.SyncFinished(NOW, "", True))
    ctx.bus.publish(events.PostingsChanged(cancelled=frozenset({HOSTILE})))
    qtbot.waitUntil(notifier.toast.isVisible)
    title, text = notifier.shown[-1]
    assert title == "Cancelled by the buyer: 1 posting(s)"
    assert HOSTILE in text and "Do not ship" in text
    assert notifier.toast.text.textFormat() == Qt.TextFormat.PlainText
    assert notifier.toast.text.text() == text
    with qtbot.waitSignal(notifier.posting_activated) as signal:
        qtbot.mouseClick(notifier.toast, Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert signal.args == [HOSTILE]
    assert not notifier.toast.isVisible()


def test_window_click_on_a_notification_shows_the_posting(ctx: AppContext, qtbot: QtBot) -> None:
    posting = make_posting(1)
    save(ctx, [posting])
    window = open_window(ctx, qtbot)
    ctx.bus.publish(events.SyncFinished(NOW, "", True))
    ctx.bus.publish(events.PostingsChanged(new=frozenset({posting.posting_number})))
    qtbot.waitUntil(window.notifier.toast.isVisible)
    window.notifier.toast.clicked.emit()
    qtbot.waitUntil(lambda: window.orders.selected_postings() == [posting.posting_number])
