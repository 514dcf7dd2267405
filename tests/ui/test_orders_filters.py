"""Orders page: status tabs with counts, each filter, search by each field, hostile search text."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from app import outbox
from app.context import AppContext
from app.domain.postings import Posting, PostingItem, PostingStatus
from app.orders import filters, query
from app.orders.filters import Deadline, OrderFilter, Scheme
from tests.ui.factories import NOW, make_posting, save, set_local_status
from tests.ui.test_main_window import open_window
from ui.orders.page import OrdersPage

HOSTILE = ["%' OR 1=1 --", "<b>x</b>", "%", "_", "\\", "'; DROP TABLE postings; --", "%%__\\%"]


def shop(ctx: AppContext) -> list[Posting]:
    """One posting per situation the filters care about."""
    items = [
        make_posting(1, status=PostingStatus.AWAITING_APPROVE, tpl_integration_type="non_integrated"),
        make_posting(2, ship_in=timedelta(hours=-3)),  # overdue
        make_posting(3, ship_in=timedelta(hours=2), warehouse_id=8, warehouse_name="Склад Казань"),  # today
        make_posting(4, status=PostingStatus.AWAITING_DELIVER, delivery_method_id=22, delivery_method_name="ПВЗ"),
        make_posting(5, status=PostingStatus.DELIVERING),
        make_posting(6, status=PostingStatus.DRIVER_PICKUP),
        make_posting(7, status=PostingStatus.DELIVERED, ship_in=timedelta(days=-4)),
        make_posting(8, status=PostingStatus.CANCELLED),
        make_posting(9, status=PostingStatus.ARBITRATION),
        make_posting(10, status=PostingStatus.NOT_ACCEPTED),
        make_posting(
            11,
            products=(
                PostingItem(777_001, "MUG-RED-350", "Кружка красная 350 мл", 2, Decimal("499.00")),
                PostingItem(888_002, "SPOON-01", "Ложка чайная", 1, Decimal("99.00")),
            ),
        ),
        make_posting(12, customer_name="<b>x</b>"),
    ]
    save(ctx, items)
    with ctx.db.write() as s:  # 12 was packed here but Ozon refused: a problem
        number = items[11].posting_number
        refused = outbox.enqueue(s, outbox.ActionKind.SHIP, outbox.TargetKind.POSTING, number, {}, NOW)
        outbox.mark_conflict(s, refused.key, NOW, "cancelled by the buyer")
    return items


def numbers(ctx: AppContext, wanted: OrderFilter) -> set[str]:
    with ctx.db.read() as s:
        return set(query.posting_numbers(s, wanted, now=NOW))


def n(*ids: int) -> set[str]:
    return {make_posting(i).posting_number for i in ids}


def test_tab_counts_and_members(ctx: AppContext) -> None:
    shop(ctx)
    with ctx.db.read() as s:
        counts = query.tab_counts(s, OrderFilter(), NOW)
    assert counts == {
        "new": 1,
        "to_pack": 4,
        "to_hand_over": 1,
        "in_delivery": 2,
        "delivered": 1,
        "cancelled": 1,
        "problems": 3,
        "all": 12,
    }
    members = {t.key: numbers(ctx, OrderFilter().with_tab(t)) for t in filters.TABS}
    assert members["new"] == n(1)
    assert members["to_pack"] == n(2, 3, 11, 12)
    assert members["to_hand_over"] == n(4)
    assert members["in_delivery"] == n(5, 6)
    assert members["delivered"] == n(7)
    assert members["cancelled"] == n(8)
    assert members["problems"] == n(9, 10, 12)  # 12: a conflict in the outbox
    assert members["all"] == n(*range(1, 13))


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (OrderFilter(warehouse_id=8), {3}),
        (OrderFilter(delivery_method_id=22), {4}),
        (OrderFilter(scheme=Scheme.RFBS), {1}),
        (OrderFilter(deadline=Deadline.OVERDUE), {2}),
    ],
)
def test_each_filter(ctx: AppContext, wanted: OrderFilter, expected: set[int]) -> None:
    shop(ctx)
    assert numbers(ctx, wanted) == n(*expected)


def test_fbs_is_everything_but_rfbs(ctx: AppContext) -> None:
    shop(ctx)
    assert numbers(ctx, OrderFilter(scheme=Scheme.FBS)) == n(*range(2, 13))


def test_ship_by_today_uses_the_local_date(ctx: AppContext) -> None:
    items = shop(ctx)
    start, end = query.local_day(NOW)
    assert start <= NOW < end and end - start == timedelta(days=1)
    expected = {p.posting_number for p in items if p.shipment_date is not None and start <= p.shipment_date < end}
    assert numbers(ctx, OrderFilter(deadline=Deadline.TODAY)) == expected
    assert expected  # posting 3 ships in 2 h, posting 2 was due 3 h ago (same day unless near midnight)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40000011-0001-1", {11}),  # posting number
        ("40000004-0001", {4}),  # order number
        ("777001", {11}),  # SKU
        ("MUG-RED", {11}),  # offer id
        ("mug-red", {11}),  # offer id, any case
        ("Кружка красная", {11}),  # product name
        ("ложка", {11}),  # "Ложка чайная": case-folded, so Cyrillic matches in any case
        ("КРАСНАЯ", {11}),
        ("кРаСнАя", {11}),  # mixed case too (SQLite's own LIKE folds ASCII only)
        # every other posting's default product; not 7 (delivered) nor 8 (cancelled): the archive
        ("керамическая", {*range(1, 7), 9, 10, 12}),
    ],
)
def test_search_by_each_field(ctx: AppContext, text: str, expected: set[int]) -> None:
    shop(ctx)
    assert numbers(ctx, OrderFilter(search=text)) == n(*expected)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("40000007-0001-1", True),  # its posting number
        ("40000007", True),  # the beginning of it
        ("40000007-0001", True),  # its order number
        ("0000007-0001", False),  # a part of a number that is not its beginning
        ("4000", False),  # too short a beginning to search a year of postings
        ("керамическая", False),  # a product name: active postings only
        ("1000007", False),  # its SKU: active postings only
    ],
)
def test_the_archive_is_searched_by_number_only(ctx: AppContext, text: str, found: bool) -> None:
    """Delivered and cancelled postings are found by posting or order number (or its beginning), a
    tracking number, a label barcode or a marking code; not by any part of their text."""
    shop(ctx)
    delivered = n(7)
    assert (numbers(ctx, OrderFilter(search=text)) & delivered == delivered) is found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_text_is_only_text(ctx: AppContext, text: str) -> None:
    shop(ctx)
    assert numbers(ctx, OrderFilter(search=text)) == set()
    with ctx.db.read() as s:  # the table is still there and whole
        assert len(query.posting_numbers(s, OrderFilter(), now=NOW)) == 12


def test_like_wildcards_are_literal(ctx: AppContext) -> None:
    save(ctx, [make_posting(1, products=(PostingItem(5, "A_B%C", "50% скидка", 1, Decimal(1)),)), make_posting(2)])
    assert numbers(ctx, OrderFilter(search="A_B%C")) == n(1)
    assert numbers(ctx, OrderFilter(search="50%")) == n(1)
    assert numbers(ctx, OrderFilter(search="A%C")) == set()


def test_filters_combine_with_the_tab(ctx: AppContext) -> None:
    shop(ctx)
    wanted = OrderFilter(search="40000004").with_tab(filters.tab("to_pack"))
    assert numbers(ctx, wanted) == set()
    with ctx.db.read() as s:
        counts = query.tab_counts(s, OrderFilter(search="40000004"), NOW)
    assert counts["to_hand_over"] == 1 and counts["all"] == 1 and counts["to_pack"] == 0


def test_pending_local_status_moves_between_tabs(ctx: AppContext) -> None:
    shop(ctx)
    set_local_status(ctx, make_posting(3).posting_number, "awaiting_deliver")
    assert numbers(ctx, OrderFilter().with_tab(filters.tab("to_hand_over"))) == n(3, 4)


# -- the page ------------------------------------------------------------------------------------


def page_of(ctx: AppContext, qtbot: QtBot) -> OrdersPage:
    window = open_window(ctx, qtbot)
    return window.orders


def test_page_tabs_show_counts(ctx: AppContext, qtbot: QtBot) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    qtbot.waitUntil(lambda: bool(page.tab_counts))
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles == [
        "Ozon approving (1)",
        "To pack (4)",
        "To hand over (1)",
        "In delivery (2)",
        "Delivered (1)",
        "Cancelled (1)",
        "Problems (3)",
        "All (12)",
    ]
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("problems")
    assert {page.model.posting_number(r) for r in range(page.model.rowCount())} == n(9, 10, 12)


def test_page_combos_filter(ctx: AppContext, qtbot: QtBot) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("all")
    bar = page.filter_bar
    qtbot.waitUntil(lambda: bar.warehouse.count() == 3)  # all + two warehouses
    with qtbot.waitSignal(page.model.refreshed):
        bar.warehouse.setCurrentIndex(bar.warehouse.findData(8))
    assert page.model.total() == 1
    qtbot.waitUntil(lambda: page.tabs.tabText(page.tabs.count() - 1) == "All (1)")
    with qtbot.waitSignal(page.model.refreshed):
        bar.warehouse.setCurrentIndex(0)
    with qtbot.waitSignal(page.model.refreshed):
        bar.scheme.setCurrentIndex(bar.scheme.findData(Scheme.RFBS.value))
    assert page.model.total() == 1
    with qtbot.waitSignal(page.model.refreshed):
        bar.scheme.setCurrentIndex(0)
    with qtbot.waitSignal(page.model.refreshed):
        bar.deadline.setCurrentIndex(bar.deadline.findData(Deadline.OVERDUE.value))
    assert page.model.total() == 1


def test_search_is_debounced_and_runs_in_the_background(ctx: AppContext, qtbot: QtBot) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("all")
    before = page.model.generation
    with qtbot.waitSignal(page.model.refreshed, timeout=3000):
        for char in "SPOON":  # QTest types ASCII only
            qtbot.keyClicks(page.filter_bar.search, char)
        assert page.filter_bar.search_pending  # nothing queried while typing
        assert page.model.generation == before
    assert page.model.generation == before + 1  # one query for the whole word
    assert page.model.total() == 1


@pytest.mark.parametrize("text", HOSTILE)
def test_page_search_with_hostile_text(ctx: AppContext, qtbot: QtBot, text: str) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.filter_bar.search.setText(text)
        page.filter_bar.flush()
    assert page.model.total() == 0
    with qtbot.waitSignal(page.model.refreshed):
        page.filter_bar.clear()
    assert page.model.total() == 4


def test_filtered_model_passes_the_model_tester(ctx: AppContext, qtbot: QtBot, qtmodeltester: object) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.filter_bar.search.setText("40000")
        page.filter_bar.flush()
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]


def test_search_switches_to_the_tab_that_has_the_posting(ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 9: searching on To pack for a posting that is in To hand over finds it there."""
    shop(ctx)
    page = page_of(ctx, qtbot)
    assert page.current_tab == "to_pack"
    page.filter_bar.search.setText("40000004")
    page.filter_bar.flush()
    qtbot.waitUntil(lambda: page.current_tab == "to_hand_over")
    qtbot.waitUntil(lambda: page.model.total() == 1)
    assert page.model.posting_number(0) == make_posting(4).posting_number
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("to_pack")  # the seller goes back: not bounced again for the same search
    qtbot.wait(100)
    assert page.current_tab == "to_pack"


def test_search_matching_several_tabs_goes_to_all(ctx: AppContext, qtbot: QtBot) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("cancelled")
    page.filter_bar.search.setText("4000001")  # 10 (a problem), 11 and 12 (to pack)
    page.filter_bar.flush()
    qtbot.waitUntil(lambda: page.current_tab == "all")
    qtbot.waitUntil(lambda: page.model.total() == 3)


def test_search_with_matches_here_stays(ctx: AppContext, qtbot: QtBot) -> None:
    shop(ctx)
    page = page_of(ctx, qtbot)
    with qtbot.waitSignal(page.model.refreshed):
        page.filter_bar.search.setText("4000001")
        page.filter_bar.flush()
    qtbot.waitUntil(lambda: page.tab_counts.get("to_pack") == 2)
    assert page.current_tab == "to_pack"
