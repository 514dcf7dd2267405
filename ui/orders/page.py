"""The Orders page: a status filter above the orders table."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from app.clock import Clock
from app.db.engine import Database
from ui import plain_text
from ui.bridge import EventBridge
from ui.orders import queries, statuses
from ui.orders.table_model import OrdersTableModel
from ui.orders.view import OrdersView
from ui.tasks import TaskManager


class OrdersPage(QWidget):
    def __init__(
        self, db: Database, clock: Clock, tasks: TaskManager, bridge: EventBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._tasks = tasks
        # Opens on the work queue (the first entry of the filter).
        self.model = OrdersTableModel(db, clock, tasks, self, statuses=statuses.TO_PACK)
        self.view = OrdersView(self.model, self)

        self.filter = QComboBox(self)
        self.filter.setObjectName("statusFilter")
        self.filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter.addItem(self.tr("To pack"), statuses.TO_PACK)
        self.filter.addItem(self.tr("All statuses"), None)
        for status in statuses.FILTER_ORDER:
            self.filter.addItem(statuses.label(status), frozenset({status}))
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.count = plain_text.label("", self)
        self.count.setObjectName("orderCount")

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(plain_text.label(self.tr("Status:"), self))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.model.refreshed.connect(self._update_counts)
        bridge.postings_changed.connect(self.model.refresh)
        # A sent, refused or dropped action changes local_status (the "pending sync" mark); the
        # engine pushes after it pulls, so that change comes with OutboxChanged, not PostingsChanged.
        bridge.outbox_changed.connect(self.model.refresh)
        bridge.conflict_detected.connect(self.model.refresh)
        self._update_counts()

    def _filter_changed(self, _index: int) -> None:
        self.model.set_status_filter(self.filter.currentData())

    def _update_counts(self) -> None:
        self.count.setText(self.tr("Postings: %Ln", "", self.model.total()))
        db = self._db

        def read() -> dict[str, int]:
            with db.read() as session:
                return queries.status_counts(session)

        self._tasks.run_db(read, on_done=self._show_status_counts)

    def _show_status_counts(self, counts: dict[str, int]) -> None:
        locale = QLocale()
        for i in range(self.filter.count()):
            wanted = self.filter.itemData(i)
            n = sum(counts.values()) if wanted is None else sum(counts.get(s, 0) for s in wanted)
            self.filter.setItemText(i, f"{self._filter_title(wanted)} ({locale.toString(n)})")

    def _filter_title(self, wanted: frozenset[str] | None) -> str:
        if wanted is None:
            return self.tr("All statuses")
        if wanted == statuses.TO_PACK:
            return self.tr("To pack")
        return statuses.label(next(iter(wanted)))
