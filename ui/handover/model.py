"""The postings of one delivery method waiting for handover (or, rFBS, for delivery)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.workflows.delivery import Stage
from app.workflows.handover import HandoverPosting
from ui import plain_text, wording

Index = QModelIndex | QPersistentModelIndex
_PENDING = QColor("#8d6e00")


class HandoverModel(QAbstractTableModel):
    POSTING, STATUS, SHIP_BY, ITEMS, TRACKING, CITY, STATE = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[HandoverPosting, ...] = ()

    def set_rows(self, rows: tuple[HandoverPosting, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def posting(self, row: int) -> HandoverPosting:
        return self._rows[row]

    def row_of(self, posting_number: str) -> int | None:
        return next((i for i, p in enumerate(self._rows) if p.posting_number == posting_number), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = [
            self.tr("Posting"),
            self.tr("Status"),
            self.tr("Ship by"),
            self.tr("Items"),
            self.tr("Tracking number"),
            self.tr("City"),
            self.tr("Handover"),
        ]
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(p, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.CITY, self.TRACKING):
            return plain_text.tooltip(self._text(p, column))  # remote text: never rich
        pending = p.pending or p.tracking_pending
        if role == Qt.ItemDataRole.ForegroundRole and pending and column in (self.STATUS, self.TRACKING, self.STATE):
            return QBrush(_PENDING)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.ITEMS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, p: HandoverPosting, column: int) -> str:
        if column == self.POSTING:
            return p.posting_number
        if column == self.STATUS:
            text = wording.posting_status(p.status)
            return self.tr("{status} (pending sync)").format(status=text) if p.pending else text
        if column == self.SHIP_BY:
            return wording.local_time(p.shipment_date) if p.shipment_date else ""
        if column == self.ITEMS:
            return str(p.items)
        if column == self.TRACKING:
            if p.tracking_pending:
                return self.tr("{tracking} (pending sync)").format(tracking=p.tracking_number)
            return p.tracking_number
        if column == self.CITY:
            return p.city
        if column == self.STATE:
            return self._state(p)
        return ""

    def _state(self, p: HandoverPosting) -> str:
        if not p.is_rfbs:
            return self.tr("In a carriage") if p.in_carriage else self.tr("Ready for a carriage")
        return {
            Stage.NOT_SHIPPED: self.tr("Not packed"),
            Stage.AWAITING_DELIVER: self.tr("Packed: hand to the courier"),
            Stage.DELIVERING: self.tr("Delivering"),
            Stage.LAST_MILE: self.tr("Last mile"),
            Stage.DELIVERED: self.tr("Delivered"),
            Stage.CLOSED: self.tr("Closed"),
        }[p.stage]
