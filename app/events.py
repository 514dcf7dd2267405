"""Typed events from the core and the sync engine, and a small thread-safe bus.

Subscribers are held weakly when they are bound methods, so a closed window drops out by itself.
The UI adapts the bus to Qt signals in ui/bridge.py; the core never knows Qt exists.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class SyncStarted(Event):
    at: datetime


@dataclass(frozen=True, slots=True)
class SyncFinished(Event):
    at: datetime
    summary: str
    ok: bool


@dataclass(frozen=True, slots=True)
class PostingsChanged(Event):
    posting_numbers: frozenset[str] = field(default_factory=frozenset)
    new: frozenset[str] = field(default_factory=frozenset)
    cancelled: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ChatsChanged(Event):
    chat_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ReturnsChanged(Event):
    count: int = 0


@dataclass(frozen=True, slots=True)
class FeedbackChanged(Event):
    count: int = 0


@dataclass(frozen=True, slots=True)
class OutboxChanged(Event):
    pending: int
    conflicts: int


@dataclass(frozen=True, slots=True)
class ConflictDetected(Event):
    key: str
    action: str
    target_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ConnectivityChanged(Event):
    online: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AuthFailed(Event):
    reason: str


@dataclass(frozen=True, slots=True)
class PlanLimited(Event):
    """A paid-plan feature (chats, reviews) is off for this shop; that part of sync is paused."""

    area: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncRequested(Event):
    """The seller asked for a sync (Sync now) at a desk that does not lead: the leader syncs now."""


@dataclass(frozen=True, slots=True)
class LabelReady(Event):
    posting_number: str
    path: str


Handler = Callable[[Any], None]


def _strong(handler: Handler) -> Callable[[], Handler | None]:
    return lambda: handler


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[tuple[type[Event], Callable[[], Handler | None]]] = []

    def subscribe(self, event_type: type[Event], handler: Handler) -> None:
        ref: Callable[[], Handler | None]
        if hasattr(handler, "__self__") and hasattr(handler, "__func__"):
            ref = weakref.WeakMethod(handler)
        else:
            ref = _strong(handler)  # plain functions and callables are held strongly
        with self._lock:
            self._subs.append((event_type, ref))

    def publish(self, event: Event) -> None:
        with self._lock:
            subs = list(self._subs)
        dead = False
        for event_type, ref in subs:
            if not isinstance(event, event_type):
                continue
            handler = ref()
            if handler is None:
                dead = True
                continue
            try:
                handler(event)
            except Exception:
                log.exception("event handler failed for %s", type(event).__name__)
        if dead:
            with self._lock:
                self._subs = [(t, r) for t, r in self._subs if r() is not None]
