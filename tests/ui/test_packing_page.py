"""The pack station screen, driven like a USB scanner does: keystrokes into the scan field + Enter."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app import outbox
from app.context import AppContext
from app.domain.postings import Posting, PostingItem, PostingStatus
from app.domain.products import Product
from app.outbox import ActionKind, OutboxState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from tests.ui.factories import NOW, cell, make_posting, save
from tests.ui.fakes import FakePrinter, FakeSounds, FakeSync
from ui.bridge import EventBridge
from ui.packing.dialogs import OverrideDialog
from ui.packing.page import PackingPage
from ui.packing.ports import OnlinePorts
from ui.tasks import TaskManager

MUG, PEN, ALIEN = "4600000000017", "OZN123456789", "4600000000031"
FBS = "40000001-0001-1"
NEXT = "40000002-0001-1"
GONE = "40000003-0001-1"


class Ozon:
    """What the status re-check answers: the cached posting, or its cancelled copy; can be held."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.cancelled: set[str] = set()
        self.asked: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def check(self, posting_number: str) -> Posting | None:
        number = posting_number
        self.asked.append(number)
        self.gate.wait(10)
        with self.ctx.db.read() as s:
            cached = posting_repo.get(s, number)
        if cached is None:
            return None
        if number in self.cancelled:
            gone = PostingStatus.CANCELLED
            return dataclasses.replace(cached.posting, status=gone, cancel_reason="Покупатель отменил")
        return cached.posting


def items(*pairs: tuple[int, int]) -> tuple[PostingItem, ...]:
    names = {1001: "Кружка керамическая 350 мл, белая", 1002: "Ручка шариковая синяя"}
    return tuple(PostingItem(sku, f"PD-{sku}", names[sku], qty, Decimal("499.00")) for sku, qty in pairs)


def fill(ctx: AppContext) -> None:
    save(
        ctx,
        [
            make_posting(1, products=items((1001, 1), (1002, 2)), lower_barcode="12345678901234"),
            make_posting(2, products=items((1001, 1))),
            make_posting(3, status=PostingStatus.CANCELLED, cancel_reason="Покупатель отменил заказ"),
        ],
    )
    with ctx.db.write() as s:
        product_repo.save(
            s,
            [
                Product(1001, 1, "PD-1001", "Кружка керамическая 350 мл, белая", (MUG,)),
                Product(1002, 2, "PD-1002", "Ручка шариковая синяя", (PEN,)),
                Product(1003, 3, "PD-1003", "Чужой товар", (ALIEN,)),
            ],
            NOW,
        )


@dataclasses.dataclass
class Desk:
    page: PackingPage
    sounds: FakeSounds
    printer: FakePrinter
    sync: FakeSync
    ozon: Ozon
    tasks: TaskManager


@pytest.fixture
def desk(ctx: AppContext, qtbot: QtBot) -> Iterator[Desk]:
    fill(ctx)
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    sounds, printer, sync, ozon = FakeSounds(), FakePrinter(), FakeSync(), Ozon(ctx)
    page = PackingPage(
        ctx, tasks, bridge, sync=sync, ports=OnlinePorts(check=ozon.check), printer=printer, sounds=sounds, user="anna"
    )
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, tasks)
    yield Desk(page, sounds, printer, sync, ozon, tasks)
    ozon.gate.set()
    bridge.close()
    tasks.shutdown()


def settle(qtbot: QtBot, tasks: TaskManager) -> None:
    qtbot.waitUntil(lambda: not tasks.busy())


def scan(qtbot: QtBot, d: Desk, code: str) -> None:
    """As a scanner in keyboard mode types it: GS (inside marking codes) as Ctrl+], then Enter."""
    for i, part in enumerate(code.split("\x1d")):
        if i:
            qtbot.keyClick(d.page.scan, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(d.page.scan, part)
    qtbot.keyClick(d.page.scan, Qt.Key.Key_Return)
    settle(qtbot, d.tasks)


def text(d: Desk, name: str) -> str:
    return d.page.labels[name].text()


def ship_actions(ctx: AppContext, number: str) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return [e for e in outbox.entries(s, target_id=number) if e.action is ActionKind.SHIP]


def test_scanning_a_posting_shows_its_items_large(desk: Desk, qtbot: QtBot) -> None:
    page = desk.page
    assert page.scan.hasFocus()
    assert "Scan a posting label" in text(desk, "scanBanner")
    scan(qtbot, desk, "12345678901234")  # the label's lower barcode
    assert text(desk, "postingNumber") == FBS
    assert text(desk, "packProgress") == "0 / 3"
    assert page.items.rowCount() == 2
    assert cell(page.items, 0, 0).text() == "Кружка керамическая 350 мл, белая"
    assert cell(page.items, 1, page.items.COUNT).text() == "0 / 2"
    assert cell(page.items, 0, page.items.COUNT).font().pointSizeF() >= 28
    assert page.items.isColumnHidden(page.items.NEEDS)  # nothing Ozon requires of these items
    assert page.banner_tone() == "good" and "#2e7d32" in page.banner.styleSheet()
    assert desk.sounds.played == ["good"]
    assert desk.ozon.asked == [FBS]  # the status re-check at scan start
    assert page.scan.text() == "" and page.scan.hasFocus()


def test_good_and_wrong_scans_are_green_and_red(desk: Desk, qtbot: QtBot) -> None:
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, PEN)
    assert page.banner_tone() == "good" and "Ручка шариковая синяя" in text(desk, "scanBanner")
    assert text(desk, "packProgress") == "1 / 3"
    scan(qtbot, desk, ALIEN)
    assert page.banner_tone() == "bad" and "#c62828" in page.banner.styleSheet()
    assert "WRONG ITEM" in text(desk, "scanBanner") and "Чужой товар" in text(desk, "scanBanner")
    scan(qtbot, desk, MUG)
    scan(qtbot, desk, MUG)
    assert page.banner_tone() == "bad" and "EXTRA UNIT" in text(desk, "scanBanner")
    scan(qtbot, desk, "what-is-this")
    assert "UNKNOWN CODE what-is-this" in text(desk, "scanBanner")
    assert text(desk, "packProgress") == "2 / 3"  # refused scans did not count
    assert desk.sounds.played == ["good", "good", "bad", "good", "bad", "bad"]


def test_the_last_unit_completes_ships_and_frees_the_desk(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    page = desk.page
    for code in (FBS, MUG, PEN, PEN):
        scan(qtbot, desk, code)
    assert "Packed" in text(desk, "postingNumber") and FBS in text(desk, "postingNumber")
    assert "Packed" in text(desk, "scanBanner") and "waits for Ozon" in text(desk, "scanBanner")
    assert page.view is None and desk.ozon.asked == [FBS, FBS]  # at scan start and before completing
    (ship,) = ship_actions(ctx, FBS)
    assert ship.state is OutboxState.PENDING and ship.payload == {"packages": [[[1001, 1], [1002, 2]]]}
    assert desk.sync.calls == ["sync_now"] and desk.printer.calls == ["kick"]
    qtbot.waitUntil(lambda: page.print_panel.list.count() == 1)
    assert "waits for Ozon" in page.print_panel.list.item(0).text()
    scan(qtbot, desk, NEXT)
    assert text(desk, "postingNumber") == NEXT


def test_a_cancelled_posting_covers_the_screen_until_acknowledged(desk: Desk, qtbot: QtBot) -> None:
    page = desk.page
    scan(qtbot, desk, GONE)
    assert page.overlay.isVisible() and page.overlay.geometry() == page.rect()
    assert "DO NOT SHIP" in page.overlay.headline.text() and GONE in page.overlay.posting.text()
    assert page.overlay.reason.text() == "Покупатель отменил заказ"
    assert desk.sounds.played[-1] == "stop"
    qtbot.keyClick(page.scan, Qt.Key.Key_Escape)  # Esc does not lift a STOP
    scan(qtbot, desk, FBS)
    assert page.overlay.isVisible() and "STOP" in text(desk, "scanBanner")
    assert page.scan.hasFocus()  # the scanner still reaches the field under the overlay
    button = page.overlay.findChild(QPushButton, "stopAcknowledge")
    assert button is not None and button.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk.tasks)
    assert not page.overlay.isVisible() and "acknowledged" in text(desk, "scanBanner")
    scan(qtbot, desk, FBS)
    assert text(desk, "postingNumber") == FBS


def test_cancelled_between_two_scans_stops_at_completion_and_nothing_ships(
    desk: Desk, qtbot: QtBot, ctx: AppContext
) -> None:
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, MUG)
    desk.ozon.cancelled.add(FBS)  # the buyer cancels now
    scan(qtbot, desk, PEN)
    scan(qtbot, desk, PEN)
    qtbot.waitUntil(page.overlay.isVisible)
    assert "Кружка" in page.overlay.goods.text()  # what goes back on the shelf
    assert ship_actions(ctx, FBS) == []
    scan(qtbot, desk, "PD:ACK")
    assert not page.overlay.isVisible()


def test_scans_during_the_final_check_are_held_and_replayed_in_order(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    page = desk.page
    for code in (FBS, MUG, PEN):
        scan(qtbot, desk, code)
    desk.ozon.gate.clear()  # Ozon is slow to answer
    qtbot.keyClicks(page.scan, PEN)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page._completing)
    qtbot.waitUntil(lambda: "Checking the posting with Ozon" in page.pending.text())
    qtbot.keyClicks(page.scan, NEXT)  # the next posting's label, while the first completes
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    assert "1 scan" in page.pending.text() and page.view is not None and page.view.posting_number == FBS
    desk.ozon.gate.set()
    qtbot.waitUntil(lambda: page.view is not None and page.view.posting_number == NEXT)
    settle(qtbot, desk.tasks)
    assert len(ship_actions(ctx, FBS)) == 1 and page.pending.text() == ""


def test_keys_new_box_override_abort_and_print_all(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, MUG)
    qtbot.keyClick(page.scan, Qt.Key.Key_F2)
    settle(qtbot, desk.tasks)
    assert "Box 2" in text(desk, "scanBanner") and text(desk, "packBox") == "Filling box 2"
    scan(qtbot, desk, PEN)
    qtbot.keyClick(page.scan, Qt.Key.Key_F8)
    dialog = page.findChild(OverrideDialog, "overrideDialog")
    assert dialog is not None and dialog.isVisible()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is required
    dialog.reason.setCurrentIndex(1)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ship_actions(ctx, FBS)))
    settle(qtbot, desk.tasks)
    (ship,) = ship_actions(ctx, FBS)
    assert ship.payload == {"packages": [[[1001, 1]], [[1002, 2]]]}
    assert "Packed" in text(desk, "scanBanner")

    page.activateWindow()  # a window manager does this when the dialog closes; offscreen does not
    qtbot.waitUntil(lambda: page.scan.hasFocus())
    scan(qtbot, desk, NEXT)
    qtbot.keyClick(page.scan, Qt.Key.Key_Escape)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    settle(qtbot, desk.tasks)
    assert page.view is None and "put aside" in text(desk, "scanBanner")

    page.activateWindow()
    qtbot.waitUntil(lambda: page.scan.hasFocus())
    qtbot.keyClick(page.scan, Qt.Key.Key_F9)
    settle(qtbot, desk.tasks)
    assert desk.printer.calls[-1] == "print_all"
    scan(qtbot, desk, "PD:SHIPALL")
    settle(qtbot, desk.tasks)
    assert desk.printer.calls[-1] == "print_all" and desk.sync.calls[-1] == "sync_now"


def test_a_restarted_page_resumes_the_posting_on_the_desk(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, PEN)
    again = PackingPage(ctx, desk.tasks, EventBridge(ctx.bus), sounds=FakeSounds())
    qtbot.addWidget(again)
    settle(qtbot, desk.tasks)
    assert again.view is not None and again.view.posting_number == FBS and again.view.scanned == 1
    assert "Resumed" in again.banner.text()


def test_buyer_text_is_plain(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    hostile = make_posting(9, status=PostingStatus.CANCELLED, cancel_reason="<img src=file:///etc/passwd><b>x</b>")
    save(ctx, [hostile])
    scan(qtbot, desk, hostile.posting_number)
    assert desk.page.overlay.reason.textFormat() == Qt.TextFormat.PlainText
    assert desk.page.overlay.reason.text() == "<img src=file:///etc/passwd><b>x</b>"


def test_the_command_sheet_button_queues_the_sheet_for_the_label_printer(
    desk: Desk, qtbot: QtBot, ctx: AppContext
) -> None:
    from app import print_queue
    from app.print_queue import DocKind, JobState

    button = desk.page.print_panel.command_sheet
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk.tasks)
    with ctx.db.read() as s:
        jobs = print_queue.jobs(s, (JobState.QUEUED,))
    assert [j.kind for j in jobs] == [DocKind.COMMANDS]
    assert jobs[0].user == "anna"
    assert desk.printer.calls[-1] == "print_all"
    assert desk.page.scan.hasFocus()  # the button never takes the scanner's focus


def test_f8_by_mistake_then_a_scan_does_not_complete(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    """The scanner's code lands in the reason box and its Enter must not accept; a scan is no reason."""
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, MUG)
    qtbot.keyClick(page.scan, Qt.Key.Key_F8)
    dialog = page.findChild(OverrideDialog, "overrideDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, PEN)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    settle(qtbot, desk.tasks)
    assert dialog.isVisible() and ship_actions(ctx, FBS) == []
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not any(b.isDefault() or b.autoDefault() for b in dialog.findChildren(QPushButton))
    for code in (PEN, "PD:NEXT", "12345678901234", FBS, "4600000000099"):  # known item, command, label, digits
        dialog.reason.setCurrentText(code)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        settle(qtbot, desk.tasks)
        assert dialog.isVisible() and dialog.hint.isVisible(), code
        assert ship_actions(ctx, FBS) == []
    dialog.reason.setCurrentText("Barcode torn off")
    assert not dialog.hint.isVisible()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ship_actions(ctx, FBS)))
    settle(qtbot, desk.tasks)
    assert "Packed" in text(desk, "scanBanner")


@pytest.mark.parametrize("how", ["F9", "button", "PD:SHIPALL"])
def test_a_failed_label_is_printed_again(desk: Desk, qtbot: QtBot, ctx: AppContext, how: str) -> None:
    """The printer was off: F9 / the button / SHIP ALL put the failed job back in the queue, then print."""
    from app import print_queue
    from app.print_queue import DocKind, JobState

    page = desk.page
    with ctx.db.write() as s:
        job = print_queue.enqueue(s, DocKind.OWN_LABEL, (FBS,), NOW)
        print_queue.mark_failed(s, job.key, NOW, "printer off")
    page.print_panel.refresh()
    settle(qtbot, desk.tasks)
    assert page.print_panel.print_all.isEnabled()  # only a failed job: still something to print
    desk.printer.calls.clear()
    if how == "F9":
        qtbot.keyClick(page.scan, Qt.Key.Key_F9)
    elif how == "button":
        qtbot.mouseClick(page.print_panel.print_all, Qt.MouseButton.LeftButton)
    else:
        scan(qtbot, desk, how)
    settle(qtbot, desk.tasks)
    with ctx.db.read() as s:
        (again,) = print_queue.jobs(s, (JobState.QUEUED, JobState.FAILED))
    assert again.state is JobState.QUEUED
    assert desk.printer.calls == ["print_all"]  # after the retry, so the spooler finds the job


def test_next_goes_through_the_ozon_recheck(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    """PD:NEXT right behind the last unit: completing still asks Ozon, and a cancellation STOPs."""
    page = desk.page
    scan(qtbot, desk, FBS)
    for code in (MUG, PEN):
        scan(qtbot, desk, code)
    desk.ozon.cancelled.add(FBS)  # cancelled at Ozon after the first-scan re-check
    for code in (PEN, "PD:NEXT"):  # both reach the database worker before the GUI reacts
        qtbot.keyClicks(page.scan, code)
        qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(page.overlay.isVisible)
    settle(qtbot, desk.tasks)
    assert desk.ozon.asked == [FBS, FBS] and ship_actions(ctx, FBS) == []


def test_next_alone_completes_after_the_recheck(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, "PD:NEXT")
    assert "still to scan" in text(desk, "scanBanner") and desk.ozon.asked == [FBS]
    desk.ozon.cancelled.add(FBS)
    for code in (MUG, PEN, PEN):
        scan(qtbot, desk, code)
    qtbot.waitUntil(page.overlay.isVisible)
    assert ship_actions(ctx, FBS) == []


def _restart(desk: Desk, qtbot: QtBot, ctx: AppContext) -> PackingPage:
    page = PackingPage(
        ctx, desk.tasks, EventBridge(ctx.bus), ports=OnlinePorts(check=desk.ozon.check), sounds=FakeSounds()
    )
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, desk.tasks)
    return page


def test_resumed_after_the_last_scan_rechecks_before_shipping(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    """A power cut after the last unit, before the completion: on restart Ozon is asked first."""
    for code in (FBS, MUG, PEN, PEN):
        desk.page.station.scan(code)  # the completion never ran
    desk.ozon.cancelled.add(FBS)
    desk.ozon.asked.clear()
    again = _restart(desk, qtbot, ctx)
    qtbot.waitUntil(again.overlay.isVisible)
    assert desk.ozon.asked == [FBS] and ship_actions(ctx, FBS) == []


def test_resumed_completes_when_every_unit_is_scanned(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    for code in (FBS, MUG, PEN, PEN):
        desk.page.station.scan(code)
    again = _restart(desk, qtbot, ctx)
    qtbot.waitUntil(lambda: bool(ship_actions(ctx, FBS)))
    settle(qtbot, desk.tasks)
    assert again.view is None


def test_resumed_partly_scanned_is_rechecked(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    desk.page.station.scan(FBS)
    desk.page.station.scan(MUG)
    desk.ozon.cancelled.add(FBS)
    desk.ozon.asked.clear()
    again = _restart(desk, qtbot, ctx)
    qtbot.waitUntil(again.overlay.isVisible)
    assert desk.ozon.asked == [FBS]


def test_a_late_cancellation_after_the_deadline_still_stops(
    desk: Desk, qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.packing import page as page_module

    monkeypatch.setattr(page_module, "CHECK_DEADLINE_MS", 100)
    page = desk.page
    for code in (FBS, MUG, PEN):
        scan(qtbot, desk, code)
    desk.ozon.gate.clear()  # Ozon does not answer in time: the desk goes on from the cache
    desk.ozon.cancelled.add(FBS)
    qtbot.keyClicks(page.scan, PEN)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(ship_actions(ctx, FBS)))
    qtbot.waitUntil(lambda: page.view is None and not page._completing)
    desk.ozon.gate.set()  # the late answer: cancelled
    qtbot.waitUntil(page.overlay.isVisible)
    settle(qtbot, desk.tasks)


def test_a_refusal_is_shown_in_the_ui_language(desk: Desk, qtbot: QtBot) -> None:
    """The banner shows ui/errors.py's translated sentence, not the core's English message."""
    page = desk.page
    scan(qtbot, desk, FBS)
    station = page.station
    page._submit(lambda: station.complete_with_override("   "))
    settle(qtbot, desk.tasks)
    assert text(desk, "scanBanner") == "✗ Give a reason to complete without scanning every unit."


def test_marking_codes_are_asked_for_and_refusals_said_in_words(desk: Desk, ctx: AppContext, qtbot: QtBot) -> None:
    from app.domain.postings import Requirement, Requirements
    from tests.app.marks import mark

    shoes_ean = "4607123456781"
    marked = dataclasses.replace(
        make_posting(7, products=(PostingItem(3001, "SH-42", "Кроссовки беговые, 42", 1, Decimal("4590.00")),)),
        requirements=Requirements({Requirement.MANDATORY_MARK: frozenset({3001})}),
    )
    other = dataclasses.replace(marked, posting_number="40000008-0001-1", order_number="40000008-0001")
    save(ctx, [marked, other])
    with ctx.db.write() as s:
        product_repo.save(s, [Product(3001, 31, "SH-42", "Кроссовки беговые, 42", (shoes_ean,))], NOW)
    page = desk.page

    def banner() -> str:
        return page.banner.text()

    scan(qtbot, desk, other.posting_number)
    code = mark(shoes_ean, seed=5)
    scan(qtbot, desk, code)
    qtbot.waitUntil(lambda: "Packed" in banner())  # the code alone counted the pair; complete
    scan(qtbot, desk, marked.posting_number)
    scan(qtbot, desk, shoes_ean)
    assert "now scan its Честный ЗНАК code" in banner() and page.banner_tone() == "good"
    assert page.view is not None and not page.view.ready and "Codes 0/1" in cell(page.items, 0, page.items.NEEDS).text()
    scan(qtbot, desk, "PD:NEXT")
    assert "still need their Честный ЗНАК code" in banner() and page.banner_tone() == "bad"
    scan(qtbot, desk, code.replace("\x1d", ""))  # the same pair's code again (here without separators)
    assert f"already in posting {other.posting_number}" in banner() and page.banner_tone() == "bad"
    scan(qtbot, desk, mark("4600000000015", seed=1))
    assert "product the shop does not sell" in banner()
    scan(qtbot, desk, code.split("\x1d")[0])
    assert "CODE NOT ACCEPTED" in banner() and "crypto tail" in banner()
    assert desk.sounds.played.count("bad") >= 4
    assert ship_actions(ctx, marked.posting_number) == []  # nothing leaves without its code


def test_the_customs_dialog_takes_no_scan_for_an_answer(desk: Desk, ctx: AppContext, qtbot: QtBot) -> None:
    from app.db.desk_tables import SkuCustomsRow
    from app.domain.postings import Requirement, Requirements
    from ui.packing.dialogs import CustomsDialog

    ean = "4607123456781"
    posting = dataclasses.replace(
        make_posting(9, products=(PostingItem(3001, "TEA-1", "Чай улун, 250 г", 2, Decimal("990.00")),)),
        requirements=Requirements({Requirement.GTD: frozenset({3001})}),
    )
    save(ctx, [posting])
    with ctx.db.write() as s:
        product_repo.save(s, [Product(3001, 31, "TEA-1", "Чай улун, 250 г", (ean,))], NOW)
        s.add(SkuCustomsRow(sku=3001, gtd="", is_absent=True, updated_at=NOW))  # last time: "no ГТД"
    page = desk.page

    def dialogs() -> list[CustomsDialog]:
        return [d for d in page.findChildren(CustomsDialog) if d.isVisible()]

    scan(qtbot, desk, posting.posting_number)
    scan(qtbot, desk, ean)
    page.ask_customs(3001, "Чай улун, 250 г")  # asked again while the first is being looked up
    qtbot.waitUntil(lambda: len(dialogs()) == 1)
    settle(qtbot, desk.tasks)
    (dialog,) = dialogs()
    assert dialog.last_time.isVisible() and dialog.number.text() == ""  # offered, never pre-chosen
    # The packer scans the second unit while the dialog is open: the EAN lands in the number field.
    qtbot.keyClicks(dialog.number, ean)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.isVisible() and "scanned code" in dialog.hint.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter elsewhere accepts nothing either
    assert dialog.isVisible()
    dialog.reject()  # no paper at hand: cancelled
    qtbot.waitUntil(lambda: not dialogs())
    scan(qtbot, desk, ean)  # the second unit: the number is still missing, so it is asked again
    qtbot.waitUntil(lambda: len(dialogs()) == 1)
    (dialog,) = dialogs()
    qtbot.mouseClick(dialog.absent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.view is None)  # "no ГТД" was the last thing missing: packed
    (ship,) = ship_actions(ctx, posting.posting_number)
    assert [u["gtd_absent"] for u in ship.payload["exemplars"]["3001"]] == [True, True]
    assert "Packed" in page.banner.text()


def test_the_customs_number_is_asked_again_when_the_last_unit_is_another_product(
    desk: Desk, ctx: AppContext, qtbot: QtBot
) -> None:
    from app.domain.postings import Requirement, Requirements
    from ui.packing.dialogs import CustomsDialog

    tea, pen = ("4607123456781", 3001), ("4600000000015", 3002)
    posting = dataclasses.replace(
        make_posting(
            10,
            products=(
                PostingItem(tea[1], "TEA-1", "Чай улун, 250 г", 1, Decimal("990.00")),
                PostingItem(pen[1], "PEN-1", "Ручка гелевая", 1, Decimal("50.00")),
            ),
        ),
        requirements=Requirements({Requirement.GTD: frozenset({tea[1]})}),
    )
    save(ctx, [posting])
    with ctx.db.write() as s:
        product_repo.save(
            s,
            [
                Product(tea[1], 31, "TEA-1", "Чай улун, 250 г", (tea[0],)),
                Product(pen[1], 32, "PEN-1", "Ручка", (pen[0],)),
            ],
            NOW,
        )
    page = desk.page

    def dialogs() -> list[CustomsDialog]:
        return [d for d in page.findChildren(CustomsDialog) if d.isVisible()]

    scan(qtbot, desk, posting.posting_number)
    scan(qtbot, desk, tea[0])
    qtbot.waitUntil(lambda: len(dialogs()) == 1)
    dialogs()[0].reject()
    qtbot.waitUntil(lambda: not dialogs())
    scan(qtbot, desk, pen[0])  # every unit is on the desk; the tea's number is still missing
    qtbot.waitUntil(lambda: len(dialogs()) == 1)
    assert page.view is not None and page.view.complete and not page.view.ready


def test_rescanning_a_packed_posting_says_so_and_reprint_prints_it(desk: Desk, qtbot: QtBot) -> None:
    """Issue 9: not "cannot be packed: Awaiting shipment" but "already packed — scan REPRINT"."""
    for code in (FBS, MUG, PEN, PEN):
        scan(qtbot, desk, code)
    scan(qtbot, desk, NEXT)
    scan(qtbot, desk, MUG)  # NEXT packed too: REPRINT would print NEXT's label
    scan(qtbot, desk, FBS)
    banner = text(desk, "scanBanner")
    assert "already packed" in banner and "REPRINT" in banner and FBS in banner
    assert desk.page.banner_tone() == "info" and desk.sounds.played[-1:] != ["bad"]
    scan(qtbot, desk, "PD:REPRINT")
    assert FBS in text(desk, "scanBanner")  # the label of the posting just scanned


def test_f8_shows_what_was_skipped(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    """Issue 9: completed with F8 after 1 of 3 units, the packed view reads 1 / 3 and says 2 were
    not scanned, instead of a green 3 / 3."""
    page = desk.page
    scan(qtbot, desk, FBS)
    scan(qtbot, desk, MUG)
    qtbot.keyClick(page.scan, Qt.Key.Key_F8)
    dialog = page.findChild(OverrideDialog, "overrideDialog")
    assert dialog is not None
    dialog.reason.setCurrentIndex(1)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ship_actions(ctx, FBS)))
    settle(qtbot, desk.tasks)
    assert "Packed" in text(desk, "postingNumber")
    assert text(desk, "packProgress") == "1 / 3" and "2e7d32" not in page.progress.styleSheet()
    assert "2 unit(s) not scanned" in text(desk, "packBox")
    assert "not scanned" in text(desk, "scanBanner")
    assert cell(page.items, 1, page.items.COUNT).text() == "0 / 2"
    (ship,) = ship_actions(ctx, FBS)
    assert ship.payload == {"packages": [[[1001, 1], [1002, 2]]]}  # Ozon still gets every unit


def test_an_overdue_posting_is_flagged(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    from datetime import timedelta

    late = make_posting(9, products=items((1001, 1)), ship_in=timedelta(hours=-5))
    save(ctx, [late])
    scan(qtbot, desk, late.posting_number)
    assert "OVERDUE" in text(desk, "postingMeta") and desk.page.meta.property("overdue")
    scan(qtbot, desk, "PD:ABORT")
    scan(qtbot, desk, FBS)  # ships in 2 days
    assert "OVERDUE" not in text(desk, "postingMeta") and not desk.page.meta.property("overdue")


def test_f9_with_nothing_ready_says_so(desk: Desk, qtbot: QtBot) -> None:
    page = desk.page
    qtbot.keyClick(page.scan, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: text(desk, "scanBanner") == "Nothing ready to print")
    for code in (FBS, MUG, PEN, PEN):  # packed: its label waits for Ozon
        scan(qtbot, desk, code)
    qtbot.keyClick(page.scan, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: "Nothing ready to print: 1 label(s) still wait for Ozon" in text(desk, "scanBanner"))
    assert desk.printer.calls[-1] == "print_all"  # the spooler is asked anyway


def test_a_posting_left_at_another_desk_is_taken_over_on_yes(desk: Desk, qtbot: QtBot, ctx: AppContext) -> None:
    from app.events import EventBus
    from app.workflows.packing import claims
    from app.workflows.packing.station import PackStation

    other = PackStation(ctx.db, ctx.clock, bus=EventBus(), user="Ли Вэй", desk="Стол 1")
    other.scan(FBS)
    other.scan(PEN)
    page = desk.page
    scan(qtbot, desk, FBS)  # a scan there just now: refused, with who has it
    assert page.banner_tone() == "bad" and "Стол 1" in text(desk, "scanBanner") and "Ли Вэй" in text(desk, "scanBanner")
    assert page.view is None
    ctx.clock.moment += claims.STALE_AFTER  # type: ignore[attr-defined]  # the FixedClock of the GUI tests
    scan(qtbot, desk, FBS)
    box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "takeOverBox" and w.isVisible())
    assert isinstance(box, QMessageBox) and "Стол 1" in box.text() and box.textFormat() is Qt.TextFormat.PlainText
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    settle(qtbot, desk.tasks)
    assert page.view is not None and page.view.posting_number == FBS
    assert text(desk, "packProgress") == "1 / 3"  # the pen scanned at the other desk counts here
