"""Handover, rFBS delivery steps, confirm and cancel: validation and local effects, offline."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import history, outbox, print_queue
from app.context import AppContext, open_context
from app.domain.postings import Posting, PostingStatus
from app.domain.products import Product
from app.errors import InvalidAction, NotFound
from app.events import Event, EventBus, OutboxChanged, PostingsChanged
from app.history import EventKind
from app.outbox import ActionKind, OutboxState, TargetKind
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.workflows import cancel, confirm, delivery, handover
from app.workflows.delivery import Stage
from tests.app.factories import NOW, posting

FBS_A, FBS_B, FBS_C = "10000001-0001-1", "10000002-0001-1", "10000003-0001-1"
RFBS_PACKED, RFBS_NEW, RFBS_APPROVE = "20000001-0001-1", "20000002-0001-1", "20000003-0001-1"
DELIVERING = "20000004-0001-1"
GONE = "30000001-0001-1"


@dataclass
class Clock:
    moment: Any = NOW

    def now(self) -> Any:
        return self.moment


def on(method: int, p: Posting, name: str = "") -> Posting:
    return dataclasses.replace(p, delivery_method_id=method, delivery_method_name=name or p.delivery_method_name)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"), clock=Clock())
    awaiting = PostingStatus.AWAITING_DELIVER
    with context.db.write() as s:
        posting_repo.save(
            s,
            [
                on(11, posting(FBS_A, status=awaiting), "Ozon, ПВЗ"),
                on(11, posting(FBS_B, status=awaiting), "Ozon, ПВЗ"),
                on(12, posting(FBS_C, status=awaiting), "Ozon, курьер"),
                on(31, posting(RFBS_PACKED, status=awaiting, rfbs=True)),
                on(31, posting(RFBS_NEW, rfbs=True)),
                on(31, posting(RFBS_APPROVE, status=PostingStatus.AWAITING_APPROVE, rfbs=True)),
                on(31, posting(DELIVERING, status=PostingStatus.DELIVERING, rfbs=True)),
                posting(GONE, status=PostingStatus.CANCELLED),
                posting("10000009-0001-1"),  # awaiting packaging: not for handover yet
            ],
            NOW,
        )
    yield context
    context.close()


@pytest.fixture
def seen(ctx: AppContext) -> list[Event]:
    events: list[Event] = []
    ctx.bus.subscribe(Event, events.append)
    return events


def groups(ctx: AppContext) -> list[handover.HandoverGroup]:
    with ctx.db.read() as s:
        return handover.awaiting_handover(s)


def queued(ctx: AppContext, number: str) -> list[outbox.OutboxEntry]:
    with ctx.db.read() as s:
        return outbox.entries(s, (OutboxState.PENDING,), target_id=number)


def shown(ctx: AppContext, number: str) -> str:
    with ctx.db.read() as s:
        cached = posting_repo.get(s, number)
    assert cached is not None
    return cached.shown_status


# -- handover ----------------------------------------------------------------------------------------------


def test_postings_awaiting_handover_are_grouped_by_delivery_method(ctx: AppContext) -> None:
    found = [(g.delivery_method_id, g.is_rfbs, [p.posting_number for p in g.postings]) for g in groups(ctx)]
    assert found == [
        (11, False, [FBS_A, FBS_B]),  # by name: "Ozon, ПВЗ" < "Ozon, курьер"
        (12, False, [FBS_C]),
        (31, True, [RFBS_PACKED, DELIVERING]),
    ]
    rfbs = groups(ctx)[2]
    assert [p.stage for p in rfbs.postings] == [Stage.AWAITING_DELIVER, Stage.DELIVERING]


def test_a_posting_packed_here_joins_its_group_before_ozon_knows(ctx: AppContext) -> None:
    from app.workflows import shipping

    shipping.queue_ship(ctx.db, ctx.clock, "10000009-0001-1")
    (entry,) = [g for g in groups(ctx) if g.delivery_method_id == 77]
    (item,) = entry.postings
    assert item.pending and item.status == "awaiting_deliver" and item.stage is Stage.AWAITING_DELIVER


def test_create_carriage_queues_the_action_and_a_waiting_act(ctx: AppContext, seen: list[Event]) -> None:
    entry, job = handover.create_carriage(ctx.db, ctx.clock, 11, user="anna", bus=ctx.bus)
    assert entry.action is ActionKind.CREATE_CARRIAGE and entry.target_kind is TargetKind.CARRIAGE
    assert entry.target_id == "11"
    assert entry.payload == {"delivery_method_id": 11, "posting_numbers": [FBS_A, FBS_B], "print_job": job.key}
    assert job.kind is DocKind.ACT and job.state is JobState.WAITING and job.posting_numbers == (FBS_A, FBS_B)
    group = next(g for g in groups(ctx) if g.delivery_method_id == 11)
    assert all(p.in_carriage for p in group.postings) and group.ready == ()
    with pytest.raises(InvalidAction) as twice:
        handover.create_carriage(ctx.db, ctx.clock, 11, bus=EventBus())
    assert twice.value.code == "nothing_to_hand_over"
    with pytest.raises(InvalidAction):
        handover.create_carriage(ctx.db, ctx.clock, 31, bus=EventBus())  # rFBS: the seller's own act
    changed = [e for e in seen if isinstance(e, PostingsChanged)]
    assert changed and changed[0].posting_numbers == {FBS_A, FBS_B}
    assert any(isinstance(e, OutboxChanged) and e.pending == 1 for e in seen)
    with ctx.db.read() as s:
        assert history.of(s, FBS_A)[-1].kind is EventKind.ACTION_QUEUED


def test_own_act_prints_at_once(ctx: AppContext) -> None:
    job = handover.own_act(ctx.db, ctx.clock, [RFBS_PACKED, DELIVERING, RFBS_PACKED], bus=EventBus())
    assert job.kind is DocKind.ACT and job.state is JobState.QUEUED
    assert job.posting_numbers == (RFBS_PACKED, DELIVERING)
    with pytest.raises(InvalidAction):
        handover.own_act(ctx.db, ctx.clock, [RFBS_NEW], bus=EventBus())
    with pytest.raises(InvalidAction):
        handover.own_act(ctx.db, ctx.clock, [], bus=EventBus())


# -- rFBS delivery -----------------------------------------------------------------------------------------


def test_rfbs_steps_go_in_order_and_say_what_comes_first(ctx: AppContext) -> None:
    db, clock = ctx.db, ctx.clock
    for step, number, message in [
        (delivery.mark_delivering, RFBS_NEW, "pack and ship it first"),
        (delivery.mark_last_mile, RFBS_PACKED, "mark it delivering first"),
        (delivery.mark_delivered, RFBS_PACKED, "mark it delivering first"),
        (delivery.mark_delivering, DELIVERING, "already delivering"),
        (delivery.mark_delivering, FBS_A, "only rFBS"),
    ]:
        with pytest.raises(InvalidAction, match=message):
            step(db, clock, number, bus=EventBus())
    delivery.mark_delivering(db, clock, RFBS_PACKED, bus=EventBus())
    assert shown(ctx, RFBS_PACKED) == "delivering"
    delivery.mark_last_mile(db, clock, RFBS_PACKED, bus=EventBus())
    with pytest.raises(InvalidAction, match="already in the last mile"):
        delivery.mark_last_mile(db, clock, RFBS_PACKED, bus=EventBus())
    delivery.mark_delivered(db, clock, RFBS_PACKED, bus=EventBus())
    assert shown(ctx, RFBS_PACKED) == "delivered"
    with pytest.raises(InvalidAction, match="already delivered"):
        delivery.mark_delivered(db, clock, RFBS_PACKED, bus=EventBus())
    assert [e.action for e in queued(ctx, RFBS_PACKED)] == [
        ActionKind.DELIVERING,
        ActionKind.LAST_MILE,
        ActionKind.DELIVERED,
    ]
    delivery.mark_delivered(db, clock, DELIVERING, bus=EventBus())  # straight from delivering is fine


def test_tracking_numbers_are_checked_and_shown_while_pending(ctx: AppContext) -> None:
    mark = "0104607123456781215Ab#<?QW|Y93QWzy"  # a Честный ЗНАК code, separators lost
    order_number = RFBS_PACKED.rsplit("-", 1)[0]
    bad_ones = (
        "",
        "   ",
        "0",
        "RP1",
        "RPRPRPRP",
        "000000",
        "1" * 65,
        "RP1\x072345678",
        RFBS_PACKED,
        order_number,
        mark,
    )
    for bad in bad_ones:
        with pytest.raises(InvalidAction):
            delivery.set_tracking(ctx.db, ctx.clock, RFBS_PACKED, bad, bus=EventBus())
    ean = "4607123456781"
    with ctx.db.write() as s:
        product_repo.save(s, [Product(3001, 31, "SH-42", "Кроссовки", (ean,))], NOW)
        label = "23024930500000"  # the lower barcode on another posting's label
        posting_repo.save(s, [on(11, posting(FBS_A, status=PostingStatus.AWAITING_DELIVER, lower_barcode=label))], NOW)
    for code in (ean, label):
        with pytest.raises(InvalidAction) as refused:
            delivery.set_tracking(ctx.db, ctx.clock, RFBS_PACKED, code, bus=EventBus())
        assert refused.value.code == "tracking_is_a_code"
    with pytest.raises(InvalidAction):
        delivery.set_tracking(ctx.db, ctx.clock, FBS_A, "RP123456789RU", bus=EventBus())
    with pytest.raises(NotFound):
        delivery.set_tracking(ctx.db, ctx.clock, "nope", "RP123456789RU", bus=EventBus())
    with ctx.db.read() as s:
        assert outbox.entries(s, target_id=RFBS_PACKED) == []  # nothing refused was queued
    entry = delivery.set_tracking(ctx.db, ctx.clock, RFBS_PACKED, "  RP 123 456 789 RU ", bus=EventBus())  # as printed
    assert entry.payload == {"tracking_number": "RP123456789RU"}
    item = next(p for g in groups(ctx) for p in g.postings if p.posting_number == RFBS_PACKED)
    assert item.tracking_number == "RP123456789RU" and item.tracking_pending
    with ctx.db.read() as s:
        assert delivery.pending_tracking(s, RFBS_PACKED) == "RP123456789RU"


# -- confirm and cancel --------------------------------------------------------------------------------------


def test_confirm_takes_fbs_into_work_and_leaves_rfbs_approval_to_ozon(ctx: AppContext, seen: list[Event]) -> None:
    result = confirm.confirm(
        ctx.db, ctx.clock, [RFBS_APPROVE, "10000009-0001-1", GONE, FBS_A, "nope", RFBS_APPROVE], bus=ctx.bus
    )
    assert result.taken == ("10000009-0001-1",)
    assert [(r.posting_number, r.code) for r in result.refused] == [
        (RFBS_APPROVE, "awaiting_ozon"),  # Ozon has no approve method: the order moves on by itself
        (GONE, "posting_cancelled"),
        (FBS_A, "not_confirmable"),
        ("nope", "posting_unknown"),
    ]
    assert queued(ctx, RFBS_APPROVE) == [] and shown(ctx, RFBS_APPROVE) == "awaiting_approve"
    again = confirm.confirm(ctx.db, ctx.clock, ["10000009-0001-1"], bus=EventBus())
    assert again.taken == ("10000009-0001-1",)
    with ctx.db.read() as s:
        marks = [e for e in history.of(s, "10000009-0001-1") if e.detail == confirm.TAKEN_INTO_WORK]
    assert len(marks) == 1  # taken into work once
    assert any(isinstance(e, PostingsChanged) for e in seen)
    assert not any(isinstance(e, OutboxChanged) for e in seen)  # nothing for Ozon


def test_cancel_checks_the_reason_and_the_status_and_drops_waiting_labels(ctx: AppContext) -> None:
    with pytest.raises(InvalidAction) as no_message:
        cancel.cancel(ctx.db, ctx.clock, FBS_A, 402, bus=EventBus())
    assert no_message.value.code == "cancel_message_required"
    with pytest.raises(InvalidAction):
        cancel.cancel(ctx.db, ctx.clock, DELIVERING, 352, bus=EventBus())
    with pytest.raises(InvalidAction):
        cancel.cancel(ctx.db, ctx.clock, GONE, 352, bus=EventBus())
    with ctx.db.write() as s:
        label = print_queue.enqueue(s, DocKind.OZON_LABEL, (FBS_A,), NOW, wait_for_label=True)
    entry = cancel.cancel(ctx.db, ctx.clock, FBS_A, 402, " товар повреждён ", bus=EventBus())
    assert entry.action is ActionKind.CANCEL and entry.payload == {"reason_id": 402, "message": "товар повреждён"}
    assert shown(ctx, FBS_A) == "cancelled"
    with ctx.db.read() as s:
        (job,) = [j for j in print_queue.jobs(s) if j.key == label.key]
    assert job.state is JobState.CANCELLED
    with pytest.raises(InvalidAction):
        cancel.cancel(ctx.db, ctx.clock, FBS_A, 352, bus=EventBus())
    assert 402 in cancel.SELLER_CANCEL_REASONS
