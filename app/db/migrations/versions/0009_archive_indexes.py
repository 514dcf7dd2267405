"""the archive at scale: an index the orders list reads in order, tracking numbers and marking codes found by index

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A status tab: its postings by shown status, already in ship-by order (no sort of a million rows).
    op.create_index(
        "ix_postings_listing",
        "postings",
        [
            sa.text("coalesce(local_status, status)"),
            sa.text("(shipment_date IS NULL)"),  # parenthesised: PostgreSQL takes no bare expression here
            "shipment_date",
            "posting_number",
        ],
    )
    op.create_index("ix_postings_tracking_number", "postings", ["tracking_number"])


def downgrade() -> None:
    op.drop_index("ix_postings_tracking_number", table_name="postings")
    op.drop_index("ix_postings_listing", table_name="postings")
