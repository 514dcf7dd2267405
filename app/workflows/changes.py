"""What a workflow changed, gathered inside its transaction and announced on the bus after commit,
so every screen (orders, status bar, handover) refreshes without polling."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import outbox
from app.events import ChatsChanged, EventBus, OutboxChanged, PostingsChanged, ReturnsChanged


@dataclass(frozen=True, slots=True)
class Changes:
    postings: frozenset[str] = field(default_factory=frozenset)
    cancelled: frozenset[str] = field(default_factory=frozenset)
    pending: int = 0
    conflicts: int = 0
    outbox: bool = False  # the outbox changed: announce its counts
    returns: int = 0  # return requests whose local state changed
    chats: frozenset[str] = field(default_factory=frozenset)


def collect(
    session: Session,
    postings: Iterable[str] = (),
    cancelled: Iterable[str] = (),
    outbox_changed: bool = True,
    returns: int = 0,
    chats: Iterable[str] = (),
) -> Changes:
    """Call at the end of the transaction: the outbox counts are read in it."""
    pending = conflicts = 0
    if outbox_changed:
        pending, conflicts = outbox.pending_counts(session)
    return Changes(
        frozenset(postings), frozenset(cancelled), pending, conflicts, outbox_changed, returns, frozenset(chats)
    )


def publish(bus: EventBus, changes: Changes | None) -> None:
    """Announce what a committed transaction changed (None: nothing)."""
    if changes is None:
        return
    if changes.postings or changes.cancelled:
        bus.publish(PostingsChanged(changes.postings, frozenset(), changes.cancelled))
    if changes.returns:
        bus.publish(ReturnsChanged(changes.returns))
    if changes.chats:
        bus.publish(ChatsChanged(changes.chats))
    if changes.outbox:
        bus.publish(OutboxChanged(changes.pending, changes.conflicts))
