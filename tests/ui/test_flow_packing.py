"""The whole desk through the GUI, on the emulator: confirm → scan (with a wrong item and an extra
unit) → complete → one ship call with the right packages → the label prints on a capture printer
once Ozon has it → handover act → rFBS delivered. The buyer cancelling mid-pack stops the desk; three
postings packed offline survive a restart and each ships once.

The sync engine is run by the test (no background thread), so every step is deterministic; the
window talks to the emulator through the same client for its status re-checks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app import print_queue
from app.context import AppContext, open_context
from app.events import EventBus
from app.print_queue import DocKind, JobState, PrintJob
from app.workflows import confirm
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests.app.test_packing_flow import SHIP, Goods, goods, open_entries
from tests.sync.conftest import adapter_client
from tests.ui.fakes import FakeSounds
from ui.main_window import MainWindow
from ui.packing.page import PackingPage


@dataclass
class EngineSync:
    """A SyncControl whose cycles the test runs; the window finds the Ozon client behind it."""

    engine: SyncEngine
    calls: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")

    def sync_now(self, retry_paused: bool = False) -> None:
        self.calls.append("sync_now")


class CapturePrinter:
    """Stands in for the print spooler: prints (records) every queued job, oldest first."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.printed: list[PrintJob] = []

    def kick(self) -> None:
        self.print_all()

    def print_all(self) -> None:
        now = self.ctx.clock.now()
        with self.ctx.db.write() as s:
            while (job := print_queue.next_queued(s)) is not None:
                print_queue.mark_done(s, job.key, now)
                self.printed.append(job)


@dataclass
class Desk:
    emu: Emulator
    ctx: AppContext
    engine: SyncEngine
    window: MainWindow
    printer: CapturePrinter
    qtbot: QtBot

    @property
    def page(self) -> PackingPage:
        return self.window.packing

    def idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.window.tasks.busy() and not self.page._completing)

    def scan(self, code: str) -> None:
        self.qtbot.keyClicks(self.page.scan, code)
        self.qtbot.keyClick(self.page.scan, Qt.Key.Key_Return)
        self.idle()

    def cycle(self, advance: float = 0) -> None:
        if advance:
            self.emu.advance(advance)
        self.engine.run_cycle()
        self.idle()  # the window handles what the cycle published

    def drain(self, step: float = 30) -> None:
        for _ in range(30):
            self.cycle()
            if not open_entries(self.ctx):
                return
            self.emu.advance(step)
        raise AssertionError(f"outbox did not drain: {open_entries(self.ctx)}")

    def new_posting(self, g: Goods, rfbs: bool = False, status: str = "awaiting_packaging") -> str:
        (number,) = self.emu.create_postings(1, status=status, rfbs=rfbs, products=[(g.a[0], 2), (g.b[0], 1)])
        self.cycle(advance=5)
        return number

    def ships(self, number: str) -> list[dict[str, object]]:
        return [e for e in self.emu.log if e["method"] == SHIP and e.get("posting_number") == number]

    def printed(self, kind: DocKind) -> list[PrintJob]:
        return [j for j in self.printer.printed if j.kind is kind]


def open_desk(emu: Emulator, data: Path, qtbot: QtBot) -> Desk:
    ctx = open_context(str(data), clock=emu)
    engine = SyncEngine(ctx.db, adapter_client(emu), ctx.bus, emu, ctx.paths.labels, rng=random.Random(2))
    window = MainWindow(ctx, EngineSync(engine), demo=True)
    qtbot.addWidget(window)
    printer = CapturePrinter(ctx)
    window.packing.printer = printer
    window.packing.sounds = FakeSounds()
    window.handover.printer = printer
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("packing")
    desk = Desk(emu, ctx, engine, window, printer, qtbot)
    desk.idle()
    return desk


def close_desk(desk: Desk) -> None:
    desk.window.close()
    desk.window.tasks.shutdown(wait=True)
    desk.engine.client.close()
    desk.ctx.close()


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=4, postings=40, client_id="123456", api_key="test-key", speed=0.0, live=False)


@pytest.fixture
def desk(emu: Emulator, tmp_path: Path, qtbot: QtBot) -> Iterator[Desk]:
    opened = open_desk(emu, tmp_path / "data", qtbot)
    opened.cycle()
    yield opened
    close_desk(opened)


def select_rows(desk: Desk, numbers: list[str]) -> None:
    page = desk.window.handover
    selection = page.view.selectionModel()
    selection.clearSelection()
    for number in numbers:
        row = page.model.row_of(number)
        assert row is not None, number
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(page.model.index(row, 0), flags)


def choose_group(desk: Desk, method_id: int, rfbs: bool) -> None:
    page = desk.window.handover
    desk.qtbot.waitUntil(lambda: any(g.delivery_method_id == method_id and g.is_rfbs == rfbs for g in page.groups))
    row = next(i for i, g in enumerate(page.groups) if g.delivery_method_id == method_id and g.is_rfbs == rfbs)
    page.methods.setCurrentRow(row)


def test_fbs_from_confirm_to_the_handover_act(desk: Desk) -> None:
    g = goods(desk.ctx)
    number = desk.new_posting(g)
    assert confirm.confirm(desk.ctx.db, desk.ctx.clock, [number], bus=EventBus()).taken == (number,)

    page = desk.page
    desk.scan(number)
    assert page.view is not None and page.view.posting_number == number and page.banner_tone() == "good"
    desk.scan(g.a[1])
    desk.scan(g.stranger[1])
    assert page.banner_tone() == "bad" and "WRONG ITEM" in page.banner.text()
    desk.scan(g.b[1])
    desk.scan(g.b[1])
    assert page.banner_tone() == "bad" and "EXTRA UNIT" in page.banner.text()
    desk.scan(g.a[1])  # the last unit: re-checked with the emulator, then completed
    assert page.view is None and "Packed" in page.banner.text()
    assert desk.ships(number) == []  # queued, not yet sent

    desk.cycle()
    (call,) = desk.ships(number)
    assert call["request"]["packages"] == [
        {"products": [{"product_id": g.a[0], "quantity": 2}, {"product_id": g.b[0], "quantity": 1}]}
    ]
    assert desk.printed(DocKind.OZON_LABEL) == []  # Ozon's label is not ready for ~50 s
    desk.cycle(advance=desk.engine.seconds_until_due() or 0)  # asked for, in a label task
    desk.cycle(advance=6)  # the task is done: downloaded, cached, printed
    desk.qtbot.waitUntil(lambda: len(desk.printed(DocKind.OZON_LABEL)) == 1)
    (label,) = desk.printed(DocKind.OZON_LABEL)
    assert label.posting_numbers == (number,)
    assert len(desk.ships(number)) == 1

    desk.window.show_page("handover")
    method = int(desk.emu.posting(number)["delivery_method_id"])
    choose_group(desk, method, rfbs=False)
    handover = desk.window.handover
    desk.qtbot.waitUntil(handover.carriage.isEnabled)
    desk.qtbot.mouseClick(handover.carriage, Qt.MouseButton.LeftButton)
    desk.qtbot.waitUntil(lambda: "Carriage for" in handover.message.text())
    desk.drain(step=3)
    desk.qtbot.waitUntil(lambda: len(desk.printed(DocKind.ACT)) == 1)
    (act,) = desk.printed(DocKind.ACT)
    assert number in act.posting_numbers
    assert (desk.ctx.paths.labels / f"act-{act.key}.pdf").read_bytes().startswith(b"%PDF")
    assert desk.emu.posting(number)["carriage_id"] is not None


def test_rfbs_from_ozons_approval_to_delivered(desk: Desk) -> None:
    g = goods(desk.ctx)
    number = desk.new_posting(g, rfbs=True, status="awaiting_approve")
    assert confirm.confirm(desk.ctx.db, desk.ctx.clock, [number], bus=EventBus()).refused[0].code == "awaiting_ozon"
    desk.cycle(advance=11 * 60)  # Ozon approves it on its side
    for code in (number, g.a[1], g.b[1], g.a[1]):
        desk.scan(code)
    assert "Packed" in desk.page.banner.text()
    desk.qtbot.waitUntil(lambda: len(desk.printed(DocKind.OWN_LABEL)) == 1)  # our own label, at once

    desk.window.show_page("handover")
    handover = desk.window.handover
    method = int(desk.emu.posting(number)["delivery_method_id"])
    choose_group(desk, method, rfbs=True)
    desk.qtbot.waitUntil(lambda: handover.model.row_of(number) is not None)
    select_rows(desk, [number])
    desk.qtbot.keyClicks(handover.tracking, "RP987654321RU")
    desk.qtbot.keyClick(handover.tracking, Qt.Key.Key_Return)
    desk.qtbot.waitUntil(lambda: "RP987654321RU saved" in handover.message.text())
    for button in (handover.delivering, handover.last_mile, handover.delivered):
        desk.idle()
        desk.qtbot.waitUntil(lambda: handover.model.row_of(number) is not None)
        select_rows(desk, [number])
        desk.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        desk.qtbot.waitUntil(lambda: "1 posting(s) updated" in handover.message.text())
        handover.message.setText("")
    desk.drain()
    state = desk.emu.posting(number)
    assert state["status"] == "delivered" and state["tracking_number"] == "RP987654321RU"


def test_the_buyer_cancels_between_two_scans(desk: Desk) -> None:
    g = goods(desk.ctx)
    number = desk.new_posting(g)
    page = desk.page
    desk.scan(number)
    desk.scan(g.a[1])
    desk.emu.cancel_posting(number)
    desk.scan(g.b[1])
    desk.scan(g.a[1])  # complete → the re-check finds the cancellation
    desk.qtbot.waitUntil(page.overlay.isVisible)
    assert page.overlay.geometry() == desk.window.rect()  # the whole window, not just the page
    assert number in page.overlay.posting.text()
    desk.drain()
    assert desk.ships(number) == []
    assert desk.printed(DocKind.OZON_LABEL) == []
    desk.scan("PD:ACK")
    assert not page.overlay.isVisible()
    shot = Path("/tmp/pd-flow-after-stop.png")
    assert desk.window.grab().save(str(shot))


def test_a_cancellation_pulled_by_sync_stops_the_desk(desk: Desk) -> None:
    g = goods(desk.ctx)
    number = desk.new_posting(g)
    desk.scan(number)
    desk.scan(g.a[1])
    desk.emu.cancel_posting(number)
    desk.cycle(advance=5)  # the pull brings the cancellation; the desk stops without another scan
    desk.qtbot.waitUntil(desk.page.overlay.isVisible)


def test_three_packed_offline_survive_a_restart_and_each_ships_once(
    emu: Emulator, tmp_path: Path, qtbot: QtBot
) -> None:
    first = open_desk(emu, tmp_path / "data", qtbot)
    first.cycle()
    g = goods(first.ctx)
    numbers = [first.new_posting(g) for _ in range(3)]
    emu.add_fault(Fault("reset", path="*", times=None))  # the internet goes away
    for number in numbers:
        for code in (number, g.a[1], g.b[1], g.a[1]):
            first.scan(code)  # the re-check fails fast; the desk goes on from the cache
        assert "Packed" in first.page.banner.text()
    first.cycle()
    assert all(first.ships(n) == [] for n in numbers)
    close_desk(first)  # closing the app (or a power cut) between packing and sending

    again = open_desk(emu, tmp_path / "data", qtbot)
    try:
        emu.clear_faults()
        again.drain()
        for number in numbers:
            assert len(again.ships(number)) == 1
        again.cycle(advance=61)
        again.qtbot.waitUntil(lambda: len(again.printed(DocKind.OZON_LABEL)) == 3)
        printed = [j.posting_numbers[0] for j in again.printed(DocKind.OZON_LABEL)]
        assert printed == numbers  # in packing order
        with again.ctx.db.read() as s:
            assert all(j.state is JobState.DONE for j in print_queue.jobs(s) if j.kind is DocKind.OZON_LABEL)
    finally:
        close_desk(again)
