"""Orders and revenue by local day.

An order here is a posting (what the seller packs), counted on the local day Ozon took it into work
(`in_process_at`). Revenue is the sum of item price × quantity of the postings not cancelled (the
status the seller sees: a cancellation still in the outbox counts as cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from app.analytics.period import Period, bucket_expr, by_local_day, in_period
from app.db.tables import PostingItemRow, PostingRow
from app.domain.postings import PostingStatus
from app.orders.query import shown_status_expr

CANCELLED = (PostingStatus.CANCELLED.value, PostingStatus.CANCELLED_FROM_SPLIT_PENDING.value)


@dataclass(frozen=True, slots=True)
class DayOrders:
    day: date
    orders: int  # postings taken into work that day
    cancelled: int  # of them, cancelled since
    revenue: Decimal  # of the others


@dataclass(frozen=True, slots=True)
class OrdersFigure:
    days: list[DayOrders]  # every day of the period, zeros included

    @property
    def orders(self) -> int:
        return sum(d.orders for d in self.days)

    @property
    def cancelled(self) -> int:
        return sum(d.cancelled for d in self.days)

    @property
    def revenue(self) -> Decimal:
        return sum((d.revenue for d in self.days), Decimal(0))


def posting_filter(period: Period) -> list[ColumnElement[bool]]:
    """Postings taken into work in the period, in its warehouse."""
    where = [in_period(PostingRow.in_process_at, period)]
    if period.warehouse_id is not None:
        where.append(PostingRow.warehouse_id == period.warehouse_id)
    return where


def is_cancelled() -> ColumnElement[bool]:
    return shown_status_expr().in_(CANCELLED)


def kopecks_expr() -> ColumnElement[int]:
    """An item line's price × quantity in kopecks, exact (prices are stored as decimal strings)."""
    return cast(func.round(PostingItemRow.price * 100), Integer) * PostingItemRow.quantity


def orders_by_day(session: Session, period: Period) -> OrdersFigure:
    bucket = bucket_expr(session, PostingRow.in_process_at).label("b")
    cancelled = is_cancelled()
    counts = (
        select(bucket, func.count(), func.sum(case((cancelled, 1), else_=0)))
        .where(*posting_filter(period))
        .group_by(bucket)
    )
    money = (
        select(bucket, func.sum(kopecks_expr()))
        .join(PostingItemRow, PostingItemRow.posting_number == PostingRow.posting_number)
        .where(*posting_filter(period), ~cancelled)
        .group_by(bucket)
    )
    numbers = by_local_day(period, session.execute(counts).tuples())
    revenue = by_local_day(period, session.execute(money).tuples())
    days = []
    for day in period.days:
        orders, cancelled_n = numbers.get(day, [0.0, 0.0])
        kopecks = revenue.get(day, [0.0])[0]
        days.append(DayOrders(day, int(orders), int(cancelled_n), Decimal(int(kopecks)).scaleb(-2)))
    return OrdersFigure(days)
