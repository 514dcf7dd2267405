"""The seller's catalog: product info (with barcodes, for scan-to-pack) and the product list."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..clock import MILLIS, iso
from ..errors import invalid
from ..fields import Fields
from ..model import Product
from ..views import amount
from .base import Ctx, route


def _info(p: Product) -> dict[str, Any]:
    created = iso(p.created_at, MILLIS)
    has_stock = p.stock > 0
    d, w, h = p.dims
    return {
        "id": p.product_id,
        "name": p.name,
        "offer_id": p.offer_id,
        "sku": p.sku,
        "barcodes": list(p.barcodes),
        "description_category_id": 17_028_922,
        "type_id": 91_565,
        "created_at": created,
        "updated_at": created,
        "images": list(p.images),
        "primary_image": [p.images[0]],
        "color_image": [],
        "images360": [],
        "currency_code": "RUB",
        "price": amount(p.price),
        "old_price": amount(p.old_price),
        "min_price": amount(p.price * 9 // 10),
        "marketing_price": "",
        "vat": "0.20",
        "is_archived": False,
        "is_autoarchived": False,
        "is_discounted": False,
        "is_kgt": False,
        "is_prepayment_allowed": True,
        "is_super": False,
        "has_discounted_fbo_item": False,
        "discounted_fbo_stocks": 0,
        "volume_weight": round(d * w * h / 1_000_000 / 5, 2),
        "sources": [
            {
                "sku": p.sku,
                "source": "sds",
                "created_at": created,
                "shipment_type": "SHIPMENT_TYPE_GENERAL",
                "quant_code": "",
            }
        ],
        "stocks": {
            "has_stock": has_stock,
            "stocks": [{"sku": p.sku, "source": "fbs", "present": p.stock, "reserved": 0}],
        },
        "statuses": {
            "status": "price_sent",
            "status_name": "Продаётся",
            "status_description": "",
            "moderate_status": "approved",
            "validation_status": "success",
            "status_failed": "",
            "status_tooltip": "",
            "is_created": True,
            "status_updated_at": created,
        },
        "visibility_details": {"has_price": True, "has_stock": has_stock},
        "model_info": {"model_id": p.product_id, "count": 1},
    }


@route("/v3/product/info/list")
def info_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    kinds = {key: f.items(key, max_items=1000) for key in ("offer_id", "product_id", "sku")}
    given = [key for key, values in kinds.items() if values]
    if not given:
        raise invalid("offer_id", "one of offer_id, product_id or sku is required")
    if len(given) > 1:
        raise invalid(given[1], "use only one of offer_id, product_id, sku per request")
    key = given[0]
    products = list(ctx.store.products.values())
    if key == "offer_id":
        wanted_offers = set(f.texts(key))
        found = [p for p in products if p.offer_id in wanted_offers]
    else:
        wanted = set(f.ids(key))
        found = [p for p in products if (p.sku if key == "sku" else p.product_id) in wanted]
    return {"items": [_info(p) for p in found]}


def _decode_last_id(value: str) -> int:
    if not value:
        return 0
    try:
        return int(base64.b64decode(value, validate=True).decode())
    except (binascii.Error, ValueError):
        raise invalid("last_id", "malformed last_id") from None


@route("/v3/product/list")
def product_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    limit = f.limit(default=1000, hi=1000)
    after = _decode_last_id(f.text("last_id"))
    flt = f.obj("filter")
    offers = set(flt.texts("offer_id", max_items=1000))
    ids = set(flt.ids("product_id", max_items=1000))
    flt.choice(
        "visibility",
        (
            "ALL",
            "VISIBLE",
            "INVISIBLE",
            "EMPTY_STOCK",
            "NOT_MODERATED",
            "MODERATED",
            "DISABLED",
            "STATE_FAILED",
            "READY_TO_SUPPLY",
            "VALIDATION_STATE_PENDING",
            "VALIDATION_STATE_FAIL",
            "VALIDATION_STATE_SUCCESS",
            "TO_SUPPLY",
            "IN_SALE",
            "REMOVED_FROM_SALE",
            "OVERPRICED",
            "CRITICALLY_OVERPRICED",
            "EMPTY_BARCODE",
            "BARCODE_EXISTS",
            "QUARANTINE",
            "ARCHIVED",
            "OVERPRICED_WITH_STOCK",
            "PARTIAL_APPROVED",
        ),
        "ALL",
    )
    matching = sorted(
        (
            p
            for p in ctx.store.products.values()
            if (not offers or p.offer_id in offers) and (not ids or p.product_id in ids)
        ),
        key=lambda p: p.product_id,
    )
    page = [p for p in matching if p.product_id > after][:limit]
    items = [
        {
            "product_id": p.product_id,
            "offer_id": p.offer_id,
            "archived": False,
            "has_fbo_stocks": False,
            "has_fbs_stocks": p.stock > 0,
            "is_discounted": False,
            "quants": [],
        }
        for p in page
    ]
    last_id = base64.b64encode(str(page[-1].product_id).encode()).decode() if page else ""
    return {"result": {"items": items, "total": len(matching), "last_id": last_id}}
