"""The Analytics page's tables: what the seller reads beside each chart and what the exports write.

Cells keep their values (numbers, dates, Decimal money); units are in the headers ("Share, %",
"Median, h"), so a spreadsheet can compute with an export. The page formats them for the screen.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QCoreApplication

from app.analytics.export import Cell, Table
from app.analytics.report import Report


def _t(text: str) -> str:
    return QCoreApplication.translate("AnalyticsTables", text)


def percent(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600.0, 1)


def orders_table(report: Report) -> Table:
    rows: list[list[Cell]] = [[d.day, d.orders, d.cancelled, d.revenue] for d in report.orders.days]
    title = _t("Orders and revenue")
    return Table(title, [_t("Day"), _t("Orders"), _t("Cancelled"), _t("Revenue, ₽")], rows)


def shipping_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [d.day, d.on_time, d.late, percent(d.on_time_share)] for d in report.shipping.days if d.on_time or d.late
    ]
    headers = [_t("Ship-by day"), _t("On time"), _t("Late"), _t("On time, %")]
    return Table(_t("Shipped on time"), headers, rows)


def packing_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [p.user or _t("(nobody signed in)"), p.packed, p.refused_scans, p.overrides, _round(p.per_100)]
        for p in report.packing
    ]
    headers = [_t("Packer"), _t("Packed"), _t("Refused scans"), _t("Overrides"), _t("Errors per 100 packed")]
    return Table(_t("Packing errors"), headers, rows)


def replies_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [d.day, d.waits, d.within_24h, percent(d.within_24h / d.waits if d.waits else None), hours(d.median)]
        for d in report.replies.days
        if d.waits
    ]
    headers = [_t("Day"), _t("Buyer messages"), _t("Answered within 24 h"), _t("Within 24 h, %"), _t("Median, h")]
    return Table(_t("Chat first reply"), headers, rows)


def returns_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [p.sku, p.offer_id, p.name, p.sold, p.returned, percent(p.rate), p.top_reason or _t("(no reason)")]
        for p in report.returns.products
    ]
    headers = [
        _t("SKU"),
        _t("Article"),
        _t("Product"),
        _t("Sold"),
        _t("Returned"),
        _t("Return rate, %"),
        _t("Top reason"),
    ]
    return Table(_t("Returns by product"), headers, rows)


def reasons_table(report: Report) -> Table:
    rows: list[list[Cell]] = [[r.reason or _t("(no reason)"), r.returns] for r in report.returns.reasons]
    return Table(_t("Return reasons"), [_t("Reason"), _t("Returns")], rows)


def rating_table(report: Report) -> Table:
    rows: list[list[Cell]] = [[w.week, w.reviews, _round(w.average, 2)] for w in report.rating.weeks]
    return Table(_t("Rating by week"), [_t("Week of"), _t("Reviews"), _t("Average rating")], rows)


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


