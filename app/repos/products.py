"""Products and their barcodes (how a scanned EAN-13 or OZN code maps to a SKU)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from app import scanner_input
from app.db.tables import ProductBarcodeRow, ProductRow
from app.domain.products import Product
from app.repos.upsert import upsert


def save(session: Session, products: Sequence[Product], now: datetime) -> None:
    if not products:
        return
    rows = [
        {
            "sku": p.sku,
            "product_id": p.product_id,
            "offer_id": p.offer_id,
            "name": p.name,
            "image_url": p.image_url,
            "synced_at": now,
            "search_text": f"{p.offer_id}\n{p.name}".casefold(),
        }
        for p in products
    ]
    upsert(session, ProductRow.__table__, rows, ["sku"])  # type: ignore[arg-type]
    skus = [p.sku for p in products]
    session.execute(delete(ProductBarcodeRow).where(ProductBarcodeRow.sku.in_(skus)))
    codes = {(code.strip(), p.sku) for p in products for code in p.barcodes if code.strip()}
    if codes:
        session.execute(insert(ProductBarcodeRow), [{"barcode": c, "sku": s} for c, s in sorted(codes)])


def known_skus(session: Session) -> set[int]:
    return set(session.scalars(select(ProductRow.sku)))


def stale_skus(session: Session, synced_before: datetime) -> set[int]:
    """Products last read before `synced_before` (their barcodes may have changed since)."""
    return set(
        session.scalars(
            select(ProductRow.sku).where(or_(ProductRow.synced_at.is_(None), ProductRow.synced_at < synced_before))
        )
    )


def skus_for_barcode(session: Session, barcode: str) -> list[int]:
    codes = scanner_input.case_variants(barcode.strip())  # scanned with Caps Lock on, too
    return list(session.scalars(select(ProductBarcodeRow.sku).where(ProductBarcodeRow.barcode.in_(codes)).distinct()))


def skus_for_gtin(session: Session, gtin: str) -> list[int]:
    """Products whose barcode is this GTIN-14 (stored as EAN-13, UPC-A, EAN-8 or the GTIN itself)."""
    forms = {gtin}
    for width in (13, 12, 8):
        if gtin[: 14 - width] == "0" * (14 - width):
            forms.add(gtin[14 - width :])
    stmt = select(ProductBarcodeRow.sku).where(ProductBarcodeRow.barcode.in_(sorted(forms))).distinct()
    return sorted(session.scalars(stmt))


def get(session: Session, sku: int) -> Product | None:
    return get_many(session, [sku]).get(sku)


def get_many(session: Session, skus: Iterable[int]) -> dict[int, Product]:
    """The cached products of these SKUs (unknown ones left out), in two statements however many."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = session.scalars(select(ProductRow).where(ProductRow.sku.in_(wanted))).all()
    codes: dict[int, list[str]] = {}
    barcodes = select(ProductBarcodeRow.sku, ProductBarcodeRow.barcode).where(ProductBarcodeRow.sku.in_(wanted))
    for sku, barcode in session.execute(barcodes):
        codes.setdefault(sku, []).append(barcode)
    return {
        r.sku: Product(r.sku, r.product_id, r.offer_id, r.name, tuple(codes.get(r.sku, ())), r.image_url) for r in rows
    }
