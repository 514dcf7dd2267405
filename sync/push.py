"""Replaying the outbox: claim the due entries, run each one's handler (`sync.actions`), and settle
the outcome — done, retried with backoff, waiting on Ozon, or a conflict for the seller."""

from __future__ import annotations

import logging
import random
from collections.abc import Collection
from datetime import timedelta

from app import outbox
from app.events import ConflictDetected
from app.outbox import ActionKind, OutboxEntry, Refusal, TargetKind
from app.workflows import decisions
from sync.actions import carriages, chats, feedback, postings, returns, split_parts
from sync.actions import labels as label_actions
from sync.actions.outcomes import Conflict, NotReady
from sync.backoff import Pause, retry_delay
from sync.context import SyncContext
from sync.cycle import CycleResult, Offline
from sync.errors import AuthError, MissingRoleError, NetworkError, OzonError, RateLimitedError, ServerError

log = logging.getLogger(__name__)


def apply(ctx: SyncContext, entry: OutboxEntry) -> None:
    """Send one action by the handler of its kind."""
    if entry.target_kind is TargetKind.POSTING:
        if entry.action is ActionKind.LABEL_SPLIT_PARTS:
            split_parts.label_split_parts(ctx, entry)
        else:
            postings.apply_posting(ctx, entry)
    elif entry.target_kind is TargetKind.CHAT:
        chats.apply_chat(ctx, entry)
    elif entry.action is ActionKind.RETURN_DECISION:
        returns.apply_return(ctx, entry)
    elif entry.action is ActionKind.REVIEW_REPLY:
        feedback.apply_review_reply(ctx, entry)
    elif entry.action is ActionKind.REVIEW_STATUS:
        feedback.apply_review_status(ctx, entry)
    elif entry.action is ActionKind.QUESTION_ANSWER:
        feedback.apply_question_answer(ctx, entry)
    elif entry.action is ActionKind.CREATE_CARRIAGE:
        carriages.apply_carriage(ctx, entry)
    else:
        raise Conflict(f"unknown action {entry.action.value}")


class Pusher:
    def __init__(self, ctx: SyncContext, pause: Pause, rng: random.Random) -> None:
        self.ctx = ctx
        self.pause = pause
        self.rng = rng

    def push(
        self,
        result: CycleResult,
        limit: int = 200,
        only: Collection[ActionKind] = (),
        tried: set[str] | None = None,
    ) -> None:
        """Replay due outbox actions (of the kinds in `only`, all when empty; none already in
        `tried`, which collects the ones tried). Stops early when Ozon is unreachable or asks us to
        wait. Labels go last and together, in a full push only: one label task for every posting
        whose label is due."""
        tried = set() if tried is None else tried
        skip = (ActionKind.FETCH_LABEL,)
        attempted = 0
        while attempted < limit:
            with self.ctx.db.read() as s:
                # Only the head of each target's queue is due; once it is done the next one is.
                # Ask past the ones tried already (still due when their retry came at once).
                due = outbox.due(s, self.ctx.clock.now(), limit + len(tried), only=only, skip=skip)
            entries = [e for e in due if e.key not in tried]
            if not entries:
                break
            for entry in entries:
                if self.pause.active():
                    return
                tried.add(entry.key)
                attempted += 1
                self.push_one(entry, result)
        if not only and not self.pause.active():
            label_actions.push_labels(self.ctx, result, self.failed)

    def push_one(self, entry: OutboxEntry, result: CycleResult) -> None:
        now = self.ctx.clock.now()
        with self.ctx.db.write() as s:
            if not outbox.mark_in_flight(s, entry.key, now, self.ctx.desk):
                return  # another worker has it, or the seller dropped it meanwhile
        try:
            apply(self.ctx, entry)
        except Exception as exc:
            self.failed([entry], exc, result)
        else:
            now = self.ctx.clock.now()
            with self.ctx.db.write() as s:
                outbox.mark_done(s, entry.key, now)
                if entry.action is ActionKind.SHIP:
                    # Ozon makes the label about a minute after the assembly: ask then, in one batch.
                    later = label_actions.label_time(now + timedelta(seconds=label_actions.LABEL_AFTER_SHIP_S))
                    outbox.postpone(s, entry.target_id, ActionKind.FETCH_LABEL, later, now, "Ozon is making the label")
            result.sent += 1

    def failed(self, entries: list[OutboxEntry], exc: Exception, result: CycleResult) -> None:
        """Settle actions whose attempt raised `exc`: retry, wait, or conflict. Re-raises what ends
        the cycle (Ozon unreachable or asking us to wait, a bad key) once all are settled."""
        if isinstance(exc, (RateLimitedError, ServerError)):
            for entry in entries:
                self.retry(entry, exc, exc.ambiguous)
            self.pause.pause_for(exc)
            if isinstance(exc, RateLimitedError) or exc.retry_after is not None:
                raise Offline(str(exc)) from exc
        elif isinstance(exc, NetworkError):
            for entry in entries:
                self.retry(entry, exc, exc.ambiguous)  # an ambiguous one is re-checked on Ozon first
            # One lost answer on a lossy link costs this action only; a link that answers nothing
            # ends the cycle (reads were tried again already, see `sync.http`).
            if self.ctx.client.link_down:
                raise Offline(str(exc)) from exc
        elif isinstance(exc, AuthError):
            for entry in entries:
                self.retry(entry, None, False)
            raise exc
        elif isinstance(exc, MissingRoleError):
            for entry in entries:
                self.retry(entry, exc, False)  # the key lacks this method's role; other actions go on
        elif isinstance(exc, NotReady):
            later = self.ctx.clock.now() + timedelta(seconds=exc.delay)
            with self.ctx.db.write() as s:
                for entry in entries:
                    outbox.mark_retry(s, entry.key, self.ctx.clock.now(), str(exc), later, ambiguous=False)
        elif isinstance(exc, Conflict):
            for entry in entries:
                self.conflict(entry, str(exc), result, exc.refusal)
        elif isinstance(exc, OzonError):
            # A ship Ozon refuses over marking codes or customs numbers needs them packed again.
            data = any(word in exc.message.upper() for word in ("EXEMPLAR", "MANDATORY_MARK", "GTD"))
            for entry in entries:
                if exc.transient:
                    self.retry(entry, exc, exc.ambiguous)
                else:
                    refusal = Refusal.DATA if data else Refusal.REFUSED
                    self.conflict(entry, f"Ozon refused: {exc.message}", result, refusal)
        else:
            # Our own trouble (a full disk, a bug): never leave an action claimed for good. It may
            # have reached Ozon, so the next attempt re-checks first.
            log.error(
                "%s failed unexpectedly", ", ".join(f"{e.action.value} {e.target_id}" for e in entries), exc_info=exc
            )
            for entry in entries:
                self.retry(entry, RuntimeError(f"unexpected error ({type(exc).__name__}); see the log"), True)

    def retry(self, entry: OutboxEntry, exc: Exception | None, ambiguous: bool) -> None:
        now = self.ctx.clock.now()
        delay = retry_delay(entry.attempts, exc, self.rng)
        with self.ctx.db.write() as s:
            outbox.mark_retry(s, entry.key, now, str(exc or "waiting"), now + timedelta(seconds=delay), ambiguous)

    def conflict(
        self, entry: OutboxEntry, reason: str, result: CycleResult, refusal: Refusal = Refusal.REFUSED
    ) -> None:
        with self.ctx.db.write() as s:
            outbox.mark_conflict(s, entry.key, self.ctx.clock.now(), reason, refusal)
            if refusal is Refusal.CANCELLED and entry.action is ActionKind.SHIP:
                decisions.ship_refused_as_cancelled(s, entry, self.ctx.clock.now())
        result.conflicts += 1
        log.warning("conflict on %s %s: %s", entry.action.value, entry.target_id, reason)
        self.ctx.bus.publish(ConflictDetected(entry.key, entry.action.value, entry.target_id, reason))
