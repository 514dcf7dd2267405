"""What the Analytics page reads from alone (migrations 0011, 0012): its indexes and the chat waits.

Imported at the end of app.db.tables (the rows it indexes are defined there); import the classes from
app.db.tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Float, Index, Integer, String, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from app.db.tables import Base, PostingEventRow, PostingItemRow, PostingRow, ReviewRow
from app.db.types import Bounded, UTCDateTime


class ChatWaitRow(Base):
    """A buyer's wait for the seller's reply (app.chat.reply_clock.waits): from a buyer message that found
    nothing unanswered to the next seller message. Rebuilt from the chat's messages whenever they or the
    chat's posting change (app.repos.chat_waits.rebuild), so the first-reply figure reads waits, not every
    message."""

    __tablename__ = "chat_waits"
    __table_args__ = (Index("ix_chat_waits_started", "started_at", "minutes", "seconds", "posting_number"),)

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[float | None] = mapped_column(Float)  # to the reply; None while unanswered
    minutes: Mapped[int | None] = mapped_column(Integer)  # the same, rounded
    posting_number: Mapped[str] = mapped_column(Bounded(64), default="", server_default="")  # the chat's


# Postings (not) cancelled, as the seller sees them (a cancellation still in the outbox counts). Literal
# SQL on purpose: a figure reads a partial index only when its WHERE says exactly this (and SQLite then
# checks nothing a row).
# (Untyped: a Boolean one would be written "… = 1" on SQLite, which no longer says the same.)
NOT_CANCELLED: ColumnElement[bool] = literal_column(
    "coalesce(local_status, status) NOT IN ('cancelled', 'cancelled_from_split_pending')"
)
CANCELLED: ColumnElement[bool] = literal_column(
    "coalesce(local_status, status) IN ('cancelled', 'cancelled_from_split_pending')"
)
# Postings priced in another currency than the home one (app.domain.money.HOME_CURRENCY): few or none.
FOREIGN_CURRENCY: ColumnElement[bool] = literal_column("currency <> 'RUB'")

for _t, _name, _columns in (
    (PostingRow, "ix_postings_number_warehouse", "posting_number warehouse_id"),
    (PostingItemRow, "ix_posting_items_sold", "posting_number sku quantity"),  # serves lookups by number
    # Units sold of a SKU in a period (it serves every lookup by SKU the single-column index served).
    (PostingItemRow, "ix_posting_items_sku_sold", "sku in_process_at warehouse_id quantity"),
    # Packing errors: events of a kind by packer, counted in a period; of one warehouse.
    (PostingEventRow, "ix_posting_events_packer", "kind user at"),
    (PostingEventRow, "ix_posting_events_packer_warehouse", "kind warehouse_id user at"),
    # Ratings by day (it serves every read by publication time the single-column index served).
    (ReviewRow, "ix_reviews_published_rating", "published_at rating"),
):
    Index(_name, *(getattr(_t, c) for c in _columns.split()))

for _name, _columns, _where in (
    # Revenue and units by day: the postings not cancelled taken into work in a day.
    ("ix_postings_revenue", "in_process_at warehouse_id currency total units", NOT_CANCELLED),
    # Cancelled postings by the day they were taken into work (their units are not sold).
    ("ix_postings_cancelled", "in_process_at warehouse_id posting_number", CANCELLED),
    # The currencies of a period besides the home one.
    ("ix_postings_foreign_currency", "in_process_at currency warehouse_id", FOREIGN_CURRENCY),
    # Shipped on time or late: counts of a day's postings without reading a row.
    ("ix_postings_shipped", "shipped_late shipment_date warehouse_id", NOT_CANCELLED),
    # Order to ship: the minutes in order, counted without a sort.
    ("ix_postings_ship_minutes", "ship_minutes shipment_date warehouse_id", NOT_CANCELLED),
):
    Index(
        _name,
        *(getattr(PostingRow, c) for c in _columns.split()),
        sqlite_where=_where,
        postgresql_where=_where,
    )
