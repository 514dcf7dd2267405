"""What the Returns page reads, each in one short transaction of its own (the UI holds no SQL and runs
these on its database worker): the list with its stage counts, the navigation's badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db.engine import Database
from app.domain.returns import Stage
from app.returns.listing import Listing, ReturnFilter, return_ids, rows, stage_counts


@dataclass(frozen=True, slots=True)
class ReturnsScreen:
    listing: Listing
    counts: dict[Stage, int]  # under the other filters (kind, search), for the stage buttons


def read_screen(db: Database, wanted: ReturnFilter, now: datetime, first: int = 100) -> ReturnsScreen:
    with db.read() as session:
        ids = return_ids(session, wanted, now)
        return ReturnsScreen(Listing(ids, rows(session, ids[:first])), stage_counts(session, wanted, now))


def needs_decision(db: Database, now: datetime) -> int:
    """Returns waiting for the seller's decision (the navigation's badge)."""
    with db.read() as session:
        return stage_counts(session, ReturnFilter(), now)[Stage.NEEDS_DECISION]
