"""The Analytics page: it reads the report off the GUI thread, shows it, follows the period and the
warehouse, says when a period is empty and exports its tables."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from app.analytics.period import Period
from app.analytics.report import Report, read_report
from app.context import AppContext
from app.db.engine import Database
from app.domain.postings import PostingItem
from app.orders.query import read_choices
from tests.ui.factories import NOW, make_posting, save
from ui.analytics import page as page_module
from ui.analytics.page import AnalyticsPage
from ui.bridge import EventBridge
from ui.tasks import TaskManager


@pytest.fixture
def page(ctx: AppContext, qtbot: QtBot) -> Iterator[AnalyticsPage]:
    # Two postings this week, one 40 days ago in another warehouse.
    save(
        ctx,
        [
            make_posting(1),
            make_posting(2, in_process_at=NOW - timedelta(days=2)),
            make_posting(3, in_process_at=NOW - timedelta(days=40), warehouse_id=8, warehouse_name="Склад Казань"),
        ],
    )
    tasks = TaskManager()
    bridge = EventBridge(ctx.bus)
    shown = AnalyticsPage(ctx, tasks, bridge)
    qtbot.addWidget(shown)
    shown.resize(1150, 700)
    shown.show()
    qtbot.waitUntil(lambda: shown.report is not None and not tasks.busy())
    yield shown
    bridge.close()
    tasks.shutdown()


def test_shows_the_last_30_days(page: AnalyticsPage) -> None:
    assert page.report is not None
    assert page.report.orders.orders == 2
    assert len(page.report.orders.days) == 30
    assert page.stack.currentWidget() is not page.empty
    assert page.sections["orders"].table.rowCount() == 30
    assert page.warehouse_combo.count() == 3  # all, Подольск, Казань


def test_refreshes_on_period_and_warehouse_change(page: AnalyticsPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.refreshed):
        page.set_period(90)
    assert page.report is not None and page.report.orders.orders == 3
    with qtbot.waitSignal(page.refreshed):
        page.warehouse_combo.setCurrentIndex(page.warehouse_combo.findData(8))
    assert page.report.orders.orders == 1
    with qtbot.waitSignal(page.refreshed):
        page.set_period(7)
    qtbot.waitUntil(lambda: page.report is not None and page.report.orders.orders == 0)
    assert page.stack.currentWidget() is page.empty
    assert page.empty.text() == "No postings in this period"


def test_exports_a_table_to_csv_and_everything_to_xlsx(page: AnalyticsPage, qtbot: QtBot, tmp_path: Path) -> None:
    table = page._tables["orders"]
    page.export_to([table], "csv", tmp_path / "orders.csv")
    qtbot.waitUntil(lambda: (tmp_path / "orders.csv").exists() and "orders.csv" in page.note.text())
    with (tmp_path / "orders.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == table.headers and len(rows) == 31
    page.export_to(list(page._tables.values()), "xlsx", tmp_path / "all.xlsx")
    qtbot.waitUntil(lambda: "all.xlsx" in page.note.text())
    assert len(load_workbook(tmp_path / "all.xlsx").sheetnames) == 7


def test_a_long_report_leaves_the_database_worker_free_and_the_newest_request_wins(
    page: AnalyticsPage, qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A year of a million postings takes a while: the report holds its own read session on the I/O pool,
    # and the Orders page's reads on the one database worker go on meanwhile.
    release = threading.Event()
    started: list[int] = []

    def slow_report(db: Database, period: Period) -> Report:
        started.append(period.warehouse_id or 0)
        assert threading.current_thread().name.startswith("packdesk-io")
        release.wait(10)
        return read_report(db, period)

    monkeypatch.setattr(page_module, "read_report", slow_report)
    tasks = page._tasks
    page.set_period(90)
    qtbot.waitUntil(lambda: len(started) == 1)
    assert page.note.text() == "Calculating…"
    listed: list[object] = []
    tasks.run_db(lambda: read_choices(ctx.db), on_done=listed.append)
    qtbot.waitUntil(lambda: len(listed) == 1, timeout=3000)
    assert not release.is_set() and page.note.text() == "Calculating…"
    # Two more changes while the first read runs: only the newest is read after it.
    page.set_period(7)
    page.warehouse_combo.setCurrentIndex(page.warehouse_combo.findData(8))
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        release.set()
    assert started == [0, 8]
    assert page.report is not None and page.report.period.warehouse_id == 8
    assert len(page.report.orders.days) == 7


def test_revenue_in_roubles_alone_keeps_one_column_and_other_currencies_get_their_own(
    page: AnalyticsPage, qtbot: QtBot, ctx: AppContext
) -> None:
    assert page._tables["orders"].headers[3:] == ["Revenue, ₽"]
    assert page.sections["orders"].summary.text().endswith(" ₽")
    yuan = (PostingItem(1_000_009, "SKU-9", "Кружка", 2, Decimal("35.50"), "CNY"),)
    save(ctx, [make_posting(9, products=yuan)])
    with qtbot.waitSignal(page.refreshed):
        page.set_period(90)
    assert page.report is not None and page.report.orders.currencies == ["RUB", "CNY"]
    assert page._tables["orders"].headers[3:] == ["Revenue, ₽", "Revenue, ¥"]
    summary = page.sections["orders"].summary.text()
    assert "₽" in summary and "¥" in summary
    assert page.sections["orders"].table.columnCount() == 5


def test_revenue_per_currency_is_translated(ctx: AppContext, qtbot: QtBot) -> None:
    """The per-currency revenue wording reads in the seller's language, in the table, summary and legend."""
    from tests.ui.test_packing_screens import ui_language

    yuan = (PostingItem(1_000_009, "SKU-9", "Кружка", 2, Decimal("35.50"), "CNY"),)
    save(ctx, [make_posting(1), make_posting(9, products=yuan)])
    for language, revenue, summary in (("ru_RU", "Выручка", "Заказов: 2"), ("zh_CN", "销售额", "订单：2")):
        with ui_language(language):
            tasks = TaskManager()
            bridge = EventBridge(ctx.bus)
            shown = AnalyticsPage(ctx, tasks, bridge)
            qtbot.addWidget(shown)

            def ready(page: AnalyticsPage = shown, running: TaskManager = tasks) -> bool:
                return page.report is not None and not running.busy()

            qtbot.waitUntil(ready)
            headers = shown._tables["orders"].headers[3:]
            assert (
                headers == [f"{revenue}, ₽", f"{revenue}, ¥"]
                if language == "ru_RU"
                else [f"{revenue}，₽", f"{revenue}，¥"]
            )
            assert shown.sections["orders"].summary.text().startswith(summary)
            bridge.close()
            tasks.shutdown()


def test_the_24_hour_line_does_not_strike_through_the_legend(page: AnalyticsPage) -> None:
    """The chat chart's dashed 24 h line runs near the top, where the legend is: the legend has a ground."""
    from PySide6.QtCore import Qt

    brush = page.replies_chart.legend.opts["brush"]
    assert brush.style() != Qt.BrushStyle.NoBrush and brush.color().alpha() > 200 and brush.color().lightness() > 240
