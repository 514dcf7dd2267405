"""Returns: FBS/FBO items in /v1/returns/list, and rFBS return requests with their seller actions
(states and action ids are documented in ``refunds.py``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .. import refunds
from ..clock import MILLIS, iso
from ..errors import invalid, not_found, refused
from ..fields import Fields
from ..model import FbsReturn, RfbsReturn
from ..views import amount, number
from .base import Ctx, route

DATE_RANGES = ("logistic_return_date", "storage_tariffication_start_date", "visual_status_change_moment")


def _fbs_item(r: FbsReturn, company_id: int) -> dict[str, Any]:
    price = number(r.price)
    commission = round(r.price * r.commission_percent / 100) / 100
    storage_start = r.return_date.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "id": r.id,
        "company_id": company_id,
        "return_reason_name": r.reason,
        "type": r.type,
        "schema": r.schema,
        "order_id": r.order_id,
        "order_number": r.order_number,
        "posting_number": r.posting_number,
        "source_id": str(r.id + 89_426_000),
        "clearing_id": str(r.order_id * 7 % 10**14),
        "return_clearing_id": None,
        "place": {"id": r.place_id, "name": r.place_name, "address": r.place_address},
        "target_place": {"id": r.place_id, "name": r.place_name, "address": r.place_address},
        "storage": {
            "sum": {"currency_code": "RUB", "price": 0},
            "tariffication_first_date": iso(storage_start),
            "tariffication_start_date": iso(storage_start),
            "arrived_moment": iso(r.return_date, MILLIS),
            "days": 0,
            "utilization_sum": {"currency_code": "RUB", "price": 0},
            "utilization_forecast_date": None,
        },
        "product": {
            "sku": r.sku,
            "offer_id": r.offer_id,
            "name": r.name,
            "quantity": r.quantity,
            "price": {"currency_code": "RUB", "price": price},
            "price_without_commission": {"currency_code": "RUB", "price": round(price - commission, 2)},
            "commission_percent": r.commission_percent,
            "commission": {"currency_code": "RUB", "price": commission},
        },
        "logistic": {
            "technical_return_moment": None,
            "final_moment": None,
            "cancelled_with_compensation_moment": None,
            "return_date": iso(r.return_date, MILLIS),
            "barcode": r.barcode,
        },
        "visual": {
            "status": {"id": r.status_id, "display_name": r.status_name, "sys_name": r.status_sys_name},
            "change_moment": iso(r.changed_at, MILLIS),
        },
        "compensation_status": None,
        "additional_info": {"is_opened": r.is_opened, "is_super_econom": False},
        "exemplars": [{"id": r.exemplar_id}],
    }


@route("/v1/returns/list")
def returns_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    limit = f.limit(default=500, hi=500)
    last_id = f.number("last_id", default=0, lo=0) or 0
    flt = f.obj("filter")
    ranges = [key for key in DATE_RANGES if flt.has(key)]
    if len(ranges) > 1:
        raise invalid(flt.name(ranges[1]), "only one date range may be used at a time")
    lo = hi = None
    if ranges:
        lo, hi = flt.period(ranges[0], "time_from", "time_to")
    numbers = set(flt.texts("posting_numbers", max_items=50))
    order_id = flt.number("order_id")
    offer_id = flt.text("offer_id")
    name = flt.text("product_name").lower()
    status_name = flt.text("visual_status_name")
    warehouse_id = flt.number("warehouse_id")
    barcode = flt.text("barcode")
    schema = flt.choice("return_schema", ("FBS", "FBO", ""), "")

    def moment(r: FbsReturn) -> Any:
        return r.changed_at if not ranges or ranges[0] == "visual_status_change_moment" else r.return_date

    def match(r: FbsReturn) -> bool:
        when = moment(r)
        return (
            (lo is None or when >= lo)
            and (hi is None or when <= hi)
            and (not numbers or r.posting_number in numbers)
            and (not order_id or r.order_id == order_id)
            and (not offer_id or r.offer_id == offer_id)
            and (not name or name in r.name.lower())
            and (not status_name or status_name in (r.status_sys_name, r.status_name))
            and (not warehouse_id or r.warehouse_id == warehouse_id)
            and (not barcode or r.barcode == barcode)
            and (not schema or r.schema.upper() == schema)
        )

    company_id = int(ctx.store.client_id) if ctx.store.client_id.isdigit() else 0
    selected = [r for rid, r in sorted(ctx.store.fbs_returns.items()) if rid > last_id and match(r)]
    return {"returns": [_fbs_item(r, company_id) for r in selected[:limit]], "has_next": len(selected) > limit}


# -- rFBS ----------------------------------------------------------------------------------------------


def _state(r: RfbsReturn) -> dict[str, Any]:
    name, group, _ = refunds.STATES[r.state]
    return {
        "group_state": group,
        "state": r.state,
        "state_name": name,
        "money_return_state_name": refunds.MONEY_STATE_NAMES.get(r.state, ""),
    }


def _product(r: RfbsReturn) -> dict[str, Any]:
    return {"sku": r.sku, "offer_id": r.offer_id, "name": r.name, "price": amount(r.price), "currency_code": "RUB"}


def _rfbs_item(r: RfbsReturn) -> dict[str, Any]:
    return {
        "return_id": r.return_id,
        "return_number": r.return_number,
        "posting_number": r.posting_number,
        "order_number": r.order_number,
        "client_name": r.client_name,
        "created_at": iso(r.created_at, MILLIS),
        "product": _product(r),
        "state": _state(r),
    }


@route("/v2/returns/rfbs/list")
def rfbs_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    limit = f.limit(default=100, hi=1000)
    last_id = f.number("last_id", default=0, lo=0) or 0
    flt = f.obj("filter")
    offer_id = flt.text("offer_id")
    posting_number = flt.text("posting_number")
    groups = set()
    for g in flt.texts("group_state"):
        canonical = next((x for x in refunds.GROUPS if x.lower() == g.lower()), None)
        if canonical is None:
            raise invalid(flt.name("group_state"), f"unknown group state {g!r}")
        groups.add(canonical)
    lo, hi = flt.period("created_at")
    out = []
    for rid, r in sorted(ctx.store.rfbs_returns.items()):
        if rid <= last_id:
            continue
        group = refunds.STATES[r.state][1]
        if groups and "All" not in groups and group not in groups:
            continue
        if (offer_id and r.offer_id != offer_id) or (posting_number and r.posting_number != posting_number):
            continue
        if (lo is not None and r.created_at < lo) or (hi is not None and r.created_at > hi):
            continue
        out.append(_rfbs_item(r))
        if len(out) == limit:
            break
    return {"returns": out}


def _rfbs(ctx: Ctx, f: Fields) -> RfbsReturn:
    r = ctx.store.rfbs_returns.get(f.number("return_id", required=True) or 0)
    if r is None:
        raise not_found("RETURN_NOT_FOUND")
    return r


@route("/v2/returns/rfbs/get")
def rfbs_get(ctx: Ctx, f: Fields) -> dict[str, Any]:
    r = _rfbs(ctx, f)
    item = _rfbs_item(r)
    item.update(
        {
            "client_photo": list(r.photos),
            "comment": r.comment,
            "return_reason": {"id": r.reason_id, "name": r.reason_name, "is_defect": r.is_defect},
            "rejection_reason": [
                {"id": rid, "name": name, "hint": hint, "is_comment_required": True}
                for rid, name, hint in refunds.REJECTION_REASONS
            ],
            "rejection_comment": r.rejection_comment,
            "client_return_method_type": {"id": r.return_method_id, "name": r.return_method_name},
            "return_method_description": r.return_method_description,
            "ru_post_tracking_number": r.ru_post_tracking_number,
            "warehouse_id": r.warehouse_id,
            "compensation_amount": r.compensation_amount,
            "available_actions": [
                {"action": {"id": aid, "name": refunds.ACTIONS[aid][0]}} for aid in refunds.STATES[r.state][2]
            ],
        }
    )
    return {"returns": item}


def _apply(ctx: Ctx, r: RfbsReturn, action: int, f: Fields) -> None:
    """Check and apply one seller action (validation first, so a refused call changes nothing)."""
    if action not in refunds.ACTIONS:
        raise invalid("id", f"unknown action id {action}")
    comment = f.text("comment", max_len=1000)
    reason_id = f.number("rejection_reason_id")
    compensation = ""
    if action in refunds.REJECTIONS:
        if not comment:
            raise invalid("comment", "value is required for a rejection")
        if reason_id not in {rid for rid, _, _ in refunds.REJECTION_REASONS}:
            raise invalid("rejection_reason_id", "value is required for a rejection and must be a listed reason")
    if action == refunds.COMPENSATION:
        raw = f.data.get("compensation_amount")
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = Decimal(0)
        if raw is None or not value.is_finite() or value <= 0 or value * 100 > r.price:
            raise invalid("compensation_amount", "value is required, positive and not above the item price")
        compensation = f"{value:.2f}"
    if action not in refunds.STATES[r.state][2]:
        raise refused("TRANSITION_IS_NOT_POSSIBLE")
    r.state = refunds.ACTIONS[action][1]
    r.changed_at = ctx.now
    if action in refunds.REJECTIONS:
        r.rejection_comment, r.rejection_reason_id = comment, reason_id or 0
    if compensation:
        r.compensation_amount = compensation
    if action == refunds.APPROVE:
        r.return_method_description = f.text("return_method_description", max_len=1000)
    if action == refunds.REFUND:
        r.return_for_back_way = f.number("return_for_back_way", default=0, lo=0) or 0
    ctx.log(return_id=r.return_id)


@route("/v1/returns/rfbs/action/set")
def rfbs_action(ctx: Ctx, f: Fields) -> dict[str, Any]:
    r = _rfbs(ctx, f)
    action = f.number("id", required=True)
    assert action is not None
    _apply(ctx, r, action, f)
    return {}
