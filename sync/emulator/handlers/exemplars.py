"""Marking codes, customs numbers and boxes before the ship (the rules are in ``exemplars.py``, the code
formats in ``marks.py``)."""

from __future__ import annotations

from typing import Any

from .. import exemplars, marks
from ..errors import invalid, refused
from ..fields import Fields
from ..model import Exemplar, Mark, Product
from ..requirements import is_multibox, quantities
from .base import Ctx, route

NOT_PACKAGING = "Posting must have 'awaiting_packaging' status"
NOT_AWAITING_DELIVER = "Posting must have 'awaiting_deliver' status"
NOT_MULTIBOX = "POSTING_IS_NOT_MULTIBOX"  # the emulator's choice: Ozon documents no message


def _marks(ef: Fields) -> list[Mark]:
    out: list[Mark] = []
    for k, raw in enumerate(ef.items("marks")):
        mf = Fields(raw, ef.name(f"marks[{k}]"))
        mark = Mark(mf.text("mark", required=True, max_len=200), mf.choice("mark_type", marks.MARK_TYPES, ""))
        if any(m.mark_type == mark.mark_type for m in out):
            raise invalid(ef.name("marks"), "at most one mark of each type per exemplar")
        out.append(mark)
    return out


def _exemplar(ef: Fields) -> Exemplar:
    exemplar_id = ef.number("exemplar_id", required=True)
    assert exemplar_id is not None
    return Exemplar(
        exemplar_id,
        gtd=ef.text("gtd", max_len=64),
        is_gtd_absent=ef.flag("is_gtd_absent"),
        rnpt=ef.text("rnpt", max_len=64),
        is_rnpt_absent=ef.flag("is_rnpt_absent"),
        weight=ef.real("weight"),
        marks=_marks(ef),
    )


def _products(f: Fields) -> list[tuple[int, list[Fields]]]:
    """(product_id, its exemplars as Fields) per item of ``products``."""
    out = []
    for i, raw in enumerate(f.items("products", required=True)):
        pf = Fields(raw, f"products[{i}]")
        sku = pf.number("product_id", required=True)
        assert sku is not None
        out.append((sku, [Fields(e, pf.name(f"exemplars[{j}]")) for j, e in enumerate(pf.items("exemplars"))]))
    return out


@route("/v6/fbs/posting/product/exemplar/create-or-get")
def create_or_get(ctx: Ctx, f: Fields) -> dict[str, Any]:
    p = ctx.posting(f.text("posting_number", required=True))
    exemplars.create_or_get(ctx.store, p)
    return exemplars.create_or_get_view(p)


@route("/v6/fbs/posting/product/exemplar/set")
def set_exemplars(ctx: Ctx, f: Fields) -> dict[str, Any]:
    """The full set replaces what was there; the checks run as a task (see ``exemplars.py``)."""
    number = f.text("posting_number", required=True)
    f.number("multi_box_qty", lo=0)  # accepted; the box count is set with /v3/posting/multiboxqty/set
    sent_products = [(sku, [_exemplar(ef) for ef in items]) for sku, items in _products(f)]
    p = ctx.posting(number)
    if p.status != "awaiting_packaging":
        raise refused(NOT_PACKAGING)
    owners = exemplars.exemplar_ids(p)
    sent: dict[int, Exemplar] = {}
    for sku, items in sent_products:
        for ex in items:
            if owners.get(ex.exemplar_id) != sku:
                raise refused(f"{ex.exemplar_id} does not belong to product {sku}")
            if ex.exemplar_id in sent:
                raise invalid("products.exemplars.exemplar_id", f"exemplar {ex.exemplar_id} is sent twice")
            sent[ex.exemplar_id] = ex
    exemplars.apply_set(ctx.store, p, sent, ctx.now)
    ctx.log(posting_number=number)
    return {}


@route("/v5/fbs/posting/product/exemplar/status")
def status(ctx: Ctx, f: Fields) -> dict[str, Any]:
    p = ctx.posting(f.text("posting_number", required=True))
    return exemplars.status_view(p, ctx.now)


def _validated(ef: Fields, product: Product | None) -> dict[str, Any]:
    gtd = ef.text("gtd", max_len=64)
    ef.text("rnpt", max_len=64)
    ef.real("weight")
    errors = marks.gtd_errors(gtd) if gtd else []
    checked = []
    for mark in _marks(ef):
        mark_errors = marks.mark_errors(mark.mark, mark.mark_type, product) if product else []
        checked.append(
            {"mark": mark.mark, "mark_type": mark.mark_type, "valid": not mark_errors, "errors": mark_errors}
        )
    return {"valid": not errors and all(m["valid"] for m in checked), "errors": errors, "marks": checked}


@route("/v5/fbs/posting/product/exemplar/validate")
def validate(ctx: Ctx, f: Fields) -> dict[str, Any]:
    """Format checks only, at once (no "already used": that is the set's check)."""
    number = f.text("posting_number", required=True)
    requested = _products(f)
    goods = quantities(ctx.posting(number))
    out = []
    for sku, items in requested:
        product = goods[sku][0] if sku in goods else None
        checked = [_validated(ef, product) for ef in items]
        error = "" if product else "UNKNOWN_PRODUCT_DEFINED"
        out.append(
            {
                "product_id": sku,
                "valid": not error and all(e["valid"] for e in checked),
                "error": error,
                "exemplars": checked,
            }
        )
    return {"products": out}


@route("/v1/fbs/posting/product/exemplar/update")
def update(ctx: Ctx, f: Fields) -> dict[str, Any]:
    """Confirms the exemplar data of a posting already shipped (nothing else changes in the emulator)."""
    number = f.text("posting_number", required=True)
    if ctx.posting(number).status != "awaiting_deliver":
        raise refused(NOT_AWAITING_DELIVER)
    ctx.log(posting_number=number)
    return {}


@route("/v3/posting/multiboxqty/set")
def multibox_qty(ctx: Ctx, f: Fields) -> dict[str, Any]:
    number = f.text("posting_number", required=True)
    boxes = f.number("multi_box_qty", required=True, lo=1, hi=100)
    assert boxes is not None
    p = ctx.posting(number)
    if not is_multibox(p):
        raise refused(NOT_MULTIBOX)
    if p.status != "awaiting_packaging":
        raise refused("HAS_INCORRECT_STATUS")
    p.multi_box_qty = boxes
    ctx.store.touch(p)
    ctx.log(posting_number=number)
    return {"result": {"result": True}}
