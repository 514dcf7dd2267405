"""Postings as JSON in the v4 list shape, and the pieces the v3 answer shares (views_v3.py).

The v4 lists are the hot path (a 20,000-posting sync), so each posting keeps its JSON pre-encoded in
fragments: the core object, and one fragment per optional ``with`` block. A page is assembled by string
joins; the cache is dropped whenever the posting changes (``Store.touch``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import catalog
from .clock import iso
from .machine import available_actions
from .model import Cancellation, Line, Posting
from .requirements import REQUIREMENT_KEYS, is_multibox, multi_box_qty, regulated, requirements

V4_BLOCKS = ("analytics_data", "financial_data", "legal_info", "barcodes")

_CLUSTERS = {city: cluster for city, _, _, _, _, _, cluster in catalog.CITIES}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def amount(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def money(kopecks: int) -> dict[str, str]:
    return {"amount": amount(kopecks), "currency": "RUB"}


def legacy_price(kopecks: int, decimals: int = 6) -> str:
    """``"1390.000000"``: the legacy decimal-string money of v3 methods."""
    return amount(kopecks) + "0" * (decimals - 2)


def number(kopecks: int) -> int | float:
    """Finance numbers: JSON numbers, integral when they can be."""
    return kopecks // 100 if kopecks % 100 == 0 else kopecks / 100


# -- pieces shared by v3 and v4 -----------------------------------------------------------------------


def delivery_method(p: Posting) -> dict[str, Any]:
    m = p.method
    return {
        "id": m.id,
        "name": m.name,
        "warehouse_id": m.warehouse.id,
        "warehouse": m.warehouse.name,
        "tpl_provider_id": m.tpl_provider_id,
        "tpl_provider": m.tpl_provider,
    }


def address(p: Posting) -> dict[str, Any]:
    c = p.customer
    return {
        "address_tail": c.address_tail,
        "city": c.city,
        "comment": c.comment,
        "country": "Россия",
        "district": c.district,
        "region": c.region,
        "zip_code": c.zip_code,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "pvz_code": c.pvz_code,
        "provider_pvz_code": "",
        "pvz_name": f"Пункт выдачи Ozon №{c.pvz_code}" if c.pvz_code else "",
    }


def delivery_window(p: Posting) -> tuple[datetime, datetime]:
    begin = (p.shipment_date + timedelta(days=2 if p.rfbs else 1)).replace(hour=7)
    return begin, begin + timedelta(days=2, hours=12)


def cancellation_block(c: Cancellation | None) -> dict[str, Any]:
    if c is None:
        return {
            "cancel_reason_id": 0,
            "cancel_reason": "",
            "cancellation_type": "",
            "cancellation_initiator": "",
            "cancelled_after_ship": False,
            "affect_cancellation_rating": False,
        }
    return {
        "cancel_reason_id": c.reason_id,
        "cancel_reason": c.reason,
        "cancellation_type": c.cancellation_type,
        "cancellation_initiator": c.initiator,
        "cancelled_after_ship": c.after_ship,
        "affect_cancellation_rating": c.affects_rating,
    }


def analytics(p: Posting) -> dict[str, Any]:
    c, m = p.customer, p.method
    begin, end = delivery_window(p)
    return {
        "region": c.region,
        "city": c.city,
        "delivery_type": c.delivery_type,
        "is_premium": p.is_premium,
        "is_legal": bool(c.company),
        "payment_type_group_name": p.payment,
        "warehouse_id": m.warehouse.id,
        "warehouse": m.warehouse.name,
        "tpl_provider_id": m.tpl_provider_id,
        "tpl_provider": m.tpl_provider,
        "delivery_date_begin": iso(begin),
        "delivery_date_end": iso(end),
        "client_delivery_date_begin": iso(begin),
        "client_delivery_date_end": iso(end),
    }


def finance_lines(p: Posting) -> list[tuple[Line, dict[str, Any], int]]:
    """Per line: the finance figures v3 and v4 share, and the commission in kopecks."""
    out = []
    for ln in p.lines:
        commission = ln.price * ln.quantity * ln.commission_percent // 100
        figures = {
            "product_id": ln.product.sku,
            "quantity": ln.quantity,
            "price": number(ln.price),
            "old_price": number(ln.old_price),
            "payout": number(ln.price * ln.quantity - commission),
            "total_discount_value": number(ln.old_price - ln.price),
            "total_discount_percent": round((ln.old_price - ln.price) * 100 / ln.old_price, 2),
        }
        out.append((ln, figures, commission))
    return out


def clusters(p: Posting) -> dict[str, str]:
    return {
        "cluster_from": _CLUSTERS.get(p.method.warehouse.city, p.method.warehouse.city),
        "cluster_to": p.customer.cluster,
    }


def legal(p: Posting) -> dict[str, str]:
    c = p.customer
    return {"company_name": c.company, "inn": c.inn, "kpp": c.kpp}


def barcodes(p: Posting) -> dict[str, str]:
    return {"upper_barcode": p.upper_barcode, "lower_barcode": p.lower_barcode}


# A tariff plan: (deadline, rate as JSON text, tariff type, charge amount) per step; None for rFBS.
TariffPlan = list[tuple[str, str, str, str]]


def tariff_plan(p: Posting) -> TariffPlan | None:
    if p.rfbs:
        return None
    total = sum(line.price * line.quantity for line in p.lines)
    first = iso(p.in_process_at + timedelta(hours=12)) or ""
    steps = (
        (first, 3, "discount"),
        (_on_the_hour(p.shipment_date), 0, "no_discount"),
        (_on_the_hour(p.shipment_date + timedelta(days=1)), 5, "commission"),
    )
    return [(when, f"{rate}.0", kind, amount(round(total * rate / 100))) for when, rate, kind in steps]


def tariff_json(plan: TariffPlan | None) -> str:
    """``"tariffication":{...},"tariffication_steps":[...]`` as JSON text (assembled directly: hot path)."""
    if not plan:
        return '"tariffication":null,"tariffication_steps":[]'
    steps = ",".join(
        f'{{"tariff_deadline_at":"{deadline}","tariff_rate":{rate},"tariff_type":"{kind}",'
        f'"tariff_charge":{{"amount":"{charge}","currency":"RUB"}},"min_charge":null}}'
        for deadline, rate, kind, charge in plan
    )
    (deadline, rate, kind, charge), (_, next_rate, next_kind, next_charge) = plan[0], plan[1]
    current = (
        f'{{"current_tariff_rate":{rate},"current_tariff_type":"{kind}",'
        f'"current_tariff_charge":{{"amount":"{charge}","currency":"RUB"}},"current_tariff_min_charge":null,'
        f'"next_tariff_rate":{next_rate},"next_tariff_type":"{next_kind}",'
        f'"next_tariff_charge":{{"amount":"{next_charge}","currency":"RUB"}},"next_tariff_min_charge":null,'
        f'"next_tariff_starts_at":"{deadline}"}}'
    )
    return f'"tariffication":{current},"tariffication_steps":[{steps}]'


def tariff_dicts(plan: TariffPlan | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The same two blocks as objects, for the legacy v3 shapes."""
    data = json.loads("{" + tariff_json(plan) + "}")
    return data["tariffication"], data["tariffication_steps"]


def volume_weight(p: Posting) -> float:
    liters = sum(d * w * h * line.quantity for line in p.lines for d, w, h in (line.product.dims,)) / 1_000_000
    return round(liters / 5, 2)


# -- v4 -------------------------------------------------------------------------------------------------


# Keys whose values are the same for every posting we emulate, encoded once.
_V4_STATIC_TAIL = dumps(
    {
        "optional": {"products_with_possible_mandatory_mark": []},
        "container": None,
        "container_sort_type": "sort",
        "sorting_center": None,
        "quantum_id": 0,
        "pickup_code_verified_at": None,
        "prr_option": "",
        "is_click_and_collect": False,
        "is_presortable": False,
        "destination_place_id": 0,
        "destination_place_name": "",
        "external_order": {"is_external": False, "platform_name": ""},
        "require_blr_traceable_attrs": False,
    }
)[1:-1]


def requirement_fields(p: Posting) -> dict[str, Any]:
    """``is_multibox``, ``multi_box_qty`` and ``requirements`` (docs/ozon-contract.md, Exemplars), for v3
    and v4 alike."""
    return {"is_multibox": is_multibox(p), "multi_box_qty": multi_box_qty(p), "requirements": requirements(p)}


# What most postings need: nothing (their goods are neither marked, imported nor multi-box), encoded once.
_NOTHING_REQUIRED = dumps(
    {
        "is_multibox": False,
        "multi_box_qty": 1,
        "requirements": {f"products_requiring_{key}": [] for key in REQUIREMENT_KEYS},
    }
)[1:-1]


def _requirements_v4(p: Posting) -> str:
    return dumps(requirement_fields(p))[1:-1] if regulated(p) else _NOTHING_REQUIRED


def _method_fragment(p: Posting) -> str:
    m = p.method
    if not m.fragment:
        m.fragment = dumps(
            {
                "delivery_method": delivery_method(p),
                "tpl_integration_type": m.integration,
                "integration_type_flow": m.integration,
                "delivery_schema": "rfbs" if m.rfbs else "fbs",
            }
        )[1:-1]
    return m.fragment


def _line_v4(ln: Line) -> str:
    product = ln.product
    if not product.fragment:
        product.fragment = dumps(
            {
                "offer_id": product.offer_id,
                "name": product.name,
                "weight": product.weight,
                "product_color": product.color,
                "imei": [],
                "is_blr_traceable": False,
                "is_marketplace_buyout": True,
            }
        )[1:-1]
    return (
        f'{{"sku":{product.sku},{product.fragment},"quantity":{ln.quantity},'
        f'"price":{{"amount":"{amount(ln.price)}","currency":"RUB"}}}}'
    )


def _finance(p: Posting) -> dict[str, Any]:
    products = [
        dict(
            figures,
            actions=[] if ln.price == ln.product.price else ["Скидка продавца"],
            commission={"amount": number(commission), "currency": "RUB", "percent": ln.commission_percent},
            customer_price=money(ln.price),
        )
        for ln, figures, commission in finance_lines(p)
    ]
    return dict(clusters(p), products=products)


_V4_BLOCKS_JSON: dict[str, Callable[[Posting], str]] = {
    "analytics_data": lambda p: dumps(analytics(p)),
    "financial_data": lambda p: dumps(_finance(p)),
    "legal_info": lambda p: dumps(legal(p)),
    "barcodes": lambda p: dumps(barcodes(p)),
}


@functools.lru_cache(maxsize=4096)
def _on_the_hour(dt: datetime) -> str:
    """Shipment dates and their deadlines fall on whole hours and repeat across postings."""
    return iso(dt) or ""


@functools.lru_cache(maxsize=256)
def _actions_json(actions: tuple[str, ...]) -> str:
    return dumps(list(actions))


def _q(text: str | None) -> str:
    """A JSON string (or null) for text we generated ourselves: ASCII, no quotes or escapes needed."""
    return "null" if text is None else f'"{text}"'


_NO_CANCELLATION = dumps(cancellation_block(None))


def _buyer_v4(p: Posting) -> str:
    """addressee and customer: fixed once the posting exists, so encoded once per buyer."""
    c = p.customer
    if not c.fragment:
        c.fragment = dumps(
            {
                "addressee": {"name": c.name, "phone": c.phone},
                "customer": {
                    "customer_id": c.customer_id,
                    "name": c.name,
                    "phone": c.phone,
                    "customer_email": c.email,
                    "address": address(p),
                },
            }
        )[1:-1]
    return c.fragment


def _build_v4(p: Posting) -> str:
    """The posting without its ``with`` blocks and without the closing brace.

    Hand-assembled for speed: every value spliced in unescaped is generated by the emulator (ASCII
    numbers, codes, statuses, timestamps); free text goes through json."""
    s = p.style
    shipment = _on_the_hour(p.shipment_date)
    tracking = dumps(p.tracking_number) if p.tracking_number else '""'
    actions = _actions_json(tuple(available_actions(p)))
    cancelled = _NO_CANCELLATION if p.cancellation is None else dumps(cancellation_block(p.cancellation))
    products = ",".join(_line_v4(ln) for ln in p.lines)
    plan = tariff_plan(p)
    return (
        f'{{"posting_number":"{p.number}","order_id":{p.order_id},"order_number":"{p.order_number}",'
        f'"parent_posting_number":"{p.parent_number}","status":"{p.status}","substatus":"{p.substatus}",'
        f'"in_process_at":{_q(iso(p.in_process_at, s))},"shipment_date":"{shipment}",'
        f'"shipment_date_without_delay":"{shipment}","delivering_date":{_q(iso(p.delivering_date, s))},'
        f'{_method_fragment(p)},"tracking_number":{tracking},'
        f'"is_express":{"true" if p.is_express else "false"},"products":[{products}],"scanit":"{p.scanit}",'
        f'{_buyer_v4(p)},"cancellation":{cancelled},"available_actions":{actions},'
        f'{tariff_json(plan)},"volume_weight":{volume_weight(p)},{_requirements_v4(p)},{_V4_STATIC_TAIL}'
    )


def v4_json(p: Posting, with_blocks: frozenset[str]) -> bytes:
    """One posting as v4 JSON (UTF-8); blocks not in ``with_blocks`` are ``null``. Cached encoded, so a page
    is a join of bytes with no per-request encoding."""
    cache = p.cache_v4
    if cache is None:
        cache = p.cache_v4 = (_build_v4(p).encode(), {})
    core, blocks = cache
    parts = [core]
    for key in V4_BLOCKS:
        if key in with_blocks:
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = f',"{key}":{_V4_BLOCKS_JSON[key](p)}'.encode()
            parts.append(block)
        else:
            parts.append(_NULL_BLOCKS[key])
    parts.append(b"}")
    return b"".join(parts)


_NULL_BLOCKS = {key: f',"{key}":null'.encode() for key in V4_BLOCKS}
