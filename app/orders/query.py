"""The orders list: the ordered posting numbers a filter selects, and rows fetched by number.

One query for the Orders page and `main.py orders`, so both list the same postings. Filtering and
sorting happen in SQL; the table model keeps only the ids (Anki's browser table shape). Rows come
back as small frozen dataclasses, never ORM objects.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, select, union
from sqlalchemy.orm import Session

from app import marking
from app.db.engine import Database
from app.db.tables import ACTIVE_POSTINGS, MarkingCodeRow, OutboxRow, PostingItemRow, PostingRow
from app.domain.postings import PostingStatus
from app.orders import filters
from app.orders.filters import TABS, Deadline, OrderFilter, Scheme
from app.outbox import OutboxState, TargetKind
from app.repos import postings as postings_repo


class Column(enum.IntEnum):
    """The orders table's columns, in display order; also what the list can be sorted by."""

    POSTING = 0
    ORDER = 1
    STATUS = 2
    SHIP_BY = 3
    DELIVERY = 4
    ITEMS = 5
    CITY = 6
    TRACKING = 7


# Statuses in which the seller still has to pack and hand over: the ship-by clock runs.
NOT_SHIPPED = frozenset({"awaiting_packaging", "awaiting_approve"})
SOON = timedelta(hours=24)


class Urgency(enum.Enum):
    NONE = 0
    SOON = 1  # ship-by within 24 h
    OVERDUE = 2  # ship-by passed


@dataclass(frozen=True, slots=True)
class OrderRow:
    posting_number: str
    order_number: str
    status: str
    local_status: str | None
    shipment_date: datetime | None
    delivery_method: str
    item_count: int
    city: str
    customer_name: str
    address: str
    tracking_number: str
    is_express: bool

    @property
    def shown_status(self) -> str:
        """What the seller sees: the target of a pending action, else Ozon's status."""
        return self.local_status or self.status

    @property
    def pending_sync(self) -> bool:
        return self.local_status is not None

    def urgency(self, now: datetime) -> Urgency:
        if self.shipment_date is None or self.shown_status not in NOT_SHIPPED:
            return Urgency.NONE
        if self.shipment_date < now:
            return Urgency.OVERDUE
        if self.shipment_date - now < SOON:
            return Urgency.SOON
        return Urgency.NONE


def shown_status_expr() -> ColumnElement[str]:
    return func.coalesce(PostingRow.local_status, PostingRow.status)


def _item_count_expr() -> Any:
    return (
        select(func.coalesce(func.sum(PostingItemRow.quantity), 0))
        .where(PostingItemRow.posting_number == PostingRow.posting_number)
        .scalar_subquery()
    )


def _sort_key(column: Column) -> Any:
    return {
        Column.POSTING: PostingRow.posting_number,
        Column.ORDER: PostingRow.order_number,
        Column.STATUS: shown_status_expr(),
        Column.SHIP_BY: PostingRow.shipment_date,
        Column.DELIVERY: PostingRow.delivery_method_name,
        Column.ITEMS: _item_count_expr(),
        Column.CITY: PostingRow.city,
        Column.TRACKING: PostingRow.tracking_number,
    }[column]


def posting_numbers(
    session: Session,
    statuses: Collection[str] | OrderFilter | None = None,
    sort: Column = Column.SHIP_BY,
    descending: bool = False,
    now: datetime | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[str]:
    """Posting numbers that pass the filter (or whose shown status is one of `statuses`; None =
    all), in display order. Postings without a ship-by date go last. `offset`/`limit` read one
    window of that order (a status tab in ship-by order comes from ix_postings_listing, All from
    ix_postings_ship_by: a window deep in a million postings reads the index, never sorts)."""
    wanted = (
        statuses
        if isinstance(statuses, OrderFilter)
        else OrderFilter(statuses=None if statuses is None else frozenset(statuses))
    )
    key = _sort_key(sort)
    order: list[Any] = []
    if sort is Column.SHIP_BY:
        order.append(PostingRow.shipment_date.is_(None))
    order.append(key.desc() if descending else key.asc())
    # A stable tie-break keeps rows from jumping around between refreshes.
    order.append(PostingRow.posting_number.desc() if descending else PostingRow.posting_number.asc())
    where = conditions(wanted, now or datetime.now(UTC))
    stmt = select(PostingRow.posting_number).where(*where).order_by(*order)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return fast_scalars(session, stmt)


# -- filters ------------------------------------------------------------------------------------

RFBS_INTEGRATION = "non_integrated"
_LIKE_ESCAPE = "\\"


def conflicted_numbers() -> Select[tuple[str]]:
    """Postings with an action Ozon refused for good (a conflict still listed for the seller)."""
    return select(OutboxRow.target_id).where(
        OutboxRow.state == OutboxState.CONFLICT.value, OutboxRow.target_kind == TargetKind.POSTING.value
    )


# The archive: postings the seller is done with. Their folded texts are not searched for any part of
# a word (a million of them cannot be scanned while the seller types); they are found by a posting
# number (or its beginning), an order number, a tracking number, a label barcode or a marking code.
ARCHIVED = frozenset({PostingStatus.DELIVERED.value, PostingStatus.CANCELLED.value})  # = tables.ACTIVE_POSTINGS
PREFIX_MIN = 5  # characters of a posting or order number before its beginning searches the archive


def _search_condition(text: str) -> ColumnElement[bool]:
    """Postings the seller's search finds.

    Active postings (every status but delivered and cancelled): any part of their posting and order
    numbers, SKUs, offer ids and product names, any case in any script (one LIKE over the folded
    search column, app.repos.postings.search_text). Every posting, the archive included, by index:
    its posting number or the beginning of it, its order number or the beginning of it, a label's
    barcode scanned into the search box (exactly as the pack station looks it up), a tracking number
    or a Честный ЗНАК code scanned into the posting. One set of posting numbers (a UNION of indexed
    lookups), so the same SQL runs on SQLite and PostgreSQL."""
    typed = text.strip()
    number = PostingRow.posting_number
    found = [
        select(number).where(
            ACTIVE_POSTINGS,  # through the partial index ix_postings_active
            PostingRow.search_text.like(postings_repo.search_pattern(text), escape=_LIKE_ESCAPE),
        ),
        select(number).where(postings_repo.code_condition(typed)),
        select(number).where(PostingRow.tracking_number.in_(sorted({typed, typed.upper()}))),
        _marked(text),
        select(number).where(PostingRow.order_number == typed),
    ]
    if len(typed) >= PREFIX_MIN:
        found += [
            select(number).where(_starts_with(number, typed)),
            select(number).where(_starts_with(PostingRow.order_number, typed)),
        ]
    return number.in_(union(*found))


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, as a range an index answers (LIKE 'x%' would not be, under
    SQLite's case-insensitive LIKE)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _marked(text: str) -> Select[tuple[str]]:
    """The posting a marking code went into: its identification code (01+GTIN+21+serial) as typed,
    or read from a whole scanned code (the crypto tail after GS is not kept)."""
    idents = {text.strip()}
    with contextlib.suppress(marking.MarkError):
        idents.add(marking.parse(text.strip()).ident)
    return select(MarkingCodeRow.posting_number).where(MarkingCodeRow.ident.in_(sorted(idents)))


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """Today's local date as a UTC interval [start, end)."""
    local = now.astimezone()
    start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def conditions(wanted: OrderFilter, now: datetime) -> list[ColumnElement[bool]]:
    """WHERE clauses of a filter; every value the seller typed is a bound parameter."""
    where: list[ColumnElement[bool]] = []
    shown = shown_status_expr()
    if wanted.statuses is not None:
        by_status: ColumnElement[bool] = shown.in_(sorted(wanted.statuses)) if wanted.statuses else false()
        if wanted.conflicts:
            # One set of numbers (both halves by index): as an OR, SQLite read all million postings in
            # ship-by order to find the two hundred problems.
            in_status = select(PostingRow.posting_number).where(by_status)
            by_status = PostingRow.posting_number.in_(union(in_status, conflicted_numbers()))
        where.append(by_status)
    if wanted.warehouse_id is not None:
        where.append(PostingRow.warehouse_id == wanted.warehouse_id)
    if wanted.delivery_method_id is not None:
        where.append(PostingRow.delivery_method_id == wanted.delivery_method_id)
    if wanted.scheme is Scheme.RFBS:
        where.append(PostingRow.tpl_integration_type == RFBS_INTEGRATION)
    elif wanted.scheme is Scheme.FBS:
        where.append(PostingRow.tpl_integration_type != RFBS_INTEGRATION)
    if wanted.deadline is Deadline.TODAY:
        start, end = local_day(now)
        where.append(and_(PostingRow.shipment_date >= start, PostingRow.shipment_date < end))
    elif wanted.deadline is Deadline.OVERDUE:
        where.append(and_(PostingRow.shipment_date < now, shown.in_(sorted(NOT_SHIPPED))))
    if wanted.search_text:
        where.append(_search_condition(wanted.search_text))
    if wanted.code is not None:
        where.append(postings_repo.code_condition(wanted.code))
    return where


def fast_scalars(session: Session, stmt: Select[Any]) -> list[Any]:
    """The first column of every row. On SQLite the compiled statement runs on the driver's cursor:
    for 100,000 ids SQLAlchemy's row processing costs three times the query itself. Parameters stay
    bound (and go through their column types' bind processors)."""
    bind = session.get_bind()
    dialect = bind.dialect
    if dialect.name != "sqlite":
        return list(session.scalars(stmt))
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    values = []
    for name in compiled.positiontup or ():
        value = params[name]
        bound = compiled.binds.get(name)
        processor = bound.type.bind_processor(dialect) if bound is not None else None
        values.append(processor(value) if processor is not None else value)
    raw = session.connection().connection.dbapi_connection
    if raw is None:
        return list(session.scalars(stmt))
    cursor = raw.cursor()
    try:
        return [row[0] for row in cursor.execute(str(compiled), values)]
    finally:
        cursor.close()


def rows(session: Session, numbers: Sequence[str]) -> dict[str, OrderRow]:
    """The rows for these posting numbers (missing ones are simply absent)."""
    if not numbers:
        return {}
    counts: dict[str, int] = {
        number: int(total or 0)
        for number, total in session.execute(
            select(PostingItemRow.posting_number, func.sum(PostingItemRow.quantity))
            .where(PostingItemRow.posting_number.in_(numbers))
            .group_by(PostingItemRow.posting_number)
        ).tuples()
    }
    result: dict[str, OrderRow] = {}
    stmt = select(
        PostingRow.posting_number,
        PostingRow.order_number,
        PostingRow.status,
        PostingRow.local_status,
        PostingRow.shipment_date,
        PostingRow.delivery_method_name,
        PostingRow.city,
        PostingRow.customer_name,
        PostingRow.address,
        PostingRow.tracking_number,
        PostingRow.is_express,
    ).where(PostingRow.posting_number.in_(numbers))
    for r in session.execute(stmt):
        result[r.posting_number] = OrderRow(
            posting_number=r.posting_number,
            order_number=r.order_number,
            status=r.status,
            local_status=r.local_status,
            shipment_date=r.shipment_date,
            delivery_method=r.delivery_method_name,
            item_count=counts.get(r.posting_number, 0),
            city=r.city,
            customer_name=r.customer_name,
            address=r.address,
            tracking_number=r.tracking_number,
            is_express=bool(r.is_express),
        )
    return result


def tab_counts(session: Session, wanted: OrderFilter, now: datetime) -> dict[str, int]:
    """Postings in each status tab under the other filters (search, warehouse, …).

    One count per status tab, each on the tab's own range of ix_postings_listing (a count over an
    index range reads no table row when no other filter is set: the 930,000 delivered postings of a
    large shop's year in tens of milliseconds, where one GROUP BY over the shown status read all a
    million rows). Problems adds the postings with a refused action; All is the sum of the status
    tabs plus the postings in a status no tab shows (every shown status is a PostingStatus value)."""
    base = wanted.without_status()
    counts = dict.fromkeys((t.key for t in TABS), 0)
    tabbed: set[str] = set()
    for t in TABS:
        if t.statuses is None:
            continue
        tabbed |= t.statuses
        counts[t.key] = _count(session, base.replace(statuses=t.statuses), now)
    others = frozenset(s.value for s in PostingStatus) - tabbed
    counts["all"] = sum(counts[t.key] for t in TABS if t.statuses is not None) + _count(
        session, base.replace(statuses=others), now
    )
    problems = filters.tab("problems")
    if problems.conflicts and problems.statuses is not None:
        shown = shown_status_expr()
        extra = select(func.count()).where(
            PostingRow.posting_number.in_(conflicted_numbers()),
            shown.not_in(sorted(problems.statuses)),
            *conditions(base, now),
        )
        counts[problems.key] += int(session.scalar(extra) or 0)
    return counts


def _count(session: Session, wanted: OrderFilter, now: datetime) -> int:
    stmt = select(func.count()).select_from(PostingRow).where(*conditions(wanted, now))
    return int(session.scalar(stmt) or 0)


def cached_postings(session: Session, wanted: OrderFilter, now: datetime) -> list[postings_repo.CachedPosting]:
    """The postings that pass the filter, with their items, in the Orders page's default order."""
    numbers = posting_numbers(session, wanted, now=now)
    found: list[postings_repo.CachedPosting] = []
    for start in range(0, len(numbers), _CHUNK):
        found += postings_repo.get_many(session, numbers[start : start + _CHUNK])
    return found


_CHUNK = 500  # posting numbers per IN (...) list


# -- reads in their own transaction, for the GUI's database worker --------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    """A filter's posting numbers in display order (all of them, or the first window when not
    `complete`), with the rows of the first few."""

    ids: list[str]
    first_rows: dict[str, OrderRow]
    complete: bool = True


def read_listing(
    db: Database,
    wanted: OrderFilter,
    sort: Column,
    descending: bool,
    now: datetime,
    first: int,
    window: int | None = None,
) -> Listing:
    """The first `window` posting numbers (None = all) and the rows of the first `first`."""
    with db.read() as session:
        ids = posting_numbers(session, wanted, sort, descending, now=now, limit=None if window is None else window + 1)
        complete = window is None or len(ids) <= window
        if not complete:
            del ids[window:]
        return Listing(ids, rows(session, ids[:first]), complete)


def read_ids(
    db: Database, wanted: OrderFilter, sort: Column, descending: bool, now: datetime, offset: int, limit: int | None
) -> list[str]:
    """A further window of the listing's posting numbers (None = all the rest)."""
    with db.read() as session:
        return posting_numbers(session, wanted, sort, descending, now=now, offset=offset, limit=limit)


def read_rows(db: Database, numbers: Sequence[str]) -> dict[str, OrderRow]:
    with db.read() as session:
        return rows(session, numbers)


def read_tab_counts(db: Database, wanted: OrderFilter, now: datetime) -> dict[str, int]:
    with db.read() as session:
        return tab_counts(session, wanted, now)


def read_choices(db: Database) -> tuple[list[postings_repo.Choice], list[postings_repo.Choice]]:
    """The warehouses and the delivery methods the filter lists offer."""
    with db.read() as session:
        return postings_repo.warehouses(session), postings_repo.delivery_methods(session)
