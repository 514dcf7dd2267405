"""Search and filters above the orders table: warehouse, delivery method, FBS/rFBS, ship-by.

Signals:
    changed(): the search text (debounced) or a filter changed; read `current()`.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from app.orders.filters import Deadline, OrderFilter, Scheme
from app.repos.postings import Choice

SEARCH_DELAY_MS = 150  # typing pauses this long before the query runs


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("orderSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search: posting, order, SKU, offer ID, product name"))
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.search.placeholderText()) + 40)
        self.search.setMaxLength(200)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.flush)

        self.warehouse = self._combo("warehouseFilter", self.tr("All warehouses"))
        self.delivery = self._combo("deliveryFilter", self.tr("All delivery methods"))
        self.scheme = self._combo("schemeFilter", self.tr("FBS and rFBS"))
        self.scheme.addItem(self.tr("FBS only"), Scheme.FBS.value)
        self.scheme.addItem(self.tr("rFBS only"), Scheme.RFBS.value)
        self.deadline = self._combo("deadlineFilter", self.tr("Any ship-by date"))
        self.deadline.addItem(self.tr("Ship by today"), Deadline.TODAY.value)
        self.deadline.addItem(self.tr("Overdue"), Deadline.OVERDUE.value)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 2)
        for combo in (self.warehouse, self.delivery, self.scheme, self.deadline):
            layout.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Long warehouse and delivery names are elided; the list itself shows them in full.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(max(12, len(everything)))
        combo.addItem(everything, None)
        return combo

    def flush(self) -> None:
        """Apply a pending search now (Enter, or a scanner's trailing Enter)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    @property
    def search_pending(self) -> bool:
        return self._debounce.isActive()

    def current(self, base: OrderFilter) -> OrderFilter:
        """`base` (the status tab) with this bar's filters."""
        scheme, deadline = self.scheme.currentData(), self.deadline.currentData()
        return base.replace(
            warehouse_id=self.warehouse.currentData(),
            delivery_method_id=self.delivery.currentData(),
            scheme=Scheme(scheme) if scheme else None,
            deadline=Deadline(deadline) if deadline else None,
            search=self.search.text(),
        )

    def set_choices(self, warehouses: list[Choice], methods: list[Choice]) -> None:
        """Fill the warehouse and delivery lists, keeping what is chosen (no `changed` on refill)."""
        for combo, choices in ((self.warehouse, warehouses), (self.delivery, methods)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for choice in choices:
                combo.addItem(choice.name or str(choice.id), choice.id)  # combo items are plain text
            index = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            if chosen is not None and index < 0:
                self.changed.emit()  # the chosen entry is gone: the filter widened

    def clear(self) -> None:
        for combo in (self.warehouse, self.delivery, self.scheme, self.deadline):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._debounce.stop()
        self.changed.emit()
