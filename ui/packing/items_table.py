"""The posting's items, large: name, then (smaller) offer id and barcodes, what Ozon requires of the
line (marking codes, the customs number), and scanned / needed. A handful of rows, fixed while the
posting is on the desk, so a QTableWidget is fine here (no model needed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.workflows.packing.outcomes import PackLine
from ui import plain_text

DONE = QColor("#c8e6c9")  # every unit of the line is in a box
LAST = QColor("#fff59d")  # the line the last good scan counted
TEXT = QColor("#111111")


class ItemsTable(QTableWidget):
    NAME, IDS, NEEDS, COUNT = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setObjectName("packItems")
        titles = [self.tr("Product"), self.tr("Offer ID / barcode"), self.tr("Ozon needs"), self.tr("Scanned")]
        self.setHorizontalHeaderLabels(titles)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)  # a name is read whole, on two lines if need be
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (self.IDS, self.NEEDS, self.COUNT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        font = QFont(self.font())
        font.setPointSizeF(18)
        self.setFont(font)
        self._count_font = QFont(font)
        self._count_font.setPointSizeF(30)
        self._count_font.setBold(True)
        self._small_font = QFont(font)
        self._small_font.setPointSizeF(13)
        head = QFont(font)
        head.setPointSizeF(12)
        header.setFont(head)
        self.verticalHeader().setMinimumSectionSize(64)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _needs(self, line: PackLine) -> str:
        """What Ozon requires of the line besides scanning, in a few words: codes scanned per unit,
        and whether the customs number is given (the number itself is in the history)."""
        parts = []
        if line.needs_mark:
            parts.append(self.tr("Codes {marked}/{needed}").format(marked=line.marked, needed=line.needed))
        if line.needs_customs:
            if line.gtd_absent:
                parts.append(self.tr("No ГТД"))
            elif line.gtd:
                parts.append(self.tr("ГТД ✓"))
            else:
                parts.append(self.tr("ГТД missing"))
        return "\n".join(parts)

    def show_lines(self, lines: tuple[PackLine, ...], last_sku: int = 0) -> None:
        self.setRowCount(len(lines))
        self.setColumnHidden(self.NEEDS, not any(line.needs_mark or line.needs_customs for line in lines))
        for row, line in enumerate(lines):
            # Product names come from Ozon (remote text): items paint plain text; tooltips defused.
            cells = [
                line.name,
                "\n".join([line.offer_id, *line.barcodes[:2]]),
                self._needs(line),
                f"{line.scanned} / {line.needed}",
            ]
            for column, text in enumerate(cells):
                item = self.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(row, column, item)
                item.setText(text)
                item.setToolTip(plain_text.tooltip(text))
                item.setForeground(QBrush(TEXT))
                done = line.remaining == 0 and not line.marks_missing and not line.customs_missing
                colour = DONE if done else LAST if line.sku == last_sku else None
                item.setBackground(QBrush(colour) if colour is not None else QBrush())
                if column == self.COUNT:
                    item.setFont(self._count_font)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                elif column != self.NAME:
                    item.setFont(self._small_font)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
