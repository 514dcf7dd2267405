"""Live updates between the desks of a shop: the events a desk publishes after a commit (postings
changed, outbox state, chats, returns, reviews, conflicts, a label ready to print) go to the other
desks through PostgreSQL's LISTEN/NOTIFY, and arrive on their own event bus as if published there —
so every page that refreshes on a local change refreshes on another desk's too.

A desk skips what it sent itself (its events were published locally already). NOTIFY carries at
most 8000 bytes: a long list of posting numbers goes in several notifications. When the listening
connection drops, it is made again and a broad "everything changed" is published, because
notifications sent meanwhile are lost.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from dataclasses import fields
from typing import Any

import psycopg
from sqlalchemy import make_url

from app import events
from app.events import Event, EventBus

log = logging.getLogger(__name__)

CHANNEL = "packdesk_events"
_MAX_PAYLOAD = 7000  # of NOTIFY's 8000 bytes, with room for the envelope
SHARED: tuple[type[Event], ...] = (
    events.PostingsChanged,
    events.OutboxChanged,
    events.ConflictDetected,
    events.ChatsChanged,
    events.ReturnsChanged,
    events.FeedbackChanged,
    # The leader fetched Ozon's label: the desk that packed the posting prints it now (its path is
    # the leader's; a desk reads the label from the database).
    events.LabelReady,
    # Sync now at a desk that does not lead: the leader syncs (sync/scheduler.py).
    events.SyncRequested,
)
_BY_NAME = {cls.__name__: cls for cls in SHARED}
# What a desk publishes after it missed notifications (the listening connection dropped).
_EVERYTHING: tuple[Event, ...] = (
    events.PostingsChanged(),
    events.ChatsChanged(),
    events.ReturnsChanged(),
    events.FeedbackChanged(),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode(event: Event) -> list[str]:
    """The event as one or more NOTIFY payloads (sets of ids split to fit)."""
    values = {f.name: getattr(event, f.name) for f in fields(event)}
    sets = {k: sorted(v) for k, v in values.items() if isinstance(v, frozenset)}
    plain = {k: v for k, v in values.items() if k not in sets}
    whole = _dumps({"type": type(event).__name__, **plain, **sets})
    if len(whole.encode()) <= _MAX_PAYLOAD or not sets:
        return [whole]
    payloads, chunk, size = [], {k: [] for k in sets}, 0  # type: ignore[var-annotated]
    for name, items in sets.items():
        for item in items:
            cost = len(_dumps(item).encode()) + 1  # and its comma
            if size + cost > _MAX_PAYLOAD - 200:
                payloads.append(_dumps({"type": type(event).__name__, **plain, **chunk}))
                chunk, size = {k: [] for k in sets}, 0
            chunk[name].append(item)
            size += cost
    payloads.append(_dumps({"type": type(event).__name__, **plain, **chunk}))
    return payloads


def decode(payload: str) -> Event | None:
    """The event a payload carries (None: not one of ours, or from a newer Packdesk)."""
    try:
        raw: dict[str, Any] = json.loads(payload)
        cls = _BY_NAME[raw.pop("type")]
        names = {f.name for f in fields(cls)}
        kept = {k: frozenset(v) if isinstance(v, list) else v for k, v in raw.items() if k in names}
        return cls(**kept)
    except (ValueError, KeyError, TypeError):
        log.warning("a desk event that cannot be read: %.200s", payload)
        return None


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class DeskEvents:
    """Forwards this desk's shared events to the others and publishes theirs here."""

    def __init__(self, url: str, bus: EventBus) -> None:
        self.url = url
        self.bus = bus
        self.origin = uuid.uuid4().hex[:12]  # this process, so its own notifications are skipped
        self._outgoing: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._relaying = threading.local()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.listening = threading.Event()  # set while the LISTEN connection is up
        for cls in SHARED:
            bus.subscribe(cls, self._forward)

    def start(self) -> DeskEvents:
        for target, name in ((self._listen, "packdesk-desk-events-in"), (self._send, "packdesk-desk-events-out")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._outgoing.put(None)
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    # -- out ------------------------------------------------------------------------------------------

    def _forward(self, event: Event) -> None:
        """On the publishing thread (maybe the window's): only queued, never a wait on the network."""
        if getattr(self._relaying, "on", False) or self._stopping.is_set():
            return  # another desk's event, published here: it has been everywhere already
        for payload in encode(event):
            self._outgoing.put(_dumps({"o": self.origin, "e": payload}))

    def _send(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while True:
            payload = self._outgoing.get()
            if payload is None:
                break
            for attempt in (1, 2):  # a dropped connection is made again once
                try:
                    if conn is None or conn.closed:
                        conn = psycopg.connect(_conninfo(self.url), autocommit=True, connect_timeout=5)
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    break
                except psycopg.Error as exc:
                    if conn is not None:
                        conn.close()
                    conn = None
                    if attempt == 2:  # the other desks refresh on their timers; nothing stored is lost
                        log.warning("could not tell the other desks of a change: %s", exc)
        if conn is not None:
            conn.close()

    # -- in -------------------------------------------------------------------------------------------

    def _listen(self) -> None:
        missed = False
        while not self._stopping.is_set():
            try:
                with psycopg.connect(_conninfo(self.url), autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if missed:  # what was sent while this desk was not listening is lost: refresh all
                        for event in _EVERYTHING:
                            self._publish(event)
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._received(note.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                missed = True
                log.warning("live updates from the other desks paused: %s", exc)
                self._stopping.wait(2.0)
        self.listening.clear()

    def _received(self, payload: str) -> None:
        try:
            envelope = json.loads(payload)
        except ValueError:
            return
        if not isinstance(envelope, dict) or envelope.get("o") == self.origin:
            return
        event = decode(str(envelope.get("e", "")))
        if event is not None:
            self._publish(event)

    def _publish(self, event: Event) -> None:
        self._relaying.on = True
        try:
            self.bus.publish(event)
        finally:
            self._relaying.on = False
