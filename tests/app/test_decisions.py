"""The seller's decisions on refused actions keep a posting's label with the ship it belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import outbox, print_queue
from app.context import AppContext, open_context
from app.domain.products import Product
from app.events import Event, EventBus, OutboxChanged, PostingsChanged
from app.outbox import ActionKind, OutboxEntry, OutboxState, Refusal
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.workflows import decisions
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from tests.app.factories import NOW, posting
from tests.app.test_packing_marks import Clock

CABLE, CABLE_EAN = 3003, "6901234567892"
P = "70000011-0001-1"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"), clock=Clock())
    with c.db.write() as s:
        posting_repo.save(s, [posting(P, items=((CABLE, 1),))], NOW)
        product_repo.save(s, [Product(CABLE, 3, "CB-1", "Кабель USB-C, 1 м", (CABLE_EAN,))], NOW)
    yield c
    c.close()


def pack(ctx: AppContext) -> None:
    desk = PackStation(ctx.db, ctx.clock, bus=ctx.bus, user="packer")
    assert desk.scan(P).kind is Kind.POSTING_OPENED
    desk.scan(CABLE_EAN)
    assert desk.complete().kind is Kind.COMPLETED


def actions(ctx: AppContext, kind: ActionKind) -> list[OutboxEntry]:
    with ctx.db.read() as s:
        return [e for e in outbox.entries(s, target_id=P) if e.action is kind]


def label_states(ctx: AppContext) -> list[JobState]:
    with ctx.db.read() as s:
        return [j.state for j in print_queue.jobs(s) if P in j.posting_numbers and j.kind is DocKind.OZON_LABEL]


def refuse(ctx: AppContext, ship: OutboxEntry) -> None:
    with ctx.db.write() as s:  # what the engine does when Ozon refuses the ship
        outbox.mark_conflict(s, ship.key, NOW, "EXEMPLAR_MARK_INVALID", Refusal.DATA)


def test_packed_again_then_the_old_ship_dropped_keeps_the_new_label(ctx: AppContext) -> None:
    pack(ctx)
    (old,) = actions(ctx, ActionKind.SHIP)
    refuse(ctx, old)
    pack(ctx)  # the packer redoes it with the right code before the seller drops the old ship
    assert len(actions(ctx, ActionKind.SHIP)) == 2
    assert label_states(ctx) == [JobState.WAITING]  # one label: the waiting one serves the new ship
    with ctx.db.write() as s:
        decisions.drop(s, [old.key], NOW)
    old_fetch, new_fetch = actions(ctx, ActionKind.FETCH_LABEL)
    assert old_fetch.state is OutboxState.FAILED and new_fetch.state is OutboxState.PENDING
    assert label_states(ctx) == [JobState.WAITING]
    with ctx.db.read() as s:
        assert [e.action for e in outbox.due(s, NOW)] == [ActionKind.SHIP]  # the new ship goes out


def test_a_dropped_ship_tried_again_brings_its_label_back(ctx: AppContext) -> None:
    pack(ctx)
    (ship,) = actions(ctx, ActionKind.SHIP)
    refuse(ctx, ship)
    with ctx.db.write() as s:
        decisions.drop(s, [ship.key], NOW)
    assert label_states(ctx) == [JobState.CANCELLED]
    assert actions(ctx, ActionKind.FETCH_LABEL)[0].state is OutboxState.FAILED
    with ctx.db.write() as s:
        decisions.retry(s, [ship.key], NOW)  # the seller changes their mind
    (ship,) = actions(ctx, ActionKind.SHIP)
    assert ship.state is OutboxState.PENDING and ship.last_error == ""
    assert actions(ctx, ActionKind.FETCH_LABEL)[0].state is OutboxState.PENDING
    assert sorted(label_states(ctx)) == sorted([JobState.CANCELLED, JobState.WAITING])


def test_the_sellers_decision_is_announced_with_the_outbox_counts(ctx: AppContext) -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(PostingsChanged, seen.append)
    bus.subscribe(OutboxChanged, seen.append)
    pack(ctx)
    (ship,) = actions(ctx, ActionKind.SHIP)
    refuse(ctx, ship)
    with ctx.db.read() as s:
        assert outbox.pending_counts(s) == (1, 1)  # its label fetch waits; the ship is refused
    assert decisions.drop_actions(ctx.db, ctx.clock, [ship.key], bus=bus) == {P}
    assert seen == [PostingsChanged(frozenset({P})), OutboxChanged(0, 0)]
    seen.clear()
    assert decisions.retry_actions(ctx.db, ctx.clock, [ship.key], bus=bus) == {P}
    assert seen == [PostingsChanged(frozenset({P})), OutboxChanged(2, 0)]
