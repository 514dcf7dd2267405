"""The statements each step at the pack station sends to the database. On a shop's shared server
every one is a round trip inside the scan's transaction, so their number is the scan's latency
(tests/bench/desks_bench.py measures it): these bounds keep a change from quietly adding one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.context import AppContext
from app.events import EventBus
from app.workflows import commands
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from tests.app.test_packing import FBS, MUG, PEN, fill

# Statements per step, the transaction's BEGIN left out (SQLite's is a statement, a server's is not).
MOST = {"posting label": 9, "unit": 4, "NEXT": 16}


def test_each_scan_sends_a_bounded_number_of_statements(ctx: AppContext) -> None:
    fill(ctx)
    station = PackStation(ctx.db, ctx.clock, bus=EventBus(), user="Анна", desk="Desk 1")
    station.resume()
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            sent.append(statement)

    event.listen(ctx.db.writer, "before_cursor_execute", count)
    steps = [("posting label", FBS, Kind.POSTING_OPENED)]
    steps += [("unit", code, Kind.ITEM_OK) for code in (MUG, PEN, PEN)]
    steps += [("NEXT", commands.CODES[commands.Command.NEXT], Kind.COMPLETED)]
    try:
        for step, code, kind in steps:
            sent.clear()
            assert station.scan(code).kind is kind
            assert len(sent) <= MOST[step], (step, len(sent), sent)
    finally:
        event.remove(ctx.db.writer, "before_cursor_execute", count)
