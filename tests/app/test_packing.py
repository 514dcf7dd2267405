"""The pack station's scan state machine, on a real (migrated) SQLite store, without Qt."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import history, outbox, print_queue
from app.context import AppContext, open_context
from app.db.desk_tables import PackProgressRow
from app.domain.postings import PostingStatus
from app.domain.products import Product
from app.errors import InvalidAction
from app.events import Event, OutboxChanged, PostingsChanged
from app.history import EventKind
from app.outbox import ActionKind, OutboxState
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.workflows import commands
from app.workflows.packing.outcomes import Kind, Tone
from app.workflows.packing.station import PackStation
from tests.app.factories import NOW, posting

MUG, PEN, ALIEN = "4600000000017", "OZN123456789", "4600000000031"
FBS = "11111111-0001-1"
RFBS = "22222222-0001-1"
GONE = "33333333-0001-1"
SHIPPED = "44444444-0001-1"
FBS2 = "55555555-0001-1"


@dataclass
class Clock:
    moment: Any = NOW

    def now(self) -> Any:
        return self.moment


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    fill(context)
    yield context
    context.close()


def fill(ctx: AppContext) -> None:
    items = ((1001, 1), (1002, 2))
    with ctx.db.write() as s:
        posting_repo.save(
            s,
            [
                posting(FBS, items=items, lower_barcode="12345678901234", upper_barcode="%101%123456789"),
                posting(RFBS, items=((1001, 1),), rfbs=True),
                posting(GONE, status=PostingStatus.CANCELLED, items=items, cancel_reason="Покупатель отменил заказ"),
                posting(SHIPPED, status=PostingStatus.AWAITING_DELIVER, items=items),
                posting(FBS2, items=((1001, 1),)),
            ],
            NOW,
        )
        product_repo.save(
            s,
            [
                Product(1001, 1, "PD-1001", "Кружка керамическая", (MUG,)),
                Product(1002, 2, "PD-1002", "Ручка шариковая", (PEN,)),
                Product(1003, 3, "PD-1003", "Чужой товар", (ALIEN,)),
            ],
            NOW,
        )


class Events:
    def __init__(self) -> None:
        self.seen: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.seen.append(event)


@pytest.fixture
def bus_events(ctx: AppContext) -> Events:
    rec = Events()
    ctx.bus.subscribe(Event, rec)
    return rec


def station(ctx: AppContext) -> PackStation:
    return PackStation(ctx.db, ctx.clock, user="packer-1", bus=ctx.bus)


def kinds(ctx: AppContext, number: str) -> list[EventKind]:
    with ctx.db.read() as s:
        return [e.kind for e in history.of(s, number)]


def progress(ctx: AppContext, number: str) -> PackProgressRow | None:
    with ctx.db.read() as s:
        return s.get(PackProgressRow, number)


def open_actions(ctx: AppContext, number: str) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING,), target_id=number)


def label_jobs(ctx: AppContext, number: str) -> list[print_queue.PrintJob]:
    with ctx.db.read() as s:
        return [j for j in print_queue.jobs(s) if number in j.posting_numbers]


def cancel_in_cache(ctx: AppContext, number: str) -> None:
    with ctx.db.read() as s:
        cached = posting_repo.get(s, number)
    assert cached is not None
    gone = dataclasses.replace(cached.posting, status=PostingStatus.CANCELLED, cancel_reason="Покупатель передумал")
    with ctx.db.write() as s:
        posting_repo.save(s, [gone], NOW)


# -- opening a posting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [FBS, "12345678901234", "%101%123456789", f"  {FBS}\n"])
def test_a_posting_opens_by_number_or_label_barcode(ctx: AppContext, code: str) -> None:
    desk = station(ctx)
    out = desk.scan(code)
    assert out.kind is Kind.POSTING_OPENED and out.tone is Tone.GOOD and out.posting_number == FBS
    assert out.view is not None and out.view.needed == 3 and out.view.scanned == 0
    line = out.view.line(1002)
    assert line is not None and line.name == "Товар 1002" and line.offer_id == "PD-1002" and line.barcodes == (PEN,)
    assert kinds(ctx, FBS) == [EventKind.SCAN_POSTING]
    row = progress(ctx, FBS)
    assert row is not None and row.state == "open"


def test_codes_the_station_cannot_use_are_refused(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.scan("no-such-code").kind is Kind.POSTING_NOT_FOUND
    assert desk.scan(MUG).kind is Kind.NO_POSTING_OPEN  # an item before its posting
    shipped = desk.scan(SHIPPED)
    assert shipped.kind is Kind.NOT_PACKABLE and shipped.detail == "awaiting_deliver" and shipped.refused
    assert desk.scan("   ").kind is Kind.IGNORED
    assert desk.scan(commands.CODES[commands.Command.NEXT]).kind is Kind.NO_POSTING_OPEN
    assert kinds(ctx, SHIPPED) == [EventKind.SCAN_REFUSED]


# -- items ---------------------------------------------------------------------------------------------


def test_items_are_counted_and_every_kind_of_wrong_scan_refused(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    ok = desk.scan(PEN)
    assert ok.kind is Kind.ITEM_OK and ok.tone is Tone.GOOD and ok.sku == 1002 and ok.view is not None
    assert ok.view.remaining == 2 and ok.view.line(1002).scanned == 1  # type: ignore[union-attr]
    wrong = desk.scan(ALIEN)
    assert wrong.kind is Kind.WRONG_ITEM and wrong.refused and wrong.name == "Чужой товар"
    assert desk.scan(MUG).kind is Kind.ITEM_OK
    extra = desk.scan(MUG)
    assert extra.kind is Kind.EXTRA_UNIT and extra.refused and extra.sku == 1001
    assert desk.scan("garbage-123").kind is Kind.UNKNOWN_CODE
    assert desk.scan(FBS).kind is Kind.ALREADY_OPEN
    other = desk.scan(FBS2)
    assert other.kind is Kind.ANOTHER_POSTING_OPEN and other.posting_number == FBS2
    last = desk.scan(PEN)
    assert last.kind is Kind.ITEM_OK and last.view is not None and last.view.complete
    # Refusals never change the count; every scan is in the history.
    assert last.view.scanned == 3
    assert kinds(ctx, FBS) == [
        EventKind.SCAN_POSTING,
        EventKind.SCAN_ITEM,
        EventKind.SCAN_REFUSED,  # wrong item
        EventKind.SCAN_ITEM,
        EventKind.SCAN_REFUSED,  # extra unit
        EventKind.SCAN_REFUSED,  # unknown
        EventKind.SCAN_REFUSED,  # another posting's label
        EventKind.SCAN_ITEM,
    ]


# -- completing ------------------------------------------------------------------------------------------


def scan_all(desk: PackStation, number: str = FBS) -> None:
    desk.scan(number)
    for code in (MUG, PEN, PEN):
        assert desk.scan(code).kind is Kind.ITEM_OK


def test_complete_queues_ship_history_and_a_waiting_ozon_label_in_one_go(ctx: AppContext, bus_events: Events) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    desk.scan(MUG)
    early = desk.complete()
    assert early.kind is Kind.INCOMPLETE and early.detail == "2" and open_actions(ctx, FBS) == []
    desk.scan(PEN)
    desk.scan(PEN)
    done = desk.complete()
    assert done.kind is Kind.COMPLETED and done.view is None and desk.posting_number == ""
    assert done.packed is not None and done.packed.posting_number == FBS and done.packed.complete
    ship, fetch = open_actions(ctx, FBS)
    assert ship.action is ActionKind.SHIP and fetch.action is ActionKind.FETCH_LABEL
    assert ship.payload == {"packages": [[[1001, 1], [1002, 2]]]}
    (job,) = label_jobs(ctx, FBS)
    assert job.kind is DocKind.OZON_LABEL and job.state is JobState.WAITING and job.key == done.detail
    assert job.user == "packer-1"
    assert kinds(ctx, FBS)[-2:] == [EventKind.PACKED, EventKind.ACTION_QUEUED]
    with ctx.db.read() as s:
        assert posting_repo.get(s, FBS).local_status == "awaiting_deliver"  # type: ignore[union-attr]
    assert progress(ctx, FBS).state == "complete"  # type: ignore[union-attr]
    changed = [e for e in bus_events.seen if isinstance(e, PostingsChanged)]
    assert changed and FBS in changed[-1].posting_numbers
    assert [e for e in bus_events.seen if isinstance(e, OutboxChanged)][-1].pending == 2
    # The desk is free for the next posting; the packed one cannot be packed twice: the packer is
    # told it is packed, and REPRINT then prints its label again.
    again = desk.scan(FBS)
    assert again.kind is Kind.ALREADY_PACKED and again.view is None and not again.refused
    assert desk.reprint().posting_number == FBS
    assert desk.scan(FBS2).kind is Kind.POSTING_OPENED


def test_next_command_completes_only_a_fully_scanned_posting(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    desk.scan(MUG)
    assert desk.scan("PD:NEXT").kind is Kind.INCOMPLETE
    desk.scan(PEN)
    desk.scan(PEN)
    assert desk.scan("pd:next").kind is Kind.COMPLETED


def test_rfbs_gets_packdesks_own_label_at_once_and_no_label_fetch(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(RFBS)
    desk.scan(MUG)
    assert desk.complete().kind is Kind.COMPLETED
    assert [e.action for e in open_actions(ctx, RFBS)] == [ActionKind.SHIP]
    (job,) = label_jobs(ctx, RFBS)
    assert job.kind is DocKind.OWN_LABEL and job.state is JobState.QUEUED


def test_split_into_packages(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    assert desk.scan("PD:NEWPKG").kind is Kind.PACKAGE_EMPTY  # nothing in the first box yet
    desk.scan(MUG)
    box = desk.scan("PD:NEWPKG")
    assert box.kind is Kind.NEW_PACKAGE and box.detail == "2" and box.view is not None
    assert box.view.package_count == 2
    desk.scan(PEN)
    desk.new_package()
    desk.scan(PEN)
    assert desk.new_package().kind is Kind.NOTHING_LEFT
    assert desk.complete().kind is Kind.COMPLETED
    (ship, _fetch, parts) = open_actions(ctx, FBS)
    assert ship.payload == {"packages": [[[1001, 1]], [[1002, 1]], [[1002, 1]]]}
    assert parts.action is ActionKind.LABEL_SPLIT_PARTS and parts.payload == {"parts": 2}
    assert kinds(ctx, FBS).count(EventKind.NEW_PACKAGE) == 2
    assert progress(ctx, FBS).packages == [[[1001, 1]], [[1002, 1]], [[1002, 1]]]  # type: ignore[union-attr]


def test_override_needs_a_reason_ships_everything_and_is_logged(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    desk.scan(PEN)
    with pytest.raises(InvalidAction) as refused:
        desk.complete_with_override("  ")
    assert refused.value.code == "override_reason"
    done = desk.complete_with_override("barcode torn off the mug")
    assert done.kind is Kind.COMPLETED
    (ship, _fetch) = open_actions(ctx, FBS)
    assert ship.payload == {"packages": [[[1002, 2], [1001, 1]]]}
    with ctx.db.read() as s:
        events = history.of(s, FBS)
    (override,) = [e for e in events if e.kind is EventKind.OVERRIDE]
    assert "barcode torn off the mug" in override.detail and "SKU 1001 ×1" in override.detail
    assert "SKU 1002 ×1" in override.detail and override.user == "packer-1"
    assert progress(ctx, FBS).override_reason == "barcode torn off the mug"  # type: ignore[union-attr]


# -- persistence -------------------------------------------------------------------------------------------


def test_a_restarted_station_resumes_the_open_posting_and_its_boxes(ctx: AppContext) -> None:
    first = station(ctx)
    first.scan(FBS)
    first.scan(MUG)
    first.new_package()
    first.scan(PEN)
    del first  # the power goes out
    again = station(ctx)
    resumed = again.resume()
    assert resumed.kind is Kind.RESUMED and resumed.view is not None and resumed.posting_number == FBS
    assert resumed.view.scanned == 2 and resumed.view.package_count == 2
    assert again.scan(PEN).kind is Kind.ITEM_OK
    assert again.complete().kind is Kind.COMPLETED
    (ship, _fetch, _parts) = open_actions(ctx, FBS)
    assert ship.payload == {"packages": [[[1001, 1]], [[1002, 2]]]}


def test_a_station_resumes_by_itself_on_the_first_scan(ctx: AppContext) -> None:
    station(ctx).scan(FBS)
    assert station(ctx).scan(MUG).kind is Kind.ITEM_OK


def test_a_failed_write_changes_nothing(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = station(ctx)
    desk.scan(FBS)

    def disk_full(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(history, "record", disk_full)
    with pytest.raises(OSError):
        desk.scan(MUG)
    monkeypatch.undo()
    assert desk.snapshot().view.scanned == 0  # type: ignore[union-attr]
    assert progress(ctx, FBS).packages in ([[]], [])  # type: ignore[union-attr, operator]
    assert desk.scan(MUG).view.scanned == 1  # type: ignore[union-attr]


def test_abort_puts_the_posting_aside_and_a_rescan_counts_from_zero(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    desk.scan(MUG)
    assert desk.scan("PD:ABORT").kind is Kind.ABORTED
    assert progress(ctx, FBS).state == "aborted"  # type: ignore[union-attr]
    assert station(ctx).resume().kind is Kind.IDLE
    again = desk.scan(FBS)
    assert again.kind is Kind.POSTING_OPENED and again.view.scanned == 0  # type: ignore[union-attr]


# -- the cancellation interlock ----------------------------------------------------------------------------


def test_a_cancelled_posting_stops_the_desk_until_acknowledged(ctx: AppContext) -> None:
    desk = station(ctx)
    stop = desk.scan(GONE)
    assert stop.kind is Kind.STOP and stop.tone is Tone.STOP and stop.stop is not None
    assert stop.stop.posting_number == GONE and stop.stop.reason == "Покупатель отменил заказ"
    refused = desk.scan(FBS)
    assert refused.kind is Kind.STOP_PENDING and refused.refused and desk.posting_number == ""
    assert desk.complete().kind is Kind.STOP_PENDING
    # A restart does not lift it.
    again = station(ctx)
    assert again.resume().kind is Kind.STOP
    assert again.scan(MUG).kind is Kind.STOP_PENDING
    ack = again.scan("PD:ACK")
    assert ack.kind is Kind.STOP_ACKNOWLEDGED and ack.stop is None
    assert again.scan(FBS).kind is Kind.POSTING_OPENED
    assert kinds(ctx, GONE) == [
        EventKind.STOP,
        EventKind.SCAN_REFUSED,
        EventKind.SCAN_REFUSED,
        EventKind.STOP_ACKNOWLEDGED,
    ]


def test_cancelled_between_two_scans_stops_at_the_recheck_and_nothing_is_queued(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    desk.scan(MUG)
    with ctx.db.read() as s:
        fresh = posting_repo.get(s, FBS).posting  # type: ignore[union-attr]
    assert desk.recheck(FBS, fresh).kind is Kind.CHECKED
    assert desk.recheck(FBS, None).kind is Kind.CHECKED  # offline: nothing learned
    gone = dataclasses.replace(fresh, status=PostingStatus.CANCELLED, cancel_reason="Покупатель передумал")
    stop = desk.recheck(FBS, gone)
    assert stop.kind is Kind.STOP and stop.view is None and stop.stop is not None
    assert stop.stop.lines[0].scanned == 1  # what goes back on the shelf
    assert open_actions(ctx, FBS) == [] and progress(ctx, FBS).state == "stopped"  # type: ignore[union-attr]
    assert desk.abort().kind is Kind.STOP_ACKNOWLEDGED  # ABORT also acknowledges


def test_the_check_before_completing_stops_a_cancelled_posting(ctx: AppContext) -> None:
    desk = station(ctx)
    scan_all(desk)
    with ctx.db.read() as s:
        fresh = posting_repo.get(s, FBS).posting  # type: ignore[union-attr]
    gone = dataclasses.replace(fresh, status=PostingStatus.CANCELLED)
    assert desk.complete(fresh=gone).kind is Kind.STOP
    assert open_actions(ctx, FBS) == [] and label_jobs(ctx, FBS) == []


def test_a_cancellation_pulled_by_sync_stops_the_desk(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    cancel_in_cache(ctx, FBS)
    assert desk.check_cached().kind is Kind.STOP
    # Completing reads the cache too, when nobody called check_cached.
    desk.acknowledge_stop()
    other = station(ctx)
    other.scan(FBS2)
    other.scan(MUG)
    cancel_in_cache(ctx, FBS2)
    assert other.scan("PD:NEXT").kind is Kind.STOP
    assert open_actions(ctx, FBS2) == []


def test_a_packed_posting_cancelled_before_its_ship_went_out_stops_and_loses_its_label(ctx: AppContext) -> None:
    desk = station(ctx)
    scan_all(desk)
    desk.complete()
    desk.scan(FBS2)  # the packer is on the next one
    cancel_in_cache(ctx, FBS)
    stop = desk.check_cached([FBS])
    assert stop.kind is Kind.STOP and stop.stop is not None and stop.stop.posting_number == FBS
    assert stop.view is not None and stop.view.posting_number == FBS2  # still on the desk
    (job,) = label_jobs(ctx, FBS)
    assert job.state is JobState.CANCELLED
    desk.acknowledge_stop()
    assert desk.check_cached([FBS]).kind is Kind.CHECKED  # acknowledged once is enough
    assert desk.scan(MUG).kind is Kind.ITEM_OK


def test_a_posting_shipped_elsewhere_meanwhile_is_taken_off_the_desk(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    with ctx.db.read() as s:
        fresh = posting_repo.get(s, FBS).posting  # type: ignore[union-attr]
    out = desk.recheck(FBS, dataclasses.replace(fresh, status=PostingStatus.AWAITING_DELIVER))
    assert out.kind is Kind.NOT_PACKABLE and out.view is None and out.detail == "awaiting_deliver"


def test_online_lookup_result_is_cached_and_opened(ctx: AppContext) -> None:
    desk = station(ctx)
    fetched = posting("66666666-0001-1", items=((1001, 1),), lower_barcode="99999999999999")
    assert desk.scan("99999999999999").kind is Kind.POSTING_NOT_FOUND
    out = desk.open_fetched(fetched, "99999999999999")
    assert out.kind is Kind.POSTING_OPENED and out.posting_number == "66666666-0001-1"
    assert station(ctx).resume().posting_number == "66666666-0001-1"


# -- printing ------------------------------------------------------------------------------------------------


def test_reprint_waits_for_ozons_label_then_queues_a_logged_reprint(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.scan("PD:REPRINT").kind is Kind.NOTHING_TO_REPRINT
    scan_all(desk)
    desk.complete()
    assert desk.scan("PD:REPRINT").kind is Kind.REPRINT_WAITING
    with ctx.db.write() as s:
        print_queue.label_ready(s, FBS, NOW)
        (job,) = print_queue.jobs(s, (JobState.QUEUED,))
        print_queue.mark_done(s, job.key, NOW)
    again = station(ctx).scan("PD:REPRINT")  # a restarted desk remembers the last packed posting
    assert again.kind is Kind.REPRINT_QUEUED and again.posting_number == FBS
    reprint = next(j for j in label_jobs(ctx, FBS) if j.key == again.detail)
    assert reprint.is_reprint and reprint.state is JobState.QUEUED and reprint.reason
    assert EventKind.REPRINT in kinds(ctx, FBS)


def test_ship_all_reports_the_labels_still_waiting(ctx: AppContext) -> None:
    desk = station(ctx)
    scan_all(desk)
    desk.complete()
    out = desk.scan("PD:SHIPALL")
    assert out.kind is Kind.SHIP_ALL and out.detail == "1" and out.tone is Tone.GOOD


def test_stations_write_every_scan_even_refused_ones(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.scan(FBS)
    for code in (ALIEN, "x", MUG):
        desk.scan(code)
    with ctx.db.read() as s:
        rows = s.scalars(select(PackProgressRow)).all()
    assert [r.posting_number for r in rows] == [FBS]
    assert len(kinds(ctx, FBS)) == 4
