"""postings.search_text: one case-folded column to search

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _fold(parts: list[str]) -> str:
    # The same text app.repos.postings.search_text builds (kept here: a migration must not change later).
    return "\n".join(parts).casefold()


def upgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    items: dict[str, list[str]] = {}
    for number, sku, offer_id, name in bind.execute(
        sa.text("SELECT posting_number, sku, offer_id, name FROM posting_items ORDER BY posting_number, position")
    ):
        items.setdefault(number, []).extend([str(sku), offer_id, name])
    rows = [
        {"n": number, "t": _fold([number, order_number, *items.get(number, [])])}
        for number, order_number in bind.execute(sa.text("SELECT posting_number, order_number FROM postings"))
    ]
    if rows:
        bind.execute(sa.text("UPDATE postings SET search_text = :t WHERE posting_number = :n"), rows)


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("search_text")
