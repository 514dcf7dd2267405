"""What a posting needs before it can ship, derived from its products (docs/ozon-contract.md, Exemplars).

A product may need a Честный ЗНАК marking code per item (``mandatory_mark``), a customs declaration
number per item (``gtd``, imported goods), or ship in several boxes (``multibox``). A posting lists the
SKUs (as strings) in ``requirements.products_requiring_<kind>``; all eight keys are always present.

Choice where Ozon is silent: a multi-box posting shows ``multi_box_qty`` as the boxes its products come in
(catalog card: boxes per item × quantity) until the seller sets the count.
"""

from __future__ import annotations

from .model import Posting, Product

KINDS = ("mandatory_mark", "gtd", "multibox")
EXEMPLAR_DATA = frozenset({"mandatory_mark", "gtd"})  # what the seller sets per item
REQUIREMENT_KEYS = ("gtd", "country", "change_country", "mandatory_mark", "jw_uin", "rnpt", "imei", "weight")


def quantities(p: Posting) -> dict[int, tuple[Product, int]]:
    """SKU -> (product, items) over the posting's lines, in line order."""
    out: dict[int, tuple[Product, int]] = {}
    for ln in p.lines:
        product, quantity = out.get(ln.product.sku, (ln.product, 0))
        out[ln.product.sku] = (product, quantity + ln.quantity)
    return out


def needs(p: Posting, kind: str) -> bool:
    return any(kind in ln.product.needs for ln in p.lines)


def regulated(p: Posting) -> bool:
    return any(ln.product.needs for ln in p.lines)


def needs_exemplars(p: Posting) -> bool:
    """Marks or customs numbers must be set before the ship."""
    return any(ln.product.needs & EXEMPLAR_DATA for ln in p.lines)


def is_multibox(p: Posting) -> bool:
    return needs(p, "multibox")


def multi_box_qty(p: Posting) -> int:
    if not is_multibox(p):
        return 1
    return p.multi_box_qty or sum(ln.product.boxes * ln.quantity for ln in p.lines)


def requirements(p: Posting) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {f"products_requiring_{key}": [] for key in REQUIREMENT_KEYS}
    for sku, (product, _) in quantities(p).items():
        for kind in product.needs & EXEMPLAR_DATA:
            out[f"products_requiring_{kind}"].append(str(sku))
    return out
