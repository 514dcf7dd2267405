"""Issue 9: a 10,000-character buyer name (or city, or delivery method) must not squeeze the orders
list: the detail pane clips and wraps it, the table elides it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.ui.factories import make_posting, save
from tests.ui.test_packing_screens import target
from ui.main_window import MainWindow
from ui.plain_text import clipped

LONG_NAMES = ["Ж" * 10_000, "Иван Петрович " * 700]


def test_clipped_caps_and_breaks_long_words() -> None:
    text = clipped("Ж" * 10_000)
    assert len(text.replace("\u200b", "")) == 200 and text.endswith("…")
    assert max(len(part) for part in text.split("\u200b")) <= 16
    assert clipped("Иван Петров") == "Иван Петров"  # ordinary text is left alone


@pytest.mark.parametrize("name", LONG_NAMES, ids=["one-word", "many-words"])
def test_a_huge_buyer_name_does_not_squeeze_the_orders_list(ctx: AppContext, qtbot: QtBot, name: str) -> None:
    posting = make_posting(1, customer_name=name, city="Санкт-Петербург" * 50)
    save(ctx, [posting, make_posting(2)])
    window = MainWindow(ctx, None, demo=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    page = window.orders
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    before = page.view.width()
    row = page.model.row_of(posting.posting_number)
    assert row is not None
    page.view.selectRow(row)
    qtbot.waitUntil(lambda: page.detail.detail is not None)
    qtbot.wait(50)
    buyer = page.detail.fields["buyer"]
    assert window.width() == 1280 and window.height() <= 800
    assert page.view.width() >= before - 1, (before, page.view.width())
    assert buyer.height() <= 12 * buyer.fontMetrics().height()
    assert name[:20] in buyer.text().replace("\u200b", "")
    assert name[:20] in buyer.toolTip().replace("\u200b", "")
    assert window.grab().save(target("pd-orders-long-buyer.png"))


def test_clipped_twice_is_clipped_once() -> None:
    once = clipped("Ж" * 300)
    assert clipped(once) == once


def test_the_orders_tooltips_are_clipped(ctx: AppContext) -> None:
    from app.orders.query import Column, read_rows
    from ui.orders import cells

    posting = make_posting(1, customer_name="Ж" * 10_000, delivery_method_name="Д" * 10_000)
    save(ctx, [posting])
    row = read_rows(ctx.db, [posting.posting_number])[posting.posting_number]
    city = cells.tooltip(row, Column.CITY)
    delivery = cells.tooltip(row, Column.DELIVERY)
    assert city is not None and delivery is not None
    assert len(city) < 500 and len(delivery) < 500


@pytest.mark.parametrize("language", ["en_US", "ru_RU", "zh_CN"])
def test_the_detail_panes_items_read_at_1280(ctx: AppContext, qtbot: QtBot, language: str) -> None:
    """The pane gives way to the orders table at 1280 px; its items keep a readable name and a whole barcode."""
    from decimal import Decimal

    from app.domain.postings import PostingItem
    from app.domain.products import Product
    from app.repos import products as product_repo
    from tests.ui.factories import NOW
    from tests.ui.test_packing_screens import ui_language
    from ui.orders.detail_models import ItemColumn

    name = "Кроссовки мужские беговые сетчатые, белый"
    item = PostingItem(5001, "PD-SHOES-002", name, 1, Decimal("2990.00"))
    posting = make_posting(1, products=(item,))
    save(ctx, [posting])
    with ctx.db.write() as s:
        product_repo.save(s, [Product(5001, 51, "PD-SHOES-002", name, ("6903367513685",))], NOW)
    with ui_language(language):
        window = MainWindow(ctx, None, demo=True)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        page = window.orders
        qtbot.waitUntil(lambda: page.model.rowCount() == 1)
        page.view.selectRow(0)
        qtbot.waitUntil(lambda: page.detail.items_model.rowCount() == 1)
        qtbot.wait(50)
        items = page.detail.items
        width = items.viewport().width()
        assert items.columnWidth(ItemColumn.NAME) >= 0.37 * width - 1
        assert sum(items.columnWidth(c) for c in ItemColumn) <= width
        barcode = items.fontMetrics().horizontalAdvance("6903367513685")
        assert items.columnWidth(ItemColumn.CODES) >= barcode + 6, language
        assert items.rowHeight(0) >= items.sizeHintForRow(0) - 1  # the whole name
        window.close()
