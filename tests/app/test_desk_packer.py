"""Who packs at a desk, and that it is recorded with the desk: the packer picked (with their PIN) is
the station's user, refused while a posting is on the desk; every scan, override, print job and its
print carries both; a desk's spooler on a shared server prints only its own desk's jobs (and those
of no desk), on SQLite every job as before. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import history, packers, print_queue
from app.context import AppContext, open_context
from app.errors import InvalidAction, NotFound
from app.events import EventBus
from app.history import EventKind
from app.print_queue import DocKind, JobState
from app.queries import packing as packing_reads
from app.repos import postings as posting_repo
from app.workflows import documents, labels
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from printing import spooler
from tests.app.test_packing import FBS, MUG, NOW, RFBS, Clock, cancel_in_cache, fill


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    fill(context)
    with context.db.write() as s:
        packers.add(s, "Анна", NOW, pin="2468")
        packers.add(s, "Ли Вэй", NOW)
    yield context
    context.close()


def station(ctx: AppContext, desk: str = "Desk 1") -> PackStation:
    return PackStation(ctx.db, ctx.clock, bus=EventBus(), user="os-login", desk=desk)


def events(ctx: AppContext, number: str) -> list[history.PostingEvent]:
    with ctx.db.read() as s:
        return history.of(s, number)


def jobs(ctx: AppContext) -> list[print_queue.PrintJob]:
    with ctx.db.read() as s:
        return print_queue.jobs(s)


def test_a_packer_picks_their_name_with_their_pin(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.change_packer("ли вэй") == "Ли Вэй" and desk.user == "Ли Вэй"  # no PIN: picked as is
    with pytest.raises(InvalidAction) as wrong:
        desk.change_packer("Анна", "1357")
    assert wrong.value.code == "packer_pin_wrong" and desk.user == "Ли Вэй"  # nothing changes
    with pytest.raises(InvalidAction):
        desk.change_packer("Анна")  # a PIN is needed
    with pytest.raises(NotFound):
        desk.change_packer("Никто")
    assert desk.change_packer("Анна", "2468") == "Анна" and desk.user == "Анна"


def test_the_packer_cannot_change_while_a_posting_or_a_stop_is_on_the_desk(ctx: AppContext) -> None:
    desk = station(ctx)
    desk.change_packer("Ли Вэй")
    desk.scan(FBS)
    with pytest.raises(InvalidAction) as busy:
        desk.change_packer("Анна", "2468")
    assert busy.value.code == "packer_change_busy" and busy.value.params["posting"] == FBS
    assert desk.user == "Ли Вэй"
    desk.abort("put aside")
    assert desk.change_packer("Анна", "2468") == "Анна"
    desk.scan(FBS)
    cancel_in_cache(ctx, FBS)
    with ctx.db.read() as s:
        cached = posting_repo.get(s, FBS)
    assert cached is not None and desk.recheck(FBS, cached.posting).kind is Kind.STOP
    with pytest.raises(InvalidAction) as stopped:
        desk.change_packer("Ли Вэй")
    assert stopped.value.code == "packer_change_busy" and desk.user == "Анна"
    desk.acknowledge_stop()
    assert desk.change_packer("Ли Вэй") == "Ли Вэй"


def test_a_remembered_packer_is_restored_only_while_they_are_one_of_the_shops(ctx: AppContext) -> None:
    desk = station(ctx)
    assert desk.restore_packer("Ли Вэй", "os-login") == "Ли Вэй"
    with ctx.db.write() as s:
        packers.remove(s, "Ли Вэй")
    assert desk.restore_packer("Ли Вэй", "os-login") == "os-login"
    assert desk.restore_packer("", "os-login") == "os-login"


def test_every_scan_override_print_job_and_print_records_the_desk_and_the_packer(ctx: AppContext) -> None:
    desk = station(ctx, "Desk 2")
    desk.change_packer("Анна", "2468")
    desk.scan(FBS)
    desk.scan(MUG)
    desk.scan("4600000000000")  # refused: recorded too
    assert desk.complete_with_override("the pen's barcode is torn").kind is Kind.COMPLETED
    desk.scan(RFBS)
    desk.scan(MUG)
    assert desk.complete().kind is Kind.COMPLETED
    assert desk.reprint("smudged").kind is Kind.REPRINT_QUEUED
    desk.queue_command_sheet()
    recorded = events(ctx, FBS) + events(ctx, RFBS)
    assert {EventKind.SCAN_POSTING, EventKind.SCAN_ITEM, EventKind.OVERRIDE, EventKind.PACKED} <= {
        e.kind for e in recorded
    }
    assert {(e.user, e.desk) for e in recorded} == {("Анна", "Desk 2")}
    queued = jobs(ctx)
    assert len(queued) == 4 and {(j.user, j.desk) for j in queued} == {("Анна", "Desk 2")}
    own = [j for j in queued if j.kind is DocKind.OWN_LABEL and j.state is JobState.QUEUED]
    ctx.settings = ctx.settings.replace(desk_name="Desk 2", label_printer="file:" + str(ctx.paths.data / "out"))
    result = spooler.print_job(ctx, own[0], sink_for=lambda _t: _NullSink())
    assert result.ok
    printed = [e for e in events(ctx, RFBS) if e.kind in (EventKind.PRINT, EventKind.REPRINT)]
    assert printed and {(e.user, e.desk) for e in printed} == {("Анна", "Desk 2")}


class _NullSink:
    def describe(self) -> str:
        return "nowhere"

    def send(self, data: bytes, *, title: str = "", raw: bool = False) -> None:
        pass


def test_print_jobs_from_orders_and_documents_carry_the_desk(ctx: AppContext) -> None:
    labels.print_labels(ctx.db, ctx.clock, [RFBS], "", bus=EventBus(), labels_dir=ctx.paths.labels, desk="Office")
    documents.print_pick_list(ctx.db, ctx.clock, [FBS, RFBS], desk="Office")
    assert {(j.kind, j.desk) for j in jobs(ctx)} == {(DocKind.OWN_LABEL, "Office"), (DocKind.PICKLIST, "Office")}


def enqueue(ctx: AppContext, desk: str) -> str:
    with ctx.db.write() as s:
        return print_queue.enqueue(s, DocKind.COMMANDS, (), NOW, desk=desk).key


def test_a_desk_takes_only_its_own_jobs_and_those_of_no_desk(ctx: AppContext) -> None:
    other, mine, nobodys = enqueue(ctx, "Desk 2"), enqueue(ctx, "Desk 1"), enqueue(ctx, "")
    with ctx.db.read() as s:
        assert print_queue.next_queued(s).key == other  # type: ignore[union-attr]  # "": any desk's
        assert print_queue.next_queued(s, "Desk 1").key == mine  # type: ignore[union-attr]
    with ctx.db.write() as s:
        print_queue.mark_failed(s, mine, NOW, "off")
    with ctx.db.read() as s:
        assert print_queue.next_queued(s, "Desk 1").key == nobodys  # type: ignore[union-attr]
    with ctx.db.write() as s:
        print_queue.mark_failed(s, other, NOW, "off")
        assert print_queue.retry_failed(s, NOW, "Desk 1") == 1  # Desk 2's failed job stays failed
        assert print_queue.state_of(s, other) is JobState.FAILED


def test_the_print_panel_shows_and_counts_the_jobs_its_desk_prints(ctx: AppContext) -> None:
    """Desk 2's labels never come out of Desk 1's printer: Desk 1's panel neither lists nor counts them
    (a "5 ready" there that Print all cannot print), nor does SHIP ALL's count of labels waiting."""
    other, mine, nobodys = enqueue(ctx, "Desk 2"), enqueue(ctx, "Desk 1"), enqueue(ctx, "")
    with ctx.db.write() as s:
        print_queue.mark_failed(s, other, NOW, "off")
    panel = packing_reads.print_panel(ctx.db, 10, "Desk 1")
    assert [j.key for j in panel.jobs] == [mine, nobodys]
    assert (panel.queued, panel.failed) == (2, 0)
    assert packing_reads.ready_and_waiting(ctx.db, "Desk 1") == (2, 0)
    everything = packing_reads.print_panel(ctx.db, 10)  # one desk: every job
    assert ({j.key for j in everything.jobs}, everything.failed) == ({other, mine, nobodys}, 1)
    with ctx.db.write() as s:
        waiting = print_queue.enqueue(s, DocKind.OZON_LABEL, (FBS,), NOW, desk="Desk 2", wait_for_label=True)
    with ctx.db.read() as s:
        assert print_queue.count(s, (JobState.WAITING,), desk="Desk 1") == 0
        assert print_queue.count(s, (JobState.WAITING,)) == 1
    assert waiting.state is JobState.WAITING


def test_the_spooler_prints_its_desks_jobs_on_a_server_and_every_job_on_sqlite(ctx: AppContext) -> None:
    ctx.settings = ctx.settings.replace(desk_name="Desk 1")
    other, mine = enqueue(ctx, "Desk 2"), enqueue(ctx, "Desk 1")
    sent: list[str] = []
    result = spooler.print_next(ctx, sink_for=lambda _t: _NullSink())
    assert result is not None and result.ok
    sent.append(result.job.key)
    if ctx.db.is_sqlite:  # one desk: every job, in order, as before desks had names
        assert spooler.printing_desk(ctx) == "" and sent == [other]
    else:
        assert spooler.printing_desk(ctx) == "Desk 1" and sent == [mine]
        assert spooler.print_next(ctx, sink_for=lambda _t: _NullSink()) is None  # Desk 2's waits for Desk 2
