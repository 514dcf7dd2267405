"""Schema migrations with alembic, applied at start-up.

A database written by a newer Packdesk (a revision this build does not know) is refused rather
than silently half-used.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.db.engine import Database
from app.errors import DatabaseTooNew

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.writer
    return cfg


def current_revision(db: Database) -> str | None:
    with db.writer.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this build can open (and migrate to its head)."""
    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def upgrade(db: Database) -> None:
    """Bring the schema to this build's head; refuse a database from the future."""
    cfg = _config(db)
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(db)
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(current)
    if current != script.get_current_head():
        log.info("migrating database from %s to %s", current, script.get_current_head())
        with db._write_lock:
            command.upgrade(cfg, "head")
