"""Outbox claims: an action is claimed with the desk's name and a lease; a desk never waits on
another desk's lock (SKIP LOCKED); a claim left past its lease is re-checked by the leader."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import outbox
from app.context import AppContext
from app.db.engine import Database
from app.db.tables import OutboxRow
from app.outbox import ActionKind, OutboxState, TargetKind
from tests.app.factories import NOW


def _queued(ctx: AppContext) -> str:
    with ctx.db.write() as s:
        return outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "1-1-1", {}, NOW).key


def test_a_claim_carries_the_desk_and_a_lease_and_a_dead_desks_claim_is_rechecked(ctx: AppContext) -> None:
    key = _queued(ctx)
    with ctx.db.write() as s:
        assert outbox.mark_in_flight(s, key, NOW, "Desk 1")
        assert not outbox.mark_in_flight(s, key, NOW, "Desk 2")  # claimed already
        row = s.scalars(select(OutboxRow).where(OutboxRow.key == key)).one()
        assert row.claimed_by == "Desk 1" and row.claimed_until == NOW + outbox.CLAIM_LEASE
    with ctx.db.write() as s:  # within the lease nothing happens; past it the leader re-checks it
        assert outbox.recover_expired(s, NOW + timedelta(seconds=30), "Desk 2") == 0
        assert outbox.recover_expired(s, NOW + outbox.CLAIM_LEASE, "Desk 1") == 0  # its own claim
        assert outbox.recover_expired(s, NOW + outbox.CLAIM_LEASE + timedelta(seconds=1), "Desk 2") == 1
    with ctx.db.read() as s:
        entry = outbox.get(s, key)
    assert entry is not None and entry.state is OutboxState.PENDING and entry.ambiguous


@pytest.mark.server_only
def test_a_desk_skips_an_action_another_desk_has_locked_instead_of_waiting(ctx: AppContext) -> None:
    key = _queued(ctx)
    other = Database(ctx.db.url)
    try:
        with ctx.db.write() as holding:
            holding.execute(select(OutboxRow).where(OutboxRow.key == key).with_for_update())
            started = time.monotonic()
            with other.write() as s:
                assert not outbox.mark_in_flight(s, key, NOW, "Desk 2")
            assert time.monotonic() - started < 1.0  # skipped, not waited for
        with other.write() as s:  # the lock is gone: now it can be claimed
            assert outbox.mark_in_flight(s, key, NOW, "Desk 2")
    finally:
        other.dispose()
