"""SQLAlchemy 2 tables. Remote columns mirror Ozon; `local_*` columns hold the seller's pending intent.

Rows pulled from the API never overwrite a local intent: `postings.status` is always what Ozon
said, `postings.local_status` is the target of an action still in the outbox.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.db.types import Bounded, DecimalString, JSONText, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PostingRow(Base):
    __tablename__ = "postings"

    posting_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_number: Mapped[str] = mapped_column(Bounded(64), index=True)
    order_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Bounded(40), index=True)
    substatus: Mapped[str] = mapped_column(Bounded(64), default="")
    shipment_date: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    in_process_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivering_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_method_id: Mapped[int] = mapped_column(BigInteger, default=0)
    delivery_method_name: Mapped[str] = mapped_column(Bounded(200), default="")
    warehouse_id: Mapped[int] = mapped_column(BigInteger, default=0)
    warehouse_name: Mapped[str] = mapped_column(Bounded(200), default="")
    tpl_provider: Mapped[str] = mapped_column(Bounded(200), default="")
    tpl_integration_type: Mapped[str] = mapped_column(Bounded(40), default="")
    tracking_number: Mapped[str] = mapped_column(Bounded(100), default="", index=True)
    is_express: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_name: Mapped[str] = mapped_column(Bounded(200), default="")
    city: Mapped[str] = mapped_column(Bounded(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    pvz_code: Mapped[str] = mapped_column(Bounded(64), default="")
    upper_barcode: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    lower_barcode: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    scanit: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    parent_posting_number: Mapped[str] = mapped_column(Bounded(64), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Ozon's action names, space-separated (cheaper than JSON for 20,000 rows a sync).
    available_actions: Mapped[str] = mapped_column(Text, default="")
    # {kind: [sku, ...]} of `requirements.products_requiring_*` (see app.domain.postings.Requirements).
    requirements: Mapped[dict[str, list[int]]] = mapped_column(JSONText, default=dict)
    is_multibox: Mapped[bool] = mapped_column(Boolean, default=False)
    multi_box_qty: Mapped[int] = mapped_column(Integer, default=1)
    # Target status of a seller action still waiting in the outbox (None = nothing pending).
    local_status: Mapped[str | None] = mapped_column(Bounded(40))
    # Numbers, SKUs, offer ids and product names, case-folded: one column to search (any script,
    # any database), no join with the items.
    search_text: Mapped[str] = mapped_column(Text, default="")
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Analytics (migrations 0011, 0012): price × quantity of the items in kopecks and their currency
    # and units (app.repos.postings.save), the first PACKED event's time (app.history.record), the
    # shipped time, whether after the ship-by time, and order-to-ship minutes (app.repos.shipped).
    total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    units: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # quantity of the items
    currency: Mapped[str] = mapped_column(Bounded(8), default="RUB", server_default="RUB")
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_late: Mapped[bool | None] = mapped_column(Boolean)  # after shipment_date; None: not shipped
    ship_minutes: Mapped[int | None] = mapped_column(Integer)

    items: Mapped[list[PostingItemRow]] = relationship(
        back_populates="posting", cascade="all, delete-orphan", order_by="PostingItemRow.position"
    )


# A status tab of the orders list read in ship-by order from the index alone (migration 0009).
Index(
    "ix_postings_listing",
    func.coalesce(PostingRow.local_status, PostingRow.status),
    PostingRow.shipment_date.is_(None),
    PostingRow.shipment_date,
    PostingRow.posting_number,
)

# The All tab in ship-by order from the index alone, a window at a time (migration 0010).
Index(
    "ix_postings_ship_by",
    PostingRow.shipment_date.is_(None),
    PostingRow.shipment_date,
    PostingRow.posting_number,
)

# Postings the seller is not done with (every shown status but delivered and cancelled): the orders
# search reads their folded texts through this partial index, never the archive's (migration 0010).
# Literal SQL on purpose: a query uses the index only when its WHERE says exactly this.
ACTIVE_POSTINGS = text("coalesce(local_status, status) NOT IN ('cancelled', 'delivered')")
Index(
    "ix_postings_active",
    PostingRow.posting_number,
    sqlite_where=ACTIVE_POSTINGS,
    postgresql_where=ACTIVE_POSTINGS,
)


class PostingItemRow(Base):
    __tablename__ = "posting_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    posting_number: Mapped[str] = mapped_column(ForeignKey("postings.posting_number", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[int] = mapped_column(BigInteger)  # looked up by ix_posting_items_sku_sold
    offer_id: Mapped[str] = mapped_column(Bounded(100), default="", index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(DecimalString)
    currency: Mapped[str] = mapped_column(Bounded(8), default="RUB")
    in_process_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the posting's, written by save
    warehouse_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # (units sold by SKU)

    posting: Mapped[PostingRow] = relationship(back_populates="items")


class ProductRow(Base):
    __tablename__ = "products"

    sku: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(BigInteger, default=0)
    offer_id: Mapped[str] = mapped_column(Bounded(100), default="", index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(Text, default="")
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(Text, default="")  # the article and name, case-folded


class ProductBarcodeRow(Base):
    __tablename__ = "product_barcodes"

    barcode: Mapped[str] = mapped_column(String(100), primary_key=True)
    sku: Mapped[int] = mapped_column(ForeignKey("products.sku", ondelete="CASCADE"), primary_key=True, index=True)


class ChatRow(Base):
    __tablename__ = "chats"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_type: Mapped[str] = mapped_column(Bounded(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_id: Mapped[str] = mapped_column(Bounded(32), default="")
    # The posting the chat is about (from /v1/chat/start, or the first posting of the order a
    # buyer's message names); the order number as the message named it.
    posting_number: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    order_number: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A summary of the messages, kept by app.repos.chats.refresh (the list reads no messages).
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    preview: Mapped[str] = mapped_column(Text, default="")
    # The buyer's first message no seller message has answered yet (the 24-hour clock runs from it).
    awaiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Chat id, posting, order, buyer and the last messages' text (app.repos.chats.folded).
    search_text: Mapped[str] = mapped_column(Text, default="")


class ChatMessageRow(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_thread", "chat_id", "created_at", "message_id", "author"),)

    # Ozon ids are uint64 strings; a message typed here and not yet sent gets "local:<outbox key>".
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.chat_id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(Bounded(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    is_image: Mapped[bool] = mapped_column(Boolean, default=False)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    order_number: Mapped[str] = mapped_column(Bounded(64), default="")
    image_urls: Mapped[list[str]] = mapped_column(JSONText, default=list)
    outbox_key: Mapped[str | None] = mapped_column(Bounded(36))


class ChatDraftRow(Base):
    """What the seller was typing in a chat, kept across restarts until it is sent."""

    __tablename__ = "chat_drafts"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatTemplateRow(Base):
    """A reply template: names for the seller (Chinese, English), the Russian text for the buyer."""

    __tablename__ = "chat_templates"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    intents: Mapped[list[str]] = mapped_column(JSONText, default=list)  # offered first for these
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AutoReplyRuleRow(Base):
    """An auto-reply: when a new buyer message matches, answer with a template (see app/chat/autoreply.py)."""

    __tablename__ = "autoreply_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)  # suggest only, never send
    intents: Mapped[list[str]] = mapped_column(JSONText, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSONText, default=list)
    posting_statuses: Mapped[list[str]] = mapped_column(JSONText, default=list)
    outside_hours_only: Mapped[bool] = mapped_column(Boolean, default=False)
    template_key: Mapped[str] = mapped_column(Bounded(64), default="")
    period_hours: Mapped[int] = mapped_column(Integer, default=24)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AutoReplyLogRow(Base):
    """What an auto-reply rule sent (or, in dry run, suggested), and for which buyer message."""

    __tablename__ = "autoreply_log"
    __table_args__ = (Index("ix_autoreply_log_rule_chat", "rule_id", "chat_id", "fired_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[str] = mapped_column(Bounded(64))
    message_id: Mapped[str] = mapped_column(Bounded(64), default="")
    template_key: Mapped[str] = mapped_column(Bounded(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    outbox_key: Mapped[str | None] = mapped_column(Bounded(36))
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReturnRow(Base):
    __tablename__ = "returns"
    # The list reads ids in order, filtered by stage and kind, from this index alone.
    __table_args__ = (
        UniqueConstraint("kind", "return_id"),
        Index("ix_returns_listing", "sort_at", "id", "stage", "kind", "decide_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Bounded(8))
    return_id: Mapped[int] = mapped_column(BigInteger)
    posting_number: Mapped[str] = mapped_column(Bounded(64), default="", index=True)
    order_number: Mapped[str] = mapped_column(Bounded(64), default="")
    sku: Mapped[int] = mapped_column(BigInteger, default=0)
    offer_id: Mapped[str] = mapped_column(Bounded(100), default="")
    product_name: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price: Mapped[Decimal] = mapped_column(DecimalString)
    currency: Mapped[str] = mapped_column(Bounded(8), default="RUB")
    status: Mapped[str] = mapped_column(Bounded(64), default="")
    status_name: Mapped[str] = mapped_column(Bounded(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_number: Mapped[str] = mapped_column(Bounded(64), default="")
    return_type: Mapped[str] = mapped_column(Bounded(40), default="")
    barcode: Mapped[str] = mapped_column(Bounded(64), default="")
    client_name: Mapped[str] = mapped_column(Bounded(200), default="")
    local_status: Mapped[str | None] = mapped_column(Bounded(64))
    # rFBS: what Ozon lets the seller do now (`/v2/returns/rfbs/get`), [{id, name}], and the reasons a
    # rejection may give, [{id, name, hint, is_comment_required}]; read when the request changes.
    available_actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    rejection_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    details_status: Mapped[str] = mapped_column(Bounded(64), default="")  # the status they were read at
    status_group: Mapped[str] = mapped_column(Bounded(32), default="")  # rFBS state.group_state
    place: Mapped[str] = mapped_column(Bounded(300), default="")  # FBS/FBO: where the parcel is
    storage_from: Mapped[datetime | None] = mapped_column(UTCDateTime)  # paid storage starts
    # When Ozon decides by itself (app.domain.returns.deadline), kept for sorting and filtering.
    decide_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    buyer_comment: Mapped[str] = mapped_column(Text, default="")  # rFBS, remote text
    photos: Mapped[list[str]] = mapped_column(JSONText, default=list)  # rFBS client_photo URLs
    stage: Mapped[str] = mapped_column(Bounded(16), default="")  # app.domain.returns.stage of the row
    sort_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest change: the list's order
    # Numbers, SKU, offer id, product and buyer names, case-folded (app.repos.returns.search_text).
    search_text: Mapped[str] = mapped_column(Text, default="")


class ReturnReceiptRow(Base):
    """A return received at the desk: what was scanned, the inspection, and the marking codes checked."""

    __tablename__ = "return_receipts"
    __table_args__ = (Index("ix_return_receipts_return", "kind", "return_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Bounded(8))
    return_id: Mapped[int] = mapped_column(BigInteger)
    posting_number: Mapped[str] = mapped_column(Bounded(64), index=True)
    code: Mapped[str] = mapped_column(Bounded(200), default="")  # what was scanned
    grade: Mapped[str] = mapped_column(Bounded(16))
    note: Mapped[str] = mapped_column(Text, default="")
    photos: Mapped[list[str]] = mapped_column(JSONText, default=list)  # files on this computer
    disposition: Mapped[str] = mapped_column(Bounded(16))  # restock, write_off
    # [{"code", "ident", "shipped": bool}]: the returned units' marking codes against the shipped ones.
    marks: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # a code differs from the shipped ones
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(Bounded(100), default="")


class ReturnExchangeRow(Base):
    """An exchange: the replacement posting (or a resend) that answers a return."""

    __tablename__ = "return_exchanges"
    __table_args__ = (Index("ix_return_exchanges_return", "kind", "return_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Bounded(8))
    return_id: Mapped[int] = mapped_column(BigInteger)
    posting_number: Mapped[str] = mapped_column(Bounded(64), default="", index=True)  # "" = not known yet
    mode: Mapped[str] = mapped_column(Bounded(16))  # replacement, resend
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(Bounded(100), default="")


class ReviewRow(Base):
    __tablename__ = "reviews"

    review_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # ix_reviews_published_rating
    status: Mapped[str] = mapped_column(Bounded(20), default="NEW")
    order_status: Mapped[str] = mapped_column(Bounded(20), default="")
    comments_amount: Mapped[int] = mapped_column(Integer, default=0)
    photos_amount: Mapped[int] = mapped_column(Integer, default=0)
    local_status: Mapped[str | None] = mapped_column(Bounded(20))
    search_text: Mapped[str] = mapped_column(Text, default="")  # the text, case-folded


class QuestionRow(Base):
    __tablename__ = "questions"

    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(Bounded(200), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(Bounded(20), default="NEW")
    answers_count: Mapped[int] = mapped_column(Integer, default=0)
    local_status: Mapped[str | None] = mapped_column(Bounded(20))
    search_text: Mapped[str] = mapped_column(Text, default="")  # the text, case-folded


class OutboxRow(Base):
    """A seller action waiting to be (or already) applied on Ozon. See app/outbox.py."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    action: Mapped[str] = mapped_column(Bounded(40))
    target_kind: Mapped[str] = mapped_column(Bounded(16))
    target_id: Mapped[str] = mapped_column(Bounded(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText)
    state: Mapped[str] = mapped_column(Bounded(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # True when a request may have reached Ozon without us seeing the answer.
    ambiguous: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    refusal: Mapped[str] = mapped_column(Bounded(16), default="")  # app.outbox.Refusal of a conflict
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Several desks on one server: the desk sending it now, until when (a dead desk's claim expires).
    claimed_by: Mapped[str] = mapped_column(Bounded(100), default="", server_default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncStateRow(Base):
    """Pull cursors and other sync bookkeeping, committed with the rows they describe."""

    __tablename__ = "sync_state"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrintJobRow(Base):
    """One print (or reprint) of one document: the print queue and the print log in one table."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(Bounded(20))  # ozon_label, own_label, slip, picklist, act, commands, test
    posting_numbers: Mapped[str] = mapped_column(Text, default="")  # space-separated
    printer: Mapped[str] = mapped_column(Bounded(200), default="")  # "" = the configured default for the kind
    state: Mapped[str] = mapped_column(Bounded(16))  # waiting (for Ozon's label), queued, done, failed, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    is_reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str] = mapped_column(Bounded(100), default="")
    desk: Mapped[str] = mapped_column(Bounded(100), default="", server_default="")  # the desk that prints it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrintJobPostingRow(Base):
    """A posting a print job prints: the job's `posting_numbers` by index (migration 0010), so a
    posting's jobs are found without reading every job of the print log."""

    __tablename__ = "print_job_postings"

    posting_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("print_jobs.id", ondelete="CASCADE"), primary_key=True)


class PostingEventRow(Base):
    """The posting's history: every scan, print, action and conflict, written as it happens."""

    __tablename__ = "posting_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    posting_number: Mapped[str] = mapped_column(Bounded(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(Bounded(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str] = mapped_column(Bounded(100), default="")
    desk: Mapped[str] = mapped_column(Bounded(100), default="", server_default="")
    warehouse_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # the posting's


class MarkingCodeRow(Base):
    """A Честный ЗНАК code scanned into a posting. The identification code is unique: one physical
    unit goes into one posting (a code is released when its posting is put aside or stopped)."""

    __tablename__ = "marking_codes"

    ident: Mapped[str] = mapped_column(String(64), primary_key=True)  # 01 + GTIN + 21 + serial
    code: Mapped[str] = mapped_column(Text)  # the whole code, GS between its groups, as Ozon wants it
    posting_number: Mapped[str] = mapped_column(Bounded(64), index=True)
    sku: Mapped[int] = mapped_column(BigInteger)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user: Mapped[str] = mapped_column(Bounded(100), default="")


# The packing desks' own tables (registered on the same metadata).
from app.db import desk_tables as _desk_tables  # noqa: E402,F401
from app.db.analytics_tables import ChatWaitRow as ChatWaitRow  # noqa: E402  (it indexes the classes above)
