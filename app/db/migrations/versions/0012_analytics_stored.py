"""Analytics at scale, part two: each posting's currency, shipped time and order-to-ship minutes stored on
it; the waits of buyer chats in their own table; the analytics indexes read them

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
    sa.column("shipped_at", sa.DateTime()),
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
    """shipped = the earlier of packed_at and delivering_date; minutes from in_process_at, rounded (as
    app.repos.shipped computes them from now on). In Python: the same on every database."""
    p = _postings.c
    update = (
        _postings.update()
        .where(p.posting_number == sa.bindparam("number"))
        .values(shipped_at=sa.bindparam("at"), ship_minutes=sa.bindparam("minutes"))
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(p.posting_number, p.packed_at, p.delivering_date, p.in_process_at)
            .where(p.posting_number > last, sa.or_(p.packed_at.is_not(None), p.delivering_date.is_not(None)))
            .order_by(p.posting_number)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for number, packed, handed, ordered in rows:
            at = handed if packed is None else packed if handed is None else min(packed, handed)
            minutes = None
            if ordered is not None and at >= ordered:
                minutes = math.floor((at - ordered).total_seconds() / 60.0 + 0.5)
            changes.append({"number": number, "at": at, "minutes": minutes})
        bind.execute(update, changes)
        last = rows[-1][0]


def _backfill_waits(bind: sa.Connection, waits: sa.Table) -> None:
    """Each buyer chat's waits (app.chat.reply_clock.waits): a buyer message finding nothing unanswered
    starts one, the next seller message ends it."""
    m = _messages.c
    buyer_chats = sa.select(_chats.c.chat_id).where(_chats.c.chat_type == "BUYER_SELLER")
    result = bind.execution_options(stream_results=True, yield_per=_BATCH).execute(
        sa.select(m.chat_id, m.author, m.created_at)
        .where(m.author.in_(("customer", "seller")), m.chat_id.in_(buyer_chats))
        .order_by(m.chat_id, m.created_at, m.message_id)
    )
    rows: list[dict[str, object]] = []
    chat, since = None, None

    def close() -> None:
        if chat is not None and since is not None:
            rows.append({"chat_id": chat, "started_at": since, "replied_at": None, "seconds": None})

    for chat_id, author, at in result:
        if chat_id != chat:
            close()
            chat, since = chat_id, None
        if author == "customer":
            since = since or at
        elif since is not None:
            rows.append({"chat_id": chat, "started_at": since, "replied_at": at, "seconds": (at - since).total_seconds()})
            since = None
        if len(rows) >= _BATCH:
            bind.execute(waits.insert(), rows)
            rows.clear()
    close()
    if rows:
        bind.execute(waits.insert(), rows)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("postings", sa.Column("currency", sa.String(length=8), nullable=False, server_default="RUB"))
    op.execute(_CURRENCY)
    op.add_column("postings", sa.Column("shipped_at", sa.DateTime(), nullable=True))
    op.add_column("postings", sa.Column("ship_minutes", sa.Integer(), nullable=True))
    _backfill_shipped(bind)
    # Orders and revenue by day, a sum per currency: the index gains the currency.
    op.drop_index("ix_postings_ordered", table_name="postings")
    op.create_index(
        "ix_postings_ordered",
        "postings",
        ["in_process_at", "warehouse_id", "status", "local_status", "currency", "total", "posting_number"],
    )
    # Shipped on time, order to ship: the stored shipped time and minutes instead of the three timestamps.
    op.drop_index("ix_postings_due", table_name="postings")
    op.create_index(
        "ix_postings_due",
        "postings",
        ["shipment_date", "warehouse_id", "status", "local_status", "shipped_at", "ship_minutes"],
    )
    waits = op.create_table(
        "chat_waits",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", "started_at", name=op.f("pk_chat_waits")),
    )
    assert waits is not None
    _backfill_waits(bind, waits)
    op.create_index("ix_chat_waits_started", "chat_waits", ["started_at", "chat_id", "seconds"])


def downgrade() -> None:
    op.drop_index("ix_chat_waits_started", table_name="chat_waits")
    op.drop_table("chat_waits")
    op.drop_index("ix_postings_due", table_name="postings")
    op.create_index(
        "ix_postings_due",
        "postings",
        ["shipment_date", "warehouse_id", "status", "local_status", "delivering_date", "in_process_at", "packed_at"],
    )
    op.drop_index("ix_postings_ordered", table_name="postings")
    op.create_index(
        "ix_postings_ordered",
        "postings",
        ["in_process_at", "warehouse_id", "status", "local_status", "total", "posting_number"],
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("ship_minutes")
        batch_op.drop_column("shipped_at")
        batch_op.drop_column("currency")
