"""Marking codes, customs numbers and boxes from the pack station to Ozon (docs/ozon-contract.md, Exemplars): the
exemplars are set and checked before the ship call, each step once; a refusal names the unit."""

from __future__ import annotations

from typing import Any

from app import outbox
from app.context import AppContext
from app.outbox import ActionKind, OutboxState
from app.repos import products as product_repo
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from sync import methods
from sync.emulator import Emulator
from sync.engine import SyncEngine

GTD = "10702070/110326/3041525"


def barcode(ctx: AppContext, sku: int) -> str:
    with ctx.db.read() as s:
        product = product_repo.get(s, sku)
    assert product is not None and product.barcodes
    return next(b for b in product.barcodes if b.isdigit() and len(b) == 13)


def posting_of(engine: SyncEngine, emu: Emulator, *products: tuple[int, int]) -> str:
    (number,) = emu.create_postings(1, products=list(products))
    engine.run_cycle()  # the posting and its products reach the desk
    return number


def calls(emu: Emulator, number: str) -> list[str]:
    return [e["method"] for e in emu.log if e.get("posting_number") == number]


def ship_entry(ctx: AppContext, number: str) -> outbox.OutboxEntry:
    with ctx.db.read() as s:
        (entry,) = [e for e in outbox.entries(s, target_id=number) if e.action is ActionKind.SHIP]
    return entry


def pack_with_codes(ctx: AppContext, number: str, sku: int, codes: list[str], gtd: str | None = None) -> Any:
    desk = PackStation(ctx.db, ctx.clock, bus=ctx.bus, user="packer")
    assert desk.scan(number).kind is Kind.POSTING_OPENED
    for code in codes:
        assert desk.scan(code).kind is Kind.ITEM_OK, code  # the code alone counts the unit
        if gtd is not None and desk.snapshot().view is not None:
            line = desk.snapshot().view.line(sku)  # type: ignore[union-attr]
            if line is not None and line.customs_missing:
                desk.set_customs(sku, gtd)
    return desk.complete()


def test_codes_are_set_and_checked_before_the_ship_each_step_once(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    sku = emu.skus_requiring("mandatory_mark")[0]
    number = posting_of(engine, emu, (sku, 2))
    codes = [emu.mark_code(sku), emu.mark_code(sku)]
    gtd = GTD if sku in emu.skus_requiring("gtd") else None
    assert pack_with_codes(ctx, number, sku, codes, gtd).kind is Kind.COMPLETED
    engine.run_cycle()  # the codes are sent; Ozon checks them for a few seconds
    assert calls(emu, number) == [methods.EXEMPLAR_SET]
    assert ship_entry(ctx, number).state is OutboxState.PENDING
    emu.advance(4)
    engine.run_cycle()
    assert calls(emu, number) == [methods.EXEMPLAR_SET, methods.SHIP]  # set once, then the ship, once
    assert ship_entry(ctx, number).state is OutboxState.DONE
    given = emu.exemplars(number)
    marks = [m["mark"] for p in given["products"] for e in p["exemplars"] for m in e["marks"]]
    assert sorted(marks) == sorted(codes)  # whole codes, GS kept (JSON sends it as \\u001d)


def test_a_code_ozon_refuses_is_a_conflict_naming_the_unit_and_nothing_ships(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    sku = next(s for s in emu.skus_requiring("mandatory_mark") if s not in emu.skus_requiring("gtd"))
    other = posting_of(engine, emu, (sku, 1))
    number = posting_of(engine, emu, (sku, 1))
    code = emu.mark_code(sku)
    # The same code was already given to another posting in Ozon's seller cabinet.
    assert pack_with_codes(ctx, other, sku, [code]).kind is Kind.COMPLETED
    with ctx.db.write() as s:  # …and Packdesk forgot it (another desk, a restored backup)
        from app.db.tables import MarkingCodeRow

        s.query(MarkingCodeRow).delete()
    assert pack_with_codes(ctx, number, sku, [code]).kind is Kind.COMPLETED
    for _ in range(3):
        engine.run_cycle()
        emu.advance(4)
    entry = ship_entry(ctx, number)
    assert entry.state is OutboxState.CONFLICT
    assert f"SKU {sku}, unit 1" in entry.last_error and "MARK_ALREADY_USED" in entry.last_error
    assert methods.SHIP not in calls(emu, number)


def test_customs_numbers_and_box_counts_go_before_the_ship(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    gtd_only = next(s for s in emu.skus_requiring("gtd") if s not in emu.skus_requiring("mandatory_mark"))
    number = posting_of(engine, emu, (gtd_only, 2))
    desk = PackStation(ctx.db, ctx.clock, bus=ctx.bus, user="packer")
    desk.scan(number)
    code = barcode(ctx, gtd_only)
    desk.scan(code)
    desk.set_customs(gtd_only, None)  # "no ГТД": Ozon allows it for these goods
    desk.scan(code)
    assert desk.complete().kind is Kind.COMPLETED
    boxes_sku = emu.skus_requiring("multibox")[0]
    bulky = posting_of(engine, emu, (boxes_sku, 1))
    desk.scan(bulky)
    desk.scan(barcode(ctx, boxes_sku))
    desk.new_package()
    assert desk.complete().kind is Kind.COMPLETED
    for _ in range(3):
        engine.run_cycle()
        emu.advance(4)
    assert calls(emu, number) == [methods.EXEMPLAR_SET, methods.SHIP]
    assert all(e["is_gtd_absent"] for p in emu.exemplars(number)["products"] for e in p["exemplars"])
    assert calls(emu, bulky) == [methods.MULTIBOX_QTY_SET, methods.SHIP]
    assert emu.exemplars(bulky)["multi_box_qty"] == 2
    (ship,) = [e for e in emu.log if e["method"] == methods.SHIP and e["posting_number"] == bulky]
    assert len(ship["request"]["packages"]) == 1  # one posting in two boxes, not a split
