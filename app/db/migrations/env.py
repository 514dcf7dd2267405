"""Alembic environment: the engine is handed in by app.db.migrate (no alembic.ini, frozen-safe)."""

from __future__ import annotations

from alembic import context

from app.db.tables import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite has almost no ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
