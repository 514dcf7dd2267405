"""Several desks of one shop: desks and packers, Ozon's PDFs shared between desks, the desk on every pack claim, print job, history
event, and the outbox claim (who sends it, until when)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _desk_column() -> sa.Column:
    return sa.Column("desk", sa.String(100), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "desks",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("packer", sa.String(100), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("leading_since", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_desks")),
    )
    op.create_table(
        "packers",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_packers")),
    )
    op.create_table(
        "shared_files",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_shared_files")),
    )
    with op.batch_alter_table("pack_progress") as batch:
        batch.add_column(_desk_column())
        batch.add_column(sa.Column("packer", sa.String(100), nullable=False, server_default=""))
    with op.batch_alter_table("print_jobs") as batch:
        batch.add_column(_desk_column())
    with op.batch_alter_table("posting_events") as batch:
        batch.add_column(_desk_column())
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    for table in ("posting_events", "print_jobs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("desk")
    with op.batch_alter_table("pack_progress") as batch:
        batch.drop_column("packer")
        batch.drop_column("desk")
    op.drop_table("shared_files")
    op.drop_table("packers")
    op.drop_table("desks")
