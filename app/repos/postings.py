"""Postings in the local cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from app import scanner_input
from app.db.tables import PostingItemRow, PostingRow, ProductBarcodeRow, ProductRow
from app.domain.postings import FINISHED, Posting, PostingItem, PostingStatus, Requirements
from app.repos import shipped
from app.repos.upsert import upsert

_LOCAL_COLUMNS = ("local_status",)
# Buyer details Ozon leaves blank in some replies (a re-read through /v3/posting/fbs/get, a list
# without `with.…`): a blank never erases what the cache knows. Only the personal-data purge
# (app/workflows/privacy.py) blanks them, on purpose, with its own UPDATE.
_KNOWN_BUYER_COLUMNS = ("customer_name", "city", "address", "pvz_code")


@dataclass(frozen=True, slots=True)
class CachedPosting:
    """A posting as the seller sees it: Ozon's state plus any pending local intent."""

    posting: Posting
    local_status: str | None

    @property
    def shown_status(self) -> str:
        return self.local_status or self.posting.status.value

    @property
    def is_cancelled(self) -> bool:
        """Cancelled by Ozon (even while a local action still shows another status) or here."""
        return self.posting.status is PostingStatus.CANCELLED or self.local_status == PostingStatus.CANCELLED.value


def search_text(p: Posting) -> str:
    """What the seller may type to find a posting, folded so any case matches (Cyrillic too)."""
    parts = [p.posting_number, p.order_number]
    for item in p.products:
        parts += [str(item.sku), item.offer_id, item.name]
    return "\n".join(parts).casefold()


def search_pattern(text: str) -> str:
    """A LIKE pattern for `search_text`: the typed text folded, its own % and _ taken literally
    (use with escape="\\")."""
    folded = text.strip().casefold()
    return "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def total_kopecks(items: Iterable[PostingItem]) -> int:
    """Price × quantity of the items in kopecks, exact: the posting's stored `total`."""
    return sum(int((it.price * 100).to_integral_value(ROUND_HALF_UP)) * it.quantity for it in items)


def posting_currency(items: Iterable[PostingItem]) -> str:
    """The currency of the posting's `total`: its items' (Ozon prices a posting in one currency)."""
    return next((it.currency for it in items if it.currency), "RUB")


def _row_values(p: Posting, now: datetime) -> dict[str, object]:
    return {
        "total": total_kopecks(p.products),
        "currency": posting_currency(p.products),
        "units": sum(it.quantity for it in p.products),
        "posting_number": p.posting_number,
        "order_number": p.order_number,
        "order_id": p.order_id,
        "status": p.status.value,
        "substatus": p.substatus,
        "shipment_date": p.shipment_date,
        "in_process_at": p.in_process_at,
        "delivering_date": p.delivering_date,
        "delivery_method_id": p.delivery_method_id,
        "delivery_method_name": p.delivery_method_name,
        "warehouse_id": p.warehouse_id,
        "warehouse_name": p.warehouse_name,
        "tpl_provider": p.tpl_provider,
        "tpl_integration_type": p.tpl_integration_type,
        "tracking_number": p.tracking_number,
        "is_express": p.is_express,
        "customer_name": p.customer_name,
        "city": p.city,
        "address": p.address,
        "pvz_code": p.pvz_code,
        "upper_barcode": p.upper_barcode,
        "lower_barcode": p.lower_barcode,
        "scanit": p.scanit,
        "parent_posting_number": p.parent_posting_number,
        "cancel_reason": p.cancel_reason,
        "available_actions": " ".join(p.available_actions),
        "requirements": p.requirements.to_json(),
        "is_multibox": p.is_multibox,
        "multi_box_qty": p.multi_box_qty,
        "search_text": search_text(p),
        "synced_at": now,
    }


def save(session: Session, postings: Sequence[Posting], now: datetime) -> None:
    """Upsert postings with their items; keeps local columns (pending intents) untouched, and known
    buyer details when a reply leaves them blank."""
    if not postings:
        return
    upsert(
        session,
        PostingRow.__table__,  # type: ignore[arg-type]
        [_row_values(p, now) for p in postings],
        ["posting_number"],
        _LOCAL_COLUMNS,
        keep_known=_KNOWN_BUYER_COLUMNS,
    )
    numbers = [p.posting_number for p in postings]
    for start in range(0, len(numbers), 500):
        session.execute(delete(PostingItemRow).where(PostingItemRow.posting_number.in_(numbers[start : start + 500])))
    items = [
        {
            "posting_number": p.posting_number,
            "position": i,
            "sku": it.sku,
            "offer_id": it.offer_id,
            "name": it.name,
            "quantity": it.quantity,
            "price": it.price,
            "currency": it.currency,
            "in_process_at": p.in_process_at,
            "warehouse_id": p.warehouse_id,
        }
        for p in postings
        for i, it in enumerate(p.products)
    ]
    if items:
        # Core insert on the table: the ORM bulk path costs a third more for no gain here.
        session.execute(insert(PostingItemRow.__table__), items)  # type: ignore[arg-type]
    shipped.refresh(session, numbers)


def _to_domain(row: PostingRow) -> CachedPosting:
    posting = Posting(
        posting_number=row.posting_number,
        order_number=row.order_number,
        order_id=row.order_id,
        status=PostingStatus.parse(row.status),
        substatus=row.substatus,
        shipment_date=row.shipment_date,
        in_process_at=row.in_process_at,
        delivery_method_id=row.delivery_method_id,
        delivery_method_name=row.delivery_method_name,
        warehouse_id=row.warehouse_id,
        warehouse_name=row.warehouse_name,
        tpl_provider=row.tpl_provider,
        tpl_integration_type=row.tpl_integration_type,
        tracking_number=row.tracking_number,
        delivering_date=row.delivering_date,
        is_express=row.is_express,
        customer_name=row.customer_name,
        city=row.city,
        address=row.address,
        pvz_code=row.pvz_code,
        upper_barcode=row.upper_barcode,
        lower_barcode=row.lower_barcode,
        scanit=row.scanit,
        parent_posting_number=row.parent_posting_number,
        cancel_reason=row.cancel_reason,
        available_actions=tuple(row.available_actions.split()),
        products=tuple(
            PostingItem(it.sku, it.offer_id, it.name, it.quantity, it.price, it.currency) for it in row.items
        ),
        requirements=Requirements.from_json(row.requirements),
        is_multibox=row.is_multibox,
        multi_box_qty=row.multi_box_qty,
    )
    return CachedPosting(posting, row.local_status)


def get(session: Session, posting_number: str, *, fresh: bool = False) -> CachedPosting | None:
    """`fresh`: as the database has it now, not as this session read it before (another desk may
    have changed it since)."""
    stmt = select(PostingRow).options(selectinload(PostingRow.items)).where(PostingRow.posting_number == posting_number)
    row = session.scalar(stmt.execution_options(populate_existing=True) if fresh else stmt)
    return None if row is None else _to_domain(row)


def get_many(session: Session, posting_numbers: Iterable[str]) -> list[CachedPosting]:
    numbers = list(posting_numbers)
    rows = session.scalars(
        select(PostingRow).options(selectinload(PostingRow.items)).where(PostingRow.posting_number.in_(numbers))
    ).all()
    by_number = {r.posting_number: _to_domain(r) for r in rows}
    return [by_number[n] for n in numbers if n in by_number]


# What Ozon sends for a label barcode a posting does not have.
NO_CODE = frozenset({"", "0"})


def code_condition(code: str) -> ColumnElement[bool]:
    """The postings a scanned label code identifies: its number, or one of its label's barcodes
    (`scanit` of Ozon's new labels, `lower_barcode`, `upper_barcode`). "" and "0" identify nothing."""
    code = code.strip()
    if code in NO_CODE:
        return false()
    codes = scanner_input.case_variants(code)  # `ii…` scanned with Caps Lock on is `II…`
    return or_(
        PostingRow.posting_number == code,
        PostingRow.scanit.in_(codes),
        PostingRow.lower_barcode.in_(codes),
        PostingRow.upper_barcode.in_(codes),
    )


def find_by_code(session: Session, code: str) -> list[CachedPosting]:
    """Every cached posting a scanned code identifies (one, normally), by posting number."""
    rows = session.scalars(
        select(PostingRow)
        .options(selectinload(PostingRow.items))
        .where(code_condition(code))
        .order_by(PostingRow.posting_number)
    ).all()
    return [_to_domain(r) for r in rows]


def find_by_barcode(session: Session, code: str) -> CachedPosting | None:
    """The posting a scanned label identifies (the first by number if, oddly, several do)."""
    found = find_by_code(session, code)
    return found[0] if found else None


def list_postings(session: Session, ozon_status: str | None = None, limit: int | None = None) -> list[CachedPosting]:
    """By Ozon's own status, sorted by ship-by date (the packer's queue order). What the Orders tab
    and `orders --status` list, local intents included, is `app.orders.query`."""
    stmt = (
        select(PostingRow)
        .options(selectinload(PostingRow.items))
        .order_by(PostingRow.shipment_date.is_(None), PostingRow.shipment_date, PostingRow.posting_number)
    )
    if ozon_status:
        stmt = stmt.where(PostingRow.status == ozon_status)
    if limit:
        stmt = stmt.limit(limit)
    return [_to_domain(r) for r in session.scalars(stmt)]


def statuses(session: Session, posting_numbers: Sequence[str]) -> dict[str, PostingStatus]:
    """Ozon status of the given postings that are cached (one light query, no items)."""
    result: dict[str, PostingStatus] = {}
    for start in range(0, len(posting_numbers), 500):
        chunk = posting_numbers[start : start + 500]
        for number, status in session.execute(
            select(PostingRow.posting_number, PostingRow.status).where(PostingRow.posting_number.in_(chunk))
        ):
            result[number] = PostingStatus.parse(status)
    return result


def open_skus(session: Session) -> set[int]:
    """SKUs of postings not finished yet: the products a packer may still scan."""
    finished = [s.value for s in FINISHED]
    return set(
        session.scalars(
            select(PostingItemRow.sku)
            .join(PostingRow, PostingRow.posting_number == PostingItemRow.posting_number)
            .where(PostingRow.status.not_in(finished))
            .distinct()
        )
    )


def skus(session: Session) -> set[int]:
    return set(session.scalars(select(PostingItemRow.sku).distinct()))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PostingRow)) or 0


# -- for the orders screen -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of a filter list (a warehouse, a delivery method) and how many postings use it."""

    id: int
    name: str
    count: int


def _choices(session: Session, id_column: Any, name_column: Any) -> list[Choice]:
    rows = session.execute(
        select(id_column, func.max(name_column), func.count()).group_by(id_column).order_by(func.max(name_column))
    ).tuples()
    return [Choice(int(i or 0), str(name or ""), int(n)) for i, name, n in rows]


def warehouses(session: Session) -> list[Choice]:
    return _choices(session, PostingRow.warehouse_id, PostingRow.warehouse_name)


def delivery_methods(session: Session) -> list[Choice]:
    return _choices(session, PostingRow.delivery_method_id, PostingRow.delivery_method_name)


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """A posting's item with what the packer needs to find it: barcodes and the product's image."""

    sku: int
    offer_id: str
    name: str
    quantity: int
    price: Decimal
    currency: str
    barcodes: tuple[str, ...]
    image_url: str


def item_details(session: Session, posting_number: str) -> list[ItemDetail]:
    items = session.execute(
        select(
            PostingItemRow.sku,
            PostingItemRow.offer_id,
            PostingItemRow.name,
            PostingItemRow.quantity,
            PostingItemRow.price,
            PostingItemRow.currency,
            ProductRow.image_url,
        )
        .outerjoin(ProductRow, ProductRow.sku == PostingItemRow.sku)
        .where(PostingItemRow.posting_number == posting_number)
        .order_by(PostingItemRow.position)
    ).all()
    skus = {row.sku for row in items}
    codes: dict[int, list[str]] = {}
    if skus:
        for sku, code in session.execute(
            select(ProductBarcodeRow.sku, ProductBarcodeRow.barcode)
            .where(ProductBarcodeRow.sku.in_(skus))
            .order_by(ProductBarcodeRow.barcode)
        ):
            codes.setdefault(sku, []).append(code)
    return [
        ItemDetail(
            r.sku, r.offer_id, r.name, r.quantity, r.price, r.currency, tuple(codes.get(r.sku, ())), r.image_url or ""
        )
        for r in items
    ]
