"""Ozon's live contract: scanit, requirements and boxes of postings, marking codes, customs numbers,
rFBS return actions; queued approvals dropped (Ozon has no approve method)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NO_APPROVE = "Ozon has no method to approve an rFBS order: it moves on by itself"


def upgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scanit", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("parent_posting_number", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("requirements", sa.Text(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("is_multibox", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("multi_box_qty", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_index(batch_op.f("ix_postings_scanit"), ["scanit"], unique=False)
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("available_actions", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("rejection_reasons", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("details_status", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("pack_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customs", sa.Text(), nullable=False, server_default="{}"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refusal", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "marking_codes",
        sa.Column("ident", sa.String(length=64), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("posting_number", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("ident", name=op.f("pk_marking_codes")),
    )
    with op.batch_alter_table("marking_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marking_codes_posting_number"), ["posting_number"], unique=False)
    op.create_table(
        "sku_customs",
        sa.Column("sku", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("gtd", sa.String(length=64), nullable=False),
        sa.Column("is_absent", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_sku_customs")),
    )
    # A queued "approve" could never be sent: close it and give the posting its own status back.
    bind = op.get_bind()
    numbers = [
        n
        for (n,) in bind.execute(
            sa.text("SELECT target_id FROM outbox WHERE action = 'approve' AND state IN ('pending', 'in_flight')")
        )
    ]
    bind.execute(
        sa.text(
            "UPDATE outbox SET state = 'failed', last_error = :why "
            "WHERE action = 'approve' AND state IN ('pending', 'in_flight')"
        ),
        {"why": NO_APPROVE},
    )
    for number in numbers:
        bind.execute(
            sa.text(
                "UPDATE postings SET local_status = NULL "
                "WHERE posting_number = :n AND local_status = 'awaiting_packaging'"
            ),
            {"n": number},
        )


def downgrade() -> None:
    op.drop_table("sku_customs")
    with op.batch_alter_table("marking_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marking_codes_posting_number"))
    op.drop_table("marking_codes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("refusal")
    with op.batch_alter_table("pack_progress", schema=None) as batch_op:
        batch_op.drop_column("customs")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("details_status")
        batch_op.drop_column("rejection_reasons")
        batch_op.drop_column("available_actions")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_scanit"))
        batch_op.drop_column("multi_box_qty")
        batch_op.drop_column("is_multibox")
        batch_op.drop_column("requirements")
        batch_op.drop_column("parent_posting_number")
        batch_op.drop_column("scanit")
