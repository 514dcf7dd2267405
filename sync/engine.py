"""The sync engine: pull Ozon's state into the local cache, then push the outbox.

Pull: every page is committed together with the cursor that follows it, so an interrupted pull
resumes without gaps or duplicates. Push: order actions are *target states* — before each send
the posting is re-read, so an action that already took effect (our lost reply, another desk) is
marked done, and one whose posting was cancelled becomes a conflict and is never sent. Chat and
reply texts are looked for in the history before a re-send after an ambiguous failure.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app import label_files, outbox, print_queue
from app.clock import Clock
from app.db.engine import Database
from app.domain.chats import AuthorType
from app.domain.postings import FINISHED, SHIPPED_OR_LATER, Posting, PostingStatus
from app.domain.returns import ReturnDetails, ReturnRequest
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
from app.outbox import ActionKind, OutboxEntry, OutboxState, Refusal, TargetKind
from app.repos import chats as chat_repo
from app.repos import feedback as feedback_repo
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos import returns as return_repo
from app.repos import sync_state
from app.workflows import decisions, labels, privacy
from sync import exemplars, label_tasks, methods
from sync.client import OzonClient, Page
from sync.errors import (
    AuthError,
    InvalidStateError,
    MissingRoleError,
    NetworkError,
    NotFoundError,
    OzonError,
    PlanLimitError,
    RateLimitedError,
    ServerError,
    ValidationError,
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
NOT_READY_S = 20.0
LABEL_AFTER_SHIP_S = 45.0  # Ozon: ask for a label 45–60 s after the assembly
LABEL_SLOT = timedelta(seconds=15)  # labels coming due within one slot share a task
EXEMPLAR_CHECK_S = 3.0  # Ozon checks marking codes in a few seconds
ACT_POLL_S = 5.0
MAX_PAGES = 1000  # a runaway cursor must not loop forever

# rFBS steps: action → Ozon method.
_RFBS_STEPS = {
    ActionKind.DELIVERING: methods.RFBS_DELIVERING,
    ActionKind.LAST_MILE: methods.RFBS_LAST_MILE,
    ActionKind.DELIVERED: methods.RFBS_DELIVERED,
}
LABEL_TASKS = "labels.tasks"  # sync_state: the label tasks Ozon is still working on
# A posting in these statuses needs no label any more (it will not leave, or has left).
LABEL_UNNEEDED = FINISHED | {PostingStatus.DELIVERING, PostingStatus.DRIVER_PICKUP}


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


def label_time(earliest: datetime) -> datetime:
    """When to ask for labels that may be asked for from `earliest`: the next slot boundary, so the
    labels of postings shipped within one slot come due together and go in one label task."""
    slot = LABEL_SLOT.total_seconds()
    stamp = earliest.timestamp()
    return earliest + timedelta(seconds=(-stamp) % slot)


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
            before = posting_repo.statuses(s, [p.posting_number for p in page])
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
        # What the seller may do with an rFBS request is read when its state changes (one call each).
        with self.db.read() as s:
            stale = return_repo.needing_details(s)
        for return_id in stale:
            self._store_return_details(self.client.rfbs_return(return_id))
        with self.db.write() as s:
            sync_state.put(s, "returns.since", now.isoformat(), now)
        if result.returns or stale:
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
        """Replay due outbox actions. Stops early when Ozon is unreachable or asks us to wait.
        Labels go last and together: one label task for every posting whose label is due."""
        tried: set[str] = set()
        while len(tried) < limit:
            with self.db.read() as s:
                # Only the head of each target's queue is due; once it is done the next one is.
                due = outbox.due(s, self.clock.now(), limit, skip=(ActionKind.FETCH_LABEL,))
            entries = [e for e in due if e.key not in tried]
            if not entries:
                break
            for entry in entries:
                if self._paused():
                    return
                tried.add(entry.key)
                self._push_one(entry, result)
        if not self._paused():
            self._push_labels(result)

    # Labels: a task per batch (sync.label_tasks); open tasks are kept in sync_state between cycles.
    def _push_labels(self, result: CycleResult) -> None:
        now = self.clock.now()
        with self.db.read() as s:
            due = outbox.due(s, now, label_tasks.MAX_POSTINGS * 10, only=(ActionKind.FETCH_LABEL,))
            tasks: dict[str, dict[str, Any]] = json.loads(sync_state.get(s, LABEL_TASKS) or "{}")
            statuses = posting_repo.statuses(s, [e.target_id for e in due])
        if not due:
            return
        by_number: dict[str, OutboxEntry] = {}
        with self.db.write() as s:
            for entry in due:
                status = statuses.get(entry.target_id)
                if status in LABEL_UNNEEDED:  # it will not leave, or has left without its label
                    outbox.mark_done(s, entry.key, now, note=f"no label needed: the posting is {status}")
                    labels.cancel_label_jobs(s, entry.target_id, now)
                elif outbox.mark_in_flight(s, entry.key, now):  # claimed: each look counts as an attempt
                    by_number[entry.target_id] = dataclasses.replace(entry, attempts=entry.attempts + 1)
        in_task = {n: task_id for task_id, task in tasks.items() for n in task["numbers"]}
        for task_id in sorted({in_task[n] for n in by_number if n in in_task}):
            entries = [by_number[n] for n in tasks[task_id]["numbers"] if n in by_number]
            try:
                self._poll_label_task(task_id, tasks, entries, result)
            except Exception as exc:
                self._failed(entries, exc, result)
        fresh = [n for n in by_number if n not in in_task]
        for batch in label_tasks.batches(fresh):
            entries = [by_number[n] for n in batch]
            try:
                task = label_tasks.pick(self.client.create_label_tasks(batch))
            except Exception as exc:
                self._failed(entries, exc, result)
                continue
            tasks[str(task.task_id)] = {"numbers": batch, "created": self.clock.now().isoformat(), "polls": 0}
            self._keep_label_tasks(tasks, entries, "Ozon is making the label", label_tasks.FIRST_POLL_S)

    def _poll_label_task(
        self, task_id: str, tasks: dict[str, dict[str, Any]], entries: list[OutboxEntry], result: CycleResult
    ) -> None:
        task = tasks[task_id]
        state = self.client.label_task(int(task_id))
        if not state.finished:
            age = (self.clock.now() - datetime.fromisoformat(task["created"])).total_seconds()
            if age > label_tasks.TASK_TIMEOUT_S:
                del tasks[task_id]
                self._keep_label_tasks(tasks, entries, "Ozon did not finish the label; asking again", 0)
                return
            task["polls"] += 1
            self._keep_label_tasks(
                tasks,
                entries,
                f"Ozon is making the label ({state.status.value})",
                label_tasks.poll_delay(task["polls"]),
            )
            return
        del tasks[task_id]  # done with, whatever comes of its file: a failure asks Ozon for a new task
        try:
            outcome = label_tasks.collect(self.client, state, task["numbers"], self.labels_dir)
        except Exception:
            with self.db.write() as s:
                sync_state.put(s, LABEL_TASKS, json.dumps(tasks), self.clock.now())
            raise
        now = self.clock.now()
        with self.db.write() as s:
            sync_state.put(s, LABEL_TASKS, json.dumps(tasks), now)
            for entry in entries:
                number = entry.target_id
                if number in outcome.unprinted:
                    # Not ready yet, or refused for now: Ozon's words go on the action; ask again later.
                    later = label_time(now + timedelta(seconds=NOT_READY_S))
                    outbox.mark_retry(s, entry.key, now, f"Ozon: {outcome.unprinted[number]}", later, ambiguous=False)
                elif number in outcome.stored:
                    outbox.mark_done(s, entry.key, now)
                    print_queue.label_ready(s, number, now)  # its waiting print jobs can go now
        for number in outcome.stored:
            result.sent += 1
            self.bus.publish(LabelReady(number, str(label_files.label_path(self.labels_dir, number))))

    def _keep_label_tasks(
        self, tasks: dict[str, dict[str, Any]], entries: list[OutboxEntry], note: str, delay: float
    ) -> None:
        """Save the open tasks, and wake their postings' actions when the task is worth a look."""
        now = self.clock.now()
        later = now + timedelta(seconds=delay)
        with self.db.write() as s:
            sync_state.put(s, LABEL_TASKS, json.dumps(tasks), now)
            for entry in entries:
                outbox.mark_retry(s, entry.key, now, note, later, ambiguous=False)

    def _push_one(self, entry: OutboxEntry, result: CycleResult) -> None:
        now = self.clock.now()
        with self.db.write() as s:
            if not outbox.mark_in_flight(s, entry.key, now):
                return  # another worker has it, or the seller dropped it meanwhile
        try:
            self._apply(entry)
        except Exception as exc:
            self._failed([entry], exc, result)
        else:
            now = self.clock.now()
            with self.db.write() as s:
                outbox.mark_done(s, entry.key, now)
                if entry.action is ActionKind.SHIP:
                    # Ozon makes the label about a minute after the assembly: ask then, in one batch.
                    later = label_time(now + timedelta(seconds=LABEL_AFTER_SHIP_S))
                    outbox.postpone(s, entry.target_id, ActionKind.FETCH_LABEL, later, now, "Ozon is making the label")
            result.sent += 1

    def _failed(self, entries: list[OutboxEntry], exc: Exception, result: CycleResult) -> None:
        """Settle actions whose attempt raised `exc`: retry, wait, or conflict. Re-raises what ends
        the cycle (Ozon unreachable or asking us to wait, a bad key) once all are settled."""
        if isinstance(exc, (RateLimitedError, ServerError)):
            for entry in entries:
                self._retry(entry, exc, exc.ambiguous)
            self._pause_for(exc)
            if isinstance(exc, RateLimitedError) or exc.retry_after is not None:
                raise Offline(str(exc)) from exc
        elif isinstance(exc, NetworkError):
            for entry in entries:
                self._retry(entry, exc, exc.ambiguous)
            raise Offline(str(exc)) from exc
        elif isinstance(exc, AuthError):
            for entry in entries:
                self._retry(entry, None, False)
            raise exc
        elif isinstance(exc, MissingRoleError):
            for entry in entries:
                self._retry(entry, exc, False)  # the key lacks this method's role; other actions go on
        elif isinstance(exc, _NotReady):
            later = self.clock.now() + timedelta(seconds=exc.delay)
            with self.db.write() as s:
                for entry in entries:
                    outbox.mark_retry(s, entry.key, self.clock.now(), str(exc), later, ambiguous=False)
        elif isinstance(exc, _Conflict):
            for entry in entries:
                self._conflict(entry, str(exc), result, exc.refusal)
        elif isinstance(exc, OzonError):
            # A ship Ozon refuses over marking codes or customs numbers needs them packed again.
            data = any(word in exc.message.upper() for word in ("EXEMPLAR", "MANDATORY_MARK", "GTD"))
            for entry in entries:
                if exc.transient:
                    self._retry(entry, exc, exc.ambiguous)
                else:
                    refusal = Refusal.DATA if data else Refusal.REFUSED
                    self._conflict(entry, f"Ozon refused: {exc.message}", result, refusal)
        else:
            # Our own trouble (a full disk, a bug): never leave an action claimed for good. It may
            # have reached Ozon, so the next attempt re-checks first.
            log.error(
                "%s failed unexpectedly", ", ".join(f"{e.action.value} {e.target_id}" for e in entries), exc_info=exc
            )
            for entry in entries:
                self._retry(entry, RuntimeError(f"unexpected error ({type(exc).__name__}); see the log"), True)

    def _retry(self, entry: OutboxEntry, exc: Exception | None, ambiguous: bool) -> None:
        now = self.clock.now()
        delay = full_jitter(entry.attempts, self.rng)
        if isinstance(exc, (RateLimitedError, ServerError)) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, MAX_PAUSE.total_seconds()))
        with self.db.write() as s:
            outbox.mark_retry(s, entry.key, now, str(exc or "waiting"), now + timedelta(seconds=delay), ambiguous)

    def _conflict(
        self, entry: OutboxEntry, reason: str, result: CycleResult, refusal: Refusal = Refusal.REFUSED
    ) -> None:
        with self.db.write() as s:
            outbox.mark_conflict(s, entry.key, self.clock.now(), reason, refusal)
            if refusal is Refusal.CANCELLED and entry.action is ActionKind.SHIP:
                decisions.ship_refused_as_cancelled(s, entry, self.clock.now())
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
        if entry.action is ActionKind.LABEL_SPLIT_PARTS:
            self._label_split_parts(entry)
            return
        if entry.action is ActionKind.APPROVE:  # a row from before 0004; new ones are never queued
            raise _Conflict("Ozon has no method to approve an rFBS order: it moves on by itself")
        current = self.client.get_posting(number)
        self._store(current)
        if _reached(entry, current):
            self._forget(f"ship.{entry.key}")
            return
        if current.status is PostingStatus.CANCELLED and entry.action is not ActionKind.CANCEL:
            raise _Conflict(
                f"posting {number} was cancelled ({current.cancel_reason or 'no reason given'}); do not ship it",
                Refusal.CANCELLED,
            )
        if not _source_ok(entry, current):
            raise _Conflict(
                f"posting {number} is {current.status.value}; {entry.action.value} is not possible", Refusal.OVERTAKEN
            )
        payload = entry.payload
        if entry.action is ActionKind.SHIP:
            self._prepare_ship(entry, current)
            packages = [[(int(sku), int(qty)) for sku, qty in pkg] for pkg in payload["packages"]]
            self.client.ship(number, packages)
        elif entry.action is ActionKind.SET_TRACKING:
            self.client.set_tracking_number(number, str(payload["tracking_number"]))
        elif entry.action in _RFBS_STEPS:
            self.client.rfbs_step(_RFBS_STEPS[entry.action], number)
        elif entry.action is ActionKind.CANCEL:
            self.client.cancel(number, int(payload["reason_id"]), str(payload.get("message", "")))
        after = self.client.get_posting(number)
        self._store(after)
        if after.substatus == "ship_failed":
            # Ozon accepted the call but the assembly failed: call again later (2026 behaviour).
            raise ServerError("Ozon reported ship_failed; will retry", path=methods.SHIP)
        self._forget(f"ship.{entry.key}")

    def _prepare_ship(self, entry: OutboxEntry, posting: Posting) -> None:
        """Before the ship call: the box count of a multi-box posting, then the marking codes and
        customs numbers, and Ozon's check of them. Each step is done once (kept in sync_state)."""
        number = entry.target_id
        name = f"ship.{entry.key}"
        with self.db.read() as s:
            state = json.loads(sync_state.get(s, name) or "{}")
        unhandled = posting.requirements.unhandled()
        if unhandled:
            kinds = ", ".join(sorted(k.value for k in unhandled))
            raise _Conflict(
                f"Ozon needs data Packdesk cannot send yet ({kinds}) for posting {number}: "
                "complete it in Ozon's seller cabinet",
                Refusal.CABINET,
            )
        boxes = int(entry.payload.get("multi_box_qty") or 0)
        if posting.is_multibox and boxes and not state.get("boxes"):  # Ozon wants it set before the ship
            self.client.set_box_count(number, boxes)
            state["boxes"] = True
            self._keep_state(name, state)
        units = entry.payload.get("exemplars") or {}
        if not posting.requirements.kinds():
            return
        if not units:
            raise _Conflict(
                f"Ozon needs the marking codes or customs numbers of posting {number}: pack it at the pack station",
                Refusal.DATA,
            )
        if not state.get("exemplars"):
            info = self.client.exemplars(number)
            problem = exemplars.unit_count_problem(info, units)
            if problem:
                raise _Conflict(f"the units of posting {number} do not match Ozon's: {problem}", Refusal.DATA)
            self.client.set_exemplars(number, exemplars.request_products(info, units), max(boxes, 1))
            state["exemplars"] = True
            self._keep_state(name, state)
            raise _NotReady("Ozon is checking the marking codes", delay=EXEMPLAR_CHECK_S)
        status = self.client.exemplar_status(number)
        if status.status == exemplars.SHIP_AVAILABLE:
            return
        refused = exemplars.refusals(status)
        if status.status == exemplars.NOT_AVAILABLE or refused:
            self._forget(name)  # a retry (after the seller fixed a code) sends the set again
            details = "; ".join(refused) or "some unit lacks its marking code or customs number"
            raise _Conflict(f"Ozon refused the data of posting {number}: {details}", Refusal.DATA)
        if entry.attempts > 40:
            raise _Conflict(f"Ozon has been checking the marking codes of {number} for too long ({status.status})")
        raise _NotReady(f"Ozon is checking the marking codes ({status.status})", delay=EXEMPLAR_CHECK_S)

    def _store(self, posting: Posting) -> None:
        with self.db.write() as s:
            posting_repo.save(s, [posting], self.clock.now())

    def _label_split_parts(self, entry: OutboxEntry) -> None:
        """The posting went out in several boxes; Ozon made a posting of each further box (its parent
        is this one). Find them and queue their labels as for the first box."""
        number = entry.target_id
        parent = self.client.get_posting(number)
        self._store(parent)
        if parent.status is PostingStatus.CANCELLED:
            return  # nothing leaves: no labels
        now = self.clock.now()
        since = (parent.in_process_at or now) - timedelta(days=1)
        page = self.client.postings_page("", since, now + timedelta(days=1), order_numbers=[parent.order_number])
        parts = [p for p in page.items if p.parent_posting_number == number]
        wanted = int(entry.payload.get("parts", 0))
        if len(parts) < wanted:
            if entry.attempts > 30:
                raise _Conflict(f"Ozon shows {len(parts)} of {wanted} further boxes of {number}; label them by hand")
            raise _NotReady(f"{len(parts)} of {wanted} postings of the further boxes are there")
        with self.db.write() as s:
            posting_repo.save(s, parts, now)
            for part in parts:
                labels.label_split_part(s, part, now)
        self.bus.publish(PostingsChanged(frozenset(p.posting_number for p in parts)))

    # Handover: create the carriage, approve it, fetch its act. Creating is not idempotent, so each
    # step's result is kept in sync_state under the action's key; a retry resumes after it.
    def _open_carriage(self, delivery_method_id: int, since: datetime | None) -> int | None:
        """A carriage of this delivery method not yet approved (created since `since`, if given)."""
        now = self.clock.now()
        start = (since or now - timedelta(days=7)) - OVERLAP
        for act in self.client.acts(start, now + timedelta(days=1), statuses=("new",)):
            created_ok = since is None or act.created_at is None or act.created_at >= since - OVERLAP
            if act.delivery_method_id == delivery_method_id and act.status == "new" and created_ok:
                return act.carriage_id
        return None

    def _apply_carriage(self, entry: OutboxEntry) -> None:
        payload = entry.payload
        method_id = int(payload["delivery_method_id"])
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
            found = self._open_carriage(method_id, entry.created_at)
            if found is not None:
                state = {"id": found}
                self._keep_state(name, state)
        if "id" not in state:
            state = {"id": self._create_carriage(method_id, numbers)}
            self._keep_state(name, state)
        carriage_id = int(state["id"])
        if not state.get("approved"):
            containers = payload.get("containers_count")  # a row queued before 0004 counted them then
            if payload.get("trusted_acceptance"):
                # Counted now, after the ships: each posting in the carriage is a cargo place, a
                # multi-box posting one per box, the further boxes of a split posting included.
                containers = sum(p.multi_box_qty for p in self.client.act_postings(carriage_id))
            try:
                self.client.approve_carriage(carriage_id, int(containers) if containers else None)
            except InvalidStateError:
                # Our approve may have gone through with its reply lost: a carriage past `new` is approved.
                if self.client.carriage(carriage_id).status == "new":
                    raise
            state["approved"] = True
            self._keep_state(name, state)
        act = self.client.act_status(carriage_id)
        if not act.ready:
            status = act.status.strip().lower()
            if status == "cancelled":
                self._forget(name)
                raise _Conflict(f"Ozon cancelled carriage {carriage_id}; create the handover again", Refusal.OVERTAKEN)
            raise _NotReady(f"Ozon is preparing the act ({act.status})", delay=ACT_POLL_S)
        pdf = self.client.act_pdf(carriage_id)
        job_key = str(payload.get("print_job", ""))
        # The printing side finds Ozon's act by its print job: <labels>/act-<job key>.pdf.
        label_files.store_act(self.labels_dir, job_key or str(carriage_id), pdf)
        # Ozon put every packed posting of the method in the carriage (not only ours): re-read them,
        # a substatus change does not show in the next incremental pull.
        carried = {p.posting_number for p in self.client.act_postings(carriage_id)} | numbers
        for number in sorted(carried):
            self._store(self.client.get_posting(number))
        now = self.clock.now()
        with self.db.write() as s:
            if any(j.key == job_key for j in print_queue.jobs(s, (print_queue.JobState.WAITING,))):
                print_queue.retry(s, job_key, now)  # waiting → queued: the act can be printed now
            sync_state.clear(s, name)
        self.bus.publish(PostingsChanged(frozenset(carried)))

    def _create_carriage(self, method_id: int, numbers: frozenset[str]) -> int:
        try:
            return self.client.create_carriage(method_id, self.clock.now())
        except (NotFoundError, InvalidStateError, ValidationError) as exc:
            if "POSTING_NOT_FOUND" not in exc.message.upper():
                raise
        # Nothing new to put in a carriage: the postings sit in an open one already (ours after a
        # lost reply, or one made in the seller cabinet). Continue with it, our postings in it.
        found = self._open_carriage(method_id, None)
        if found is None:
            raise _Conflict(
                "Ozon has no packed posting of this delivery method outside a carriage: "
                "they may have been handed over already",
                Refusal.OVERTAKEN,
            )
        listed = {p.posting_number for p in self.client.act_postings(found)}
        if not numbers <= listed:
            refused = self.client.set_carriage_postings(found, sorted(listed | numbers))
            if refused:
                detail = "; ".join(f"{n}: {why}" for n, why in sorted(refused.items()))
                raise _Conflict(f"Ozon would not add these postings to carriage {found}: {detail}")
        return found

    def _keep_state(self, name: str, state: dict[str, object]) -> None:
        with self.db.write() as s:
            sync_state.put(s, name, json.dumps(state), self.clock.now())

    def _forget(self, name: str) -> None:
        with self.db.write() as s:
            sync_state.clear(s, name)

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
        """A decision on an rFBS return is a target too: Ozon lists what may be done now; an action
        no longer listed was either applied already (our lost reply) or overtaken by events."""
        p = entry.payload
        return_id, action_id = int(entry.target_id), int(p["action_id"])
        details = self.client.rfbs_return(return_id)
        self._store_return_details(details)
        if action_id not in {a.id for a in details.actions}:
            if entry.ambiguous:
                return  # our earlier attempt took effect
            name = str(p.get("action_name") or action_id)
            raise _Conflict(
                f"Ozon no longer offers “{name}” for this return: it is now “{details.state_name}”", Refusal.OVERTAKEN
            )
        self.client.rfbs_return_action(
            return_id,
            action_id,
            comment=p.get("comment") or None,
            rejection_reason_id=p.get("rejection_reason_id"),
            compensation_amount=p.get("compensation_amount"),
        )
        self._store_return_details(self.client.rfbs_return(return_id))

    def _store_return_details(self, details: ReturnDetails) -> None:
        with self.db.write() as s:
            return_repo.save_details(s, details)


class _Conflict(Exception):
    """Ozon (or events) refused the action for good: the seller decides. `refusal` says what kind."""

    def __init__(self, message: str, refusal: Refusal = Refusal.REFUSED) -> None:
        super().__init__(message)
        self.refusal = refusal


class _NotReady(Exception):
    """Something Ozon prepares (a label, an act, its check of marking codes), or an earlier action
    this one depends on, is not there yet: look again in `delay` seconds."""

    def __init__(self, message: str, delay: float = NOT_READY_S) -> None:
        super().__init__(message)
        self.delay = delay


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
    return True


def _contains(texts: list[str], text: str) -> bool:
    return any(t.strip() == text.strip() for t in texts)
