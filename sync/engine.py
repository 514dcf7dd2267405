"""The sync engine: pull Ozon's state into the local cache, then push the outbox.

Pull: every page is committed together with the cursor that follows it, so an interrupted pull
resumes without gaps or duplicates. Push: order actions are *target states* — before each send
the posting is re-read, so an action that already took effect (our lost reply, another desk) is
marked done, and one whose posting was cancelled becomes a conflict and is never sent. Chat and
reply texts are looked for in the history before a re-send after an ambiguous failure.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from app import label_files, outbox, print_queue
from app.clock import Clock
from app.db.engine import Database
from app.domain.chats import AuthorType
from app.domain.postings import FINISHED, SHIPPED_OR_LATER, Posting, PostingStatus
from app.domain.returns import ReturnRequest
from app.events import (
    AuthFailed,
    ChatsChanged,
    ConflictDetected,
    ConnectivityChanged,
    EventBus,
    FeedbackChanged,
    LabelReady,
    OutboxChanged,
    PlanLimited,
    PostingsChanged,
    ReturnsChanged,
    SyncFinished,
    SyncStarted,
)
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.repos import chats as chat_repo
from app.repos import feedback as feedback_repo
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos import returns as return_repo
from app.repos import sync_state
from app.workflows import privacy
from sync import schemas
from sync.client import OzonClient, Page
from sync.errors import (
    AuthError,
    InvalidStateError,
    MissingRoleError,
    NetworkError,
    OzonError,
    PlanLimitError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

HISTORY_DAYS = 30  # how far back the first sync reaches
LIST_SPAN_DAYS = 180  # `since` of the change window (the API allows up to a year)
OVERLAP = timedelta(minutes=2)  # re-read a little of the previous window: clocks and commits race
RECONCILE_EVERY = timedelta(minutes=15)  # full unfulfilled re-read, in case a change was missed
PLAN_RETRY = timedelta(hours=6)
PRODUCT_REFRESH = timedelta(days=1)
PRODUCT_REFRESH_BATCH = 1000  # one products call per cycle at most
MAX_PAUSE = timedelta(minutes=15)
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
LABEL_NOT_READY_S = 20.0
MAX_PAGES = 1000  # a runaway cursor must not loop forever

# rFBS steps: action → API step name.
_RFBS_STEPS = {
    ActionKind.DELIVERING: "delivering",
    ActionKind.LAST_MILE: "last-mile",
    ActionKind.DELIVERED: "delivered",
}


class Offline(Exception):
    """Raised inside a cycle to stop it: the network or Ozon is unreachable right now."""


@dataclass
class CycleResult:
    postings: int = 0
    new: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    chats: int = 0
    messages: int = 0
    returns: int = 0
    reviews: int = 0
    questions: int = 0
    products: int = 0
    sent: int = 0
    conflicts: int = 0
    waiting: int = 0
    online: bool = True
    error: str = ""
    error_kind: str = ""  # "auth", "offline", "protocol" — for the CLI's exit code
    more_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def fail(self, error: str, kind: str) -> None:
        """Record a failure; the first one names the cycle's outcome (and the CLI's exit code)."""
        if not self.error:
            self.error, self.error_kind = error, kind
        else:
            self.more_errors.append(error)

    def summary(self) -> str:
        pulled = (
            f"{self.postings} postings ({len(self.new)} new, {len(self.cancelled)} cancelled), "
            f"{self.products} products, {self.chats} chats/{self.messages} messages, "
            f"{self.returns} returns, {self.reviews} reviews, {self.questions} questions"
        )
        pushed = f"outbox: {self.sent} sent, {self.conflicts} conflicts, {self.waiting} waiting"
        head = "synced" if self.ok else f"sync failed ({self.error})"
        return f"{head}: {pulled}; {pushed}"


def full_jitter(attempt: int, rng: random.Random) -> float:
    """AWS 'full jitter': uniform in [0, min(cap, base·2^attempt)]."""
    return rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** min(attempt, 16))))


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
    ) -> None:
        self.db = db
        self.client = client
        self.bus = bus
        self.clock = clock
        self.labels_dir = labels_dir
        self.rng = rng or random.Random()
        self.online: bool | None = None
        self.personal_data_days = personal_data_days
        self.paused_until: datetime | None = None

    # -- cycle ---------------------------------------------------------------------------------

    def run_cycle(self) -> CycleResult:
        result = CycleResult()
        self.bus.publish(SyncStarted(self.clock.now()))
        try:
            if self._paused():
                assert self.paused_until is not None
                result.fail(f"Ozon asked to wait until {self.paused_until:%H:%M:%S} UTC", "offline")
            else:
                self.pull(result)
                self.push(result)
        except Offline as exc:
            result.online = False
            result.fail(str(exc), "offline")
        except AuthError as exc:
            result.fail(str(exc), "auth")
            self.bus.publish(AuthFailed(str(exc)))
        self._set_online(result.online, result.error)
        self._purge_personal_data()
        now = self.clock.now()
        with self.db.write() as s:
            if result.ok:
                sync_state.put(s, "last_sync_at", now.isoformat(), now)
            counts = outbox.counts(s)
        result.waiting = counts[OutboxState.PENDING] + counts[OutboxState.IN_FLIGHT]
        self.bus.publish(OutboxChanged(result.waiting, counts[OutboxState.CONFLICT]))
        self.bus.publish(SyncFinished(now, result.summary(), result.ok))
        log.info("%s", result.summary())
        return result

    def seconds_until_due(self) -> float | None:
        """How soon the outbox has something to send (None: nothing waiting)."""
        with self.db.read() as s:
            due = outbox.next_due_at(s)
        if due is None:
            return None
        if self.paused_until is not None:
            due = max(due, self.paused_until)
        return max(0.0, (due - self.clock.now()).total_seconds())

    def _purge_personal_data(self) -> None:
        """Once a day, after a sync: a pulled posting may be old enough to lose its buyer's data."""
        now = self.clock.now()
        with self.db.read() as s:
            last = sync_state.get(s, "privacy.purged_at")
        if last and now - datetime.fromisoformat(last) < timedelta(days=1):
            return
        blanked = privacy.purge(self.db, now, self.personal_data_days)
        with self.db.write() as s:
            sync_state.put(s, "privacy.purged_at", now.isoformat(), now)
        if blanked:
            log.info(
                "personal data of %d finished postings removed (older than %d days)", blanked, self.personal_data_days
            )

    def _paused(self) -> bool:
        return self.paused_until is not None and self.clock.now() < self.paused_until

    def _set_online(self, online: bool, reason: str) -> None:
        if self.online != online:
            self.online = online
            self.bus.publish(ConnectivityChanged(online, "" if online else reason))

    def _guard(self, fn: Callable[[], None]) -> None:
        """Run one pull step; network trouble ends the cycle, and so does a 429 or a Retry-After
        (which pauses the client). A 5xx without one is that step's failure only."""
        try:
            fn()
        except (RateLimitedError, ServerError) as exc:
            if isinstance(exc, ServerError) and exc.retry_after is None:
                raise
            self._pause_for(exc)
            raise Offline(str(exc)) from exc
        except NetworkError as exc:
            raise Offline(str(exc)) from exc

    def _pause_for(self, exc: RateLimitedError | ServerError) -> None:
        if exc.retry_after is None:
            return
        now = self.clock.now()
        until = now + min(timedelta(seconds=exc.retry_after), MAX_PAUSE)
        self.paused_until = until
        with self.db.write() as s:
            outbox.postpone_all(s, until, now)

    # -- pull ----------------------------------------------------------------------------------

    def pull(self, result: CycleResult) -> None:
        """Each area on its own: one that Ozon answers badly (a malformed page, a 500, a missing role)
        is reported and skipped, the others and the push still run. A dead connection, a bad key or
        a Retry-After ends the cycle."""
        areas: list[tuple[str, Callable[[], None]]] = [
            ("postings", lambda: self._pull_postings(result)),
            ("products", lambda: self._pull_products(result)),
            ("chats", lambda: self._pull_optional("chats", lambda: self._pull_chats(result))),
            ("returns", lambda: self._pull_returns(result)),
            ("reviews", lambda: self._pull_optional("reviews", lambda: self._pull_feedback(result))),
        ]
        for area, step in areas:
            try:
                self._guard(step)
            except MissingRoleError as exc:
                result.fail(f"{area}: {exc}", "auth")
            except (Offline, AuthError):
                raise
            except OzonError as exc:
                log.warning("sync of %s failed: %s", area, exc)
                result.fail(f"{area}: {exc}", "protocol")

    def _pull_optional(self, area: str, fn: Callable[[], None]) -> None:
        """Chats and reviews need a paid plan: a 403 there pauses that area, it does not fail sync."""
        now = self.clock.now()
        with self.db.read() as s:
            limited_at = sync_state.get(s, f"plan_limited.{area}")
        if limited_at and now - datetime.fromisoformat(limited_at) < PLAN_RETRY:
            return
        try:
            fn()
        except (PlanLimitError, MissingRoleError) as exc:
            # The shop's plan or the key's roles leave this area out: pause it, say why, go on.
            with self.db.write() as s:
                sync_state.put(s, f"plan_limited.{area}", now.isoformat(), now)
            self.bus.publish(PlanLimited(area, exc.message))
            return
        if limited_at:
            with self.db.write() as s:
                sync_state.clear(s, f"plan_limited.{area}")

    def _save_postings(self, page: list[Posting], result: CycleResult, state: dict[str, str]) -> None:
        """Commit one page with the bookkeeping values that follow it."""
        now = self.clock.now()
        with self.db.write() as s:
            before = {
                c.posting.posting_number: c.posting.status
                for c in posting_repo.get_many(s, [p.posting_number for p in page])
            }
            posting_repo.save(s, page, now)
            for name, value in state.items():
                if value:
                    sync_state.put(s, name, value, now)
                else:
                    sync_state.clear(s, name)
        for p in page:
            old = before.get(p.posting_number)
            if old is None and p.status not in FINISHED:
                result.new.add(p.posting_number)
            if p.status is PostingStatus.CANCELLED and old is not None and old is not PostingStatus.CANCELLED:
                result.cancelled.add(p.posting_number)
        result.postings += len(page)

    def _pull_postings(self, result: CycleResult) -> None:
        now = self.clock.now()
        with self.db.read() as s:
            since = sync_state.get(s, "changes.since")
            cursor = sync_state.get(s, "changes.cursor")
            window = sync_state.get(s, "changes.window")
            reconciled = sync_state.get(s, "unfulfilled.at")
        # The window of an interrupted pull is kept with its cursor, so the cursor stays valid.
        if cursor and window:
            frm_s, to_s, changed_s = json.loads(window)
        else:
            first = not since
            frm_s = (now - timedelta(days=HISTORY_DAYS if first else LIST_SPAN_DAYS)).isoformat()
            to_s = (now + timedelta(days=1)).isoformat()
            changed_s = "" if first else (datetime.fromisoformat(since) - OVERLAP).isoformat()
            window = json.dumps([frm_s, to_s, changed_s])
            cursor = ""
        frm, to = datetime.fromisoformat(frm_s), datetime.fromisoformat(to_s)
        changed = datetime.fromisoformat(changed_s) if changed_s else None
        started = now

        def fetch(after: str) -> Page[Posting]:
            return self.client.postings_page(after, frm, to, changed_from=changed, changed_to=to)

        for page in self._prefetched(fetch, cursor):
            done = not page.has_next or not page.items
            state = (
                {"changes.cursor": "", "changes.window": "", "changes.since": started.isoformat()}
                if done
                else {"changes.cursor": page.cursor, "changes.window": window}
            )
            if done and not changed_s:
                # The first full read covered every open posting: no reconcile pass needed yet.
                state["unfulfilled.at"] = started.isoformat()
                reconciled = started.isoformat()
            self._save_postings(page.items, result, state)
        if not reconciled or now - datetime.fromisoformat(reconciled) >= RECONCILE_EVERY:
            self._pull_unfulfilled(result)
        if result.new or result.cancelled or result.postings:
            self.bus.publish(PostingsChanged(frozenset(), frozenset(result.new), frozenset(result.cancelled)))

    def _prefetched(self, fetch: Callable[[str], Page[Posting]], cursor: str) -> Iterator[Page[Posting]]:
        """Pages in order; the next one is requested while the caller saves the current one, so the
        network and the disk overlap. One request at a time: the session is never shared."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="packdesk-prefetch") as pool:
            page = fetch(cursor)
            for _ in range(MAX_PAGES):
                last = not page.has_next or not page.items
                upcoming = None if last else pool.submit(fetch, page.cursor)
                yield page
                if upcoming is None:
                    return
                page = upcoming.result()

    def _pull_unfulfilled(self, result: CycleResult) -> None:
        """A periodic full read of open postings: a safety net under the change window."""
        now = self.clock.now()
        with self.db.read() as s:
            cursor = sync_state.get(s, "unfulfilled.cursor")
        frm, to = now - timedelta(days=HISTORY_DAYS), now + timedelta(days=HISTORY_DAYS)
        for page in self._prefetched(lambda after: self.client.unfulfilled_page(after, frm, to), cursor):
            done = not page.has_next or not page.items
            state = (
                {"unfulfilled.cursor": "", "unfulfilled.at": now.isoformat()}
                if done
                else {"unfulfilled.cursor": page.cursor}
            )
            self._save_postings(page.items, result, state)

    def _pull_products(self, result: CycleResult) -> None:
        with self.db.read() as s:
            missing = posting_repo.skus(s) - product_repo.known_skus(s)
            # A seller may add or fix a barcode on Ozon: products still to be packed are re-read daily.
            stale = product_repo.stale_skus(s, self.clock.now() - PRODUCT_REFRESH)
            if stale:  # only then the heavier look at what is still to be packed
                stale &= posting_repo.open_skus(s)
        wanted = missing | set(sorted(stale)[:PRODUCT_REFRESH_BATCH])
        if not wanted:
            return
        found = self.client.products_by_sku(wanted)
        with self.db.write() as s:
            product_repo.save(s, found, self.clock.now())
        result.products += len(found)

    def _pull_chats(self, result: CycleResult) -> None:
        cursor = ""
        changed: set[str] = set()
        with self.db.read() as s:
            held = chat_repo.stored_last_message_ids(s)
        for _ in range(MAX_PAGES):
            page = self.client.chats_page(cursor)
            with self.db.write() as s:
                chat_repo.save_chats(s, page.items, self.clock.now())
            for chat in page.items:
                if chat.last_message_id and chat.last_message_id != held.get(chat.chat_id):
                    changed.add(chat.chat_id)
            result.chats += len(page.items)
            if not page.has_next or not page.items:
                break
            cursor = page.cursor
        for chat_id in sorted(changed):
            result.messages += self._pull_history(chat_id, held.get(chat_id))
        if changed:
            self.bus.publish(ChatsChanged(frozenset(changed)))

    def _pull_history(self, chat_id: str, since_id: str | None) -> int:
        count = 0
        cursor = since_id
        for _ in range(MAX_PAGES):
            page = self.client.chat_history(chat_id, from_message_id=cursor, direction="Forward", limit=100)
            with self.db.write() as s:
                chat_repo.save_messages(s, page.items)
            count += len(page.items)
            # A backward first read returns the newest messages: we have the latest, stop.
            if not cursor or not page.has_next or not page.items:
                break
            cursor = page.cursor
        return count

    def _pull_returns(self, result: CycleResult) -> None:
        now = self.clock.now()
        with self.db.read() as s:
            since_s = sync_state.get(s, "returns.since")
            known = return_repo.fingerprints(s)
        since = datetime.fromisoformat(since_s) - OVERLAP if since_s else now - timedelta(days=HISTORY_DAYS)

        def save_changed(items: list[ReturnRequest]) -> None:
            fresh = [r for r in items if known.get((r.kind.value, r.return_id)) != (r.status, r.status_name)]
            with self.db.write() as s:
                return_repo.save(s, fresh)
            result.returns += len(fresh)

        last_id = 0
        for _ in range(MAX_PAGES):
            page = self.client.returns_page(last_id, since, now + timedelta(days=1))
            save_changed(page.items)
            if not page.has_next or not page.items:
                break
            last_id = int(page.cursor)
        # rFBS requests have no change filter: read them all (a shop has few open at a time).
        last_id = 0
        for _ in range(MAX_PAGES):
            page = self.client.rfbs_returns_page(last_id)
            save_changed(page.items)
            if not page.has_next or not page.items:
                break
            last_id = int(page.cursor)
        with self.db.write() as s:
            sync_state.put(s, "returns.since", now.isoformat(), now)
        if result.returns:
            self.bus.publish(ReturnsChanged(result.returns))

    def _pull_feedback(self, result: CycleResult) -> None:
        with self.db.read() as s:
            known_reviews = feedback_repo.known_reviews(s)
            known_questions = feedback_repo.known_questions(s)
        result.reviews += self._pull_newest_first(
            self.client.reviews_page,
            lambda r: known_reviews.get(r.review_id) != (r.status, r.comments_amount),
            feedback_repo.save_reviews,
        )
        result.questions += self._pull_newest_first(
            self.client.questions_page,
            lambda q: known_questions.get(q.question_id) != (q.status, q.answers_count),
            feedback_repo.save_questions,
        )
        if result.reviews or result.questions:
            self.bus.publish(FeedbackChanged(result.reviews + result.questions))

    def _pull_newest_first(
        self,
        fetch: Callable[[str], Page[T]],
        changed: Callable[[T], bool],
        save: Callable[[Session, list[T]], None],
    ) -> int:
        """Lists sorted newest first: stop at the first page that holds nothing new or changed."""
        count, last_id = 0, ""
        for _ in range(MAX_PAGES):
            page = fetch(last_id)
            fresh = [item for item in page.items if changed(item)]
            with self.db.write() as s:
                save(s, fresh)
            count += len(fresh)
            if not fresh or not page.has_next:
                break
            last_id = page.cursor
        return count

    # -- push ----------------------------------------------------------------------------------

    def push(self, result: CycleResult, limit: int = 200) -> None:
        """Replay due outbox actions. Stops early when Ozon is unreachable or asks us to wait."""
        tried: set[str] = set()
        while len(tried) < limit:
            with self.db.read() as s:
                # Only the head of each target's queue is due; once it is done the next one is.
                entries = [e for e in outbox.due(s, self.clock.now(), limit) if e.key not in tried]
            if not entries:
                return
            for entry in entries:
                if self._paused():
                    return
                tried.add(entry.key)
                self._push_one(entry, result)

    def _push_one(self, entry: OutboxEntry, result: CycleResult) -> None:
        now = self.clock.now()
        with self.db.write() as s:
            if not outbox.mark_in_flight(s, entry.key, now):
                return  # another worker has it, or the seller dropped it meanwhile
        try:
            self._apply(entry)
        except (RateLimitedError, ServerError) as exc:
            self._retry(entry, exc, exc.ambiguous)
            self._pause_for(exc)
            if isinstance(exc, RateLimitedError) or exc.retry_after is not None:
                raise Offline(str(exc)) from exc
        except NetworkError as exc:
            self._retry(entry, exc, exc.ambiguous)
            raise Offline(str(exc)) from exc
        except AuthError:
            self._retry(entry, None, False)
            raise
        except MissingRoleError as exc:
            self._retry(entry, exc, False)  # the key lacks this method's role; other actions go on
        except _LabelNotReady as exc:
            with self.db.write() as s:
                later = self.clock.now() + timedelta(seconds=LABEL_NOT_READY_S)
                outbox.mark_retry(s, entry.key, self.clock.now(), str(exc), later, ambiguous=False)
        except _Conflict as exc:
            self._conflict(entry, str(exc), result)
        except OzonError as exc:
            if exc.transient:
                self._retry(entry, exc, exc.ambiguous)
            else:
                self._conflict(entry, f"Ozon refused: {exc.message}", result)
        except Exception as exc:
            # Our own trouble (a full disk, a bug): never leave the action claimed for good. It may
            # have reached Ozon, so the next attempt re-checks first.
            log.exception("%s of %s failed unexpectedly", entry.action.value, entry.target_id)
            self._retry(entry, RuntimeError(f"unexpected error ({type(exc).__name__}); see the log"), True)
        else:
            with self.db.write() as s:
                outbox.mark_done(s, entry.key, self.clock.now())
            result.sent += 1

    def _retry(self, entry: OutboxEntry, exc: Exception | None, ambiguous: bool) -> None:
        now = self.clock.now()
        delay = full_jitter(entry.attempts, self.rng)
        if isinstance(exc, (RateLimitedError, ServerError)) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, MAX_PAUSE.total_seconds()))
        with self.db.write() as s:
            outbox.mark_retry(s, entry.key, now, str(exc or "waiting"), now + timedelta(seconds=delay), ambiguous)

    def _conflict(self, entry: OutboxEntry, reason: str, result: CycleResult) -> None:
        with self.db.write() as s:
            outbox.mark_conflict(s, entry.key, self.clock.now(), reason)
        result.conflicts += 1
        log.warning("conflict on %s %s: %s", entry.action.value, entry.target_id, reason)
        self.bus.publish(ConflictDetected(entry.key, entry.action.value, entry.target_id, reason))

    def _apply(self, entry: OutboxEntry) -> None:
        if entry.target_kind is TargetKind.POSTING:
            self._apply_posting(entry)
        elif entry.target_kind is TargetKind.CHAT:
            self._apply_chat(entry)
        elif entry.action is ActionKind.RETURN_DECISION:
            self._apply_return(entry)
        elif entry.action is ActionKind.REVIEW_REPLY:
            text = str(entry.payload["text"])
            # Replies are not idempotent either: after an ambiguous failure, look before re-posting.
            if not (entry.ambiguous and _contains(self.client.review_comment_texts(entry.target_id), text)):
                self.client.review_comment(entry.target_id, text)
        elif entry.action is ActionKind.QUESTION_ANSWER:
            text, sku = str(entry.payload["text"]), int(entry.payload["sku"])
            if not (entry.ambiguous and _contains(self.client.question_answer_texts(entry.target_id, sku), text)):
                self.client.question_answer(entry.target_id, sku, text)
        elif entry.action is ActionKind.CREATE_CARRIAGE:
            self._apply_carriage(entry)
        else:
            raise _Conflict(f"unknown action {entry.action.value}")

    # Order actions are target states: read first, send only if still needed.
    def _apply_posting(self, entry: OutboxEntry) -> None:
        number = entry.target_id
        if entry.action is ActionKind.FETCH_LABEL:
            self._fetch_label(number)
            return
        if entry.action is ActionKind.LABEL_SPLIT_PARTS:
            self._label_split_parts(entry)
            return
        current = self.client.get_posting(number)
        self._store(current)
        if _reached(entry, current):
            return
        if current.status is PostingStatus.CANCELLED and entry.action is not ActionKind.CANCEL:
            raise _Conflict(
                f"posting {number} was cancelled ({current.cancel_reason or 'no reason given'}); do not ship it"
            )
        if not _source_ok(entry, current):
            raise _Conflict(f"posting {number} is {current.status.value}; {entry.action.value} is not possible")
        payload = entry.payload
        if entry.action is ActionKind.SHIP:
            packages = [[(int(sku), int(qty)) for sku, qty in pkg] for pkg in payload["packages"]]
            self.client.ship(number, packages)
        elif entry.action is ActionKind.SET_TRACKING:
            self.client.set_tracking_number(number, str(payload["tracking_number"]))
        elif entry.action in _RFBS_STEPS:
            self.client.rfbs_step(_RFBS_STEPS[entry.action], number)
        elif entry.action is ActionKind.CANCEL:
            self.client.cancel(number, int(payload["reason_id"]), str(payload.get("message", "")))
        elif entry.action is ActionKind.APPROVE:
            self.client.approve(number)
        after = self.client.get_posting(number)
        self._store(after)
        if after.substatus == "ship_failed":
            # Ozon accepted the call but the assembly failed: call again later (2026 behaviour).
            raise ServerError("Ozon reported ship_failed; will retry", path="/v4/posting/fbs/ship")

    def _store(self, posting: Posting) -> None:
        with self.db.write() as s:
            posting_repo.save(s, [posting], self.clock.now())

    def _fetch_label(self, number: str) -> None:
        try:
            pdf = self.client.package_label([number])
        except InvalidStateError as exc:
            if "ready" in exc.message.lower():
                raise _LabelNotReady(exc.message) from exc
            raise
        self.labels_dir.mkdir(parents=True, exist_ok=True)
        target = label_files.label_path(self.labels_dir, number)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(pdf)
        tmp.replace(target)
        with self.db.write() as s:
            # Print jobs waiting for this label can go to the printer now.
            print_queue.label_ready(s, number, self.clock.now())
        self.bus.publish(LabelReady(number, str(target)))

    def _label_split_parts(self, entry: OutboxEntry) -> None:
        """The posting went out in several boxes; Ozon made a posting of each further box (its parent
        is this one). Find them and queue their labels as for the first box."""
        number = entry.target_id
        parent = self.client.get_posting(number)
        self._store(parent)
        if parent.status is PostingStatus.CANCELLED:
            return  # nothing leaves: no labels
        now = self.clock.now()
        path = "/v4/posting/fbs/list"
        since = (parent.in_process_at or now) - timedelta(days=1)
        body = {
            "cursor": "",
            "limit": 100,
            "sort_dir": "ASC",
            "filter": {
                "since": schemas.format_time(since),
                "to": schemas.format_time(now + timedelta(days=1)),
                "order_numbers": [parent.order_number],
            },
            "with": {"barcodes": True},
        }
        data = self.client.call(path, body)
        rows = data.get("postings") if isinstance(data, dict) else None
        children = {
            str(r.get("posting_number"))
            for r in rows or []
            if isinstance(r, dict) and str(r.get("parent_posting_number") or "") == number
        }
        try:
            postings, _, _ = schemas.posting_page(data, "answer")
        except ProtocolError as exc:
            exc.path = path
            raise
        parts = [p for p in postings if p.posting_number in children]
        wanted = int(entry.payload.get("parts", 0))
        if len(parts) < wanted:
            if entry.attempts > 30:
                raise _Conflict(f"Ozon shows {len(parts)} of {wanted} further boxes of {number}; label them by hand")
            raise _NotReady(f"{len(parts)} of {wanted} postings of the further boxes are there")
        with self.db.write() as s:
            posting_repo.save(s, parts, now)
            labelled = {n for j in print_queue.jobs(s) if j.kind in print_queue.LABEL_KINDS for n in j.posting_numbers}
            for part in parts:
                child = part.posting_number
                if child in labelled:
                    continue  # a retry after a lost answer
                if part.is_rfbs:
                    print_queue.enqueue(s, print_queue.DocKind.OWN_LABEL, (child,), now)
                else:
                    print_queue.enqueue(s, print_queue.DocKind.OZON_LABEL, (child,), now, wait_for_label=True)
                    outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, child, {}, now)
        self.bus.publish(PostingsChanged(frozenset(children)))

    # Handover: create the carriage, approve it, fetch its act. Creating is not idempotent, so each
    # step's result is kept in sync_state under the action's key; a retry resumes after it.
    def _find_new_carriage(self, delivery_method_id: int, since: datetime) -> int | None:
        """A carriage of this delivery method created (not yet approved) since the action was saved."""
        day = (since - OVERLAP).date().isoformat()
        answer = self.client.call(
            "/v2/posting/fbs/act/list",
            {
                "filter": {
                    "date_from": day,
                    "date_to": (self.clock.now() + timedelta(days=1)).date().isoformat(),
                    "status": ["new"],
                },
                "limit": 100,
            },
        )
        rows = schemas.unwrap(answer, "answer")
        for raw in rows if isinstance(rows, list) else []:
            f = schemas.Fields(raw, "answer.result[]")
            created = f.time("created_at")
            if f.int_id("delivery_method_id") == delivery_method_id and (created is None or created >= since - OVERLAP):
                return f.int_id("id", required=True)
        return None

    def _apply_carriage(self, entry: OutboxEntry) -> None:
        payload = entry.payload
        numbers = frozenset(str(n) for n in payload.get("posting_numbers", []))
        name = f"carriage.{entry.key}"
        with self.db.read() as s:
            unsent = any(
                e.action is ActionKind.SHIP and e.target_id in numbers for e in outbox.entries(s, outbox.OPEN_STATES)
            )
            state = json.loads(sync_state.get(s, name) or "{}")
        if unsent:
            raise _NotReady("waiting for the ship calls of its postings")
        if "id" not in state and entry.ambiguous:
            # Our create may have reached Ozon with its reply lost: look for that carriage first.
            found = self._find_new_carriage(int(payload["delivery_method_id"]), entry.created_at)
            if found is not None:
                state = {"id": found}
                self._keep_state(name, state)
        if "id" not in state:
            path = "/v1/carriage/create"
            body = {
                "delivery_method_id": int(payload["delivery_method_id"]),
                "departure_date": schemas.format_time(self.clock.now()),
            }
            answer = self.client.call(path, body)
            carriage_id = answer.get("carriage_id") if isinstance(answer, dict) else None
            if not isinstance(carriage_id, int) or isinstance(carriage_id, bool):
                raise ProtocolError("answer.carriage_id is missing", path=path, field="answer.carriage_id")
            state = {"id": carriage_id}
            self._keep_state(name, state)
        carriage_id = int(state["id"])
        if not state.get("approved"):
            try:
                self.client.call("/v1/carriage/approve", {"carriage_id": carriage_id, "containers_count": 1})
            except InvalidStateError:
                # Our approve may have gone through with its reply lost: a formed carriage is approved.
                info = self.client.call("/v1/carriage/get", {"carriage_id": carriage_id})
                if not (isinstance(info, dict) and info.get("status") == "formed"):
                    raise
            state["approved"] = True
            self._keep_state(name, state)
        try:
            pdf = self.client.call_pdf("/v2/posting/fbs/act/get-pdf", {"id": carriage_id})
        except OzonError as exc:
            if "NOT_READY" in exc.message.upper():
                raise _NotReady(exc.message) from exc
            raise
        job_key = str(payload.get("print_job", ""))
        # The printing side finds Ozon's act by its print job: <labels>/act-<job key>.pdf.
        target = label_files.act_path(self.labels_dir, job_key or str(carriage_id))
        self.labels_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(pdf)
        tmp.replace(target)
        # Ozon put every packed posting of the method in the carriage (not only ours): re-read them,
        # a substatus change does not show in the next incremental pull.
        listed = self.client.call("/v2/posting/fbs/act/get-postings", {"id": carriage_id})
        rows = listed.get("result") if isinstance(listed, dict) else None
        carried = {str(r.get("posting_number")) for r in rows or [] if isinstance(r, dict)} | numbers
        for number in sorted(carried):
            self._store(self.client.get_posting(number))
        now = self.clock.now()
        with self.db.write() as s:
            if any(j.key == job_key for j in print_queue.jobs(s, (print_queue.JobState.WAITING,))):
                print_queue.retry(s, job_key, now)  # waiting → queued: the act can be printed now
            sync_state.clear(s, name)
        self.bus.publish(PostingsChanged(frozenset(carried)))

    def _keep_state(self, name: str, state: dict[str, object]) -> None:
        with self.db.write() as s:
            sync_state.put(s, name, json.dumps(state), self.clock.now())

    def _apply_chat(self, entry: OutboxEntry) -> None:
        chat_id = entry.target_id
        if entry.action is ActionKind.CHAT_READ:
            self.client.mark_read(chat_id, str(entry.payload["message_id"]))
            return
        text = str(entry.payload.get("text", ""))
        if entry.ambiguous and entry.action is ActionKind.CHAT_SEND_TEXT and self._already_sent(chat_id, text, entry):
            self._forget_local_message(entry)
            return
        if entry.action is ActionKind.CHAT_SEND_TEXT:
            self.client.send_message(chat_id, text)
        else:
            import base64

            content = base64.b64decode(str(entry.payload["base64_content"]))
            self.client.send_file(chat_id, str(entry.payload["name"]), content)
        self._forget_local_message(entry)

    def _already_sent(self, chat_id: str, text: str, entry: OutboxEntry) -> bool:
        """Chat sends are not idempotent: after an ambiguous failure look for our text first."""
        page = self.client.chat_history(chat_id, direction="Backward", limit=100)
        earliest = entry.created_at - OVERLAP
        return any(
            m.author is AuthorType.SELLER and m.text.strip() == text.strip() and m.created_at >= earliest
            for m in page.items
        )

    def _forget_local_message(self, entry: OutboxEntry) -> None:
        # The real message arrives with the next history pull; the local placeholder goes.
        with self.db.write() as s:
            chat_repo.remove_local_message(s, entry.key)

    def _apply_return(self, entry: OutboxEntry) -> None:
        p = entry.payload
        try:
            self.client.rfbs_return_action(
                int(entry.target_id),
                int(p["action_id"]),
                comment=p.get("comment"),
                rejection_reason_id=p.get("rejection_reason_id"),
                compensation_amount=p.get("compensation_amount"),
            )
        except InvalidStateError:
            # A decision that may already have been applied (our reply was lost) is refused as a
            # wrong state on the second try: that is the decision having taken effect.
            if entry.ambiguous:
                return
            raise


class _Conflict(Exception):
    pass


class _LabelNotReady(Exception):
    pass


class _NotReady(_LabelNotReady):
    """Something else Ozon prepares (a handover act), or its postings' ship calls, is not there yet."""


def _reached(entry: OutboxEntry, posting: Posting) -> bool:
    status = posting.status
    action = entry.action
    if action is ActionKind.SHIP:
        return status in SHIPPED_OR_LATER
    if action is ActionKind.SET_TRACKING:
        return posting.tracking_number == str(entry.payload["tracking_number"])
    if action is ActionKind.DELIVERING:
        return status in (PostingStatus.DELIVERING, PostingStatus.DELIVERED)
    if action is ActionKind.LAST_MILE:
        return posting.substatus == "posting_in_courier_service" or status is PostingStatus.DELIVERED
    if action is ActionKind.DELIVERED:
        return status is PostingStatus.DELIVERED
    if action is ActionKind.CANCEL:
        return status is PostingStatus.CANCELLED
    if action is ActionKind.APPROVE:
        return status not in (PostingStatus.AWAITING_APPROVE, PostingStatus.CANCELLED)
    return False


def _source_ok(entry: OutboxEntry, posting: Posting) -> bool:
    status = posting.status
    action = entry.action
    if action is ActionKind.SHIP:
        return status is PostingStatus.AWAITING_PACKAGING
    if action is ActionKind.SET_TRACKING:
        return status not in FINISHED
    if action is ActionKind.DELIVERING:
        return status is PostingStatus.AWAITING_DELIVER
    if action in (ActionKind.LAST_MILE, ActionKind.DELIVERED):
        return status is PostingStatus.DELIVERING
    if action is ActionKind.CANCEL:
        return status in (
            PostingStatus.AWAITING_PACKAGING,
            PostingStatus.AWAITING_DELIVER,
            PostingStatus.AWAITING_APPROVE,
        )
    if action is ActionKind.APPROVE:
        return status is PostingStatus.AWAITING_APPROVE
    return True


def _contains(texts: list[str], text: str) -> bool:
    return any(t.strip() == text.strip() for t in texts)
