"""Copy a desk's SQLite database into an empty server database (`python main.py migrate-to URL`).

The target gets this build's schema from the migrations (the same as any new database), then every
table is copied in dependency order, in batches, from one read transaction of the source (a
consistent snapshot even while something else writes). Serial ids continue after the copied ones.
Afterwards each table's rows are counted on both sides; a difference is an error, never a shrug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db import migrate
from app.db.engine import Database
from app.db.tables import Base
from app.errors import UserError

log = logging.getLogger(__name__)

BATCH = 5_000


@dataclass(frozen=True)
class TableCopied:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


class TargetNotEmpty(UserError):
    def __init__(self, server: str, tables: list[str]) -> None:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        super().__init__(
            "migrate_target_not_empty",
            f"{server} already holds tables ({shown}); Packdesk copies only into an empty database",
            server=server,
            tables=shown,
        )


class CountsDiffer(UserError):
    def __init__(self, differing: list[TableCopied]) -> None:
        shown = "; ".join(f"{c.table}: {c.source} here, {c.target} there" for c in differing)
        super().__init__("migrate_counts_differ", f"the copy is incomplete ({shown})", tables=shown)


def copy_database(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> list[TableCopied]:
    """Copy `source` (at this build's schema) into the empty `target`; returns the counts per table."""
    if migrate.current_revision(source) != migrate.head_revision():
        migrate.upgrade(source)
    try:
        existing = sorted(inspect(target.writer).get_table_names())
    except SQLAlchemyError as exc:  # the first connection to the server: unreachable, no such database…
        target.name_server_failure(exc)
        raise
    if existing:
        raise TargetNotEmpty(target.shown, existing)
    migrate.upgrade(target)
    tables = list(Base.metadata.sorted_tables)  # parents before children
    with source.read() as reading, target.write() as writing:
        for table in tables:
            copied = 0
            result = reading.execute(select(table)).yield_per(BATCH)
            for rows in result.partitions():
                writing.execute(table.insert(), [dict(row._mapping) for row in rows])
                copied += len(rows)
                if progress is not None:
                    progress(table.name, copied)
            log.info("copied %d rows of %s", copied, table.name)
        if target.writer.dialect.name == "postgresql":
            for table in tables:
                _continue_serial(writing, table)
    return count_both(source, target)


def count_both(source: Database, target: Database) -> list[TableCopied]:
    counts = []
    with source.read() as left, target.read() as right:
        for table in Base.metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            counts.append(TableCopied(table.name, int(left.scalar(query) or 0), int(right.scalar(query) or 0)))
    differing = [c for c in counts if not c.ok]
    if differing:
        raise CountsDiffer(differing)
    return counts


def _continue_serial(session: Session, table: Table) -> None:
    """Inserting explicit ids leaves PostgreSQL's sequence at 1: move it past the copied ids."""
    for column in table.primary_key.columns:
        if column.autoincrement is True or (column.autoincrement == "auto" and len(table.primary_key.columns) == 1):
            try:
                if column.type.python_type is not int:
                    continue
            except NotImplementedError:
                continue
            after = func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            session.execute(select(func.setval(sequence, after, False)))
