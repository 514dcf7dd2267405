"""Hand parcels over to the carrier.

FBS: a carriage (Ozon's handover document flow) per delivery method: a CREATE_CARRIAGE action that
the sync engine turns into `/v1/carriage/create` + `/v1/carriage/approve`, then downloads the act
PDF; its print job waits (like a label) until the act is there. Packdesk's own act is a print job
at once (rFBS, or when Ozon's flow is not wanted). rFBS steps live in `delivery.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from app import history, outbox, print_queue
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import PostingRow
from app.domain.postings import PostingStatus
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.print_queue import DocKind, PrintJob
from app.repos import postings as posting_repo
from app.workflows import changes, delivery
from app.workflows.delivery import Stage

IN_CARRIAGE_SUBSTATUS = "posting_in_carriage"
_SHOWN = (PostingStatus.AWAITING_DELIVER.value, PostingStatus.DELIVERING.value)
LIMIT = 5000


@dataclass(frozen=True, slots=True)
class HandoverPosting:
    posting_number: str
    status: str  # what the seller sees (a queued step's target, else Ozon's)
    substatus: str
    is_rfbs: bool
    stage: Stage
    tracking_number: str  # queued one first
    tracking_pending: bool
    pending: bool  # an action waits to be sent
    in_carriage: bool  # approved into a carriage on Ozon, or a carriage for it is queued
    shipment_date: datetime | None
    items: int
    city: str  # remote text: plain text only


@dataclass(frozen=True, slots=True)
class HandoverGroup:
    delivery_method_id: int
    delivery_method: str  # remote text
    is_rfbs: bool
    postings: tuple[HandoverPosting, ...]

    @property
    def ready(self) -> tuple[HandoverPosting, ...]:
        """FBS postings that a new carriage would take."""
        return tuple(p for p in self.postings if not p.in_carriage and p.stage is Stage.AWAITING_DELIVER)


def _queued_carriages(s: Session) -> set[str]:
    numbers: set[str] = set()
    for e in outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT)):
        if e.action is ActionKind.CREATE_CARRIAGE:
            numbers.update(str(n) for n in e.payload.get("posting_numbers", []))
    return numbers


def awaiting_handover(s: Session) -> list[HandoverGroup]:
    """Packed postings not yet with the buyer, grouped by delivery method (FBS first, then rFBS;
    within a group by ship-by date). rFBS postings stay listed until they are delivered."""
    rows = s.scalars(
        select(PostingRow)
        .options(selectinload(PostingRow.items))
        .where(
            or_(
                and_(PostingRow.local_status.is_(None), PostingRow.status.in_(_SHOWN)),
                PostingRow.local_status.in_(_SHOWN),
            )
        )
        .order_by(PostingRow.shipment_date, PostingRow.posting_number)
        .limit(LIMIT)
    ).all()
    in_carriage = _queued_carriages(s)
    open_by_target: dict[str, list[ActionKind]] = {}
    tracking: dict[str, str] = {}
    for e in outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT)):
        if e.target_kind is TargetKind.POSTING:
            open_by_target.setdefault(e.target_id, []).append(e.action)
            if e.action is ActionKind.SET_TRACKING:
                tracking[e.target_id] = str(e.payload.get("tracking_number", ""))
    groups: dict[tuple[bool, int, str], list[HandoverPosting]] = {}
    for row in rows:
        rfbs = row.tpl_integration_type == "non_integrated"
        if not rfbs and (row.local_status or row.status) != PostingStatus.AWAITING_DELIVER.value:
            continue  # FBS postings in delivery are Ozon's business now
        number = row.posting_number
        queued = open_by_target.get(number, [])
        item = HandoverPosting(
            posting_number=number,
            status=row.local_status or row.status,
            substatus=row.substatus,
            is_rfbs=rfbs,
            stage=delivery.stage_of(PostingStatus.parse(row.status), row.substatus, queued),
            tracking_number=tracking.get(number, row.tracking_number),
            tracking_pending=number in tracking,
            pending=bool(queued),
            in_carriage=row.substatus == IN_CARRIAGE_SUBSTATUS or number in in_carriage,
            shipment_date=row.shipment_date,
            items=sum(it.quantity for it in row.items),
            city=row.city,
        )
        groups.setdefault((rfbs, row.delivery_method_id, row.delivery_method_name), []).append(item)
    return [
        HandoverGroup(method_id, name, rfbs, tuple(items))
        for (rfbs, method_id, name), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1]))
    ]


def create_carriage(
    db: Database,
    clock: Clock,
    delivery_method_id: int,
    user: str = "",
    *,
    bus: EventBus,
    trusted_acceptance: bool = False,
    desk: str = "",
) -> tuple[OutboxEntry, PrintJob]:
    """Queue Ozon's carriage for every packed FBS posting of the method; its act prints once Ozon
    has made it. Works offline: the engine sends it after the postings' ship calls. With trusted
    acceptance Ozon is told the number of cargo places, counted by the engine from the carriage."""
    now = clock.now()
    with db.write() as s:
        group = next(
            (g for g in awaiting_handover(s) if g.delivery_method_id == delivery_method_id and not g.is_rfbs), None
        )
        numbers = tuple(p.posting_number for p in group.ready) if group else ()
        if not numbers:
            raise InvalidAction(
                "nothing_to_hand_over",
                "no packed posting of this delivery method is waiting for a carriage",
                delivery_method_id=delivery_method_id,
            )
        job = print_queue.enqueue(s, DocKind.ACT, numbers, now, user=user, desk=desk, wait_for_label=True)
        payload: dict[str, object] = {
            "delivery_method_id": delivery_method_id,
            "posting_numbers": list(numbers),
            "print_job": job.key,
        }
        if trusted_acceptance:  # Ozon is told the cargo places, counted when the carriage is sent
            payload["trusted_acceptance"] = True
        entry = outbox.enqueue(
            s, ActionKind.CREATE_CARRIAGE, TargetKind.CARRIAGE, str(delivery_method_id), payload, now
        )
        for number in numbers:
            history.record(s, number, EventKind.ACTION_QUEUED, now, f"carriage {entry.key}", user, desk)
        done = changes.collect(s, numbers)
    changes.publish(bus, done)
    return entry, job


def own_act(
    db: Database, clock: Clock, posting_numbers: Sequence[str], user: str = "", *, bus: EventBus, desk: str = ""
) -> PrintJob:
    """Packdesk's own handover act for these postings, printed at once (no call to Ozon)."""
    numbers = tuple(dict.fromkeys(posting_numbers))
    if not numbers:
        raise InvalidAction("nothing_to_hand_over", "choose the postings to hand over")
    now = clock.now()
    with db.write() as s:
        for cached in posting_repo.get_many(s, numbers):
            if (cached.local_status or cached.posting.status.value) not in _SHOWN:
                raise InvalidAction(
                    "not_packed", f"posting {cached.posting.posting_number} is {cached.shown_status}, not packed"
                )
        job = print_queue.enqueue(s, DocKind.ACT, numbers, now, user=user, desk=desk)
        for number in numbers:
            history.record(s, number, EventKind.ACTION_QUEUED, now, f"own act {job.key}", user, desk)
        done = changes.collect(s, numbers, outbox_changed=False)
    changes.publish(bus, done)
    return job
