"""Analytics at scale: each posting's total and first PACKED time stored on it, indexes the figures read from alone

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The same sum app.repos.postings.total_kopecks makes when a posting is saved (kept here: a migration
# must not change later): price × quantity of every item, in kopecks.
_TOTALS = (
    "UPDATE postings SET total = (SELECT coalesce(sum(CAST(round(CAST(i.price AS NUMERIC) * 100) AS BIGINT)"
    " * i.quantity), 0) FROM posting_items i WHERE i.posting_number = postings.posting_number)"
)

_PACKED = (
    "UPDATE postings SET packed_at = (SELECT min(e.at) FROM posting_events e"
    " WHERE e.posting_number = postings.posting_number AND e.kind = 'packed')"
)


def upgrade() -> None:
    op.add_column("postings", sa.Column("total", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(_TOTALS)
    # The first PACKED event of each posting, as app.history.record keeps it from now on.
    op.add_column("postings", sa.Column("packed_at", sa.DateTime(), nullable=True))
    op.execute(_PACKED)
    # Orders and revenue by day: the postings taken into work in a day, read from the index alone.
    op.create_index(
        "ix_postings_ordered",
        "postings",
        ["in_process_at", "warehouse_id", "status", "local_status", "total", "posting_number"],
    )
    # A posting's warehouse by its number (the figures of one warehouse join their rows to it).
    op.create_index("ix_postings_number_warehouse", "postings", ["posting_number", "warehouse_id"])
    # Shipped on time: the postings due in a day with the times the figure compares.
    op.create_index(
        "ix_postings_due",
        "postings",
        ["shipment_date", "warehouse_id", "status", "local_status", "delivering_date", "in_process_at", "packed_at"],
    )
    # The packing errors of a period by packer.
    op.create_index("ix_posting_events_kind_at", "posting_events", ["kind", "at", "user", "posting_number"])
    # Units sold by SKU: a posting's items read from the index alone (it serves every lookup by posting
    # number the single-column index served).
    op.create_index("ix_posting_items_sold", "posting_items", ["posting_number", "sku", "quantity"])
    op.drop_index("ix_posting_items_posting_number", table_name="posting_items")
    op.create_index("ix_returns_created_at", "returns", ["created_at"])
    # A chat's messages in order with their authors, from the index alone (the first-reply windows; it
    # serves every read the (chat_id, created_at) index served).
    op.create_index("ix_chat_messages_thread", "chat_messages", ["chat_id", "created_at", "message_id", "author"])
    op.drop_index("ix_chat_messages_chat_created", table_name="chat_messages")


def downgrade() -> None:
    op.create_index("ix_chat_messages_chat_created", "chat_messages", ["chat_id", "created_at"])
    op.drop_index("ix_chat_messages_thread", table_name="chat_messages")
    op.drop_index("ix_returns_created_at", table_name="returns")
    op.create_index("ix_posting_items_posting_number", "posting_items", ["posting_number"])
    op.drop_index("ix_posting_items_sold", table_name="posting_items")
    op.drop_index("ix_posting_events_kind_at", table_name="posting_events")
    op.drop_index("ix_postings_due", table_name="postings")
    op.drop_index("ix_postings_number_warehouse", table_name="postings")
    op.drop_index("ix_postings_ordered", table_name="postings")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("packed_at")
        batch_op.drop_column("total")
