"""A posting's history: every scan, print, action and conflict, in order, written as it happens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.tables import PostingEventRow, PostingRow
from app.repos import shipped


class EventKind(StrEnum):
    SCAN_POSTING = "scan_posting"
    SCAN_ITEM = "scan_item"
    SCAN_REFUSED = "scan_refused"  # wrong item, extra unit, unknown code
    NEW_PACKAGE = "new_package"
    OVERRIDE = "override"  # completed without every unit scanned (with the reason)
    PACKED = "packed"
    ABORTED = "aborted"
    STOP = "stop"  # the posting was cancelled while packing
    STOP_ACKNOWLEDGED = "stop_acknowledged"
    ACTION_QUEUED = "action_queued"
    ACTION_DONE = "action_done"
    CONFLICT = "conflict"
    PRINT = "print"
    REPRINT = "reprint"
    PRINT_FAILED = "print_failed"
    RETURN_RECEIVED = "return_received"  # a return of this posting came back to the desk
    EXCHANGE = "exchange"  # a replacement (or resend) linked to a return of this posting
    TAKEN_OVER = "taken_over"  # another desk's stale claim on the posting was taken over


@dataclass(frozen=True, slots=True)
class PostingEvent:
    posting_number: str
    at: datetime
    kind: EventKind
    detail: str
    user: str = ""
    desk: str = ""


def record(
    session: Session,
    posting_number: str,
    kind: EventKind,
    at: datetime,
    detail: str = "",
    user: str = "",
    desk: str = "",
    warehouse_id: int | None = None,
) -> None:
    """`user` is who did it (the packer), `desk` where (several desks share one database). The
    posting's warehouse goes on the event (packing errors per warehouse are counted from an index):
    looked up unless the caller has the posting at hand (the pack station, at every scan)."""
    warehouse = warehouse_id
    if warehouse is None:
        warehouse = session.scalar(select(PostingRow.warehouse_id).where(PostingRow.posting_number == posting_number))
    session.add(
        PostingEventRow(
            posting_number=posting_number,
            at=at,
            kind=kind.value,
            detail=detail,
            user=user,
            desk=desk,
            warehouse_id=warehouse or 0,
        )
    )
    if kind is EventKind.PACKED:  # the posting keeps its first one (the Analytics page reads it)
        with session.no_autoflush:  # the event goes in with the step's next ones, in one statement
            shipped.packed(session, posting_number, at)


def of(session: Session, posting_number: str) -> list[PostingEvent]:
    rows = session.scalars(
        select(PostingEventRow).where(PostingEventRow.posting_number == posting_number).order_by(PostingEventRow.id)
    )
    return [PostingEvent(r.posting_number, r.at, EventKind(r.kind), r.detail, r.user, r.desk) for r in rows]
