"""The outbox: every seller action is saved here, in the same transaction as its local effect,
and replayed to Ozon by the sync engine exactly once.

States: pending → in_flight → done, or → conflict (Ozon refused for good; shown to the seller),
or → failed (dropped by the seller). A transient error puts the action back to pending with a
later `next_attempt_at`. Actions on one target (a posting, a chat…) run in order; different
targets never block each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.tables import OutboxRow, PostingRow, ReturnRow
from app.logs import redact


class ActionKind(StrEnum):
    SHIP = "ship"
    FETCH_LABEL = "fetch_label"
    SET_TRACKING = "set_tracking"
    DELIVERING = "delivering"
    LAST_MILE = "last_mile"
    DELIVERED = "delivered"
    CANCEL = "cancel"
    APPROVE = "approve"  # rows from before migration 0004 only: Ozon has no approve method
    CHAT_SEND_TEXT = "chat_send_text"
    CHAT_SEND_FILE = "chat_send_file"
    CHAT_READ = "chat_read"
    CHAT_START = "chat_start"  # target: "start:<posting number>" (its own queue, behind no ship)
    RETURN_DECISION = "return_decision"
    REVIEW_REPLY = "review_reply"
    REVIEW_STATUS = "review_status"  # mark a review processed (or viewed) without a reply
    QUESTION_ANSWER = "question_answer"
    # Hand over: create and approve a carriage for a delivery method, download its act (PDF).
    CREATE_CARRIAGE = "create_carriage"
    # After a ship in several boxes: find the postings Ozon made of the further boxes, queue their labels.
    LABEL_SPLIT_PARTS = "label_split_parts"


class TargetKind(StrEnum):
    POSTING = "posting"
    CHAT = "chat"
    RETURN = "return"
    REVIEW = "review"
    QUESTION = "question"
    CARRIAGE = "carriage"  # target id: the delivery method id (its carriages go in order)


class OutboxState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    CONFLICT = "conflict"
    FAILED = "failed"


OPEN_STATES = (OutboxState.PENDING, OutboxState.IN_FLIGHT)
# A refused action holds the actions queued behind it on its target until the seller decides.
BLOCKING_STATES = (*OPEN_STATES, OutboxState.CONFLICT)


class Refusal(StrEnum):
    """Why Ozon (or events) refused an action: what the seller should do depends on it."""

    CANCELLED = "cancelled"  # the posting was cancelled: the goods go back, nothing is shipped
    DATA = "data"  # Ozon refused (or lacks) a marking code or customs number: pack again with the right ones
    CABINET = "cabinet"  # Ozon needs data Packdesk cannot send: finish it in Ozon's seller cabinet
    OVERTAKEN = "overtaken"  # the order or return moved on: the action no longer applies
    REFUSED = "refused"  # Ozon said no: its message says why


# Posting actions and the local status a posting shows while the action waits.
POSTING_TARGET_STATUS: dict[ActionKind, str] = {
    ActionKind.SHIP: "awaiting_deliver",
    ActionKind.DELIVERING: "delivering",
    ActionKind.LAST_MILE: "delivering",
    ActionKind.DELIVERED: "delivered",
    ActionKind.CANCEL: "cancelled",
}


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    key: str
    action: ActionKind
    target_kind: TargetKind
    target_id: str
    payload: dict[str, Any]
    state: OutboxState
    attempts: int
    ambiguous: bool
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    refusal: Refusal | None = None  # why it is a conflict (None: it is not one)

    @property
    def posting_number(self) -> str:
        return self.target_id if self.target_kind is TargetKind.POSTING else ""


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        key=row.key,
        action=ActionKind(row.action),
        target_kind=TargetKind(row.target_kind),
        target_id=row.target_id,
        payload=dict(row.payload),
        state=OutboxState(row.state),
        attempts=row.attempts,
        ambiguous=row.ambiguous,
        next_attempt_at=row.next_attempt_at,
        last_error=redact(row.last_error),  # rows written before redaction too
        created_at=row.created_at,
        updated_at=row.updated_at,
        done_at=row.done_at,
        refusal=Refusal(row.refusal) if row.refusal else None,
    )


def enqueue(
    session: Session,
    action: ActionKind,
    target_kind: TargetKind,
    target_id: str,
    payload: dict[str, Any],
    now: datetime,
    key: str | None = None,
) -> OutboxEntry:
    """Add an action inside the caller's transaction (which also writes its local effect)."""
    row = OutboxRow(
        key=key or str(uuid.uuid4()),
        action=action.value,
        target_kind=target_kind.value,
        target_id=target_id,
        payload=payload,
        state=OutboxState.PENDING.value,
        attempts=0,
        ambiguous=False,
        next_attempt_at=now,
        last_error="",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return _entry(row)


def get(session: Session, key: str) -> OutboxEntry | None:
    row = session.scalar(select(OutboxRow).where(OutboxRow.key == key))
    return None if row is None else _entry(row)


def entries(
    session: Session, states: tuple[OutboxState, ...] | None = None, target_id: str | None = None
) -> list[OutboxEntry]:
    stmt = select(OutboxRow).order_by(OutboxRow.id)
    if states:
        stmt = stmt.where(OutboxRow.state.in_([s.value for s in states]))
    if target_id is not None:
        stmt = stmt.where(OutboxRow.target_id == target_id)
    return [_entry(r) for r in session.scalars(stmt)]


def counts(session: Session) -> dict[OutboxState, int]:
    rows = session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
    result = dict.fromkeys(OutboxState, 0)
    for state, n in rows:
        result[OutboxState(state)] = n
    return result


def pending_counts(session: Session) -> tuple[int, int]:
    """What the status bar shows: (actions waiting to go out or under way, conflicts)."""
    n = counts(session)
    return n[OutboxState.PENDING] + n[OutboxState.IN_FLIGHT], n[OutboxState.CONFLICT]


def due(
    session: Session,
    now: datetime,
    limit: int = 50,
    only: Collection[ActionKind] = (),
    skip: Collection[ActionKind] = (),
) -> list[OutboxEntry]:
    """Open actions whose time has come, oldest first, only the head of each target's queue (a refused
    action holds the ones behind it; a label fetch holds none, since it may wait for a ship queued
    after it); of the kinds in `only` (all when empty), not of those in `skip`."""
    wanted = {k.value for k in only}
    unwanted = {k.value for k in skip}
    result: list[OutboxEntry] = []
    for row in _heads(session):
        if (wanted and row.action not in wanted) or row.action in unwanted:
            continue
        if row.next_attempt_at <= now:
            result.append(_entry(row))
            if len(result) >= limit:
                break
    return result


def _heads(session: Session) -> Iterator[OutboxRow]:
    """The open actions that may go now or later: the head of each target's queue, oldest first. A
    refused action holds the ones behind it; a label fetch holds none."""
    open_rows = session.scalars(
        select(OutboxRow).where(OutboxRow.state.in_([s.value for s in BLOCKING_STATES])).order_by(OutboxRow.id)
    )
    seen_targets: set[tuple[str, str]] = set()
    for row in open_rows:
        target = (row.target_kind, row.target_id)
        if target in seen_targets:
            continue  # an earlier action on this target goes first
        if row.action != ActionKind.FETCH_LABEL.value or row.state == OutboxState.CONFLICT.value:
            seen_targets.add(target)  # a label fetch holds nothing behind it (it may wait for the ship)
        if row.state != OutboxState.CONFLICT.value:  # a conflict waits for the seller
            yield row


def next_due_at(session: Session) -> datetime | None:
    """When the next action `due` would return comes due (None: nothing can go). Actions held behind
    a conflict do not count: waking for them would send nothing, again and again."""
    times = [row.next_attempt_at for row in _heads(session) if row.state == OutboxState.PENDING.value]
    return min(times, default=None)


def _update(session: Session, key: str, now: datetime, **values: Any) -> None:
    if "last_error" in values:  # an error text may quote the request: never store the Api-Key
        values["last_error"] = redact(values["last_error"])
    session.execute(update(OutboxRow).where(OutboxRow.key == key).values(updated_at=now, **values))


# How long a desk's claim on an action it sends holds: a request takes seconds, a desk that died
# with it in flight leaves a claim the leader re-checks after this (`recover_expired`).
CLAIM_LEASE = timedelta(minutes=2)


def mark_in_flight(session: Session, key: str, now: datetime, desk: str = "") -> bool:
    """Claim a pending action before its request goes out (committed first: a crash then leaves an
    ambiguous in-flight row). False when someone else claimed or settled it meanwhile. On a shared
    server the row is taken with FOR UPDATE SKIP LOCKED: a desk never waits on another's claim."""
    free = session.scalar(
        select(OutboxRow.id)
        .where(OutboxRow.key == key, OutboxRow.state == OutboxState.PENDING.value)
        .with_for_update(skip_locked=True)
    )
    if free is None:
        return False
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == free, OutboxRow.state == OutboxState.PENDING.value)
        .values(
            state=OutboxState.IN_FLIGHT.value,
            attempts=OutboxRow.attempts + 1,
            updated_at=now,
            claimed_by=desk,
            claimed_until=now + CLAIM_LEASE,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def recover_expired(session: Session, now: datetime, desk: str) -> int:
    """Actions another desk claimed and left in flight past their lease (it died sending them): re-checked
    on Ozon before any re-send, as after a crash."""
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.state == OutboxState.IN_FLIGHT.value,
            OutboxRow.claimed_by != desk,
            OutboxRow.claimed_until < now,
        )
        .values(state=OutboxState.PENDING.value, ambiguous=True, updated_at=now, next_attempt_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_done(session: Session, key: str, now: datetime, note: str = "") -> None:
    """Applied on Ozon, or (with a `note` saying why) no longer needed."""
    _update(session, key, now, state=OutboxState.DONE.value, done_at=now, last_error=note, ambiguous=False)
    _settle(session, key)


def mark_retry(
    session: Session, key: str, now: datetime, error: str, next_attempt_at: datetime, ambiguous: bool
) -> None:
    values: dict[str, Any] = {
        "state": OutboxState.PENDING.value,
        "last_error": error,
        "next_attempt_at": next_attempt_at,
    }
    if ambiguous:
        values["ambiguous"] = True  # stays ambiguous until a later attempt settles it
    _update(session, key, now, **values)


def mark_conflict(session: Session, key: str, now: datetime, error: str, refusal: Refusal = Refusal.REFUSED) -> None:
    _update(session, key, now, state=OutboxState.CONFLICT.value, last_error=error, refusal=refusal.value)
    _settle(session, key)


def postpone_all(session: Session, until: datetime, now: datetime) -> None:
    """A 429/503 with Retry-After pauses every pending action (the rate limit is per shop)."""
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.state == OutboxState.PENDING.value, OutboxRow.next_attempt_at < until)
        .values(next_attempt_at=until, updated_at=now)
    )


def postpone(session: Session, target_id: str, action: ActionKind, until: datetime, now: datetime, note: str) -> None:
    """Open actions of this kind on the target wait until `until` (what they need is not there yet)."""
    session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.target_id == target_id,
            OutboxRow.action == action.value,
            OutboxRow.state == OutboxState.PENDING.value,
            OutboxRow.next_attempt_at < until,
        )
        .values(next_attempt_at=until, last_error=redact(note), updated_at=now)
    )


def retry(session: Session, key: str, now: datetime) -> None:
    """The seller asks to try a conflicted or failed action again."""
    row = session.scalar(select(OutboxRow).where(OutboxRow.key == key))
    if row is None or row.state not in (OutboxState.CONFLICT.value, OutboxState.FAILED.value):
        return
    row.state = OutboxState.PENDING.value
    row.next_attempt_at = now
    row.updated_at = now
    row.refusal = ""
    row.last_error = ""
    apply_local_effect(session, _entry(row))


def drop(session: Session, key: str, now: datetime) -> None:
    """The seller gives up on an action: it is kept, marked failed, and its local effect undone."""
    _update(session, key, now, state=OutboxState.FAILED.value, last_error="dropped by the seller")
    _settle(session, key)


def recover_in_flight(session: Session, now: datetime) -> int:
    """At start-up: an action left in flight may have reached Ozon. Re-check before re-sending."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.state == OutboxState.IN_FLIGHT.value)
        .values(state=OutboxState.PENDING.value, ambiguous=True, updated_at=now, next_attempt_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _return_row(target_id: str) -> Any:
    """The rFBS return request an action targets (its id is the request's)."""
    return (ReturnRow.kind == "rfbs") & (ReturnRow.return_id == int(target_id))


def apply_local_effect(session: Session, entry: OutboxEntry) -> None:
    if entry.action is ActionKind.RETURN_DECISION:
        name = str(entry.payload.get("action_name") or entry.payload.get("action_id"))[:64]
        session.execute(update(ReturnRow).where(_return_row(entry.target_id)).values(local_status=name))
        return
    target = POSTING_TARGET_STATUS.get(entry.action)
    if entry.target_kind is TargetKind.POSTING and target is not None:
        session.execute(
            update(PostingRow).where(PostingRow.posting_number == entry.target_id).values(local_status=target)
        )


def _settle(session: Session, key: str) -> None:
    """An action finished one way or another: recompute the target's local status."""
    row = session.scalar(select(OutboxRow).where(OutboxRow.key == key))
    if row is not None and row.action == ActionKind.RETURN_DECISION.value:
        session.execute(update(ReturnRow).where(_return_row(row.target_id)).values(local_status=None))
        return
    if row is None or row.target_kind != TargetKind.POSTING.value:
        return
    still_open = session.scalars(
        select(OutboxRow)
        .where(
            OutboxRow.target_id == row.target_id,
            OutboxRow.target_kind == TargetKind.POSTING.value,
            OutboxRow.state.in_([s.value for s in OPEN_STATES]),
        )
        .order_by(OutboxRow.id.desc())
    ).all()
    local = None
    for other in still_open:
        local = POSTING_TARGET_STATUS.get(ActionKind(other.action))
        if local is not None:
            break
    session.execute(update(PostingRow).where(PostingRow.posting_number == row.target_id).values(local_status=local))
