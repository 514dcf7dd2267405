"""The suite on PostgreSQL: with PACKDESK_TEST_PG set to an admin URL of a throwaway server
(`.ci/run` starts one; `tests/pg_cluster.sh` does it by hand), every test gets a database of its own,
copied from a template migrated once, and PACKDESK_DB_URL names it. Without it nothing changes: the
tests run on SQLite files in their temp folders."""

from __future__ import annotations

import itertools
import os

import psycopg
from sqlalchemy import make_url

ADMIN_ENV = "PACKDESK_TEST_PG"
_TEMPLATE = f"packdesk_tpl_{os.getpid()}"
_counter = itertools.count(1)
_template_ready = False


def admin_url() -> str:
    return os.environ.get(ADMIN_ENV, "").strip()


def _admin(sql: str) -> None:
    conninfo = make_url(admin_url()).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)  # our own fixed statements


def url_of(database: str) -> str:
    return make_url(admin_url()).set(database=database).render_as_string(hide_password=False)


def _ensure_template() -> None:
    global _template_ready
    if _template_ready:
        return
    from app.db import migrate
    from app.db.engine import Database

    _admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)")
    _admin(f"CREATE DATABASE {_TEMPLATE}")
    db = Database(url_of(_TEMPLATE))
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()
    _template_ready = True


def fresh_database() -> str:
    """A new database at the schema's head; its URL."""
    _ensure_template()
    name = f"packdesk_t{os.getpid()}_{next(_counter)}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    return name


def drop(name: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_template() -> None:
    if _template_ready:
        drop(_TEMPLATE)
