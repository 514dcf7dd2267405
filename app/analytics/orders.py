"""Orders and revenue by local day.

An order here is a posting (what the seller packs), counted on the local day Ozon took it into work
(`in_process_at`). Revenue is the sum of item price × quantity of the postings not cancelled (the
status the seller sees: a cancellation still in the outbox counts as cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_sums, in_period
from app.db.tables import PostingRow
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


def orders_by_day(session: Session, period: Period) -> OrdersFigure:
    """Counts and revenue a local day at a time from the postings alone (their stored `total`), read
    from the index ix_postings_ordered."""
    cancelled = is_cancelled()
    where = [] if period.warehouse_id is None else [PostingRow.warehouse_id == period.warehouse_id]
    sums = day_sums(
        session,
        period,
        PostingRow.in_process_at,
        [
            func.count(),
            func.sum(case((cancelled, 1), else_=0)),
            func.sum(case((cancelled, 0), else_=PostingRow.total)),
        ],
        where,
    )
    days = []
    for day in period.days:
        orders, cancelled_n, kopecks = sums.get(day, [0, 0, 0])
        days.append(DayOrders(day, orders, cancelled_n, Decimal(kopecks).scaleb(-2)))
    return OrdersFigure(days)
