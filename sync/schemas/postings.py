"""Postings: one posting (v3 or v4 shape), its requirements, a page of a posting list."""

from __future__ import annotations

from typing import Any

from app.domain.postings import Posting, PostingItem, PostingStatus, Requirement, Requirements
from sync.schemas.fields import Fields, unwrap


def posting(obj: Any, where: str = "posting") -> Posting:
    f = Fields(obj, where)
    number = f.text("posting_number", required=True)
    dm = f.sub("delivery_method") or Fields({}, f"{where}.delivery_method")
    customer = f.sub("customer")
    address = customer.sub("address") if customer else None
    addressee = f.sub("addressee")
    barcodes = f.sub("barcodes")
    cancellation = f.sub("cancellation")
    products: list[PostingItem] = []
    for i, raw in enumerate(f.items("products", required=True)):
        p = Fields(raw, f"{where}.products[{i}]")
        price, currency = p.money("price")
        products.append(
            PostingItem(
                sku=p.int_id("sku", required=True),
                offer_id=p.text("offer_id"),
                name=p.text("name"),
                quantity=p.int_id("quantity", required=True),
                price=price,
                currency=currency,
            )
        )
    status_raw = f.text("status", required=True)
    name = ""
    if customer:
        name = customer.text("name")
    if not name and addressee:
        name = addressee.text("name")
    order_number = f.text("order_number") or number.rsplit("-", 1)[0]
    return Posting(
        posting_number=number,
        order_number=order_number,
        order_id=f.int_id("order_id"),
        status=PostingStatus.parse(status_raw),
        substatus=f.text("substatus"),
        shipment_date=f.time("shipment_date"),
        in_process_at=f.time("in_process_at"),
        delivery_method_id=dm.int_id("id"),
        delivery_method_name=dm.text("name"),
        warehouse_id=dm.int_id("warehouse_id"),
        warehouse_name=dm.text("warehouse"),
        tpl_provider=dm.text("tpl_provider"),
        tpl_integration_type=f.text("tpl_integration_type"),
        tracking_number=f.text("tracking_number"),
        delivering_date=f.time("delivering_date"),
        is_express=f.flag("is_express"),
        customer_name=name,
        city=address.text("city") if address else "",
        address=address.text("address_tail") if address else "",
        pvz_code=address.code("pvz_code") if address else "",  # Ozon sends 0 for none
        upper_barcode=barcodes.code("upper_barcode") if barcodes else "",
        lower_barcode=barcodes.code("lower_barcode") if barcodes else "",
        scanit=f.code("scanit"),
        parent_posting_number=f.text("parent_posting_number"),
        cancel_reason=cancellation.text("cancel_reason") if cancellation else "",
        available_actions=tuple(str(a) for a in f.items("available_actions")),
        products=tuple(products),
        requirements=requirements(f),
        is_multibox=f.flag("is_multibox"),
        multi_box_qty=max(1, f.int_id("multi_box_qty")),
    )


def requirements(f: Fields) -> Requirements:
    """`requirements.products_requiring_<kind>` (SKUs as numbers or strings) and
    `optional.products_with_possible_mandatory_mark`."""
    block = f.sub("requirements")
    optional = f.sub("optional")
    skus: dict[Requirement, frozenset[int]] = {}
    if block is not None:
        for kind in Requirement:
            found = block.sku_set(f"products_requiring_{kind.value}")
            if found:
                skus[kind] = found
    possible = optional.sku_set("products_with_possible_mandatory_mark") if optional else frozenset()
    return Requirements(skus, possible)


def posting_page(body: Any, where: str) -> tuple[list[Posting], str, bool]:
    """A page of a v4 (flat, cursor) or v3 (`result`-wrapped) posting list."""
    data = unwrap(body, where)
    f = Fields(data, where)
    raw = f.items("postings", required=True)
    postings = [posting(p, f"{where}.postings[{i}]") for i, p in enumerate(raw)]
    return postings, f.text("cursor"), f.flag("has_next")
