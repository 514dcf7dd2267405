"""Bulk insert-or-update that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


@lru_cache(maxsize=64)
def _statement(
    table: Table, dialect: str, columns: tuple[str, ...], keys: tuple[str, ...], keep: frozenset[str]
) -> Insert:
    # Built once per shape: constructing the ON CONFLICT clause costs more than running it for 100 rows.
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    skip = set(keys) | keep
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns if c not in skip}
    )


def upsert(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str], keep: Sequence[str] = ()
) -> None:
    """Insert rows; on a key clash update every column except the keys and `keep` (local columns)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    session.execute(_statement(table, dialect, tuple(rows[0]), tuple(keys), frozenset(keep)), list(rows))
