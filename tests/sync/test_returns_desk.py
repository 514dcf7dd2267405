"""The returns desk on the emulator: one list with stages and deadlines, decisions with Ozon's own
action ids, FBS returns moving on, receiving by scan with marking codes checked, exchanges."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

import main
from app.context import AppContext
from app.db.tables import MarkingCodeRow, ReturnReceiptRow, ReturnRow
from app.domain.returns import RFBS_DECISION_TIME, ReturnKind, Stage
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.returns import decision, listing, receiving
from app.returns.listing import ReturnFilter, ReturnListRow
from app.workflows import returns
from app.workflows.returns import Decision
from sync.emulator import Emulator
from sync.engine import SyncEngine

ACTION_SET = "/v1/returns/rfbs/action/set"


def sent(emu: Emulator, return_id: int) -> list[int]:
    return [e["request"]["id"] for e in emu.log if e["method"] == ACTION_SET and e.get("return_id") == return_id]


def find(ctx: AppContext, emu: Emulator, kind: ReturnKind, return_id: int, **flt: object) -> ReturnListRow | None:
    rows = listing.read_all(ctx.db, ReturnFilter(**flt), emu.now())  # type: ignore[arg-type]
    return next((r for r in rows if r.kind is kind and r.return_id == return_id), None)


def rfbs_request(engine: SyncEngine, emu: Emulator) -> tuple[str, int]:
    (number,) = emu.create_postings(1, status="delivered", rfbs=True)
    return_id = emu.open_return(number, "rfbs")
    engine.run_cycle()
    return number, return_id


def fbs_return(engine: SyncEngine, emu: Emulator) -> tuple[str, int]:
    (number,) = emu.create_postings(1, status="delivered")
    return_id = emu.open_return(number, "fbs")
    engine.run_cycle()
    return number, return_id


def test_an_rfbs_decision_uses_an_id_from_available_actions_and_reaches_ozon_once(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    number, return_id = rfbs_request(engine, emu)
    row = find(ctx, emu, ReturnKind.RFBS, return_id, stage=Stage.NEEDS_DECISION, search=number)
    assert row is not None and row.posting_number == number and row.actions
    view = decision.read_decision(ctx.db, ReturnKind.RFBS, return_id, emu.now())
    assert [f.action for f in view.forms] == list(row.actions)  # exactly what Ozon offers
    reject = next(f for f in view.forms if f.action.is_rejection)
    assert reject.needs_comment and reject.needs_reason and reject.reasons
    compensate = next(f for f in view.forms if f.needs_amount)
    assert compensate.max_amount == row.price
    assert view.reason and view.comment and view.packing.posting_number == number

    with pytest.raises(InvalidAction) as refused:  # no comment: refused here, nothing queued
        returns.decide(
            ctx.db, emu, return_id, Decision(reject.action.id, rejection_reason_id=reject.reasons[0].id), bus=EventBus()
        )
    assert refused.value.code == "return_comment_needed"
    approve = next(f.action for f in view.forms if "Одобрить" in f.action.name)
    returns.decide(ctx.db, emu, return_id, Decision(approve.id), bus=EventBus())
    engine.run_cycle()
    assert sent(emu, return_id) == [approve.id]
    after = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert after is not None and after.local_status is None and after.stage is Stage.ON_THE_WAY
    assert after.decide_by is None  # decided: no clock any more


def test_the_decision_deadline_crosses_into_overdue(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _, return_id = rfbs_request(engine, emu)
    row = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert row is not None and row.created_at is not None
    assert row.decide_by == row.created_at + RFBS_DECISION_TIME
    clock = row.countdown(emu.now())
    assert clock is not None and not clock.overdue and "Ozon approves automatically on" in clock.sentence()
    assert find(ctx, emu, ReturnKind.RFBS, return_id, overdue=True) is None
    assert row.open_to_decide(emu.now()) and main._return_json(row, emu.now())["actions"]
    emu.advance((row.decide_by - emu.now() + timedelta(minutes=1)).total_seconds())
    late = find(ctx, emu, ReturnKind.RFBS, return_id, overdue=True)
    assert late is not None
    clock = late.countdown(emu.now())
    assert clock is not None and clock.overdue and clock.sentence().startswith("overdue")
    # Ozon decides it itself now: no action is offered on the page, and none is queued.
    view = decision.read_decision(ctx.db, ReturnKind.RFBS, return_id, emu.now())
    assert view.overdue and view.forms == [] and late.actions
    assert not late.open_to_decide(emu.now())
    assert main._return_json(late, emu.now())["actions"] == []  # `returns --json`: nothing can be decided
    approve = next(a for a in late.actions if "Одобрить" in a.name)
    with pytest.raises(InvalidAction) as refused:
        returns.decide(ctx.db, emu, return_id, Decision(approve.id), bus=EventBus())
    assert refused.value.code == "return_decision_overdue" and "Ozon decides it itself" in str(refused.value)
    after = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert after is not None and after.local_status is None
    engine.run_cycle()
    assert sent(emu, return_id) == []


def test_an_fbs_return_moving_on_arrives_by_sync(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    number, return_id = fbs_return(engine, emu)
    emu.move_return(return_id, "MovingToSeller")
    emu.advance(60)
    engine.run_cycle()
    row = find(ctx, emu, ReturnKind.FBS, return_id, search=number)
    assert row is not None and row.stage is Stage.ON_THE_WAY and row.status == "MovingToSeller"
    assert row.barcode and row.place and row.storage_from and row.reason and row.return_type
    assert row.actions == () and row.decide_by is None
    emu.move_return(return_id, "ArrivedAtReturnPlace")
    emu.advance(60)
    engine.run_cycle()
    arrived = find(ctx, emu, ReturnKind.FBS, return_id, stage=Stage.ARRIVED)
    assert arrived is not None and arrived.status_name == "В пункте выдачи"
    emu.move_return(return_id, "OnSellerApproval", "На согласовании у продавца")
    emu.advance(60)
    engine.run_cycle()
    waiting = find(ctx, emu, ReturnKind.FBS, return_id, stage=Stage.NEEDS_DECISION)
    assert waiting is not None and waiting.changed_at is not None
    assert waiting.decide_by == waiting.changed_at + timedelta(hours=24)  # FBS: Ozon approves after 24 h
    assert waiting.actions == ()  # Ozon's API has no decision for FBS returns: the cabinet decides


def test_receiving_by_scan_finds_the_return_and_flags_a_different_marking_code(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, tmp_path: object
) -> None:
    number, return_id = fbs_return(engine, emu)
    row = find(ctx, emu, ReturnKind.FBS, return_id)
    assert row is not None
    shipped, other = emu.mark_code(row.sku), emu.mark_code(row.sku)
    with ctx.db.write() as s:  # what the pack station stored when this posting was packed
        ident = shipped.split("\x1d")[0]
        s.add(MarkingCodeRow(ident=ident, code=shipped, posting_number=number, sku=row.sku, scanned_at=emu.now()))
    found = receiving.read_expected(ctx.db, row.barcode)
    assert [r.return_id for r in found.returns] == [return_id] and found.shipped_marks == {row.sku: (ident,)}
    done = receiving.receive(
        ctx.db,
        emu,
        row.barcode,
        receiving.Inspection(
            receiving.Grade.OPENED, receiving.Disposition.RESTOCK, "коробка вскрыта", (), (shipped, other)
        ),
        bus=EventBus(),
    )
    assert [m.shipped for m in done.marks] == [True, False]
    assert [m.scanned for m in done.flagged] == [other]
    assert done.returns[0].received and done.decisions == []  # FBS: nothing to tell Ozon
    view = decision.read_decision(ctx.db, ReturnKind.FBS, return_id, emu.now())
    (receipt,) = view.receipts
    assert receipt.flagged and receipt.grade == "opened" and receipt.note == "коробка вскрыта"
    assert any(e.kind is EventKind.RETURN_RECEIVED and "DIFFERS" in e.detail for e in view.packing.events)
    assert [m.ident for m in view.packing.marks] == [ident]
    with pytest.raises(InvalidAction):
        receiving.receive(ctx.db, emu, number, receiving.Inspection(), bus=EventBus())


def test_the_photos_of_a_receipt_are_images_and_a_refused_one_keeps_the_parcel_unreceived(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, tmp_path: Path
) -> None:
    _, return_id = fbs_return(engine, emu)
    row = find(ctx, emu, ReturnKind.FBS, return_id)
    assert row is not None
    photo, not_a_photo = tmp_path / "box.png", tmp_path / "passwd.png"
    Image.new("RGB", (40, 30), "white").save(photo)
    not_a_photo.write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(InvalidAction) as refused:
        receiving.receive(
            ctx.db, emu, row.barcode, receiving.Inspection(photos=(str(photo), str(not_a_photo))), bus=EventBus()
        )
    assert refused.value.code == "return_photo_refused" and str(not_a_photo) in str(refused.value)
    after = find(ctx, emu, ReturnKind.FBS, return_id)
    assert after is not None and not after.received  # nothing recorded: the seller picks the photos again
    done = receiving.receive(ctx.db, emu, row.barcode, receiving.Inspection(photos=(str(photo),)), bus=EventBus())
    assert done.returns[0].received
    (receipt,) = decision.read_decision(ctx.db, ReturnKind.FBS, return_id, emu.now()).receipts
    assert receipt.photos == [str(photo.resolve())]


def test_a_unit_scanned_twice_is_flagged_not_counted_as_two(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    number, return_id = fbs_return(engine, emu)
    row = find(ctx, emu, ReturnKind.FBS, return_id)
    assert row is not None
    shipped = emu.mark_code(row.sku)
    with ctx.db.write() as s:
        s.add(
            MarkingCodeRow(
                ident=shipped.split("\x1d")[0], code=shipped, posting_number=number, sku=row.sku, scanned_at=emu.now()
            )
        )
    no_gs = shipped.replace("\x1d", "")  # the same unit, read by a scanner that drops GS
    done = receiving.receive(ctx.db, emu, row.barcode, receiving.Inspection(marks=(shipped, no_gs)), bus=EventBus())
    assert [(m.shipped, m.repeated) for m in done.marks] == [(True, False), (True, True)]
    assert [m.scanned for m in done.flagged] == [no_gs]


def test_an_exchange_is_never_linked_to_a_cancelled_posting(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    _, return_id = fbs_return(engine, emu)
    (replacement,) = emu.create_postings(1)
    emu.cancel_posting(replacement)
    engine.run_cycle()
    with pytest.raises(InvalidAction) as refused:
        receiving.link_exchange(
            ctx.db, emu, ReturnKind.FBS, return_id, receiving.ExchangeMode.REPLACEMENT, replacement, bus=EventBus()
        )
    assert refused.value.code == "exchange_posting_cancelled"
    with ctx.db.read() as s:
        assert receiving.exchanges_of_return(s, ReturnKind.FBS, return_id) == []


def test_receiving_an_rfbs_return_takes_ozons_received_action(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    number, return_id = rfbs_request(engine, emu)
    row = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert row is not None
    approve = next(a for a in row.actions if "Одобрить" in a.name)
    returns.decide(ctx.db, emu, return_id, Decision(approve.id), bus=EventBus())
    engine.run_cycle()
    waiting = find(ctx, emu, ReturnKind.RFBS, return_id)
    assert waiting is not None
    received = receiving.received_action(waiting.actions)
    assert received is not None
    done = receiving.receive(ctx.db, emu, number, receiving.Inspection(), bus=EventBus())
    assert len(done.decisions) == 1
    engine.run_cycle()
    assert sent(emu, return_id) == [approve.id, received.id]
    engine.run_cycle()  # the list's group state (Checkout) comes with the next read
    after = find(ctx, emu, ReturnKind.RFBS, return_id, stage=Stage.ARRIVED)
    assert after is not None and after.received


def test_an_exchange_shows_both_ways(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    number, return_id = fbs_return(engine, emu)
    (replacement,) = emu.create_postings(1)
    engine.run_cycle()
    with pytest.raises(InvalidAction):
        receiving.link_exchange(
            ctx.db, emu, ReturnKind.FBS, return_id, receiving.ExchangeMode.REPLACEMENT, bus=EventBus()
        )
    receiving.link_exchange(
        ctx.db, emu, ReturnKind.FBS, return_id, receiving.ExchangeMode.REPLACEMENT, replacement, bus=EventBus()
    )
    with ctx.db.read() as s:
        forward = receiving.exchanges_of_posting(s, number)
        backward = receiving.exchanges_of_posting(s, replacement)
    assert forward == backward and forward[0].return_posting == number and forward[0].posting_number == replacement
    row = find(ctx, emu, ReturnKind.FBS, return_id)
    assert row is not None and row.exchanges == (replacement,)
    view = decision.read_decision(ctx.db, ReturnKind.FBS, return_id, emu.now())
    assert [x.posting_number for x in view.exchanges] == [replacement]


def test_the_command_line_forms_and_exit_codes(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    (rfbs_number,) = emu.create_postings(1, status="delivered", rfbs=True)
    rfbs_id = emu.open_return(rfbs_number, "rfbs")
    fbs_number, fbs_id = fbs_return(engine, emu)
    with ctx.db.read() as s:
        barcode = s.scalar(select(ReturnRow.barcode).where(ReturnRow.return_id == fbs_id))
    data = str(ctx.paths.data)
    ctx.close()
    capsys.readouterr()
    assert main.main(["--data-dir", data, "returns", "--json"]) == 0
    listed = {(r["kind"], r["return_id"]): r for r in json.loads(capsys.readouterr().out)}
    rfbs, fbs = listed[("rfbs", rfbs_id)], listed[("fbs", fbs_id)]
    for r in (rfbs, fbs):
        assert {"return_id", "kind", "posting_number", "status", "reason", "deadline", "actions"} <= r.keys()
    assert rfbs["deadline"].endswith("+00:00") and fbs["deadline"] is None and fbs["actions"] == []
    ids = {a["id"] for a in rfbs["actions"]}
    assert all(set(a) == {"id", "name"} for a in rfbs["actions"])

    def run(*args: str) -> int:
        return main.main(["--data-dir", data, *args])

    assert run("return-action", str(rfbs_id), "424242") == 2  # not offered
    assert run("return-action", str(rfbs_id), "-1", "--reason-id", "1") == 2  # a rejection needs its comment
    assert run("return-action", str(fbs_id), "-1", "--comment", "x", "--reason-id", "1") == 1  # no such request
    assert run("return-action", str(rfbs_id), "1020", "--amount", "abc") == 2
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line]) == 4
    assert -1 in ids
    assert run("return-action", str(rfbs_id), "-1", "--comment", "Следы носки", "--reason", "1") == 0  # the alias
    assert len(capsys.readouterr().out.strip()) == 36
    assert run("returns", "--stage", "needs_decision") == 0
    assert "Ozon approves automatically on" in capsys.readouterr().out
    assert run("return-receive", barcode or "", "--grade", "damaged", "--write-off", "--mark", "not-a-mark") == 0
    out, err = capsys.readouterr()
    assert f"received fbs {fbs_id}" in out and "WARNING" in err
    assert run("return-receive", "nothing-like-it") == 1
    assert run("returns", "--search", fbs_number, "--json") == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert (found["kind"], found["return_id"], found["received"]) == ("fbs", fbs_id, True)


def test_the_command_line_refuses_a_decision_after_the_deadline(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from app.domain.returns import ReturnAction, ReturnDetails, ReturnRequest
    from app.repos import returns as return_repo

    long_ago = datetime.now(UTC) - RFBS_DECISION_TIME - timedelta(hours=1)  # the command line's clock is real
    with ctx.db.write() as s:
        return_repo.save(
            s,
            [
                ReturnRequest(
                    77, ReturnKind.RFBS, "70077-0001-1", "70077-0001", 577, "ART-77", "Товар", 1, Decimal("990"),
                    "RUB", "ON_APPROVAL", "На проверке", created_at=long_ago, group="New",
                )
            ],
        )  # fmt: skip
        return_repo.save_details(s, ReturnDetails(77, "ON_APPROVAL", "На проверке", (ReturnAction(11, "Одобрить"),)))
    data = str(ctx.paths.data)
    ctx.close()
    capsys.readouterr()
    assert main.main(["--data-dir", data, "return-action", "77", "11"]) == 1
    err = capsys.readouterr().err
    assert "deadline" in err and "Ozon decides it itself" in err and len(err.strip().splitlines()) == 1


def test_the_desk_receives_only_a_return_ozon_sends_back_and_only_once(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    def refused(code: str) -> InvalidAction:
        with pytest.raises(InvalidAction) as caught:
            receiving.receive(ctx.db, emu, code, receiving.Inspection(), bus=EventBus())
        return caught.value

    def receipts() -> int:
        with ctx.db.read() as s:
            return len(list(s.scalars(select(ReturnReceiptRow))))

    # An rFBS request still awaiting the decision: the buyer has not sent anything back.
    rfbs_number, rfbs_id = rfbs_request(engine, emu)
    waiting = refused(rfbs_number)
    assert waiting.code == "return_not_sent_back" and "awaits the decision" in str(waiting)
    found = receiving.read_expected(ctx.db, rfbs_number)
    assert found.receivable == [] and [r.return_id for r in found.returns] == [rfbs_id]
    # An FBS return Ozon cancelled: nothing comes back under it.
    number, return_id = fbs_return(engine, emu)
    emu.move_return(return_id, "Cancelled", "Отменён")
    emu.advance(60)
    engine.run_cycle()
    cancelled = refused(number)
    assert cancelled.code == "return_not_coming_back" and "Отменён" in str(cancelled) and receipts() == 0
    # Ozon recorded the pick-up (ReceivedBySeller): the parcel is inspected at the desk after it.
    emu.move_return(return_id, "ReceivedBySeller")
    emu.advance(60)
    engine.run_cycle()
    done = receiving.receive(ctx.db, emu, number, receiving.Inspection(), bus=EventBus())
    assert [r.return_id for r in done.returns] == [return_id] and receipts() == 1
    # Scanned again: received once, and the refusal names the day.
    again = refused(number)
    assert again.code == "return_already_received" and again.params["date"] == emu.now()
    assert f"already received on {emu.now():%Y-%m-%d %H:%M} UTC" in str(again) and receipts() == 1
