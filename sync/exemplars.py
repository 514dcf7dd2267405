"""Marking codes and customs numbers before the ship call (docs/ozon-contract.md, Exemplars).

The pack station saves, with the ship action, what it collected per unit: `{"<sku>": [{"mark",
"gtd", "gtd_absent"}, …]}` in scan order. Ozon numbers the units itself (`exemplar/create-or-get`);
this module gives each of Ozon's exemplars the data of one scanned unit — always the full set, as
Ozon requires — and reads Ozon's verdict (`exemplar/status`) back into a sentence a packer understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.answers import ExemplarInfo

SHIP_AVAILABLE = "ship_available"
NOT_AVAILABLE = "ship_not_available"
CHECKING = "validation_in_process"

Units = Mapping[str, list[Mapping[str, Any]]]  # the ship action's payload["exemplars"]


def request_products(info: ExemplarInfo, units: Units) -> list[dict[str, Any]]:
    """The `products` of `exemplar/set`: every product of the posting, every exemplar Ozon made."""
    products = []
    for product in info.products:
        given = list(units.get(str(product.sku), ()))
        exemplars = []
        for i, exemplar in enumerate(product.exemplars):
            unit = given[i] if i < len(given) else {}
            mark = str(unit.get("mark") or "")
            exemplars.append(
                {
                    "exemplar_id": exemplar.exemplar_id,
                    "gtd": str(unit.get("gtd") or ""),
                    "is_gtd_absent": bool(unit.get("gtd_absent")),
                    "rnpt": "",
                    "is_rnpt_absent": False,
                    "marks": [{"mark": mark, "mark_type": "mandatory_mark"}] if mark else [],
                }
            )
        products.append({"product_id": product.sku, "exemplars": exemplars})
    return products


def unit_count_problem(info: ExemplarInfo, units: Units) -> str:
    """ "" when Ozon's units and the scanned ones agree; else what differs."""
    for product in info.products:
        given = len(units.get(str(product.sku), ()))
        if given and given != len(product.exemplars):
            return f"SKU {product.sku}: {given} unit(s) scanned, Ozon expects {len(product.exemplars)}"
    return ""


def refusals(status: ExemplarInfo) -> list[str]:
    """What Ozon refused, unit by unit: "SKU 1234, unit 2: marking code …: MARK_ALREADY_USED"."""
    found = []
    for product in status.products:
        for n, exemplar in enumerate(product.exemplars, 1):
            where = f"SKU {product.sku}, unit {n}"
            for mark, check in zip(exemplar.marks, exemplar.mark_status, strict=False):
                if check == "failed":
                    errors = ", ".join(exemplar.mark_errors) or "refused"
                    found.append(f"{where}: marking code {_short(mark)}: {errors}")
            if exemplar.gtd_status == "failed":
                errors = ", ".join(exemplar.gtd_errors) or "refused"
                found.append(f"{where}: customs number {exemplar.gtd or '(none)'}: {errors}")
    return found


def _short(mark: str) -> str:
    """The identification part of a code (the crypto tail says nothing to a person)."""
    return mark.split("\x1d", 1)[0][:31]
