"""the archive at scale, part 2: a posting's print jobs by index (print_job_postings, filled from
print_jobs.posting_numbers); the active postings by a partial index (what the orders search reads);
the All tab in ship-by order by index

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "print_job_postings",
        sa.Column("posting_number", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["print_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("posting_number", "job_id"),
    )
    bind = op.get_bind()
    insert = sa.text("INSERT INTO print_job_postings (posting_number, job_id) VALUES (:n, :j)")
    batch: list[dict[str, object]] = []
    for job_id, numbers in bind.execute(sa.text("SELECT id, posting_numbers FROM print_jobs")).all():
        batch += [{"n": n, "j": job_id} for n in sorted(set((numbers or "").split()))]
        if len(batch) >= _BATCH:
            bind.execute(insert, batch)
            batch = []
    if batch:
        bind.execute(insert, batch)


    # Literal SQL: the orders search says exactly this (app.db.tables.ACTIVE_POSTINGS) to use the index.
    active = sa.text("coalesce(local_status, status) NOT IN ('cancelled', 'delivered')")
    # The All tab in ship-by order, a window at a time (no sort of a million rows for each window).
    op.create_index(
        "ix_postings_ship_by", "postings", [sa.text("(shipment_date IS NULL)"), "shipment_date", "posting_number"]
    )
    op.create_index("ix_postings_active", "postings", ["posting_number"], sqlite_where=active, postgresql_where=active)


def downgrade() -> None:
    op.drop_index("ix_postings_active", table_name="postings")
    op.drop_index("ix_postings_ship_by", table_name="postings")
    op.drop_table("print_job_postings")
