"""Marking codes and customs numbers: `exemplar/create-or-get` and `exemplar/status` answers."""

from __future__ import annotations

from typing import Any

from sync.answers import Exemplar, ExemplarInfo, ExemplarProduct
from sync.schemas.fields import Fields, unwrap


def _exemplar(obj: Any, where: str) -> Exemplar:
    f = Fields(obj, where)
    marks: list[str] = []
    statuses: list[str] = []
    errors: list[str] = []
    for i, raw in enumerate(f.items("marks")):
        m = Fields(raw, f"{where}.marks[{i}]")
        if m.text("mark_type").lower() not in ("", "mandatory_mark"):
            continue
        marks.append(m.text("mark"))
        statuses.append(m.text("check_status").lower())
        errors.extend(str(e) for e in m.items("error_codes"))
    return Exemplar(
        exemplar_id=f.int_id("exemplar_id", required=True),
        marks=tuple(marks),
        gtd=f.text("gtd"),
        gtd_absent=f.flag("is_gtd_absent"),
        mark_status=tuple(statuses),
        mark_errors=tuple(errors),
        gtd_status=f.text("gtd_check_status").lower(),
        gtd_errors=tuple(str(e) for e in f.items("gtd_error_codes")),
    )


def exemplar_info(body: Any, where: str = "answer") -> ExemplarInfo:
    """`exemplar/create-or-get` and `exemplar/status` share this shape (status adds the checks)."""
    f = Fields(unwrap(body, where), where)
    products = []
    for i, raw in enumerate(f.items("products", required=True)):
        p = Fields(raw, f"{where}.products[{i}]")
        exemplars = tuple(
            _exemplar(e, f"{where}.products[{i}].exemplars[{j}]") for j, e in enumerate(p.items("exemplars"))
        )
        products.append(
            ExemplarProduct(
                sku=p.int_id("product_id", required=True),
                quantity=p.int_id("quantity") or len(exemplars),
                exemplars=exemplars,
                mark_needed=p.flag("is_mandatory_mark_needed"),
                gtd_needed=p.flag("is_gtd_needed"),
            )
        )
    return ExemplarInfo(
        posting_number=f.text("posting_number"),
        products=tuple(products),
        status=f.text("status").lower(),
        multi_box_qty=max(1, f.int_id("multi_box_qty")),
    )
