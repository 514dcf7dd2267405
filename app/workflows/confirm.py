"""Confirm: take postings into work. rFBS postings awaiting approval are approved on Ozon (an APPROVE
action); FBS postings need no call — taking them into work is a local mark in their history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import history, outbox
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import PostingStatus
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, TargetKind
from app.repos import postings
from app.workflows import changes

TAKEN_INTO_WORK = "taken into work"


@dataclass(frozen=True, slots=True)
class Refusal:
    posting_number: str
    code: str  # posting_unknown, posting_cancelled, posting_pending, not_confirmable
    status: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    approved: tuple[str, ...]  # rFBS: APPROVE queued for Ozon
    taken: tuple[str, ...]  # FBS: marked locally
    refused: tuple[Refusal, ...]


def confirm(
    db: Database, clock: Clock, posting_numbers: Sequence[str], user: str = "", bus: EventBus | None = None
) -> ConfirmResult:
    """Take the postings into work in one transaction; the ones that cannot be are listed, not raised."""
    now = clock.now()
    approved: list[str] = []
    taken: list[str] = []
    refused: list[Refusal] = []
    with db.write() as s:
        for number in dict.fromkeys(posting_numbers):
            cached = postings.get(s, number)
            if cached is None:
                refused.append(Refusal(number, "posting_unknown"))
                continue
            status = cached.posting.status
            if status is PostingStatus.CANCELLED or cached.local_status == PostingStatus.CANCELLED.value:
                refused.append(Refusal(number, "posting_cancelled", PostingStatus.CANCELLED.value))
            elif cached.local_status is not None:
                refused.append(Refusal(number, "posting_pending", cached.local_status))
            elif status is PostingStatus.AWAITING_APPROVE and cached.posting.is_rfbs:
                entry = outbox.enqueue(s, ActionKind.APPROVE, TargetKind.POSTING, number, {}, now)
                outbox.apply_local_effect(s, entry)
                history.record(s, number, EventKind.ACTION_QUEUED, now, f"approve {entry.key}", user)
                approved.append(number)
            elif status is PostingStatus.AWAITING_PACKAGING:
                already = any(
                    e.kind is EventKind.ACTION_DONE and e.detail == TAKEN_INTO_WORK for e in history.of(s, number)
                )
                if not already:
                    history.record(s, number, EventKind.ACTION_DONE, now, TAKEN_INTO_WORK, user)
                taken.append(number)
            else:
                refused.append(Refusal(number, "not_confirmable", status.value))
        done = changes.collect(s, [*approved, *taken], outbox_changed=bool(approved))
    changes.publish(bus, done)
    return ConfirmResult(tuple(approved), tuple(taken), tuple(refused))
