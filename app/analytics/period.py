"""The period a figure covers and the pieces every figure shares: local days, percentiles, filters.

A period is a range of the seller's local calendar days [start, end] (both included) in a time zone,
optionally one warehouse. A figure by day asks for each local day's range of UTC time (local midnight
to local midnight, `day_sums`/`day_groups`): exact for any zone, DST included, and each range read
from an index.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, literal, select, union_all
from sqlalchemy.orm import Session


def local_zone() -> tzinfo:
    """The computer's time zone: the seller's day is the day on the desk's clock."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # first local day
    end: date  # last local day (included)
    warehouse_id: int | None = None  # None = every warehouse
    tz: tzinfo = UTC
    now: datetime | None = None  # for "still waiting" figures; None = the period's end

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends before it starts")

    @property
    def start_utc(self) -> datetime:
        return local_midnight(self.start, self.tz)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period (the next day's local midnight)."""
        return local_midnight(self.end + timedelta(days=1), self.tz)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def as_of(self) -> datetime:
        return min(self.now, self.end_utc) if self.now is not None else self.end_utc

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def last_days(today: date, n: int, warehouse_id: int | None = None, tz: tzinfo = UTC) -> Period:
    """The last `n` local days, today included."""
    return Period(today - timedelta(days=n - 1), today, warehouse_id, tz)


# -- SQL pieces -------------------------------------------------------------------------------------


DAYS_A_STATEMENT = 100  # SQLite takes at most 500 SELECTs in one UNION ALL


def day_sums(
    session: Session,
    period: Period,
    column: Any,
    values: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[date, list[int]]:
    """`values` (aggregates) of the rows whose `column` falls in each local day of the period: one
    sub-query a day, each a range of an index on `column` (no per-row date arithmetic; exact for any
    zone, DST included). Days without rows come back as zeros."""
    found: dict[date, list[int]] = {}
    for days in chunks(period.days, DAYS_A_STATEMENT):
        parts = [
            select(literal(n), *values).where(
                column >= local_midnight(day, period.tz),
                column < local_midnight(day + timedelta(days=1), period.tz),
                *where,
            )
            for n, day in enumerate(days)
        ]
        for n, *sums in session.execute(union_all(*parts)).tuples():
            found[days[int(n)]] = [int(v or 0) for v in sums]
    return found


def day_groups(
    session: Session,
    period: Period,
    column: Any,
    key: Any,
    values: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]] = (),
    source: Any = None,
) -> dict[date, dict[Any, list[int]]]:
    """`day_sums`, the rows of each day grouped by `key` (a day's groups are sorted apart: small sorts),
    read from `source` (a join) when given."""
    found: dict[date, dict[Any, list[int]]] = {}
    for days in chunks(period.days, DAYS_A_STATEMENT):
        parts = [
            select(literal(n), key, *values)
            .select_from(source if source is not None else column.table)
            .where(
                column >= local_midnight(day, period.tz),
                column < local_midnight(day + timedelta(days=1), period.tz),
                *where,
            )
            .group_by(key)
            for n, day in enumerate(days)
        ]
        for n, k, *sums in session.execute(union_all(*parts)).tuples():
            found.setdefault(days[int(n)], {})[k] = [int(v or 0) for v in sums]
    return found


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return column.between(period.start_utc, period.end_utc - timedelta(microseconds=1))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # Monday


# -- percentiles from a histogram ------------------------------------------------------------------


def percentile(histogram: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank q-quantile (0 < q ≤ 1) of values given as {value: count}; None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover - rank ≤ total


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
