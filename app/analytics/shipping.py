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

from sqlalchemy import ColumnElement, case, false, func, select, true
from sqlalchemy.orm import Session

from app.analytics.period import Period, day_sums, in_period, percentile, share
from app.db.analytics_tables import NOT_CANCELLED
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


def shipping(session: Session, period: Period) -> ShippingFigure:
    """Counts from two partial indexes of the postings not cancelled, never a row read: on time and late
    a local day at a time (ix_postings_shipped), the order-to-ship minutes in their order
    (ix_postings_ship_minutes). Both are stored on the posting (app.repos.shipped)."""
    p = PostingRow
    where: list[ColumnElement[bool]] = (
        [NOT_CANCELLED] if period.warehouse_id is None else [NOT_CANCELLED, p.warehouse_id == period.warehouse_id]
    )

    def per_day(*values: ColumnElement[int], late: ColumnElement[bool]) -> dict[date, list[int]]:
        return day_sums(session, period, p.shipment_date, values, [late, *where])

    on_time = per_day(func.count(), late=p.shipped_late == false())
    late = per_day(func.count(), late=p.shipped_late == true())
    # Not shipped: late once the ship-by time has passed, else still in time.
    overdue = case((p.shipment_date < period.as_of, 1), else_=0)
    waiting = per_day(func.sum(overdue), func.count(), late=p.shipped_late.is_(None))
    histogram = _minutes(session, period, where)
    days = []
    pending = 0
    for d in period.days:
        overdue_n, unshipped = waiting.get(d, [0, 0])
        pending += unshipped - overdue_n
        days.append(DayShipping(d, on_time.get(d, [0])[0], late.get(d, [0])[0] + overdue_n))
    median, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
    return ShippingFigure(
        days,
        pending,
        None if median is None else timedelta(minutes=median),
        None if p90 is None else timedelta(minutes=p90),
        sum(histogram.values()),
    )


def _minutes(session: Session, period: Period, where: list[ColumnElement[bool]]) -> dict[int, int]:
    """{order-to-ship minutes: postings} of the postings due in the period, from ix_postings_ship_minutes
    alone: a loose scan finds each distinct value with one seek (a recursive query), and the postings of
    a value due in the period are a range of the index, counted without reading a row."""
    p = PostingRow
    first = select(func.min(p.ship_minutes).label("minutes")).where(NOT_CANCELLED, p.ship_minutes.is_not(None))
    values = first.cte("ship_minutes", recursive=True)
    following = select(func.min(p.ship_minutes)).where(NOT_CANCELLED, p.ship_minutes > values.c.minutes)
    values = values.union_all(select(following.scalar_subquery()).where(values.c.minutes.is_not(None)))
    due = select(func.count()).where(
        NOT_CANCELLED, p.ship_minutes == values.c.minutes, in_period(p.shipment_date, period), *where[1:]
    )
    stmt = select(values.c.minutes, due.scalar_subquery()).where(values.c.minutes.is_not(None))
    return {int(m): int(n) for m, n in session.execute(stmt).tuples() if n}
