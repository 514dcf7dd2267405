"""Several desks on one database: a posting on one desk's station is refused at another, with who
has it; a claim gone stale is taken over with a record; the desk that lost it is told at its next
scan; two desks scanning one posting at the same moment: one wins. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app import history
from app.context import AppContext, open_context
from app.db.engine import Database
from app.events import EventBus
from app.history import EventKind
from app.workflows.packing import claims
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from tests.app.test_packing import FBS, MUG, PEN, Clock, fill


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    fill(context)
    yield context
    context.close()


def station(ctx: AppContext, desk: str, packer: str, db: Database | None = None) -> PackStation:
    return PackStation(db or ctx.db, ctx.clock, bus=EventBus(), user=packer, desk=desk)


def test_a_posting_on_one_desk_is_refused_at_another_with_who_has_it(ctx: AppContext) -> None:
    first, second = station(ctx, "Desk 1", "Анна"), station(ctx, "Desk 2", "Ли Вэй")
    assert first.scan(FBS).kind is Kind.POSTING_OPENED
    refused = second.scan(FBS)
    assert refused.kind is Kind.CLAIMED_ELSEWHERE and refused.refused
    assert claims.split_detail(refused.detail) == ("Desk 1", "Анна")
    assert second.snapshot().view is None  # nothing opened at the second desk
    assert first.scan(MUG).kind is Kind.ITEM_OK  # the first desk packs on, undisturbed
    with ctx.db.read() as s:
        refusals = [e for e in history.of(s, FBS) if e.kind is EventKind.SCAN_REFUSED]
    assert refusals and refusals[-1].desk == "Desk 2" and refusals[-1].user == "Ли Вэй"


def test_a_stale_claim_is_taken_over_on_confirmation_and_the_first_desk_is_told(ctx: AppContext) -> None:
    clock = ctx.clock
    assert isinstance(clock, Clock)
    first, second = station(ctx, "Desk 1", "Анна"), station(ctx, "Desk 2", "Ли Вэй")
    first.scan(FBS)
    first.scan(MUG)
    clock.moment += claims.STALE_AFTER - timedelta(seconds=1)
    assert second.scan(FBS).kind is Kind.CLAIMED_ELSEWHERE  # not stale yet: a scan 4:59 ago
    clock.moment += timedelta(seconds=1)
    stale = second.scan(FBS)
    assert stale.kind is Kind.CLAIM_STALE and claims.split_detail(stale.detail) == ("Desk 1", "Анна")
    taken = second.take_over(FBS)
    assert taken.kind is Kind.POSTING_OPENED and taken.view is not None
    assert taken.view.scanned == 1  # the mug scanned at the first desk counts here
    lost = first.scan(PEN)
    assert lost.kind is Kind.TAKEN_OVER and claims.split_detail(lost.detail) == ("Desk 2", "Ли Вэй")
    assert first.snapshot().view is None and first.complete().kind is Kind.NO_POSTING_OPEN
    with ctx.db.read() as s:
        (event,) = [e for e in history.of(s, FBS) if e.kind is EventKind.TAKEN_OVER]
    assert event.desk == "Desk 2" and event.user == "Ли Вэй" and "from Desk 1 (Анна)" in event.detail
    assert second.scan(PEN).kind is Kind.ITEM_OK


def test_a_restarted_desk_resumes_its_own_posting_only(ctx: AppContext) -> None:
    station(ctx, "Desk 1", "Анна").scan(FBS)
    assert station(ctx, "Desk 2", "Ли Вэй").resume().kind is Kind.IDLE
    resumed = station(ctx, "Desk 1", "Анна").resume()
    assert resumed.kind is Kind.RESUMED and resumed.posting_number == FBS


def test_two_desks_scanning_one_posting_at_once_one_wins(ctx: AppContext) -> None:
    """Each desk with its own connections to the database, as two processes would have."""
    outcomes: dict[str, Kind] = {}
    barrier = threading.Barrier(2)
    databases = [Database(ctx.db.url) for _ in range(2)]

    def desk(name: str, db: Database) -> None:
        one = station(ctx, name, name, db)
        one.resume()
        barrier.wait()
        outcomes[name] = one.scan(FBS).kind

    try:
        threads = [threading.Thread(target=desk, args=(f"Desk {n}", db)) for n, db in enumerate(databases, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        for db in databases:
            db.dispose()
    assert sorted(outcomes.values()) == sorted([Kind.POSTING_OPENED, Kind.CLAIMED_ELSEWHERE]), outcomes


def test_the_station_puts_the_postings_warehouse_on_every_event_it_records(ctx: AppContext) -> None:
    from sqlalchemy import select

    from app.db.tables import PostingEventRow, PostingRow

    one = station(ctx, "Desk 1", "Анна")
    one.scan(FBS)
    one.scan(MUG)
    one.scan("4600000000031")  # another product: refused, recorded too
    with ctx.db.read() as s:
        warehouse = s.scalar(select(PostingRow.warehouse_id).where(PostingRow.posting_number == FBS))
        on_events = set(s.scalars(select(PostingEventRow.warehouse_id).where(PostingEventRow.posting_number == FBS)))
    assert warehouse and on_events == {warehouse}


@pytest.mark.parametrize("step", ["new_package", "abort"])
def test_a_desk_whose_posting_was_taken_over_changes_nothing_with_its_next_command(ctx: AppContext, step: str) -> None:
    """The first desk's packer comes back and presses NEW PACKAGE or ABORT rather than scanning: told
    that the posting was taken over, and the second desk's packing stands (not put aside, not taken back)."""
    from app.db.desk_tables import PackProgressRow

    clock = ctx.clock
    assert isinstance(clock, Clock)
    first, second = station(ctx, "Desk 1", "Анна"), station(ctx, "Desk 2", "Ли Вэй")
    first.scan(FBS)
    first.scan(MUG)
    clock.moment += claims.STALE_AFTER
    assert second.scan(FBS).kind is Kind.CLAIM_STALE
    assert second.take_over(FBS).kind is Kind.POSTING_OPENED
    assert second.scan(PEN).kind is Kind.ITEM_OK
    lost = getattr(first, step)()
    assert lost.kind is Kind.TAKEN_OVER and claims.split_detail(lost.detail) == ("Desk 2", "Ли Вэй")
    assert first.snapshot().view is None
    with ctx.db.read() as s:
        row = s.get(PackProgressRow, FBS)
        assert row is not None and (row.desk, row.state) == ("Desk 2", "open")
    kept = second.scan(PEN)
    assert kept.kind is Kind.ITEM_OK and kept.view is not None and kept.view.scanned == 3
