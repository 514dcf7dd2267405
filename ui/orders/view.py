"""The orders QTableView: SQL sorting by header click, and the selection kept across refreshes."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.orders.query import Column
from ui import wording
from ui.orders import cells
from ui.orders.table_model import POSTING_NUMBER_ROLE, OrdersTableModel

# Default widths come from sample contents; the seller can resize, and the header state is saved.
_DELIVERY_SAMPLE = "Ozon Логистика, ПВЗ"  # longer names are elided; the tooltip has the full name
_SAMPLES = {
    Column.POSTING: "0000000000-0000-0",
    Column.ORDER: "0000000000-0000",
    Column.ITEMS: "000",
    Column.CITY: "Санкт-Петербург",
    Column.TRACKING: "RP000000000RU",
}


class OrdersView(QTableView):
    def __init__(self, model: OrdersTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._orders = model
        self._kept: list[str] = []
        self._kept_current: str | None = None
        self._kept_scroll = 0
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row size work on a reset
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.reset_column_widths()
        # Set the indicator before enabling sorting: enabling calls model.sort() with it.
        header.setSortIndicator(model.sort_column, model.sort_order)
        self.setSortingEnabled(True)
        model.modelAboutToBeReset.connect(self._remember_selection)
        model.modelReset.connect(self._restore_selection)

    def reset_column_widths(self) -> None:
        cell = self.fontMetrics()
        head = self.horizontalHeader().fontMetrics()
        samples = dict(_SAMPLES)
        # The statuses of postings still at the desk; longer ones (and the pending-sync mark, which the
        # italic font and the tooltip also tell) are elided, so the Delivery column fits at 1280 px.
        statuses = [wording.posting_status(s) for s in ("awaiting_packaging", "awaiting_deliver", "delivering")]
        samples[Column.STATUS] = max(statuses, key=cell.horizontalAdvance)
        samples[Column.DELIVERY] = _DELIVERY_SAMPLE
        # Built here, not at import: the translators are installed by then.
        clocks = (timedelta(hours=-44), timedelta(days=-99), timedelta(minutes=-59), timedelta(hours=44))
        countdowns = [cells.countdown(delta) for delta in clocks]
        samples[Column.SHIP_BY] = "00.00 00:00 · " + max(countdowns, key=cell.horizontalAdvance)
        for column in Column:
            title = head.horizontalAdvance(cells.header(column)) + 22  # room for the sort arrow
            content = cell.horizontalAdvance(samples[column]) + 10  # the cell margins, no more
            self.setColumnWidth(column, max(title, content))

    def selected_postings(self) -> list[str]:
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        numbers = (self._orders.posting_number(row) for row in rows)
        return [n for n in numbers if n is not None]

    def _remember_selection(self) -> None:
        self._kept = self.selected_postings()
        current = self.currentIndex()
        self._kept_current = current.data(POSTING_NUMBER_ROLE) if current.isValid() else None
        self._kept_scroll = self.verticalScrollBar().value()

    def _restore_selection(self) -> None:
        kept, self._kept = self._kept, []
        selection = QItemSelection()
        last_column = self._orders.columnCount() - 1
        for number in kept:
            row = self._orders.row_of(number)
            if row is not None:
                selection.select(self._orders.index(row, 0), self._orders.index(row, last_column))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        if self._kept_current is not None:
            row = self._orders.row_of(self._kept_current)
            if row is not None:
                self.selectionModel().setCurrentIndex(
                    self._orders.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        self.verticalScrollBar().setValue(self._kept_scroll)
