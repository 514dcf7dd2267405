"""Confirm: take postings into work — a local mark in their history; Ozon needs no call.

An rFBS order awaiting approval cannot be confirmed: Ozon has no method for it and moves the order to
`awaiting_packaging` by itself (docs/ozon-contract.md, Retired methods). It is refused as "waiting for Ozon"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import history
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import PostingStatus
from app.events import EventBus
from app.history import EventKind
from app.repos import postings
from app.workflows import changes

TAKEN_INTO_WORK = "taken into work"


@dataclass(frozen=True, slots=True)
class Refusal:
    posting_number: str
    code: str  # posting_unknown, posting_cancelled, posting_pending, awaiting_ozon, not_confirmable
    status: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    taken: tuple[str, ...]  # marked as taken into work
    refused: tuple[Refusal, ...]


def confirm(
    db: Database, clock: Clock, posting_numbers: Sequence[str], user: str = "", *, bus: EventBus
) -> ConfirmResult:
    """Take the postings into work in one transaction; the ones that cannot be are listed, not raised."""
    now = clock.now()
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
            elif status is PostingStatus.AWAITING_APPROVE:
                refused.append(Refusal(number, "awaiting_ozon", status.value))
            elif status is PostingStatus.AWAITING_PACKAGING:
                already = any(
                    e.kind is EventKind.ACTION_DONE and e.detail == TAKEN_INTO_WORK for e in history.of(s, number)
                )
                if not already:
                    history.record(s, number, EventKind.ACTION_DONE, now, TAKEN_INTO_WORK, user)
                taken.append(number)
            else:
                refused.append(Refusal(number, "not_confirmable", status.value))
        done = changes.collect(s, taken, outbox_changed=False)
    changes.publish(bus, done)
    return ConfirmResult(tuple(taken), tuple(refused))
