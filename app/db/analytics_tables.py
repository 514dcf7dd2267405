"""What the Analytics page reads from alone (migrations 0011, 0012): its indexes and the chat waits.

Imported at the end of app.db.tables (the rows it indexes are defined there); import the classes from
app.db.tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.tables import Base, PostingEventRow, PostingItemRow, PostingRow
from app.db.types import UTCDateTime


class ChatWaitRow(Base):
    """A buyer's wait for the seller's reply (app.chat.reply_clock.waits): from a buyer message that found
    nothing unanswered to the next seller message. Rebuilt from the chat's messages whenever they change
    (app.repos.chat_waits.rebuild), so the first-reply figure reads waits, not every message."""

    __tablename__ = "chat_waits"
    __table_args__ = (Index("ix_chat_waits_started", "started_at", "chat_id", "seconds"),)

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[float | None] = mapped_column(Float)  # to the reply; None while unanswered


for _t, _name, _columns in (
    (PostingRow, "ix_postings_ordered", "in_process_at warehouse_id status local_status currency total posting_number"),
    (PostingRow, "ix_postings_number_warehouse", "posting_number warehouse_id"),
    (PostingRow, "ix_postings_due", "shipment_date warehouse_id status local_status shipped_at ship_minutes"),
    (PostingItemRow, "ix_posting_items_sold", "posting_number sku quantity"),  # serves lookups by number
    (PostingEventRow, "ix_posting_events_kind_at", "kind at user posting_number"),
):
    Index(_name, *(getattr(_t, c) for c in _columns.split()))
