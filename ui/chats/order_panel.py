"""The order beside the chat: status, ship-by, tracking and items, a jump to it on the Orders page and
"Ask Ozon support" about it. Filled from `app.orders.detail.PostingDetail` the page has read.

Signals:
    posting_requested(str posting_number): show this posting on the Orders page.
    escalation_requested(str posting_number): open the "Ask Ozon support" dialog.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.orders.detail import PostingDetail
from app.orders.query import NOT_SHIPPED
from ui import plain_text, wording
from ui.orders import cells


class OrderPanel(QWidget):
    posting_requested = Signal(str)
    escalation_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatOrder")
        self.posting_number = ""
        self.title = plain_text.label(self.tr("Order"), self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.none = plain_text.label(self.tr("This chat is not about an order."), self)
        self.none.setWordWrap(True)
        self.fields: dict[str, QLabel] = {}
        self.details = QWidget(self)
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for key, title in (
            ("status", self.tr("Status")),
            ("ship_by", self.tr("Ship by")),
            ("tracking", self.tr("Tracking")),
            ("items", self.tr("Items")),
        ):
            value = plain_text.label("", self.details)
            value.setObjectName(f"chatOrder_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(plain_text.label(title, self.details), value)
        self.open_button = QPushButton(self.tr("Show in Orders"), self)
        self.open_button.setObjectName("showInOrders")
        self.open_button.clicked.connect(lambda: self.posting_requested.emit(self.posting_number))
        self.support_button = QPushButton(self.tr("Ask Ozon support…"), self)
        self.support_button.setObjectName("askSupport")
        self.support_button.setToolTip(self.tr("Write to Ozon's seller support about this posting"))
        self.support_button.clicked.connect(lambda: self.escalation_requested.emit(self.posting_number))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.none)
        layout.addWidget(self.details)
        layout.addWidget(self.open_button)
        layout.addWidget(self.support_button)
        layout.addStretch(1)
        self.show_detail(None, None)

    def show_detail(self, detail: PostingDetail | None, now: datetime | None) -> None:
        has = detail is not None
        for widget in (self.details, self.open_button, self.support_button):
            widget.setVisible(has)
        self.none.setVisible(not has)
        if detail is None or now is None:
            self.posting_number = ""
            self.title.setText(self.tr("Order"))
            return
        posting = detail.cached.posting
        self.posting_number = posting.posting_number
        self.title.setText(self.tr("Order {number}").format(number=posting.posting_number))
        self.fields["status"].setText(wording.posting_status(detail.cached.shown_status))
        ship_by = "—"
        if posting.shipment_date is not None:
            ship_by = posting.shipment_date.astimezone().strftime("%d.%m.%Y %H:%M")
            if detail.cached.shown_status in NOT_SHIPPED:
                ship_by += " · " + cells.countdown(posting.shipment_date - now)
        self.fields["ship_by"].setText(ship_by)
        self.fields["tracking"].setText(posting.tracking_number or "—")
        lines = [f"{item.quantity} × {plain_text.clipped(item.name, 120)}" for item in detail.items]
        self.fields["items"].setText("\n".join(lines) or "—")
