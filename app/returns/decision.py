"""What the decision screen shows for one return: the buyer's side, exactly the actions Ozon offers
with the fields each needs (app.workflows.returns.forms), and the original posting's packing record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import history
from app.db.engine import Database
from app.db.tables import MarkingCodeRow, PostingRow, ReturnReceiptRow, ReturnRow
from app.domain.returns import Countdown, ReturnKind
from app.errors import NotFound
from app.history import EventKind, PostingEvent
from app.repos import returns as return_repo
from app.returns.listing import ReturnListRow, rows
from app.returns.receiving import Exchange, exchanges_of_return
from app.workflows.returns import ActionForm, forms


@dataclass(frozen=True, slots=True)
class ShippedMark:
    sku: int
    ident: str
    code: str
    scanned_at: datetime
    user: str


@dataclass(frozen=True, slots=True)
class PackingRecord:
    """How the original posting left the desk: every scan, the marking codes, labels, handover."""

    posting_number: str
    known: bool  # the posting is in the local cache
    events: list[PostingEvent]
    marks: list[ShippedMark]
    labels_printed: int
    packed_at: datetime | None
    handed_over_at: datetime | None  # Ozon's delivering date: the carrier took it


@dataclass(frozen=True, slots=True)
class ReceiptView:
    grade: str
    disposition: str
    note: str
    photos: list[str]
    marks: list[dict[str, object]]
    flagged: bool
    received_at: datetime
    user: str


@dataclass(frozen=True, slots=True)
class DecisionView:
    row: ReturnListRow
    reason: str
    comment: str  # the buyer's
    photos: list[str]  # the buyer's photo URLs
    forms: list[ActionForm]  # empty: nothing to decide here (FBS/FBO, overdue, or Ozon offers nothing now)
    countdown: Countdown | None

    @property
    def overdue(self) -> bool:
        """The decision deadline passed with no decision queued: Ozon decides the request itself."""
        return self.row.local_status is None and self.countdown is not None and self.countdown.overdue

    packing: PackingRecord
    receipts: list[ReceiptView]
    exchanges: list[Exchange]


def read_decision(db: Database, kind: ReturnKind, return_id: int, now: datetime) -> DecisionView:
    with db.read() as s:
        row_id = s.scalar(select(ReturnRow.id).where(ReturnRow.kind == kind.value, ReturnRow.return_id == return_id))
        if row_id is None:
            raise NotFound("return_unknown", f"return {return_id} is not in the local copy", return_id=return_id)
        row = rows(s, [row_id])[row_id]
        stored = s.get(ReturnRow, row_id)
        assert stored is not None
        offered, reasons = return_repo.actions(s, return_id) if kind is ReturnKind.RFBS else ([], [])
        number = row.posting_number
        events = history.of(s, number)
        posting = s.get(PostingRow, number)
        marks = [
            ShippedMark(m.sku, m.ident, m.code, m.scanned_at, m.user)
            for m in s.scalars(
                select(MarkingCodeRow)
                .where(MarkingCodeRow.posting_number == number)
                .order_by(MarkingCodeRow.scanned_at)
            )
        ]
        packed = [e.at for e in events if e.kind is EventKind.PACKED]
        packing = PackingRecord(
            number,
            posting is not None,
            events,
            marks,
            sum(1 for e in events if e.kind in (EventKind.PRINT, EventKind.REPRINT)),
            packed[-1] if packed else None,
            posting.delivering_date if posting is not None else None,
        )
        receipts = [
            ReceiptView(r.grade, r.disposition, r.note, list(r.photos), list(r.marks), r.flagged, r.received_at, r.user)
            for r in s.scalars(
                select(ReturnReceiptRow)
                .where(ReturnReceiptRow.kind == kind.value, ReturnReceiptRow.return_id == return_id)
                .order_by(ReturnReceiptRow.id)
            )
        ]
        clock = row.countdown(now)
        return DecisionView(
            row=row,
            reason=row.reason,
            comment=stored.buyer_comment,
            photos=list(stored.photos or []),
            forms=forms(offered, reasons, row.price) if row.open_to_decide(now) else [],
            countdown=clock,
            packing=packing,
            receipts=receipts,
            exchanges=exchanges_of_return(s, kind, return_id),
        )
