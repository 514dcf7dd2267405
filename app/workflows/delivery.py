"""rFBS: the seller delivers. A tracking number, then delivering → last mile → delivered.

The order is enforced here, against Ozon's status plus the steps still queued, so a step queued
offline is checked against the ones before it: each refusal names what has to happen first.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from sqlalchemy.orm import Session

from app import history, marking, outbox
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import PostingStatus
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxEntry, TargetKind
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos.postings import CachedPosting
from app.workflows import changes
from app.workflows.lookup import queued_actions, require_posting

LAST_MILE_SUBSTATUS = "posting_in_courier_service"
MAX_TRACKING = 64
# The shortest carrier tracking numbers (CDEK, Boxberry) have 8-10 characters; "0" or a stray key is none.
MIN_TRACKING = 6


def normalise_tracking(text: str) -> str:
    """As typed or scanned, without spaces (`RA 123 456 789 RU` is printed so, and is `RA123456789RU`)."""
    return "".join(text.split())


def valid_tracking(tracking: str, posting_number: str) -> bool:
    """Could `tracking` be a carrier's tracking number for this posting? Not "000000", not the
    posting's or its order's number, not a Честный ЗНАК code."""
    order_number = posting_number.rsplit("-", 1)[0]
    return (
        MIN_TRACKING <= len(tracking) <= MAX_TRACKING
        and tracking.isprintable()
        and any(c.isdigit() for c in tracking)
        and len(set(tracking)) > 1
        and tracking not in (posting_number, order_number)
        and not marking.looks_like_mark(tracking)
    )


class Stage(IntEnum):
    """Where an rFBS posting is on its way to the buyer, queued steps included."""

    NOT_SHIPPED = 0  # awaiting approval or packaging: pack (ship) it first
    AWAITING_DELIVER = 1  # packed: hand it to the carrier (delivering)
    DELIVERING = 2
    LAST_MILE = 3
    DELIVERED = 4
    CLOSED = 5  # cancelled or otherwise finished


_STEP_STAGE = {
    ActionKind.SHIP: Stage.AWAITING_DELIVER,
    ActionKind.DELIVERING: Stage.DELIVERING,
    ActionKind.LAST_MILE: Stage.LAST_MILE,
    ActionKind.DELIVERED: Stage.DELIVERED,
    ActionKind.CANCEL: Stage.CLOSED,
}


def stage_of(status: PostingStatus, substatus: str, queued: Sequence[ActionKind] = ()) -> Stage:
    """The stage from Ozon's status, moved on by the steps still queued."""
    if status in (PostingStatus.AWAITING_APPROVE, PostingStatus.AWAITING_PACKAGING):
        result = Stage.NOT_SHIPPED
    elif status is PostingStatus.AWAITING_DELIVER:
        result = Stage.AWAITING_DELIVER
    elif status is PostingStatus.DELIVERING:
        result = Stage.LAST_MILE if substatus == LAST_MILE_SUBSTATUS else Stage.DELIVERING
    elif status is PostingStatus.DELIVERED:
        result = Stage.DELIVERED
    else:
        result = Stage.CLOSED
    for action in queued:
        result = max(result, _STEP_STAGE.get(action, result))
    return result


def stage(s: Session, cached: CachedPosting) -> Stage:
    p = cached.posting
    return stage_of(p.status, p.substatus, queued_actions(s, p.posting_number))


def _rfbs(s: Session, posting_number: str) -> CachedPosting:
    cached = require_posting(s, posting_number)
    if not cached.posting.is_rfbs:
        raise InvalidAction(
            "not_rfbs", f"posting {posting_number} is delivered by Ozon; only rFBS postings take these steps"
        )
    return cached


def set_tracking(
    db: Database,
    clock: Clock,
    posting_number: str,
    tracking_number: str,
    user: str = "",
    *,
    bus: EventBus,
) -> OutboxEntry:
    tracking = normalise_tracking(tracking_number)
    if not tracking:
        raise InvalidAction("tracking_empty", "enter or scan the tracking number")
    if not valid_tracking(tracking, posting_number):
        raise InvalidAction(
            "tracking_invalid",
            f"a tracking number has {MIN_TRACKING}-{MAX_TRACKING} printable characters, digits among them",
        )
    now = clock.now()
    with db.write() as s:
        if product_repo.skus_for_barcode(s, tracking) or posting_repo.find_by_code(s, tracking):
            raise InvalidAction(
                "tracking_is_a_code", f"{tracking} is a product or label barcode, not a tracking number"
            )
        cached = _rfbs(s, posting_number)
        if stage(s, cached) >= Stage.DELIVERED:
            raise InvalidAction("tracking_too_late", f"posting {posting_number} is {cached.shown_status}")
        entry = outbox.enqueue(
            s, ActionKind.SET_TRACKING, TargetKind.POSTING, posting_number, {"tracking_number": tracking}, now
        )
        history.record(s, posting_number, EventKind.ACTION_QUEUED, now, f"tracking {tracking} {entry.key}", user)
        done = changes.collect(s, [posting_number])
    changes.publish(bus, done)
    return entry


def pending_tracking(s: Session, posting_number: str) -> str:
    """The tracking number queued for Ozon, if any (the cache shows Ozon's until it is sent)."""
    states = (outbox.OutboxState.PENDING, outbox.OutboxState.IN_FLIGHT)
    found = ""
    for e in outbox.entries(s, states, target_id=posting_number):
        if e.action is ActionKind.SET_TRACKING:
            found = str(e.payload.get("tracking_number", ""))
    return found


# step → (the stages it may follow, the refusal code when it may not)
_STEPS: dict[ActionKind, tuple[frozenset[Stage], str]] = {
    ActionKind.DELIVERING: (frozenset({Stage.AWAITING_DELIVER}), "delivering"),
    ActionKind.LAST_MILE: (frozenset({Stage.DELIVERING}), "last_mile"),
    ActionKind.DELIVERED: (frozenset({Stage.DELIVERING, Stage.LAST_MILE}), "delivered"),
}


def _step(db: Database, clock: Clock, action: ActionKind, posting_number: str, user: str, bus: EventBus) -> OutboxEntry:
    allowed, name = _STEPS[action]
    now = clock.now()
    with db.write() as s:
        cached = _rfbs(s, posting_number)
        current = stage(s, cached)
        if current not in allowed:
            raise InvalidAction(
                f"{name}_after_{current.name.lower()}",
                _refusal(name, current, posting_number),
                posting=posting_number,
                stage=current.name.lower(),
            )
        entry = outbox.enqueue(s, action, TargetKind.POSTING, posting_number, {}, now)
        outbox.apply_local_effect(s, entry)
        history.record(s, posting_number, EventKind.ACTION_QUEUED, now, f"{action.value} {entry.key}", user)
        done = changes.collect(s, [posting_number])
    changes.publish(bus, done)
    return entry


def _refusal(step: str, current: Stage, number: str) -> str:
    first = {
        Stage.NOT_SHIPPED: "pack and ship it first",
        Stage.AWAITING_DELIVER: "mark it delivering first",
        Stage.DELIVERING: "it is already delivering",
        Stage.LAST_MILE: "it is already in the last mile",
        Stage.DELIVERED: "it is already delivered",
        Stage.CLOSED: "it is cancelled or closed",
    }[current]
    return f"posting {number} cannot be marked {step.replace('_', ' ')}: {first}"


def mark_delivering(db: Database, clock: Clock, posting_number: str, user: str = "", *, bus: EventBus) -> OutboxEntry:
    return _step(db, clock, ActionKind.DELIVERING, posting_number, user, bus)


def mark_last_mile(db: Database, clock: Clock, posting_number: str, user: str = "", *, bus: EventBus) -> OutboxEntry:
    return _step(db, clock, ActionKind.LAST_MILE, posting_number, user, bus)


def mark_delivered(db: Database, clock: Clock, posting_number: str, user: str = "", *, bus: EventBus) -> OutboxEntry:
    return _step(db, clock, ActionKind.DELIVERED, posting_number, user, bus)
