"""Postings as /v3/posting/fbs/get and get-by-barcode answer them: the legacy money style (prices as
strings with six decimals, commissions per product)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clock import iso
from .exemplars import marks_for, v3_product_exemplars
from .machine import available_actions
from .model import Posting
from .views import (
    address,
    analytics,
    barcodes,
    cancellation_block,
    clusters,
    delivery_method,
    finance_lines,
    legacy_price,
    legal,
    number,
    requirement_fields,
    tariff_dicts,
    tariff_plan,
)

V3_BLOCKS = ("analytics_data", "financial_data", "barcodes", "legal_info", "product_exemplars")


def _v3_products(p: Posting) -> list[dict[str, Any]]:
    out = []
    for ln in p.lines:
        d, w, h = ln.product.dims
        out.append(
            {
                "price": legacy_price(ln.price, 4),
                "currency_code": "RUB",
                "offer_id": ln.product.offer_id,
                "name": ln.product.name,
                "sku": ln.product.sku,
                "quantity": ln.quantity,
                "mandatory_mark": marks_for(p, ln.product.sku),
                "imei": [],
                "is_blr_traceable": False,
                "is_marketplace_buyout": True,
                "jw_uin": [],
                "has_imei": False,
                "is_weight_needed": False,
                "weight_min": 0,
                "weight_max": 0,
                "dimensions": {
                    "height": str(h),
                    "length": str(d),
                    "weight": str(round(ln.product.weight * 1000)),
                    "width": str(w),
                },
            }
        )
    return out


def _v3_finance(p: Posting) -> dict[str, Any]:
    products = [
        dict(
            figures,
            commission_amount=number(commission),
            commission_percent=ln.commission_percent,
            actions=[],
            picking=None,
            client_price="",
            currency_code="RUB",
        )
        for ln, figures, commission in finance_lines(p)
    ]
    return dict(clusters(p), products=products, posting_services=None)


def _v3_analytics(p: Posting) -> dict[str, Any]:
    out = analytics(p)
    del out["client_delivery_date_begin"], out["client_delivery_date_end"]
    return out


_V3_BLOCKS: dict[str, Callable[[Posting], Any]] = {
    "analytics_data": _v3_analytics,
    "financial_data": _v3_finance,
    "barcodes": barcodes,
    "legal_info": legal,
    "product_exemplars": v3_product_exemplars,
}


def v3_get(p: Posting, with_blocks: frozenset[str]) -> dict[str, Any]:
    """The /v3/posting/fbs/get ``result``; blocks not in ``with_blocks`` are ``null``."""
    c = p.customer
    current, steps = tariff_dicts(tariff_plan(p))
    out: dict[str, Any] = {
        "posting_number": p.number,
        "order_id": p.order_id,
        "order_number": p.order_number,
        "parent_posting_number": p.parent_number,
        "status": p.status,
        "substatus": p.substatus,
        "previous_substatus": p.previous_substatus,
        "delivery_method": delivery_method(p),
        "tracking_number": p.tracking_number,
        "scanit": p.scanit,
        "tpl_integration_type": p.method.integration,
        "in_process_at": iso(p.in_process_at, p.style),
        "shipment_date": iso(p.shipment_date),
        "delivering_date": iso(p.delivering_date, p.style),
        "fact_delivery_date": iso(p.delivered_at, p.style),
        "cancellation": cancellation_block(p.cancellation),
        # Legacy behaviour: buyer details only for rFBS, and the phone always empty.
        "customer": {
            "customer_id": c.customer_id,
            "customer_email": c.email,
            "phone": "",
            "address": address(p),
            "name": c.name,
        }
        if p.rfbs
        else None,
        "addressee": {"name": c.name, "phone": ""} if p.rfbs else None,
        "products": _v3_products(p),
        "is_express": p.is_express,
        **requirement_fields(p),
        "available_actions": available_actions(p),
        "quantum_id": 0,
        "courier": None,
        "delivery_price": "0.00",
        "provider_status": "",
        "additional_data": [],
        "related_weight_postings": [],
        "prr_option": {"code": "", "price": "0.00", "currency_code": "RUB", "floor": ""},
        "tariffication": current,
        "tariffication_steps": steps,
        "destination_place_id": 0,
        "destination_place_name": "",
        "is_presortable": False,
        "pickup_code_verified_at": None,
        "related_postings": None,
    }
    for key, block in _V3_BLOCKS.items():
        out[key] = block(p) if key in with_blocks else None
    return out


def by_barcode(p: Posting) -> dict[str, Any]:
    return {
        "posting_number": p.number,
        "order_id": p.order_id,
        "order_number": p.order_number,
        "status": p.status,
        "cancel_reason_id": p.cancellation.reason_id if p.cancellation else 0,
        "created_at": iso(p.in_process_at, p.style),
        "in_process_at": iso(p.in_process_at, p.style),
        "shipment_date": iso(p.shipment_date),
        "barcodes": barcodes(p),
        "products": [
            {
                "name": ln.product.name,
                "sku": ln.product.sku,
                "offer_id": ln.product.offer_id,
                "price": legacy_price(ln.price),
                "quantity": ln.quantity,
            }
            for ln in p.lines
        ],
    }
