"""Small table models of the detail pane: a posting's items and its history.

Both hold a tuple of frozen rows handed over from a worker; `set_rows` resets the model. Every
string is plain text (product names and errors come from Ozon).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QLocale,
    QObject,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QPixmap

from app.domain.money import currency_symbol
from app.orders.detail import HistoryLine
from app.outbox import OutboxState
from app.repos.postings import ItemDetail
from ui import plain_text, wording
from ui.orders import thumbnails
from ui.widgets.rows_model import RowsModel

translate = QCoreApplication.translate
_STATE_COLOURS = {
    OutboxState.PENDING: QColor("#8d6e00"),
    OutboxState.IN_FLIGHT: QColor("#8d6e00"),
    OutboxState.CONFLICT: QColor("#b71c1c"),
    OutboxState.FAILED: QColor("#616161"),
    OutboxState.DONE: QColor("#1b5e20"),
}


def money(amount: Decimal, currency: str) -> str:
    text = QLocale().toString(float(amount), "f", 2)
    return f"{text} {currency_symbol(currency)}"


def _barcodes(codes: Sequence[str]) -> str:
    """The first barcode (the tooltip lists them all)."""
    return codes[0] if codes else "—"


class ItemColumn(enum.IntEnum):
    NAME = 0
    CODES = 1  # barcode over offer id: two short lines leave the product name room in a narrow pane
    QUANTITY = 2
    PRICE = 3


class ItemsModel(RowsModel):
    """The posting's items; the name cell carries the thumbnail (local cache or a placeholder)."""

    def __init__(self, images_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._images_dir = images_dir
        self._pixmaps: dict[int, QPixmap] = {}
        self._placeholder: QPixmap | None = None

    def set_rows(self, rows: Sequence[ItemDetail]) -> None:
        self._pixmaps.clear()
        super().set_rows(rows)

    def headers(self) -> Sequence[str]:
        return (
            translate("PostingItems", "Product"),
            translate("PostingItems", "Barcode / offer ID"),
            translate("PostingItems", "Qty"),
            translate("PostingItems", "Price"),
        )

    def cell(self, item: ItemDetail, col: int, role: int) -> Any:
        column = ItemColumn(col)
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                ItemColumn.NAME: item.name,
                ItemColumn.CODES: _barcodes(item.barcodes) + "\n" + (item.offer_id or "—"),
                ItemColumn.QUANTITY: str(item.quantity),
                ItemColumn.PRICE: money(item.price, item.currency),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column is ItemColumn.NAME:
            return plain_text.tooltip(f"{item.name}\nSKU {item.sku}")
        if role == Qt.ItemDataRole.ToolTipRole and column is ItemColumn.CODES and item.barcodes:
            return plain_text.tooltip("\n".join(item.barcodes))
        if role == Qt.ItemDataRole.DecorationRole and column is ItemColumn.NAME:
            return self._thumbnail(item.sku)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ItemColumn.QUANTITY, ItemColumn.PRICE):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _thumbnail(self, sku: int) -> QPixmap:
        cached = self._pixmaps.get(sku)
        if cached is not None:
            return cached
        path = thumbnails.find(self._images_dir, sku)
        pixmap = thumbnails.load(path) if path is not None else None
        if pixmap is None:
            if self._placeholder is None:
                self._placeholder = thumbnails.placeholder()
            pixmap = self._placeholder
        self._pixmaps[sku] = pixmap
        return pixmap


class HistoryColumn(enum.IntEnum):
    TIME = 0
    WHAT = 1
    STATE = 2
    DETAIL = 3


class HistoryModel(RowsModel):
    """Scans, prints and actions of one posting, oldest first; actions show their sync state."""

    def headers(self) -> Sequence[str]:
        return (
            translate("PostingHistory", "When"),
            translate("PostingHistory", "What"),
            translate("PostingHistory", "Sync"),
            translate("PostingHistory", "Details"),
        )

    def line(self, row: int) -> HistoryLine | None:
        line: HistoryLine | None = self.row_at(row)
        return line

    def cell(self, line: HistoryLine, col: int, role: int) -> Any:
        column = HistoryColumn(col)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is HistoryColumn.DETAIL:
            text = self._text(line, column)
            return plain_text.tooltip(text) if text else None
        if role == Qt.ItemDataRole.ForegroundRole and column is HistoryColumn.STATE and line.action is not None:
            return QBrush(_STATE_COLOURS[line.action.state])
        return None

    @staticmethod
    def _text(line: HistoryLine, column: HistoryColumn) -> str:
        if column is HistoryColumn.TIME:
            return wording.local_time(line.at)
        if line.event is not None:
            if column is HistoryColumn.WHAT:
                return wording.event(line.event.kind)
            if column is HistoryColumn.STATE:
                return ""
            user = f" ({line.event.user})" if line.event.user else ""
            return line.event.detail + user
        action = line.action
        assert action is not None
        if column is HistoryColumn.WHAT:
            return wording.action(action.action)
        if column is HistoryColumn.STATE:
            return wording.action_state(action.state)
        return action.last_error
