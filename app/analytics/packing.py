"""Packing errors per packer: refused scans and overrides for every 100 postings packed.

Counted from the posting history (app/history.py) in the period, by the event's `user` (the packer
signed in at the desk; "" when nobody was): PACKED events (postings packed), SCAN_REFUSED (a wrong
item, an extra unit, an unknown or unpackable code) and OVERRIDE (a posting completed without every
unit scanned). With a warehouse chosen, only events of that warehouse's postings count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from app.analytics.period import Period, in_period
from app.db.tables import PostingEventRow, PostingRow
from app.history import EventKind

_KINDS = (EventKind.PACKED, EventKind.SCAN_REFUSED, EventKind.OVERRIDE)


@dataclass(frozen=True, slots=True)
class PackerErrors:
    user: str
    packed: int
    refused_scans: int
    overrides: int

    @property
    def errors(self) -> int:
        return self.refused_scans + self.overrides

    @property
    def per_100(self) -> float | None:
        """Refused scans and overrides per 100 postings packed (None: nothing packed)."""
        return None if self.packed == 0 else 100.0 * self.errors / self.packed


def packing_errors(session: Session, period: Period) -> list[PackerErrors]:
    """One row per packer, most postings packed first."""
    e = PostingEventRow

    def count(kind: EventKind) -> ColumnElement[int]:
        return func.sum(case((e.kind == kind.value, 1), else_=0))

    stmt = (
        select(e.user, count(EventKind.PACKED), count(EventKind.SCAN_REFUSED), count(EventKind.OVERRIDE))
        .where(e.kind.in_([k.value for k in _KINDS]), in_period(e.at, period))
        .group_by(e.user)
    )
    if period.warehouse_id is not None:
        stmt = stmt.join(PostingRow, PostingRow.posting_number == e.posting_number).where(
            PostingRow.warehouse_id == period.warehouse_id
        )
    rows = [PackerErrors(user or "", int(p or 0), int(r or 0), int(o or 0)) for user, p, r, o in session.execute(stmt)]
    return sorted(rows, key=lambda r: (-r.packed, r.user))
