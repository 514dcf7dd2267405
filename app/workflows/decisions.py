"""What the seller decides about an action that waits or that Ozon refused: try it again, or drop it.

Dropping a ship drops what only made sense after it (Ozon's label for the posting, the labels of its
further boxes) and takes the posting's labels off the print queue: that parcel is not leaving.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app import outbox
from app.outbox import ActionKind, OutboxState, TargetKind
from app.workflows import labels

# Actions queued behind a ship on its posting that have no sense without it.
AFTER_SHIP = (ActionKind.FETCH_LABEL, ActionKind.LABEL_SPLIT_PARTS)
DROPPABLE = (OutboxState.PENDING, OutboxState.CONFLICT)


def retry(s: Session, keys: Sequence[str], now: datetime) -> set[str]:
    """Send the actions again; returns the postings they concern."""
    touched = set()
    for key in keys:
        entry = outbox.get(s, key)
        if entry is not None:
            outbox.retry(s, key, now)
            touched.add(entry.posting_number)
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
            _drop_after_ship(s, entry.target_id, now)
    return touched - {""}


def ship_refused_as_cancelled(s: Session, number: str, now: datetime) -> None:
    """Ozon cancelled the posting before its ship went out: its label has no sense any more.

    The ship itself stays refused, so the seller sees why the parcel must be unpacked."""
    _drop_after_ship(s, number, now, note="the posting was cancelled")


def _drop_after_ship(s: Session, number: str, now: datetime, note: str = "") -> None:
    for later in outbox.entries(s, DROPPABLE, target_id=number):
        if later.target_kind is TargetKind.POSTING and later.action in AFTER_SHIP:
            if note:
                outbox.mark_done(s, later.key, now, note=note)
            else:
                outbox.drop(s, later.key, now)
    labels.cancel_label_jobs(s, number, now)
