"""The returns list: ids a filter selects, in display order, and rows fetched by id.

FBS/FBO returns and rFBS requests share one table and one list. Filtering and sorting happen in
SQL on `returns` alone; rows come back as frozen dataclasses (the shape of app.orders.query).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.tables import ReturnExchangeRow, ReturnReceiptRow, ReturnRow
from app.domain.returns import Countdown, ReturnAction, ReturnKind, Stage, countdown, stage
from app.orders.query import fast_scalars
from app.repos import postings as postings_repo

_LIKE_ESCAPE = "\\"
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    stage: Stage | None = None  # None = every return
    kind: ReturnKind | None = None
    search: str = ""  # posting, order or return number, SKU, offer id, product, buyer, parcel barcode
    overdue: bool = False  # only requests whose decision deadline has passed


@dataclass(frozen=True, slots=True)
class ReturnListRow:
    id: int  # the local row id: what the list keeps
    kind: ReturnKind
    return_id: int
    return_number: str
    posting_number: str
    order_number: str
    sku: int
    offer_id: str
    product_name: str
    quantity: int
    price: Decimal
    currency: str
    status: str
    status_name: str
    group: str
    local_status: str | None  # a decision waiting in the outbox
    reason: str
    return_type: str
    place: str
    storage_from: datetime | None
    barcode: str
    client_name: str
    created_at: datetime | None
    changed_at: datetime | None
    decide_by: datetime | None
    actions: tuple[ReturnAction, ...]  # exactly Ozon's available_actions (rFBS), () otherwise
    received: bool
    exchanges: tuple[str, ...]  # replacement posting numbers ("" for a resend without one)

    @property
    def stage(self) -> Stage:
        return stage(self.kind, self.status, self.group)

    def countdown(self, now: datetime) -> Countdown | None:
        return countdown(self.decide_by, now)

    def open_to_decide(self, now: datetime) -> bool:
        """A decision may be queued: none waits to be sent and the deadline has not passed (Ozon
        decides it itself then). app.workflows.returns.decide refuses both, each with its reason."""
        clock = self.countdown(now)
        return self.local_status is None and not (clock is not None and clock.overdue)


def conditions(wanted: ReturnFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if wanted.stage is not None:
        where.append(ReturnRow.stage == wanted.stage.value)
    if wanted.kind is not None:
        where.append(ReturnRow.kind == wanted.kind.value)
    if wanted.search.strip():
        pattern = postings_repo.search_pattern(wanted.search)
        where.append(ReturnRow.search_text.like(pattern, escape=_LIKE_ESCAPE))
    if wanted.overdue:
        where.append(ReturnRow.decide_by <= now)
    return where


def return_ids(session: Session, wanted: ReturnFilter, now: datetime) -> list[int]:
    """Row ids in display order: requests with a decision deadline first, the nearest first; then
    the rest, the latest change first. Two index walks, no sort of the whole table."""
    where = conditions(wanted, now)
    timed = (
        select(ReturnRow.id).where(*where, ReturnRow.decide_by.is_not(None)).order_by(ReturnRow.decide_by, ReturnRow.id)
    )
    latest: Any = ReturnRow.sort_at
    if wanted.search.strip():
        # The LIKE reads every row anyway: one pass over the table and a sort beats walking the
        # index and fetching each row (an expression keeps SQLite off the index).
        latest = ReturnRow.sort_at.op("||")(literal_column("''"))
    rest = (
        select(ReturnRow.id).where(*where, ReturnRow.decide_by.is_(None)).order_by(latest.desc(), ReturnRow.id.desc())
    )
    return fast_scalars(session, timed) + fast_scalars(session, rest)


def rows(session: Session, ids: Sequence[int]) -> dict[int, ReturnListRow]:
    found: dict[int, ReturnListRow] = {}
    for start in range(0, len(ids), _CHUNK):
        found.update(_rows(session, ids[start : start + _CHUNK]))
    return found


def _rows(session: Session, ids: Sequence[int]) -> dict[int, ReturnListRow]:
    if not ids:
        return {}
    found = list(session.execute(select(ReturnRow.__table__).where(ReturnRow.id.in_(ids))))
    keys = [(r.kind, r.return_id) for r in found]
    received = set(
        session.execute(
            select(ReturnReceiptRow.kind, ReturnReceiptRow.return_id).where(
                ReturnReceiptRow.return_id.in_([k[1] for k in keys])
            )
        ).tuples()
    )
    exchanges: dict[tuple[str, int], list[str]] = {}
    for kind, rid, number in session.execute(
        select(ReturnExchangeRow.kind, ReturnExchangeRow.return_id, ReturnExchangeRow.posting_number)
        .where(ReturnExchangeRow.return_id.in_([k[1] for k in keys]))
        .order_by(ReturnExchangeRow.id)
    ):
        exchanges.setdefault((kind, rid), []).append(number)
    return {r.id: _row(r, (r.kind, r.return_id) in received, exchanges.get((r.kind, r.return_id), [])) for r in found}


def _row(r: Any, received: bool, exchanges: list[str]) -> ReturnListRow:
    return ReturnListRow(
        id=r.id,
        kind=ReturnKind(r.kind),
        return_id=r.return_id,
        return_number=r.return_number,
        posting_number=r.posting_number,
        order_number=r.order_number,
        sku=r.sku,
        offer_id=r.offer_id,
        product_name=r.product_name,
        quantity=r.quantity,
        price=r.price,
        currency=r.currency,
        status=r.status,
        status_name=r.status_name,
        group=r.status_group,
        local_status=r.local_status,
        reason=r.reason,
        return_type=r.return_type,
        place=r.place,
        storage_from=r.storage_from,
        barcode=r.barcode,
        client_name=r.client_name,
        created_at=r.created_at,
        changed_at=r.changed_at,
        decide_by=r.decide_by,
        actions=tuple(ReturnAction(int(a["id"]), str(a.get("name", ""))) for a in r.available_actions or []),
        received=received,
        exchanges=tuple(exchanges),
    )


def stage_counts(session: Session, wanted: ReturnFilter, now: datetime) -> dict[Stage, int]:
    """Returns in each stage under the other filters (kind, search, overdue)."""
    base = ReturnFilter(kind=wanted.kind, search=wanted.search, overdue=wanted.overdue)
    counts = dict.fromkeys(Stage, 0)
    stmt = select(ReturnRow.stage, func.count()).where(*conditions(base, now)).group_by(ReturnRow.stage)
    for name, n in session.execute(stmt).tuples():
        if name:
            counts[Stage(name)] += n
    return counts


# -- reads in their own transaction, for the GUI's database worker --------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    ids: list[int]
    first_rows: dict[int, ReturnListRow]


def read_listing(db: Database, wanted: ReturnFilter, now: datetime, first: int = 100) -> Listing:
    with db.read() as session:
        ids = return_ids(session, wanted, now)
        return Listing(ids, rows(session, ids[:first]))


def read_rows(db: Database, ids: Sequence[int]) -> dict[int, ReturnListRow]:
    with db.read() as session:
        return rows(session, ids)


def read_stage_counts(db: Database, wanted: ReturnFilter, now: datetime) -> dict[Stage, int]:
    with db.read() as session:
        return stage_counts(session, wanted, now)


def read_all(db: Database, wanted: ReturnFilter, now: datetime) -> list[ReturnListRow]:
    """Every row the filter selects, in display order (the command line's listing)."""
    with db.read() as session:
        ids = return_ids(session, wanted, now)
        found = rows(session, ids)
    return [found[i] for i in ids if i in found]
