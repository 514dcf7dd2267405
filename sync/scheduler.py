"""Runs sync cycles on a background thread: every `interval` seconds, sooner when an action is
queued (`sync_now()`), never on the UI thread. `stop()` returns once the current cycle ends.
The seller's Sync now (`sync_now(retry_paused=True)`) also ends the pauses of areas the plan left
out (chats, reviews): the next cycle, on the sync thread, asks Ozon for them again."""

from __future__ import annotations

import logging
import threading
import time

from app.errors import DatabaseDamaged
from app.events import OutboxChanged, SyncRequested
from sync.cycle import CycleResult
from sync.engine import SyncEngine
from sync.leader import POLL_S, Leadership

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0


class SyncScheduler:
    def __init__(self, engine: SyncEngine, interval_s: float = 60.0, leadership: Leadership | None = None) -> None:
        self.engine = engine
        # Several desks on one server: only the leading desk syncs; the others ask to lead every
        # POLL_S (None: this process always syncs, as on SQLite).
        self.leadership = leadership
        self.interval_s = max(1.0, interval_s)
        self._wake = threading.Event()
        self._retry_paused = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_result: CycleResult | None = None
        self.stopped_by: DatabaseDamaged | None = None  # why the loop ended by itself
        if leadership is not None and leadership.shared:
            # Another desk's queued action (its OutboxChanged, relayed by app.db.notify) goes out now,
            # as this desk's own does (the packing page's sync_now), not at the next interval.
            engine.bus.subscribe(OutboxChanged, self._on_outbox_changed)
            engine.bus.subscribe(SyncRequested, self._on_sync_requested)

    def _on_outbox_changed(self, _event: OutboxChanged) -> None:
        # A cycle's own announcement (on the sync thread) must not start the next cycle at once.
        if self.leadership is not None and self.leadership.leading and threading.current_thread() is not self._thread:
            self._wake.set()

    def _on_sync_requested(self, _event: SyncRequested) -> None:
        if self.leadership is not None and self.leadership.leading:  # the seller's Sync now at another desk
            self.sync_now(retry_paused=True)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="packdesk-sync", daemon=True)
        self._thread.start()

    def sync_now(self, retry_paused: bool = False) -> None:
        """Sync at once. `retry_paused`: the seller's Sync now, which at a desk that does not lead is
        asked of the leader (app.db.notify carries it there): this desk does not talk to Ozon."""
        if retry_paused:
            self._retry_paused.set()
            leadership = self.leadership
            if leadership is not None and leadership.shared and not leadership.leading:
                self.engine.bus.publish(SyncRequested())
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.leadership is not None:
            self.leadership.release()

    def _run(self) -> None:
        next_cycle = 0.0  # time.monotonic() of the next cycle: the first one at once
        while not self._stopping.is_set():
            woken = self._wake.is_set()
            self._wake.clear()
            if self.leadership is not None and not self._lead():
                next_cycle = 0.0  # on taking the lead, sync at once
                self._wake.wait(POLL_S)  # another desk syncs the shop; ask again soon
                continue
            if woken or time.monotonic() >= next_cycle:
                try:
                    if self._retry_paused.is_set():
                        self._retry_paused.clear()
                        self.engine.retry_plan_limited()
                    self.last_result = self.engine.run_cycle()
                except DatabaseDamaged as exc:  # nothing to sync from or into: stop, don't retry all day
                    log.error("sync stopped: %s", exc)
                    self.stopped_by = exc
                    return
                except Exception:
                    # A bug must not kill background sync for the rest of the day; it is logged.
                    log.exception("sync cycle crashed")
                if self.engine.db.damaged is not None:  # the cycle met it and carried on: stop here
                    log.error("sync stopped: %s", self.engine.db.damaged)
                    self.stopped_by = self.engine.db.damaged
                    return
                next_cycle = time.monotonic() + self._next_wait()
            wait = next_cycle - time.monotonic()
            if self.leadership is not None and self.leadership.shared:
                wait = min(wait, HEARTBEAT_S)  # the leader says it is alive well within desks.GONE_AFTER
            self._wake.wait(max(0.0, wait))

    def _lead(self) -> bool:
        assert self.leadership is not None
        try:
            return self.leadership.lead()
        except Exception:
            log.exception("could not ask for the lead")
            return False

    def _next_wait(self) -> float:
        wait = self.interval_s
        if self.last_result is not None and not self.last_result.online:
            wait = min(wait, 15.0)  # offline: look for the connection more often
        try:
            due = self.engine.seconds_until_due()
        except Exception:
            log.exception("could not read the outbox schedule")
            due = None
        if due is not None:
            wait = min(wait, max(1.0, due))  # a retry whose backoff ends sooner goes out then
        return wait
