"""Analytics at scale, part two: each posting's currency, units, shipped time (late or not, minutes from the
order) stored on it; its day and warehouse on its items, its warehouse on its events; the waits of buyer
chats in their own table; indexes the figures count from alone

Revision ID: 0012
Revises: 0011
"""

import math

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BATCH = 5000

# A posting's currency: its first item's (the rule app.repos.postings.posting_currency keeps from now on,
# kept here: a migration must not change later); only postings with an item outside RUB need the look-up.
_CURRENCY = (
    "UPDATE postings SET currency = coalesce((SELECT i.currency FROM posting_items i"
    " WHERE i.posting_number = postings.posting_number AND i.currency <> '' ORDER BY i.position LIMIT 1), 'RUB')"
    " WHERE posting_number IN (SELECT posting_number FROM posting_items WHERE currency NOT IN ('RUB', ''))"
)

_postings = sa.table(
    "postings",
    sa.column("posting_number", sa.String()),
    sa.column("in_process_at", sa.DateTime()),
    sa.column("delivering_date", sa.DateTime()),
    sa.column("packed_at", sa.DateTime()),
    sa.column("shipment_date", sa.DateTime()),
    sa.column("shipped_at", sa.DateTime()),
    sa.column("shipped_late", sa.Boolean()),
    sa.column("ship_minutes", sa.Integer()),
)
_messages = sa.table(
    "chat_messages",
    sa.column("chat_id", sa.String()),
    sa.column("message_id", sa.String()),
    sa.column("author", sa.String()),
    sa.column("created_at", sa.DateTime()),
)
_chats = sa.table("chats", sa.column("chat_id", sa.String()), sa.column("chat_type", sa.String()))


def _backfill_shipped(bind: sa.Connection) -> None:
    """shipped = the earlier of packed_at and delivering_date; late: after shipment_date; minutes from
    in_process_at, rounded (as app.repos.shipped computes them from now on). In Python: the same on every
    database."""
    p = _postings.c
    update = (
        _postings.update()
        .where(p.posting_number == sa.bindparam("number"))
        .values(shipped_at=sa.bindparam("at"), shipped_late=sa.bindparam("late"), ship_minutes=sa.bindparam("minutes"))
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(p.posting_number, p.packed_at, p.delivering_date, p.in_process_at, p.shipment_date)
            .where(p.posting_number > last, sa.or_(p.packed_at.is_not(None), p.delivering_date.is_not(None)))
            .order_by(p.posting_number)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for number, packed, handed, ordered, due in rows:
            at = handed if packed is None else packed if handed is None else min(packed, handed)
            minutes = None
            if ordered is not None and at >= ordered:
                minutes = math.floor((at - ordered).total_seconds() / 60.0 + 0.5)
            late = None if due is None else at > due
            changes.append({"number": number, "at": at, "late": late, "minutes": minutes})
        bind.execute(update, changes)
        last = rows[-1][0]


def _backfill_waits(bind: sa.Connection, waits: sa.Table) -> None:
    """Each buyer chat's waits (app.chat.reply_clock.waits): a buyer message finding nothing unanswered
    starts one, the next seller message ends it."""
    m = _messages.c
    buyer_chats = sa.select(_chats.c.chat_id).where(_chats.c.chat_type == "BUYER_SELLER")
    # Streamed by this statement's own options: Connection.execution_options would change the
    # migration's connection for every later statement (PostgreSQL then wraps an UPDATE in a cursor).
    result = bind.execute(
        sa.select(m.chat_id, m.author, m.created_at)
        .where(m.author.in_(("customer", "seller")), m.chat_id.in_(buyer_chats))
        .order_by(m.chat_id, m.created_at, m.message_id)
        .execution_options(stream_results=True, yield_per=_BATCH)
    )
    rows: list[dict[str, object]] = []
    chat, since = None, None

    def close() -> None:
        if chat is not None and since is not None:
            rows.append({"chat_id": chat, "started_at": since, "replied_at": None, "seconds": None, "minutes": None})

    for chat_id, author, at in result:
        if chat_id != chat:
            close()
            chat, since = chat_id, None
        if author == "customer":
            since = since or at
        elif since is not None:
            seconds = (at - since).total_seconds()
            minutes = math.floor(seconds / 60.0 + 0.5)
            rows.append({"chat_id": chat, "started_at": since, "replied_at": at, "seconds": seconds, "minutes": minutes})
            since = None
        if len(rows) >= _BATCH:
            bind.execute(waits.insert(), rows)
            rows.clear()
    close()
    if rows:
        bind.execute(waits.insert(), rows)


_NOT_CANCELLED = "coalesce(local_status, status) NOT IN ('cancelled', 'cancelled_from_split_pending')"
_CANCELLED = "coalesce(local_status, status) IN ('cancelled', 'cancelled_from_split_pending')"
_FOREIGN_CURRENCY = "currency <> 'RUB'"
# What app.repos.postings.save writes from now on: a posting's units, and its day and warehouse on its items;
# app.history.record: the posting's warehouse on its events.
_UNITS = (
    "UPDATE postings SET units = (SELECT coalesce(sum(i.quantity), 0) FROM posting_items i"
    " WHERE i.posting_number = postings.posting_number)"
)
_ITEMS = (
    "UPDATE posting_items SET in_process_at = (SELECT p.in_process_at FROM postings p"
    " WHERE p.posting_number = posting_items.posting_number), warehouse_id = coalesce((SELECT p.warehouse_id"
    " FROM postings p WHERE p.posting_number = posting_items.posting_number), 0)"
)
_WAIT_POSTINGS = (
    "UPDATE chat_waits SET posting_number = coalesce((SELECT c.posting_number FROM chats c"
    " WHERE c.chat_id = chat_waits.chat_id), '')"
)
_EVENTS = (
    "UPDATE posting_events SET warehouse_id = coalesce((SELECT p.warehouse_id FROM postings p"
    " WHERE p.posting_number = posting_events.posting_number), 0)"
)


def _partial_index(name: str, columns: list[str], where: str) -> None:
    op.create_index(name, "postings", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("postings", sa.Column("currency", sa.String(length=8), nullable=False, server_default="RUB"))
    op.execute(_CURRENCY)
    op.add_column("postings", sa.Column("units", sa.Integer(), nullable=False, server_default="0"))
    op.execute(_UNITS)
    op.add_column("postings", sa.Column("shipped_at", sa.DateTime(), nullable=True))
    op.add_column("postings", sa.Column("shipped_late", sa.Boolean(), nullable=True))
    op.add_column("postings", sa.Column("ship_minutes", sa.Integer(), nullable=True))
    _backfill_shipped(bind)
    # Revenue and units by day (a sum per currency), cancelled postings, the currencies besides roubles.
    _partial_index(
        "ix_postings_revenue", ["in_process_at", "warehouse_id", "currency", "total", "units"], _NOT_CANCELLED
    )
    _partial_index("ix_postings_cancelled", ["in_process_at", "warehouse_id", "posting_number"], _CANCELLED)
    _partial_index("ix_postings_foreign_currency", ["in_process_at", "currency", "warehouse_id"], _FOREIGN_CURRENCY)
    # Shipped on time or late, order to ship: counted from these alone; the index they replace goes.
    _partial_index("ix_postings_shipped", ["shipped_late", "shipment_date", "warehouse_id"], _NOT_CANCELLED)
    _partial_index("ix_postings_ship_minutes", ["ship_minutes", "shipment_date", "warehouse_id"], _NOT_CANCELLED)
    op.drop_index("ix_postings_due", table_name="postings")
    op.drop_index("ix_postings_ordered", table_name="postings")  # the orders are counted from the first two
    # Units sold by SKU: the items carry their posting's day and warehouse; the index serves lookups by SKU.
    op.add_column("posting_items", sa.Column("in_process_at", sa.DateTime(), nullable=True))
    op.add_column("posting_items", sa.Column("warehouse_id", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(_ITEMS)
    op.create_index(
        "ix_posting_items_sku_sold", "posting_items", ["sku", "in_process_at", "warehouse_id", "quantity"]
    )
    op.drop_index("ix_posting_items_sku", table_name="posting_items")
    # Packing errors per packer, of every warehouse or one.
    op.add_column("posting_events", sa.Column("warehouse_id", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(_EVENTS)
    op.create_index("ix_posting_events_packer", "posting_events", ["kind", "user", "at"])
    op.create_index("ix_posting_events_packer_warehouse", "posting_events", ["kind", "warehouse_id", "user", "at"])
    op.drop_index("ix_posting_events_kind_at", table_name="posting_events")
    # Ratings by day, read from the index alone.
    op.create_index("ix_reviews_published_rating", "reviews", ["published_at", "rating"])
    op.drop_index("ix_reviews_published_at", table_name="reviews")
    waits = op.create_table(
        "chat_waits",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("posting_number", sa.String(length=64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("chat_id", "started_at", name=op.f("pk_chat_waits")),
    )
    assert waits is not None
    _backfill_waits(bind, waits)
    op.execute(_WAIT_POSTINGS)
    op.create_index("ix_chat_waits_started", "chat_waits", ["started_at", "minutes", "seconds", "posting_number"])


def downgrade() -> None:
    op.drop_index("ix_chat_waits_started", table_name="chat_waits")
    op.drop_table("chat_waits")
    op.create_index("ix_reviews_published_at", "reviews", ["published_at"])
    op.drop_index("ix_reviews_published_rating", table_name="reviews")
    op.create_index("ix_posting_events_kind_at", "posting_events", ["kind", "at", "user", "posting_number"])
    op.drop_index("ix_posting_events_packer_warehouse", table_name="posting_events")
    op.drop_index("ix_posting_events_packer", table_name="posting_events")
    op.create_index("ix_posting_items_sku", "posting_items", ["sku"])
    op.drop_index("ix_posting_items_sku_sold", table_name="posting_items")
    op.create_index(
        "ix_postings_ordered",
        "postings",
        ["in_process_at", "warehouse_id", "status", "local_status", "total", "posting_number"],
    )
    op.create_index(
        "ix_postings_due",
        "postings",
        ["shipment_date", "warehouse_id", "status", "local_status", "delivering_date", "in_process_at", "packed_at"],
    )
    for name in (
        "ix_postings_ship_minutes",
        "ix_postings_shipped",
        "ix_postings_foreign_currency",
        "ix_postings_cancelled",
        "ix_postings_revenue",
    ):
        op.drop_index(name, table_name="postings")
    with op.batch_alter_table("posting_events", schema=None) as batch_op:
        batch_op.drop_column("warehouse_id")
    with op.batch_alter_table("posting_items", schema=None) as batch_op:
        batch_op.drop_column("warehouse_id")
        batch_op.drop_column("in_process_at")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("ship_minutes")
        batch_op.drop_column("shipped_late")
        batch_op.drop_column("shipped_at")
        batch_op.drop_column("units")
        batch_op.drop_column("currency")
