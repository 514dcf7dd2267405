"""reviews, questions and products: a case-folded search column each (SQLite folds ASCII only)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The texts as app/repos (feedback, products) fold them; kept here: a migration must not change later.
_SOURCES = {
    "reviews": ("review_id", ("text",)),
    "questions": ("question_id", ("text",)),
    "products": ("sku", ("offer_id", "name")),
}


def upgrade() -> None:
    bind = op.get_bind()
    for table, (key, source) in _SOURCES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        found = bind.execute(sa.text(f"SELECT {key}, {', '.join(source)} FROM {table}"))
        rows = [{"k": k, "t": "\n".join(p or "" for p in parts).casefold()} for k, *parts in found]
        if rows:
            bind.execute(sa.text(f"UPDATE {table} SET search_text = :t WHERE {key} = :k"), rows)


def downgrade() -> None:
    for table in _SOURCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("search_text")
