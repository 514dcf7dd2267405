"""Handing over to Ozon as it works now (docs/ozon-contract.md, Retired methods and Handover): the
carriage approved without a box count unless the shop has trusted acceptance, its act fetched once Ozon
says it is ready, and a carriage that already holds the postings (made in the seller cabinet, or ours
after a lost reply) used as it is."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from app import outbox
from app.context import AppContext
from app.events import EventBus
from app.outbox import OutboxState
from app.print_queue import JobState
from app.workflows import handover, shipping
from sync import methods
from sync.client import OzonClient
from sync.emulator import Emulator
from sync.engine import SyncEngine
from tests.emulator.conftest import BASE, session_for
from tests.sync.conftest import API_KEY, CLIENT_ID, adapter_client
from tests.sync.test_engine import drain, plain_fbs


def shop(ctx: AppContext, trusted: bool) -> tuple[Emulator, SyncEngine]:
    emu = Emulator(seed=3, postings=60, client_id=CLIENT_ID, api_key=API_KEY, speed=0.0, trusted_acceptance=trusted)
    ctx.clock = emu
    return emu, SyncEngine(ctx.db, adapter_client(emu), ctx.bus, emu, ctx.paths.labels, rng=random.Random(1))


def packed_pair(ctx: AppContext, emu: Emulator, engine: SyncEngine) -> tuple[int, list[str]]:
    """Two FBS postings of one delivery method, shipped (and labelled)."""
    engine.run_cycle()
    by_method: dict[int, list[str]] = {}
    for number in plain_fbs(ctx):
        by_method.setdefault(int(emu.posting(number)["delivery_method_id"]), []).append(number)
    method, numbers = next((m, n[:2]) for m, n in by_method.items() if len(n) >= 2)
    for number in numbers:
        shipping.queue_ship(ctx.db, emu, number)
    drain(engine, emu, ctx)
    return method, numbers


def approvals(emu: Emulator) -> list[dict[str, Any]]:
    """The approve calls Ozon applied (its log has an entry per posting of the carriage)."""
    calls: dict[int, dict[str, Any]] = {}
    for e in emu.log:
        if e["method"] == methods.CARRIAGE_APPROVE:
            calls.setdefault(e["carriage_id"], e["request"])
    return list(calls.values())


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The act-related reads the client makes, in order."""
    seen: list[str] = []
    for name in ("act_status", "act_pdf"):
        original = getattr(OzonClient, name)

        def wrapper(self: OzonClient, carriage_id: int, _name: str = name, _original: Any = original) -> Any:
            seen.append(_name)
            return _original(self, carriage_id)

        monkeypatch.setattr(OzonClient, name, wrapper)
    yield seen


def test_the_carriage_is_approved_without_a_box_count_and_its_act_fetched_when_ready(
    ctx: AppContext, counted: list[str]
) -> None:
    emu, engine = shop(ctx, trusted=False)
    method, numbers = packed_pair(ctx, emu, engine)
    entry, job = handover.create_carriage(ctx.db, emu, method, bus=EventBus())
    engine.run_cycle()  # created and approved: Ozon makes the act in a few seconds
    assert [set(a) for a in approvals(emu)] == [{"carriage_id"}]  # no containers_count
    assert counted == ["act_status"]  # asked whether it is ready; not fetched yet
    emu.advance(6)
    engine.run_cycle()
    assert counted == ["act_status", "act_status", "act_pdf"]
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]
    from app import print_queue

    with ctx.db.read() as s:
        (act,) = [j for j in print_queue.jobs(s) if j.key == job.key]
    assert act.state is JobState.QUEUED and set(numbers) <= set(act.posting_numbers)


def test_with_trusted_acceptance_the_box_count_is_sent(ctx: AppContext) -> None:
    emu, engine = shop(ctx, trusted=True)
    method, numbers = packed_pair(ctx, emu, engine)
    with ctx.db.read() as s:
        (group,) = [g for g in handover.awaiting_handover(s) if g.delivery_method_id == method and not g.is_rfbs]
    assert set(numbers) <= {p.posting_number for p in group.ready}
    handover.create_carriage(ctx.db, emu, method, trusted_acceptance=True, bus=EventBus())
    drain(engine, emu, ctx)
    (approve,) = approvals(emu)
    assert approve["containers_count"] == len(group.ready)  # every packed posting of the method, a box each


def test_a_carriage_that_already_holds_the_postings_is_used_not_duplicated(ctx: AppContext) -> None:
    emu, engine = shop(ctx, trusted=False)
    method, numbers = packed_pair(ctx, emu, engine)
    # The seller made a carriage in Ozon's cabinet a minute ago: it holds every packed posting of the method.
    made = session_for(emu).post(BASE + methods.CARRIAGE_CREATE, json={"delivery_method_id": method})
    assert made.status_code == 200, made.text
    cabinet_carriage = made.json()["carriage_id"]
    entry, _ = handover.create_carriage(ctx.db, emu, method, bus=EventBus())
    drain(engine, emu, ctx)
    creates = [e for e in emu.log if e["method"] == methods.CARRIAGE_CREATE]
    assert {e["carriage_id"] for e in creates} == {cabinet_carriage}  # Ozon answered POSTING_NOT_FOUND to ours
    assert [a["carriage_id"] for a in approvals(emu)] == [cabinet_carriage]
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]
        assert [e.action for e in outbox.entries(s, (OutboxState.CONFLICT,))] == []
    for number in numbers:
        assert emu.posting(number)["carriage_id"] == cabinet_carriage


def test_with_trusted_acceptance_boxes_counted_at_the_desk_are_the_ones_sent(ctx: AppContext) -> None:
    """A multi-box posting packed (offline) in one box more than Ozon counts, and the carriage made
    before its ship went out: Ozon is told the boxes as packed, counted when the carriage is sent."""
    from app.repos import postings as posting_repo

    emu, engine = shop(ctx, trusted=True)
    (house,) = emu.create_postings(1, products=[(emu.skus_requiring("multibox")[0], 1)])
    emu.advance(5)
    engine.run_cycle()
    with ctx.db.write() as s:
        cached = posting_repo.get(s, house)
        assert cached is not None and cached.posting.is_multibox
        boxes = cached.posting.multi_box_qty + 1
        shipping.queue_ship_in(s, emu.now(), house, boxes=boxes)
    handover.create_carriage(ctx.db, emu, cached.posting.delivery_method_id, trusted_acceptance=True, bus=EventBus())
    drain(engine, emu, ctx)
    (approve,) = approvals(emu)
    carried = engine.client.act_postings(approve["carriage_id"])
    assert [p.multi_box_qty for p in carried if p.posting_number == house] == [boxes]
    others = sum(p.multi_box_qty for p in carried if p.posting_number != house)
    assert approve["containers_count"] == boxes + others
