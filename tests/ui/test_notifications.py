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


def test_old_cancellations_are_no_news(ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 9: offline at start, the first sync that reads the postings brings days of old
    cancellations: no "cancelled by the buyer" toast for them, nor for one reported again."""
    _window, notifier = make(ctx, qtbot)
    ctx.bus.publish(events.SyncFinished(NOW, "offline", False))  # nothing read
    ctx.bus.publish(events.PostingsChanged(cancelled=frozenset({"1-1-1", "2-1-1"})))  # the real catch-up
    ctx.bus.publish(events.SyncFinished(NOW, "", True))
    qtbot.waitUntil(lambda: notifier._caught_up)
    ctx.bus.publish(events.PostingsChanged(cancelled=frozenset({"1-1-1"})))  # the same one again
    qtbot.wait(50)
    assert notifier.shown == [] and not notifier.toast.isVisible()
    ctx.bus.publish(events.PostingsChanged(cancelled=frozenset({"1-1-1", "3-1-1"})))  # news
    qtbot.waitUntil(notifier.toast.isVisible)
    assert "3-1-1" in notifier.shown[-1][1] and "1-1-1" not in notifier.shown[-1][1]


def test_a_sync_that_read_postings_then_failed_ends_the_catch_up(ctx: AppContext, qtbot: QtBot) -> None:
    _window, notifier = make(ctx, qtbot)
    ctx.bus.publish(events.PostingsChanged(new=frozenset({"1-1-1"})))
    ctx.bus.publish(events.SyncFinished(NOW, "chats failed", False))
    qtbot.waitUntil(lambda: notifier._caught_up)


def test_the_toast_covers_no_button_on_the_packing_page(ctx: AppContext, qtbot: QtBot) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QAbstractButton

    window = open_window(ctx, qtbot)
    window.resize(1280, 800)
    window.show_page("packing")
    qtbot.wait(50)
    ctx.bus.publish(events.SyncFinished(NOW, "", True))
    ctx.bus.publish(events.PostingsChanged(cancelled=frozenset({"1-1-1", "2-1-1", "3-1-1", "4-1-1"})))
    toast = window.notifier.toast
    qtbot.waitUntil(toast.isVisible)
    spot = toast.geometry()
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and not toast.isAncestorOf(button):
            where = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
            assert not spot.intersects(where), button.objectName() or button.text()
    assert window.grab().save("/tmp/pd-toast-packing.png")
