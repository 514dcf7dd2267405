"""What the handover page reads: the postings waiting for handover, and the parcel a label identifies."""

from __future__ import annotations

from app.db.engine import Database
from app.repos import postings as posting_repo
from app.workflows import handover
from app.workflows.handover import HandoverGroup


def awaiting(db: Database) -> list[HandoverGroup]:
    with db.read() as session:
        return handover.awaiting_handover(session)


def numbers_for_code(db: Database, code: str) -> list[str]:
    """The postings a scanned label code identifies (the pack station's lookup)."""
    with db.read() as session:
        return [c.posting.posting_number for c in posting_repo.find_by_code(session, code)]
