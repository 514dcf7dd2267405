"""The posting's items, large: name, then (smaller) offer id and barcodes, what Ozon requires of the
line (marking codes, the customs number), and scanned / needed. A handful of rows, fixed while the
posting is on the desk, so a QTableWidget is fine here (no model needed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.workflows.packing.outcomes import PackLine
from ui import plain_text

DONE = QColor("#c8e6c9")  # every unit of the line is in a box
LAST = QColor("#fff59d")  # the line the last good scan counted
TEXT = QColor("#111111")
NAME_SHARE = 0.45  # of the table's width, whatever the other columns hold
MIN_NAME_PX = 320


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
        # A name is read whole (rows grow to fit it); a barcode too wide for its capped column is elided.
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # widths decided by _fit_columns
        header.setStretchLastSection(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        self._fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The name wins: it keeps at least `NAME_SHARE` of the width; the count and Ozon's needs get
        what they need, and the offer id / barcodes column what is left up to its content (a long
        barcode is elided, whole in the tooltip)."""
        avail = self.viewport().width()
        if avail <= 0:
            return
        header = self.horizontalHeader()
        wanted = {
            column: max(self.sizeHintForColumn(column), header.sectionSizeHint(column))
            for column in (self.IDS, self.NEEDS, self.COUNT)
        }
        if self.isColumnHidden(self.NEEDS):
            wanted[self.NEEDS] = 0
        name_min = max(int(avail * NAME_SHARE), min(MIN_NAME_PX, avail // 2))
        side = avail - name_min  # what the three narrow columns share, at most
        count = min(wanted[self.COUNT], side // 3)
        needs = min(wanted[self.NEEDS], (side - count) // 2)
        ids = max(0, min(wanted[self.IDS], side - count - needs))
        self.setColumnWidth(self.COUNT, count)
        self.setColumnWidth(self.NEEDS, needs)
        self.setColumnWidth(self.IDS, ids)
        self.setColumnWidth(self.NAME, avail - count - needs - ids)
        self.resizeRowsToContents()
