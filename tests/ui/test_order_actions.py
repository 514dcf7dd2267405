"""Actions on the selected postings: confirm, cancel with a reason, pick list, labels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from app import outbox, print_queue
from app.context import AppContext
from app.domain.postings import PostingStatus
from app.errors import InvalidAction
from app.orders import cancel_reasons
from app.outbox import ActionKind, OutboxState
from app.print_queue import DocKind, JobState
from app.repos import sync_state
from tests.ui.factories import make_posting, save
from tests.ui.test_main_window import open_window
from ui.errors import ErrorDialog
from ui.orders.actions import Outcome, WorkflowActions
from ui.orders.cancel_dialog import CancelDialog
from ui.orders.page import OrdersPage


def shop(ctx: AppContext) -> list[str]:
    items = [
        make_posting(
            1, ship_in=timedelta(hours=1), status=PostingStatus.AWAITING_APPROVE, tpl_integration_type="non_integrated"
        ),
        make_posting(2, ship_in=timedelta(hours=2)),
        make_posting(3, ship_in=timedelta(hours=3), status=PostingStatus.CANCELLED),
        make_posting(4, ship_in=timedelta(hours=-30), status=PostingStatus.DELIVERED),
    ]
    save(ctx, items)
    return [p.posting_number for p in items]


def select(page: OrdersPage, numbers: Sequence[str]) -> None:
    page.view.clearSelection()
    for number in numbers:
        row = page.model.row_of(number)
        assert row is not None
        page.view.selectionModel().select(
            page.model.index(row, 0),
            page.view.selectionModel().SelectionFlag.Select | page.view.selectionModel().SelectionFlag.Rows,
        )


def all_tab(ctx: AppContext, qtbot: QtBot) -> OrdersPage:
    window = open_window(ctx, qtbot)
    page = window.orders
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("all")
    return page


def test_buttons_follow_the_selection(ctx: AppContext, qtbot: QtBot) -> None:
    numbers = shop(ctx)
    page = all_tab(ctx, qtbot)
    assert not page.confirm_button.isEnabled() and not page.cancel_button.isEnabled()
    select(page, numbers[:2])
    assert page.confirm_button.isEnabled() and page.labels_button.isEnabled()
    assert page.selected.text() == "Selected: 2"
    assert page.detail.empty.text() == "2 posting(s) selected."


def test_confirm_takes_fbs_into_work_and_says_ozon_approves_rfbs(ctx: AppContext, qtbot: QtBot) -> None:
    numbers = shop(ctx)
    page = all_tab(ctx, qtbot)
    select(page, numbers)
    messages: list[str] = []
    page.message.connect(messages.append)
    page.confirm_button.click()
    qtbot.waitUntil(lambda: bool(messages))
    assert messages == ["Confirmed: 1 posting(s)"]
    with ctx.db.read() as s:
        assert outbox.entries(s, (OutboxState.PENDING,)) == []  # nothing for Ozon: it approves by itself
    dialog = next(w for w in page.findChildren(ErrorDialog) if w.isVisible())
    assert set(dialog.message.text().splitlines()[2:]) == {
        f"{numbers[0]}: Ozon approves this rFBS order itself; it moves to “To pack” when Ozon has done so.",
        f"{numbers[2]}: This posting is cancelled.",
        f"{numbers[3]}: Only new postings can be confirmed (status: Delivered).",  # the status in words
    }
    dialog.close()


def test_cancel_asks_for_a_reason_and_queues_the_cancel(ctx: AppContext, qtbot: QtBot) -> None:
    numbers = shop(ctx)
    page = all_tab(ctx, qtbot)
    select(page, [numbers[1]])
    page.cancel_button.click()
    qtbot.waitUntil(lambda: isinstance(getattr(page, "cancel_dialog", None), CancelDialog))
    dialog = page.cancel_dialog
    titles = [dialog.reason.itemText(i) for i in range(dialog.reason.count())]
    assert titles[0] == "Товар закончился на складе продавца" and len(titles) == 7  # the documented list
    dialog.reason.setCurrentIndex(dialog.reason.findData(402))
    assert not dialog.ok.isEnabled()  # "other" needs a message
    dialog.message.setPlainText("Нет в наличии цвета")
    assert dialog.ok.isEnabled()
    messages: list[str] = []
    page.message.connect(messages.append)
    dialog.ok.click()
    qtbot.waitUntil(lambda: bool(messages))
    assert messages == ["Cancelled: 1 posting(s)"]
    with ctx.db.read() as s:
        (entry,) = outbox.entries(s, (OutboxState.PENDING,))
    assert entry.action is ActionKind.CANCEL and entry.payload == {"reason_id": 402, "message": "Нет в наличии цвета"}


def test_cancel_reasons_come_from_ozon_and_are_kept(ctx: AppContext, qtbot: QtBot) -> None:
    class Source:
        def cancel_reasons(self) -> list[tuple[int, str, str]]:
            return [(352, "Нет товара", "seller"), (999, "<b>Новая причина</b>", "seller")]

    shop(ctx)
    window = open_window(ctx, qtbot)
    page = OrdersPage(ctx, window.tasks, window.bridge, window, reasons=Source())
    qtbot.waitUntil(lambda: [r.id for r in cancel_reasons.load(ctx.db)] == [352, 999])
    with ctx.db.read() as s:
        assert sync_state.get(s, cancel_reasons.STATE_KEY)
    dialog = CancelDialog(["1"], cancel_reasons.load(ctx.db), page)
    qtbot.addWidget(dialog)
    assert dialog.reason.itemText(1) == "<b>Новая причина</b>"  # a combo shows plain text


def test_print_pick_list_and_labels_go_to_the_print_queue(ctx: AppContext, qtbot: QtBot) -> None:
    numbers = shop(ctx)
    page = all_tab(ctx, qtbot)
    select(page, numbers[:2])
    messages: list[str] = []
    page.message.connect(messages.append)
    page.picklist_button.click()
    qtbot.waitUntil(lambda: len(messages) == 1)
    page.labels_button.click()
    qtbot.waitUntil(lambda: len(messages) == 2)
    assert messages[1] == (
        "Labels for 1 posting(s) sent to the printer · 1 label(s) wait for Ozon and print when they arrive"
    )
    with ctx.db.read() as s:
        jobs = {(j.kind, j.posting_numbers, j.state) for j in print_queue.jobs(s)}
        fetch = [e for e in outbox.entries(s) if e.action is ActionKind.FETCH_LABEL]
    assert (DocKind.PICKLIST, tuple(numbers[:2]), JobState.QUEUED) in jobs
    assert (DocKind.OWN_LABEL, (numbers[0],), JobState.QUEUED) in jobs  # rFBS: Packdesk's own label
    assert (DocKind.OZON_LABEL, (numbers[1],), JobState.WAITING) in jobs  # FBS: waits for Ozon's label
    assert fetch == []  # not shipped yet: Ozon has no label to give; the ship will ask for it


def test_labels_of_a_cancelled_posting_are_refused(ctx: AppContext) -> None:
    numbers = shop(ctx)
    outcome = WorkflowActions(ctx).print_labels([numbers[2]], "")
    assert outcome.done == () and outcome.refused[0][1].code == "posting_cancelled"


def test_reprint_asks_why(ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = shop(ctx)
    page = all_tab(ctx, qtbot)
    calls: list[str] = []

    class Labels:
        def print_labels(self, chosen: Sequence[str], reason: str) -> Outcome:
            calls.append(reason)
            if not reason:
                return Outcome((), ((chosen[0], InvalidAction("reprint_reason", "give a reason")),))
            return Outcome(tuple(chosen))

    page.workflows = Labels()  # type: ignore[assignment]
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("торн label", True)))
    select(page, [numbers[1]])
    messages: list[str] = []
    page.message.connect(messages.append)
    page.labels_button.click()
    qtbot.waitUntil(lambda: bool(messages))
    assert calls == ["", "торн label"]


def test_pick_lists_and_labels_from_the_orders_page_wake_the_printer(ctx: AppContext, qtbot: QtBot) -> None:
    """The spooler only looks when woken: queuing documents from the Orders page must wake it."""
    from ui.main_window import MainWindow

    numbers = shop(ctx)
    runs: list[str] = []
    window = MainWindow(ctx, None, True, print_spooler=lambda: runs.append("run"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.orders
    with qtbot.waitSignal(page.model.refreshed):
        page.show_tab("all")
    select(page, numbers[:2])
    page.picklist_button.click()
    qtbot.waitUntil(lambda: len(runs) == 1)
    page.labels_button.click()
    qtbot.waitUntil(lambda: len(runs) == 2)
    qtbot.waitUntil(lambda: not window.tasks.busy())
