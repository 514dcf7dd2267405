"""Escalation to Ozon support: a posting's facts and timeline, and a message that always fits Ozon's chat."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from app import history, outbox, print_queue
from app.chat import escalation
from app.chat.escalation import MESSAGE_LIMIT, EscalationFacts, Group, Topic
from app.context import AppContext, open_context
from app.db.engine import Database
from app.db.tables import MarkingCodeRow
from app.domain.postings import PostingStatus
from app.history import EventKind
from app.outbox import ActionKind, TargetKind
from app.print_queue import DocKind
from app.repos import postings as posting_repo
from tests.app.factories import NOW, posting

NUMBER = "12345678-0001-1"
BUYER = "Иван Петров"
ADDRESS = "Казань, ул. Баумана, д. 17, кв. 4"
PHONE = "+7 912 345-67-89"
TRACK = "OZ-TRACK-0042"


def build(db: Database, number: str = NUMBER, extra_events: int = 0) -> None:
    """A packed posting: scans, an override (with the buyer's phone in its reason), a ship action Ozon
    took, a label reprint, a tracking action Ozon refused, a carriage with its act and a marking code."""
    with db.write() as s:
        p = posting(
            number,
            PostingStatus.AWAITING_DELIVER,
            tracking_number=TRACK,
            address=ADDRESS,
            pvz_code="KZN-17",
        )
        posting_repo.save(s, [p], NOW)
        at = NOW
        for i, (kind, detail) in enumerate(
            [
                (EventKind.SCAN_POSTING, number),
                (EventKind.SCAN_ITEM, "1001 ×1"),
                (EventKind.SCAN_ITEM, "1002 ×1"),
                (EventKind.OVERRIDE, f"нет второй единицы, {BUYER} просил позвонить {PHONE}"),
                (EventKind.PACKED, "1 package"),
            ]
        ):
            history.record(s, number, kind, at + timedelta(minutes=i), detail, "Оля")
        ship = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, number, {}, NOW + timedelta(minutes=5))
        history.record(s, number, EventKind.ACTION_QUEUED, NOW + timedelta(minutes=5), f"ship {ship.key}", "Оля")
        outbox.mark_done(s, ship.key, NOW + timedelta(minutes=7))
        history.record(s, number, EventKind.PRINT, NOW + timedelta(minutes=8), "ozon_label → Zebra", "Оля")
        history.record(
            s, number, EventKind.REPRINT, NOW + timedelta(minutes=9), "ozon_label → Zebra; reason: замята", "Оля"
        )
        track = outbox.enqueue(s, ActionKind.SET_TRACKING, TargetKind.POSTING, number, {}, NOW + timedelta(minutes=10))
        outbox.mark_conflict(s, track.key, NOW + timedelta(minutes=11), "TRACKING_NUMBER_ALREADY_USED")
        job = print_queue.enqueue(s, DocKind.ACT, (number,), NOW + timedelta(minutes=12), wait_for_label=True)
        payload = {"delivery_method_id": 77, "posting_numbers": [number], "print_job": job.key}
        carriage = outbox.enqueue(
            s, ActionKind.CREATE_CARRIAGE, TargetKind.CARRIAGE, "77", payload, NOW + timedelta(minutes=12)
        )
        history.record(s, number, EventKind.ACTION_QUEUED, NOW + timedelta(minutes=12), f"carriage {carriage.key}")
        outbox.mark_done(s, carriage.key, NOW + timedelta(minutes=14))
        s.add(
            MarkingCodeRow(
                ident="0104601234567893215abcdefghijkl",
                code="0104601234567893215abcdefghijkl\x1d91EE07\x1d92crypto",
                posting_number=number,
                sku=1001,
                scanned_at=NOW + timedelta(minutes=2),
            )
        )
        for i in range(extra_events):
            history.record(s, number, EventKind.SCAN_ITEM, NOW + timedelta(minutes=20 + i), f"1001 ×1 #{i}", "Оля")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"))
    yield context
    context.close()


def facts_of(ctx: AppContext, number: str = NUMBER) -> EscalationFacts:
    with ctx.db.read() as s:
        facts = escalation.gather(s, number)
    assert facts is not None
    return facts


def test_the_facts_of_a_posting(ctx: AppContext) -> None:
    build(ctx.db)
    f = facts_of(ctx)
    assert (f.posting_number, f.order_number, f.status, f.tracking_number) == (
        NUMBER,
        "12345678-0001",
        "awaiting_deliver",
        TRACK,
    )
    assert f.ship_by == NOW + timedelta(hours=30) and f.ship_by.tzinfo is not None
    assert (f.delivery_method, f.warehouse) == ("Ozon, Софьино", "Склад Москва")
    assert [(i.sku, i.offer_id, i.quantity) for i in f.items] == [(1001, "PD-1001", 1), (1002, "PD-1002", 2)]
    assert f.marking_codes == ((1001, "0104601234567893215abcdefghijkl"),)  # no crypto tail
    assert f.in_carriage and "подтверждена" in f.carriage and "акт" in f.act
    times = [e.at for e in f.timeline]
    assert times == sorted(times) and all(t.utcoffset() == timedelta(0) for t in times)
    groups = [e.group for e in f.timeline]
    for group in (Group.SCAN, Group.OVERRIDE, Group.REPRINT, Group.PRINT, Group.ACTION, Group.CONFLICT):
        assert group in groups, group
    assert any(e.title == "Ozon принял: сборка (ship)" for e in f.timeline)
    conflict = next(e for e in f.timeline if e.group is Group.CONFLICT)
    assert conflict.detail == "TRACKING_NUMBER_ALREADY_USED" and conflict.at == NOW + timedelta(minutes=11)
    assert any(e.group is Group.HANDOVER for e in f.timeline)
    assert all("-4" not in e.detail or len(e.detail) < 36 for e in f.timeline)  # no outbox keys
    assert f.timeline[0].user == "Оля"


def test_an_unknown_posting_has_no_facts(ctx: AppContext) -> None:
    with ctx.db.read() as s:
        assert escalation.gather(s, "00000000-0000-0") is None


def _no_buyer_data(text: str) -> None:
    for secret in (BUYER, "Петров", "Баумана", ADDRESS, "KZN-17", PHONE, "912", "Казань"):
        assert secret not in text, secret


def test_the_message_is_russian_polite_and_factual(ctx: AppContext) -> None:
    build(ctx.db)
    text = escalation.support_message(facts_of(ctx), Topic.NOT_ACCEPTED, "Курьер не забрал коробку")
    assert 1 <= len(text) <= MESSAGE_LIMIT
    assert text.startswith("Здравствуйте!") and "отправление не принято на складе" in text
    assert NUMBER in text and TRACK in text
    assert "Отгрузить до: 24.11.2026 18:00 МСК" in text  # 15:00 UTC
    assert "Курьер не забрал коробку" in text and "Спасибо" in text
    assert "SKU 1001 (PD-1001) × 1" in text
    assert "Ozon отказал" in text  # a short timeline is there in full
    _no_buyer_data(text)


def test_a_400_event_timeline_is_compressed(ctx: AppContext) -> None:
    build(ctx.db, extra_events=400)
    facts = facts_of(ctx)
    assert len(facts.timeline) > 400
    for topic in Topic:
        text = escalation.support_message(facts, topic, "Очень длинный комментарий. " * 100)
        assert 1 <= len(text) <= MESSAGE_LIMIT, len(text)
        assert NUMBER in text and TRACK in text and "24.11.2026 18:00 МСК" in text
        assert "полная хронология — в приложенном pdf" in text.casefold()
        assert topic.wording in text
        _no_buyer_data(text)
    text = escalation.support_message(facts, "lost_in_transit")
    assert f"{len(facts.timeline)} событий" in text and "сканы 403" in text
    assert "23.11.2026 12:00" in text  # the first event, in Moscow time
    assert "Упаковано без полного сканирования" in text  # an override is a key event


def test_it_always_fits_even_with_absurd_data(ctx: AppContext) -> None:
    with ctx.db.write() as s:
        items = tuple((1000 + i, 1) for i in range(60))
        long = dataclasses.replace(
            posting(NUMBER, items=items), delivery_method_name="Д" * 190, warehouse_name="С" * 190
        )
        posting_repo.save(s, [long], NOW)
        for i in range(50):
            history.record(s, NUMBER, EventKind.CONFLICT, NOW + timedelta(minutes=i), "Ошибка " * 40)
    text = escalation.support_message(facts_of(ctx), Topic.OTHER, "x" * 5000)
    assert 1 <= len(text) <= MESSAGE_LIMIT and NUMBER in text


def test_topics_and_moscow_time() -> None:
    assert Topic.parse(" Label_Problem ") is Topic.LABEL_PROBLEM
    with pytest.raises(ValueError, match="unknown topic"):
        Topic.parse("angry")
    assert all(t.wording for t in Topic)
    assert escalation.moscow(NOW.replace(tzinfo=UTC)) == "23.11.2026 12:00 МСК"
    assert escalation.moscow(None) == ""
