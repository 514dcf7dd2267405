from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app import events, outbox
from app.context import AppContext
from app.domain.postings import PostingStatus
from tests.ui.factories import NOW, make_posting, save, set_local_status
from tests.ui.fakes import FakeSync
from ui.main_window import MainWindow
from ui.sync_control import SyncControl


def open_window(ctx: AppContext, qtbot: QtBot, sync: SyncControl | None = None, demo: bool = True) -> MainWindow:
    window = MainWindow(ctx, sync, demo)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.tasks.busy())
    return window


def fill_demo_shop(ctx: AppContext) -> None:
    cities = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Краснодар", "Самара"]
    methods = [
        "Ozon Логистика курьеру, Москва",
        "Ozon Логистика, ПВЗ",
        "Ozon Логистика самостоятельно, Подольск",
        "Экспресс-доставка",
    ]
    statuses = [PostingStatus.AWAITING_PACKAGING] * 5 + [
        PostingStatus.AWAITING_DELIVER,
        PostingStatus.DELIVERING,
        PostingStatus.AWAITING_APPROVE,
        PostingStatus.DELIVERED,
    ]
    items = [
        make_posting(
            n,
            ship_in=timedelta(hours=n * 3 - 14),
            status=statuses[n % len(statuses)],
            city=cities[n % len(cities)],
            delivery_method_name=methods[n % len(methods)],
            is_express=n % len(methods) == 3,
            tracking_number=f"RP{480000000 + n * 7919}RU"
            if statuses[n % len(statuses)] != "awaiting_packaging"
            else "",
            customer_name="<b>x</b><img src=file:///etc/passwd>" if n == 2 else "Покупатель",
        )
        for n in range(40)
    ]
    save(ctx, items)
    set_local_status(ctx, items[1].posting_number, "awaiting_deliver")  # packed here, not yet sent
    with ctx.db.write() as s:
        outbox.enqueue(s, outbox.ActionKind.SHIP, outbox.TargetKind.POSTING, items[1].posting_number, {}, NOW)
        refused = outbox.enqueue(s, outbox.ActionKind.SHIP, outbox.TargetKind.POSTING, "1-1-1", {}, NOW)
        outbox.mark_conflict(s, refused.key, NOW, "cancelled by the buyer")


def test_renders_offscreen(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    fill_demo_shop(ctx)
    window = open_window(ctx, qtbot, FakeSync(), demo=True)
    ctx.bus.publish(events.ConnectivityChanged(online=True))
    ctx.bus.publish(events.SyncFinished(NOW, "40 postings", True))
    qtbot.waitUntil(lambda: window.status.last_sync.text().startswith("Last sync"))
    qtbot.waitUntil(lambda: not window.tasks.busy())
    # The page opens on the work queue: awaiting packaging (nothing shipped locally).
    assert window.orders.model.rowCount() == 23
    qtbot.waitUntil(lambda: window.orders.tabs.tabText(window.orders.tabs.currentIndex()) == "To pack (23)")
    assert window.status.demo_badge.isVisible()
    assert window.status.pending.text() == "Pending actions: 1"
    assert window.status.conflicts.text() == "Conflicts: 1"
    assert window.windowTitle() == "Packdesk — DEMO"

    image = window.grab()
    assert image.width() >= 900 and not image.isNull()
    assert image.save(str(tmp_path / "main.png"))
    target = os.environ.get("PACKDESK_SCREENSHOT")  # e.g. /tmp/packdesk-main.png, for a human to look at
    if target:
        assert image.save(target)


def test_status_tabs(ctx: AppContext, qtbot: QtBot) -> None:
    fill_demo_shop(ctx)
    window = open_window(ctx, qtbot)
    page = window.orders
    texts = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert texts[:3] == ["Ozon approving (4)", "To pack (23)", "To hand over (5)"]
    assert texts[-1] == "All (40)"
    assert page.count.text() == "Postings: 23"
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("all")
    assert page.model.rowCount() == 40 and page.count.text() == "Postings: 40"
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("to_hand_over")
    assert page.model.rowCount() == 5  # 4 from Ozon + 1 packed here, pending sync


def test_navigation_has_every_area_and_placeholders(ctx: AppContext, qtbot: QtBot) -> None:
    window = open_window(ctx, qtbot)
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names == ["Orders", "Packing", "Handover", "Chats", "Returns", "Reviews", "Analytics", "Settings"]
    assert window.stack.currentWidget() is window.orders
    window.nav.setCurrentRow(names.index("Settings"))
    assert window.stack.currentWidget() is window.settings_page
    window.nav.setCurrentRow(names.index("Chats"))
    assert window.stack.currentWidget() is window.chats
    window.nav.setCurrentRow(names.index("Returns"))
    assert window.stack.currentWidget() is window.returns
    window.nav.setCurrentRow(names.index("Reviews"))
    assert window.stack.currentWidget() is window.reviews
    window.nav.setCurrentRow(names.index("Analytics"))
    assert window.stack.currentWidget() is window.analytics


def test_f5_syncs_now(ctx: AppContext, qtbot: QtBot) -> None:
    sync = FakeSync()
    window = open_window(ctx, qtbot, sync)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert sync.calls == ["sync_now"]
    assert sync.retried_paused == 1  # the seller's Sync now: areas paused for the plan are tried again


def test_without_sync_the_action_is_off(ctx: AppContext, qtbot: QtBot) -> None:
    window = open_window(ctx, qtbot, None, demo=False)
    assert not window.sync_action.isEnabled()
    assert not window.status.demo_badge.isVisible()
    assert window.windowTitle() == "Packdesk"


def test_geometry_is_remembered(ctx: AppContext, qtbot: QtBot) -> None:
    window = open_window(ctx, qtbot)
    window.resize(1111, 666)
    window.orders.view.setColumnWidth(0, 321)
    window.close()
    assert QSettings("Packdesk", "Packdesk").value("main_window/geometry") is not None

    again = open_window(ctx, qtbot)
    assert (again.width(), again.height()) == (1111, 666)
    assert again.orders.view.columnWidth(0) == 321


def test_auth_failure_shows_a_banner(ctx: AppContext, qtbot: QtBot) -> None:
    window = open_window(ctx, qtbot)
    ctx.bus.publish(events.AuthFailed("<i>403</i>"))
    qtbot.waitUntil(window.banner.isVisible)
    assert window.banner.text.textFormat() == Qt.TextFormat.PlainText
    assert "<i>403</i>" in window.banner.text.text()


def test_settled_action_clears_the_pending_mark(ctx: AppContext, qtbot: QtBot) -> None:
    fill_demo_shop(ctx)
    window = open_window(ctx, qtbot)
    model = window.orders.model
    with qtbot.waitSignal(model.refreshed):
        window.orders.show_tab("all")
    packed = make_posting(1).posting_number
    row = model.row_of(packed)
    assert row is not None and "pending sync" in model.data(model.index(row, 2))
    with ctx.db.write() as s:  # what the sync engine does once Ozon confirmed the shipment
        (entry,) = outbox.entries(s, target_id=packed)
        outbox.mark_done(s, entry.key, NOW)
    with qtbot.waitSignal(model.refreshed):
        ctx.bus.publish(events.OutboxChanged(pending=0, conflicts=1))
    row = model.row_of(packed)
    assert row is not None and "pending sync" not in model.data(model.index(row, 2))


def test_a_stop_raised_on_another_page_brings_the_packing_page_and_the_scanner_back(
    ctx: AppContext, qtbot: QtBot
) -> None:
    import dataclasses

    from PySide6.QtWidgets import QApplication

    from app.repos import postings as posting_repo
    from tests.ui.test_packing_page import FBS, fill

    fill(ctx)
    window = open_window(ctx, qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_page("packing")
    page = window.packing
    qtbot.keyClicks(page.scan, FBS)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.view is not None)
    window.show_page("orders")
    window.orders.filter_bar.search.setFocus()
    qtbot.waitUntil(window.orders.filter_bar.search.hasFocus)
    with ctx.db.read() as s:
        cached = posting_repo.get(s, FBS)
    assert cached is not None
    save(ctx, [dataclasses.replace(cached.posting, status=PostingStatus.CANCELLED, cancel_reason="Отменён")])
    ctx.bus.publish(events.PostingsChanged(posting_numbers=frozenset({FBS}), cancelled=frozenset({FBS})))
    qtbot.waitUntil(page.overlay.isVisible)
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(page.scan.hasFocus)
    focused = QApplication.focusWidget()
    assert focused is page.scan
    qtbot.keyClicks(focused, "PD:ACK")  # the scanner acknowledges
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.overlay.isVisible())


def test_a_repaired_settings_file_is_told_in_the_sellers_language(tmp_path: Path, qtbot: QtBot) -> None:
    from app.context import open_context
    from tests.ui.test_packing_screens import ui_language

    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text('{"version": 2, "personal_data_days": 0, "language": "ru_RU"}')
    ctx = open_context(str(data))
    try:
        assert ctx.settings.personal_data_days == 30
        with ui_language("ru_RU"):
            window = open_window(ctx, qtbot)
            qtbot.waitUntil(window.banner.isVisible)
            assert window.banner.text.text() == (
                "Некоторые настройки были неверны и сброшены на значения по умолчанию: personal_data_days."
            )
            window.close()
    finally:
        ctx.close()


def _orders_at_1280(ctx: AppContext, qtbot: QtBot) -> MainWindow:
    window = open_window(ctx, qtbot)
    window.resize(1280, 800)
    qtbot.wait(50)
    return window


@pytest.mark.parametrize("language", ["en_US", "ru_RU", "zh_CN"])
def test_orders_show_the_delivery_column_and_whole_ship_by_at_1280(
    ctx: AppContext, qtbot: QtBot, language: str
) -> None:
    """Issue 9: at 1280 px the table reaches the Delivery column without scrolling, and the ship-by
    cell (the longest clock) is not cut, in every language."""
    from datetime import timedelta

    from app.orders.query import Column
    from tests.ui.test_packing_screens import ui_language
    from ui.orders import cells

    postings = [make_posting(1, ship_in=timedelta(days=-99)), make_posting(2, ship_in=timedelta(minutes=-59))]
    save(ctx, postings)
    with ui_language(language) if language != "en_US" else contextlib.nullcontext():
        window = _orders_at_1280(ctx, qtbot)
        view = window.orders.view
        qtbot.waitUntil(lambda: view.model().rowCount() == 2)
        right = view.columnViewportPosition(Column.DELIVERY) + view.columnWidth(Column.DELIVERY)
        assert right <= view.viewport().width(), (language, right, view.viewport().width())
        metrics = view.fontMetrics()
        for row in range(2):
            text = str(view.model().index(row, Column.SHIP_BY).data())
            assert metrics.horizontalAdvance(text) + 8 <= view.columnWidth(Column.SHIP_BY), (language, text)
        assert metrics.horizontalAdvance(cells.header(Column.STATUS)) < view.columnWidth(Column.STATUS)
        window.grab().save(f"/tmp/pd-orders-1280-{language}.png")
        window.close()


def test_column_widths_saved_in_another_language_are_not_restored(ctx: AppContext, qtbot: QtBot) -> None:
    from app.orders.query import Column
    from tests.ui.test_packing_screens import ui_language

    with ui_language("en_US"):
        window = open_window(ctx, qtbot)
        window.orders.view.setColumnWidth(Column.SHIP_BY, 150)
        window.close()
    with ui_language("ru_RU"):
        again = open_window(ctx, qtbot)
        assert again.orders.view.columnWidth(Column.SHIP_BY) > 150  # the Russian defaults
        again.orders.view.setColumnWidth(Column.SHIP_BY, 260)
        again.close()
        third = open_window(ctx, qtbot)
        assert third.orders.view.columnWidth(Column.SHIP_BY) == 260  # same language: the seller's widths
