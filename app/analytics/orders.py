"""Orders and revenue by local day.

An order here is a posting (what the seller packs), counted on the local day Ozon took it into work
(`in_process_at`). Revenue is the sum of item price × quantity of the postings not cancelled (the
status the seller sees: a cancellation still in the outbox counts as cancelled), a sum per currency
(a posting's currency is its items': app.repos.postings.posting_currency); roubles and yuan never add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_sums_by, in_period
from app.db.tables import PostingRow
from app.domain.money import HOME_CURRENCY, ordered_currencies
from app.domain.postings import PostingStatus
from app.orders.query import shown_status_expr

CANCELLED = (PostingStatus.CANCELLED.value, PostingStatus.CANCELLED_FROM_SPLIT_PENDING.value)


@dataclass(frozen=True, slots=True)
class DayOrders:
    day: date
    orders: int  # postings taken into work that day
    cancelled: int  # of them, cancelled since
    revenues: Mapping[str, Decimal]  # of the others, by currency (every currency of the figure)

    @property
    def revenue(self) -> Decimal:
        """The revenue when the postings are priced in one currency (else read `revenues`)."""
        return _only(self.revenues)


@dataclass(frozen=True, slots=True)
class OrdersFigure:
    days: list[DayOrders]  # every day of the period, zeros included
    currencies: list[str]  # of the postings in the period, the home currency first (it alone when none)

    @property
    def orders(self) -> int:
        return sum(d.orders for d in self.days)

    @property
    def cancelled(self) -> int:
        return sum(d.cancelled for d in self.days)

    @property
    def revenues(self) -> dict[str, Decimal]:
        return {c: sum((d.revenues[c] for d in self.days), Decimal(0)) for c in self.currencies}

    @property
    def revenue(self) -> Decimal:
        """The revenue when the postings are priced in one currency (else read `revenues`)."""
        return _only(self.revenues)


def _only(revenues: Mapping[str, Decimal]) -> Decimal:
    if len(revenues) > 1:
        raise ValueError(f"revenue in several currencies ({', '.join(revenues)}): read it by currency")
    return next(iter(revenues.values()), Decimal(0))


def posting_filter(period: Period) -> list[ColumnElement[bool]]:
    """Postings taken into work in the period, in its warehouse."""
    where = [in_period(PostingRow.in_process_at, period)]
    if period.warehouse_id is not None:
        where.append(PostingRow.warehouse_id == period.warehouse_id)
    return where


def is_cancelled() -> ColumnElement[bool]:
    return shown_status_expr().in_(CANCELLED)


def orders_by_day(session: Session, period: Period) -> OrdersFigure:
    """Counts and revenue a local day at a time from the postings alone (their stored `total` and
    `currency`), read from the index ix_postings_ordered."""
    cancelled = is_cancelled()
    where = [] if period.warehouse_id is None else [PostingRow.warehouse_id == period.warehouse_id]
    sums = day_sums_by(
        session,
        period,
        PostingRow.in_process_at,
        PostingRow.currency,
        [
            func.count(),
            func.sum(case((cancelled, 1), else_=0)),
            func.sum(case((cancelled, 0), else_=PostingRow.total)),
        ],
        where,
    )
    currencies = ordered_currencies(c for by_currency in sums.values() for c in by_currency) or [HOME_CURRENCY]
    days = []
    for day in period.days:
        found = sums.get(day, {})
        orders = sum(v[0] for v in found.values())
        cancelled_n = sum(v[1] for v in found.values())
        revenues = {c: Decimal(found.get(c, [0, 0, 0])[2]).scaleb(-2) for c in currencies}
        days.append(DayOrders(day, orders, cancelled_n, revenues))
    return OrdersFigure(days, currencies)
