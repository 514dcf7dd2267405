"""Each posting's shipped time and order-to-ship minutes, stored on the posting (migration 0012).

"Shipped" is the earlier of the first PACKED event (`packed_at`, kept by app.history.record) and Ozon's
`delivering_date` (app/analytics/shipping.py says why); `ship_minutes` runs from `in_process_at` to it,
rounded to the minute (None when either is unknown or the ship came first); `shipped_late` says
whether it came after the ship-by time (`shipment_date`; None while not shipped or without one). The
Analytics page counts them in an index instead of comparing four timestamps a row. Kept up to date
wherever one of the four changes: app.repos.postings.save and app.history.record (`packed`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from app.db.tables import PostingRow

_CHUNK = 500


def shipped_at(packed_at: datetime | None, delivering_date: datetime | None) -> datetime | None:
    if packed_at is None:
        return delivering_date
    if delivering_date is None:
        return packed_at
    return min(packed_at, delivering_date)


def ship_minutes(in_process_at: datetime | None, shipped: datetime | None) -> int | None:
    """Whole minutes from order to ship, half a minute rounded up (as SQL's round())."""
    if in_process_at is None or shipped is None or shipped < in_process_at:
        return None
    return math.floor((shipped - in_process_at).total_seconds() / 60.0 + 0.5)


def shipped_late(shipped: datetime | None, due: datetime | None) -> bool | None:
    return None if shipped is None or due is None else shipped > due


def _changed(
    number: str,
    packed_at: datetime | None,
    handed: datetime | None,
    ordered: datetime | None,
    due: datetime | None,
    old: Sequence[object],
) -> dict[str, object] | None:
    """The posting's new figures as UPDATE parameters, or None when they stay as stored (`old`)."""
    at = shipped_at(packed_at, handed)
    new = [at, shipped_late(at, due), ship_minutes(ordered, at)]
    return None if new == old else {"number": number, "at": new[0], "late": new[1], "minutes": new[2]}


def _store(session: Session, changed: list[dict[str, object]]) -> None:
    if changed:
        t = PostingRow.__table__
        session.execute(
            update(t)  # type: ignore[arg-type]
            .where(t.c.posting_number == bindparam("number"))
            .values(shipped_at=bindparam("at"), shipped_late=bindparam("late"), ship_minutes=bindparam("minutes")),
            changed,
        )


def refresh(session: Session, posting_numbers: Iterable[str]) -> None:
    """Recompute the stored shipped time of these postings from their stored timestamps."""
    numbers = sorted(set(posting_numbers))
    p = PostingRow
    for start in range(0, len(numbers), _CHUNK):
        rows = session.execute(
            select(p.posting_number, p.packed_at, p.delivering_date, p.in_process_at, p.shipment_date)
            .add_columns(p.shipped_at, p.shipped_late, p.ship_minutes)
            .where(p.posting_number.in_(numbers[start : start + _CHUNK]))
            .execution_options(populate_existing=True)
        ).all()
        changed = [
            _changed(number, packed_at, handed, ordered, due, old)
            for number, packed_at, handed, ordered, due, *old in rows
        ]
        _store(session, [c for c in changed if c is not None])


def packed(session: Session, posting_number: str, at: datetime) -> None:
    """A PACKED event at `at`: the posting keeps its first one as `packed_at` (in the same statement
    that reads what its figures need, so a concurrent sync cannot undo it) and the figures follow."""
    p = PostingRow
    first = or_(p.packed_at.is_(None), p.packed_at > at)
    row = session.execute(
        update(p)
        .where(p.posting_number == posting_number)
        .values(packed_at=case((first, at), else_=p.packed_at))
        .returning(p.packed_at, p.delivering_date, p.in_process_at, p.shipment_date)
        .returning(p.shipped_at, p.shipped_late, p.ship_minutes)
    ).one_or_none()
    if row is not None:
        packed_at, handed, ordered, due, *old = row
        change = _changed(posting_number, packed_at, handed, ordered, due, old)
        _store(session, [change] if change is not None else [])
