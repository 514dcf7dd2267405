"""What the Analytics page reads instead of scanning (migration 0012) stays true on every write path: a
posting's shipped time, late flag and order-to-ship minutes, its currency and units, its day and warehouse
on its items and events, the waits of buyer chats; and revenue is never summed across currencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import history
from app.analytics import chats, orders, packing, returns, shipping
from app.analytics.period import Period
from app.chat import compose
from app.context import AppContext
from app.db.tables import ChatWaitRow, PostingEventRow, PostingItemRow, PostingRow
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.domain.money import currency_symbol, ordered_currencies
from app.domain.postings import PostingItem, PostingStatus
from app.history import EventKind
from app.repos import chats as chats_repo
from app.repos import postings as postings_repo
from tests.app.factories import NOW, posting

NUMBER = "12345678-0001-1"
ORDERED = NOW - timedelta(hours=2)  # the factory's in_process_at
DUE = NOW + timedelta(hours=30)  # its shipment_date


def _period(warehouse: int | None = None) -> Period:
    return Period(date(2026, 11, 20), date(2026, 11, 26), warehouse, UTC, NOW)


def _stored(ctx: AppContext) -> tuple[datetime | None, bool | None, int | None]:
    with ctx.db.read() as s:
        row = s.execute(
            select(PostingRow.shipped_at, PostingRow.shipped_late, PostingRow.ship_minutes).where(
                PostingRow.posting_number == NUMBER
            )
        ).one()
    return row.shipped_at, row.shipped_late, row.ship_minutes


def _figure(ctx: AppContext, fn, wanted: Period):  # type: ignore[no-untyped-def]
    with ctx.db.read() as s:
        return fn(s, wanted)


def test_a_posting_shipped_later_gets_its_shipped_time_and_minutes(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(s, [posting()], NOW)
    assert _stored(ctx) == (None, None, None)
    assert _figure(ctx, shipping.shipping, _period()).pending == 1
    # Packed at the desk 90 minutes after Ozon took it into work: shipped, on time.
    with ctx.db.write() as s:
        history.record(s, NUMBER, EventKind.PACKED, ORDERED + timedelta(minutes=90), user="anna")
    assert _stored(ctx) == (ORDERED + timedelta(minutes=90), False, 90)
    figure = _figure(ctx, shipping.shipping, _period())
    assert (figure.on_time, figure.late, figure.pending, figure.measured) == (1, 0, 0, 1)
    assert figure.median_to_ship == timedelta(minutes=90)
    # Re-pulled with Ozon's handover earlier than the desk's PACKED (packed in the cabinet first): it counts.
    with ctx.db.write() as s:
        postings_repo.save(s, [posting(delivering_date=ORDERED + timedelta(minutes=30, seconds=30))], NOW)
    assert _stored(ctx) == (ORDERED + timedelta(minutes=30, seconds=30), False, 31)  # half a minute: up
    # The ship-by time moved before it (a re-pull): late now.
    earlier_due = replace(posting(delivering_date=ORDERED + timedelta(minutes=30)), shipment_date=ORDERED)
    with ctx.db.write() as s:
        postings_repo.save(s, [earlier_due], NOW)
    assert _stored(ctx) == (ORDERED + timedelta(minutes=30), True, 30)
    figure = _figure(ctx, shipping.shipping, _period())
    assert (figure.on_time, figure.late) == (0, 1)


def test_a_cancelled_posting_leaves_the_shipping_figure(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(s, [posting(delivering_date=ORDERED + timedelta(hours=1))], NOW)
    assert _figure(ctx, shipping.shipping, _period()).on_time == 1
    with ctx.db.write() as s:  # a cancellation still in the outbox: the seller sees it cancelled
        s.execute(text("UPDATE postings SET local_status = 'cancelled'"))
    figure = _figure(ctx, shipping.shipping, _period())
    assert (figure.on_time, figure.late, figure.pending, figure.measured) == (0, 0, 0, 0)


def test_items_and_events_carry_the_postings_day_and_warehouse(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(s, [posting(items=((1001, 2), (1002, 3)))], NOW)
        history.record(s, NUMBER, EventKind.SCAN_REFUSED, NOW, user="anna")
        history.record(s, NUMBER, EventKind.PACKED, NOW, user="anna")
    with ctx.db.read() as s:
        items = s.execute(select(PostingItemRow.in_process_at, PostingItemRow.warehouse_id)).all()
        assert set(items) == {(ORDERED, 5)}
        assert set(s.scalars(select(PostingEventRow.warehouse_id))) == {5}
        assert s.scalar(select(PostingRow.units)) == 5
    assert [(p.user, p.packed, p.refused_scans) for p in _figure(ctx, packing.packing_errors, _period(5))] == [
        ("anna", 1, 1)
    ]
    assert _figure(ctx, packing.packing_errors, _period(6)) == []
    # Moved to another warehouse and re-pulled: its items follow (sold units of that warehouse).
    with ctx.db.write() as s:
        postings_repo.save(s, [replace(posting(items=((1001, 2), (1002, 3))), warehouse_id=6)], NOW)
    with ctx.db.read() as s:
        assert set(s.scalars(select(PostingItemRow.warehouse_id))) == {6}
    assert _figure(ctx, returns.returns_by_product, _period(6)).sold == 5
    assert _figure(ctx, returns.returns_by_product, _period(5)).sold == 0


def _chat(ctx: AppContext, *messages: tuple[str, AuthorType, datetime]) -> None:
    with ctx.db.write() as s:
        chats_repo.save_chats(s, [Chat("chat-1", ChatType.BUYER_SELLER, True, NOW)], NOW)
        chats_repo.save_messages(s, [ChatMessage(i, "chat-1", a, at, "…") for i, a, at in messages])


def _waits(ctx: AppContext) -> list[tuple[datetime, datetime | None, int | None]]:
    with ctx.db.read() as s:
        rows = s.execute(
            select(ChatWaitRow.started_at, ChatWaitRow.replied_at, ChatWaitRow.minutes).order_by(ChatWaitRow.started_at)
        )
        return [tuple(r) for r in rows]


def test_a_seller_reply_arriving_ends_the_stored_wait(ctx: AppContext) -> None:
    _chat(ctx, ("1", AuthorType.CUSTOMER, NOW), ("2", AuthorType.CUSTOMER, NOW + timedelta(minutes=5)))
    assert _waits(ctx) == [(NOW, None, None)]
    _chat(ctx, ("3", AuthorType.SUPPORT, NOW + timedelta(minutes=10)))  # support stops nothing
    assert _waits(ctx) == [(NOW, None, None)]
    _chat(ctx, ("4", AuthorType.SELLER, NOW + timedelta(minutes=45)))
    assert _waits(ctx) == [(NOW, NOW + timedelta(minutes=45), 45)]
    # A new question opens a second wait.
    _chat(ctx, ("5", AuthorType.CUSTOMER, NOW + timedelta(hours=2)))
    assert _waits(ctx)[1] == (NOW + timedelta(hours=2), None, None)
    figure = _figure(ctx, chats.first_replies, _period())
    assert (figure.waits, figure.within_24h, figure.median) == (1, 1, timedelta(minutes=45))


def test_a_reply_queued_at_the_desk_counts_and_its_removal_reopens_the_wait(ctx: AppContext) -> None:
    _chat(ctx, ("1", AuthorType.CUSTOMER, NOW))
    with ctx.db.write() as s:
        entry = compose.queue_text(s, "chat-1", "Добрый день!", NOW + timedelta(minutes=20))
    assert _waits(ctx) == [(NOW, NOW + timedelta(minutes=20), 20)]
    with ctx.db.write() as s:  # sent: the placeholder goes until the next pull brings the message
        chats_repo.remove_local_message(s, entry.key)
    assert _waits(ctx) == [(NOW, None, None)]
    _chat(ctx, ("2", AuthorType.SELLER, NOW + timedelta(minutes=21)))
    assert _waits(ctx) == [(NOW, NOW + timedelta(minutes=21), 21)]


def test_a_chat_linked_to_a_posting_later_counts_for_its_warehouse(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(s, [replace(posting(), warehouse_id=6)], NOW)
    _chat(ctx, ("1", AuthorType.CUSTOMER, NOW), ("2", AuthorType.SELLER, NOW + timedelta(hours=1)))
    assert _figure(ctx, chats.first_replies, _period(6)).waits == 0
    with ctx.db.write() as s:
        chats_repo.link_posting(s, "chat-1", NUMBER)
    assert _figure(ctx, chats.first_replies, _period(6)).waits == 1
    assert _figure(ctx, chats.first_replies, _period(5)).waits == 0


def _priced(number: str, price: str, currency: str, status: PostingStatus = PostingStatus.DELIVERED):  # type: ignore[no-untyped-def]
    return replace(posting(number, status=status), products=(PostingItem(1001, "A", "a", 2, Decimal(price), currency),))


def test_revenue_is_a_sum_per_currency(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(
            s,
            [
                _priced("1-1-1", "100.00", "RUB"),
                _priced("2-1-1", "10.50", "CNY"),
                _priced("3-1-1", "5.00", "CNY"),
                _priced("4-1-1", "999.00", "USD", PostingStatus.CANCELLED),  # no revenue: no USD column
            ],
            NOW,
        )
    with ctx.db.read() as s:
        assert dict(s.execute(select(PostingRow.posting_number, PostingRow.currency)).tuples().all()) == {
            "1-1-1": "RUB",
            "2-1-1": "CNY",
            "3-1-1": "CNY",
            "4-1-1": "USD",
        }
    figure = _figure(ctx, orders.orders_by_day, _period())
    assert figure.currencies == ["RUB", "CNY"]
    assert figure.revenues == {"RUB": Decimal("200.00"), "CNY": Decimal("31.00")}
    assert (figure.orders, figure.cancelled) == (4, 1)
    day = next(d for d in figure.days if d.orders)
    assert day.revenues == {"RUB": Decimal("200.00"), "CNY": Decimal("31.00")}
    with pytest.raises(ValueError):
        _ = figure.revenue  # roubles and yuan do not add up


def test_roubles_alone_read_as_before(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        postings_repo.save(s, [_priced("1-1-1", "100.00", "RUB")], NOW)
    figure = _figure(ctx, orders.orders_by_day, _period())
    assert figure.currencies == ["RUB"]
    assert figure.revenue == Decimal("200.00")
    assert _figure(ctx, orders.orders_by_day, Period(date(2025, 1, 1), date(2025, 1, 2))).currencies == ["RUB"]


def test_currency_symbols_have_one_home() -> None:
    assert [currency_symbol(c) for c in ("RUB", "CNY", "USD", "XYZ")] == ["₽", "¥", "$", "XYZ"]
    assert ordered_currencies(["USD", "CNY", "RUB"]) == ["RUB", "CNY", "USD"]


def test_migration_fills_the_stored_shipping_currency_and_waits(tmp_path: Path) -> None:
    from alembic import command

    from app.context import open_context
    from app.db import migrate
    from app.db.engine import Database, sqlite_url

    db = Database(sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0011")
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO postings (posting_number, order_number, order_id, status, substatus,"
                " delivery_method_id, delivery_method_name, warehouse_id, warehouse_name, tpl_provider,"
                " tpl_integration_type, tracking_number, is_express, customer_name, city, address, pvz_code,"
                " upper_barcode, lower_barcode, scanit, parent_posting_number, cancel_reason, available_actions,"
                " requirements, is_multibox, multi_box_qty, search_text, total, in_process_at, shipment_date,"
                " delivering_date, packed_at) VALUES ('7-1-1', '7-1', 7, 'delivered', '', 0, '', 6, '', '',"
                " 'ozon', '', 0, '', '', '', '', '', '', '', '', '', '', '{}', 0, 1, '', 3000,"
                " '2026-11-02 08:00:00.000000', '2026-11-02 10:00:00.000000', '2026-11-02 11:00:00.000000',"
                " '2026-11-02 09:30:20.000000')"
            )
        )
        s.execute(
            text(
                "INSERT INTO posting_items (posting_number, position, sku, offer_id, name, quantity, price,"
                " currency) VALUES ('7-1-1', 0, 1, '', '', 3, '10.00', 'CNY')"
            )
        )
        s.execute(
            text(
                "INSERT INTO posting_events (posting_number, at, kind, detail, user)"
                " VALUES ('7-1-1', '2026-11-02 09:30:20.000000', 'packed', '', 'anna')"
            )
        )
        s.execute(
            text(
                "INSERT INTO chats (chat_id, chat_type, is_open, unread_count, last_message_id, posting_number,"
                " order_number, preview, search_text) VALUES ('c', 'BUYER_SELLER', 1, 0, '', '7-1-1', '', '', '')"
            )
        )
        for n, (author, when) in enumerate(
            (("customer", "09:00:00"), ("customer", "09:10:00"), ("seller", "10:00:29"), ("customer", "12:00:00"))
        ):
            s.execute(
                text(
                    "INSERT INTO chat_messages (message_id, chat_id, author, created_at, text, is_image, is_read,"
                    " order_number, image_urls) VALUES (:m, 'c', :a, :t, '', 0, 1, '', '[]')"
                ),
                {"m": f"m{n}", "a": author, "t": f"2026-11-02 {when}.000000"},
            )
    db.dispose()
    ctx = open_context(str(tmp_path), db_url=sqlite_url(str(tmp_path / "packdesk.sqlite3")))  # the file built above
    try:
        at = datetime(2026, 11, 2, tzinfo=UTC)
        with ctx.db.read() as s:
            row = s.execute(select(PostingRow)).scalar_one()
            assert (row.shipped_at, row.shipped_late, row.ship_minutes) == (
                at.replace(hour=9, minute=30, second=20),
                False,
                90,
            )
            assert (row.currency, row.units) == ("CNY", 3)
            item = s.execute(select(PostingItemRow)).scalar_one()
            assert (item.in_process_at, item.warehouse_id) == (at.replace(hour=8), 6)
            assert s.scalar(select(PostingEventRow.warehouse_id)) == 6
            waits = s.execute(
                select(
                    ChatWaitRow.started_at, ChatWaitRow.replied_at, ChatWaitRow.minutes, ChatWaitRow.posting_number
                ).order_by(ChatWaitRow.started_at)
            ).all()
        assert [tuple(w) for w in waits] == [
            (at.replace(hour=9), at.replace(hour=10, second=29), 60, "7-1-1"),
            (at.replace(hour=12), None, None, "7-1-1"),
        ]
        wanted = Period(date(2026, 11, 1), date(2026, 11, 3), 6, UTC, datetime(2026, 11, 5, tzinfo=UTC))
        assert _figure(ctx, orders.orders_by_day, wanted).revenues == {"CNY": Decimal("30.00")}
        assert _figure(ctx, chats.first_replies, wanted).waits == 2  # the open one is past its 24 hours
    finally:
        ctx.close()
