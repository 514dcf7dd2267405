"""Shipped on time or late against Ozon's ship-by time (`shipment_date`), and how long from order to ship.

"Shipped" is the earlier of two timestamps the cache has:

* the first PACKED event of the posting's history (kept on the posting as `packed_at`): the desk ran
  Ozon's ship action ("собрать", /v4/posting/fbs/ship) then; it is the action `shipment_date` is the
  deadline for;
* `delivering_date`: Ozon's record of the posting passing to delivery. A posting packed elsewhere (the
  seller cabinet, another desk) has no PACKED event here; the handover comes no earlier than the ship
  action, so when it is on time the ship action was too.

The figure covers the postings whose ship-by time falls in the period (cancelled ones left out). On
time: shipped at or before `shipment_date`. Late: shipped after it, or not shipped and the ship-by time
has passed (as of the period's `now`). Not shipped with time left: neither. Order to ship runs from
`in_process_at` to "shipped" (median and 90th percentile, in minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.analytics.orders import is_cancelled
from app.analytics.period import Period, day_sums, in_period, percentile, share
from app.db.tables import PostingRow


@dataclass(frozen=True, slots=True)
class DayShipping:
    day: date  # local day of the ship-by time
    on_time: int
    late: int

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.on_time + self.late)


@dataclass(frozen=True, slots=True)
class ShippingFigure:
    days: list[DayShipping]
    pending: int  # not shipped yet, ship-by time still ahead
    median_to_ship: timedelta | None  # in_process_at → shipped
    p90_to_ship: timedelta | None
    measured: int  # shipped postings with both times known

    @property
    def on_time(self) -> int:
        return sum(d.on_time for d in self.days)

    @property
    def late(self) -> int:
        return sum(d.late for d in self.days)

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.on_time + self.late)


def _where(period: Period) -> list[ColumnElement[bool]]:
    where = [in_period(PostingRow.shipment_date, period), ~is_cancelled()]
    if period.warehouse_id is not None:
        where.append(PostingRow.warehouse_id == period.warehouse_id)
    return where


def shipping(session: Session, period: Period) -> ShippingFigure:
    """Two reads of the index ix_postings_due: the counts a local day at a time, the order-to-ship
    minutes in one pass (both stored on the posting: app.repos.shipped)."""
    shipped, due, minutes = PostingRow.shipped_at, PostingRow.shipment_date, PostingRow.ship_minutes
    on_time = shipped <= due
    late = or_(shipped > due, and_(shipped.is_(None), due < period.as_of))
    where = [] if period.warehouse_id is None else [PostingRow.warehouse_id == period.warehouse_id]
    per_day = day_sums(
        session,
        period,
        due,
        [
            func.sum(case((on_time, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
            func.sum(case((on_time | late, 0), else_=1)),
        ],
        [~is_cancelled(), *where],
    )
    spread = select(minutes, func.count()).where(*_where(period), minutes.is_not(None)).group_by(minutes)
    histogram = {int(m): int(n) for m, n in session.execute(spread).tuples()}
    days = [DayShipping(d, v[0], v[1]) for d in period.days for v in [per_day.get(d, [0, 0, 0])]]
    pending = sum(v[2] for v in per_day.values())
    median, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
    return ShippingFigure(
        days,
        pending,
        None if median is None else timedelta(minutes=median),
        None if p90 is None else timedelta(minutes=p90),
        sum(histogram.values()),
    )
