"""The label rules in app/workflows/labels, as the pack station and Orders' "print labels" use them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app import label_files, outbox, print_queue
from app.context import AppContext, open_context
from app.domain.postings import PostingStatus
from app.errors import InvalidAction
from app.events import EventBus, OutboxChanged
from app.outbox import ActionKind, TargetKind
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.workflows import labels, shipping
from app.workflows.labels import LabelAnswer
from app.workflows.packing.outcomes import Kind
from app.workflows.packing.station import PackStation
from tests.app.factories import NOW, posting

FBS, RFBS = "70000021-0001-1", "70000022-0001-1"
SHIPPED = "70000023-0001-1"  # FBS, shipped: Ozon has its label


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = open_context(str(tmp_path / "data"))
    with c.db.write() as s:
        shipped = posting(SHIPPED, status=PostingStatus.AWAITING_DELIVER)
        posting_repo.save(s, [posting(FBS), posting(RFBS, rfbs=True), shipped], NOW)
    yield c
    c.close()


def reprint(
    ctx: AppContext, number: str, reason: str = "jammed", labels_dir: Path | None = None
) -> labels.LabelRequest:
    with ctx.db.write() as s:
        cached = posting_repo.get(s, number)
        assert cached is not None
        return labels.reprint_label(s, cached.posting, NOW, reason, "packer", labels_dir)


def fetches(ctx: AppContext, number: str) -> int:
    with ctx.db.read() as s:
        return sum(1 for e in outbox.entries(s, target_id=number) if e.action is ActionKind.FETCH_LABEL)


def label_jobs(ctx: AppContext, number: str) -> list[print_queue.PrintJob]:
    with ctx.db.read() as s:
        return print_queue.jobs_of(s, number, print_queue.LABEL_KINDS, tuple(JobState))


def test_reprint_of_an_fbs_label_whose_first_job_still_waits_adds_nothing(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        cached = posting_repo.get(s, FBS)
        assert cached is not None
        first = labels.queue_package_label(s, cached.posting, NOW)
        labels.request_label(s, FBS, NOW)
    assert first.state is JobState.WAITING
    request = reprint(ctx, FBS)
    assert request.answer is LabelAnswer.STILL_WAITING and request.job is None
    assert [j.key for j in label_jobs(ctx, FBS)] == [first.key]
    assert fetches(ctx, FBS) == 1  # Ozon was asked already


def test_reprint_after_the_label_printed_is_a_logged_reprint_for_the_printer(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        cached = posting_repo.get(s, FBS)
        assert cached is not None
        first = labels.queue_package_label(s, cached.posting, NOW)
        print_queue.label_ready(s, FBS, NOW)
        print_queue.mark_done(s, first.key, NOW)
    request = reprint(ctx, FBS, "smudged")
    assert request.answer is LabelAnswer.QUEUED and request.job is not None
    assert request.job.state is JobState.QUEUED and request.job.is_reprint and request.job.reason == "smudged"
    with pytest.raises(InvalidAction) as err:
        reprint(ctx, FBS, " ")
    assert err.value.code == "reprint_reason"


def test_an_rfbs_label_prints_at_once(ctx: AppContext) -> None:
    request = reprint(ctx, RFBS, "")
    assert request.answer is LabelAnswer.QUEUED and request.job is not None
    assert (request.job.kind, request.job.state) == (DocKind.OWN_LABEL, JobState.QUEUED)
    assert fetches(ctx, RFBS) == 0


def test_with_a_labels_folder_the_file_says_whether_the_label_is_here(ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "labels"
    folder.mkdir()
    assert reprint(ctx, FBS, labels_dir=folder).answer is LabelAnswer.WAITING
    label_files.store(folder, FBS, b"%PDF-1.4 label")
    with ctx.db.write() as s:
        for job in print_queue.jobs_of(s, FBS, (DocKind.OZON_LABEL,), (JobState.WAITING,)):
            print_queue.cancel(s, job.key, NOW)
    assert reprint(ctx, FBS, labels_dir=folder).answer is LabelAnswer.QUEUED


def test_orders_print_of_a_label_never_fetched_asks_ozon_exactly_once(ctx: AppContext) -> None:
    bus = EventBus()
    seen: list[OutboxChanged] = []
    bus.subscribe(OutboxChanged, seen.append)
    results = labels.print_labels(ctx.db, ctx.clock, [SHIPPED], "", bus=bus, labels_dir=ctx.paths.labels)
    assert [r.answer for r in results] == [LabelAnswer.WAITING]
    assert fetches(ctx, SHIPPED) == 1
    assert [j.state for j in label_jobs(ctx, SHIPPED)] == [JobState.WAITING]
    assert seen and seen[-1].pending == 1
    # asked again before Ozon answered: the first job is the one, Ozon is not asked twice
    again = labels.print_labels(ctx.db, ctx.clock, [SHIPPED], "", bus=bus, labels_dir=ctx.paths.labels)
    assert [r.answer for r in again] == [LabelAnswer.STILL_WAITING]
    assert fetches(ctx, SHIPPED) == 1 and len(label_jobs(ctx, SHIPPED)) == 1


def test_a_label_printed_before_packing_waits_for_the_ship_and_never_holds_it(ctx: AppContext) -> None:
    # Ozon makes the label only after the ship: asking before it would be refused, and queued ahead
    # of the ship it used to hold the ship back forever.
    results = labels.print_labels(ctx.db, ctx.clock, [FBS], "", bus=EventBus(), labels_dir=ctx.paths.labels)
    assert [r.answer for r in results] == [LabelAnswer.WAITING] and fetches(ctx, FBS) == 0
    with ctx.db.write() as s:
        shipping.queue_ship_in(s, NOW, FBS)
    with ctx.db.read() as s:
        assert [e.action for e in outbox.due(s, NOW) if e.target_id == FBS] == [ActionKind.SHIP]
    assert fetches(ctx, FBS) == 1  # the ship's own, behind it
    assert [j.state for j in label_jobs(ctx, FBS)] == [JobState.WAITING]  # one label job: the early one


def test_a_label_fetch_queued_ahead_of_a_ship_does_not_hold_it(ctx: AppContext) -> None:
    # Databases from before the rule above may hold a fetch ahead of the ship: the ship still goes.
    with ctx.db.write() as s:
        outbox.enqueue(s, ActionKind.FETCH_LABEL, TargetKind.POSTING, FBS, {}, NOW)
        shipping.queue_ship_in(s, NOW, FBS)
    with ctx.db.read() as s:
        due = [e.action for e in outbox.due(s, NOW) if e.target_id == FBS]
    assert due == [ActionKind.FETCH_LABEL, ActionKind.SHIP]


def test_orders_print_is_all_or_nothing(ctx: AppContext) -> None:
    with pytest.raises(InvalidAction) as err:
        labels.print_labels(ctx.db, ctx.clock, [FBS, "nope-1"], "", bus=EventBus(), labels_dir=ctx.paths.labels)
    assert err.value.code == "posting_unknown"
    assert fetches(ctx, FBS) == 0 and label_jobs(ctx, FBS) == []


def test_more_than_500_finished_jobs_still_answer_printed_before(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        old = print_queue.enqueue(s, DocKind.OZON_LABEL, (FBS,), NOW)
        print_queue.mark_done(s, old.key, NOW)
        for i in range(600):
            job = print_queue.enqueue(s, DocKind.SLIP, (f"7000{i:04d}-0001-1",), NOW + timedelta(seconds=i))
            print_queue.mark_done(s, job.key, NOW)
        waiting = print_queue.enqueue(s, DocKind.ACT, (), NOW, wait_for_label=True)
    with ctx.db.read() as s:
        assert print_queue.printed_before(s, DocKind.OZON_LABEL, FBS)
        assert print_queue.states_of(s, DocKind.OZON_LABEL, FBS) == {JobState.DONE}
        assert print_queue.count(s, (JobState.DONE,)) == 601
        assert print_queue.count(s, (JobState.WAITING,)) == 1
        assert print_queue.state_counts(s)[JobState.DONE] == 601
        assert len(print_queue.recent_jobs(s, limit=40)) == 40
    assert waiting.state is JobState.WAITING
    request = reprint(ctx, FBS)  # the label printed 600 jobs ago: a reprint for the printer, not a wait
    assert request.answer is LabelAnswer.QUEUED and request.job is not None and request.job.is_reprint


def test_label_ready_frees_only_that_postings_waiting_labels(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        mine = print_queue.enqueue(s, DocKind.OZON_LABEL, (FBS,), NOW, wait_for_label=True)
        other = print_queue.enqueue(s, DocKind.OZON_LABEL, (FBS + "0",), NOW, wait_for_label=True)
        assert print_queue.label_ready(s, FBS, NOW) == 1
    with ctx.db.read() as s:
        assert print_queue.states_of(s, DocKind.OZON_LABEL, FBS) == {JobState.QUEUED}
        assert print_queue.states_of(s, DocKind.OZON_LABEL, FBS + "0") == {JobState.WAITING}
    assert mine.key != other.key


def test_retry_failed_puts_every_failed_job_back(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        keys = [print_queue.enqueue(s, DocKind.SLIP, (FBS,), NOW).key for _ in range(3)]
        for key in keys[:2]:
            print_queue.mark_failed(s, key, NOW, "printer off")
        assert print_queue.retry_failed(s, NOW) == 2
    with ctx.db.read() as s:
        assert print_queue.count(s, (JobState.QUEUED,)) == 3 and print_queue.count(s, (JobState.FAILED,)) == 0


def test_ship_all_counts_every_waiting_label(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        for i in range(501):
            print_queue.enqueue(s, DocKind.OZON_LABEL, (f"7100{i:04d}-0001-1",), NOW, wait_for_label=True)
    desk = PackStation(ctx.db, ctx.clock, bus=EventBus(), user="packer")
    outcome = desk.ship_all()
    assert (outcome.kind, outcome.detail) == (Kind.SHIP_ALL, "501")


def test_orders_print_refuses_a_posting_ozon_cancelled_while_its_ship_waits(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        shipping.queue_ship_in(s, NOW, RFBS)  # shown as awaiting_deliver until the ship is sent
        posting_repo.save(s, [posting(RFBS, status=PostingStatus.CANCELLED, rfbs=True)], NOW)
        cached = posting_repo.get(s, RFBS)
        assert cached is not None and cached.shown_status != "cancelled" and cached.is_cancelled
    with pytest.raises(InvalidAction) as err:
        labels.print_labels(ctx.db, ctx.clock, [RFBS], "", bus=EventBus(), labels_dir=ctx.paths.labels)
    assert err.value.code == "posting_cancelled" and label_jobs(ctx, RFBS) == []
