"""Returns at a desk of several: the receipt, the exchange and the decision record the packer and
the desk (the posting's history, the decision sent). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from app import history, outbox
from app.context import AppContext
from app.domain.returns import ReturnKind
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxState
from app.returns import receiving
from app.workflows import returns
from app.workflows.returns import Decision
from sync.emulator import Emulator
from sync.engine import SyncEngine
from tests.sync.test_returns_desk import fbs_return, find, rfbs_request


def recorded(ctx: AppContext, number: str, kind: EventKind) -> set[tuple[str, str]]:
    with ctx.db.read() as s:
        return {(e.user, e.desk) for e in history.of(s, number) if e.kind is kind}


def test_a_decision_and_a_receipt_record_the_packer_and_the_desk(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    number, return_id = rfbs_request(engine, emu)
    row = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert row is not None
    approve = next(a for a in row.actions if "Одобрить" in a.name)
    returns.decide(ctx.db, emu, return_id, Decision(approve.id), "Анна", bus=EventBus(), desk="Desk 2")
    with ctx.db.read() as s:
        (entry,) = [e for e in outbox.entries(s, (OutboxState.PENDING,)) if e.action is ActionKind.RETURN_DECISION]
    assert entry.payload["by"] == "Анна" and entry.payload["desk"] == "Desk 2"
    engine.run_cycle()
    receiving.receive(ctx.db, emu, number, receiving.Inspection(), "Ли Вэй", bus=EventBus(), desk="Desk 3")
    assert recorded(ctx, number, EventKind.RETURN_RECEIVED) == {("Ли Вэй", "Desk 3")}
    with ctx.db.read() as s:
        received = [e for e in outbox.entries(s, (OutboxState.PENDING,)) if e.action is ActionKind.RETURN_DECISION]
    assert received and received[-1].payload["desk"] == "Desk 3"  # Ozon's "received", taken at that desk


def test_an_exchange_records_the_packer_and_the_desk(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    number, return_id = fbs_return(engine, emu)
    (replacement,) = emu.create_postings(1)
    engine.run_cycle()
    receiving.link_exchange(
        ctx.db,
        emu,
        ReturnKind.FBS,
        return_id,
        receiving.ExchangeMode.REPLACEMENT,
        replacement,
        user="Анна",
        bus=EventBus(),
        desk="Desk 2",
    )
    for posting in (number, replacement):
        assert recorded(ctx, posting, EventKind.EXCHANGE) == {("Анна", "Desk 2")}
