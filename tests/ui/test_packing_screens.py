"""Screenshots of the pack station for a human to look at: mid-pack and the STOP screen.

Saved to /tmp/pd-packing.png and /tmp/pd-stop.png (or PACKDESK_SCREENSHOT_DIR). The test also
checks what a packer at arm's length needs: big text, nothing cut off.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.domain.postings import PostingItem, PostingStatus
from app.domain.products import Product
from app.repos import products as product_repo
from tests.ui.factories import NOW, cell, make_posting, save
from tests.ui.fakes import FakeSounds
from ui.bridge import EventBridge
from ui.main_window import MainWindow
from ui.packing.page import PackingPage
from ui.tasks import TaskManager

GOODS = [
    (2001, "Термокружка из нержавеющей стали 450 мл, чёрная", "4607001234561", 1),
    (2002, "Набор гелевых ручек, 12 цветов", "OZN1093344521", 2),
    (2003, "Чехол силиконовый для iPhone 15 Pro, прозрачный", "4650098712345", 1),
]


def fill(ctx: AppContext) -> tuple[str, str]:
    products = tuple(PostingItem(sku, f"ART-{sku}", name, qty, Decimal("890.00")) for sku, name, _, qty in GOODS)
    packing = make_posting(7, products=products, delivery_method_name="Ozon Логистика курьеру, Москва")
    cancelled = make_posting(
        8, products=products[:1], status=PostingStatus.CANCELLED, cancel_reason="Покупатель отменил заказ"
    )
    save(ctx, [packing, cancelled])
    with ctx.db.write() as s:
        product_repo.save(s, [Product(sku, sku, f"ART-{sku}", name, (code,)) for sku, name, code, _ in GOODS], NOW)
    return packing.posting_number, cancelled.posting_number


def target(name: str) -> str:
    folder = os.environ.get("PACKDESK_SCREENSHOT_DIR", "/tmp")
    return str(Path(folder) / name)


def not_clipped(label: QLabel) -> bool:
    """The label shows its whole text (word-wrapped labels get the height they ask for)."""
    if not label.isVisible() or not label.text():
        return True
    if label.wordWrap():
        return label.height() >= label.heightForWidth(label.width()) - 1
    return label.width() >= label.fontMetrics().horizontalAdvance(label.text()) - 1


@contextmanager
def ui_language(language: str) -> Iterator[None]:
    """The app's and Qt's translators for `language` while the block runs."""
    from PySide6.QtCore import QCoreApplication, QLocale
    from PySide6.QtWidgets import QApplication

    from ui import i18n, wording

    app = QApplication.instance()
    assert app is not None
    previous = QLocale()
    translators = i18n.install_translators(app, language)
    try:
        assert translators, f"the {language} translation is missing"
        yield
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(previous)
        wording.forget_translations()


def scan(qtbot: QtBot, page: PackingPage, tasks: TaskManager, code: str) -> None:
    """As a scanner in keyboard mode types it: GS (inside marking codes) as Ctrl+], then Enter."""
    for i, part in enumerate(code.split("\x1d")):
        if i:
            qtbot.keyClick(page.scan, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(page.scan, part)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not tasks.busy())


def settled(tasks: TaskManager) -> bool:
    return not tasks.busy()


def packed(page: PackingPage) -> bool:
    return page.view is None and "✓" in page.posting.text()


def packing_window(ctx: AppContext, qtbot: QtBot) -> tuple[MainWindow, PackingPage]:
    """The main window at 1280×800 on its Packing page, settled."""
    window = MainWindow(ctx, None, demo=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("packing")
    page = window.packing
    page.sounds = FakeSounds()
    qtbot.waitUntil(lambda: not window.tasks.busy())
    return window, page


def test_pack_station_screens(ctx: AppContext, qtbot: QtBot) -> None:
    number, cancelled = fill(ctx)
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    page = PackingPage(ctx, tasks, bridge, sounds=FakeSounds(), user="anna")
    qtbot.addWidget(page)
    page.resize(1150, 680)  # what the page gets in a 1280×760 main window
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: not tasks.busy())
    for code in (number, "4607001234561", "OZN1093344521", "4600000000000"):
        scan(qtbot, page, tasks, code)
    assert page.banner_tone() == "bad"  # the last one: an unknown code
    qtbot.waitUntil(lambda: not tasks.busy())
    assert page.progress.font().pointSizeF() >= 36 and page.banner.font().pointSizeF() >= 20
    assert page.items.font().pointSizeF() >= 16 and page.posting.font().pointSizeF() >= 24
    for label in page.labels.values():
        assert not_clipped(label), label.objectName()
    assert page.grab().save(target("pd-packing.png"))

    scan(qtbot, page, tasks, "PD:ABORT")
    scan(qtbot, page, tasks, cancelled)
    assert page.overlay.isVisible()
    for label in page.overlay.findChildren(QLabel):
        assert not_clipped(label), label.objectName()
    assert page.grab().save(target("pd-stop.png"))
    bridge.close()
    tasks.shutdown()


def test_pack_station_in_the_main_window(ctx: AppContext, qtbot: QtBot) -> None:
    number, _ = fill(ctx)
    window = MainWindow(ctx, None, demo=True)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("packing")
    page = window.stack.currentWidget()
    assert isinstance(page, PackingPage)
    page.sounds = FakeSounds()
    qtbot.waitUntil(lambda: not window.tasks.busy())
    for code in (number, "4607001234561", "OZN1093344521"):
        qtbot.keyClicks(page.scan, code)
        qtbot.keyClick(page.scan, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not window.tasks.busy())
    assert page.view is not None and page.view.scanned == 2
    assert window.grab().save(target("pd-packing-window.png"))


def test_russian_meta_line_and_key_hints_are_not_cut_off(ctx: AppContext, qtbot: QtBot) -> None:
    """1280×800 in Russian: the ship-by line, the boxes of a multi-box posting and the key hints wrap
    instead of losing their ends or widening the window."""
    import dataclasses

    with ui_language("ru_RU"):
        products = tuple(PostingItem(sku, f"ART-{sku}", name, qty, Decimal("890.00")) for sku, name, _, qty in GOODS)
        posting = make_posting(
            7,
            products=products,
            delivery_method_name="Собственная доставка, Казань",
            is_multibox=True,
            multi_box_qty=3,
        )
        save(ctx, [dataclasses.replace(posting, tpl_integration_type="non_integrated")])
        window, page = packing_window(ctx, qtbot)
        scan(qtbot, page, window.tasks, posting.posting_number)
        assert "отгрузить до" in page.meta.text() and "3 коробках" in page.box.text()  # translated
        qtbot.wait(50)
        for label in (page.meta, page.box, page.keys):
            assert not_clipped(label), (label.objectName(), label.text())
        assert window.width() == 1280


def test_marking_codes_and_customs_in_chinese_at_1280x800(ctx: AppContext, qtbot: QtBot) -> None:
    """A posting Ozon wants Честный ЗНАК codes and a ГТД for, packed in the Chinese UI: the codes
    column, the prompt for the next code and the customs dialog fit and read whole."""
    import dataclasses

    from app.domain.postings import Requirement, Requirements
    from tests.app.marks import mark
    from ui.packing.dialogs import CustomsDialog

    with ui_language("zh_CN"):
        shoes = (3101, "Кроссовки мужские беговые с сетчатым верхом и амортизирующей подошвой, 44", "4607123456781")
        products = (
            PostingItem(shoes[0], "SH-RUN-44-BLK", shoes[1], 2, Decimal("4590.00")),
            PostingItem(2001, "ART-2001", GOODS[0][1], 1, Decimal("890.00")),
        )
        both = frozenset({shoes[0]})
        needs = Requirements({Requirement.MANDATORY_MARK: both, Requirement.GTD: both})
        posting = dataclasses.replace(
            make_posting(17, products=products, delivery_method_name="Ozon Логистика курьеру Ozon, Люблино"),
            requirements=needs,
        )
        save(ctx, [posting])
        with ctx.db.write() as s:
            product_repo.save(
                s,
                [
                    Product(shoes[0], 31, "SH-RUN-44-BLK", shoes[1], (shoes[2], "OZN2233445566")),
                    Product(2001, 2001, "ART-2001", GOODS[0][1], (GOODS[0][2],)),
                ],
                NOW,
            )
        window, page = packing_window(ctx, qtbot)
        scan(qtbot, page, window.tasks, posting.posting_number)
        scan(qtbot, page, window.tasks, shoes[2])  # the first pair by its EAN: the ГТД is asked first
        qtbot.waitUntil(lambda: page.findChild(CustomsDialog) is not None)
        dialog = page.findChild(CustomsDialog)
        assert dialog is not None and dialog.isVisible()
        for label in dialog.findChildren(QLabel):
            assert not_clipped(label), label.objectName()
        assert dialog.grab().save(target("pd-customs-zh.png"))
        dialog.number.setText("10702070/110326/3041525")
        dialog._accept()
        qtbot.waitUntil(lambda: not window.tasks.busy())
        assert "标识码" in page.banner.text()  # now its Честный ЗНАК code
        scan(qtbot, page, window.tasks, mark(shoes[2], seed=1))
        scan(qtbot, page, window.tasks, GOODS[0][2])
        qtbot.wait(50)
        assert page.view is not None and page.view.marks_missing == 1 and not page.view.ready
        assert not page.items.isColumnHidden(page.items.NEEDS)
        assert "1/2" in cell(page.items, 0, page.items.NEEDS).text()
        bar = page.items.horizontalScrollBar()
        assert not bar.isVisible() or bar.maximum() == 0  # every column in view: nothing to scroll to
        for label in page.labels.values():
            assert not_clipped(label), label.objectName()
        assert window.grab().save(target("pd-packing-marks-zh.png"))


def test_two_barcodes_and_a_long_offer_id_leave_the_name_readable(ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 9: an item with an EAN and an OZN code (and a long offer id) used to crush the name
    column to ~70 px and the rows to 200 px. The name keeps most of the width in every language; the
    barcodes stack in their capped column (elided if need be, whole in the tooltip)."""
    name = "Ботинки женские демисезонные из натуральной кожи (Италия), коричневый"
    offer = "PD-SHOES-WOMEN-DEMISEASON-LEATHER-ITALY-BROWN-38-010"
    codes = ("6949355242489", "OZN22909546272901234")
    products = (
        PostingItem(3201, offer, name, 2, Decimal("5990.00")),
        PostingItem(2001, "ART-2001", GOODS[0][1], 1, Decimal("890.00")),
    )
    posting = make_posting(21, products=products, delivery_method_name="Ozon Логистика курьеру Ozon, Шушары")
    save(ctx, [posting])
    with ctx.db.write() as s:
        product_repo.save(
            s,
            [Product(3201, 32, offer, name, codes), Product(2001, 2001, "ART-2001", GOODS[0][1], (GOODS[0][2],))],
            NOW,
        )
    for language in ("en_US", "ru_RU", "zh_CN"):
        with ui_language(language):
            window, page = packing_window(ctx, qtbot)
            scan(qtbot, page, window.tasks, posting.posting_number)
            qtbot.wait(50)
            table = page.items
            viewport = table.viewport().width()
            assert table.columnWidth(table.NAME) >= 0.45 * viewport - 1, (language, table.columnWidth(table.NAME))
            assert sum(table.columnWidth(c) for c in range(table.columnCount())) <= viewport
            for row in range(table.rowCount()):
                assert table.rowHeight(row) <= 130, (language, row, table.rowHeight(row))
                assert table.rowHeight(row) >= table.sizeHintForRow(row) - 1  # the name is whole
            assert codes[1] in cell(table, 0, table.IDS).toolTip()
            head = table.horizontalHeader().fontMetrics()
            for column in range(table.columnCount()):
                title = table.horizontalHeaderItem(column)
                if not table.isColumnHidden(column) and title is not None:
                    assert head.horizontalAdvance(title.text()) + 8 <= table.columnWidth(column), (language, column)
            assert window.grab().save(target(f"pd-packing-barcodes-{language}.png"))
            page._submit(functools.partial(page.station.abort, "test"))
            qtbot.waitUntil(functools.partial(settled, window.tasks))
            window.close()


def test_print_queue_entries_wrap_in_russian(ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 9: the Labels panel's entries wrap inside the panel instead of running off its edge."""
    from app import print_queue
    from app.print_queue import DocKind

    numbers = [make_posting(n).posting_number for n in range(31, 35)]
    save(ctx, [make_posting(n) for n in range(31, 35)])
    with ctx.db.write() as s:
        job = print_queue.enqueue(s, DocKind.OZON_LABEL, tuple(numbers), NOW)
        print_queue.mark_failed(s, job.key, NOW, "принтер не отвечает: бумага закончилась, проверьте лоток")
    with ui_language("ru_RU"):
        window, page = packing_window(ctx, qtbot)
        jobs = page.print_panel.list
        qtbot.waitUntil(lambda: jobs.count() == 1)
        qtbot.wait(50)
        rect = jobs.visualItemRect(jobs.item(0))
        assert rect.right() <= jobs.viewport().width()
        assert rect.height() >= 2 * jobs.fontMetrics().height()  # wrapped onto several lines
        bar = jobs.horizontalScrollBar()
        assert not bar.isVisible() or bar.maximum() == 0
        assert window.grab().save(target("pd-print-panel-ru.png"))


def test_overdue_and_f8_screens_in_every_language(ctx: AppContext, qtbot: QtBot) -> None:
    """Issue 9 at 1280×800: an overdue posting is flagged on the Packing page, and after F8 the packed
    view reads 1 / 4 with what was skipped; every label whole, in English, Russian and Chinese."""
    from datetime import timedelta

    products = tuple(PostingItem(sku, f"ART-{sku}", name, qty, Decimal("890.00")) for sku, name, _, qty in GOODS)
    late = [
        make_posting(40 + i, products=products, ship_in=timedelta(hours=-30), delivery_method_name=METHOD)
        for i in range(3)
    ]
    save(ctx, late)
    with ctx.db.write() as s:
        product_repo.save(s, [Product(sku, sku, f"ART-{sku}", name, (code,)) for sku, name, code, _ in GOODS], NOW)
    for i, language in enumerate(("en_US", "ru_RU", "zh_CN")):
        with ui_language(language):
            window, page = packing_window(ctx, qtbot)
            scan(qtbot, page, window.tasks, late[i].posting_number)
            assert page.meta.property("overdue"), language
            scan(qtbot, page, window.tasks, GOODS[0][2])
            qtbot.wait(50)
            for label in page.labels.values():
                assert not_clipped(label), (language, label.objectName(), label.text())
            assert window.grab().save(target(f"pd-packing-overdue-{language}.png"))
            page.complete("test: skipped on purpose")
            qtbot.waitUntil(functools.partial(packed, page))
            qtbot.waitUntil(functools.partial(settled, window.tasks))
            qtbot.wait(50)
            assert page.progress.text() == "1 / 4"
            assert "3" in page.box.text()
            for label in page.labels.values():
                assert not_clipped(label), (language, label.objectName(), label.text())
            assert window.grab().save(target(f"pd-packing-f8-{language}.png"))
            window.close()


METHOD = "Ozon Логистика курьеру Ozon, Санкт-Петербург, Шушары (самовывоз со склада)"
