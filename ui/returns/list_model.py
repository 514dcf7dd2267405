"""The returns table: ids of the filter in display order, rows (`ReturnListRow`) fetched by id.

Remote text (product names, Ozon's statuses, places) is returned raw for DisplayRole: the default
delegate paints plain text. The deadline column is worked out from `now()` whenever it is painted;
the page calls `repaint()` each minute."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from app.returns.listing import ReturnListRow
from ui import plain_text
from ui.returns import texts
from ui.tasks import TaskManager
from ui.widgets.ids_model import IdsModel


class ReturnColumn(IntEnum):
    RETURN = 0
    PRODUCT = 1
    STATUS = 2
    DEADLINE = 3


class ReturnsModel(IdsModel):
    def __init__(
        self,
        tasks: TaskManager,
        fetch: Callable[[Sequence[Any]], dict[Any, Any]],
        now: Callable[[], datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(tasks, fetch, parent)
        self._now = now

    def headers(self) -> Sequence[str]:
        return (self.tr("Return"), self.tr("Product"), self.tr("Where it is"), self.tr("Decide within"))

    def item(self, row: int) -> ReturnListRow | None:
        found = self.row_at(row)
        return found if isinstance(found, ReturnListRow) else None

    def cell(self, row: Any, column: int, role: int) -> Any:
        r: ReturnListRow = row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ReturnColumn.RETURN:
                return (r.return_number or str(r.return_id)) + "\n" + r.posting_number
            if column == ReturnColumn.PRODUCT:
                return f"{r.product_name}\n{r.offer_id} · ×{r.quantity}"
            if column == ReturnColumn.STATUS:
                status = r.status_name or r.status
                if r.local_status:
                    status = self.tr("waiting to be sent: {decision}").format(decision=r.local_status)
                second = " · ".join(p for p in (r.place, texts.storage(r.storage_from, self._now())) if p)
                return texts.kind(r.kind) + " · " + status + ("\n" + second if second else "")
            if column == ReturnColumn.DEADLINE:
                if r.local_status:
                    return self.tr("decided")
                return texts.countdown(r.countdown(self._now()))
        if role == Qt.ItemDataRole.ForegroundRole and column == ReturnColumn.DEADLINE and not r.local_status:
            return texts.colour(r.countdown(self._now()))
        if role == Qt.ItemDataRole.FontRole and column == ReturnColumn.DEADLINE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == ReturnColumn.DEADLINE:
                return texts.sentence(r.countdown(self._now())) or None
            return plain_text.tooltip(plain_text.clipped(r.product_name, 300, 60))
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
