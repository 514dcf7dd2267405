"""Ship (pack) a posting: the action the pack station queues after a complete scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app import outbox
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import PostingStatus
from app.errors import InvalidAction, NotFound
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.repos import postings

Package = Sequence[tuple[int, int]]  # [(sku, quantity)]


def queue_ship(
    db: Database, clock: Clock, posting_number: str, packages: Sequence[Package] | None = None
) -> OutboxEntry:
    """Queue the ship call (and, for FBS, fetching Ozon's label once it is ready).

    Refuses with a one-line reason when the posting is unknown, not awaiting packaging, already
    queued, or the packages do not hold exactly the posting's items.
    """
    with db.write() as s:
        return queue_ship_in(s, clock.now(), posting_number, packages)


def queue_ship_in(
    s: Session, now: datetime, posting_number: str, packages: Sequence[Package] | None = None
) -> OutboxEntry:
    """`queue_ship` inside the caller's transaction (the pack station adds history and print jobs)."""
    cached = postings.get(s, posting_number)
    if cached is None:
        raise NotFound("posting_unknown", f"posting {posting_number} is not in the local cache", posting=posting_number)
    posting = cached.posting
    if cached.local_status is not None:
        raise InvalidAction(
            "posting_pending",
            f"posting {posting_number} already has a pending action ({cached.local_status})",
            posting=posting_number,
        )
    if posting.status is not PostingStatus.AWAITING_PACKAGING:
        raise InvalidAction(
            "posting_not_shippable",
            f"posting {posting_number} is {posting.status.value}, not awaiting_packaging",
            posting=posting_number,
            status=posting.status.value,
        )
    wanted = Counter[int]()
    for item in posting.products:
        wanted[item.sku] += item.quantity
    chosen = [list(pkg) for pkg in packages] if packages else [sorted(wanted.items())]
    given = Counter[int]()
    for pkg in chosen:
        if not pkg:
            raise InvalidAction("package_empty", "a package has no items")
        for sku, qty in pkg:
            if sku not in wanted:
                raise InvalidAction("sku_not_in_posting", f"SKU {sku} is not in posting {posting_number}", sku=sku)
            if qty <= 0:
                raise InvalidAction("bad_quantity", f"quantity of SKU {sku} must be positive", sku=sku)
            given[sku] += qty
    if given != wanted:
        diff = ", ".join(
            f"SKU {sku}: {given[sku]} of {wanted[sku]}" for sku in sorted(wanted) if given[sku] != wanted[sku]
        )
        raise InvalidAction("package_quantities", f"packages do not match the posting ({diff})", detail=diff)
    entry = outbox.enqueue(
        s,
        ActionKind.SHIP,
        TargetKind.POSTING,
        posting_number,
        {"packages": [[[int(sku), int(qty)] for sku, qty in pkg] for pkg in chosen]},
        now,
    )
    outbox.apply_local_effect(s, entry)
    if not posting.is_rfbs:
        outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, posting_number, {}, now)
    return entry


def open_actions(db: Database, posting_number: str) -> list[OutboxEntry]:
    with db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT), target_id=posting_number)
