"""Every Analytics figure against numbers worked out by hand on a small fixed data set.

Moscow time (UTC+3): 2026-11-01 is a Sunday. The period is 1–7 November, local days.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app import history
from app.analytics import chats, orders, packing, returns, reviews, shipping
from app.analytics.export import Table, write_csv, write_xlsx
from app.analytics.period import Period, percentile
from app.analytics.report import read_report
from app.context import AppContext
from app.db.tables import (
    ChatMessageRow,
    ChatRow,
    PostingEventRow,
    PostingItemRow,
    PostingRow,
    ReturnRow,
    ReviewRow,
)
from app.domain.postings import PostingItem, PostingStatus
from app.history import EventKind
from app.repos import chat_waits, shipped
from app.repos.postings import total_kopecks

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def period(warehouse: int | None = None) -> Period:
    return Period(date(2026, 11, 1), date(2026, 11, 7), warehouse, MSK, NOW)


def _posting(
    number: str,
    ordered: datetime,
    items: list[tuple[int, int, str]],
    status: str = "delivered",
    due: datetime | None = None,
    handed: datetime | None = None,
    warehouse: int = 5,
) -> PostingRow:
    row = PostingRow(
        posting_number=number,
        order_number=number[:-2],
        order_id=1,
        status=status,
        shipment_date=due,
        in_process_at=ordered,
        delivering_date=handed,
        warehouse_id=warehouse,
        warehouse_name=f"Склад {warehouse}",
    )
    row.items = [
        PostingItemRow(
            position=i,
            sku=sku,
            name=f"Товар {sku}",
            quantity=qty,
            price=Decimal(price),
            in_process_at=ordered,
            warehouse_id=warehouse,
        )
        for i, (sku, qty, price) in enumerate(items)
    ]
    # What app.repos.postings.save stores with the items (test_stored_total and test_analytics_stored
    # check it does).
    row.total = total_kopecks(PostingItem(sku, "", "", qty, Decimal(price)) for sku, qty, price in items)
    row.units = sum(qty for _sku, qty, _price in items)
    return row


@pytest.fixture
def data(ctx: AppContext) -> AppContext:
    with ctx.db.write() as s:
        s.add_all(
            [
                # 23:30 Moscow on 1 Nov; packed at the desk before Ozon's handover: on time, 690 min.
                _posting(
                    "P1-1", at(1, 20, 30), [(1001, 2, "100.50"), (1002, 1, "50.00")], due=at(2, 12), handed=at(2, 10)
                ),
                # 00:30 Moscow on 2 Nov; handed over after the ship-by time: late, 2190 min.
                _posting("P2-1", at(1, 21, 30), [(1001, 1, "300.00")], due=at(3, 9), handed=at(3, 10)),
                _posting("P3-1", at(2, 10), [(1003, 1, "1000.00")], status="cancelled", due=at(3, 9)),
                # Warehouse 6, packed an hour after its ship-by time: late, 1500 min.
                _posting("P4-1", at(3, 10), [(1002, 3, "10.00")], "awaiting_deliver", due=at(4, 10), warehouse=6),
                _posting("P5-1", at(31, 20, 59, month=10), [(1001, 1, "999.00")]),  # 23:59 on 31 Oct: outside
                # 23:59 on 7 Nov: inside; not shipped, ship-by time after `now`: pending.
                _posting("P6-1", at(7, 20, 59), [(1004, 1, "5.55")], "awaiting_packaging", due=at(7, 12)),
                _posting("P7-1", at(7, 21), [(1004, 1, "7.00")]),  # 00:00 on 8 Nov: outside
            ]
        )
        s.add_all(
            [
                PostingEventRow(posting_number="P1-1", at=at(2, 7, 50), kind="scan_refused", user="anna"),
                PostingEventRow(posting_number="P4-1", at=at(4, 10, 30), kind="scan_refused", user="boris"),
                PostingEventRow(posting_number="P4-1", at=at(4, 10, 50), kind="override", user="boris"),
                PostingEventRow(posting_number="P1-1", at=at(2, 8), kind="scan_item", user="anna"),
            ]
        )
        s.flush()
        # The posting's warehouse on its events, as app.history.record writes it.
        s.execute(
            update(PostingEventRow).values(
                warehouse_id=select(PostingRow.warehouse_id)
                .where(PostingRow.posting_number == PostingEventRow.posting_number)
                .scalar_subquery()
            )
        )
        # Packed at the desk: the event, and the posting's first PACKED time (app.history.record).
        for number, when, user in (
            ("P1-1", at(2, 8), "anna"),
            ("P4-1", at(4, 11), "boris"),
            ("P5-1", at(31, 20, month=10), "anna"),
        ):
            history.record(s, number, EventKind.PACKED, when, user=user)
        s.add_all(
            [
                ChatRow(chat_id="A", chat_type="BUYER_SELLER", posting_number="P1-1"),
                ChatRow(chat_id="B", chat_type="BUYER_SELLER", posting_number="P4-1"),
                ChatRow(chat_id="C", chat_type="BUYER_SELLER", posting_number="P2-1"),
                ChatRow(chat_id="D", chat_type="SELLER_SUPPORT"),
            ]
        )
        s.flush()
        messages = [
            ("A", "customer", at(1, 9)),  # starts a wait: answered in 120 min
            ("A", "customer", at(1, 10)),
            ("A", "support", at(1, 10, 30)),
            ("A", "seller", at(1, 11)),
            ("A", "customer", at(2, 9)),  # answered in 25 h
            ("A", "seller", at(3, 10)),
            ("B", "customer", at(5, 20)),  # open, 16 h as of `now`: not counted yet
            ("C", "customer", at(31, 20, month=10)),
            ("C", "seller", at(1, 8)),
            ("C", "customer", at(4, 8)),  # open for 52 h: not answered within 24 h
            ("D", "customer", at(2, 9)),  # support chat: not a buyer chat
        ]
        s.add_all(
            ChatMessageRow(message_id=f"m{i}", chat_id=c, author=a, created_at=t)
            for i, (c, a, t) in enumerate(messages)
        )
        # What app.repos.postings.save and app.repos.chats.refresh keep from what was written above
        # (test_analytics_stored checks they do).
        s.flush()
        shipped.refresh(s, ["P1-1", "P2-1", "P3-1", "P4-1", "P5-1", "P6-1", "P7-1"])
        chat_waits.rebuild(s, ["A", "B", "C", "D"])
        returned = [
            (1, 1001, 1, "Брак", at(3, 12), "P1-1"),
            (2, 1001, 1, "Брак", at(4, 12), "P2-1"),
            (3, 1002, 2, "Не подошёл размер", at(5, 12), "P4-1"),
            (4, 1001, 1, "Передумал", at(20, 12, month=10), "P5-1"),
        ]
        s.add_all(
            ReturnRow(
                kind="fbs",
                return_id=i,
                sku=sku,
                quantity=q,
                reason=why,
                created_at=t,
                posting_number=p,
                price=Decimal("1"),
                offer_id=f"PD-{sku}",
                product_name=f"Товар {sku}",
            )
            for i, sku, q, why, t, p in returned
        )
        rated = [(5, at(1, 10)), (4, at(2, 10)), (2, at(3, 21, 30)), (3, at(7, 21, 30)), (0, at(2, 11))]
        s.add_all(ReviewRow(review_id=f"r{i}", rating=r, published_at=t) for i, (r, t) in enumerate(rated))
    return ctx


def _read(ctx: AppContext, fn, wanted: Period):  # type: ignore[no-untyped-def]
    with ctx.db.read() as s:
        return fn(s, wanted)


def test_orders_and_revenue_by_local_day(data: AppContext) -> None:
    figure = _read(data, orders.orders_by_day, period())
    by_day = {d.day: (d.orders, d.cancelled, d.revenue) for d in figure.days}
    assert len(figure.days) == 7
    assert by_day[date(2026, 11, 1)] == (1, 0, Decimal("251.00"))
    assert by_day[date(2026, 11, 2)] == (2, 1, Decimal("300.00"))
    assert by_day[date(2026, 11, 3)] == (1, 0, Decimal("30.00"))
    assert by_day[date(2026, 11, 4)] == (0, 0, Decimal("0.00"))
    assert by_day[date(2026, 11, 7)] == (1, 0, Decimal("5.55"))
    assert (figure.orders, figure.cancelled, figure.revenue) == (5, 1, Decimal("586.55"))
    only = _read(data, orders.orders_by_day, period(6))
    assert (only.orders, only.revenue) == (1, Decimal("30.00"))


def test_the_day_follows_the_sellers_time_zone(data: AppContext) -> None:
    utc = Period(date(2026, 11, 1), date(2026, 11, 7), None, UTC, NOW)
    by_day = {d.day: d.orders for d in _read(data, orders.orders_by_day, utc).days}
    # In UTC P1 and P2 fall on 1 Nov, P7 (00:00 on 8 Nov in Moscow) on 7 Nov, P5 stays on 31 Oct.
    assert by_day[date(2026, 11, 1)] == 2
    assert by_day[date(2026, 11, 7)] == 2
    shanghai = Period(date(2026, 11, 1), date(2026, 11, 1), None, ZoneInfo("Asia/Shanghai"), NOW)
    # UTC+8: P5 (04:59 on 1 Nov) and P1, P2 (04:30, 05:30 on 2 Nov) — only P5 is on 1 Nov.
    assert _read(data, orders.orders_by_day, shanghai).orders == 1


def test_shipped_on_time_and_order_to_ship(data: AppContext) -> None:
    figure = _read(data, shipping.shipping, period())
    by_day = {d.day: (d.on_time, d.late) for d in figure.days if d.on_time or d.late}
    assert by_day == {date(2026, 11, 2): (1, 0), date(2026, 11, 3): (0, 1), date(2026, 11, 4): (0, 1)}
    assert by_day[date(2026, 11, 3)] == (0, 1)  # P2 handed over an hour late
    assert (figure.on_time, figure.late, figure.pending) == (1, 2, 1)
    assert figure.on_time_share == pytest.approx(1 / 3)
    assert figure.measured == 3
    assert figure.median_to_ship == timedelta(minutes=1500)
    assert figure.p90_to_ship == timedelta(minutes=2190)
    only = _read(data, shipping.shipping, period(6))
    assert (only.on_time, only.late, only.pending, only.median_to_ship) == (0, 1, 0, timedelta(minutes=1500))


def test_packing_errors_per_packer(data: AppContext) -> None:
    rows = _read(data, packing.packing_errors, period())
    assert [(r.user, r.packed, r.refused_scans, r.overrides, r.per_100) for r in rows] == [
        ("anna", 1, 1, 0, 100.0),
        ("boris", 1, 1, 1, 200.0),
    ]
    assert [r.user for r in _read(data, packing.packing_errors, period(6))] == ["boris"]


def test_chat_first_reply(data: AppContext) -> None:
    figure = _read(data, chats.first_replies, period())
    assert (figure.waits, figure.within_24h, figure.open_in_time) == (3, 1, 1)
    assert figure.within_24h_share == pytest.approx(1 / 3)
    assert (figure.median, figure.p90) == (timedelta(minutes=120), timedelta(minutes=1500))
    by_day = {d.day: (d.waits, d.within_24h, d.median) for d in figure.days if d.waits}
    assert by_day == {
        date(2026, 11, 1): (1, 1, timedelta(minutes=120)),
        date(2026, 11, 2): (1, 0, timedelta(minutes=1500)),
        date(2026, 11, 4): (1, 0, None),
    }
    only = _read(data, chats.first_replies, period(6))
    assert (only.waits, only.open_in_time) == (0, 1)


def test_returns_by_product(data: AppContext) -> None:
    figure = _read(data, returns.returns_by_product, period())
    assert [(p.sku, p.sold, p.returned, p.top_reason) for p in figure.products] == [
        (1001, 3, 2, "Брак"),
        (1002, 4, 2, "Не подошёл размер"),
    ]
    assert figure.products[0].rate == pytest.approx(2 / 3)
    assert [(r.reason, r.returns) for r in figure.reasons] == [("Брак", 2), ("Не подошёл размер", 1)]
    assert (figure.sold, figure.returned, figure.rate) == (8, 4, 0.5)
    only = _read(data, returns.returns_by_product, period(6))
    assert [(p.sku, p.sold, p.returned) for p in only.products] == [(1002, 3, 2)]


def test_rating_by_week(data: AppContext) -> None:
    figure = _read(data, reviews.rating_by_week, period())
    # 1 Nov is a Sunday: the week of 26 Oct holds it alone; 3 Nov 21:30 UTC is 4 Nov in Moscow.
    assert [(w.week, w.reviews, w.average) for w in figure.weeks] == [
        (date(2026, 10, 26), 1, 5.0),
        (date(2026, 11, 2), 2, 3.0),
    ]
    assert (figure.reviews, figure.average) == (3, pytest.approx(11 / 3))


def test_an_empty_period_reads_zeros(ctx: AppContext) -> None:
    report = read_report(ctx.db, period())
    assert report.orders.orders == 0 and report.orders.revenue == 0
    assert report.shipping.on_time_share is None and report.shipping.median_to_ship is None
    assert report.replies.waits == 0 and report.packing == [] and report.returns.products == []
    assert report.rating.average is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({10: 1, 20: 1, 30: 1, 40: 1}, 0.5) == 20
    assert percentile({10: 9, 100: 1}, 0.9) == 10
    assert percentile({10: 9, 100: 2}, 0.9) == 100


TABLE = Table(
    "Заказы 订单",
    ["День", "Заказы", "Выручка, ₽", "商品"],
    [[date(2026, 11, 1), 3, Decimal("1234.50"), "Синий 蓝色"], [date(2026, 11, 2), 0, Decimal("0.00"), None]],
)


def test_csv_round_trip_keeps_cyrillic_and_chinese(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(TABLE, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [TABLE.headers, ["2026-11-01", "3", "1234.50", "Синий 蓝色"], ["2026-11-02", "0", "0.00", ""]]


def test_xlsx_round_trip_keeps_numbers_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx([TABLE, Table("Заказы 订单", ["a"], [[1]])], path)
    book = load_workbook(path)
    assert book.sheetnames == ["Заказы 订单", "Заказы 订单 (2)"]
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == TABLE.headers
    assert rows[1] == [datetime(2026, 11, 1), 3, 1234.5, "Синий 蓝色"]
    assert rows[2] == [datetime(2026, 11, 2), 0, 0, None]


def test_xlsx_keeps_text_as_text(tmp_path: Path) -> None:
    # product names and reasons come from Ozon: a control character (a pasted vertical tab) made the
    # export fail, and a name starting with "=" became a formula Excel runs
    path = tmp_path / "t.xlsx"
    names = ['=HYPERLINK("http://x.example","Чехол")', "Чехол\x0bчёрный"]
    write_xlsx(Table("Возвраты", ["Товар", "шт."], [[names[0], 1], [names[1], 2]]), path)
    sheet = load_workbook(path).worksheets[0]
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [(names[0], "s"), ("Чехол чёрный", "s")]
    assert [c.value for c in sheet["B"][1:]] == [1, 2]


def test_stored_total_follows_the_items_when_saved_resaved_and_cancelled(ctx: AppContext) -> None:
    from dataclasses import replace

    from app.repos import postings as postings_repo
    from tests.app.factories import NOW as SAVED_AT
    from tests.app.factories import posting

    def stored() -> int:
        with ctx.db.read() as s:
            return int(s.scalar(select(PostingRow.total).where(PostingRow.posting_number == "12345678-0001-1")) or 0)

    first = replace(
        posting(),
        products=(PostingItem(1001, "A", "a", 2, Decimal("199.99")), PostingItem(1002, "B", "b", 1, Decimal("0.05"))),
    )
    with ctx.db.write() as s:
        postings_repo.save(s, [first], SAVED_AT)
    assert stored() == 2 * 19999 + 5
    # Re-saved with other items (a split, a changed price): the total follows them.
    again = replace(first, products=(PostingItem(1003, "C", "c", 3, Decimal("1000")),))
    with ctx.db.write() as s:
        postings_repo.save(s, [again], SAVED_AT)
    assert stored() == 300000
    # Cancelled: the total stays what its items make; the revenue leaves the posting out by its status.
    cancelled = replace(again, status=PostingStatus.CANCELLED, in_process_at=at(2, 10))
    with ctx.db.write() as s:
        postings_repo.save(s, [cancelled], SAVED_AT)
    assert stored() == 300000
    figure = _read(ctx, orders.orders_by_day, period())
    assert (figure.orders, figure.cancelled, figure.revenue) == (1, 1, Decimal(0))
    with ctx.db.write() as s:
        postings_repo.save(s, [replace(cancelled, status=PostingStatus.DELIVERED)], SAVED_AT)
    assert _read(ctx, orders.orders_by_day, period()).revenue == Decimal("3000.00")


@pytest.mark.sqlite_only
def test_migration_fills_the_stored_total_of_cached_postings(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from app.context import open_context
    from app.db import migrate
    from app.db.engine import Database, sqlite_url

    db = Database(sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    command.upgrade(migrate._config(db), "0010")
    with db.write() as s:
        for number in ("7-1-1", "8-1-1"):
            s.execute(
                text(
                    "INSERT INTO postings (posting_number, order_number, order_id, status, substatus,"
                    " delivery_method_id, delivery_method_name, warehouse_id, warehouse_name, tpl_provider,"
                    " tpl_integration_type, tracking_number, is_express, customer_name, city, address, pvz_code,"
                    " upper_barcode, lower_barcode, scanit, parent_posting_number, cancel_reason,"
                    " available_actions, requirements, is_multibox, multi_box_qty, search_text) VALUES (:n, '7-1',"
                    " 7, 'delivered', '', 0, '', 0, '', '', 'ozon', '', 0, '', '', '', '', '', '', '', '', '', '',"
                    " '{}', 0, 1, '')"
                ),
                {"n": number},
            )
        for position, qty, price in ((0, 2, "199.99"), (1, 1, "0.05"), (2, 3, "1000")):
            s.execute(
                text(
                    "INSERT INTO posting_items (posting_number, position, sku, offer_id, name, quantity, price,"
                    " currency) VALUES ('7-1-1', :p, 1, '', '', :q, :c, 'RUB')"
                ),
                {"p": position, "q": qty, "c": price},
            )
        for when, kind in (
            ("2026-11-02 09:00:00.000000", "packed"),
            ("2026-11-02 08:00:00.000000", "packed"),
            ("2026-11-02 07:00:00.000000", "scan_item"),
        ):
            s.execute(
                text(
                    "INSERT INTO posting_events (posting_number, at, kind, detail, user)"
                    " VALUES ('7-1-1', :a, :k, '', '')"
                ),
                {"a": when, "k": kind},
            )
    db.dispose()
    ctx = open_context(str(tmp_path))
    try:
        with ctx.db.read() as s:
            totals = {n: t for n, t in s.execute(select(PostingRow.posting_number, PostingRow.total))}
        assert totals == {"7-1-1": 2 * 19999 + 5 + 300000, "8-1-1": 0}
        with ctx.db.read() as s:
            packed = dict(s.execute(select(PostingRow.posting_number, PostingRow.packed_at)).tuples().all())
        assert packed == {"7-1-1": datetime(2026, 11, 2, 8, tzinfo=UTC), "8-1-1": None}
    finally:
        ctx.close()


def test_the_posting_keeps_its_first_packed_time(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        s.add(_posting("P1-1", at(1, 9), [(1001, 1, "1.00")]))
        s.flush()
        history.record(s, "P1-1", EventKind.SCAN_ITEM, at(1, 9, 30))
    with ctx.db.write() as s:
        history.record(s, "P1-1", EventKind.PACKED, at(1, 11))
    with ctx.db.write() as s:
        history.record(s, "P1-1", EventKind.PACKED, at(1, 12))  # packed again (a repack): still the first
        history.record(s, "P1-1", EventKind.PACKED, at(1, 10))  # an earlier one written late
    with ctx.db.read() as s:
        assert s.scalar(select(PostingRow.packed_at)) == at(1, 10)
