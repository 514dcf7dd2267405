"""Analytics at scale: 1,000,000 postings over 12 months, with their items, history, chats, returns, reviews.

Target (issue 12): each figure of the Analytics page for 12 months under 500 ms, every warehouse and one
warehouse. The cache is filled with bulk INSERT … SELECT over a counter (seconds, not an hour of ORM
inserts); each figure is the median of five runs, as the page reads it (app.analytics).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

POSTINGS = 1_000_000
CHATS = 100_000
RETURNS = 30_000
REVIEWS = 100_000
TARGET_MS = 500.0
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

_TS = "strftime('%Y-%m-%d %H:%M:%S', {x}, 'unixepoch') || '.000000'"


def _ts(seconds_expr: str) -> str:
    return _TS.format(x=seconds_expr)


def _median(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _counter(n: int) -> str:
    return f"WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < {n - 1}) "


def _fill(session: Any) -> None:
    now = int(NOW.timestamp())
    span = 365 * 86400
    step = span / POSTINGS
    t = f"({now} - {span} + CAST(i * {step} AS INTEGER))"
    session.execute(
        text(
            _counter(POSTINGS) + "INSERT INTO postings (posting_number, order_number, order_id, status, substatus, "
            "shipment_date, in_process_at, delivering_date, delivery_method_id, delivery_method_name, warehouse_id, "
            "warehouse_name, tpl_provider, tpl_integration_type, tracking_number, is_express, customer_name, city, "
            "address, pvz_code, upper_barcode, lower_barcode, scanit, parent_posting_number, cancel_reason, "
            "available_actions, requirements, is_multibox, multi_box_qty, search_text) "
            f"SELECT printf('%08d-0001-1', i), printf('%08d-0001', i), i, "
            "CASE WHEN i % 33 = 0 THEN 'cancelled' WHEN i % 97 = 0 THEN 'awaiting_packaging' ELSE 'delivered' END, "
            f"'', {_ts(t + ' + 86400 + (i % 7) * 3600')}, {_ts(t)}, "
            f"CASE WHEN i % 5 = 0 THEN NULL ELSE {_ts(t + ' + 3600 * (i % 41)')} END, "
            "77, 'Ozon, Софьино', 5 + i % 3, 'Склад ' || (5 + i % 3), 'Доставка Ozon', 'ozon', '', 0, "
            "'Иван Петров', 'Казань', 'г. Казань, ул. Баумана, д. ' || (i % 90), '', '', '', '', '', '', "
            "'', '{}', 0, 1, printf('%08d-0001-1 товар синий pd-%d', i, i % 3000) FROM c"
        )
    )
    items = (
        "INSERT INTO posting_items (posting_number, position, sku, offer_id, name, quantity, price, currency) "
        "SELECT printf('%08d-0001-1', i), {pos}, 1000000 + (i * {mul}) % 3000, 'PD-' || ((i * {mul}) % 3000), "
        "'Товар синий', 1 + i % 3, printf('%d.%02d', 199 + i % 1000, i % 100), 'RUB' FROM c WHERE {where}"
    )
    session.execute(text(_counter(POSTINGS) + items.format(pos=0, mul=1, where="1")))
    session.execute(text(_counter(POSTINGS) + items.format(pos=1, mul=7, where="i % 2 = 0")))
    # Each posting's stored total, as app.repos.postings.save stores it.
    session.execute(
        text(
            "UPDATE postings SET total = (SELECT coalesce(sum(CAST(round(i.price * 100) AS INTEGER) * i.quantity), 0)"
            " FROM posting_items i WHERE i.posting_number = postings.posting_number)"
        )
    )
    # History of the postings packed at the desk (four in five): scans, PACKED, the ship action; some refused
    # scans and overrides, four packers.
    events = (
        "INSERT INTO posting_events (posting_number, at, kind, detail, user) "
        "SELECT printf('%08d-0001-1', i), {at}, '{kind}', '', 'packer' || (i % 4) FROM c WHERE i % 5 <> 0 AND {where}"
    )
    for kind, offset, where in (
        ("scan_posting", 3000, "1"),
        ("scan_item", 3100, "1"),
        ("scan_refused", 3050, "i % 17 = 0"),
        ("override", 3150, "i % 89 = 0"),
        ("packed", 3200, "1"),
        ("action_queued", 3200, "1"),
    ):
        at = _ts(f"{t} + {offset} * (1 + i % 11)")
        session.execute(text(_counter(POSTINGS) + events.format(at=at, kind=kind, where=where)))
    session.execute(
        text(
            _counter(CHATS) + "INSERT INTO chats (chat_id, chat_type, is_open, created_at, unread_count, "
            "last_message_id, posting_number, order_number, preview, search_text) "
            f"SELECT 'chat-' || i, 'BUYER_SELLER', 1, {_ts(f'{now} - {span} + i * 315')}, 0, '', "
            "printf('%08d-0001-1', i * 10), '', '', '' FROM c"
        )
    )
    for n, (author, offset) in enumerate((("customer", 0), ("customer", 60), ("seller", 7200), ("customer", 9000))):
        extra = " + (i % 50) * 3600" if author == "seller" else ""
        session.execute(
            text(
                _counter(CHATS) + "INSERT INTO chat_messages (message_id, chat_id, author, created_at, text, is_image, "
                "is_read, order_number, image_urls) "
                f"SELECT 'm{n}-' || i, 'chat-' || i, '{author}', "
                f"{_ts(f'{now} - {span} + i * 315 + {offset}{extra}')}, 'Здравствуйте', 0, 1, '', '[]' FROM c"
            )
        )
    session.execute(
        text(
            _counter(RETURNS) + "INSERT INTO returns (kind, return_id, posting_number, order_number, sku, offer_id, "
            "product_name, quantity, price, currency, status, status_name, reason, created_at, return_number, "
            "return_type, barcode, client_name, available_actions, rejection_reasons, details_status, status_group, "
            "place, buyer_comment, photos, stage, search_text) "
            "SELECT 'fbs', i, printf('%08d-0001-1', i * 33 + 1), '', 1000000 + (i * 33 + 1) % 3000, '', 'Товар', 1, "
            "'499.00', 'RUB', 'ReceivedBySeller', '', "
            "CASE i % 3 WHEN 0 THEN 'Не подошёл размер' WHEN 1 THEN 'Брак' ELSE 'Передумал' END, "
            f"{_ts(f'{now} - {span} + i * 1050')}, '', '', '', '', '[]', '[]', '', '', '', '', '[]', 'closed', '' "
            "FROM c"
        )
    )
    session.execute(
        text(
            _counter(REVIEWS)
            + "INSERT INTO reviews (review_id, sku, text, rating, published_at, status, order_status, "
            "comments_amount, photos_amount, search_text) "
            f"SELECT 'r' || i, 1000000 + i % 3000, '', 1 + (i * 7) % 5, {_ts(f'{now} - {span} + i * 315')}, "
            "'PROCESSED', '', 0, 0, '' FROM c"
        )
    )


def main() -> bool:
    from app.analytics import chats, orders, packing, returns, reviews, shipping
    from app.analytics.period import Period
    from app.context import open_context

    with tempfile.TemporaryDirectory() as temporary:
        # ANALYTICS_BENCH_DIR keeps the filled cache between runs (to try a query without a two-minute fill).
        folder = os.environ.get("ANALYTICS_BENCH_DIR") or temporary
        filled = (Path(folder) / "filled").exists()
        ctx = open_context(folder)
        try:
            start = time.perf_counter()
            if not filled:
                with ctx.db.write() as s:
                    _fill(s)
                with ctx.db.write() as s:
                    s.execute(text("ANALYZE"))
                (Path(folder) / "filled").touch()
            print(f"cached {POSTINGS:,} postings and their history in {time.perf_counter() - start:.1f} s")
            today = NOW.date()
            figures: list[tuple[str, Callable[[Any, Period], Any]]] = [
                ("orders and revenue by day", orders.orders_by_day),
                ("shipped on time, order to ship", shipping.shipping),
                ("packing errors per packer", packing.packing_errors),
                ("chat first-reply time", chats.first_replies),
                ("returns by product", returns.returns_by_product),
                ("rating by week", reviews.rating_by_week),
            ]
            ok = True
            for label, warehouse in (("12 months, every warehouse", None), ("12 months, one warehouse", 6)):
                period = Period(today - timedelta(days=364), today, warehouse, UTC, NOW)
                for name, fn in figures:

                    def run(fn: Callable[[Any, Period], Any] = fn, period: Period = period) -> Any:
                        with ctx.db.read() as s:
                            return fn(s, period)

                    ms = _median(run)
                    good = ms < TARGET_MS
                    ok &= good
                    print(f"{label:28} {name:32} {ms:8.1f} ms  {'ok' if good else 'SLOW'}")
            return ok
        finally:
            ctx.close()


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
