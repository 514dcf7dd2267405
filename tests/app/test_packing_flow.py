"""The whole desk on the emulator, without Qt: confirm → scan → complete → ship → label → handover
→ rFBS delivery; the buyer cancelling mid-pack; packing offline across a restart.

The real client and sync engine run against the emulator mounted as a requests transport. Helpers
here are shared with the GUI flow test (tests/ui/test_flow_packing.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import outbox, print_queue
from app.context import AppContext, open_context
from app.domain.postings import PostingStatus
from app.events import EventBus
from app.outbox import ActionKind, OutboxState
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.workflows import confirm, delivery, handover
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from sync.client import OzonClient
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests.sync.conftest import adapter_client

SHIP = "/v4/posting/fbs/ship"


@dataclass
class Shop:
    """An emulated Ozon shop and a desk connected to it."""

    emu: Emulator
    ctx: AppContext
    client: OzonClient
    engine: SyncEngine

    def sync(self) -> None:
        self.engine.run_cycle()

    def drain(self, cycles: int = 30, step: float = 30) -> None:
        """Sync until the outbox is empty, moving the emulator's clock past labels and backoffs."""
        for _ in range(cycles):
            self.engine.run_cycle()
            if not open_entries(self.ctx):
                return
            self.emu.advance(step)
        raise AssertionError(f"outbox did not drain: {open_entries(self.ctx)}")

    def ships(self, number: str) -> list[dict[str, Any]]:
        return [e for e in self.emu.log if e["method"] == SHIP and e.get("posting_number") == number]

    def status(self, number: str) -> str:
        return str(self.emu.posting(number)["status"])


def open_entries(ctx: AppContext) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT))


def connect(emu: Emulator, ctx: AppContext) -> Shop:
    ctx.clock = emu
    client = adapter_client(emu)
    engine = SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels, rng=random.Random(1))
    return Shop(emu, ctx, client, engine)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    emu = Emulator(seed=3, postings=40, client_id="123456", api_key="test-key", speed=0.0, live=False)
    ctx = open_context(str(tmp_path / "data"), clock=emu)
    connected = connect(emu, ctx)
    connected.sync()
    yield connected
    connected.client.close()
    ctx.close()


@dataclass(frozen=True)
class Goods:
    """Products with one barcode each that maps to them alone: what the packer scans."""

    a: tuple[int, str]
    b: tuple[int, str]
    stranger: tuple[int, str]


def goods(ctx: AppContext) -> Goods:
    with ctx.db.read() as s:
        picked: list[tuple[int, str]] = []
        for sku in sorted(product_repo.known_skus(s)):
            product = product_repo.get(s, sku)
            if product is None or not product.barcodes:
                continue
            code = product.barcodes[0]
            if product_repo.skus_for_barcode(s, code) == [sku]:
                picked.append((sku, code))
            if len(picked) == 3:
                return Goods(*picked)
    raise AssertionError("the demo shop has too few products with barcodes")


def new_posting(shop: Shop, g: Goods, rfbs: bool = False, status: str = "awaiting_packaging") -> str:
    """A fresh posting of 2×A + 1×B, synced into the cache."""
    (number,) = shop.emu.create_postings(1, status=status, rfbs=rfbs, products=[(g.a[0], 2), (g.b[0], 1)])
    shop.emu.advance(5)
    shop.sync()
    with shop.ctx.db.read() as s:
        assert posting_repo.get(s, number) is not None
    return number


def pack(desk: PackStation, number: str, g: Goods) -> None:
    assert desk.scan(number).kind is Kind.POSTING_OPENED
    for code in (g.a[1], g.b[1], g.a[1]):
        assert desk.scan(code).kind is Kind.ITEM_OK
    assert desk.complete().kind is Kind.COMPLETED


def _order_postings(shop: Shop, number: str) -> list[str]:
    order = shop.emu.posting(number)["order_number"]
    with shop.ctx.db.read() as s:
        return [c.posting.posting_number for c in posting_repo.list_postings(s) if c.posting.order_number == order]


def jobs_of(ctx: AppContext, number: str, kind: DocKind) -> list[print_queue.PrintJob]:
    with ctx.db.read() as s:
        return [j for j in print_queue.jobs(s) if number in j.posting_numbers and j.kind is kind]


# -- the flow ---------------------------------------------------------------------------------------------


def test_confirm_pack_ship_label_and_handover_fbs(shop: Shop) -> None:
    g = goods(shop.ctx)
    number = new_posting(shop, g)
    taken = confirm.confirm(shop.ctx.db, shop.ctx.clock, [number], bus=shop.ctx.bus)
    assert taken.taken == (number,) and not taken.refused

    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    assert desk.scan(number).kind is Kind.POSTING_OPENED
    fresh = shop.client.get_posting(number)  # the re-check at scan start (the UI runs it off-thread)
    assert desk.recheck(number, fresh).kind is Kind.CHECKED
    assert desk.scan(g.a[1]).kind is Kind.ITEM_OK
    assert desk.scan(g.stranger[1]).kind is Kind.WRONG_ITEM
    assert desk.scan(g.b[1]).kind is Kind.ITEM_OK
    assert desk.scan(g.b[1]).kind is Kind.EXTRA_UNIT
    assert desk.scan("PD:NEWPKG").kind is Kind.NEW_PACKAGE
    assert desk.scan(g.a[1]).kind is Kind.ITEM_OK
    assert desk.scan(g.a[1]).kind is Kind.EXTRA_UNIT
    done = desk.complete(fresh=shop.client.get_posting(number))
    assert done.kind is Kind.COMPLETED
    (label,) = jobs_of(shop.ctx, number, DocKind.OZON_LABEL)
    assert label.state is JobState.WAITING

    shop.sync()
    (call,) = shop.ships(number)
    sent = [sorted((p["product_id"], p["quantity"]) for p in pkg["products"]) for pkg in call["request"]["packages"]]
    assert sent == [sorted([(g.a[0], 1), (g.b[0], 1)]), [(g.a[0], 1)]]
    assert jobs_of(shop.ctx, number, DocKind.OZON_LABEL)[0].state is JobState.WAITING  # Ozon needs ~50 s
    shop.emu.advance(61)
    shop.drain()
    assert len(shop.ships(number)) == 1
    (label,) = jobs_of(shop.ctx, number, DocKind.OZON_LABEL)
    assert label.state is JobState.QUEUED
    assert (shop.ctx.paths.labels / f"{number}.pdf").read_bytes().startswith(b"%PDF")
    # The second box became a posting of its own: its label is fetched and queued too.
    (part,) = [n for n in _order_postings(shop, number) if shop.emu.posting(n)["parent_posting_number"] == number]
    (part_label,) = jobs_of(shop.ctx, part, DocKind.OZON_LABEL)
    assert part_label.state is JobState.QUEUED
    assert (shop.ctx.paths.labels / f"{part}.pdf").read_bytes().startswith(b"%PDF")

    # Hand over: the method's carriage, then its act.
    shop.sync()  # the split package's posting arrives too
    with shop.ctx.db.read() as s:
        groups = handover.awaiting_handover(s)
    method = shop.emu.posting(number)["delivery_method_id"]
    group = next(gr for gr in groups if gr.delivery_method_id == method)
    assert number in {p.posting_number for p in group.ready}
    entry, act = handover.create_carriage(shop.ctx.db, shop.ctx.clock, method, bus=shop.ctx.bus)
    assert act.state is JobState.WAITING and number in act.posting_numbers
    shop.drain(step=3)
    assert shop.emu.posting(number)["carriage_id"] is not None
    methods = [e["method"] for e in shop.emu.log]
    assert "/v1/carriage/create" in methods and "/v1/carriage/approve" in methods
    (act,) = jobs_of(shop.ctx, number, DocKind.ACT)
    assert act.state is JobState.QUEUED
    assert (shop.ctx.paths.labels / f"act-{act.key}.pdf").read_bytes().startswith(b"%PDF")
    shop.sync()
    with shop.ctx.db.read() as s:
        again = {p.posting_number: p for gr in handover.awaiting_handover(s) for p in gr.postings}
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]
    assert again[number].in_carriage
    with pytest.raises(Exception, match="no packed posting"):
        handover.create_carriage(shop.ctx.db, shop.ctx.clock, method, bus=EventBus())


def test_rfbs_approved_by_ozon_then_packed_tracked_and_delivered(shop: Shop) -> None:
    g = goods(shop.ctx)
    number = new_posting(shop, g, rfbs=True, status="awaiting_approve")
    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    assert desk.scan(number).kind is Kind.NOT_PACKABLE  # Ozon has not approved it yet
    waiting = confirm.confirm(shop.ctx.db, shop.ctx.clock, [number], bus=EventBus())
    assert [(r.posting_number, r.code) for r in waiting.refused] == [(number, "awaiting_ozon")]
    assert open_entries(shop.ctx) == []  # nothing to send: Ozon has no approve method
    shop.emu.advance(11 * 60)  # Ozon approves it on its side
    shop.sync()
    with shop.ctx.db.read() as s:
        cached = posting_repo.get(s, number)
    assert cached is not None and cached.posting.status is PostingStatus.AWAITING_PACKAGING
    pack(desk, number, g)
    (own,) = jobs_of(shop.ctx, number, DocKind.OWN_LABEL)
    assert own.state is JobState.QUEUED  # Packdesk's own label, at once

    db, clock = shop.ctx.db, shop.ctx.clock
    with pytest.raises(Exception, match="mark it delivering first"):
        delivery.mark_last_mile(db, clock, number, bus=EventBus())
    delivery.set_tracking(db, clock, number, " RP123456789RU ", bus=EventBus())
    delivery.mark_delivering(db, clock, number, bus=EventBus())  # queued offline behind the ship: order kept
    with pytest.raises(Exception, match="already delivering"):
        delivery.mark_delivering(db, clock, number, bus=EventBus())
    delivery.mark_last_mile(db, clock, number, bus=EventBus())
    delivery.mark_delivered(db, clock, number, bus=EventBus())
    shop.drain()
    state = shop.emu.posting(number)
    assert state["status"] == "delivered" and state["tracking_number"] == "RP123456789RU"
    steps = [e["method"] for e in shop.emu.log if e.get("posting_number") == number]
    assert steps == [
        SHIP,
        "/v2/fbs/posting/tracking-number/set",
        "/v2/fbs/posting/delivering",
        "/v2/fbs/posting/last-mile",
        "/v2/fbs/posting/delivered",
    ]


def test_the_buyer_cancels_between_two_scans(shop: Shop) -> None:
    g = goods(shop.ctx)
    number = new_posting(shop, g)
    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    desk.scan(number)
    desk.scan(g.a[1])
    shop.emu.cancel_posting(number)
    desk.scan(g.b[1])
    desk.scan(g.a[1])
    stop = desk.complete(fresh=shop.client.get_posting(number))  # the check before completing
    assert stop.kind is Kind.STOP and stop.stop is not None and stop.stop.posting_number == number
    assert desk.scan(g.a[1]).kind is Kind.STOP_PENDING
    shop.drain()
    assert shop.ships(number) == []
    assert desk.scan("PD:ACK").kind is Kind.STOP_ACKNOWLEDGED


def test_cancelled_while_offline_the_engine_never_sends_the_ship(shop: Shop) -> None:
    g = goods(shop.ctx)
    number = new_posting(shop, g)
    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    pack(desk, number, g)  # completed without a fresh check (offline)
    shop.emu.cancel_posting(number)
    shop.drain()
    assert shop.ships(number) == []
    with shop.ctx.db.read() as s:
        (ship,) = [e for e in outbox.entries(s, target_id=number) if e.action is ActionKind.SHIP]
    assert ship.state is OutboxState.CONFLICT
    stop = desk.check_cached([number])  # the screen calls this when sync reports the cancellation
    assert stop.kind is Kind.STOP
    assert all(j.state is JobState.CANCELLED for j in jobs_of(shop.ctx, number, DocKind.OZON_LABEL))


def test_pack_three_offline_restart_and_each_ship_goes_out_once(shop: Shop, tmp_path: Path) -> None:
    g = goods(shop.ctx)
    numbers = [new_posting(shop, g) for _ in range(3)]
    shop.emu.add_fault(Fault("reset", path="*", times=None))  # the internet is gone
    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    for number in numbers:
        pack(desk, number, g)
    result = shop.engine.run_cycle()
    assert not result.online
    # The app is closed (or the power goes); a new context opens the same folder.
    shop.client.close()
    shop.ctx.close()
    ctx = open_context(str(tmp_path / "data"), clock=shop.emu)
    restarted = connect(shop.emu, ctx)
    try:
        assert len([e for e in open_entries(ctx) if e.action is ActionKind.SHIP]) == 3
        restarted.emu.clear_faults()
        restarted.emu.advance(61)
        restarted.drain()
        for number in numbers:
            assert len(restarted.ships(number)) == 1
            assert restarted.status(number) == PostingStatus.AWAITING_DELIVER.value
            (label,) = jobs_of(ctx, number, DocKind.OZON_LABEL)
            assert label.state is JobState.QUEUED
        (task,) = [e for e in restarted.emu.log if e["method"] == "/v3/posting/fbs/package-label/create"]
        assert sorted(task["posting_numbers"]) == sorted(numbers)  # one label task for the three
    finally:
        restarted.client.close()
        ctx.close()


def test_a_multibox_posting_packed_by_its_item_keeps_ozons_box_count(shop: Shop) -> None:
    """The shelf in several boxes, packed as the screen does it (the posting, its item, done): it
    leaves in the boxes Ozon counts; Packdesk does not tell Ozon one box."""
    sku = shop.emu.skus_requiring("multibox")[0]
    (number,) = shop.emu.create_postings(1, products=[(sku, 1)])
    shop.emu.advance(5)
    shop.sync()
    with shop.ctx.db.read() as s:
        ean = product_repo.get(s, sku).barcodes[0]  # type: ignore[union-attr]
        ozon_boxes = posting_repo.get(s, number).posting.multi_box_qty  # type: ignore[union-attr]
    assert ozon_boxes > 1
    desk = PackStation(shop.ctx.db, shop.ctx.clock, bus=shop.ctx.bus, user="packer")
    assert desk.scan(number).kind is Kind.POSTING_OPENED
    counted = desk.scan(ean)
    assert counted.view is not None and counted.view.ready and counted.view.box_count == ozon_boxes
    done = desk.complete()
    assert done.kind is Kind.COMPLETED and done.packed is not None and done.packed.box_count == ozon_boxes
    shop.drain()
    told = [e["request"]["multi_box_qty"] for e in shop.emu.log if "multiboxqty" in e["method"]]
    assert told == [ozon_boxes]  # set before the ship, as Ozon requires: its own count
    assert shop.status(number) == PostingStatus.AWAITING_DELIVER.value
