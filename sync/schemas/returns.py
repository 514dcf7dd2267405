"""Returns: FBS/FBO ones, rFBS requests, and an rFBS request's details (what the seller may do)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.domain.returns import RejectionReason, ReturnAction, ReturnDetails, ReturnKind, ReturnRequest
from sync.schemas.fields import Fields


def fbs_return(obj: Any, where: str) -> ReturnRequest:
    f = Fields(obj, where)
    prod = f.sub("product") or Fields({}, f"{where}.product")
    price_block = prod.sub("price")
    price, currency = price_block.money("price") if price_block else (Decimal("0"), "RUB")
    visual = f.sub("visual")
    status = visual.sub("status") if visual else None
    logistic = f.sub("logistic")
    place = f.sub("place")
    storage = f.sub("storage")
    schema = f.text("schema").lower()
    return ReturnRequest(
        return_id=f.int_id("id", required=True),
        kind=ReturnKind.FBO if schema == "fbo" else ReturnKind.FBS,
        posting_number=f.text("posting_number"),
        order_number=f.text("order_number"),
        sku=prod.int_id("sku"),
        offer_id=prod.text("offer_id"),
        product_name=prod.text("name"),
        quantity=prod.int_id("quantity") or 1,
        price=price,
        currency=currency,
        status=status.text("sys_name") if status else "",
        status_name=status.text("display_name") if status else "",
        reason=f.text("return_reason_name"),
        changed_at=visual.time("change_moment") if visual else None,
        return_type=f.text("type"),
        barcode=logistic.text("barcode") if logistic else "",
        place=place.text("name") if place else "",
        storage_from=storage.time("tariffication_start_date") if storage else None,
    )


def rfbs_return(obj: Any, where: str) -> ReturnRequest:
    f = Fields(obj, where)
    prod = f.sub("product") or Fields({}, f"{where}.product")
    price, currency = prod.money("price")
    state = f.sub("state") or Fields({}, f"{where}.state")
    reason = f.sub("return_reason")
    return ReturnRequest(
        return_id=f.int_id("return_id", required=True),
        kind=ReturnKind.RFBS,
        posting_number=f.text("posting_number"),
        order_number=f.text("order_number"),
        sku=prod.int_id("sku"),
        offer_id=prod.text("offer_id"),
        product_name=prod.text("name"),
        quantity=prod.int_id("quantity") or 1,
        price=price,
        currency=currency,
        status=state.text("state") or state.text("group_state"),
        status_name=state.text("state_name"),
        reason=reason.text("name") if reason else "",
        created_at=f.time("created_at"),
        return_number=f.text("return_number"),
        client_name=f.text("client_name"),
        group=state.text("group_state"),
    )


def rfbs_return_details(body: Any, return_id: int, where: str = "answer") -> ReturnDetails:
    """`/v2/returns/rfbs/get` → `{"returns": {...}}`. Its `available_actions` come in two documented
    shapes: `[{id, name}]` (the schema) and `[{"action": {id, name}}]` (the 2026 example)."""
    data = body.get("returns", body.get("result")) if isinstance(body, Mapping) else None
    f = Fields(data, f"{where}.returns")
    actions = []
    for i, raw in enumerate(f.items("available_actions")):
        a = Fields(raw, f"{where}.returns.available_actions[{i}]")
        inner = a.sub("action") or a
        actions.append(ReturnAction(inner.int_id("id", required=True), inner.text("name")))
    reasons = []
    for i, raw in enumerate(f.items("rejection_reason")):
        r = Fields(raw, f"{where}.returns.rejection_reason[{i}]")
        reasons.append(
            RejectionReason(
                r.int_id("id", required=True), r.text("name"), r.text("hint"), r.flag("is_comment_required")
            )
        )
    state = f.sub("state") or Fields({}, f"{where}.returns.state")
    reason = f.sub("return_reason")
    return ReturnDetails(
        return_id=f.int_id("return_id") or return_id,  # the official answer does not repeat it
        state=state.text("state"),
        state_name=state.text("state_name"),
        actions=tuple(actions),
        rejection_reasons=tuple(reasons),
        comment=f.text("comment"),
        reason=reason.text("name") if reason else "",
        photos=tuple(str(u) for u in f.items("client_photo") if u),
    )
