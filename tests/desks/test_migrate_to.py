"""`python main.py migrate-to URL`: a desk's SQLite database copied into an empty server database,
counts checked; a server that cannot be reached, a database the server does not have and one that
holds tables already are each one line, never an unexpected error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import paths
from app.context import open_context
from app.db.engine import sqlite_url
from tests import pg_server
from tests.app.test_packing import fill


def sqlite_desk(folder: Path) -> Path:
    """A desk folder with its own SQLite file, filled (whatever PACKDESK_DB_URL says)."""
    ctx = open_context(str(folder), db_url=sqlite_url(str(paths.Paths(folder).database)))
    try:
        fill(ctx)
    finally:
        ctx.close()
    return folder


def test_a_server_that_cannot_be_reached_is_said_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import main

    folder = sqlite_desk(tmp_path / "desk")
    code = main.main(["--data-dir", str(folder), "migrate-to", "postgresql+psycopg://packdesk@127.0.0.1:1/shop"])
    said = capsys.readouterr().err.strip().splitlines()
    assert code == main.EXIT_FAILED, said
    assert len(said) == 1 and "127.0.0.1:1/shop cannot be reached" in said[0]


@pytest.mark.server_only
def test_a_desk_is_copied_into_an_empty_database_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    folder = sqlite_desk(tmp_path / "desk")
    missing = pg_server.url_of("packdesk_no_such_shop")
    assert main.main(["--data-dir", str(folder), "migrate-to", missing]) == main.EXIT_FAILED
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "has no database named packdesk_no_such_shop" in said[0]
    name = f"{pg_server.fresh_database()}_empty"
    pg_server._admin(f"CREATE DATABASE {name}")
    try:
        target = pg_server.url_of(name)
        assert main.main(["--data-dir", str(folder), "migrate-to", target]) == 0
        out = capsys.readouterr().out
        assert any(line.split()[:4] == ["postings", "5", "rows,", "5"] for line in out.splitlines()), out
        assert main.main(["--data-dir", str(folder), "migrate-to", target]) == main.EXIT_FAILED
        assert "already holds tables" in capsys.readouterr().err
    finally:
        pg_server.drop(name)
