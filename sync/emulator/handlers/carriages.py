"""Handing postings over: carriages and their acts (docs/ozon-contract.md, Handover; the legacy act/create is gone).

A new carriage takes every awaiting_deliver posting of its delivery method that is in no other carriage;
with nothing new to take, create answers 404 ``POSTING_NOT_FOUND`` ("approve the previous carriage or use
set-postings"). ``set-postings`` replaces the list of a ``new`` carriage. Approving puts the postings in
posting_in_carriage; ``containers_count`` may be sent only by a seller with trusted acceptance
(``Emulator(trusted_acceptance=True)``), anyone else gets a validation error naming it. The act is
``in_process`` until ``ACT_DELAY`` (5 s of emulator time) after the approval, then ``ready``: only then does
``/v1/carriage/get`` offer get_shipping_list, get_act_of_acceptance and get_waybill, and the PDF can be
downloaded. A cancelled carriage's act is ``cancelled``. In live mode the carriage departs and its postings
go to delivering.

Choices where Ozon is silent: set-postings refuses a posting per item with ``POSTING_NOT_FOUND``,
``HAS_INCORRECT_STATUS`` (not awaiting_deliver), ``POSTING_HAS_ANOTHER_DELIVERY_METHOD`` or
``POSTING_IN_ANOTHER_CARRIAGE``, and refuses the whole call for a carriage that is not ``new``
(``TRANSITION_IS_NOT_POSSIBLE``); ``containers_count`` shows 0 until a trusted seller sets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import documents
from ..clock import iso
from ..errors import invalid, not_found, refused
from ..fields import Fields
from ..model import Carriage, Posting
from ..requirements import multi_box_qty
from ..views import legacy_price
from .base import Ctx, Raw, route

ACT_DELAY = timedelta(seconds=5)


def _carriage(ctx: Ctx, f: Fields, key: str) -> Carriage:
    carriage_id = f.number(key, required=True)
    carriage = ctx.store.carriages.get(carriage_id or 0)
    if carriage is None:
        raise not_found("CARRIAGE_NOT_FOUND")
    return carriage


def _create(ctx: Ctx, f: Fields) -> Carriage:
    method_id = f.number("delivery_method_id", required=True)
    departure = f.time("departure_date") or ctx.now
    store = ctx.store
    method = store.methods.get(method_id or 0)
    if method is None:
        raise not_found("DELIVERY_METHOD_NOT_FOUND")
    if method.rfbs:
        raise refused("HAS_INCORRECT_TPL_INTEGRATION_TYPE")
    postings = [
        p
        for p in store.postings.values()
        if p.method is method and p.status == "awaiting_deliver" and p.carriage_id is None
    ]
    if not postings:
        raise not_found("POSTING_NOT_FOUND")
    carriage = Carriage(
        id=store.ids.next("carriage", 5_819_327_210_249, 1_000),
        method=method,
        departure_date=departure,
        created_at=ctx.now,
        posting_numbers=[p.number for p in postings],
    )
    store.carriages[carriage.id] = carriage
    for p in postings:
        p.carriage_id = carriage.id
        store.touch(p)
    return carriage


def _approve(ctx: Ctx, carriage: Carriage) -> list[Posting]:
    store = ctx.store
    kept = []
    for number in carriage.posting_numbers:
        p = store.postings[number]
        if p.status == "awaiting_deliver" and p.carriage_id == carriage.id:
            store.set_status(p, "awaiting_deliver", "posting_in_carriage", ctx.now)
            kept.append(p)
        elif p.carriage_id == carriage.id:
            p.carriage_id = None
    carriage.posting_numbers = [p.number for p in kept]
    carriage.status = "formed"
    carriage.approved_at = ctx.now
    return kept


def _postings(ctx: Ctx, carriage: Carriage) -> list[Posting]:
    return [ctx.store.postings[n] for n in carriage.posting_numbers]


def _act_ready(carriage: Carriage, now: datetime) -> bool:
    return carriage.approved_at is not None and now >= carriage.approved_at + ACT_DELAY


@route("/v1/carriage/create")
def carriage_create(ctx: Ctx, f: Fields) -> dict[str, Any]:
    carriage = _create(ctx, f)
    for number in carriage.posting_numbers:
        ctx.log(posting_number=number, carriage_id=carriage.id)
    return {"carriage_id": carriage.id}


@route("/v1/carriage/approve")
def carriage_approve(ctx: Ctx, f: Fields) -> dict[str, Any]:
    if f.data.get("containers_count") is not None and not ctx.store.trusted_acceptance:
        raise invalid("containers_count", "may be sent only by sellers with trusted acceptance")
    count = f.number("containers_count", lo=1, hi=1000)
    carriage = _carriage(ctx, f, "carriage_id")
    if carriage.status != "new":
        raise refused("TRANSITION_IS_NOT_POSSIBLE")
    if count is not None:
        carriage.containers_count = count
    for p in _approve(ctx, carriage):
        ctx.log(posting_number=p.number, carriage_id=carriage.id)
    return {}


def _why_not_in(carriage: Carriage, p: Posting | None) -> str:
    """Why a posting cannot go into this carriage (empty: it can)."""
    if p is None:
        return "POSTING_NOT_FOUND"
    if p.status != "awaiting_deliver":
        return "HAS_INCORRECT_STATUS"
    if p.method is not carriage.method:
        return "POSTING_HAS_ANOTHER_DELIVERY_METHOD"
    if p.carriage_id not in (None, carriage.id):
        return "POSTING_IN_ANOTHER_CARRIAGE"
    return ""


@route("/v1/carriage/set-postings")
def carriage_set_postings(ctx: Ctx, f: Fields) -> dict[str, Any]:
    """The carriage's list becomes the given postings that may go in it; the others are left out."""
    numbers = list(dict.fromkeys(f.texts("posting_numbers", max_items=1000, required=True)))
    carriage = _carriage(ctx, f, "carriage_id")
    if carriage.status != "new":
        raise refused("TRANSITION_IS_NOT_POSSIBLE")
    store = ctx.store
    results, kept = [], []
    for number in numbers:
        p = store.postings.get(number)
        error = _why_not_in(carriage, p)
        results.append({"posting_number": number, "result": not error, "error": error})
        if p is not None and not error:
            kept.append(p)
    for p in _postings(ctx, carriage):
        if p not in kept:
            p.carriage_id = None
            store.touch(p)
    for p in kept:
        p.carriage_id = carriage.id
        store.touch(p)
        ctx.log(posting_number=p.number, carriage_id=carriage.id)
    carriage.posting_numbers = [p.number for p in kept]
    return {"result": results}


@route("/v1/carriage/cancel")
def carriage_cancel(ctx: Ctx, f: Fields) -> dict[str, Any]:
    carriage = _carriage(ctx, f, "carriage_id")
    if carriage.status != "new":
        return {"carriage_status": carriage.status, "error": "TRANSITION_IS_NOT_POSSIBLE"}
    carriage.status = "cancelled"
    for p in _postings(ctx, carriage):
        if p.carriage_id == carriage.id:
            p.carriage_id = None
            ctx.store.touch(p)
        ctx.log(posting_number=p.number, carriage_id=carriage.id)
    return {"carriage_status": "cancelled", "error": ""}


@route("/v1/carriage/get")
def carriage_get(ctx: Ctx, f: Fields) -> dict[str, Any]:
    carriage = _carriage(ctx, f, "carriage_id")
    if carriage.status == "new":
        actions = ["approve", "cancel"]
    elif carriage.status != "cancelled" and _act_ready(carriage, ctx.now):
        actions = ["get_shipping_list", "get_act_of_acceptance", "get_waybill"]
    else:
        actions = []
    return {
        "carriage_id": carriage.id,
        "status": carriage.status,
        "delivery_method_id": carriage.method.id,
        "warehouse_id": carriage.method.warehouse.id,
        "departure_date": iso(carriage.departure_date),
        "created_at": iso(carriage.created_at),
        "updated_at": iso(carriage.approved_at or carriage.created_at),
        "containers_count": carriage.containers_count,
        "act_type": "ozon_digital",
        "is_partial": False,
        "partial_num": 0,
        "integration_type": "ozon",
        "tpl_provider_id": carriage.method.tpl_provider_id,
        "available_actions": actions,
        "cancel_availability": {
            "is_cancel_available": carriage.status == "new",
            "reason": "" if carriage.status == "new" else "carriage is already formed",
        },
    }


@route("/v2/posting/fbs/act/check-status")
def act_check_status(ctx: Ctx, f: Fields) -> dict[str, Any]:
    carriage = _carriage(ctx, f, "id")
    ready = _act_ready(carriage, ctx.now)
    status = "cancelled" if carriage.status == "cancelled" else "ready" if ready else "in_process"
    waiting = any(
        p.method is carriage.method and p.status == "awaiting_deliver" and p.carriage_id is None
        for p in ctx.store.postings.values()
    )
    return {
        "result": {
            "id": carriage.id,
            "status": status,
            "act_type": "ozon_digital",
            "added_to_act": list(carriage.posting_numbers),
            "removed_from_act": [],
            "is_partial": False,
            "partial_num": 0,
            "has_postings_for_next_carriage": waiting,
        }
    }


@route("/v2/posting/fbs/act/get-postings")
def act_get_postings(ctx: Ctx, f: Fields) -> dict[str, Any]:
    carriage = _carriage(ctx, f, "id")
    return {
        "result": [
            {
                "posting_number": p.number,
                "status": p.status,
                "multi_box_qty": multi_box_qty(p),
                "seller_error": "",
                "products": [
                    {
                        "sku": ln.product.sku,
                        "offer_id": ln.product.offer_id,
                        "name": ln.product.name,
                        "price": legacy_price(ln.price),
                        "quantity": ln.quantity,
                    }
                    for ln in p.lines
                ],
            }
            for p in _postings(ctx, carriage)
        ]
    }


@route("/v2/posting/fbs/act/get-pdf")
def act_get_pdf(ctx: Ctx, f: Fields) -> Raw:
    carriage = _carriage(ctx, f, "id")
    if not _act_ready(carriage, ctx.now):
        raise refused("ACT_IS_NOT_READY")
    return Raw(documents.act(carriage, _postings(ctx, carriage), ctx.now), "application/pdf")


@route("/v2/posting/fbs/act/list")
def act_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    """Carriages and acts, newest first (docs/ozon-contract.md, Handover); `date_from`/`date_to` are plain dates."""
    flt = f.obj("filter")
    date_from = flt.text("date_from")
    date_to = flt.text("date_to")
    statuses = set(flt.texts("status"))
    limit = f.number("limit", default=100, lo=1, hi=1000) or 100
    rows = []
    for carriage in sorted(ctx.store.carriages.values(), key=lambda c: c.id, reverse=True):
        day = carriage.created_at.date().isoformat()
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        if statuses and carriage.status not in statuses:
            continue
        rows.append(
            {
                "id": carriage.id,
                "delivery_method_id": carriage.method.id,
                "delivery_method_name": carriage.method.name,
                "status": carriage.status,
                "departure_date": iso(carriage.departure_date),
                "created_at": iso(carriage.created_at),
                "act_type": "ozon_digital",
                "containers_count": carriage.containers_count,
                "is_partial": False,
            }
        )
    return {"result": rows[:limit]}
