"""rFBS return decisions through `/v1/returns/rfbs/action/set` with ids from the request's own
`available_actions` (docs/ozon-contract.md, Retired methods and Returns), offline-first and exactly
once, on the emulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app import outbox
from app.context import AppContext
from app.db.tables import ReturnRow
from app.domain.returns import PARTIAL_COMPENSATION, ReturnDetails, ReturnKind
from app.errors import InvalidAction
from app.events import EventBus
from app.outbox import ActionKind, OutboxState
from app.repos import returns as return_repo
from app.workflows import returns
from app.workflows.returns import Decision
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests.emulator.conftest import BASE, session_for

ACTION_SET = "/v1/returns/rfbs/action/set"


def rfbs_rows(ctx: AppContext) -> list[ReturnRow]:
    with ctx.db.read() as s:
        rows = list(s.scalars(select(ReturnRow).where(ReturnRow.kind == ReturnKind.RFBS.value)))
        s.expunge_all()
    return rows


def on_approval(ctx: AppContext) -> ReturnRow:
    row = next((r for r in rfbs_rows(ctx) if r.status == "ON_APPROVAL" and r.local_status is None), None)
    assert row is not None, "no rFBS return awaiting a decision in the demo data"
    return row


def sent(emu: Emulator, return_id: int) -> list[int]:
    return [e["request"]["id"] for e in emu.log if e["method"] == ACTION_SET and e.get("return_id") == return_id]


def test_every_request_gets_what_ozon_offers_for_it_once_per_state(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    original = engine.client.rfbs_return

    def recorded(return_id: int) -> ReturnDetails:
        read.append(return_id)
        return original(return_id)

    monkeypatch.setattr(engine.client, "rfbs_return", recorded)
    engine.run_cycle()
    rows = rfbs_rows(ctx)
    assert rows and all(r.details_status == r.status for r in rows)
    assert sorted(read) == sorted(r.return_id for r in rows)
    row = on_approval(ctx)
    with ctx.db.read() as s:
        offered, reasons = return_repo.actions(s, row.return_id)
        assert return_repo.needing_details(s) == []
    assert {-1, PARTIAL_COMPENSATION} <= {a.id for a in offered} and reasons  # and Ozon's ids for approving
    read.clear()
    engine.run_cycle()
    assert read == []  # nothing changed: nothing read again
    session_for(emu).post(
        BASE + ACTION_SET,
        json={"return_id": row.return_id, "id": -1, "comment": "Следы носки", "rejection_reason_id": reasons[0].id},
    )
    emu.advance(60)
    engine.run_cycle()
    assert read == [row.return_id]  # its state changed: what Ozon offers now is read once


def test_a_decision_is_checked_then_sent_once_with_ozons_id(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    row = on_approval(ctx)
    with ctx.db.read() as s:
        offered, reasons = return_repo.actions(s, row.return_id)
    reject = next(a for a in offered if a.is_rejection)
    approve = next(a for a in offered if not a.is_rejection and not a.needs_amount and "Одобрить" in a.name)

    def refused(decision: Decision) -> str:
        with pytest.raises(InvalidAction) as err:
            returns.decide(ctx.db, emu, row.return_id, decision, bus=EventBus())
        return err.value.code

    assert refused(Decision(reject.id, comment="Следы носки")) == "return_reason_needed"
    with pytest.raises(InvalidAction) as no_reason:  # the CLI's line names the ids to choose from
        returns.decide(ctx.db, emu, row.return_id, Decision(reject.id, comment="x"), bus=EventBus())
    assert f"{reasons[0].id} {reasons[0].name}" in str(no_reason.value)
    assert refused(Decision(reject.id, rejection_reason_id=reasons[0].id)) == "return_comment_needed"
    assert refused(Decision(PARTIAL_COMPENSATION, compensation_amount=row.price + 1)) == "return_amount_invalid"
    assert refused(Decision(PARTIAL_COMPENSATION, compensation_amount=Decimal(0))) == "return_amount_invalid"
    assert refused(Decision(PARTIAL_COMPENSATION, compensation_amount=Decimal("100.005"))) == "return_amount_invalid"
    assert refused(Decision(3)) == "return_action_not_offered"  # an id Packdesk might guess: never sent

    approve_with_comment = Decision(approve.id, comment=" Пришлите, пожалуйста ")
    entry = returns.decide(ctx.db, emu, row.return_id, approve_with_comment, bus=EventBus())
    assert entry.payload["action_id"] == approve.id and entry.payload["comment"] == "Пришлите, пожалуйста"
    (shown,) = [r for r in rfbs_rows(ctx) if r.return_id == row.return_id]
    assert shown.local_status == approve.name  # decided here, before Ozon hears of it
    assert refused(Decision(reject.id)) == "return_pending"

    emu.add_fault(Fault("lost_reply", path=ACTION_SET))  # Ozon applies it; the answer is lost
    engine.run_cycle()
    emu.advance(400)  # past the backoff
    engine.run_cycle()
    assert sent(emu, row.return_id) == [approve.id]  # once, though the first answer never came
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]
        offered_now, _ = return_repo.actions(s, row.return_id)
    (after,) = [r for r in rfbs_rows(ctx) if r.return_id == row.return_id]
    assert after.local_status is None and after.status == "AWAITING_RETURN"
    assert approve.id not in {a.id for a in offered_now}


def test_a_decision_ozon_no_longer_offers_becomes_a_visible_conflict(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    row = on_approval(ctx)
    with ctx.db.read() as s:
        offered, _ = return_repo.actions(s, row.return_id)
    compensate = next(a for a in offered if a.needs_amount)
    compensation = Decision(compensate.id, compensation_amount=Decimal("100.50"))
    entry = returns.decide(ctx.db, emu, row.return_id, compensation, bus=EventBus())
    assert entry.payload["compensation_amount"] == 100.5
    # Meanwhile the seller refunds in Ozon's cabinet (another desk, the website): the request moves on.
    refund = next(a for a in offered if "без возврата" in a.name)
    reply = session_for(emu).post(BASE + ACTION_SET, json={"return_id": row.return_id, "id": refund.id})
    assert reply.status_code == 200, reply.text
    engine.run_cycle()
    with ctx.db.read() as s:
        done = outbox.get(s, entry.key)
    assert done is not None and done.state is OutboxState.CONFLICT
    assert "no longer offers" in done.last_error and compensate.name in done.last_error
    assert sent(emu, row.return_id) == [refund.id]  # ours was never sent
    (after,) = [r for r in rfbs_rows(ctx) if r.return_id == row.return_id]
    assert after.local_status is None and after.status == "MONEY_RETURNED"
    with ctx.db.read() as s:
        assert [e.action for e in outbox.entries(s, (OutboxState.CONFLICT,))] == [ActionKind.RETURN_DECISION]


def test_the_command_line_lists_requests_and_queues_a_decision(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import main

    engine.run_cycle()
    row = on_approval(ctx)
    data = str(ctx.paths.data)
    ctx.close()  # the command opens the folder itself
    assert main.main(["--data-dir", data, "returns", "--json"]) == 0
    listed = {r["return_id"]: r for r in json.loads(capsys.readouterr().out)}
    offered = {a["id"]: a["name"] for a in listed[row.return_id]["actions"]}
    assert -1 in offered and PARTIAL_COMPENSATION in offered
    assert main.main(["--data-dir", data, "return-action", str(row.return_id), "-1", "--comment", "x"]) == 2
    assert "reason" in capsys.readouterr().err  # a rejection needs one of Ozon's reasons
    assert (
        main.main(
            ["--data-dir", data, "return-action", str(row.return_id), str(PARTIAL_COMPENSATION), "--amount", "99,90"]
        )
        == 0
    )
    key = capsys.readouterr().out.strip()
    assert main.main(["--data-dir", data, "returns"]) == 0
    assert f"pending: {offered[PARTIAL_COMPENSATION]}" in capsys.readouterr().out
    assert len(key) == 36
