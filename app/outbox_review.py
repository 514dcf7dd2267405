"""The seller's review of actions not done yet or refused by Ozon: which are listed, in what order,
which may be retried, dropped or redone. Applying the decision is `app.workflows.decisions`.
"""

from __future__ import annotations

from collections.abc import Sequence

from app import outbox
from app.db.engine import Database
from app.outbox import OutboxEntry, OutboxState, TargetKind
from app.workflows import decisions

LISTED_STATES = (OutboxState.CONFLICT, OutboxState.PENDING, OutboxState.IN_FLIGHT, OutboxState.FAILED)
MAX_DROPPED = 200  # dropped actions are kept for the record; only the latest are listed
_ORDER = {OutboxState.CONFLICT: 0, OutboxState.PENDING: 1, OutboxState.IN_FLIGHT: 1, OutboxState.FAILED: 2}
RETRYABLE = frozenset({OutboxState.CONFLICT, OutboxState.FAILED})
DROPPABLE = frozenset(decisions.DROPPABLE)


def listed(db: Database) -> list[OutboxEntry]:
    """Refused first, then waiting (oldest first), then the latest dropped (newest first)."""
    with db.read() as session:
        shown = outbox.entries(session, LISTED_STATES)
    dropped = [e for e in shown if e.state is OutboxState.FAILED][-MAX_DROPPED:]
    rest = [e for e in shown if e.state is not OutboxState.FAILED]
    return sorted(rest, key=lambda e: (_ORDER[e.state], e.id)) + sorted(dropped, key=lambda e: -e.id)


def can_retry(entries: Sequence[OutboxEntry]) -> bool:
    return bool(entries) and {e.state for e in entries} <= RETRYABLE


def can_drop(entries: Sequence[OutboxEntry]) -> bool:
    return bool(entries) and {e.state for e in entries} <= DROPPABLE


def posting_of(entries: Sequence[OutboxEntry]) -> str | None:
    """The posting when exactly one action about a posting is chosen (it can be shown)."""
    if len(entries) == 1 and entries[0].target_kind is TargetKind.POSTING:
        return entries[0].target_id
    return None


def can_redo(entries: Sequence[OutboxEntry]) -> bool:
    """Drop a refused posting action and do it again differently."""
    return posting_of(entries) is not None and entries[0].state is OutboxState.CONFLICT
