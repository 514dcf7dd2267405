"""Bulk insert-or-update that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str], keep: Sequence[str] = ()
) -> None:
    """Insert rows; on a key clash update every column except the keys and `keep` (local columns)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    skip = set(keys) | set(keep)
    update_cols = {c: stmt.excluded[c] for c in rows[0] if c not in skip}
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=update_cols)
    session.execute(stmt, list(rows))
