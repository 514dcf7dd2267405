"""Returns desk: where a return is, when storage charges start, the decision deadline, the buyer's
comment and photos, a folded search column; return receipts and exchanges

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SEARCHED = ("return_id", "return_number", "posting_number", "order_number", "sku", "offer_id", "product_name")


def _backfill(bind: sa.Connection) -> None:
    # Kept here rather than calling app code: a migration must not change when the app does.
    rows = [
        {"i": r[0], "s": "\n".join(str(v) for v in r[1:] if v not in (None, "", 0)).casefold()}
        for r in bind.execute(sa.text(f"SELECT id, {', '.join(_SEARCHED)}, client_name, barcode FROM returns"))
    ]
    if rows:
        bind.execute(sa.text("UPDATE returns SET search_text = :s WHERE id = :i"), rows)
    bind.execute(sa.text("UPDATE returns SET sort_at = COALESCE(changed_at, created_at)"))
    # `stage` stays empty here: the next sync gives every row its stage (app.repos.returns.restage).
    # Read the returns afresh (their place, storage date, rFBS group and deadline are new columns).
    bind.execute(sa.text("DELETE FROM sync_state WHERE name = 'returns.since'"))


def upgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_group", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("place", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("storage_from", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decide_by", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("buyer_comment", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("photos", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("stage", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sort_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_returns_listing", ["sort_at", "id", "stage", "kind", "decide_by"], unique=False)
    op.create_table(
        "return_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("return_id", sa.BigInteger(), nullable=False),
        sa.Column("posting_number", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photos", sa.Text(), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("marks", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_receipts")),
    )
    with op.batch_alter_table("return_receipts", schema=None) as batch_op:
        batch_op.create_index("ix_return_receipts_return", ["kind", "return_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_receipts_posting_number"), ["posting_number"], unique=False)
    op.create_table(
        "return_exchanges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("return_id", sa.BigInteger(), nullable=False),
        sa.Column("posting_number", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_exchanges")),
    )
    with op.batch_alter_table("return_exchanges", schema=None) as batch_op:
        batch_op.create_index("ix_return_exchanges_return", ["kind", "return_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_exchanges_posting_number"), ["posting_number"], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("return_exchanges")
    op.drop_table("return_receipts")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_listing")
        for column in ("sort_at", "stage", "search_text", "photos", "buyer_comment", "decide_by", "storage_from", "place", "status_group"):
            batch_op.drop_column(column)
