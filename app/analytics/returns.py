"""Returns by product: returned units against units sold in the period, and the reasons given.

Returns are counted on the local day they were created (`returns.created_at`, FBS/FBO returns and rFBS
requests alike), units sold on the day their posting was taken into work, cancelled postings left out
(app/analytics/orders.py). The rate of a SKU is returned units / units sold in the same period: a
return of something sold before the period still counts as a return, so a rate can pass 100 %, and a
SKU with returns and no sales in the period has no rate. With a warehouse chosen, only returns of that
warehouse's postings count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.analytics.orders import posting_filter
from app.analytics.period import Period, chunks, in_period, share
from app.db.analytics_tables import CANCELLED, NOT_CANCELLED
from app.db.tables import PostingItemRow, PostingRow, ReturnRow

TOP_REASONS = 10
SKUS_A_STATEMENT = 500


@dataclass(frozen=True, slots=True)
class SkuReturns:
    sku: int
    offer_id: str
    name: str
    sold: int  # units
    returned: int  # units
    top_reason: str

    @property
    def rate(self) -> float | None:
        return share(self.returned, self.sold)


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: str  # "" = none given
    returns: int


@dataclass(frozen=True, slots=True)
class ReturnsFigure:
    products: list[SkuReturns]  # SKUs with returns, most returned units first
    reasons: list[ReasonCount]  # the most frequent first, at most TOP_REASONS
    sold: int  # units sold in the period, every SKU
    returned: int

    @property
    def rate(self) -> float | None:
        return share(self.returned, self.sold)


def returns_by_product(session: Session, period: Period) -> ReturnsFigure:
    r = ReturnRow
    where = [in_period(r.created_at, period)]
    if period.warehouse_id is not None:
        # Each return's posting looked up by its number (not every posting of the warehouse listed).
        where.append(
            select(PostingRow.posting_number)
            .where(PostingRow.posting_number == r.posting_number, PostingRow.warehouse_id == period.warehouse_id)
            .exists()
        )
    by_reason: dict[int, dict[str, int]] = {}
    units: dict[int, int] = {}
    names: dict[int, tuple[str, str]] = {}
    reasons: dict[str, int] = {}
    stmt = (
        select(r.sku, r.reason, func.count(), func.sum(r.quantity), func.max(r.offer_id), func.max(r.product_name))
        .where(*where)
        .group_by(r.sku, r.reason)
    )
    for sku, reason, n, qty, offer_id, name in session.execute(stmt).tuples():
        reason = (reason or "").strip()
        by_reason.setdefault(sku, {})[reason] = by_reason.get(sku, {}).get(reason, 0) + int(n)
        units[sku] = units.get(sku, 0) + int(qty or 0)
        names[sku] = (offer_id or "", name or "")
        reasons[reason] = reasons.get(reason, 0) + int(n)
    sold = _sold(session, period, sorted(units))
    sold_total = session.scalar(
        select(func.sum(PostingRow.units)).where(NOT_CANCELLED, *posting_filter(period))  # ix_postings_revenue
    )
    products = [
        SkuReturns(
            sku,
            names[sku][0],
            names[sku][1],
            sold.get(sku, 0),
            units[sku],
            max(by_reason[sku].items(), key=lambda kv: (kv[1], kv[0]))[0],
        )
        for sku in units
    ]
    products.sort(key=lambda p: (-p.returned, p.sku))
    top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
    return ReturnsFigure(products, [ReasonCount(k, v) for k, v in top], int(sold_total or 0), sum(units.values()))


def _sold(session: Session, period: Period, skus: list[int]) -> dict[int, int]:
    """Units sold of these SKUs: their items taken into work in the period (each item carries its posting's
    day and warehouse: ix_posting_items_sku_sold, a range a SKU), less those of cancelled postings (few:
    read from the partial ix_postings_cancelled, their items by posting number)."""
    i = PostingItemRow
    sold: dict[int, int] = {}
    for part in chunks(skus, SKUS_A_STATEMENT):
        where = [i.sku.in_(part), in_period(i.in_process_at, period)]
        if period.warehouse_id is not None:
            where.append(i.warehouse_id == period.warehouse_id)
        for sku, qty in session.execute(select(i.sku, func.sum(i.quantity)).where(*where).group_by(i.sku)).tuples():
            sold[int(sku)] = int(qty or 0)
    cancelled = (
        select(i.sku, func.sum(i.quantity))
        .join(PostingRow, PostingRow.posting_number == i.posting_number)
        .where(CANCELLED, *posting_filter(period))
        .group_by(i.sku)
    )
    for sku, qty in session.execute(cancelled).tuples():
        if int(sku) in sold:
            sold[int(sku)] -= int(qty or 0)
    return sold
