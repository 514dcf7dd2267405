"""Products of the shop, with the barcodes a packer scans."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Product:
    sku: int
    product_id: int
    offer_id: str
    name: str
    barcodes: tuple[str, ...] = ()
    image_url: str = ""
