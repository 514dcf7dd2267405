"""The sync engine: pull Ozon's state into the local cache and push the outbox. A cycle pulls the
postings, pushes the order actions the seller waits on (ship, cancel, tracking, rFBS steps), then pulls
the rest (products, chats, returns, reviews) and pushes everything else, labels last.

Pull (`sync.pull`): every page is committed together with the cursor that follows it, so an
interrupted pull resumes without gaps or duplicates. Push (`sync.push`, handlers in
`sync.actions`): order actions are *target states* — before each send the posting is re-read, so an
action that already took effect (our lost reply, another desk) is marked done, and one whose posting
was cancelled becomes a conflict and is never sent. Chat and reply texts are looked for in the
history before a re-send after an ambiguous failure. Waiting on Ozon (Retry-After, backoff) is in
`sync.backoff`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection
from pathlib import Path

from app import outbox, sync_status
from app.clock import Clock
from app.db.engine import Database
from app.events import AuthFailed, ConnectivityChanged, EventBus, OutboxChanged, SyncFinished, SyncStarted
from app.feedback.query import PLAN_AREA
from app.outbox import ActionKind
from sync.backoff import Pause
from sync.client import OzonClient
from sync.context import DEFAULT_WORK_HOURS, SyncContext
from sync.cycle import CycleResult, Offline
from sync.errors import AuthError, MissingRoleError, NetworkError, OzonError, ServerError
from sync.pull.chats import pull_chats
from sync.pull.feedback import pull_feedback
from sync.pull.plan import end_pauses, pull_optional
from sync.pull.postings import pull_postings
from sync.pull.products import pull_products
from sync.pull.purge import purge_personal_data
from sync.pull.returns import pull_returns
from sync.push import Pusher

log = logging.getLogger(__name__)

FIRST_AREAS = ("postings",)
PLAN_AREAS = ("chats", PLAN_AREA)  # paused for a while when the shop's plan leaves them out
# Order actions the seller waits on (a courier, a buyer): pushed right after the postings pull.
URGENT_ACTIONS = (
    ActionKind.SHIP,
    ActionKind.CANCEL,
    ActionKind.SET_TRACKING,
    ActionKind.DELIVERING,
    ActionKind.LAST_MILE,
    ActionKind.DELIVERED,
)


class SyncEngine:
    def __init__(
        self,
        db: Database,
        client: OzonClient,
        bus: EventBus,
        clock: Clock,
        labels_dir: Path,
        rng: random.Random | None = None,
        personal_data_days: int = 30,
        work_hours: str = DEFAULT_WORK_HOURS,
        desk: str = "",
    ) -> None:
        self.ctx = SyncContext(db, client, bus, clock, labels_dir, work_hours, desk)
        self.rng = rng or random.Random()
        self.online: bool | None = None
        self.personal_data_days = personal_data_days
        self.pause = Pause(self.ctx)
        self.pusher = Pusher(self.ctx, self.pause, self.rng)

    # The context's parts, settable (a demo swaps the clock, a test the label folder).
    @property
    def db(self) -> Database:
        return self.ctx.db

    @property
    def client(self) -> OzonClient:
        return self.ctx.client

    @property
    def bus(self) -> EventBus:
        return self.ctx.bus

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.ctx.clock = clock

    @property
    def labels_dir(self) -> Path:
        return self.ctx.labels_dir

    @labels_dir.setter
    def labels_dir(self, labels_dir: Path) -> None:
        self.ctx.labels_dir = labels_dir

    # -- cycle ---------------------------------------------------------------------------------

    def run_cycle(self) -> CycleResult:
        result = CycleResult()
        self.bus.publish(SyncStarted(self.clock.now()))
        try:
            if self.pause.active():
                assert self.pause.until is not None
                result.fail(f"Ozon asked to wait until {self.pause.until:%H:%M:%S} UTC", "offline")
            else:
                # Time-critical posting actions go right after the postings (they re-read their
                # posting anyway), so a slow or failing pull of chats or reviews cannot starve them.
                tried: set[str] = set()
                self.pull(result, only=FIRST_AREAS)
                self.push(result, only=URGENT_ACTIONS, tried=tried)
                self.pull(result, skip=FIRST_AREAS)
                self.push(result, tried=tried)
        except Offline as exc:
            result.online = False
            result.fail(str(exc), "offline")
        except AuthError as exc:
            result.fail(str(exc), "auth")
            self.bus.publish(AuthFailed(str(exc)))
        self._set_online(result.online, result.error)
        purge_personal_data(self.ctx, self.personal_data_days)
        now = self.clock.now()
        with self.db.write() as s:
            if result.ok:
                sync_status.record_sync(s, now)
            result.waiting, conflicts = outbox.pending_counts(s)
        self.bus.publish(OutboxChanged(result.waiting, conflicts))
        self.bus.publish(SyncFinished(now, result.summary(), result.ok))
        log.info("%s", result.summary())
        return result

    def retry_plan_limited(self) -> list[str]:
        """The seller asked to sync now: the areas paused for the plan are tried again next cycle."""
        ended = end_pauses(self.ctx, PLAN_AREAS)
        if ended:
            log.info("sync now: trying %s again (paused for the Ozon plan)", ", ".join(ended))
        return ended

    def seconds_until_due(self) -> float | None:
        """How soon the outbox has something to send (None: nothing waiting)."""
        with self.db.read() as s:
            due = outbox.next_due_at(s)
        if due is None:
            return None
        if self.pause.until is not None:
            due = max(due, self.pause.until)
        return max(0.0, (due - self.clock.now()).total_seconds())

    def _set_online(self, online: bool, reason: str) -> None:
        if self.online != online:
            self.online = online
            self.bus.publish(ConnectivityChanged(online, "" if online else reason))

    # -- pull and push -------------------------------------------------------------------------

    def pull(self, result: CycleResult, only: Collection[str] = (), skip: Collection[str] = ()) -> None:
        """Each area on its own (those in `only`, all when empty, none in `skip`): one that Ozon
        answers badly (a malformed page, a 5xx, a missing role) is reported and skipped, the others
        and the push still run. A dead connection, a bad key or a 429 / Retry-After ends the cycle."""
        ctx = self.ctx
        areas: list[tuple[str, Callable[[], None]]] = [
            ("postings", lambda: pull_postings(ctx, result)),
            ("products", lambda: pull_products(ctx, result)),
            ("chats", lambda: pull_optional(ctx, PLAN_AREAS[0], lambda: pull_chats(ctx, result))),
            ("returns", lambda: pull_returns(ctx, result)),
            ("reviews", lambda: pull_optional(ctx, PLAN_AREA, lambda: pull_feedback(ctx, result))),
        ]
        for area, step in areas:
            if (only and area not in only) or area in skip:
                continue
            try:
                self.pause.guard(step)
            except MissingRoleError as exc:
                result.fail(f"{area}: {exc}", "auth")
            except (Offline, AuthError):
                raise
            except NetworkError as exc:  # unanswered after its retries, on a link that still answers
                log.warning("sync of %s failed: %s", area, exc)
                result.fail(f"{area}: {exc}", "offline")
            except ServerError as exc:
                log.warning("sync of %s failed: %s", area, exc)
                result.fail(f"{area}: {exc}", "server")  # Ozon's trouble, not an answer we cannot read
            except OzonError as exc:
                log.warning("sync of %s failed: %s", area, exc)
                result.fail(f"{area}: {exc}", "protocol")

    def push(
        self, result: CycleResult, limit: int = 200, only: Collection[ActionKind] = (), tried: set[str] | None = None
    ) -> None:
        """Replay due outbox actions (see `sync.push.Pusher.push`)."""
        self.pusher.push(result, limit, only, tried)
