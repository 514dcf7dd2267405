"""The sync engine against the emulator (mounted as a requests transport: the real client code runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import label_files, outbox
from app.context import AppContext
from app.domain.postings import PostingStatus
from app.events import AuthFailed, ConflictDetected, EventBus, LabelReady, PlanLimited, PostingsChanged
from app.outbox import ActionKind, OutboxState, TargetKind
from app.repos import chats as chat_repo
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos import returns as return_repo
from app.repos import sync_state
from app.workflows import shipping
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from sync.errors import NetworkError
from tests.sync.conftest import Recorder, adapter_client

SHIP = "/v4/posting/fbs/ship"


def open_entries(ctx: AppContext) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT))


def drain(engine: SyncEngine, emu: Emulator, ctx: AppContext, cycles: int = 25) -> None:
    """Run cycles, moving the clock past backoffs, until nothing is left to send."""
    for _ in range(cycles):
        engine.run_cycle()
        if not open_entries(ctx):
            return
        emu.advance(400)
    raise AssertionError(f"outbox did not drain: {open_entries(ctx)}")


def applied(emu: Emulator, method: str, number: str) -> list[dict[str, Any]]:
    return [e for e in emu.log if e["method"] == method and e.get("posting_number") == number]


def fbs_to_pack(ctx: AppContext) -> str:
    """An FBS posting to pack that Ozon asks nothing extra for (marking codes, customs numbers, boxes)."""
    (number,) = fbs_batch(ctx, 1)
    return number


def test_first_sync_fills_the_cache(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    result = engine.run_cycle()
    assert result.ok, result.error
    with ctx.db.read() as s:
        cached = {c.posting.posting_number: c.posting for c in posting_repo.list_postings(s)}
        skus = posting_repo.skus(s)
        known = product_repo.known_skus(s)
        n_returns = return_repo.count(s)
        chats = chat_repo.chat_ids(s)
        last = sync_state.get(s, "last_sync_at")
    assert len(cached) >= 50
    some = next(iter(cached.values()))
    assert some.status.value == emu.posting(some.posting_number)["status"]
    assert skus and skus <= known  # every SKU in a posting has its product (and barcodes) cached
    assert n_returns > 0 and chats and last
    assert "postings" in result.summary()


def test_incremental_cycle_brings_new_and_cancelled_postings(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder
) -> None:
    engine.run_cycle()
    victim = fbs_to_pack(ctx)
    emu.advance(60)
    (new,) = emu.create_postings(count=1)
    emu.cancel_posting(victim)
    emu.advance(60)
    result = engine.run_cycle()
    assert new in result.new and victim in result.cancelled
    with ctx.db.read() as s:
        assert posting_repo.get(s, victim).posting.status is PostingStatus.CANCELLED  # type: ignore[union-attr]
    changed = events.of(PostingsChanged)[-1]
    assert new in changed.new and victim in changed.cancelled


def test_quiet_incremental_cycle_pulls_no_postings(engine: SyncEngine, emu: Emulator) -> None:
    engine.run_cycle()
    emu.advance(1900)  # Ozon approves the rFBS orders waiting for it within 30 min
    assert engine.run_cycle().postings > 0
    emu.advance(600)
    assert engine.run_cycle().postings == 0


def test_interrupted_pull_resumes_from_its_cursor_without_gaps_or_duplicates(ctx: AppContext, events: Recorder) -> None:
    emu = Emulator(seed=5, postings=450, client_id="123456", api_key="test-key", speed=0.0, live=False)
    client = adapter_client(emu)
    engine = SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels)
    real_page = client.postings_page
    seen: list[str] = []
    calls = {"n": 0}

    def flaky_page(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise NetworkError("connection lost", ambiguous=True, path="/v4/posting/fbs/list")
        page = real_page(*args, **kw)
        seen.extend(p.posting_number for p in page.items)
        return page

    client.postings_page = flaky_page  # type: ignore[method-assign]
    first = engine.run_cycle()
    assert not first.ok and first.error_kind == "offline"  # the postings area stopped at page 3
    with ctx.db.read() as s:
        assert sync_state.get(s, "changes.cursor")  # the cursor after page 2 was committed
        assert posting_repo.count(s) == 200
    second = engine.run_cycle()
    assert second.ok, second.error
    assert len(seen) == len(set(seen)), "a page was fetched twice"
    with ctx.db.read() as s:
        assert posting_repo.count(s) == len(seen) >= 400
        assert sync_state.get(s, "changes.cursor") == ""


@pytest.mark.parametrize(
    "fault",
    [
        Fault("reset", path=SHIP),
        Fault("timeout", path=SHIP),
        Fault("lost_reply", path=SHIP),
        Fault("http_500", path=SHIP),
        Fault("http_503", path=SHIP, retry_after=5),
        Fault("rate_limit", path=SHIP),
        Fault("rate_limit", path=SHIP, retry_after=30),
        Fault("malformed_json", path=SHIP),
        Fault("lost_reply", path=SHIP, times=3),
        Fault("reset", path="/v3/posting/fbs/get", times=2),
    ],
    ids=lambda f: f"{f.kind}-{f.path.rsplit('/', 1)[-1]}-x{f.times}",
)
def test_ship_is_applied_exactly_once_under_faults(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, fault: Fault
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(fault)
    drain(engine, emu, ctx)
    assert len(applied(emu, SHIP, number)) == 1
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]
        cached = posting_repo.get(s, number)
    assert cached is not None and cached.posting.status is PostingStatus.AWAITING_DELIVER
    assert cached.local_status is None


def test_ship_sends_the_packages_as_queued(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    with ctx.db.read() as s:
        items = posting_repo.get(s, number).posting.products  # type: ignore[union-attr]
    shipping.queue_ship(ctx.db, emu, number)
    drain(engine, emu, ctx)
    (call,) = applied(emu, SHIP, number)
    sent = sorted((p["product_id"], p["quantity"]) for pkg in call["request"]["packages"] for p in pkg["products"])
    assert sent == sorted((it.sku, it.quantity) for it in items)


def test_a_posting_cancelled_while_the_ship_waits_becomes_a_conflict_and_is_never_sent(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.cancel_posting(number)
    engine.run_cycle()
    assert applied(emu, SHIP, number) == []
    with ctx.db.read() as s:
        got = outbox.get(s, entry.key)
        cached = posting_repo.get(s, number)
    assert got is not None and got.state is OutboxState.CONFLICT and "cancelled" in got.last_error
    assert cached is not None and cached.posting.status is PostingStatus.CANCELLED and cached.local_status is None
    assert any(c.key == entry.key for c in events.of(ConflictDetected))


def test_one_conflict_does_not_block_other_postings(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    first = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, first)
    second = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, second)
    emu.cancel_posting(first)
    engine.run_cycle()
    assert applied(emu, SHIP, first) == [] and len(applied(emu, SHIP, second)) == 1


def test_retry_after_pauses_the_whole_client(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(Fault("rate_limit", path=SHIP, retry_after=120))
    start = emu.now()
    engine.run_cycle()
    with ctx.db.read() as s:
        waiting = outbox.get(s, entry.key)
    assert waiting is not None and waiting.state is OutboxState.PENDING
    assert (waiting.next_attempt_at - start).total_seconds() >= 120
    calls_before = len(emu.log)
    emu.advance(60)
    paused = engine.run_cycle()
    assert paused.postings == 0 and len(emu.log) == calls_before  # nothing was sent while paused
    emu.advance(70)
    drain(engine, emu, ctx)
    assert len(applied(emu, SHIP, number)) == 1


LABEL_CREATE = "/v3/posting/fbs/package-label/create"


def plain_fbs(ctx: AppContext) -> list[str]:
    """FBS postings to pack that Ozon asks nothing extra for (marking codes, customs numbers, boxes)."""
    with ctx.db.read() as s:
        return [
            c.posting.posting_number
            for c in posting_repo.list_postings(s, ozon_status="awaiting_packaging")
            if not c.posting.is_rfbs
            and c.local_status is None
            and not c.posting.requirements.kinds()
            and not c.posting.is_multibox
        ]


def fbs_batch(ctx: AppContext, count: int) -> list[str]:
    found = plain_fbs(ctx)
    assert len(found) >= count, "not enough FBS postings awaiting packaging in the demo data"
    return found[:count]


def test_labels_of_a_batch_come_through_one_label_task_and_are_cached_per_posting(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder
) -> None:
    engine.run_cycle()
    numbers = fbs_batch(ctx, 3)
    for number in numbers:
        shipping.queue_ship(ctx.db, emu, number)
    engine.run_cycle()
    labels = [e for e in open_entries(ctx) if e.action is ActionKind.FETCH_LABEL]
    assert len(labels) == 3 and all("making the label" in e.last_error for e in labels)
    assert [e for e in emu.log if e["method"] == LABEL_CREATE] == []  # Ozon needs 45-60 s after the ship
    wait = engine.seconds_until_due()
    assert wait is not None and 45 <= wait <= 60  # and labels due within one 15 s slot share a task
    emu.advance(wait)
    engine.run_cycle()
    (task,) = [e for e in emu.log if e["method"] == LABEL_CREATE]
    assert sorted(task["posting_numbers"]) == sorted(numbers)  # one task for the batch
    emu.advance(6)  # the task is done
    engine.run_cycle()
    assert open_entries(ctx) == []
    ready = {e.posting_number: Path(e.path) for e in events.of(LabelReady)}
    assert set(ready) == set(numbers)
    for number, path in ready.items():
        ((page, text),) = label_files.split_pages(path.read_bytes())  # one page: this posting's label
        assert number in text.replace(" ", "") and page.startswith(b"%PDF")
    downloads = emu.downloads
    assert downloads and not any(d["sent_api_key"] or d["sent_client_id"] for d in downloads)
    assert len([e for e in emu.log if e["method"] == LABEL_CREATE]) == 1


def test_a_posting_ozon_leaves_out_of_a_task_is_asked_for_again_with_ozons_reason(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder
) -> None:
    engine.run_cycle()
    first, second = fbs_batch(ctx, 2)
    shipping.queue_ship(ctx.db, emu, first)
    drain_ships(engine, ctx)
    emu.advance(30)
    shipping.queue_ship(ctx.db, emu, second)
    drain_ships(engine, ctx)
    emu.advance(20)  # first: 50 s after its ship (ready); second: 20 s (not yet)
    with ctx.db.write() as s:  # both labels due now, in one task
        for e in open_entries(ctx):
            outbox.mark_retry(s, e.key, emu.now(), "", emu.now(), ambiguous=False)
    engine.run_cycle()
    emu.advance(6)
    engine.run_cycle()
    assert [e.posting_number for e in events.of(LabelReady)] == [first]
    (waiting,) = open_entries(ctx)
    assert waiting.target_id == second and "aren't ready" in waiting.last_error  # Ozon's own words
    emu.advance(40)
    drain(engine, emu, ctx)
    assert {e.posting_number for e in events.of(LabelReady)} == {first, second}


def test_a_task_ozon_ends_in_error_is_reported_on_each_posting_and_asked_again(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder
) -> None:
    engine.run_cycle()
    numbers = fbs_batch(ctx, 2)
    for number in numbers:
        shipping.queue_ship(ctx.db, emu, number)
    drain_ships(engine, ctx)
    with ctx.db.write() as s:  # asked for too early: Ozon has made none of the labels yet
        for e in open_entries(ctx):
            outbox.mark_retry(s, e.key, emu.now(), "", emu.now(), ambiguous=False)
    engine.run_cycle()
    emu.advance(6)
    engine.run_cycle()
    waiting = open_entries(ctx)
    assert {e.target_id for e in waiting} == set(numbers) and events.of(LabelReady) == []
    assert all("aren't ready" in e.last_error for e in waiting), [e.last_error for e in waiting]
    emu.advance(60)
    drain(engine, emu, ctx)
    assert {e.posting_number for e in events.of(LabelReady)} == set(numbers)
    assert len([e for e in emu.log if e["method"] == LABEL_CREATE]) == 2  # the failed task and one more


def test_a_file_the_file_server_refuses_is_asked_of_ozon_again_and_is_never_a_key_problem(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.emulator import cdn

    expired = {"left": 1}
    answer = cdn._answer

    def sometimes_expired(store: Any, method: str, path: str) -> Any:
        if expired["left"]:
            expired["left"] -= 1
            return cdn._xml_error(403, "AccessDenied", "Request has expired")
        return answer(store, method, path)

    monkeypatch.setattr(cdn, "_answer", sometimes_expired)
    engine.run_cycle()
    (number,) = fbs_batch(ctx, 1)
    shipping.queue_ship(ctx.db, emu, number)
    drain_ships(engine, ctx)
    emu.advance(engine.seconds_until_due() or 0)
    engine.run_cycle()  # the task
    emu.advance(6)
    result = engine.run_cycle()  # its file: 403
    assert result.ok and not events.of(AuthFailed)  # not "Ozon rejected the key": no key goes there
    (label,) = open_entries(ctx)
    assert "file server" in label.last_error and label.attempts == 2
    drain(engine, emu, ctx)
    assert [e.posting_number for e in events.of(LabelReady)] == [number]
    assert len([e for e in emu.log if e["method"] == LABEL_CREATE]) == 2  # Ozon made the file again


def test_a_refused_ship_holds_its_label_and_dropping_it_drops_the_label_too(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    from app import print_queue
    from app.print_queue import DocKind, JobState
    from app.workflows import decisions

    engine.run_cycle()
    (number,) = fbs_batch(ctx, 1)
    shipping.queue_ship(ctx.db, emu, number)
    with ctx.db.write() as s:
        job = print_queue.enqueue(s, DocKind.OZON_LABEL, (number,), emu.now(), wait_for_label=True)
    with ctx.db.write() as s:
        (ship,) = [e for e in outbox.entries(s, target_id=number) if e.action is ActionKind.SHIP]
        outbox.mark_conflict(s, ship.key, emu.now(), "Ozon refused: EXEMPLAR_INFO_NOT_FILLED_COMPLETELY")
    for _ in range(3):
        emu.advance(60)
        engine.run_cycle()
    assert [e for e in emu.log if e["method"] == LABEL_CREATE] == []  # the label waits for the seller
    with ctx.db.write() as s:
        decisions.drop(s, [ship.key], emu.now())
    with ctx.db.read() as s:
        states = {e.action: e.state for e in outbox.entries(s, target_id=number)}
        (after,) = [j for j in print_queue.jobs(s) if j.key == job.key]
    assert states == {ActionKind.SHIP: OutboxState.FAILED, ActionKind.FETCH_LABEL: OutboxState.FAILED}
    assert after.state is JobState.CANCELLED


def test_a_cancelled_posting_needs_no_label(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    from app import print_queue
    from app.print_queue import DocKind, JobState

    engine.run_cycle()
    (number,) = fbs_batch(ctx, 1)
    shipping.queue_ship(ctx.db, emu, number)
    with ctx.db.write() as s:
        print_queue.enqueue(s, DocKind.OZON_LABEL, (number,), emu.now(), wait_for_label=True)
    drain_ships(engine, ctx)
    emu.cancel_posting(number)
    emu.advance(60)
    drain(engine, emu, ctx)
    with ctx.db.read() as s:
        (label,) = [e for e in outbox.entries(s, target_id=number) if e.action is ActionKind.FETCH_LABEL]
        jobs = [j for j in print_queue.jobs(s) if number in j.posting_numbers]
    assert label.state is OutboxState.DONE and "no label needed" in label.last_error
    assert [e for e in emu.log if e["method"] == LABEL_CREATE] == []
    assert [j.state for j in jobs] == [JobState.CANCELLED]  # its label will never come: not waiting for ever


def drain_ships(engine: SyncEngine, ctx: AppContext) -> None:
    engine.run_cycle()
    assert not [e for e in open_entries(ctx) if e.action is ActionKind.SHIP]


def test_in_flight_ship_after_a_crash_is_rechecked_not_resent(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    # The process sent the ship, Ozon applied it, then the power went out before the answer.
    with ctx.db.write() as s:
        outbox.mark_in_flight(s, entry.key, emu.now())
    engine.client.ship(number, [[(it.sku, it.quantity) for it in _items(ctx, number)]])
    with ctx.db.write() as s:
        assert outbox.recover_in_flight(s, emu.now()) == 1
    drain(engine, emu, ctx)
    assert len(applied(emu, SHIP, number)) == 1
    with ctx.db.read() as s:
        assert outbox.get(s, entry.key).state is OutboxState.DONE  # type: ignore[union-attr]


def _items(ctx: AppContext, number: str) -> list[Any]:
    with ctx.db.read() as s:
        return list(posting_repo.get(s, number).posting.products)  # type: ignore[union-attr]


def test_chat_message_lost_reply_is_not_sent_twice(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    with ctx.db.read() as s:
        chat_id = sorted(chat_repo.chat_ids(s))[0]
    with ctx.db.write() as s:
        outbox.enqueue(
            s, ActionKind.CHAT_SEND_TEXT, TargetKind.CHAT, chat_id, {"text": "Отправим сегодня, спасибо!"}, emu.now()
        )
    emu.add_fault(Fault("lost_reply", path="/v1/chat/send/message"))
    drain(engine, emu, ctx)
    sends = [e for e in emu.log if e["method"] == "/v1/chat/send/message" and e.get("chat_id") == chat_id]
    assert len(sends) == 1


def test_bad_key_stops_sync_with_auth_failed(ctx: AppContext, emu: Emulator, events: Recorder) -> None:
    engine = SyncEngine(ctx.db, adapter_client(emu, api_key="wrong"), ctx.bus, emu, ctx.paths.labels)
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == "auth"
    assert "Invalid Api-Key" in result.error and "wrong" not in result.error
    assert events.of(AuthFailed)


def test_plan_limit_pauses_chats_and_reviews_but_not_orders(ctx: AppContext, events: Recorder) -> None:
    emu = Emulator(seed=3, postings=30, client_id="123456", api_key="test-key", speed=0.0, live=False, premium=False)
    engine = SyncEngine(ctx.db, adapter_client(emu), ctx.bus, emu, ctx.paths.labels)
    result = engine.run_cycle()
    assert result.ok, result.error
    assert result.postings > 0 and result.chats == 0 and result.reviews == 0
    assert {e.area for e in events.of(PlanLimited)} == {"chats", "reviews"}
    before = len(events.of(PlanLimited))
    engine.run_cycle()
    assert len(events.of(PlanLimited)) == before  # not retried every cycle


def test_the_sellers_sync_now_ends_the_plan_pause_at_once(ctx: AppContext, events: Recorder) -> None:
    import time

    from app.feedback.query import PLAN_AREA
    from app.sync_status import plan_limited_since
    from sync.cycle import CycleResult
    from sync.scheduler import SyncScheduler

    emu = Emulator(seed=3, postings=30, client_id="123456", api_key="test-key", speed=0.0, live=False, premium=False)
    engine = SyncEngine(ctx.db, adapter_client(emu), ctx.bus, emu, ctx.paths.labels)
    scheduler = SyncScheduler(engine, interval_s=3600)

    def cycle(**how: bool) -> CycleResult:
        before = scheduler.last_result  # set once the cycle has returned (after its SyncFinished)
        scheduler.sync_now(**how) if scheduler._thread else scheduler.start()
        deadline = time.monotonic() + 10
        while scheduler.last_result is before:
            assert time.monotonic() < deadline, "no sync cycle ran"
            time.sleep(0.01)
        assert scheduler.last_result is not None
        return scheduler.last_result

    try:
        assert cycle().reviews == 0  # the plan leaves reviews and chats out: paused
        emu.premium = True  # the seller buys the plan
        assert cycle().reviews == 0  # a queued action's wake-up: still paused (6 h)
        with ctx.db.read() as s:
            assert plan_limited_since(s, PLAN_AREA) is not None
        result = cycle(retry_paused=True)  # Sync now: asked again at once
        assert result.ok and result.reviews > 0
        with ctx.db.read() as s:
            assert plan_limited_since(s, PLAN_AREA) is None and plan_limited_since(s, "chats") is None
    finally:
        scheduler.stop()
    emu.premium = False  # the plan let go again: paused again at the next cycle, and said once more
    before = len(events.of(PlanLimited))
    engine.run_cycle()
    assert len(events.of(PlanLimited)) == before + 2


def test_malformed_page_writes_nothing_and_names_the_problem(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    emu.add_fault(Fault("missing_field", path="/v4/posting/fbs/list"))
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == "protocol"
    assert "posting_number" in result.error
    with ctx.db.read() as s:
        assert posting_repo.count(s) == 0
    assert engine.run_cycle().ok


def test_review_reply_lost_reply_is_not_posted_twice(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    review_id = engine.client.reviews_page("").items[0].review_id
    with ctx.db.write() as s:
        outbox.enqueue(
            s, ActionKind.REVIEW_REPLY, TargetKind.REVIEW, review_id, {"text": "Спасибо за отзыв!"}, emu.now()
        )
    emu.add_fault(Fault("lost_reply", path="/v1/review/comment/create"))
    drain(engine, emu, ctx)
    posted = [e for e in emu.log if e["method"] == "/v1/review/comment/create"]
    assert len(posted) == 1


def test_scheduler_wakes_for_a_due_retry_and_stops_cleanly(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    import threading

    from app.events import SyncFinished
    from sync.scheduler import SyncScheduler

    finished = threading.Event()
    ctx.bus.subscribe(SyncFinished, lambda e: finished.set())
    scheduler = SyncScheduler(engine, interval_s=3600)
    scheduler.start()
    assert finished.wait(10)
    assert scheduler._next_wait() == 3600  # nothing queued: the interval rules
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    assert scheduler._next_wait() == 1.0  # an action is due now: wake at once
    finished.clear()
    scheduler.sync_now()
    assert finished.wait(10)
    scheduler.stop()
    assert len(applied(emu, SHIP, number)) == 1


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault("missing_field", path="/v4/posting/fbs/list", times=None), "protocol"),  # one area keeps failing
        (Fault("malformed_json", path="/v1/returns/list", times=None), "protocol"),
        (Fault("http_500", path="/v2/returns/rfbs/list", times=None), "server"),  # Ozon's trouble, not ours
    ],
    ids=["postings-unreadable", "returns-malformed", "rfbs-returns-500"],
)
def test_an_area_ozon_answers_badly_does_not_stop_the_other_areas_or_the_push(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, fault: Fault, kind: str
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(fault)
    emu.advance(60)
    emu.create_postings(count=1)  # something new in every list area, so the broken one has a record
    emu.advance(60)
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == kind and result.online
    assert len(applied(emu, SHIP, number)) == 1  # the packed order still went out
    assert result.chats > 0  # and the areas after the broken one were read


def test_a_key_without_the_chat_role_pauses_chats_only(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    from app.events import PlanLimited

    seen: list[PlanLimited] = []
    ctx.bus.subscribe(PlanLimited, seen.append)
    original = engine.client.chats_page

    def no_role(*args: Any, **kw: Any) -> Any:
        from sync.errors import MissingRoleError

        raise MissingRoleError("Api-Key is missing a required role for a method", path="/v3/chat/list", status=403)

    engine.client.chats_page = no_role  # type: ignore[method-assign]
    result = engine.run_cycle()
    engine.client.chats_page = original  # type: ignore[method-assign]
    assert result.ok and result.postings > 0 and result.returns > 0
    assert [e.area for e in seen] == ["chats"]


def test_an_unexpected_error_never_leaves_an_action_claimed(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, tmp_path: Any
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    engine.run_cycle()
    emu.advance(engine.seconds_until_due() or 0)
    engine.run_cycle()  # the label task is created
    emu.advance(6)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the labels folder should be")
    engine.labels_dir = blocker  # writing the label fails with an OSError
    engine.run_cycle()
    (label,) = [e for e in open_entries(ctx) if e.action is ActionKind.FETCH_LABEL]
    assert label.state is OutboxState.PENDING and "unexpected error" in label.last_error
    engine.labels_dir = ctx.paths.labels
    drain(engine, emu, ctx)
    assert (ctx.paths.labels / f"{number}.pdf").read_bytes().startswith(b"%PDF")


def test_a_pause_is_reported_not_called_a_sync(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(Fault("rate_limit", path=SHIP, retry_after=120))
    engine.run_cycle()
    with ctx.db.read() as s:
        before = sync_state.get(s, "last_sync_at")
    emu.advance(30)
    paused = engine.run_cycle()
    assert not paused.ok and "wait" in paused.error
    with ctx.db.read() as s:
        assert sync_state.get(s, "last_sync_at") == before


def test_a_lost_carriage_reply_finds_the_carriage_instead_of_making_another(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    from app.workflows import handover

    engine.run_cycle()
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    drain(engine, emu, ctx)
    with ctx.db.read() as s:
        group = next(g for g in handover.awaiting_handover(s) if not g.is_rfbs and g.ready)
    handover.create_carriage(ctx.db, emu, group.delivery_method_id, bus=EventBus())
    emu.add_fault(Fault("lost_reply", path="/v1/carriage/create"))
    drain(engine, emu, ctx)
    creates = {e["carriage_id"] for e in emu.log if e["method"] == "/v1/carriage/create"}
    approves = {e["carriage_id"] for e in emu.log if e["method"] == "/v1/carriage/approve"}
    assert len(creates) == 1 and approves == creates
    with ctx.db.read() as s:
        states = {e.action: e.state for e in outbox.entries(s)}
    assert states[ActionKind.CREATE_CARRIAGE] is OutboxState.DONE


def test_a_barcode_added_on_ozon_reaches_the_desk_within_a_day(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    sku = _items(ctx, number)[0].sku
    emu._store.products[sku].barcodes.append("4601234567893")  # the seller adds an EAN in Ozon's cabinet
    emu.advance(3600)
    engine.run_cycle()
    with ctx.db.read() as s:
        assert sku not in product_repo.skus_for_barcode(s, "4601234567893")  # read less than a day ago
    emu.advance(86400)
    engine.run_cycle()
    with ctx.db.read() as s:
        assert product_repo.skus_for_barcode(s, "4601234567893") == [sku]
