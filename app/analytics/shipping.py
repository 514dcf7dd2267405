"""Shipped on time or late against Ozon's ship-by time (`shipment_date`), and how long from order to ship.

"Shipped" is the earlier of two timestamps the cache has:

* the first PACKED event of the posting's history: the desk ran Ozon's ship action ("собрать",
  /v4/posting/fbs/ship) then; it is the action `shipment_date` is the deadline for;
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
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.analytics.orders import is_cancelled
from app.analytics.period import Period, bucket_expr, by_local_day, in_period, percentile, seconds_between, share
from app.db.tables import PostingEventRow, PostingRow
from app.history import EventKind


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


def _first_packed() -> Any:
    """The first PACKED event of each posting: one grouped read of the index
    ix_posting_events_kind_at, joined once (a per-row lookup repeated in every CASE cost minutes)."""
    e = PostingEventRow
    return (
        select(e.posting_number.label("number"), func.min(e.at).label("packed"))
        .where(e.kind == EventKind.PACKED.value)
        .group_by(e.posting_number)
        .subquery("first_packed")
    )


def _where(period: Period) -> list[ColumnElement[bool]]:
    where = [in_period(PostingRow.shipment_date, period), ~is_cancelled()]
    if period.warehouse_id is not None:
        where.append(PostingRow.warehouse_id == period.warehouse_id)
    return where


def shipping(session: Session, period: Period) -> ShippingFigure:
    packed = _first_packed()
    handed = PostingRow.delivering_date
    inner = (
        select(
            PostingRow.shipment_date.label("due"),
            PostingRow.in_process_at.label("ordered"),
            case(
                (packed.c.packed.is_(None), handed),
                (handed.is_(None), packed.c.packed),
                (packed.c.packed < handed, packed.c.packed),
                else_=handed,
            ).label("shipped"),
        )
        .select_from(PostingRow)
        .outerjoin(packed, packed.c.number == PostingRow.posting_number)
        .where(*_where(period))
    )
    # Read once (a CTE both halves of the statement use is materialised once, SQLite and PostgreSQL).
    s = inner.cte("due")
    shipped = s.c.shipped
    bucket = bucket_expr(session, s.c.due)
    on_time = and_(shipped.is_not(None), shipped <= s.c.due)
    late = or_(shipped > s.c.due, and_(shipped.is_(None), s.c.due < period.as_of))
    counts = select(
        literal(0).label("part"),
        bucket.label("key"),
        func.sum(case((on_time, 1), else_=0)).label("a"),
        func.sum(case((late, 1), else_=0)).label("b"),
        func.sum(case((on_time | late, 0), else_=1)).label("c"),
    ).group_by(bucket)
    minutes = func.round(seconds_between(session, s.c.ordered, shipped) / 60.0)
    spread = (
        select(literal(1), minutes, func.count(), literal(0), literal(0))
        .where(shipped.is_not(None), s.c.ordered.is_not(None), shipped >= s.c.ordered)
        .group_by(minutes)
    )
    rows: list[tuple[int, int, int, int]] = []
    histogram: dict[int, int] = {}
    for part, key, a, b, c in session.execute(union_all(counts, spread)).tuples():
        if int(part) == 0:
            rows.append((int(key), int(a or 0), int(b or 0), int(c or 0)))
        else:
            histogram[int(key)] = histogram.get(int(key), 0) + int(a)
    per_day = by_local_day(period, ((b, t, lt) for b, t, lt, _p in rows))
    pending = sum(p for *_r, p in rows)
    days = [DayShipping(d, int(v[0]), int(v[1])) for d in period.days for v in [per_day.get(d, [0.0, 0.0])]]
    median, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
    return ShippingFigure(
        days,
        pending,
        None if median is None else timedelta(minutes=median),
        None if p90 is None else timedelta(minutes=p90),
        sum(histogram.values()),
    )
