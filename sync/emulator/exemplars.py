"""Exemplar data of a posting: one record per item, with its marking code and customs number
(docs/ozon-contract.md, Exemplars).

``create-or-get`` makes the records (ids stable across calls); ``set`` replaces all their data at once and
starts the checks; ``status`` shows ``validation_in_process`` for ``EXEMPLAR_CHECK_DELAY`` (3 s of emulator
time), then ``ship_available`` when every item that needs data has it and every check passed, else
``ship_not_available``. A posting that needs nothing and never had a set is ``ship_available``. The ship is
refused (``EXEMPLAR_INFO_NOT_FILLED_COMPLETELY``) unless the status is ``ship_available`` at that moment.

Choices where Ozon is silent: the checks run when the set arrives and are only revealed after the delay;
a code is "used" by a posting from the set that passed it until the posting is cancelled or its data is
replaced; the status lists the products only after a first set; ``rnpt`` and ``weight`` are accepted and
always pass (no product of this shop needs them); seeded postings past packaging carry valid data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import marks
from .model import Exemplar, Mark, Posting, Product
from .requirements import EXEMPLAR_DATA, is_multibox, multi_box_qty, needs_exemplars, quantities
from .store import Store

EXEMPLAR_CHECK_DELAY = timedelta(seconds=3)


def create_or_get(store: Store, p: Posting) -> None:
    """One exemplar record per item of every SKU, made once."""
    for sku, (_, quantity) in quantities(p).items():
        records = p.exemplars.setdefault(sku, [])
        while len(records) < quantity:
            records.append(Exemplar(store.ids.next("exemplar", 1_019_562_967_545_000, 40)))


def exemplar_ids(p: Posting) -> dict[int, int]:
    """exemplar id -> the SKU it belongs to."""
    return {ex.exemplar_id: sku for sku, records in p.exemplars.items() for ex in records}


def _gtd_errors(ex: Exemplar, product: Product) -> list[str]:
    if ex.is_gtd_absent:
        return []
    if ex.gtd:
        return marks.gtd_errors(ex.gtd)
    return [marks.GTD_MISSING] if "gtd" in product.needs else []


def apply_set(store: Store, p: Posting, sent: dict[int, Exemplar], now: datetime) -> None:
    """Replace the data of every exemplar of ``p`` with what was sent (``sent`` by exemplar id, all known
    to belong to ``p``; the others are emptied) and check it."""
    release_marks(store, p)
    products = quantities(p)
    seen: set[str] = set()
    for sku, records in p.exemplars.items():
        product = products[sku][0]
        for i, old in enumerate(records):
            ex = sent.get(old.exemplar_id) or Exemplar(old.exemplar_id)
            ex.gtd_errors = _gtd_errors(ex, product)
            for mark in ex.marks:
                mark.errors = marks.mark_errors(mark.mark, mark.mark_type, product)
                if not mark.errors and (mark.mark in seen or mark.mark in store.marks):
                    mark.errors = [marks.ALREADY_USED]
                seen.add(mark.mark)
            records[i] = ex
    for mark in _marks(p):
        if not mark.errors:
            store.marks[mark.mark] = p.number
    p.exemplars_checked_at = now + EXEMPLAR_CHECK_DELAY
    store.touch(p)


def _marks(p: Posting) -> list[Mark]:
    return [mark for records in p.exemplars.values() for ex in records for mark in ex.marks]


def release_marks(store: Store, p: Posting) -> None:
    """The posting's codes may be used elsewhere again (its data is replaced, or it was cancelled)."""
    for mark in _marks(p):
        if store.marks.get(mark.mark) == p.number:
            del store.marks[mark.mark]


def _complete(p: Posting) -> bool:
    for sku, (product, quantity) in quantities(p).items():
        records = p.exemplars.get(sku, [])
        wanted = product.needs & EXEMPLAR_DATA
        if wanted and len(records) < quantity:
            return False
        for ex in records:
            if ex.gtd_errors or any(mark.errors for mark in ex.marks):
                return False
            if "mandatory_mark" in wanted and not any(m.mark_type == "mandatory_mark" for m in ex.marks):
                return False
    return True


def status(p: Posting, now: datetime) -> str:
    if p.exemplars_checked_at is None:
        return "ship_not_available" if needs_exemplars(p) else "ship_available"
    if now < p.exemplars_checked_at:
        return "validation_in_process"
    return "ship_available" if _complete(p) else "ship_not_available"


def marks_for(p: Posting, sku: int) -> list[str]:
    """The marking codes set on a SKU's items (ship answer's ``mandatory_mark``)."""
    return [mark for ex in p.exemplars.get(sku, []) for mark in mandatory_marks(ex)]


def mandatory_marks(ex: Exemplar) -> list[str]:
    return [m.mark for m in ex.marks if m.mark_type == "mandatory_mark"]


def split(store: Store, parts: list[Posting], pool: dict[int, list[Exemplar]]) -> None:
    """After a split ship: each resulting posting takes the next exemplars of its SKUs, in order, and
    the codes on them."""
    taken: dict[int, int] = {}
    for part in parts:
        part.exemplars = {}
        for sku, (_, quantity) in quantities(part).items():
            start = taken.get(sku, 0)
            if sku in pool:
                part.exemplars[sku] = pool[sku][start : start + quantity]
            taken[sku] = start + quantity
        for mark in _marks(part):
            if mark.mark in store.marks:
                store.marks[mark.mark] = part.number


def issue_mark(store: Store, product: Product, serial: str | None = None) -> str:
    """A valid code for the product that no posting uses yet and that was not handed out before
    (deterministic from the seed and the order of calls). ValueError when the product has no EAN-13, or
    when a chosen ``serial`` makes a code that is already used."""
    if serial is not None:
        code = marks.make(store.seed, product, serial)
        if code in store.marks:
            raise ValueError(f"the code with serial {serial!r} is already used by posting {store.marks[code]}")
        return code
    n = store.mark_serials.get(product.sku, 0)
    while True:
        code = marks.make(store.seed, product, marks.serial(store.seed, product.sku, n))
        n += 1
        if code not in store.marks:
            store.mark_serials[product.sku] = n
            return code


def fill_valid(store: Store, p: Posting, when: datetime) -> None:
    """Valid data for a posting that was shipped before the emulator started (seed data)."""
    create_or_get(store, p)
    products = quantities(p)
    for sku, records in p.exemplars.items():
        product = products[sku][0]
        for ex in records:
            if "mandatory_mark" in product.needs:
                ex.marks = [Mark(issue_mark(store, product), "mandatory_mark")]
                store.marks[ex.marks[0].mark] = p.number
            if "gtd" in product.needs:
                ex.gtd = f"{store.ids.digits(8)}/{when - timedelta(days=20):%d%m%y}/{store.ids.digits(7)}"
    p.exemplars_checked_at = when
    if is_multibox(p):
        p.multi_box_qty = multi_box_qty(p)


# -- views -----------------------------------------------------------------------------------------------


def _data(ex: Exemplar) -> dict[str, Any]:
    return {
        "exemplar_id": ex.exemplar_id,
        "gtd": ex.gtd,
        "is_gtd_absent": ex.is_gtd_absent,
        "rnpt": ex.rnpt,
        "is_rnpt_absent": ex.is_rnpt_absent,
        "weight": ex.weight,
        "marks": [{"mark": m.mark, "mark_type": m.mark_type} for m in ex.marks],
    }


def create_or_get_view(p: Posting) -> dict[str, Any]:
    products = []
    for sku, (product, quantity) in quantities(p).items():
        mark = "mandatory_mark" in product.needs
        products.append(
            {
                "product_id": sku,
                "quantity": quantity,
                "is_mandatory_mark_needed": mark,
                "is_mandatory_mark_possible": mark,
                "is_gtd_needed": "gtd" in product.needs,
                "is_rnpt_needed": False,
                "is_jw_uin_needed": False,
                "has_imei": False,
                "is_weight_needed": False,
                "weight_min": 0,
                "weight_max": 0,
                "exemplars": [_data(ex) for ex in p.exemplars.get(sku, [])],
            }
        )
    return {"posting_number": p.number, "multi_box_qty": multi_box_qty(p), "products": products}


def _check(errors: list[str], checking: bool) -> dict[str, Any]:
    return {
        "check_status": "processing" if checking else "failed" if errors else "passed",
        "error_codes": [] if checking else list(errors),
    }


def status_view(p: Posting, now: datetime) -> dict[str, Any]:
    code = status(p, now)
    checking = code == "validation_in_process"
    products = []
    if p.exemplars_checked_at is not None:
        for sku, records in p.exemplars.items():
            items = []
            for ex in records:
                gtd, passed = _check(ex.gtd_errors, checking), _check([], checking)
                items.append(
                    {
                        "exemplar_id": ex.exemplar_id,
                        "gtd": ex.gtd,
                        "gtd_check_status": gtd["check_status"],
                        "gtd_error_codes": gtd["error_codes"],
                        "is_gtd_absent": ex.is_gtd_absent,
                        "rnpt": ex.rnpt,
                        "rnpt_check_status": passed["check_status"],
                        "rnpt_error_codes": [],
                        "is_rnpt_absent": ex.is_rnpt_absent,
                        "weight": ex.weight,
                        "weight_check_status": passed["check_status"],
                        "weight_error_codes": [],
                        "marks": [
                            dict(mark=m.mark, mark_type=m.mark_type, **_check(m.errors, checking)) for m in ex.marks
                        ],
                    }
                )
            products.append({"product_id": sku, "exemplars": items})
    return {"posting_number": p.number, "status": code, "products": products}


def v3_product_exemplars(p: Posting) -> dict[str, Any]:
    """``product_exemplars`` of /v3/posting/fbs/get (one mandatory_mark string per item)."""
    return {
        "products": [
            {
                "sku": sku,
                "exemplars": [
                    {
                        "exemplar_id": ex.exemplar_id,
                        "mandatory_mark": next(iter(mandatory_marks(ex)), ""),
                        "gtd": ex.gtd,
                        "is_gtd_absent": ex.is_gtd_absent,
                        "rnpt": ex.rnpt,
                        "is_rnpt_absent": ex.is_rnpt_absent,
                    }
                    for ex in p.exemplars.get(sku, [])
                ],
            }
            for sku in quantities(p)
        ]
    }


def snapshot(p: Posting, now: datetime) -> dict[str, Any]:
    """What was set, for test asserts (Emulator.exemplars)."""
    return {
        "posting_number": p.number,
        "status": status(p, now),
        "multi_box_qty": p.multi_box_qty,
        "products": [
            {"product_id": sku, "exemplars": [_data(ex) for ex in records]} for sku, records in p.exemplars.items()
        ],
    }
