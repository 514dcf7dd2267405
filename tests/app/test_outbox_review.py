"""Which actions the seller reviews, in what order, and what may be done about each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import outbox, outbox_review
from app.context import AppContext, open_context
from app.outbox import ActionKind, OutboxEntry, TargetKind
from tests.app.factories import NOW
from tests.app.test_packing_marks import Clock


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"), clock=Clock())
    yield c
    c.close()


def queue(ctx: AppContext, target: str, kind: TargetKind = TargetKind.POSTING) -> OutboxEntry:
    with ctx.db.write() as s:
        return outbox.enqueue(s, ActionKind.SHIP, kind, target, {}, NOW)


def conflict(ctx: AppContext, target: str) -> OutboxEntry:
    entry = queue(ctx, target)
    with ctx.db.write() as s:
        outbox.mark_conflict(s, entry.key, NOW, "refused")
    return entry


def dropped(ctx: AppContext, target: str) -> OutboxEntry:
    entry = queue(ctx, target)
    with ctx.db.write() as s:
        outbox.drop(s, entry.key, NOW)
    return entry


def fresh(ctx: AppContext, entries: list[OutboxEntry]) -> list[OutboxEntry]:
    with ctx.db.read() as s:
        return [e for e in (outbox.get(s, x.key) for x in entries) if e is not None]


def test_refused_first_then_waiting_then_the_latest_dropped(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_review, "MAX_DROPPED", 2)
    waiting = queue(ctx, "1-1-1")
    old_drop, mid_drop, new_drop = dropped(ctx, "2-1-1"), dropped(ctx, "3-1-1"), dropped(ctx, "4-1-1")
    refused = conflict(ctx, "5-1-1")
    with ctx.db.write() as s:
        done = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "6-1-1", {}, NOW)
        outbox.mark_done(s, done.key, NOW)
    keys = [e.key for e in outbox_review.listed(ctx.db)]
    assert keys == [refused.key, waiting.key, new_drop.key, mid_drop.key]
    assert old_drop.key not in keys and done.key not in keys


def test_what_may_be_done(ctx: AppContext) -> None:
    [waiting, refused, gone] = fresh(ctx, [queue(ctx, "1-1-1"), conflict(ctx, "2-1-1"), dropped(ctx, "3-1-1")])
    [chat] = fresh(ctx, [queue(ctx, "chat-1", TargetKind.CHAT)])
    assert not outbox_review.can_retry([]) and not outbox_review.can_drop([])
    assert outbox_review.can_retry([refused, gone]) and not outbox_review.can_retry([refused, waiting])
    assert outbox_review.can_drop([refused, waiting]) and not outbox_review.can_drop([refused, gone])
    assert outbox_review.can_redo([refused])
    assert not outbox_review.can_redo([waiting]) and not outbox_review.can_redo([refused, refused])
    assert outbox_review.posting_of([waiting]) == "1-1-1"
    assert outbox_review.posting_of([chat]) is None and outbox_review.posting_of([waiting, refused]) is None
