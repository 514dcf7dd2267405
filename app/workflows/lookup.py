"""What every posting workflow reads first: the cached posting and its queued actions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import outbox
from app.errors import NotFound
from app.outbox import ActionKind, OutboxState
from app.repos import postings
from app.repos.postings import CachedPosting


def require_posting(s: Session, posting_number: str) -> CachedPosting:
    cached = postings.get(s, posting_number)
    if cached is None:
        raise NotFound("posting_unknown", f"posting {posting_number} is not in the local cache", posting=posting_number)
    return cached


def queued_actions(s: Session, posting_number: str) -> list[ActionKind]:
    """Actions on the posting not yet confirmed by Ozon, oldest first."""
    states = (OutboxState.PENDING, OutboxState.IN_FLIGHT)
    return [e.action for e in outbox.entries(s, states, target_id=posting_number)]
