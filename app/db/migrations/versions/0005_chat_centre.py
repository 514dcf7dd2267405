"""Chat centre: chat summaries (last message, reply clock, search), folded message text, drafts,
reply templates, auto-reply rules and their log

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _backfill(bind: sa.Connection) -> None:
    # Kept here rather than calling app code: a migration must not change when the app does.
    messages: dict[str, list[tuple[str, object, str]]] = {}
    for chat_id, author, created_at, text in bind.execute(
        sa.text("SELECT chat_id, author, created_at, text FROM chat_messages ORDER BY created_at")
    ):
        messages.setdefault(chat_id, []).append((author, created_at, text))
    first_posting: dict[str, str] = {
        order: number
        for order, number in bind.execute(
            sa.text("SELECT order_number, MIN(posting_number) FROM postings GROUP BY order_number")
        )
    }
    postings = {n for (n,) in bind.execute(sa.text("SELECT posting_number FROM postings"))}
    rows = []
    for chat_id, linked in bind.execute(sa.text("SELECT chat_id, posting_number FROM chats")):
        # Until now `posting_number` held whatever the first message named: usually an order number.
        order = "" if linked in postings else linked
        posting = linked if linked in postings else first_posting.get(linked, "")
        waiting = None
        for author, created_at, _ in messages.get(chat_id, []):
            if author == "customer" and waiting is None:
                waiting = created_at
            elif author == "seller":
                waiting = None
        last: list[tuple[str, object, str]] = messages.get(chat_id, [])[-1:] or [("", None, "")]
        rows.append(
            {
                "c": chat_id,
                "p": posting,
                "o": order,
                "at": last[0][1],
                "pv": last[0][2][:200],
                "w": waiting,
                "s": "\n".join([chat_id, posting, order, *(t for _, _, t in messages.get(chat_id, [])[-200:] if t)])
                .casefold()
                .replace("ё", "е"),
            }
        )
    if rows:
        bind.execute(
            sa.text(
                "UPDATE chats SET posting_number = :p, order_number = :o, last_message_at = :at, preview = :pv,"
                " awaiting_since = :w, search_text = :s WHERE chat_id = :c"
            ),
            rows,
        )


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_number", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("last_message_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("preview", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("awaiting_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_chats_order_number"), ["order_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_chats_last_message_at"), ["last_message_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_chats_awaiting_since"), ["awaiting_since"], unique=False)
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.create_index("ix_chat_messages_chat_created", ["chat_id", "created_at"], unique=False)
    op.create_table(
        "chat_drafts",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_drafts")),
    )
    op.create_table(
        "chat_templates",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("intents", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_chat_templates")),
    )
    op.create_table(
        "autoreply_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("intents", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("posting_statuses", sa.Text(), nullable=False),
        sa.Column("outside_hours_only", sa.Boolean(), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("period_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autoreply_rules")),
    )
    op.create_table(
        "autoreply_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("outbox_key", sa.String(length=36), nullable=True),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autoreply_log")),
    )
    with op.batch_alter_table("autoreply_log", schema=None) as batch_op:
        batch_op.create_index("ix_autoreply_log_rule_chat", ["rule_id", "chat_id", "fired_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_autoreply_log_fired_at"), ["fired_at"], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("autoreply_log")
    op.drop_table("autoreply_rules")
    op.drop_table("chat_templates")
    op.drop_table("chat_drafts")
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_messages_chat_created")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chats_awaiting_since"))
        batch_op.drop_index(batch_op.f("ix_chats_last_message_at"))
        batch_op.drop_index(batch_op.f("ix_chats_order_number"))
        for column in ("search_text", "awaiting_since", "preview", "last_message_at", "order_number"):
            batch_op.drop_column(column)
