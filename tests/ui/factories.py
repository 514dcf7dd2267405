"""Test data for GUI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from sqlalchemy import update

from app.context import AppContext
from app.db.tables import PostingRow
from app.domain.postings import Posting, PostingItem, PostingStatus
from app.repos import postings

NOW = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)


@dataclass
class FixedClock:
    moment: datetime = NOW

    def now(self) -> datetime:
        return self.moment


def make_posting(n: int, *, ship_in: timedelta | None = timedelta(days=2), **overrides: Any) -> Posting:
    values: dict[str, Any] = {
        "posting_number": f"{40000000 + n}-0001-1",
        "order_number": f"{40000000 + n}-0001",
        "order_id": 1000 + n,
        "status": PostingStatus.AWAITING_PACKAGING,
        "substatus": "posting_created",
        "shipment_date": None if ship_in is None else NOW + ship_in,
        "in_process_at": NOW - timedelta(hours=3),
        "delivery_method_id": 21,
        "delivery_method_name": "Ozon Логистика курьеру, Москва",
        "warehouse_id": 7,
        "warehouse_name": "Склад Подольск",
        "tpl_provider": "Ozon Логистика",
        "tpl_integration_type": "ozon",
        "tracking_number": "",
        "customer_name": "Иван Петров",
        "city": "Москва",
        "address": "ул. Ленина, д. 1",
        "products": (PostingItem(1_000_000 + n, f"SKU-{n}", "Кружка керамическая 350 мл", 1, Decimal("499.00")),),
    }
    values.update(overrides)
    return Posting(**values)


def save(ctx: AppContext, items: list[Posting]) -> None:
    with ctx.db.write() as session:
        postings.save(session, items, NOW)


def set_local_status(ctx: AppContext, posting_number: str, local_status: str | None) -> None:
    """What a workflow does next to its outbox entry (the 'pending sync' mark)."""
    with ctx.db.write() as session:
        session.execute(
            update(PostingRow).where(PostingRow.posting_number == posting_number).values(local_status=local_status)
        )


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The table's item at (row, column), which the test expects to be there."""
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item
