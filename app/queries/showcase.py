"""Postings that show a screen at its fullest (the `--screenshot` runs)."""

from __future__ import annotations

from app.db.engine import Database
from app.domain.postings import Requirement
from app.repos import postings as posting_repo


def posting_needing_marks(db: Database, among: int = 200) -> str | None:
    """A posting to pack that Ozon wants Честный ЗНАК codes for (of the first `among` in the queue)."""
    with db.read() as session:
        for cached in posting_repo.list_postings(session, ozon_status="awaiting_packaging", limit=among):
            if cached.posting.requirements.kinds() == {Requirement.MANDATORY_MARK} and not cached.local_status:
                return cached.posting.posting_number
    return None
