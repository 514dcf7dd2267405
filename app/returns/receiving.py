"""Receiving a return at the desk: scan the parcel, inspect, restock or write off, check the units'
marking codes against the ones shipped in that posting; and exchanges (a replacement posting or a
resend linked to the return, visible from both sides).

A return is received once, and only one Ozon sends back (`refusal`): not one received at the desk
already (the date is said), nor one whose item is not coming: an rFBS request still awaiting the
decision (New) or in a dispute, rejected or closed with money or a compensation (Approved); an FBS/FBO
return awaiting the seller's approval, cancelled, rejected or being disposed of by Ozon. Ozon's own
"received by the seller" (FBS ReceivedBySeller, rFBS Checkout) does not stop it: the parcel collected
from the pickup point is inspected here after Ozon has recorded the pick-up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import history, marking
from app.chat import attachments
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import MarkingCodeRow, PostingRow, ReturnExchangeRow, ReturnReceiptRow, ReturnRow
from app.domain.postings import PostingStatus
from app.domain.returns import RFBS_ON_APPROVAL, ReturnAction, ReturnKind
from app.errors import InvalidAction, NotFound
from app.events import EventBus
from app.history import EventKind
from app.returns.listing import ReturnListRow, rows
from app.workflows import changes
from app.workflows import returns as decisions


class Grade(StrEnum):
    NEW = "new"  # sealed, as shipped
    OPENED = "opened"  # opened, complete, sellable
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"  # not what was shipped (or a unit of someone else's)


class Disposition(StrEnum):
    RESTOCK = "restock"
    WRITE_OFF = "write_off"


@dataclass(frozen=True, slots=True)
class Inspection:
    grade: Grade = Grade.NEW
    disposition: Disposition = Disposition.RESTOCK
    note: str = ""
    photos: tuple[str, ...] = ()  # files on this computer
    marks: tuple[str, ...] = ()  # the returned units' marking codes, as scanned


@dataclass(frozen=True, slots=True)
class MarkCheck:
    scanned: str
    ident: str  # "" when the code could not be read
    shipped: bool  # one of the codes shipped in the posting
    repeated: bool = False  # the same unit was scanned before: one unit is not two

    @property
    def problem(self) -> str:
        if not self.ident:
            return "not a marking code"
        if self.repeated:
            return "the same unit scanned twice"
        return "" if self.shipped else "not the unit shipped in this posting"


@dataclass(frozen=True, slots=True)
class Expected:
    """What a scanned code stands for: the returns in the parcel and the codes shipped in the posting."""

    code: str
    returns: list[ReturnListRow]
    shipped_marks: dict[int, tuple[str, ...]]  # SKU → identification codes shipped
    refusals: dict[int, InvalidAction] = field(default_factory=dict)  # row id → why it cannot be received

    @property
    def receivable(self) -> list[ReturnListRow]:
        return [r for r in self.returns if r.id not in self.refusals]


@dataclass(frozen=True, slots=True)
class Received:
    returns: list[ReturnListRow]
    marks: list[MarkCheck]
    decisions: list[str] = field(default_factory=list)  # outbox keys of "received" actions queued

    @property
    def flagged(self) -> list[MarkCheck]:
        """Units whose code differs from every one shipped: the wrong item may have come back."""
        return [m for m in self.marks if m.problem]


def _matching_ids(session: Session, code: str) -> list[int]:
    code = code.strip()
    if not code:
        return []
    stmt = (
        select(ReturnRow.id)
        .where(or_(ReturnRow.barcode == code, ReturnRow.posting_number == code, ReturnRow.return_number == code))
        .order_by(ReturnRow.id)
    )
    return list(session.scalars(stmt))


def _shipped(session: Session, posting_numbers: Sequence[str]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for sku, ident in session.execute(
        select(MarkingCodeRow.sku, MarkingCodeRow.ident).where(MarkingCodeRow.posting_number.in_(posting_numbers))
    ):
        found.setdefault(sku, []).append(ident)
    return {sku: tuple(idents) for sku, idents in found.items()}


# Where no item is coming back (see the module's docstring): rFBS `group_state`, FBS/FBO `sys_name`.
_RFBS_AWAITING, _RFBS_NOT_COMING = frozenset({"New", "Arbitration"}), frozenset({"Rejected", "Approved"})
_FBS_AWAITING = frozenset({"OnSellerApproval"})
_FBS_NOT_COMING = frozenset(
    {"Cancelled", "CancelledDisputeNotOpen", "Rejected", "CrmRejected", "Utilizing", "Utilized"}
)


def refusal(r: ReturnListRow, received_at: datetime | None) -> InvalidAction | None:
    """Why the desk cannot receive this return now (None: it can)."""
    number = r.return_number or str(r.return_id)
    if received_at is not None:
        when = f"{received_at:%Y-%m-%d %H:%M} UTC"
        return InvalidAction(
            "return_already_received",
            f"return {number} was already received on {when}",
            number=number,
            date=received_at,
        )
    state = r.status_name or r.status
    if r.kind is ReturnKind.RFBS:
        awaiting = r.group in _RFBS_AWAITING or (not r.group and r.status == RFBS_ON_APPROVAL)
        not_coming = r.group in _RFBS_NOT_COMING
    else:
        awaiting, not_coming = r.status in _FBS_AWAITING, r.status in _FBS_NOT_COMING
    if awaiting:
        return InvalidAction(
            "return_not_sent_back",
            f"return {number} is not sent back yet ({state}): it awaits the decision on the request",
            number=number,
            state=state,
        )
    if not_coming:
        return InvalidAction(
            "return_not_coming_back", f"return {number} is {state}: Ozon sends no item back", number=number, state=state
        )
    return None


def _received_at(session: Session, listed: Sequence[ReturnListRow]) -> dict[tuple[str, int], datetime]:
    stmt = (
        select(ReturnReceiptRow.kind, ReturnReceiptRow.return_id, func.min(ReturnReceiptRow.received_at))
        .where(ReturnReceiptRow.return_id.in_([r.return_id for r in listed]))
        .group_by(ReturnReceiptRow.kind, ReturnReceiptRow.return_id)
    )
    return {(kind, rid): at for kind, rid, at in session.execute(stmt).tuples()}


def expected(session: Session, code: str) -> Expected:
    """The returns a scanned parcel barcode (`logistic.barcode`), posting or return number names."""
    found = rows(session, _matching_ids(session, code))
    listed = sorted(found.values(), key=lambda r: r.id)
    received = _received_at(session, listed) if listed else {}
    refusals = {r.id: why for r in listed if (why := refusal(r, received.get((r.kind.value, r.return_id))))}
    return Expected(code.strip(), listed, _shipped(session, sorted({r.posting_number for r in listed})), refusals)


def read_expected(db: Database, code: str) -> Expected:
    with db.read() as s:
        return expected(s, code)


def check_marks(
    scanned: Sequence[str], shipped: dict[int, tuple[str, ...]], gs_substitute: str = ""
) -> list[MarkCheck]:
    idents = {i for codes in shipped.values() for i in codes}
    checks = []
    seen: set[str] = set()
    for text in scanned:
        try:
            ident = marking.parse(text, gs_substitute).ident
        except marking.MarkError:
            ident = ""
        checks.append(MarkCheck(text, ident, bool(ident) and ident in idents, bool(ident) and ident in seen))
        seen.add(ident)
    return checks


# Ozon names its actions in Russian and publishes no id for "the item came back" (docs/ozon-contract.md,
# Returns): the one offered action whose name says so is taken; if none or several do, nothing is sent.
_RECEIVED_NAME = re.compile(r"получ|received", re.IGNORECASE)


def received_action(offered: Sequence[ReturnAction]) -> ReturnAction | None:
    fits = [a for a in offered if not a.is_rejection and not a.needs_amount and _RECEIVED_NAME.search(a.name)]
    return fits[0] if len(fits) == 1 else None


def photo_refusals(paths: Sequence[str]) -> dict[str, str]:
    """The photos among `paths` a receipt does not keep, each with why: the checks of a photo sent in
    a chat (PNG, JPEG or WEBP, at most 10 MB and 40 megapixels, whole), not any file on the disk."""
    refused = {}
    for path in paths:
        try:
            attachments.load_outgoing(Path(path))
        except attachments.AttachmentRefused as exc:
            refused[path] = exc.message
    return refused


def receive(
    db: Database,
    clock: Clock,
    code: str,
    inspection: Inspection,
    user: str = "",
    *,
    bus: EventBus,
    gs_substitute: str = "",
    desk: str = "",
) -> Received:
    """Record the parcel's returns as received (every one the desk can receive: see `refusal`), check
    the marking codes and, for an rFBS request, queue Ozon's "item received" action when Ozon offers one.
    When none can be received, the refusal of the first says why."""
    missing = [p for p in inspection.photos if not Path(p).is_file()]
    if missing:
        raise InvalidAction("return_photo_missing", f"no such photo file: {missing[0]}", path=missing[0])
    refused = photo_refusals(inspection.photos)
    if refused:
        photo, why = next(iter(refused.items()))
        raise InvalidAction("return_photo_refused", f"{photo}: {why}", path=photo)
    now = clock.now()
    with db.write() as s:
        found = expected(s, code)
        if not found.returns:
            raise NotFound("return_unknown", f"no return is expected under {code.strip()!r}", scanned=code.strip())
        todo = found.receivable
        if not todo:
            received = [why for why in found.refusals.values() if why.code == "return_already_received"]
            raise (received or list(found.refusals.values()))[0]
        checks = check_marks(inspection.marks, found.shipped_marks, gs_substitute)
        marks = [{"code": m.scanned, "ident": m.ident, "shipped": m.shipped, "repeated": m.repeated} for m in checks]
        flagged = any(m.problem for m in checks)
        for r in todo:
            s.add(
                ReturnReceiptRow(
                    kind=r.kind.value,
                    return_id=r.return_id,
                    posting_number=r.posting_number,
                    code=found.code,
                    grade=inspection.grade.value,
                    note=inspection.note.strip(),
                    photos=[str(Path(p).resolve()) for p in inspection.photos],
                    disposition=inspection.disposition.value,
                    marks=marks,
                    flagged=flagged,
                    received_at=now,
                    user=user,
                )
            )
            detail = (
                f"return {r.return_number or r.return_id}: {inspection.grade.value}, {inspection.disposition.value}"
            )
            if flagged:
                detail += "; MARKING CODE DIFFERS FROM THE SHIPPED ONE"
            history.record(s, r.posting_number, EventKind.RETURN_RECEIVED, now, detail, user, desk)
        done = changes.collect(s, outbox_changed=False, returns=len(todo))
    changes.publish(bus, done)
    keys = []
    for r in todo:
        action = received_action(r.actions) if r.kind is ReturnKind.RFBS and r.local_status is None else None
        if action is not None:
            decision = decisions.Decision(action.id)
            keys.append(decisions.decide(db, clock, r.return_id, decision, user, bus=bus, desk=desk).key)
    with db.read() as s:
        after = rows(s, [r.id for r in todo])
    return Received([after[r.id] for r in todo], checks, keys)


# -- exchanges ------------------------------------------------------------------------------------


_CANCELLED = {PostingStatus.CANCELLED.value, PostingStatus.CANCELLED_FROM_SPLIT_PENDING.value}


class ExchangeMode(StrEnum):
    REPLACEMENT = "replacement"  # a new order of the same buyer
    RESEND = "resend"  # the item sent again (no new order, or not known yet)


@dataclass(frozen=True, slots=True)
class Exchange:
    kind: ReturnKind
    return_id: int
    return_posting: str  # the posting the return came from
    posting_number: str  # the replacement ("" for a resend not tied to a posting)
    mode: ExchangeMode
    note: str


def link_exchange(
    db: Database,
    clock: Clock,
    kind: ReturnKind,
    return_id: int,
    mode: ExchangeMode,
    posting_number: str = "",
    note: str = "",
    user: str = "",
    *,
    bus: EventBus,
    desk: str = "",
) -> Exchange:
    now = clock.now()
    number = posting_number.strip()
    with db.write() as s:
        ret = s.scalar(select(ReturnRow).where(ReturnRow.kind == kind.value, ReturnRow.return_id == return_id))
        if ret is None:
            raise NotFound("return_unknown", f"return {return_id} is not in the local copy", return_id=return_id)
        if mode is ExchangeMode.REPLACEMENT:
            if not number:
                raise InvalidAction("exchange_posting_needed", "name the replacement posting")
            replacement = s.get(PostingRow, number)
            if replacement is None:
                raise NotFound("posting_unknown", f"posting {number} is not in the local cache", posting=number)
            if _CANCELLED & {replacement.status, replacement.local_status}:
                raise InvalidAction(
                    "exchange_posting_cancelled", f"posting {number} is cancelled: it replaces nothing", posting=number
                )
            if number == ret.posting_number:
                raise InvalidAction("exchange_same_posting", "the replacement must be another posting")
        elif not number and not note.strip():
            raise InvalidAction("exchange_note_needed", "say what was resent (tracking number, date)")
        s.add(
            ReturnExchangeRow(
                kind=kind.value,
                return_id=return_id,
                posting_number=number,
                mode=mode.value,
                note=note.strip(),
                created_at=now,
                user=user,
            )
        )
        what = f"{mode.value} {number}".strip() + f" for return {ret.return_number or return_id}"
        history.record(s, ret.posting_number, EventKind.EXCHANGE, now, what, user, desk)
        if number:
            history.record(s, number, EventKind.EXCHANGE, now, what, user, desk)
        exchange = Exchange(kind, return_id, ret.posting_number, number, mode, note.strip())
        done = changes.collect(
            s, postings=[p for p in (ret.posting_number, number) if p], outbox_changed=False, returns=1
        )
    changes.publish(bus, done)
    return exchange


def exchanges_of_posting(session: Session, posting_number: str) -> list[Exchange]:
    """Both ways: exchanges answering returns of this posting, and those this posting is the replacement of."""
    stmt = (
        select(ReturnExchangeRow, ReturnRow.posting_number)
        .join(
            ReturnRow, (ReturnRow.kind == ReturnExchangeRow.kind) & (ReturnRow.return_id == ReturnExchangeRow.return_id)
        )
        .where(or_(ReturnExchangeRow.posting_number == posting_number, ReturnRow.posting_number == posting_number))
        .order_by(ReturnExchangeRow.id)
    )
    return [
        Exchange(ReturnKind(x.kind), x.return_id, origin, x.posting_number, ExchangeMode(x.mode), x.note)
        for x, origin in session.execute(stmt).tuples()
    ]


def exchanges_of_return(session: Session, kind: ReturnKind, return_id: int) -> list[Exchange]:
    stmt = (
        select(ReturnExchangeRow, ReturnRow.posting_number)
        .join(
            ReturnRow, (ReturnRow.kind == ReturnExchangeRow.kind) & (ReturnRow.return_id == ReturnExchangeRow.return_id)
        )
        .where(ReturnExchangeRow.kind == kind.value, ReturnExchangeRow.return_id == return_id)
        .order_by(ReturnExchangeRow.id)
    )
    return [
        Exchange(ReturnKind(x.kind), x.return_id, origin, x.posting_number, ExchangeMode(x.mode), x.note)
        for x, origin in session.execute(stmt).tuples()
    ]
