"""The Analytics page's tables: what the seller reads beside each chart and what the exports write.

Cells keep their values (numbers, dates, Decimal money); units are in the headers ("Share, %",
"Median, h"), so a spreadsheet can compute with an export. The page formats them for the screen.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QCoreApplication

from app.analytics.export import Cell, Table
from app.analytics.report import Report
from app.domain.money import currency_symbol

translate = QCoreApplication.translate


def percent(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600.0, 1)


def orders_table(report: Report) -> Table:
    """A revenue column per currency (RUB alone: one, "Revenue, ₽")."""
    currencies = report.orders.currencies
    rows: list[list[Cell]] = [
        [d.day, d.orders, d.cancelled, *(d.revenues[c] for c in currencies)] for d in report.orders.days
    ]
    title = translate("AnalyticsTables", "Orders and revenue")
    return Table(
        title,
        [
            translate("AnalyticsTables", "Day"),
            translate("AnalyticsTables", "Orders"),
            translate("AnalyticsTables", "Cancelled"),
            *(
                translate("AnalyticsTables", "Revenue, {currency}").format(currency=currency_symbol(c))
                for c in currencies
            ),
        ],
        rows,
    )


def shipping_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [d.day, d.on_time, d.late, percent(d.on_time_share)] for d in report.shipping.days if d.on_time or d.late
    ]
    headers = [
        translate("AnalyticsTables", "Ship-by day"),
        translate("AnalyticsTables", "On time"),
        translate("AnalyticsTables", "Late"),
        translate("AnalyticsTables", "On time, %"),
    ]
    return Table(translate("AnalyticsTables", "Shipped on time"), headers, rows)


def packing_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [
            p.user or translate("AnalyticsTables", "(nobody signed in)"),
            p.packed,
            p.refused_scans,
            p.overrides,
            _round(p.per_100),
        ]
        for p in report.packing
    ]
    headers = [
        translate("AnalyticsTables", "Packer"),
        translate("AnalyticsTables", "Packed"),
        translate("AnalyticsTables", "Refused scans"),
        translate("AnalyticsTables", "Overrides"),
        translate("AnalyticsTables", "Errors per 100 packed"),
    ]
    return Table(translate("AnalyticsTables", "Packing errors"), headers, rows)


def replies_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [d.day, d.waits, d.within_24h, percent(d.within_24h / d.waits if d.waits else None), hours(d.median)]
        for d in report.replies.days
        if d.waits
    ]
    headers = [
        translate("AnalyticsTables", "Day"),
        translate("AnalyticsTables", "Buyer messages"),
        translate("AnalyticsTables", "Answered within 24 h"),
        translate("AnalyticsTables", "Within 24 h, %"),
        translate("AnalyticsTables", "Median, h"),
    ]
    return Table(translate("AnalyticsTables", "Chat first reply"), headers, rows)


def returns_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [
            p.sku,
            p.offer_id,
            p.name,
            p.sold,
            p.returned,
            percent(p.rate),
            p.top_reason or translate("AnalyticsTables", "(no reason)"),
        ]
        for p in report.returns.products
    ]
    headers = [
        translate("AnalyticsTables", "SKU"),
        translate("AnalyticsTables", "Article"),
        translate("AnalyticsTables", "Product"),
        translate("AnalyticsTables", "Sold"),
        translate("AnalyticsTables", "Returned"),
        translate("AnalyticsTables", "Return rate, %"),
        translate("AnalyticsTables", "Top reason"),
    ]
    return Table(translate("AnalyticsTables", "Returns by product"), headers, rows)


def reasons_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [r.reason or translate("AnalyticsTables", "(no reason)"), r.returns] for r in report.returns.reasons
    ]
    return Table(
        translate("AnalyticsTables", "Return reasons"),
        [translate("AnalyticsTables", "Reason"), translate("AnalyticsTables", "Returns")],
        rows,
    )


def rating_table(report: Report) -> Table:
    rows: list[list[Cell]] = [[w.week, w.reviews, _round(w.average, 2)] for w in report.rating.weeks]
    return Table(
        translate("AnalyticsTables", "Rating by week"),
        [
            translate("AnalyticsTables", "Week of"),
            translate("AnalyticsTables", "Reviews"),
            translate("AnalyticsTables", "Average rating"),
        ],
        rows,
    )


def all_tables(report: Report) -> list[Table]:
    return [
        orders_table(report),
        shipping_table(report),
        packing_table(report),
        replies_table(report),
        returns_table(report),
        reasons_table(report),
        rating_table(report),
    ]


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
