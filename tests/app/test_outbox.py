"""Outbox bookkeeping and the ship workflow (offline: nothing here touches a network)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import outbox
from app.clock import Clock
from app.context import AppContext
from app.domain.postings import PostingStatus
from app.errors import InvalidAction, NotFound
from app.outbox import ActionKind, OutboxState, TargetKind
from app.repos import postings
from app.workflows import shipping
from tests.app.factories import NOW, posting


class FixedClock:
    def __init__(self) -> None:
        self.t = NOW

    def now(self):  # type: ignore[no-untyped-def]
        return self.t


@pytest.fixture
def clock() -> Clock:
    return FixedClock()


def _seed(ctx: AppContext, *items) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.write() as s:
        postings.save(s, list(items), NOW)


def test_ship_writes_action_and_local_effect_in_one_go(ctx: AppContext, clock: Clock) -> None:
    _seed(ctx, posting())
    entry = shipping.queue_ship(ctx.db, clock, "12345678-0001-1")
    assert entry.payload == {"packages": [[[1001, 1], [1002, 2]]]}
    with ctx.db.read() as s:
        cached = postings.get(s, "12345678-0001-1")
        queued = outbox.entries(s)
    assert cached is not None and cached.local_status == "awaiting_deliver"
    assert [e.action for e in queued] == [ActionKind.SHIP, ActionKind.FETCH_LABEL]
    assert all(e.state is OutboxState.PENDING for e in queued)


def test_rfbs_ship_queues_no_ozon_label(ctx: AppContext, clock: Clock) -> None:
    _seed(ctx, posting(rfbs=True))
    shipping.queue_ship(ctx.db, clock, "12345678-0001-1")
    with ctx.db.read() as s:
        assert [e.action for e in outbox.entries(s)] == [ActionKind.SHIP]


def test_ship_split_into_packages(ctx: AppContext, clock: Clock) -> None:
    _seed(ctx, posting())
    entry = shipping.queue_ship(ctx.db, clock, "12345678-0001-1", [[(1001, 1), (1002, 1)], [(1002, 1)]])
    assert entry.payload["packages"] == [[[1001, 1], [1002, 1]], [[1002, 1]]]


@pytest.mark.parametrize(
    ("packages", "message"),
    [
        ([[(1001, 1)]], "do not match"),
        ([[(1001, 1), (1002, 3)]], "do not match"),
        ([[(9999, 1), (1001, 1), (1002, 2)]], "not in posting"),
        ([[(1001, 1), (1002, 2)], []], "no items"),
    ],
)
def test_ship_refuses_packages_that_do_not_hold_exactly_the_items(
    ctx: AppContext, clock: Clock, packages: list[list[tuple[int, int]]], message: str
) -> None:
    _seed(ctx, posting())
    with pytest.raises(InvalidAction, match=message):
        shipping.queue_ship(ctx.db, clock, "12345678-0001-1", packages)
    with ctx.db.read() as s:
        assert outbox.entries(s) == []


def test_ship_refuses_unknown_cancelled_and_already_queued(ctx: AppContext, clock: Clock) -> None:
    _seed(ctx, posting(), posting("99999999-0001-1", status=PostingStatus.CANCELLED))
    with pytest.raises(NotFound):
        shipping.queue_ship(ctx.db, clock, "00000000-0000-0")
    with pytest.raises(InvalidAction, match="cancelled"):
        shipping.queue_ship(ctx.db, clock, "99999999-0001-1")
    shipping.queue_ship(ctx.db, clock, "12345678-0001-1")
    with pytest.raises(InvalidAction, match="pending"):
        shipping.queue_ship(ctx.db, clock, "12345678-0001-1")


def test_due_runs_each_target_in_order_and_targets_independently(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        a1 = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
        a2 = outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, "A", {}, NOW)
        b1 = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "B", {}, NOW)
    with ctx.db.read() as s:
        assert [e.key for e in outbox.due(s, NOW)] == [a1.key, b1.key]
    with ctx.db.write() as s:
        outbox.mark_retry(s, a1.key, NOW, "timeout", NOW + timedelta(minutes=5), ambiguous=True)
        outbox.mark_done(s, b1.key, NOW)
    with ctx.db.read() as s:
        # A's head waits for its backoff; A's second action must not overtake it.
        assert outbox.due(s, NOW) == []
        assert [e.key for e in outbox.due(s, NOW + timedelta(minutes=6))] == [a1.key]
    with ctx.db.write() as s:
        outbox.mark_conflict(s, a1.key, NOW, "cancelled")
    with ctx.db.read() as s:
        # A refused action holds the ones after it (the label waits for the ship the seller
        # must settle); the seller's drop or retry frees the queue.
        assert outbox.due(s, NOW) == []
        assert outbox.get(s, a1.key).ambiguous  # type: ignore[union-attr]
    with ctx.db.write() as s:
        outbox.drop(s, a1.key, NOW)
    with ctx.db.read() as s:
        assert [e.key for e in outbox.due(s, NOW)] == [a2.key]


def test_in_flight_at_startup_becomes_ambiguous_pending(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        e = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
        outbox.mark_in_flight(s, e.key, NOW)
    with ctx.db.write() as s:
        assert outbox.recover_in_flight(s, NOW) == 1
    with ctx.db.read() as s:
        got = outbox.get(s, e.key)
    assert got is not None and got.state is OutboxState.PENDING and got.ambiguous and got.attempts == 1


def test_conflict_and_drop_restore_the_remote_status(ctx: AppContext, clock: Clock) -> None:
    _seed(ctx, posting())
    entry = shipping.queue_ship(ctx.db, clock, "12345678-0001-1")
    with ctx.db.write() as s:
        outbox.mark_conflict(s, entry.key, NOW, "posting cancelled")
    with ctx.db.read() as s:
        # The label fetch is still open, but it implies no status of its own.
        assert postings.get(s, "12345678-0001-1").local_status is None  # type: ignore[union-attr]
    with ctx.db.write() as s:
        outbox.retry(s, entry.key, NOW)
    with ctx.db.read() as s:
        assert postings.get(s, "12345678-0001-1").local_status == "awaiting_deliver"  # type: ignore[union-attr]
    with ctx.db.write() as s:
        outbox.drop(s, entry.key, NOW)
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.FAILED  # type: ignore[union-attr]
        assert postings.get(s, "12345678-0001-1").local_status is None  # type: ignore[union-attr]


def test_postpone_all_respects_a_retry_after(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        e1 = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
        outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "B", {}, NOW + timedelta(hours=1))
        outbox.postpone_all(s, NOW + timedelta(seconds=30), NOW)
    with ctx.db.read() as s:
        assert outbox.due(s, NOW + timedelta(seconds=29)) == []
        assert outbox.get(s, e1.key).next_attempt_at == NOW + timedelta(seconds=30)  # type: ignore[union-attr]
        assert outbox.counts(s)[OutboxState.PENDING] == 2


def test_an_action_is_claimed_once(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        e = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "A", {}, NOW)
    with ctx.db.write() as s:
        assert outbox.mark_in_flight(s, e.key, NOW) is True
    with ctx.db.write() as s:
        assert outbox.mark_in_flight(s, e.key, NOW) is False  # a second worker gets nothing
        outbox.drop(s, e.key, NOW)
        assert outbox.mark_in_flight(s, e.key, NOW) is False  # nor a dropped action
    with ctx.db.read() as s:
        assert outbox.get(s, e.key).attempts == 1  # type: ignore[union-attr]


def test_actions_held_behind_a_conflict_do_not_wake_the_sync(ctx: AppContext) -> None:
    # A refused ship holds its label fetch: waking for that fetch sent nothing, about once a second.
    with ctx.db.write() as s:
        ship = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "1-1-1", {}, NOW)
        outbox.enqueue(s, ActionKind.SET_TRACKING, TargetKind.POSTING, "1-1-1", {}, NOW)
        outbox.mark_conflict(s, ship.key, NOW, "refused")
        assert outbox.due(s, NOW + timedelta(hours=1)) == []
        assert outbox.next_due_at(s) is None
        later = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "2-1-1", {}, NOW + timedelta(minutes=5))
        assert outbox.next_due_at(s) == later.next_attempt_at
