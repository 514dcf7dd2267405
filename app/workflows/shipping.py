"""Ship (pack) a posting: the action the pack station queues after a complete scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app import outbox
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import HANDLED_REQUIREMENTS, PostingStatus, Requirement
from app.errors import InvalidAction, NotFound
from app.outbox import ActionKind, OutboxEntry, OutboxState, TargetKind
from app.print_queue import DocKind
from app.repos import postings
from app.workflows import labels

Package = Sequence[tuple[int, int]]  # [(sku, quantity)]


@dataclass(frozen=True, slots=True)
class UnitData:
    """What Ozon must know of one unit before the ship call (docs/ozon-contract.md, Exemplars)."""

    mark: str = ""  # the Честный ЗНАК code, GS between its groups
    gtd: str = ""  # the customs declaration number of its SKU
    gtd_absent: bool = False  # "no ГТД"


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
    s: Session,
    now: datetime,
    posting_number: str,
    packages: Sequence[Package] | None = None,
    units: Mapping[int, Sequence[UnitData]] | None = None,
    boxes: int = 0,
    cached: postings.CachedPosting | None = None,
) -> OutboxEntry:
    """`queue_ship` inside the caller's transaction (the pack station adds history and print jobs).
    `units`: per SKU, the marking code / customs number of each unit (when Ozon requires them);
    `boxes`: the box count of a multi-box posting (default: one box per package given);
    `cached`: the posting as the caller read it in this transaction (else it is read here)."""
    if cached is None or cached.posting.posting_number != posting_number:
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
    if posting.is_multibox:  # one shipment in several boxes: one package; Ozon is told the boxes
        boxes = boxes or len(chosen)
        chosen = [sorted(given.items())]
    payload: dict[str, object] = {"packages": [[[int(sku), int(qty)] for sku, qty in pkg] for pkg in chosen]}
    _check_units(posting_number, posting.requirements.skus, units or {})
    if units:
        payload["exemplars"] = {str(sku): [asdict(u) for u in given_units] for sku, given_units in units.items()}
    if posting.is_multibox:
        payload["multi_box_qty"] = max(1, boxes)
    entry = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, posting_number, payload, now)
    outbox.apply_local_effect(s, entry)
    if labels.label_kind(posting) is DocKind.OZON_LABEL:  # its own fetch: dropping the ship drops it too
        outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, posting_number, {}, now)
    return entry


def open_actions(db: Database, posting_number: str) -> list[OutboxEntry]:
    with db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT), target_id=posting_number)


def _check_units(
    posting_number: str, required: Mapping[Requirement, frozenset[int]], units: Mapping[int, Sequence[UnitData]]
) -> None:
    """Ozon refuses a ship whose marking codes or customs numbers are missing: so does Packdesk,
    before the action is queued (the pack station collects them; the command line cannot)."""
    unhandled = sorted(k.value for k, skus in required.items() if skus and k not in HANDLED_REQUIREMENTS)
    if unhandled:
        raise InvalidAction(
            "needs_cabinet",
            f"Ozon needs data Packdesk cannot send yet ({', '.join(unhandled)}) for posting {posting_number}: "
            "complete it in Ozon's seller cabinet",
            posting=posting_number,
        )
    for sku in sorted(required.get(Requirement.MANDATORY_MARK, frozenset())):
        if not units.get(sku) or not all(u.mark for u in units[sku]):
            raise InvalidAction(
                "marks_needed",
                f"posting {posting_number} needs a Честный ЗНАК code for every unit of SKU {sku}: pack it at the "
                "pack station",
                posting=posting_number,
                sku=sku,
            )
    for sku in sorted(required.get(Requirement.GTD, frozenset())):
        if not units.get(sku) or not all(u.gtd or u.gtd_absent for u in units[sku]):
            raise InvalidAction(
                "customs_needed",
                f"posting {posting_number} needs the customs declaration number of SKU {sku}: pack it at the "
                "pack station",
                posting=posting_number,
                sku=sku,
            )
