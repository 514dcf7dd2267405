"""SQL behind the orders table: the ordered list of posting numbers, and rows fetched by number.

No Qt here. Filtering and sorting happen in SQL; the model keeps only the ids (Anki's browser
table shape). Rows come back as small frozen dataclasses, never ORM objects.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.db.tables import PostingItemRow, PostingRow


class Column(enum.IntEnum):
    POSTING = 0
    ORDER = 1
    STATUS = 2
    SHIP_BY = 3
    DELIVERY = 4
    ITEMS = 5
    CITY = 6
    TRACKING = 7


# Statuses in which the seller still has to pack and hand over: the ship-by clock runs.
NOT_SHIPPED = frozenset({"awaiting_packaging", "awaiting_approve"})
SOON = timedelta(hours=24)


class Urgency(enum.Enum):
    NONE = 0
    SOON = 1  # ship-by within 24 h
    OVERDUE = 2  # ship-by passed


@dataclass(frozen=True, slots=True)
class OrderRow:
    posting_number: str
    order_number: str
    status: str
    local_status: str | None
    shipment_date: datetime | None
    delivery_method: str
    item_count: int
    city: str
    customer_name: str
    address: str
    tracking_number: str
    is_express: bool

    @property
    def shown_status(self) -> str:
        """What the seller sees: the target of a pending action, else Ozon's status."""
        return self.local_status or self.status

    @property
    def pending_sync(self) -> bool:
        return self.local_status is not None

    def urgency(self, now: datetime) -> Urgency:
        if self.shipment_date is None or self.shown_status not in NOT_SHIPPED:
            return Urgency.NONE
        if self.shipment_date < now:
            return Urgency.OVERDUE
        if self.shipment_date - now < SOON:
            return Urgency.SOON
        return Urgency.NONE


def shown_status_expr() -> ColumnElement[str]:
    return func.coalesce(PostingRow.local_status, PostingRow.status)


def _item_count_expr() -> Any:
    return (
        select(func.coalesce(func.sum(PostingItemRow.quantity), 0))
        .where(PostingItemRow.posting_number == PostingRow.posting_number)
        .scalar_subquery()
    )


def _sort_key(column: Column) -> Any:
    return {
        Column.POSTING: PostingRow.posting_number,
        Column.ORDER: PostingRow.order_number,
        Column.STATUS: shown_status_expr(),
        Column.SHIP_BY: PostingRow.shipment_date,
        Column.DELIVERY: PostingRow.delivery_method_name,
        Column.ITEMS: _item_count_expr(),
        Column.CITY: PostingRow.city,
        Column.TRACKING: PostingRow.tracking_number,
    }[column]


def posting_numbers(
    session: Session,
    statuses: Collection[str] | None = None,
    sort: Column = Column.SHIP_BY,
    descending: bool = False,
) -> list[str]:
    """Posting numbers whose shown status is one of `statuses` (None = all), in display order.

    Postings without a ship-by date go last.
    """
    key = _sort_key(sort)
    order: list[Any] = []
    if sort is Column.SHIP_BY:
        order.append(PostingRow.shipment_date.is_(None))
    order.append(key.desc() if descending else key.asc())
    # A stable tie-break keeps rows from jumping around between refreshes.
    order.append(PostingRow.posting_number.desc() if descending else PostingRow.posting_number.asc())
    stmt = select(PostingRow.posting_number).order_by(*order)
    if statuses is not None:
        stmt = stmt.where(shown_status_expr().in_(sorted(statuses)))
    return list(session.scalars(stmt))


def rows(session: Session, numbers: Sequence[str]) -> dict[str, OrderRow]:
    """The rows for these posting numbers (missing ones are simply absent)."""
    if not numbers:
        return {}
    counts: dict[str, int] = {
        number: int(total or 0)
        for number, total in session.execute(
            select(PostingItemRow.posting_number, func.sum(PostingItemRow.quantity))
            .where(PostingItemRow.posting_number.in_(numbers))
            .group_by(PostingItemRow.posting_number)
        ).tuples()
    }
    result: dict[str, OrderRow] = {}
    stmt = select(
        PostingRow.posting_number,
        PostingRow.order_number,
        PostingRow.status,
        PostingRow.local_status,
        PostingRow.shipment_date,
        PostingRow.delivery_method_name,
        PostingRow.city,
        PostingRow.customer_name,
        PostingRow.address,
        PostingRow.tracking_number,
        PostingRow.is_express,
    ).where(PostingRow.posting_number.in_(numbers))
    for r in session.execute(stmt):
        result[r.posting_number] = OrderRow(
            posting_number=r.posting_number,
            order_number=r.order_number,
            status=r.status,
            local_status=r.local_status,
            shipment_date=r.shipment_date,
            delivery_method=r.delivery_method_name,
            item_count=counts.get(r.posting_number, 0),
            city=r.city,
            customer_name=r.customer_name,
            address=r.address,
            tracking_number=r.tracking_number,
            is_express=bool(r.is_express),
        )
    return result


def status_counts(session: Session) -> dict[str, int]:
    """How many postings show each status (for the filter's labels)."""
    expr = shown_status_expr()
    return {status: n for status, n in session.execute(select(expr, func.count()).group_by(expr)).tuples()}
