"""A posting packed at one desk while another desk is scanning its label: the second desk must not
open it again. Its cache read comes before the claim's row lock, so the lock's holder may have
completed it in between (PostgreSQL, READ COMMITTED); on SQLite the write lock orders them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from app.context import AppContext, open_context
from app.db.desk_tables import PackProgressRow
from app.db.engine import Database
from app.db.tables import PostingEventRow
from app.events import EventBus
from app.history import EventKind
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from tests.app.test_packing import FBS, MUG, PEN, Clock, fill

pytestmark = pytest.mark.server_only


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    fill(context)
    yield context
    context.close()


def test_a_posting_completed_at_another_desk_during_the_scan_is_not_opened_again(ctx: AppContext) -> None:
    other = Database(ctx.db.url)  # the second desk's own connections, as another process has
    first = PackStation(ctx.db, ctx.clock, bus=EventBus(), user="Анна", desk="Desk 1")
    second = PackStation(other, ctx.clock, bus=EventBus(), user="Ли Вэй", desk="Desk 2")
    second.resume()
    assert first.scan(FBS).kind is Kind.POSTING_OPENED
    for code in (MUG, PEN, PEN):
        assert first.scan(code).kind is Kind.ITEM_OK

    def complete_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """The second desk has read the posting (packable) and now claims it: the first completes."""
        if statement.lstrip().upper().startswith("INSERT INTO PACK_PROGRESS") and not done:
            done.append(True)
            assert first.complete().kind is Kind.COMPLETED

    done: list[bool] = []
    event.listen(other.writer, "before_cursor_execute", complete_first)
    try:
        out = second.scan(FBS)
        with ctx.db.read() as s:
            row = s.get(PackProgressRow, FBS)
            assert row is not None
            state, desk = row.state, row.desk
            kinds = list(s.scalars(select(PostingEventRow.kind).where(PostingEventRow.desk == "Desk 2")))
    finally:
        other.dispose()
    assert out.kind is Kind.ALREADY_PACKED, out.kind
    assert (state, desk) == ("complete", "Desk 1")  # the first desk's packing stands
    assert EventKind.SCAN_POSTING not in kinds
