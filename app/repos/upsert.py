"""Bulk insert-or-update that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert


def _insert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def dialect_insert(session: Session) -> Any:
    """The INSERT with ON CONFLICT of the session's database (SQLite's or PostgreSQL's)."""
    return _insert(session.get_bind().dialect.name)


@lru_cache(maxsize=64)
def _statement(
    table: Table,
    dialect: str,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    keep: frozenset[str],
    keep_known: frozenset[str],
) -> Insert:
    # Built once per shape: constructing the ON CONFLICT clause costs more than running it for 100 rows.
    stmt = _insert(dialect)(table)
    skip = set(keys) | keep
    values: dict[str, Any] = {}
    for c in columns:
        if c in skip:
            continue
        # A blank in the new row keeps the stored value: the reply hid the field, it did not clear it.
        values[c] = (
            func.coalesce(func.nullif(stmt.excluded[c], ""), table.c[c]) if c in keep_known else stmt.excluded[c]
        )
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=values)


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    keep: Sequence[str] = (),
    keep_known: Sequence[str] = (),
) -> None:
    """Insert rows; on a key clash update every column except the keys and `keep` (local columns).
    Text columns in `keep_known` are updated only with a non-blank value."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt = _statement(table, dialect, tuple(rows[0]), tuple(keys), frozenset(keep), frozenset(keep_known))
    session.execute(stmt, list(rows))
