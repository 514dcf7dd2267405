"""Products (`/v3/product/info/list` items)."""

from __future__ import annotations

from typing import Any

from app.domain.products import Product
from sync.schemas.fields import Fields


def product(obj: Any, where: str) -> Product:
    f = Fields(obj, where)
    images = f.obj.get("primary_image") or f.obj.get("images") or []
    if isinstance(images, str):
        images = [images]
    barcodes = [str(b) for b in f.items("barcodes") if b]
    single = f.text("barcode")
    if single and single not in barcodes:
        barcodes.append(single)
    return Product(
        sku=f.int_id("sku", required=True),
        product_id=f.int_id("id") or f.int_id("product_id"),
        offer_id=f.text("offer_id"),
        name=f.text("name"),
        barcodes=tuple(barcodes),
        image_url=str(images[0]) if images else "",
    )
