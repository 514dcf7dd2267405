"""Reviews and questions read from the local cache: keys first, rows by key (like app.orders.query).

Filtering and sorting happen in SQL, so a page of 100,000 reviews keeps only the keys and fetches
the rows it shows. A key is the row's number in the cache (SQLite's rowid: an integer, read from
the date index alone, several times faster than the review ids for 100,000 rows; on PostgreSQL the
id itself); it stays the same
while the review is cached (an update keeps it), and a key no longer cached is simply skipped.

What the seller queued and Ozon has not confirmed yet shows at once: a queued
reply or "mark processed" shows the review PROCESSED (and a reply as replied), a queued answer the
question answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from app.db.tables import OutboxRow, ProductRow, QuestionRow, ReviewRow
from app.outbox import OPEN_STATES, ActionKind, TargetKind
from app.repos.postings import search_pattern
from app.sync_status import plan_limited_since

# The sync area that pulls reviews and questions both (one paid option on Ozon: «Управление отзывами»).
PLAN_AREA = "reviews"
STATUSES = ("NEW", "VIEWED", "PROCESSED")
PROCESSED = "PROCESSED"
# A row's key: SQLite's rowid; elsewhere (PostgreSQL has no rowid) the review's or question's id.
Key = int | str


def _key(session: Session, table: type[ReviewRow] | type[QuestionRow]) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return literal_column(f"{table.__tablename__}.rowid", Integer)
    return ReviewRow.review_id if table is ReviewRow else QuestionRow.question_id


# -- shared ------------------------------------------------------------------------------------


def plan_limited(session: Session) -> datetime | None:
    """Since when the shop's Ozon plan (or the key's roles) leaves reviews and questions out; None
    when they sync. The page then says plainly that the plan does not include reviews."""
    return plan_limited_since(session, PLAN_AREA)


def _queued(kind: TargetKind, actions: Sequence[ActionKind]) -> Select[tuple[str]]:
    """Targets with such an action waiting in the outbox (not yet confirmed by Ozon)."""
    return select(OutboxRow.target_id).where(
        OutboxRow.target_kind == kind.value,
        OutboxRow.action.in_([a.value for a in actions]),
        OutboxRow.state.in_([s.value for s in OPEN_STATES]),
    )


def _holds(column: Any, text: str) -> ColumnElement[bool]:
    """`text` anywhere in a case-folded search column (any case, any script)."""
    return column.like(search_pattern(text), escape="\\")


def _sku_filter(sku_column: Any, product: str) -> ColumnElement[bool]:
    text = product.strip()
    by_offer = sku_column.in_(select(ProductRow.sku).where(ProductRow.offer_id == text))
    return or_(sku_column == int(text), by_offer) if text.isdigit() else by_offer


def _search_filter(text_column: Any, sku_column: Any, search: str) -> ColumnElement[bool]:
    """The text itself, or the product's name or article."""
    in_products = select(ProductRow.sku).where(_holds(ProductRow.search_text, search))
    return or_(_holds(text_column, search), sku_column.in_(in_products))


def _in_order(keys: Sequence[Key], rows: dict[Key, Any]) -> list[Any]:
    return [rows[k] for k in keys if k in rows]


def _unindexed(column: Any) -> Any:
    """The column as an expression SQLite has no index for. A filter the indexes cannot answer
    (rating, status, text) reads the table straight through and sorts what it keeps: several
    times faster than walking the date index and looking up every row."""
    return column.op("||")(literal_column("''"))


def _keys(session: Session, stmt: Select[Any]) -> list[Key]:
    """The first column of every row, read by the driver itself: for 100,000 rows SQLAlchemy's row
    objects cost more than the query."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return list(conn.execute(stmt).scalars())
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return [row[0] for row in cursor.execute(str(compiled), params)]
    finally:
        cursor.close()


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- reviews -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    ratings: frozenset[int] = field(default_factory=frozenset)  # empty: any rating
    status: str = ""  # NEW, VIEWED or PROCESSED as shown; "" = any
    replied: bool | None = None  # None: either
    product: str = ""  # a SKU or an article (offer id)
    search: str = ""  # in the review's text, the product's name or article
    review_id: str = ""  # this review only


@dataclass(frozen=True, slots=True)
class ReviewView:
    key: Key  # the row's number in the cache (what the page's table model keeps)
    review_id: str
    sku: int
    offer_id: str
    product_name: str  # "" when the product is not in the cache
    rating: int
    text: str  # untrusted buyer text: show it as plain text
    photos: int
    published_at: datetime | None
    status: str  # as shown: PROCESSED once a reply or "mark processed" is queued
    replied: bool  # Ozon shows a comment on it, or a reply is queued
    pending: bool  # a reply or a status change waits for the next sync


def _review_pending() -> ColumnElement[bool]:
    return ReviewRow.review_id.in_(_queued(TargetKind.REVIEW, (ActionKind.REVIEW_REPLY, ActionKind.REVIEW_STATUS)))


def _reply_pending() -> ColumnElement[bool]:
    return ReviewRow.review_id.in_(_queued(TargetKind.REVIEW, (ActionKind.REVIEW_REPLY,)))


def _review_status() -> ColumnElement[str]:
    return case((_review_pending(), PROCESSED), else_=ReviewRow.status)


def _review_replied() -> ColumnElement[bool]:
    return or_(ReviewRow.comments_amount > 0, _reply_pending())


def _review_where(wanted: ReviewFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if wanted.review_id:
        where.append(ReviewRow.review_id == wanted.review_id)
    if wanted.ratings:
        where.append(ReviewRow.rating.in_(sorted(wanted.ratings)))
    if wanted.status:
        where.append(_review_status() == wanted.status.upper())
    if wanted.replied is not None:
        replied = _review_replied()
        where.append(replied if wanted.replied else ~replied)
    if wanted.product.strip():
        where.append(_sku_filter(ReviewRow.sku, wanted.product))
    if wanted.search.strip():
        where.append(_search_filter(ReviewRow.search_text, ReviewRow.sku, wanted.search))
    return where


def review_keys(session: Session, wanted: ReviewFilter = ReviewFilter()) -> list[Key]:
    """The keys of the reviews the filter selects, newest first (what the page's table model keeps)."""
    rowid = _key(session, ReviewRow)
    where = _review_where(wanted)
    scan = bool(where) and not (wanted.product.strip() or wanted.review_id)  # no index narrows it
    when = _unindexed(ReviewRow.published_at) if scan else ReviewRow.published_at
    return _keys(session, select(rowid).select_from(ReviewRow).where(*where).order_by(when.desc(), rowid.desc()))


def reviews_by_key(session: Session, keys: Sequence[Key]) -> list[ReviewView]:
    """The rows of these reviews, in the order given (keys no longer cached are skipped)."""
    rowid = _key(session, ReviewRow)
    found: dict[Key, ReviewView] = {}
    for start in range(0, len(keys), 500):
        stmt = (
            select(
                rowid,
                ReviewRow.review_id,
                ReviewRow.sku,
                func.coalesce(ProductRow.offer_id, ""),
                func.coalesce(ProductRow.name, ""),
                ReviewRow.rating,
                ReviewRow.text,
                ReviewRow.photos_amount,
                ReviewRow.published_at,
                _review_status(),
                _review_replied(),
                _review_pending(),
            )
            .outerjoin(ProductRow, ProductRow.sku == ReviewRow.sku)
            .where(rowid.in_(keys[start : start + 500]))
        )
        for row in session.execute(stmt):
            key, rid, sku, offer, name, rating, text, photos, at, status, replied, pending = row
            found[key] = ReviewView(
                key, rid, sku, offer, name, rating, text, photos, at, status, bool(replied), bool(pending)
            )
    return _in_order(keys, found)


def list_reviews(session: Session, wanted: ReviewFilter = ReviewFilter()) -> list[ReviewView]:
    """Every review the filter selects, newest first (the CLI; the page fetches by key)."""
    return reviews_by_key(session, review_keys(session, wanted))


def review(session: Session, review_id: str) -> ReviewView | None:
    found = list_reviews(session, ReviewFilter(review_id=review_id))
    return found[0] if found else None


def review_json(r: ReviewView) -> dict[str, object]:
    """A review as `main.py reviews --json` prints it."""
    return {
        "id": r.review_id,
        "sku": r.sku,
        "offer_id": r.offer_id or None,
        "product": r.product_name or None,
        "rating": r.rating,
        "text": r.text,
        "photos": r.photos,
        "published_at": _iso(r.published_at),
        "status": r.status,
        "replied": r.replied,
        "pending": r.pending,
    }


# -- questions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    status: str = ""  # NEW, VIEWED or PROCESSED as shown; "" = any
    answered: bool | None = None  # None: either
    product: str = ""  # a SKU or an article (offer id)
    search: str = ""  # in the question, the product's name or article
    question_id: str = ""  # this question only


@dataclass(frozen=True, slots=True)
class QuestionView:
    key: Key
    question_id: str
    sku: int
    offer_id: str
    product_name: str
    text: str  # untrusted buyer text
    author_name: str
    published_at: datetime | None
    status: str  # as shown: PROCESSED once an answer is queued
    answered: bool  # Ozon shows an answer, or one is queued
    pending: bool  # an answer waits for the next sync


def _answer_pending() -> ColumnElement[bool]:
    return QuestionRow.question_id.in_(_queued(TargetKind.QUESTION, (ActionKind.QUESTION_ANSWER,)))


def _question_status() -> ColumnElement[str]:
    return case((_answer_pending(), PROCESSED), else_=QuestionRow.status)


def _question_answered() -> ColumnElement[bool]:
    return or_(QuestionRow.answers_count > 0, _answer_pending())


def _question_where(wanted: QuestionFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if wanted.question_id:
        where.append(QuestionRow.question_id == wanted.question_id)
    if wanted.status:
        where.append(_question_status() == wanted.status.upper())
    if wanted.answered is not None:
        answered = _question_answered()
        where.append(answered if wanted.answered else ~answered)
    if wanted.product.strip():
        where.append(_sku_filter(QuestionRow.sku, wanted.product))
    if wanted.search.strip():
        where.append(_search_filter(QuestionRow.search_text, QuestionRow.sku, wanted.search))
    return where


def question_keys(session: Session, wanted: QuestionFilter = QuestionFilter()) -> list[Key]:
    """The keys of the questions the filter selects, newest first."""
    rowid = _key(session, QuestionRow)
    where = _question_where(wanted)
    scan = bool(where) and not (wanted.product.strip() or wanted.question_id)
    when = _unindexed(QuestionRow.published_at) if scan else QuestionRow.published_at
    return _keys(session, select(rowid).select_from(QuestionRow).where(*where).order_by(when.desc(), rowid.desc()))


def questions_by_key(session: Session, keys: Sequence[Key]) -> list[QuestionView]:
    rowid = _key(session, QuestionRow)
    found: dict[Key, QuestionView] = {}
    for start in range(0, len(keys), 500):
        stmt = (
            select(
                rowid,
                QuestionRow.question_id,
                QuestionRow.sku,
                func.coalesce(ProductRow.offer_id, ""),
                func.coalesce(ProductRow.name, ""),
                QuestionRow.text,
                QuestionRow.author_name,
                QuestionRow.published_at,
                _question_status(),
                _question_answered(),
                _answer_pending(),
            )
            .outerjoin(ProductRow, ProductRow.sku == QuestionRow.sku)
            .where(rowid.in_(keys[start : start + 500]))
        )
        for row in session.execute(stmt):
            key, qid, sku, offer, name, text, author, at, status, answered, pending = row
            found[key] = QuestionView(
                key, qid, sku, offer, name, text, author, at, status, bool(answered), bool(pending)
            )
    return _in_order(keys, found)


def list_questions(session: Session, wanted: QuestionFilter = QuestionFilter()) -> list[QuestionView]:
    return questions_by_key(session, question_keys(session, wanted))


def question(session: Session, question_id: str) -> QuestionView | None:
    found = list_questions(session, QuestionFilter(question_id=question_id))
    return found[0] if found else None


def question_json(q: QuestionView) -> dict[str, object]:
    """A question as `main.py questions --json` prints it."""
    return {
        "id": q.question_id,
        "sku": q.sku,
        "offer_id": q.offer_id or None,
        "product": q.product_name or None,
        "text": q.text,
        "author": q.author_name,
        "published_at": _iso(q.published_at),
        "status": q.status,
        "answered": q.answered,
        "pending": q.pending,
    }


# -- the navigation's badge ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    reviews: int  # not processed (shown status), nothing queued for them
    questions: int  # not answered, nothing queued


def waiting(session: Session) -> Waiting:
    """How many reviews and questions wait for the seller (the navigation's badge)."""
    reviews = session.scalar(select(func.count()).select_from(ReviewRow).where(_review_status() != PROCESSED))
    questions = session.scalar(select(func.count()).select_from(QuestionRow).where(~_question_answered()))
    return Waiting(int(reviews or 0), int(questions or 0))
