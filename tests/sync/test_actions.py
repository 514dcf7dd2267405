"""Action handlers on their own: each takes the sync context and an outbox entry, no engine or cycle
around it; and the push's settling of what a handler raised."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

import pytest

from app import label_files, outbox
from app.context import AppContext
from app.outbox import OutboxState, Refusal
from app.repos import sync_state
from app.workflows import handover, shipping
from sync import methods
from sync.actions.carriages import apply_carriage
from sync.actions.outcomes import Conflict, NotReady
from sync.actions.postings import apply_posting
from sync.backoff import MAX_PAUSE, Pause, full_jitter, retry_delay
from sync.context import SyncContext
from sync.cycle import CycleResult
from sync.emulator import Emulator
from sync.engine import SyncEngine
from sync.errors import RateLimitedError, ValidationError
from sync.push import Pusher
from tests.emulator.conftest import BASE, session_for
from tests.sync.test_engine import SHIP, applied, fbs_to_pack
from tests.sync.test_handover_flow import packed_pair, shop


def context_of(ctx: AppContext, engine: SyncEngine, emu: Emulator) -> SyncContext:
    return SyncContext(ctx.db, engine.client, ctx.bus, emu, ctx.paths.labels)


def creates_of(emu: Emulator) -> list[object]:
    return [e for e in emu.log if e["method"] == methods.CARRIAGE_CREATE]


def test_the_carriage_handler_resumes_with_the_carriage_a_lost_answer_created(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, engine = shop(ctx, trusted=False)
    method, numbers = packed_pair(ctx, emu, engine)
    entry, job = handover.create_carriage(ctx.db, emu, method, bus=ctx.bus)
    # Our create reached Ozon, its answer did not reach us: the entry is ambiguous.
    made = session_for(emu).post(BASE + methods.CARRIAGE_CREATE, json={"delivery_method_id": method})
    assert made.status_code == 200, made.text
    lost = made.json()["carriage_id"]
    creates = creates_of(emu)
    asked: list[int] = []
    create = engine.client.create_carriage

    def recorded(method_id: int, departure: datetime) -> int:
        asked.append(method_id)
        return create(method_id, departure)

    monkeypatch.setattr(engine.client, "create_carriage", recorded)
    sync = context_of(ctx, engine, emu)
    retried = dataclasses.replace(entry, ambiguous=True, attempts=1)

    with pytest.raises(NotReady):  # found, approved; Ozon is making the act
        apply_carriage(sync, retried)
    assert asked == [] and creates_of(emu) == creates  # looked for, not created again
    with ctx.db.read() as s:
        assert sync_state.get(s, f"carriage.{entry.key}") == f'{{"id": {lost}, "approved": true}}'

    emu.advance(6)
    apply_carriage(sync, retried)  # the act is ready: fetched, stored for the print job
    assert label_files.act_path(ctx.paths.labels, job.key).read_bytes().startswith(b"%PDF")
    assert creates_of(emu) == creates
    with ctx.db.read() as s:
        assert not sync_state.get(s, f"carriage.{entry.key}")  # done with: no step left to resume
    for number in numbers:
        assert emu.posting(number)["carriage_id"] == lost


def test_a_ship_of_a_posting_cancelled_on_ozon_is_a_cancelled_conflict_and_never_sent(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.cancel_posting(number)
    with pytest.raises(Conflict) as refused:
        apply_posting(context_of(ctx, engine, emu), entry)
    assert refused.value.refusal is Refusal.CANCELLED and "cancelled" in str(refused.value)
    assert applied(emu, SHIP, number) == []


def test_a_ship_ozon_refuses_over_marking_codes_settles_as_a_data_conflict(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)

    def refuse(*_args: object) -> list[str]:
        raise ValidationError("EXEMPLAR_VALIDATION_FAILED: a marking code is wrong", path=methods.SHIP)

    monkeypatch.setattr(engine.client, "ship", refuse)
    sync = context_of(ctx, engine, emu)
    result = CycleResult()
    Pusher(sync, Pause(sync), random.Random(1)).push_one(entry, result)
    with ctx.db.read() as s:
        got = outbox.get(s, entry.key)
    assert got is not None and got.state is OutboxState.CONFLICT and got.refusal is Refusal.DATA
    assert result.conflicts == 1 and result.sent == 0


def test_a_retry_waits_at_least_as_long_as_ozon_asked_but_never_past_the_longest_pause() -> None:
    rng = random.Random(7)
    assert 0 <= full_jitter(3, rng) <= 16
    assert retry_delay(0, RateLimitedError("slow down", retry_after=90), rng) >= 90
    hours = RateLimitedError("slow down", retry_after=timedelta(hours=5).total_seconds())
    assert retry_delay(0, hours, rng) == MAX_PAUSE.total_seconds()
