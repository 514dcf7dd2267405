"""The Analytics page: figures of a period from the local cache, offline (app/analytics).

A period (the last 7, 30 or 90 days, 12 months, or chosen dates) and a warehouse; charts with the
numbers in a table beside each; every table exports to CSV or XLSX. The report is read on the
database worker; the newest request wins.

Signals:
    refreshed(): a report is on screen.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.analytics import export
from app.analytics.export import Cell, Table
from app.analytics.period import Period, local_zone
from app.analytics.report import Report, read_report, read_warehouses
from app.context import AppContext
from app.domain.money import currency_symbol
from app.repos.postings import Choice
from ui import plain_text
from ui.analytics import tables
from ui.analytics.charts import BAD, CURRENCY_LINES, GOOD, LINE, Chart
from ui.bridge import EventBridge
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

PRESETS = (7, 30, 90, 365)  # days; 365 = 12 months
CUSTOM = 0
REFRESH_DELAY_MS = 1500  # new data from a sync: one refresh for a burst of changes


def _day_of(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class Section(QGroupBox):
    """A figure: a summary line, a chart (optional) with its table beside it, export buttons."""

    def __init__(self, title: str, chart: Chart | None, export_to: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(title, parent)
        self.summary = plain_text.label("", self)
        self.summary.setWordWrap(True)
        self.chart = chart
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(220)
        self.csv_button = QPushButton(self.tr("CSV…"), self)
        self.xlsx_button = QPushButton(self.tr("Excel…"), self)
        self.csv_button.setToolTip(self.tr("Save this table as CSV (opens in Excel, Cyrillic and Chinese kept)"))
        self.xlsx_button.setToolTip(self.tr("Save this table as an Excel workbook (.xlsx)"))
        self.csv_button.clicked.connect(lambda: export_to("csv"))
        self.xlsx_button.clicked.connect(lambda: export_to("xlsx"))
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.csv_button)
        head.addWidget(self.xlsx_button)
        body = QHBoxLayout()
        if chart is not None:
            body.addWidget(chart, 1)
        body.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(body)

    def show_table(self, table: Table, fmt: Callable[[Cell], str]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(table.headers))
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels(table.headers)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(fmt(value))
                if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        has_rows = bool(table.rows)
        self.csv_button.setEnabled(has_rows)
        self.xlsx_button.setEnabled(has_rows)


class AnalyticsPage(QWidget):
    refreshed = Signal()

    def __init__(self, ctx: AppContext, tasks: TaskManager, bridge: EventBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._tasks = tasks
        self._request = 0
        self._reading = False  # a report read is on the I/O pool
        self._dirty = True
        self.report: Report | None = None
        self._tables: dict[str, Table] = {}

        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("analyticsPeriod")
        for days in PRESETS:
            text = self.tr("Last 12 months") if days == 365 else self.tr("Last %n day(s)", "", days)
            self.period_combo.addItem(text, days)
        self.period_combo.addItem(self.tr("Dates…"), CUSTOM)
        self.period_combo.setCurrentIndex(1)
        today = QDate.currentDate()
        self.from_date = QDateEdit(today.addDays(-29), self)
        self.to_date = QDateEdit(today, self)
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setVisible(False)
        self.dash = QLabel("—", self)
        self.dash.setVisible(False)
        self.warehouse_combo = QComboBox(self)
        self.warehouse_combo.setObjectName("analyticsWarehouse")
        self.warehouse_combo.addItem(self.tr("All warehouses"), None)
        self.export_all = QPushButton(self.tr("Export all to Excel…"), self)
        self.export_all.setObjectName("exportAll")
        self.export_all.clicked.connect(self.export_everything)
        self.note = plain_text.label("", self)
        self.note.setObjectName("analyticsNote")

        bar = QHBoxLayout()
        bar.addWidget(plain_text.label(self.tr("Period:"), self))
        bar.addWidget(self.period_combo)
        bar.addWidget(self.from_date)
        bar.addWidget(self.dash)
        bar.addWidget(self.to_date)
        bar.addSpacing(12)
        bar.addWidget(plain_text.label(self.tr("Warehouse:"), self))
        bar.addWidget(self.warehouse_combo)
        bar.addSpacing(12)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.export_all)

        self.orders_chart = Chart(self)
        self.shipping_chart = Chart(self)
        self.replies_chart = Chart(self)
        self.rating_chart = Chart(self)
        content = QWidget(self)
        column = QVBoxLayout(content)
        self.sections: dict[str, Section] = {}
        for key, title, chart in (
            ("orders", self.tr("Orders and revenue by day"), self.orders_chart),
            ("shipping", self.tr("Shipped on time"), self.shipping_chart),
            ("replies", self.tr("Chat: first reply to buyers"), self.replies_chart),
            ("rating", self.tr("Review rating by week"), self.rating_chart),
            ("returns", self.tr("Returns by product"), None),
            ("reasons", self.tr("Return reasons"), None),
            ("packing", self.tr("Packing errors per packer"), None),
        ):
            section = Section(title, chart, self._exporter(key), content)
            section.setObjectName(f"analytics_{key}")
            self.sections[key] = section
            column.addWidget(section)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self.empty = plain_text.label(self.tr("No postings in this period"), self)
        self.empty.setObjectName("analyticsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.empty.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.empty.setFont(font)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(REFRESH_DELAY_MS)
        self._later.timeout.connect(self.refresh)
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.from_date.dateChanged.connect(lambda _d: self.refresh())
        self.to_date.dateChanged.connect(lambda _d: self.refresh())
        self.warehouse_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for signal in (bridge.postings_changed, bridge.chats_changed, bridge.returns_changed, bridge.feedback_changed):
            signal.connect(self._data_changed)
        self.reload_warehouses()
        self.refresh()

    # -- the period -----------------------------------------------------------------------------

    def period(self) -> Period:
        now = self._ctx.clock.now()
        zone = local_zone()
        days = int(self.period_combo.currentData())
        if days == CUSTOM:
            first, last = _day_of(self.from_date.date()), _day_of(self.to_date.date())
            start, end = min(first, last), max(first, last)
        else:
            end = now.astimezone(zone).date()
            start = end - timedelta(days=days - 1)
        warehouse = self.warehouse_combo.currentData()
        return Period(start, end, None if warehouse is None else int(warehouse), zone, now)

    def set_period(self, days: int) -> None:
        self.period_combo.setCurrentIndex(self.period_combo.findData(days))

    def _period_changed(self) -> None:
        custom = self.period_combo.currentData() == CUSTOM
        for widget in (self.from_date, self.dash, self.to_date):
            widget.setVisible(custom)
        self.refresh()

    def reload_warehouses(self) -> None:
        db = self._ctx.db
        # The I/O pool too: listing the warehouses of a million postings is no job for the shared worker.
        self._tasks.run_io(lambda: read_warehouses(db), on_done=self._show_warehouses)

    def _show_warehouses(self, choices: list[Choice]) -> None:
        chosen = self.warehouse_combo.currentData()
        self.warehouse_combo.blockSignals(True)
        self.warehouse_combo.clear()
        self.warehouse_combo.addItem(self.tr("All warehouses"), None)
        for choice in choices:
            self.warehouse_combo.addItem(choice.name or str(choice.id), choice.id)
        index = self.warehouse_combo.findData(chosen)
        self.warehouse_combo.setCurrentIndex(max(index, 0))
        self.warehouse_combo.blockSignals(False)

    # -- reading --------------------------------------------------------------------------------

    def _data_changed(self, _event: object) -> None:
        self._dirty = True
        if self.isVisible():
            self._later.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Read the report again. A year of a million postings takes a while: it runs on the I/O pool in
        its own read session (never on the database worker the Orders and Packing pages share), one read
        at a time, and the newest request wins (one asked for while another runs starts when it ends)."""
        self._dirty = False
        self._later.stop()
        self._request += 1
        self.note.setText(self.tr("Calculating…"))
        if not self._reading:
            self._start_reading()

    def _start_reading(self) -> None:
        request, db, period = self._request, self._ctx.db, self.period()
        self._reading = True
        self._tasks.run_io(
            lambda: read_report(db, period) if request == self._request else None,
            on_done=lambda report: self._read(request, report),
            on_error=lambda exc: self._read_failed(request, exc),
        )

    def _read(self, request: int, report: Report | None) -> None:
        self._reading = False
        if request != self._request:
            self._start_reading()  # the period changed meanwhile: read the newest one
            return
        if report is not None:
            self._show(report)

    def _read_failed(self, request: int, exc: BaseException) -> None:
        self._reading = False
        if request != self._request:
            self._start_reading()
            return
        self.note.setText("")
        if self._tasks.on_unhandled is None:
            log.error("the analytics report failed", exc_info=exc)
        else:
            self._tasks.on_unhandled(exc)

    def _show(self, report: Report) -> None:
        self.report = report
        period = report.period
        self.note.setText(
            self.tr("{start} – {end}, from the local cache").format(
                start=self._date(period.start), end=self._date(period.end)
            )
        )
        self._tables = {
            "orders": tables.orders_table(report),
            "shipping": tables.shipping_table(report),
            "packing": tables.packing_table(report),
            "replies": tables.replies_table(report),
            "returns": tables.returns_table(report),
            "reasons": tables.reasons_table(report),
            "rating": tables.rating_table(report),
        }
        for key, table in self._tables.items():
            self.sections[key].show_table(table, self._cell)
        has_data = bool(
            report.orders.orders
            or report.shipping.on_time + report.shipping.late
            or report.replies.waits
            or report.returns.returned
            or report.rating.reviews
            or report.packing
        )
        self.stack.setCurrentIndex(0 if has_data else 1)
        self._summaries(report)
        self._charts(report)
        self.export_all.setEnabled(has_data)
        self.refreshed.emit()

    # -- showing --------------------------------------------------------------------------------

    def _summaries(self, report: Report) -> None:
        o, s, r, ret, rt = report.orders, report.shipping, report.replies, report.returns, report.rating
        pct, num = self._percent, self._number
        self.sections["orders"].summary.setText(
            self.tr("Orders: {orders} · cancelled: {cancelled} · revenue: {revenue}").format(
                orders=num(o.orders),
                cancelled=num(o.cancelled),
                revenue=" + ".join(f"{self._money(v)} {currency_symbol(c)}" for c, v in o.revenues.items()),
            )
            if o.orders
            else self.tr("No postings in this period")
        )
        self.sections["shipping"].summary.setText(
            self.tr(
                "On time: {share} ({on_time} of {all}) · late: {late} · not shipped yet: {pending} · "
                "order to ship: median {median}, 90% within {p90}"
            ).format(
                share=pct(s.on_time_share),
                on_time=num(s.on_time),
                all=num(s.on_time + s.late),
                late=num(s.late),
                pending=num(s.pending),
                median=self._duration(s.median_to_ship),
                p90=self._duration(s.p90_to_ship),
            )
            if s.on_time + s.late + s.pending
            else self.tr("No ship-by dates in this period")
        )
        self.sections["replies"].summary.setText(
            self.tr(
                "Buyer messages waiting for a reply: {waits} · answered within 24 h: {share} · median reply: "
                "{median}, 90% within {p90} · still within 24 h: {open}"
            ).format(
                waits=num(r.waits),
                share=pct(r.within_24h_share),
                median=self._duration(r.median),
                p90=self._duration(r.p90),
                open=num(r.open_in_time),
            )
            if r.waits or r.open_in_time
            else self.tr("No buyer messages in this period")
        )
        self.sections["returns"].summary.setText(
            self.tr("Returned: {returned} of {sold} units sold ({rate})").format(
                returned=num(ret.returned), sold=num(ret.sold), rate=pct(ret.rate)
            )
            if ret.returned
            else self.tr("No returns in this period")
        )
        self.sections["reasons"].summary.setText("" if ret.reasons else self.tr("No returns in this period"))
        self.sections["rating"].summary.setText(
            self.tr("Reviews: {count} · average rating: {average} (reviews are not tied to a warehouse)").format(
                count=num(rt.reviews), average=self._decimal(rt.average, 2)
            )
            if rt.reviews
            else self.tr("No reviews in this period")
        )
        self.sections["packing"].summary.setText(
            self.tr("Refused scans and overrides for every 100 postings packed at this desk")
            if report.packing
            else self.tr("Nothing was packed at this desk in this period")
        )

    def _charts(self, report: Report) -> None:
        days = [d.day for d in report.orders.days]
        labels = [self._day(d) for d in days]
        chart = self.orders_chart
        chart.clear_chart()
        chart.bars([d.orders for d in report.orders.days], self.tr("Orders"))
        # A line per currency on the right axis (roubles and yuan are never added up).
        for currency, colour in zip(report.orders.currencies, itertools.cycle(CURRENCY_LINES), strict=False):
            values = [float(d.revenues[currency]) for d in report.orders.days]
            name = self.tr("Revenue, {currency} (right)").format(currency=currency_symbol(currency))
            chart.line(values, name, colour, right=True)
        chart.set_labels(labels)
        revenues = [float(v) for d in report.orders.days for v in d.revenues.values()]
        chart.y_range(0, max([*revenues, 1.0]), right=True)

        chart = self.shipping_chart
        chart.clear_chart()
        chart.line([tables.percent(d.on_time_share) for d in report.shipping.days], self.tr("On time, %"), colour=GOOD)
        chart.set_labels([self._day(d.day) for d in report.shipping.days])
        chart.y_range(0, 100)

        chart = self.replies_chart
        chart.clear_chart()
        medians = [tables.hours(d.median) for d in report.replies.days]
        chart.bars([m or 0.0 for m in medians], self.tr("Median first reply, h"), colour=LINE)
        chart.limit(24.0, self.tr("24 h"))
        chart.set_labels([self._day(d.day) for d in report.replies.days])
        chart.y_range(0, max([*(m or 0.0 for m in medians), 26.0]))

        chart = self.rating_chart
        chart.clear_chart()
        chart.line([w.average for w in report.rating.weeks], self.tr("Average rating"), colour=BAD)
        chart.set_labels([self._day(w.week) for w in report.rating.weeks])
        chart.y_range(1, 5)

    # -- formatting -----------------------------------------------------------------------------

    def _cell(self, value: Cell) -> str:
        if value is None:
            return "—"
        if isinstance(value, date):
            return self._date(value)
        if isinstance(value, Decimal):
            return self._money(value)
        if isinstance(value, float):
            return self._decimal(value, 1 if abs(value - round(value, 1)) < 1e-9 else 2)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value) if value >= 1_000_000 else self._number(value)  # SKUs read as codes
        return str(value)

    @staticmethod
    def _number(value: int) -> str:
        return QLocale().toString(int(value))

    @staticmethod
    def _decimal(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else QLocale().toString(float(value), "f", digits)

    @staticmethod
    def _money(value: Decimal) -> str:
        return QLocale().toString(float(value), "f", 2)

    def _percent(self, value: float | None) -> str:
        return "—" if value is None else self.tr("{value}%").format(value=self._decimal(100.0 * value, 1))

    def _duration(self, value: timedelta | None) -> str:
        if value is None:
            return "—"
        minutes = int(value.total_seconds() // 60)
        if minutes < 60:
            return self.tr("{minutes} min").format(minutes=minutes)
        return self.tr("{hours} h").format(hours=self._decimal(minutes / 60.0, 1))

    @staticmethod
    def _date(day: date) -> str:
        return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)

    @staticmethod
    def _day(day: date) -> str:
        """A short day label under a chart: 11月23日, 23.11, Nov 23."""
        locale = QLocale()
        qdate = QDate(day.year, day.month, day.day)
        if locale.language() == QLocale.Language.Chinese:
            return f"{day.month}月{day.day}日"
        if locale.language() == QLocale.Language.English:
            return locale.toString(qdate, "MMM d")
        return locale.toString(qdate, "dd.MM")

    # -- export ---------------------------------------------------------------------------------

    def _exporter(self, key: str) -> Callable[[str], None]:
        return lambda fmt: self.export_table(key, fmt)

    def export_table(self, key: str, fmt: str) -> None:
        table = self._tables.get(key)
        if table is not None:
            self._save([table], fmt, table.title)

    def export_everything(self) -> None:
        if self._tables:
            self._save(list(self._tables.values()), "xlsx", self.tr("Analytics"))

    def _save(self, chosen: Sequence[Table], fmt: str, name: str) -> None:
        period = self.report.period if self.report else None
        stem = f"{name} {period.start.isoformat()}_{period.end.isoformat()}" if period else name
        filters = self.tr("CSV (*.csv)") if fmt == "csv" else self.tr("Excel workbook (*.xlsx)")
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export"), f"{stem}.{fmt}", filters)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        self.export_to(chosen, fmt, target)

    def export_to(self, chosen: Sequence[Table], fmt: str, target: Path) -> None:
        """Write on the I/O pool; the note says where it went (or why not)."""

        def write() -> Path:
            if fmt == "csv":
                export.write_csv(chosen[0], target)
            else:
                export.write_xlsx(list(chosen), target)
            return target

        self._tasks.run_io(
            write,
            on_done=lambda path: self.note.setText(self.tr("Saved to {path}").format(path=str(path))),
            on_error=lambda exc: self.note.setText(self.tr("Could not save: {error}").format(error=str(exc))),
        )
