"""What the seller decides about an action that waits or that Ozon refused: try it again, or drop it.

A ship carries what only makes sense after it: Ozon's label for the posting and the labels of its
further boxes (queued after it, before any later ship of the same posting, e.g. when it was packed
again). Dropping the ship drops those and takes the posting's labels off the print queue, as that
parcel is not leaving; trying a dropped ship again brings them back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app import outbox
from app.clock import Clock
from app.db.engine import Database
from app.events import EventBus
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.repos import postings as posting_repo
from app.workflows import changes, labels

# Actions queued behind a ship on its posting that have no sense without it.
AFTER_SHIP = (ActionKind.FETCH_LABEL, ActionKind.LABEL_SPLIT_PARTS)
DROPPABLE = (OutboxState.PENDING, OutboxState.CONFLICT)


def retry_actions(db: Database, clock: Clock, keys: Sequence[str], *, bus: EventBus) -> set[str]:
    """Send the actions again (`retry`), in one transaction, then announce it; returns their postings."""
    return _decide(db, clock, keys, retry, bus)


def drop_actions(db: Database, clock: Clock, keys: Sequence[str], *, bus: EventBus) -> set[str]:
    """Give the actions up (`drop`), in one transaction, then announce it; returns their postings."""
    return _decide(db, clock, keys, drop, bus)


def _decide(
    db: Database,
    clock: Clock,
    keys: Sequence[str],
    step: Callable[[Session, Sequence[str], datetime], set[str]],
    bus: EventBus,
) -> set[str]:
    with db.write() as s:
        touched = step(s, keys, clock.now())
        done = changes.collect(s, touched)
    changes.publish(bus, done)
    return touched


def retry(s: Session, keys: Sequence[str], now: datetime) -> set[str]:
    """Send the actions again; returns the postings they concern."""
    touched = set()
    for key in keys:
        entry = outbox.get(s, key)
        if entry is None:
            continue
        outbox.retry(s, key, now)
        touched.add(entry.posting_number)
        if entry.action is ActionKind.SHIP and entry.state is OutboxState.FAILED:
            _revive_after_ship(s, entry, now)
    return touched - {""}


def drop(s: Session, keys: Sequence[str], now: datetime) -> set[str]:
    """Give the actions up (kept, marked dropped); returns the postings they concern."""
    touched = set()
    for key in keys:
        entry = outbox.get(s, key)
        if entry is None or entry.state not in DROPPABLE:
            continue
        outbox.drop(s, key, now)
        touched.add(entry.posting_number)
        if entry.action is ActionKind.SHIP:
            _drop_after_ship(s, entry, now)
    return touched - {""}


def ship_refused_as_cancelled(s: Session, ship: OutboxEntry, now: datetime) -> None:
    """Ozon cancelled the posting before its ship went out: no label or further box of it is needed.
    Every open label action of the posting (queued with the ship, or before it when the label was
    printed before packing) is closed with a note, not left to Ozon to refuse as a conflict of its own.

    The ship itself stays refused, so the seller sees why the parcel must be unpacked."""
    for other in outbox.entries(s, DROPPABLE, target_id=ship.target_id):
        if other.target_kind is TargetKind.POSTING and other.action in AFTER_SHIP:
            outbox.mark_done(s, other.key, now, note="the posting was cancelled")
    labels.cancel_label_jobs(s, ship.target_id, now)


def _after_ship(s: Session, ship: OutboxEntry, states: tuple[OutboxState, ...]) -> tuple[list[OutboxEntry], bool]:
    """The label actions that follow `ship` (up to the posting's next ship), and whether a later
    ship of the posting exists (it has labels of its own)."""
    found: list[OutboxEntry] = []
    for later in outbox.entries(s, target_id=ship.target_id):
        if later.id <= ship.id or later.target_kind is not TargetKind.POSTING:
            continue
        if later.action is ActionKind.SHIP:
            return found, True
        if later.action in AFTER_SHIP and later.state in states:
            found.append(later)
    return found, False


def _drop_after_ship(s: Session, ship: OutboxEntry, now: datetime) -> None:
    found, packed_again = _after_ship(s, ship, DROPPABLE)
    for later in found:
        outbox.drop(s, later.key, now)
    if not packed_again:  # a later ship of the posting prints the labels it queued
        labels.cancel_label_jobs(s, ship.target_id, now)


def _revive_after_ship(s: Session, ship: OutboxEntry, now: datetime) -> None:
    found, packed_again = _after_ship(s, ship, (OutboxState.FAILED,))
    for later in found:
        outbox.retry(s, later.key, now)
    cached = next(iter(posting_repo.get_many(s, [ship.target_id])), None)
    if packed_again or cached is None:
        return
    labels.queue_package_label(s, cached.posting, now)  # again, if it was taken off with the ship
