"""What the status bar reports: actions waiting for Ozon, refused ones, and the last good sync.

The time of the last good sync is kept in sync_state (the sync engine writes it too) so the next
start shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app import outbox
from app.db.engine import Database
from app.repos import sync_state

LAST_SYNC_KEY = "last_sync_at"


@dataclass(frozen=True, slots=True)
class Snapshot:
    pending: int
    conflicts: int
    last_sync_at: datetime | None


def read(db: Database) -> Snapshot:
    with db.read() as session:
        pending, conflicts = outbox.pending_counts(session)
        raw = sync_state.get(session, LAST_SYNC_KEY)
    return Snapshot(pending=pending, conflicts=conflicts, last_sync_at=_parse_time(raw))


def record_sync(session: Session, at: datetime) -> None:
    """A sync ended well at `at` (the engine writes it in the transaction that ends its cycle)."""
    sync_state.put(session, LAST_SYNC_KEY, at.isoformat(), at)


def _parse_time(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def plan_limited_key(area: str) -> str:
    """The sync_state key that holds since when Ozon refused an area (chats, reviews) for the plan."""
    return f"plan_limited.{area}"


def plan_limited_since(session: Session, area: str) -> datetime | None:
    """Since when the shop's plan (or the key's roles) leaves `area` out; None when it works."""
    raw = sync_state.get(session, plan_limited_key(area))
    return _parse_time(raw) if raw else None
