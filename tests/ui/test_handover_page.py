"""The handover screen: groups by delivery method, carriage and acts, rFBS tracking and steps."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app import outbox, print_queue
from app.context import AppContext
from app.domain.postings import Posting, PostingStatus
from app.outbox import ActionKind
from app.print_queue import DocKind, JobState
from tests.ui.factories import make_posting, save
from tests.ui.test_packing_page import FakePrinter, FakeSync
from ui.bridge import EventBridge
from ui.handover.page import HandoverPage
from ui.tasks import TaskManager


def first_row_state_is(page: HandoverPage, state: str) -> bool:
    return bool(page.model.data(page.model.index(0, page.model.STATE)) == state)


def on(method: int, name: str, p: Posting, rfbs: bool = False) -> Posting:
    return dataclasses.replace(
        p,
        delivery_method_id=method,
        delivery_method_name=name,
        tpl_integration_type="non_integrated" if rfbs else "ozon",
        status=PostingStatus.AWAITING_DELIVER,
    )


FBS = [on(11, "Ozon Логистика, ПВЗ Подольск", make_posting(n)) for n in (1, 2, 3)]
RFBS = [on(31, "Своя доставка, Москва", make_posting(n, city="<b>Тверь</b>"), rfbs=True) for n in (4, 5)]


@dataclasses.dataclass
class Screen:
    page: HandoverPage
    tasks: TaskManager
    printer: FakePrinter
    sync: FakeSync


@pytest.fixture
def screen(ctx: AppContext, qtbot: QtBot) -> Iterator[Screen]:
    save(ctx, [*FBS, *RFBS, make_posting(9)])
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    printer, sync = FakePrinter(), FakeSync()
    page = HandoverPage(ctx, tasks, bridge, sync=sync, printer=printer, user="anna")
    qtbot.addWidget(page)
    page.resize(1150, 600)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: bool(page.groups) and not tasks.busy())
    yield Screen(page, tasks, printer, sync)
    bridge.close()
    tasks.shutdown()


def settle(qtbot: QtBot, s: Screen) -> None:
    qtbot.waitUntil(lambda: not s.tasks.busy())


def select(s: Screen, *rows: int) -> None:
    selection = s.page.view.selectionModel()
    selection.clearSelection()
    for row in rows:
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(s.page.model.index(row, 0), flags)


def actions(ctx: AppContext, kind: ActionKind) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return [e for e in outbox.entries(s) if e.action is kind]


def test_groups_by_delivery_method_and_a_sound_model(screen: Screen, qtmodeltester: object) -> None:
    page = screen.page
    texts = [page.methods.item(i).text() for i in range(page.methods.count())]
    assert texts == ["Ozon Логистика, ПВЗ Подольск\nFBS · 3 ready", "Своя доставка, Москва\nrFBS · 2 posting(s)"]
    assert page.model.rowCount() == 3 and page.title.text() == "Ozon Логистика, ПВЗ Подольск"
    assert page.carriage.isVisible() and page.carriage.isEnabled() and not page.tracking.isVisible()
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]


def test_create_carriage_queues_it_and_the_act(screen: Screen, qtbot: QtBot, ctx: AppContext) -> None:
    page = screen.page
    qtbot.mouseClick(page.carriage, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Carriage for 3 posting(s) queued" in page.message.text())
    settle(qtbot, screen)
    (entry,) = actions(ctx, ActionKind.CREATE_CARRIAGE)
    assert entry.payload["posting_numbers"] == [p.posting_number for p in FBS]
    qtbot.waitUntil(lambda: page.methods.item(0).text().endswith("0 ready"))
    assert not page.carriage.isEnabled()
    assert page.model.data(page.model.index(0, page.model.STATE)) == "In a carriage"
    assert screen.sync.calls == ["sync_now"] and screen.sync.retried_paused == 0  # not the seller's Sync now


def test_own_act_goes_to_the_printer(screen: Screen, qtbot: QtBot, ctx: AppContext) -> None:
    page = screen.page
    select(screen, 0, 2)
    qtbot.mouseClick(page.own_act, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "2 posting(s)" in page.message.text())
    with ctx.db.read() as s:
        (job,) = print_queue.jobs(s)
    assert job.kind is DocKind.ACT and job.state is JobState.QUEUED
    assert job.posting_numbers == (FBS[0].posting_number, FBS[2].posting_number)
    assert "kick" in screen.printer.calls


def test_rfbs_tracking_and_steps_in_order(screen: Screen, qtbot: QtBot, ctx: AppContext) -> None:
    page = screen.page
    page.methods.setCurrentRow(1)
    assert page.tracking.isVisible() and not page.carriage.isVisible()
    assert page.model.data(page.model.index(0, page.model.CITY)) == "<b>Тверь</b>"  # plain text in a cell
    qtbot.keyClicks(page.tracking, "RP000000001RU")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Select exactly one posting" in page.message.text())
    select(screen, 0)
    qtbot.keyClicks(page.tracking, "RP000000001RU")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Tracking number RP000000001RU saved" in page.message.text())
    settle(qtbot, screen)
    qtbot.waitUntil(lambda: "pending sync" in str(page.model.data(page.model.index(0, page.model.TRACKING))))

    select(screen, 0, 1)
    qtbot.mouseClick(page.delivered, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "mark it delivering first" in page.message.text())
    first, second = (p.posting_number for p in RFBS)  # ui/errors.py's sentences (translated), one per posting
    assert page.message.text().splitlines() == [
        f"Posting {number} cannot be marked delivered: mark it delivering first" for number in (first, second)
    ]
    assert "#b71c1c" in page.message.styleSheet()
    steps = ((page.delivering, "Delivering"), (page.last_mile, "Last mile"), (page.delivered, "Delivered"))
    for button, state in steps:
        settle(qtbot, screen)
        select(screen, 0, 1)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "2 posting(s) updated" in page.message.text())
        settle(qtbot, screen)
        if state != "Delivered":  # delivered postings leave the list
            qtbot.waitUntil(functools.partial(first_row_state_is, page, state))
    assert len(actions(ctx, ActionKind.DELIVERED)) == 2 and len(actions(ctx, ActionKind.SET_TRACKING)) == 1
    qtbot.waitUntil(lambda: page.methods.count() == 1)
    target = Path(os.environ.get("PACKDESK_SCREENSHOT_DIR", "/tmp")) / "pd-handover.png"
    page.methods.setCurrentRow(0)
    assert page.grab().save(str(target))


def test_tracking_numbers_go_to_the_field_and_never_overwrite_silently(
    screen: Screen, qtbot: QtBot, ctx: AppContext
) -> None:
    from PySide6.QtWidgets import QApplication

    page = screen.page
    page.methods.setCurrentRow(1)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    first, second = (p.posting_number for p in RFBS)
    rect = page.view.visualRect(page.model.index(0, 0))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the seller clicks a row
    assert page.selected_numbers() == [first]
    focused = QApplication.focusWidget()
    assert focused is page.tracking  # the scanner's keystrokes reach the field, not the table
    qtbot.keyClicks(focused, "RP000000001RU")
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "RP000000001RU saved" in page.message.text())
    qtbot.waitUntil(lambda: page.selected_numbers() == [second])  # on to the next parcel
    settle(qtbot, screen)
    qtbot.keyClicks(page.tracking, "RP000000002RU")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "RP000000002RU saved" in page.message.text())
    settle(qtbot, screen)
    tracking = {e.target_id: e.payload for e in actions(ctx, ActionKind.SET_TRACKING)}
    assert set(tracking) == {first, second}

    select(screen, 0)  # the first parcel again, with another number: a warning, nothing saved
    qtbot.keyClicks(page.tracking, "RP000000003RU")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    settle(qtbot, screen)
    assert "already has the tracking number RP000000001RU" in page.message.text()
    assert "#b71c1c" in page.message.styleSheet()
    assert len(actions(ctx, ActionKind.SET_TRACKING)) == 2
    qtbot.keyClicks(page.tracking, "RP000000003RU")  # the same number again: replace it
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "RP000000003RU saved" in page.message.text())
    settle(qtbot, screen)
    select(screen, 0)  # the same number typed as printed, with spaces: the same number, no warning
    page.message.clear()
    qtbot.keyClicks(page.tracking, "RP 000 000 003 RU")
    qtbot.keyClick(page.tracking, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "RP000000003RU saved" in page.message.text())
    settle(qtbot, screen)


def test_a_scanned_label_finds_its_parcel_and_is_never_saved_as_a_tracking_number(
    screen: Screen, qtbot: QtBot, ctx: AppContext
) -> None:
    page = screen.page
    fbs = dataclasses.replace(FBS[2], scanit="ii7000000003", lower_barcode="0")  # Ozon's new label: scanit only
    rfbs = dataclasses.replace(RFBS[1], lower_barcode="23024930500005")
    save(ctx, [fbs, rfbs])
    page.refresh()
    settle(qtbot, screen)
    page.methods.setCurrentRow(1)  # the seller is on the rFBS group
    page.find_parcel("ii7000000003")
    settle(qtbot, screen)
    assert page.current_group() is not None and page.current_group().delivery_method_id == 11  # type: ignore[union-attr]
    assert page.selected_numbers() == [fbs.posting_number] and "found" in page.message.text()
    page.find_parcel("0")  # "no barcode" in Ozon's answers: identifies nothing
    settle(qtbot, screen)
    assert "No posting has the code 0" in page.message.text()
    page.find_parcel(make_posting(9).posting_number)  # awaiting packaging: not here
    settle(qtbot, screen)
    assert "is not waiting for handover" in page.message.text()
    # The packer scans the parcel's label into the tracking field by mistake.
    page.methods.setCurrentRow(1)
    select(screen, 0)
    page.set_tracking("23024930500005")
    settle(qtbot, screen)
    assert page.selected_numbers() == [rfbs.posting_number]
    assert "now scan its tracking number" in page.message.text()
    assert actions(ctx, ActionKind.SET_TRACKING) == []


CITIES = ["Санкт-Петербург", "Ростов-на-Дону", "Нижний Новгород", "Екатеринбург", "Владивосток"]


@pytest.mark.parametrize("language", ["en_US", "ru_RU", "zh_CN"])
def test_the_city_is_not_cut_at_1280(ctx: AppContext, qtbot: QtBot, language: str) -> None:
    """Issue 9: in the main window at 1280×800 the longest demo cities read whole, in every language."""
    import contextlib

    from tests.ui.test_packing_screens import target, ui_language
    from ui.main_window import MainWindow

    rows = [
        on(11, "Ozon Логистика курьеру Ozon, Люблино", make_posting(n, city=city, tracking_number="RP123456789RU"))
        for n, city in enumerate(CITIES, start=1)
    ]
    save(ctx, rows)
    with ui_language(language) if language != "en_US" else contextlib.nullcontext():
        window = MainWindow(ctx, None, demo=True)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.show_page("handover")
        page = window.handover
        qtbot.waitUntil(lambda: page.model.rowCount() == len(CITIES))
        qtbot.wait(50)
        view = page.view
        metrics = view.fontMetrics()
        for column in range(page.model.columnCount()):
            for row in range(page.model.rowCount()):
                shown = str(page.model.index(row, column).data())
                assert metrics.horizontalAdvance(shown) + 4 <= view.columnWidth(column), (language, column, shown)
        right = view.columnViewportPosition(page.model.STATE) + view.columnWidth(page.model.STATE)
        assert right <= view.viewport().width()
        assert window.grab().save(target(f"pd-handover-{language}.png"))
