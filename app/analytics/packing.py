"""Packing errors per packer: refused scans and overrides for every 100 postings packed.

Counted from the posting history (app/history.py) in the period, by the event's `user` (the packer
signed in at the desk; "" when nobody was): PACKED events (postings packed), SCAN_REFUSED (a wrong
item, an extra unit, an unknown or unpackable code) and OVERRIDE (a posting completed without every
unit scanned). With a warehouse chosen, only events of that warehouse's postings count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.analytics.period import Period, in_period
from app.db.tables import PostingEventRow
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
    """One row per packer, most postings packed first. Counted from ix_posting_events_packer (of one
    warehouse: ix_posting_events_packer_warehouse, the posting's warehouse kept on its events) without a
    row read: the packers of each kind found a seek each, then a range of the index per packer."""
    e = PostingEventRow
    where = [] if period.warehouse_id is None else [e.warehouse_id == period.warehouse_id]
    counts: dict[str, dict[EventKind, int]] = {}
    parts = []
    for kind in _KINDS:
        for user in _packers(session, kind, where):
            parts.append(
                select(literal(kind.value), literal(user), func.count()).where(
                    e.kind == kind.value, e.user == user, *where, in_period(e.at, period)
                )
            )
    for start in range(0, len(parts), 100):  # SQLite takes at most 500 SELECTs in one UNION ALL
        for kind_value, user, n in session.execute(union_all(*parts[start : start + 100])).tuples():
            if n:
                counts.setdefault(user, {})[EventKind(kind_value)] = int(n)
    rows = [
        PackerErrors(
            user or "", c.get(EventKind.PACKED, 0), c.get(EventKind.SCAN_REFUSED, 0), c.get(EventKind.OVERRIDE, 0)
        )
        for user, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r.packed, r.user))


def _packers(session: Session, kind: EventKind, where: list[ColumnElement[bool]]) -> list[str]:
    """The users with events of this kind (a loose scan: one index seek a user)."""
    e = PostingEventRow
    users: list[str] = []
    while True:
        after = [e.user > users[-1]] if users else []
        user = session.scalar(select(func.min(e.user)).where(e.kind == kind.value, *where, *after))
        if user is None:
            return users
        users.append(user)
