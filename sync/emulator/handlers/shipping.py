"""Assembly (ship), cancellation and the rFBS delivery steps."""

from __future__ import annotations

from typing import Any

from .. import exemplars, operations
from ..errors import invalid, refused
from ..fields import Fields
from ..machine import CANCEL_REASONS, CANCELLABLE, MESSAGE_REQUIRED_REASONS
from ..model import Posting
from ..views import legacy_price
from .base import Ctx, route


@route("/v4/posting/fbs/ship")
def ship(ctx: Ctx, f: Fields) -> dict[str, Any]:
    number = f.text("posting_number", required=True)
    packages: list[list[tuple[int, int]]] = []
    for i, raw_package in enumerate(f.items("packages", required=True)):
        package = Fields(raw_package, f"packages[{i}]")
        items = []
        for j, raw_item in enumerate(package.items("products", required=True)):
            item = Fields(raw_item, f"packages[{i}].products[{j}]")
            sku = item.number("product_id", required=True)
            quantity = item.number("quantity", required=True, lo=1)
            assert sku is not None and quantity is not None
            items.append((sku, quantity))
        packages.append(items)
    additional = f.obj("with").flag("additional_data")
    p = ctx.posting(number)
    operations.check_shippable(p)
    operations.check_packages(p, packages)
    operations.check_ready_to_ship(p, packages, ctx.now)
    shipped = operations.ship(ctx.store, p, packages, ctx.now)
    ctx.log(posting_number=number)
    extra = [
        {
            "posting_number": part.number,
            "products": [
                {
                    "sku": ln.product.sku,
                    "offer_id": ln.product.offer_id,
                    "name": ln.product.name,
                    "price": legacy_price(ln.price, 2),
                    "currency_code": "RUB",
                    "quantity": ln.quantity,
                    "mandatory_mark": exemplars.marks_for(part, ln.product.sku),
                }
                for ln in part.lines
            ],
        }
        for part in shipped
    ]
    return {"result": [part.number for part in shipped], "additional_data": extra if additional else []}


def _reason(reason_id: int, with_flag: bool = False) -> dict[str, Any]:
    title, type_id, available = CANCEL_REASONS[reason_id]
    item: dict[str, Any] = {"id": reason_id, "title": title, "type_id": type_id}
    if with_flag:
        item["is_available_for_cancellation"] = available
    return item


@route("/v2/posting/fbs/cancel-reason/list")
def cancel_reasons(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return {"result": [_reason(rid, with_flag=True) for rid in CANCEL_REASONS]}


@route("/v1/posting/fbs/cancel-reason")
def posting_cancel_reasons(ctx: Ctx, f: Fields) -> dict[str, Any]:
    numbers = f.texts("related_posting_numbers", max_items=1000, required=True)
    usable = [rid for rid, (_, _, available) in CANCEL_REASONS.items() if available]
    result = []
    for number in numbers:
        p = ctx.posting(number)
        reasons = [_reason(rid) for rid in usable] if p.status in CANCELLABLE else []
        result.append({"posting_number": number, "reasons": reasons})
    return {"result": result}


@route("/v2/posting/fbs/cancel")
def cancel(ctx: Ctx, f: Fields) -> dict[str, Any]:
    number = f.text("posting_number", required=True)
    reason_id = f.number("cancel_reason_id", required=True)
    message = f.text("cancel_reason_message", max_len=500)
    assert reason_id is not None
    if reason_id not in CANCEL_REASONS or not CANCEL_REASONS[reason_id][2]:
        raise refused("HAS_INCORRECT_CANCEL_REASON")
    if reason_id in MESSAGE_REQUIRED_REASONS and not message.strip():
        raise invalid("cancel_reason_message", f"value is required for cancel_reason_id {reason_id}")
    p = ctx.posting(number)
    operations.check_cancellable(p)
    operations.cancel(ctx.store, p, reason_id, "seller", ctx.now)
    ctx.log(posting_number=number)
    return {"result": True}


# -- rFBS: the seller's own delivery -------------------------------------------------------------------


def _step_error(p: Posting | None, allowed: bool) -> str:
    if p is None:
        return "POSTING_NOT_FOUND"
    if not p.rfbs:
        return "HAS_INCORRECT_TPL_INTEGRATION_TYPE"
    return "" if allowed else "TRANSITION_IS_NOT_POSSIBLE"


@route("/v2/fbs/posting/tracking-number/set")
def set_tracking_numbers(ctx: Ctx, f: Fields) -> dict[str, Any]:
    pairs = []
    for i, raw in enumerate(f.items("tracking_numbers", max_items=20, required=True)):
        item = Fields(raw, f"tracking_numbers[{i}]")
        pairs.append(
            (item.text("posting_number", required=True), item.text("tracking_number", required=True, max_len=64))
        )
    results = []
    for number, tracking in pairs:
        p = ctx.store.postings.get(number)
        error = _step_error(p, p is not None and p.status in ("awaiting_packaging", "awaiting_deliver", "delivering"))
        if p is not None and not error:
            p.tracking_number = tracking
            ctx.store.touch(p)
            ctx.log(posting_number=number)
        results.append({"posting_number": number, "result": not error, "error": error})
    return {"result": results}


def _delivery_step(ctx: Ctx, f: Fields, step: str) -> dict[str, Any]:
    numbers = f.texts("posting_number", max_items=100, required=True)
    store = ctx.store
    results = []
    for number in numbers:
        p = store.postings.get(number)
        if step == "delivering":
            allowed = p is not None and p.status == "awaiting_deliver"
        elif step == "last-mile":
            allowed = p is not None and p.status == "delivering" and p.substatus != "posting_in_courier_service"
        else:
            allowed = p is not None and p.status == "delivering"
        error = _step_error(p, allowed)
        if p is not None and not error:
            if step == "delivering":
                p.delivering_date = ctx.now
                store.set_status(p, "delivering", "posting_transferred_to_courier_service", ctx.now)
            elif step == "last-mile":
                store.set_status(p, "delivering", "posting_in_courier_service", ctx.now)
            else:
                p.delivered_at = ctx.now
                store.set_status(p, "delivered", "posting_delivered", ctx.now)
            ctx.log(posting_number=number)
        results.append({"posting_number": number, "result": not error, "error": error})
    return {"result": results}


@route("/v2/fbs/posting/delivering")
def delivering(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return _delivery_step(ctx, f, "delivering")


@route("/v2/fbs/posting/last-mile")
def last_mile(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return _delivery_step(ctx, f, "last-mile")


@route("/v2/fbs/posting/delivered")
def delivered(ctx: Ctx, f: Fields) -> dict[str, Any]:
    return _delivery_step(ctx, f, "delivered")
