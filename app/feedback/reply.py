"""What the seller does with reviews and questions: reply to a review, mark it processed without a
reply, answer a question. Saved locally first and sent by the sync engine (the outbox), once.

Every text goes through the same lint as a chat message (app.chat.lint: no phone, e-mail, link or
outside messenger; no unfilled template variable). Ozon penalises a shop that answers reviews with
the same words again and again, so a reply whose text (ignoring case, spaces and punctuation) went
to another review in the last 30 days comes back as a warning: the seller decides ("send anyway?").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import outbox
from app.chat import lint
from app.chat.lint import LintError
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import OutboxRow, QuestionRow, ReviewRow
from app.errors import InvalidAction, NotFound
from app.events import EventBus, FeedbackChanged
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.workflows import changes

REPLY_MAX_CHARS = 3000  # /v1/review/comment/create
ANSWER_MIN_CHARS, ANSWER_MAX_CHARS = 2, 3000  # /v1/question/answer/create
REPEAT_WINDOW = timedelta(days=30)
# Replies that went (or will go) to Ozon: a dropped or refused one never did.
_SENT_OR_SENDING = (OutboxState.PENDING, OutboxState.IN_FLIGHT, OutboxState.DONE)


def normalised(text: str) -> str:
    """The words of a reply as Ozon compares them: case, spacing and punctuation ignored."""
    # NFKC first: a pasted text may spell «й» as и + a combining breve, or letters full-width (an IME).
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in folded)
    return " ".join(kept.replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class RepeatedReply:
    """The same reply went to other reviews lately: Ozon penalises repeated answers."""

    review_ids: tuple[str, ...]  # the other reviews, the latest first
    last_at: datetime

    @property
    def message(self) -> str:
        n = len(self.review_ids)
        return (
            f"the same reply went to {n} other review{'s' if n > 1 else ''} in the last 30 days "
            "(Ozon penalises repeated answers)"
        )


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """`entry`: the queued reply (None: not queued because it repeats and was not forced)."""

    text: str  # as it will be sent
    entry: OutboxEntry | None
    repeated: RepeatedReply | None

    @property
    def queued(self) -> bool:
        return self.entry is not None


def _review(session: Session, review_id: str) -> ReviewRow:
    row = session.get(ReviewRow, review_id)
    if row is None:
        raise NotFound("review_unknown", f"review {review_id} is not in the local copy", review_id=review_id)
    return row


def _question(session: Session, question_id: str) -> QuestionRow:
    row = session.get(QuestionRow, question_id)
    if row is None:
        raise NotFound("question_unknown", f"question {question_id} is not in the local copy", question_id=question_id)
    return row


def repeated_reply(session: Session, review_id: str, text: str, now: datetime) -> RepeatedReply | None:
    """Other reviews that got this reply (normalised) in the last 30 days, as far as this shop's
    Packdesk knows (replies written in Ozon's own cabinet are not seen)."""
    wanted = normalised(text)
    rows = session.execute(
        select(OutboxRow.target_id, OutboxRow.payload, OutboxRow.created_at)
        .where(
            OutboxRow.action == ActionKind.REVIEW_REPLY.value,
            OutboxRow.target_id != review_id,
            OutboxRow.state.in_([s.value for s in _SENT_OR_SENDING]),
            OutboxRow.created_at >= now - REPEAT_WINDOW,
        )
        .order_by(OutboxRow.created_at.desc(), OutboxRow.id.desc())
    )
    same = [(rid, at) for rid, payload, at in rows if normalised(str(payload.get("text", ""))) == wanted]
    if not same:
        return None
    ids = tuple(dict.fromkeys(rid for rid, _ in same))
    return RepeatedReply(ids, same[0][1])


def check_reply(
    session: Session, review_id: str, text: str, now: datetime, allowed: Iterable[str] = ()
) -> ReplyOutcome:
    """The reply as it would be sent and whether it repeats, without queuing anything (the page's
    live hint). LintError when it must not go to the buyer, NotFound for an unknown review."""
    _review(session, review_id)
    sent = lint.check(text, allowed, max_chars=REPLY_MAX_CHARS)
    if _already_queued(session, ActionKind.REVIEW_REPLY, review_id, sent):
        raise InvalidAction("review_reply_duplicate", "this reply is already queued or sent for this review")
    return ReplyOutcome(sent, None, repeated_reply(session, review_id, sent, now))


def _already_queued(session: Session, action: ActionKind, target_id: str, text: str) -> bool:
    """The very same text already went, or is about to go, to this review or question: a second
    click or a re-run must not publish it twice (`force` is for other reviews only). A correction
    (other case or punctuation) may still follow."""
    wanted = " ".join(text.split())
    payloads = session.scalars(
        select(OutboxRow.payload).where(
            OutboxRow.action == action.value,
            OutboxRow.target_id == target_id,
            OutboxRow.state.in_([s.value for s in _SENT_OR_SENDING]),
        )
    )
    return any(" ".join(str(p.get("text", "")).split()) == wanted for p in payloads)


def reply_to_review(
    db: Database,
    clock: Clock,
    review_id: str,
    text: str,
    *,
    bus: EventBus,
    force: bool = False,
    allowed: Iterable[str] = (),
) -> ReplyOutcome:
    """Queue a reply (Ozon marks the review processed with it). A repeated text is not queued
    unless `force`: the outcome carries the warning for the seller to decide."""
    now = clock.now()
    with db.write() as s:
        checked = check_reply(s, review_id, text, now, allowed)
        if checked.repeated is not None and not force:
            return checked
        entry = outbox.enqueue(s, ActionKind.REVIEW_REPLY, TargetKind.REVIEW, review_id, {"text": checked.text}, now)
        done = changes.collect(s)
    _announce(bus, done)
    return ReplyOutcome(checked.text, entry, checked.repeated)


def mark_processed(db: Database, clock: Clock, review_id: str, *, bus: EventBus) -> OutboxEntry:
    """Mark a review processed on Ozon without replying (`/v2/review/change-status`)."""
    now = clock.now()
    with db.write() as s:
        _review(s, review_id)
        payload = {"status": "PROCESSED"}
        entry = outbox.enqueue(s, ActionKind.REVIEW_STATUS, TargetKind.REVIEW, review_id, payload, now)
        done = changes.collect(s)
    _announce(bus, done)
    return entry


def check_answer(text: str, allowed: Iterable[str] = ()) -> str:
    """An answer to a question as it will be sent: 2..3000 characters, through the lint."""
    sent = lint.check(text, allowed, max_chars=ANSWER_MAX_CHARS)
    if len(sent) < ANSWER_MIN_CHARS:
        raise LintError("answer_too_short", f"an answer needs at least {ANSWER_MIN_CHARS} characters", sent)
    return sent


def answer_question(
    db: Database, clock: Clock, question_id: str, text: str, *, bus: EventBus, allowed: Iterable[str] = ()
) -> OutboxEntry:
    """Queue an answer to a public question (LintError: refused here, nothing queued)."""
    sent = check_answer(text, allowed)
    now = clock.now()
    with db.write() as s:
        q = _question(s, question_id)
        if _already_queued(s, ActionKind.QUESTION_ANSWER, question_id, sent):
            raise InvalidAction("answer_duplicate", "this answer is already queued or sent for this question")
        payload = {"text": sent, "sku": q.sku}
        entry = outbox.enqueue(s, ActionKind.QUESTION_ANSWER, TargetKind.QUESTION, question_id, payload, now)
        done = changes.collect(s)
    _announce(bus, done)
    return entry


def _announce(bus: EventBus, done: changes.Changes) -> None:
    changes.publish(bus, done)
    bus.publish(FeedbackChanged(1))
