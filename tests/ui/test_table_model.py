from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtGui import Qt as GuiQt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.domain.postings import PostingStatus
from app.events import PostingsChanged
from app.orders.query import Column
from tests.ui.factories import make_posting, save, set_local_status
from ui.bridge import EventBridge
from ui.orders import cells
from ui.orders.table_model import POSTING_NUMBER_ROLE, OrdersTableModel
from ui.orders.view import OrdersView
from ui.tasks import TaskManager

ROOT = QModelIndex()
HOSTILE = "<b>x</b><img src=file:///etc/passwd>"


def numbers(model: OrdersTableModel) -> list[str]:
    return [model.data(model.index(r, Column.POSTING)) for r in range(model.rowCount())]


def cell(model: OrdersTableModel, number: str, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    row = model.row_of(number)
    assert row is not None
    return model.data(model.index(row, column), role)


def background(model: OrdersTableModel, number: str) -> object:
    value = cell(model, number, Column.POSTING, Qt.ItemDataRole.BackgroundRole)
    return value.color() if isinstance(value, QBrush) else None


@pytest.fixture
def model(ctx: AppContext, qtbot: QtBot) -> OrdersTableModel:
    return OrdersTableModel(ctx.db, ctx.clock)


def test_passes_qt_model_tester(ctx: AppContext, qtmodeltester: object) -> None:
    statuses = list(PostingStatus)
    items = [
        make_posting(
            i,
            ship_in=None if i % 17 == 0 else timedelta(hours=i - 20),
            status=statuses[i % len(statuses)],
            tracking_number=f"TRK{i}" if i % 3 else "",
            is_express=i % 5 == 0,
        )
        for i in range(50)
    ]
    save(ctx, items)
    set_local_status(ctx, items[4].posting_number, "awaiting_deliver")
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert model.rowCount() == 50
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_sorted_by_ship_by_ascending_with_undated_last(ctx: AppContext) -> None:
    save(
        ctx,
        [
            make_posting(1, ship_in=timedelta(hours=30)),
            make_posting(2, ship_in=None),
            make_posting(3, ship_in=timedelta(hours=-2)),
            make_posting(4, ship_in=timedelta(hours=5)),
        ],
    )
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert numbers(model) == [make_posting(n).posting_number for n in (3, 4, 1, 2)]
    assert model.sort_column is Column.SHIP_BY
    assert model.sort_order == Qt.SortOrder.AscendingOrder


def test_header_sort_requeries_in_sql(ctx: AppContext, qtbot: QtBot) -> None:
    save(ctx, [make_posting(n, ship_in=timedelta(hours=10 - n)) for n in range(5)])
    model = OrdersTableModel(ctx.db, ctx.clock)
    view = OrdersView(model)
    qtbot.addWidget(view)
    with qtbot.waitSignal(model.refreshed):
        view.sortByColumn(Column.POSTING, Qt.SortOrder.DescendingOrder)
    assert numbers(model) == sorted(numbers(model), reverse=True)
    with qtbot.waitSignal(model.refreshed):
        view.sortByColumn(Column.POSTING, Qt.SortOrder.AscendingOrder)
    assert numbers(model) == sorted(numbers(model))


def test_overdue_red_soon_orange_and_countdowns(ctx: AppContext) -> None:
    overdue = make_posting(1, ship_in=timedelta(hours=-2))
    soon = make_posting(2, ship_in=timedelta(hours=5, minutes=10))
    later = make_posting(3, ship_in=timedelta(days=3))
    delivered_late = make_posting(4, ship_in=timedelta(hours=-30), status=PostingStatus.DELIVERED)
    shipped_locally = make_posting(5, ship_in=timedelta(hours=-1))
    approve_late = make_posting(6, ship_in=timedelta(minutes=-20), status=PostingStatus.AWAITING_APPROVE)
    save(ctx, [overdue, soon, later, delivered_late, shipped_locally, approve_late])
    set_local_status(ctx, shipped_locally.posting_number, "awaiting_deliver")
    model = OrdersTableModel(ctx.db, ctx.clock)

    assert background(model, overdue.posting_number) == cells.OVERDUE_BACKGROUND
    assert background(model, approve_late.posting_number) == cells.OVERDUE_BACKGROUND
    assert background(model, soon.posting_number) == cells.SOON_BACKGROUND
    assert background(model, later.posting_number) is None
    assert background(model, delivered_late.posting_number) is None
    assert background(model, shipped_locally.posting_number) is None  # packed; waiting for sync
    # Every cell of an urgent row is coloured, with dark text that stays readable.
    row = model.row_of(overdue.posting_number)
    assert row is not None
    for column in Column:
        assert model.data(model.index(row, column), Qt.ItemDataRole.BackgroundRole) is not None
        assert model.data(model.index(row, column), Qt.ItemDataRole.ForegroundRole) is not None

    assert str(cell(model, overdue.posting_number, Column.SHIP_BY)).endswith("overdue 2 h")
    assert str(cell(model, soon.posting_number, Column.SHIP_BY)).endswith("in 5 h")
    assert str(cell(model, approve_late.posting_number, Column.SHIP_BY)).endswith("overdue 20 min")
    assert "overdue" not in str(cell(model, delivered_late.posting_number, Column.SHIP_BY))


def test_colours_follow_the_clock(ctx: AppContext, clock: object) -> None:
    posting = make_posting(1, ship_in=timedelta(hours=30))
    save(ctx, [posting])
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert background(model, posting.posting_number) is None
    ctx.clock.moment += timedelta(hours=7)  # type: ignore[attr-defined]
    model.tick()
    assert background(model, posting.posting_number) == cells.SOON_BACKGROUND
    ctx.clock.moment += timedelta(hours=24)  # type: ignore[attr-defined]
    model.tick()
    assert background(model, posting.posting_number) == cells.OVERDUE_BACKGROUND


def test_status_filter_uses_the_shown_status(ctx: AppContext) -> None:
    packaging = make_posting(1)
    shipped = make_posting(2, status=PostingStatus.AWAITING_DELIVER)
    pending = make_posting(3)  # packed here, not yet confirmed by Ozon
    cancelled = make_posting(4, status=PostingStatus.CANCELLED)
    save(ctx, [packaging, shipped, pending, cancelled])
    set_local_status(ctx, pending.posting_number, "awaiting_deliver")
    model = OrdersTableModel(ctx.db, ctx.clock)

    model.set_status_filter("awaiting_deliver")
    assert sorted(numbers(model)) == sorted([shipped.posting_number, pending.posting_number])
    model.set_status_filter("awaiting_packaging")
    assert numbers(model) == [packaging.posting_number]
    model.set_status_filter(None)
    assert model.rowCount() == 4

    status = str(cell(model, pending.posting_number, Column.STATUS))
    assert status.startswith("Awaiting shipment") and "pending sync" in status
    assert "pending sync" not in str(cell(model, shipped.posting_number, Column.STATUS))
    tip = str(cell(model, pending.posting_number, Column.STATUS, Qt.ItemDataRole.ToolTipRole))
    assert "Awaiting packaging" in tip  # what Ozon still says


def test_columns_show_the_posting(ctx: AppContext) -> None:
    posting = make_posting(
        1, tracking_number="RP123456789RU", city="Казань", is_express=True, delivery_method_name="Курьер"
    )
    save(ctx, [posting])
    model = OrdersTableModel(ctx.db, ctx.clock)
    shown = {column: cell(model, posting.posting_number, column) for column in Column}
    assert shown[Column.POSTING] == posting.posting_number
    assert shown[Column.ORDER] == posting.order_number
    assert shown[Column.STATUS] == "Awaiting packaging"
    assert shown[Column.DELIVERY] == "Express · Курьер"
    assert shown[Column.ITEMS] == "1"
    assert shown[Column.CITY] == "Казань"
    assert shown[Column.TRACKING] == "RP123456789RU"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column][:3] == ["Posting", "Order", "Status"]


def test_lazy_fetch_in_chunks(ctx: AppContext) -> None:
    save(ctx, [make_posting(n, ship_in=timedelta(minutes=n)) for n in range(5000)])
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert model.total() == 5000
    assert model.rowCount() == OrdersTableModel.FETCH_CHUNK < 5000
    assert model.canFetchMore(ROOT)
    seen = [model.rowCount()]
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
        seen.append(model.rowCount())
    assert seen == [1000, 2000, 3000, 4000, 5000]
    # Rows are read on demand: only the first block (read with the ids) and the asked-for one are cached.
    model.data(model.index(4999, Column.CITY))
    assert len(model._cache) == 2 * OrdersTableModel.BLOCK


def test_a_huge_listing_is_read_a_window_at_a_time(
    ctx: AppContext, qtmodeltester: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A year of postings is never all in memory: the first window opens the tab, scrolling reads on.
    from app.orders import query

    monkeypatch.setattr(OrdersTableModel, "WINDOW", 7)
    monkeypatch.setattr(OrdersTableModel, "FETCH_CHUNK", 3)
    items = [make_posting(n, ship_in=None if n % 5 == 0 else timedelta(minutes=(n * 7) % 23)) for n in range(23)]
    save(ctx, items)
    with ctx.db.read() as s:
        expected = query.posting_numbers(s, now=ctx.clock.now())
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert model.total() is None and len(model._ids) == 7  # the first window only
    assert numbers(model) == expected[:3]
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    assert numbers(model) == expected  # the right rows, in order, across windows
    assert model.total() == 23
    # Sorting by a column re-reads the first window in the new order.
    model.sort(Column.POSTING, Qt.SortOrder.DescendingOrder)
    assert numbers(model) == sorted(expected, reverse=True)[:3] and model.total() is None
    # Bringing a posting into view reads the rest of the listing; a restored selection does not.
    last = sorted(expected)[0]
    assert model.row_of(last) is None
    assert model.row_of(last, read_all=True) == 22 and model.total() == 23
    qtmodeltester.check(OrdersTableModel(ctx.db, ctx.clock))  # type: ignore[attr-defined]


def test_untrusted_text_is_plain(ctx: AppContext) -> None:
    posting = make_posting(1, customer_name=HOSTILE, city=HOSTILE, address=HOSTILE, delivery_method_name=HOSTILE)
    save(ctx, [posting])
    model = OrdersTableModel(ctx.db, ctx.clock)
    assert cell(model, posting.posting_number, Column.CITY) == HOSTILE
    assert cell(model, posting.posting_number, Column.DELIVERY) == HOSTILE
    row = model.row_of(posting.posting_number)
    assert row is not None
    tips = [model.data(model.index(row, c), Qt.ItemDataRole.ToolTipRole) for c in Column]
    assert any(tips), "the buyer tooltip exists"
    for tip in tips:
        if tip is not None:
            assert isinstance(tip, str)
            assert not GuiQt.mightBeRichText(tip), tip
            assert "<" not in tip


def test_refresh_on_event_from_a_plain_thread(ctx: AppContext, qtbot: QtBot) -> None:
    save(ctx, [make_posting(1)])
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    model = OrdersTableModel(ctx.db, ctx.clock, tasks)
    threads: list[threading.Thread] = []
    bridge.postings_changed.connect(lambda _event: threads.append(threading.current_thread()))
    bridge.postings_changed.connect(model.refresh)
    save(ctx, [make_posting(2, ship_in=timedelta(hours=1))])

    publisher = threading.Thread(target=ctx.bus.publish, args=(PostingsChanged(frozenset({"x"})),))
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        publisher.start()
    publisher.join()
    assert threads == [threading.main_thread()]
    assert numbers(model) == [make_posting(2).posting_number, make_posting(1).posting_number]
    tasks.shutdown()


def test_refresh_keeps_the_selection(ctx: AppContext, qtbot: QtBot) -> None:
    save(ctx, [make_posting(n, ship_in=timedelta(hours=n)) for n in range(1, 6)])
    model = OrdersTableModel(ctx.db, ctx.clock)
    view = OrdersView(model)
    qtbot.addWidget(view)
    chosen = make_posting(3).posting_number
    view.selectRow(model.row_of(chosen) or 0)
    assert view.selected_postings() == [chosen]

    save(ctx, [make_posting(0, ship_in=timedelta(minutes=5))])  # arrives above: rows move down
    model.refresh()
    assert model.row_of(chosen) == 3
    assert view.selected_postings() == [chosen]
    assert view.currentIndex().data(POSTING_NUMBER_ROLE) == chosen

    set_local_status(ctx, chosen, "awaiting_deliver")  # same order, new content: no reset
    with qtbot.assertNotEmitted(model.modelReset):
        model.refresh()
    assert "pending sync" in str(cell(model, chosen, Column.STATUS))
    assert view.selected_postings() == [chosen]
