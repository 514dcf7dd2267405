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
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_sums, in_period
from app.db import analytics_tables as stored
from app.db.tables import PostingRow
from app.domain.money import HOME_CURRENCY, ordered_currencies


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


def orders_by_day(session: Session, period: Period) -> OrdersFigure:
    """Counted a local day at a time from partial indexes alone: the postings cancelled (ix_postings_cancelled),
    the others with their stored `total` (ix_postings_revenue); a sum per currency only when the period
    has postings in another currency than the home one (ix_postings_foreign_currency)."""
    p = PostingRow
    where = [] if period.warehouse_id is None else [p.warehouse_id == period.warehouse_id]
    foreign = session.scalars(
        select(p.currency).where(stored.FOREIGN_CURRENCY, in_period(p.in_process_at, period), *where).distinct()
    ).all()
    currencies = ordered_currencies([HOME_CURRENCY, *foreign])
    cancelled = day_sums(session, period, p.in_process_at, [func.count()], [stored.CANCELLED, *where])
    if foreign:
        values: list[ColumnElement[Any]] = [func.count()]
        for currency in currencies:
            values += [
                func.sum(case((p.currency == currency, 1), else_=0)),
                func.sum(case((p.currency == currency, p.total), else_=0)),
            ]
    else:
        values = [func.count(), func.count(), func.sum(p.total)]
    kept = day_sums(session, period, p.in_process_at, values, [stored.NOT_CANCELLED, *where])
    # [count, then count and revenue of each currency]; a currency the period has no posting in is left out.
    column = {c: 1 + 2 * n for n, c in enumerate(currencies) if any(v[1 + 2 * n] for v in kept.values())}
    shown = list(column) or [HOME_CURRENCY]
    empty = [0] * (1 + 2 * len(currencies))
    days = []
    for day in period.days:
        found = kept.get(day, empty)
        n = cancelled.get(day, [0])[0]
        revenues = {c: Decimal(found[column[c] + 1] if c in column else 0).scaleb(-2) for c in shown}
        days.append(DayOrders(day, found[0] + n, n, revenues))
    return OrdersFigure(days, shown)
