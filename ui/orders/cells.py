"""What each cell of the orders table shows: text, tooltip, colours. No widgets here.

Every string is plain text. Display strings are returned verbatim (the default delegate paints
plain text); tooltips go through `plain_text.tooltip()` because Qt renders tooltips as rich text
when they look like HTML.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from app.orders.query import NOT_SHIPPED, Column, OrderRow, Urgency
from ui import plain_text, wording

OVERDUE_BACKGROUND = QColor("#f4a6a6")  # red: ship-by has passed
SOON_BACKGROUND = QColor("#ffd08a")  # orange: ship-by within 24 h
URGENT_TEXT = QColor("#1b1b1b")  # the light backgrounds need dark text in a dark theme too

_BACKGROUNDS = {Urgency.OVERDUE: QBrush(OVERDUE_BACKGROUND), Urgency.SOON: QBrush(SOON_BACKGROUND)}
_URGENT_TEXT_BRUSH = QBrush(URGENT_TEXT)


# Literal `translate("Context", "text")` calls so pyside6-lupdate can collect the strings.
translate = QCoreApplication.translate


def header(column: Column) -> str:
    return {
        Column.POSTING: translate("OrdersTable", "Posting"),
        Column.ORDER: translate("OrdersTable", "Order"),
        Column.STATUS: translate("OrdersTable", "Status"),
        Column.SHIP_BY: translate("OrdersTable", "Ship by"),
        Column.DELIVERY: translate("OrdersTable", "Delivery method"),
        Column.ITEMS: translate("OrdersTable", "Items"),
        Column.CITY: translate("OrdersTable", "Buyer city"),
        Column.TRACKING: translate("OrdersTable", "Tracking number"),
    }[column]


def countdown(delta: timedelta) -> str:
    """`delta` = ship-by minus now: "in 5 h", "in 40 min", "overdue 2 h", "overdue 3 d".

    Abbreviated units need no plural forms in Russian or Chinese, so these are `{n}` strings (also:
    pyside6-lupdate does not see plural forms in module-level `translate()` calls).
    """
    minutes = int(abs(delta).total_seconds() // 60)
    late = delta < timedelta(0)
    if minutes < 60:
        n = max(minutes, 1)
        text = translate("OrdersTable", "overdue {n} min") if late else translate("OrdersTable", "in {n} min")
    elif minutes < 48 * 60:
        n = minutes // 60
        text = translate("OrdersTable", "overdue {n} h") if late else translate("OrdersTable", "in {n} h")
    else:
        n = minutes // (24 * 60)
        text = translate("OrdersTable", "overdue {n} d") if late else translate("OrdersTable", "in {n} d")
    return text.format(n=n)


def ship_by(row: OrderRow, now: datetime) -> str:
    if row.shipment_date is None:
        return "—"
    text = wording.local_time(row.shipment_date)
    if row.shown_status in NOT_SHIPPED:  # the clock only matters until the parcel is handed over
        text += " · " + countdown(row.shipment_date - now)
    return text


def pending_mark() -> str:
    return translate("OrdersTable", "(pending sync)")


def status(row: OrderRow) -> str:
    text = wording.posting_status(row.shown_status)
    if row.pending_sync:
        text += " " + pending_mark()
    return text


def display(row: OrderRow, column: Column, now: datetime) -> str:
    if column is Column.POSTING:
        return row.posting_number
    if column is Column.ORDER:
        return row.order_number
    if column is Column.STATUS:
        return status(row)
    if column is Column.SHIP_BY:
        return ship_by(row, now)
    if column is Column.DELIVERY:
        if row.is_express:
            return translate("OrdersTable", "Express") + " · " + row.delivery_method
        return row.delivery_method
    if column is Column.ITEMS:
        return str(row.item_count)
    if column is Column.CITY:
        return row.city
    return row.tracking_number


def tooltip(row: OrderRow, column: Column) -> str | None:
    """Tooltips are plain text by construction (see ui/plain_text.py)."""
    if column is Column.STATUS and row.pending_sync:
        text = translate(
            "OrdersTable", "Ozon status: {ozon}. Your action is saved and waits to be sent to Ozon."
        ).format(ozon=wording.posting_status(row.status))
    elif column is Column.SHIP_BY and row.shipment_date is not None:
        text = translate("OrdersTable", "Hand over to the carrier by {when} (local time)").format(
            when=row.shipment_date.astimezone().strftime("%d.%m.%Y %H:%M")
        )
    elif column is Column.CITY:
        parts = (row.customer_name, row.city, row.address)  # remote text of any length: clipped
        text = "\n".join(plain_text.clipped(part, 300, 60) for part in parts if part)
    elif column is Column.DELIVERY:
        text = plain_text.clipped(row.delivery_method, 300, 60)
    else:
        return None
    return plain_text.tooltip(text) if text else None


def background(row: OrderRow, now: datetime) -> QBrush | None:
    return _BACKGROUNDS.get(row.urgency(now))


def foreground(row: OrderRow, now: datetime) -> QBrush | None:
    return _URGENT_TEXT_BRUSH if row.urgency(now) is not Urgency.NONE else None


def alignment(column: Column) -> Qt.AlignmentFlag | None:
    if column is Column.ITEMS:
        return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return None
