"""One sync leader per shop on a shared PostgreSQL: the advisory lock elects one desk; when it
closes or is killed another desk leads within seconds and re-checks what was left in flight."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import desks, outbox
from app.context import AppContext
from app.outbox import ActionKind, OutboxState, TargetKind
from sync.leader import FOLLOWER_PER_SECOND, Leadership
from sync.ratelimit import DEFAULT_PER_SECOND, RateLimiter


def test_on_a_file_the_one_process_always_leads(tmp_path: Path) -> None:
    from app.context import open_context
    from app.db.engine import sqlite_url

    ctx = open_context(str(tmp_path), db_url=sqlite_url(str(tmp_path / "packdesk.sqlite3")))
    try:
        leadership = Leadership(ctx.db, "Desk 1", ctx.clock)
        assert not leadership.shared and leadership.lead() and leadership.lead()
        leadership.release()
    finally:
        ctx.close()


@pytest.mark.server_only
def test_one_desk_leads_and_the_next_takes_over_when_it_closes(ctx: AppContext) -> None:
    budgets = RateLimiter(), RateLimiter()
    first = Leadership(ctx.db, "Desk 1", ctx.clock, limiter=budgets[0])
    second = Leadership(ctx.db, "Desk 2", ctx.clock, limiter=budgets[1])
    try:
        assert first.lead() and not second.lead() and first.lead()  # the leader keeps it
        # the shop's budget shared through the leader: the other desk keeps a little for its look-ups
        assert budgets[1].per_second == FOLLOWER_PER_SECOND
        assert budgets[0].per_second == DEFAULT_PER_SECOND - FOLLOWER_PER_SECOND
        assert budgets[0].per_second + budgets[1].per_second <= DEFAULT_PER_SECOND
        with ctx.db.read() as s:
            leader = desks.leader(s, ctx.clock.now())
            assert leader is not None and leader.name == "Desk 1"
            assert {d.name for d in desks.all_desks(s)} == {"Desk 1", "Desk 2"}
            # an action the first leader was sending when it went away
        with ctx.db.write() as s:
            entry = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "1-1-1", {}, ctx.clock.now())
            outbox.mark_in_flight(s, entry.key, ctx.clock.now())
        first.release()
        assert second.lead()
        with ctx.db.read() as s:
            leader = desks.leader(s, ctx.clock.now())
            left = outbox.get(s, entry.key)
        assert leader is not None and leader.name == "Desk 2"
        assert left is not None and left.state is OutboxState.PENDING and left.ambiguous  # re-checked first
    finally:
        first.release()
        second.release()


_HOLDER = """
import sys, time
from app.clock import SystemClock
from app.db.engine import Database
from sync.leader import FOLLOWER_PER_SECOND, Leadership
from sync.ratelimit import DEFAULT_PER_SECOND, RateLimiter
leadership = Leadership(Database(sys.argv[1]), "Desk 1", SystemClock())
assert leadership.lead()
print("leading", flush=True)
time.sleep(600)
"""


@pytest.mark.server_only
def test_a_leader_killed_with_sigkill_is_replaced_within_ten_seconds(ctx: AppContext) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, ctx.db.url], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    second = Leadership(ctx.db, "Desk 2", ctx.clock)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "leading"
        assert not second.lead()
        holder.kill()  # SIGKILL: no goodbye to the server
        killed = time.monotonic()
        while not second.lead():
            assert time.monotonic() - killed < 10, "no desk took the lead within 10 s"
            time.sleep(0.2)
        took = time.monotonic() - killed
        assert took < 10
    finally:
        holder.kill()
        holder.wait(10)
        second.release()


@pytest.mark.server_only
def test_sync_once_at_a_desk_that_does_not_lead_does_nothing_and_says_why(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    import main

    leader = Leadership(ctx.db, "Desk 1", ctx.clock)
    try:
        assert leader.lead()
        folder = ctx.paths.data.parent / "desk2"
        code = main.main(["--data-dir", str(folder), "--demo", "--db", ctx.db.url, "sync", "--once"])
        assert code == main.EXIT_BUSY
        said = capsys.readouterr().err.strip().splitlines()
        assert len(said) == 1 and "Desk 1 leads the sync" in said[0]  # the desk to look at, by name
    finally:
        leader.release()


class _CountingEngine:
    """Stands in for SyncEngine: counts its cycles and, like it, announces the outbox at each end."""

    def __init__(self, ctx: AppContext) -> None:
        self.db = ctx.db
        self.bus = ctx.bus
        self.cycles = 0

    def run_cycle(self) -> object:
        from app.events import OutboxChanged
        from sync.cycle import CycleResult

        self.cycles += 1
        self.bus.publish(OutboxChanged(1, 0))
        return CycleResult()

    def seconds_until_due(self) -> float | None:
        return None


@pytest.mark.server_only
def test_the_leader_sends_another_desks_queued_action_at_once(ctx: AppContext) -> None:
    """A ship packed at a desk that does not lead goes out when that desk announces it, not a sync
    interval later; the leader's own announcement at the end of a cycle starts no new cycle."""
    from app.context import open_context
    from app.events import OutboxChanged
    from sync.scheduler import SyncScheduler

    other = open_context(str(ctx.paths.data.parent / "desk2"))
    engine = _CountingEngine(ctx)
    scheduler = SyncScheduler(engine, 60, Leadership(ctx.db, "Desk 1", ctx.clock))  # type: ignore[arg-type]
    try:
        assert ctx.desk_events is not None and other.desk_events is not None
        assert ctx.desk_events.listening.wait(5) and other.desk_events.listening.wait(5)
        scheduler.start()
        deadline = time.monotonic() + 5
        while engine.cycles < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        assert engine.cycles == 1  # its own OutboxChanged did not wake it
        other.bus.publish(OutboxChanged(1, 0))  # Desk 2 queued a ship
        sent = time.monotonic()
        while engine.cycles < 2:
            assert time.monotonic() - sent < 2, "the leader did not sync for the other desk's action"
            time.sleep(0.05)
    finally:
        scheduler.stop()
        other.close()


@pytest.mark.server_only
def test_sync_now_at_a_desk_that_does_not_lead_makes_the_leader_sync(ctx: AppContext) -> None:
    """The seller's Sync now (F5) at Desk 2 is asked of Desk 1, which leads: it syncs at once (and
    asks Ozon again for what the plan had paused); Desk 2 itself talks to no one."""
    from app.context import open_context
    from sync.scheduler import SyncScheduler

    other = open_context(str(ctx.paths.data.parent / "desk2"))
    leading, following = _CountingEngine(ctx), _CountingEngine(other)
    retried: list[bool] = []
    leading.retry_plan_limited = lambda: retried.append(True)  # type: ignore[attr-defined]
    first = SyncScheduler(leading, 3600, Leadership(ctx.db, "Desk 1", ctx.clock))  # type: ignore[arg-type]
    second = SyncScheduler(following, 3600, Leadership(other.db, "Desk 2", other.clock))  # type: ignore[arg-type]
    try:
        assert ctx.desk_events is not None and other.desk_events is not None
        assert ctx.desk_events.listening.wait(5) and other.desk_events.listening.wait(5)
        first.start()
        deadline = time.monotonic() + 5
        while leading.cycles < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second.start()
        time.sleep(0.5)
        second.sync_now(retry_paused=True)
        sent = time.monotonic()
        while leading.cycles < 2:
            assert time.monotonic() - sent < 2, "the leader did not sync for the other desk's Sync now"
            time.sleep(0.05)
        assert retried == [True] and following.cycles == 0
    finally:
        first.stop()
        second.stop()
        other.close()


def test_two_computers_with_one_default_name_are_two_desks(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import uuid

    from app.settings import Settings

    monkeypatch.setattr(socket, "gethostname", lambda: "ubuntu")
    monkeypatch.setattr(uuid, "getnode", lambda: 0x0242AC110002)
    first = desks.desk_name(Settings())
    monkeypatch.setattr(uuid, "getnode", lambda: 0x0242AC110003)
    second = desks.desk_name(Settings())
    assert first.startswith("ubuntu-") and second.startswith("ubuntu-") and first != second
    assert desks.desk_name(Settings(desk_name=" Стол 2 ")) == "Стол 2"  # a name given is kept as given


@pytest.mark.server_only
def test_a_new_desk_reads_the_shop_from_a_folder_it_does_not_have_yet(ctx: AppContext, tmp_path: Path) -> None:
    import main

    assert main.main(["--data-dir", str(tmp_path / "new-desk"), "--db", ctx.db.url, "orders"]) == 0


def test_a_text_that_is_no_address_is_named_as_typed_without_its_password() -> None:
    from app.db.engine import Database
    from app.errors import DatabaseUrlInvalid

    with pytest.raises(DatabaseUrlInvalid) as refused:
        Database("postgres ql://packdesk:s3cret@192.168.1.10/shop")
    assert "postgres ql://packdesk:***@192.168.1.10/shop is not a database address" in str(refused.value)
    assert "s3cret" not in str(refused.value)
    with pytest.raises(DatabaseUrlInvalid, match=r"^notaurl is not a database address"):
        Database("notaurl")


@pytest.mark.server_only
def test_the_address_postgresql_guides_show_leads_the_sync_too(ctx: AppContext) -> None:
    """`postgresql://…` (no driver named) is taken as psycopg 3 everywhere, the leader's own
    connection included: not an unexpected error at the first sync."""
    from sqlalchemy import make_url

    from app.db.engine import Database

    plain = make_url(ctx.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    leadership = Leadership(Database(plain), "Desk 1", ctx.clock)
    try:
        assert leadership.lead()
    finally:
        leadership.release()
