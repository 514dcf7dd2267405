"""The detail pane: items, delivery, deadlines, history with sync states, plain text, chat link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app import history, outbox
from app.context import AppContext
from app.db.tables import ChatRow
from app.domain.postings import PostingItem
from app.domain.products import Product
from app.history import EventKind
from app.orders.detail import load_detail
from app.repos import products
from tests.ui.conftest import QT_NOISE
from tests.ui.factories import NOW, make_posting, save
from ui.bridge import EventBridge
from ui.orders.detail_models import HistoryColumn, HistoryModel, ItemColumn, ItemsModel
from ui.orders.detail_pane import DetailPane
from ui.tasks import TaskManager

HOSTILE = "<b>x</b><img src=file:///etc/passwd>"


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


def posting_with_history(ctx: AppContext) -> str:
    posting = make_posting(
        1,
        customer_name=HOSTILE,
        tracking_number="RP123456789RU",
        products=(
            PostingItem(777, "MUG-RED", HOSTILE + " кружка", 2, Decimal("499.00")),
            PostingItem(888, "SPOON", "Ложка", 1, Decimal("99.50")),
        ),
    )
    save(ctx, [posting])
    number = posting.posting_number
    with ctx.db.write() as s:
        products.save(s, [Product(777, 1, "MUG-RED", "Кружка", ("4601234567893", "OZN123"))], NOW)
        history.record(s, number, EventKind.SCAN_POSTING, NOW - timedelta(minutes=5), "", "anna")
        history.record(s, number, EventKind.SCAN_ITEM, NOW - timedelta(minutes=4), "4601234567893 " + HOSTILE)
        history.record(s, number, EventKind.PRINT, NOW - timedelta(minutes=2), "label")
        posting_kind = outbox.TargetKind.POSTING
        ship = outbox.enqueue(s, outbox.ActionKind.SHIP, posting_kind, number, {}, NOW - timedelta(minutes=3))
        outbox.mark_conflict(s, ship.key, NOW, "posting was cancelled " + HOSTILE)
        outbox.enqueue(s, outbox.ActionKind.FETCH_LABEL, posting_kind, number, {}, NOW - timedelta(minutes=1))
        s.add(ChatRow(chat_id="chat-1", chat_type="buyer_seller", order_number=posting.order_number))
    return number


def make_pane(ctx: AppContext, tasks: TaskManager, qtbot: QtBot, images: object = None) -> DetailPane:
    bridge = EventBridge(ctx.bus)
    pane = DetailPane(ctx.db, ctx.clock, tasks, bridge, images)  # type: ignore[arg-type]
    pane._test_bridge = bridge  # type: ignore[attr-defined]
    qtbot.addWidget(pane)
    pane.resize(480, 700)
    pane.show()
    return pane


def test_shows_items_delivery_and_history(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    number = posting_with_history(ctx)
    pane = make_pane(ctx, tasks, qtbot)
    pane.show_posting(number)
    qtbot.waitUntil(lambda: pane.detail is not None)
    assert pane.title.text() == number
    assert pane.fields["tracking"].text() == "RP123456789RU"
    assert pane.fields["order"].text() == make_posting(1).order_number
    assert "in 2 d" in pane.fields["ship_by"].text()
    assert "Склад Подольск" in pane.fields["warehouse"].text()

    items = pane.items_model
    assert items.rowCount() == 2
    assert items.data(items.index(0, ItemColumn.CODES)) == "4601234567893\nMUG-RED"
    assert items.data(items.index(0, ItemColumn.QUANTITY)) == "2"
    assert items.data(items.index(1, ItemColumn.PRICE)) == "99.50 ₽"
    tip = items.data(items.index(0, ItemColumn.CODES), Qt.ItemDataRole.ToolTipRole)
    assert tip == "4601234567893\nOZN123"  # every barcode of the product
    assert items.data(items.index(1, ItemColumn.CODES)) == "—\nSPOON"
    assert isinstance(items.data(items.index(0, ItemColumn.NAME), Qt.ItemDataRole.DecorationRole), QPixmap)

    rows = pane.history_model
    what = [rows.data(rows.index(r, HistoryColumn.WHAT)) for r in range(rows.rowCount())]
    assert what == ["Posting scanned", "Item scanned", "Ship (packed)", "Printed", "Get Ozon's label"]
    states = [rows.data(rows.index(r, HistoryColumn.STATE)) for r in range(rows.rowCount())]
    assert states == ["", "", "Refused by Ozon", "", "Waiting to be sent"]
    assert "anna" in rows.data(rows.index(0, HistoryColumn.DETAIL))
    assert not pane.no_history.isVisible()


def test_remote_text_is_plain(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    number = posting_with_history(ctx)
    pane = make_pane(ctx, tasks, qtbot)
    pane.show_posting(number)
    qtbot.waitUntil(lambda: pane.detail is not None)
    assert HOSTILE in pane.fields["buyer"].text().replace("\u200b", "")  # long words get break points
    for label in pane.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    for model in (pane.items_model, pane.history_model):
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
                assert tip is None or "<" not in tip
    detail = pane.history_model.data(pane.history_model.index(2, HistoryColumn.DETAIL))
    assert HOSTILE in detail  # shown verbatim by the default (plain text) delegate


def test_chat_link_emits_the_posting(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    number = posting_with_history(ctx)
    pane = make_pane(ctx, tasks, qtbot)
    pane.show_posting(number)
    qtbot.waitUntil(lambda: pane.detail is not None)
    with qtbot.waitSignal(pane.chat_requested) as signal:
        pane.chat_button.click()
    assert signal.args == [number, "chat-1"]


def test_refreshes_when_the_outbox_changes(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    number = posting_with_history(ctx)
    pane = make_pane(ctx, tasks, qtbot)
    pane.show_posting(number)
    qtbot.waitUntil(lambda: pane.detail is not None)
    with ctx.db.write() as s:
        (conflict,) = outbox.entries(s, (outbox.OutboxState.CONFLICT,))
        outbox.drop(s, conflict.key, NOW)
    from app import events

    ctx.bus.publish(events.OutboxChanged(1, 0))
    rows = pane.history_model
    qtbot.waitUntil(lambda: rows.data(rows.index(2, HistoryColumn.STATE)) == "Dropped")


def test_empty_and_several(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    pane = make_pane(ctx, tasks, qtbot)
    assert pane.pages.currentIndex() == 0
    pane.show_selection_count(3)
    assert pane.empty.text() == "3 posting(s) selected."
    pane.show_posting("nope")
    qtbot.waitUntil(lambda: "no longer" in pane.empty.text())


@pytest.mark.qt_log_ignore(*QT_NOISE, "Not a JPEG file")  # the broken picture, as Qt reports it
def test_thumbnail_from_the_local_cache_only(ctx: AppContext, tasks: TaskManager, qtbot: QtBot) -> None:
    number = posting_with_history(ctx)
    images = ctx.paths.data / "images"
    images.mkdir()
    picture = QImage(400, 200, QImage.Format.Format_RGB32)
    picture.fill(Qt.GlobalColor.red)
    assert picture.save(str(images / "777.png"))
    (images / "888.jpg").write_bytes(b"not a jpeg")  # broken: the placeholder is used
    pane = make_pane(ctx, tasks, qtbot, images)
    pane.show_posting(number)
    qtbot.waitUntil(lambda: pane.detail is not None)
    model = pane.items_model
    thumb = model.data(model.index(0, ItemColumn.NAME), Qt.ItemDataRole.DecorationRole)
    assert isinstance(thumb, QPixmap) and thumb.width() == 40 and thumb.height() == 20
    assert thumb.toImage().pixelColor(20, 10).red() == 255
    fallback = model.data(model.index(1, ItemColumn.NAME), Qt.ItemDataRole.DecorationRole)
    assert isinstance(fallback, QPixmap) and fallback.width() == 40 and fallback.height() == 40


def test_models_pass_the_model_tester(ctx: AppContext, qtmodeltester: object) -> None:
    number = posting_with_history(ctx)
    detail = load_detail(ctx.db, number)
    assert detail is not None
    items = ItemsModel()
    items.set_rows(detail.items)
    qtmodeltester.check(items)  # type: ignore[attr-defined]
    rows = HistoryModel()
    rows.set_rows(detail.history)
    qtmodeltester.check(rows)  # type: ignore[attr-defined]


def test_shows_the_label_codes_and_what_ozon_needs_before_shipping(
    ctx: AppContext, tasks: TaskManager, qtbot: QtBot
) -> None:
    from app.domain.postings import Requirement, Requirements

    needs = Requirements({Requirement.MANDATORY_MARK: frozenset({1}), Requirement.GTD: frozenset({1})})
    marked = make_posting(5, scanit="ii3052511747", lower_barcode="", requirements=needs, is_multibox=True)
    plain = make_posting(6, lower_barcode="23024930500000")
    save(ctx, [marked, plain])
    pane = make_pane(ctx, tasks, qtbot)
    pane.show_posting(marked.posting_number)
    qtbot.waitUntil(lambda: pane.detail is not None and pane.title.text() == marked.posting_number)
    assert pane.fields["label"].text() == "ii3052511747"
    assert pane.fields["needs"].text() == (
        "Честный ЗНАК codes, customs number (ГТД), box count (one item in several boxes)"
    )
    pane.show_posting(plain.posting_number)
    qtbot.waitUntil(lambda: pane.title.text() == plain.posting_number)
    assert pane.fields["label"].text() == "23024930500000" and pane.fields["needs"].text() == "—"


def test_every_history_kind_has_words() -> None:
    """A posting's history never shows a raw kind ("taken_over") where the others read "Posting scanned"."""
    from app.history import EventKind
    from ui import wording

    raw = [kind.value for kind in EventKind if wording.event(kind) == kind.value]
    assert raw == []
