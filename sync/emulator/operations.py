"""State changes of postings that both the API handlers and the emulator's own events make."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from . import exemplars
from .codes import NO_BARCODE
from .errors import refused
from .machine import CANCEL_REASONS, CANCELLABLE, SHIPPED
from .model import Cancellation, Line, Posting
from .requirements import is_multibox
from .store import Store

LABEL_DELAY = timedelta(seconds=50)
# Ozon approves an rFBS posting on its own side (there is no seller method): this long after it was created.
APPROVE_DELAY = timedelta(minutes=10)

# Refusals of the ship of a multi-box posting (the emulator's choice: Ozon documents none).
MULTI_BOX_QTY_NOT_SET = "MULTI_BOX_QTY_NOT_SET"
MULTI_BOX_IN_SEVERAL_PACKAGES = "MULTI_BOX_POSTING_IN_SEVERAL_PACKAGES"

# who cancels -> (cancellation_type, cancellation_initiator)
INITIATORS = {"seller": ("seller", "Продавец"), "buyer": ("client", "Покупатель"), "ozon": ("ozon", "Ozon")}


def check_shippable(p: Posting) -> None:
    if p.status == "cancelled":
        raise refused("POSTING_ALREADY_CANCELLED")
    if p.status in SHIPPED:
        raise refused("POSTING_ALREADY_SHIPPED")
    if p.status != "awaiting_packaging":
        raise refused("HAS_INCORRECT_STATUS")


def check_packages(p: Posting, packages: list[list[tuple[int, int]]]) -> None:
    """Every SKU must belong to the posting and the packages must hold exactly its quantities."""
    ordered = {line.product.sku: line.quantity for line in p.lines}
    packed: dict[int, int] = {}
    for package in packages:
        for sku, quantity in package:
            if sku not in ordered:
                raise refused("UNKNOWN_PRODUCT_DEFINED")
            packed[sku] = packed.get(sku, 0) + quantity
    if packed != ordered:
        raise refused("HAS_INCORRECT_PRODUCT_QUANTITY")


def check_ready_to_ship(p: Posting, packages: list[list[tuple[int, int]]], now: datetime) -> None:
    """Box count and exemplar data (docs/ozon-contract.md, Exemplars), checked after the packages themselves."""
    if is_multibox(p):
        if not p.multi_box_qty:
            raise refused(MULTI_BOX_QTY_NOT_SET)
        if len(packages) > 1:
            raise refused(MULTI_BOX_IN_SEVERAL_PACKAGES)
    if exemplars.status(p, now) != "ship_available":
        raise refused("EXEMPLAR_INFO_NOT_FILLED_COMPLETELY")


def ship(store: Store, p: Posting, packages: list[list[tuple[int, int]]], now: datetime) -> list[Posting]:
    """Assemble a posting (already checked): one package keeps the number, each further one becomes a
    new posting of the same order. All of them go to awaiting_deliver; labels follow in 50 s."""
    lines = {line.product.sku: line for line in p.lines}

    def package_lines(package: list[tuple[int, int]]) -> list[Line]:
        merged: dict[int, int] = {}
        for sku, quantity in package:
            merged[sku] = merged.get(sku, 0) + quantity
        return [dataclasses.replace(lines[sku], quantity=q) for sku, q in merged.items()]

    pool = p.exemplars
    shipped = [p]
    for package in packages[1:]:
        upper, lower, scanit = store.ids.label_codes(new_only=p.lower_barcode == NO_BARCODE)
        part = dataclasses.replace(
            p,
            number=store.next_posting_number(p.order_number),
            lines=package_lines(package),
            parent_number=p.number,
            upper_barcode=upper,
            lower_barcode=lower,
            scanit=scanit,
            label_ready=False,
            carriage_id=None,
            cache_v4=None,
        )
        store.add_postings([part])
        shipped.append(part)
    p.lines = package_lines(packages[0])
    if len(shipped) > 1:
        exemplars.split(store, shipped, pool)
    for part in shipped:
        part.label_ready = False
        store.set_status(part, "awaiting_deliver", "posting_transferring_to_delivery", now)
    numbers = [part.number for part in shipped]
    store.schedule(now + LABEL_DELAY, lambda _when: labels_ready(store, numbers))
    return shipped


def labels_ready(store: Store, numbers: list[str]) -> None:
    for number in numbers:
        p = store.postings[number]
        if not p.label_ready:
            p.label_ready = True
            store.touch(p)


def approve_later(store: Store, p: Posting, when: datetime) -> None:
    """Ozon moves an rFBS posting out of awaiting_approve at ``when`` (unless it was cancelled meanwhile)."""

    def approve(at: datetime) -> None:
        if p.status == "awaiting_approve":
            store.set_status(p, "awaiting_packaging", when=at)

    store.schedule(when, approve)


def cancel(store: Store, p: Posting, reason_id: int, by: str, now: datetime) -> None:
    title, _, _ = CANCEL_REASONS.get(reason_id, ("Отменено", "buyer", False))
    kind, initiator = INITIATORS[by]
    p.cancellation = Cancellation(
        reason_id, title, kind, initiator, after_ship=p.status in SHIPPED, affects_rating=by == "seller"
    )
    exemplars.release_marks(store, p)
    store.set_status(p, "cancelled", when=now)


def check_cancellable(p: Posting) -> None:
    if p.status == "cancelled":
        raise refused("POSTING_ALREADY_CANCELLED")
    if p.status not in CANCELLABLE:
        raise refused("HAS_INCORRECT_STATUS")
