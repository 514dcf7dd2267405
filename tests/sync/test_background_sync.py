"""Background sync: it stops by itself when the database is found damaged (it used to retry every
interval, all day, with a traceback each time), and the error text it shows never holds the Api-Key."""

from __future__ import annotations

import time

import pytest

from app.context import AppContext
from app.errors import DatabaseDamaged
from sync.cycle import CycleResult
from sync.engine import SyncEngine
from sync.scheduler import SyncScheduler


@pytest.mark.parametrize("how", ["raised", "met inside the cycle"])
def test_a_damaged_database_stops_background_sync(ctx: AppContext, engine: SyncEngine, how: str) -> None:
    cycles = 0
    found = DatabaseDamaged(str(ctx.paths.database), "database disk image is malformed")

    def damaged_cycle() -> CycleResult:
        nonlocal cycles
        cycles += 1
        if how == "raised":
            raise found
        ctx.db.damaged = found  # what the database does when a session meets SQLITE_CORRUPT
        result = CycleResult()
        result.fail(str(found), "protocol")
        return result

    engine.run_cycle = damaged_cycle  # type: ignore[method-assign]
    scheduler = SyncScheduler(engine, interval_s=1.0)
    scheduler.start()
    deadline = time.monotonic() + 10
    while scheduler.stopped_by is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # longer than the interval: a loop still running would try again
    scheduler.stop()
    assert scheduler.stopped_by is found
    assert cycles == 1


def test_a_cycles_error_text_never_shows_the_api_key() -> None:
    from app import logs

    logs.register_secret("k3y-0f-the-shop-1234")
    result = CycleResult()
    result.fail("HTTP 403 for Api-Key k3y-0f-the-shop-1234", "auth")
    result.fail("again k3y-0f-the-shop-1234", "auth")
    assert "k3y-0f" not in result.error + " ".join(result.more_errors) + result.summary()
