"""Sync on a lossy link (issue 9): time-critical actions are not starved by pulls that can wait, one
lost answer does not end a cycle, and the guarantees stay — exactly once, never a ship after Ozon
cancelled, a 429 or Retry-After stops the cycle."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from app import outbox
from app.context import AppContext
from app.outbox import ActionKind, OutboxState, Refusal, TargetKind
from app.workflows import labels, shipping
from sync import http
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from sync.errors import ServerError
from tests.sync.conftest import BASE, Recorder
from tests.sync.test_engine import SHIP, applied, fbs_to_pack

REVIEWS = "/v2/review/list"
POSTING_GET = "/v3/posting/fbs/get"
POSTING_LIST = "/v4/posting/fbs/list"


def entry_of(ctx: AppContext, key: str) -> outbox.OutboxEntry:
    with ctx.db.read() as s:
        got = outbox.get(s, key)
    assert got is not None
    return got


@pytest.mark.parametrize(
    "fault",
    [
        Fault("reset", path=REVIEWS, times=None),  # the link to reviews looks dead: the cycle ends
        Fault("rate_limit", path=REVIEWS, retry_after=30),  # Ozon asks to wait: the cycle ends
        Fault("http_500", path="/v3/chat/list", times=None),
        Fault("malformed_json", path="/v1/returns/list", times=None),
    ],
    ids=["reviews-unreachable", "reviews-429", "chats-500", "returns-malformed"],
)
def test_a_failing_pull_of_chats_returns_or_reviews_does_not_hold_the_ship(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, fault: Fault
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(fault)
    emu.advance(60)
    result = engine.run_cycle()
    assert not result.ok
    assert len(applied(emu, SHIP, number)) == 1  # pushed right after the postings, before the rest
    assert entry_of(ctx, entry.key).state is OutboxState.DONE


@pytest.mark.parametrize(
    "fault",
    [
        Fault("lost_reply", path=POSTING_GET),
        Fault("reset", path=POSTING_GET, times=http.READ_ATTEMPTS - 1),
        Fault("malformed_json", path=POSTING_LIST),
        Fault("http_502", path=POSTING_LIST),
        Fault("timeout", path=REVIEWS),
    ],
    ids=["posting-lost-reply", "posting-resets", "list-cut-short", "list-502", "reviews-timeout"],
)
def test_a_lost_answer_to_a_read_is_asked_again_within_the_cycle(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, fault: Fault
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(fault)
    emu.advance(60)
    result = engine.run_cycle()
    assert result.ok, result.error
    assert emu.faults == []  # the fault did hit
    assert len(applied(emu, SHIP, number)) == 1 and entry_of(ctx, entry.key).state is OutboxState.DONE


def test_a_lost_reply_to_a_ship_costs_that_ship_only_and_it_is_rechecked_not_resent(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    first, second = fbs_to_pack(ctx), ""
    one = shipping.queue_ship(ctx.db, emu, first)
    second = fbs_to_pack(ctx)
    two = shipping.queue_ship(ctx.db, emu, second)
    emu.add_fault(Fault("lost_reply", path=SHIP))  # Ozon applies the first ship; its answer is lost
    emu.advance(60)
    result = engine.run_cycle()
    assert result.ok and result.reviews >= 0  # the cycle went on: the other ship and the pulls after
    assert len(applied(emu, SHIP, first)) == 1 and len(applied(emu, SHIP, second)) == 1
    waiting = entry_of(ctx, one.key)
    assert waiting.state is OutboxState.PENDING and waiting.ambiguous
    assert entry_of(ctx, two.key).state is OutboxState.DONE
    emu.advance(400)
    engine.run_cycle()
    assert entry_of(ctx, one.key).state is OutboxState.DONE
    assert len(applied(emu, SHIP, first)) == 1  # re-checked on Ozon, never sent again


def test_a_429_still_stops_the_cycle_and_pauses_the_client(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(Fault("rate_limit", path=POSTING_LIST, retry_after=30))
    emu.advance(60)
    start = emu.now()
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == "offline"
    assert applied(emu, SHIP, number) == []  # nothing after the 429, not even the urgent push
    assert (entry_of(ctx, entry.key).next_attempt_at - start).total_seconds() >= 30
    assert engine.pause.active()


def test_a_read_left_unanswered_on_a_link_that_answers_fails_its_area_only(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    shipping.queue_ship(ctx.db, emu, number)
    # Every attempt at the reviews fails, but not three in a row without an answer (the 500 answers).
    emu.add_fault(Fault("reset", path=REVIEWS))
    emu.add_fault(Fault("http_500", path=REVIEWS))
    emu.add_fault(Fault("reset", path=REVIEWS))
    emu.advance(60)
    result = engine.run_cycle()
    assert not result.ok and result.error.startswith("reviews") and result.error_kind == "offline"
    assert result.online and len(applied(emu, SHIP, number)) == 1


def test_a_link_that_answers_nothing_ends_the_cycle_after_a_few_tries(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    shipping.queue_ship(ctx.db, emu, fbs_to_pack(ctx))
    emu.add_fault(Fault("reset", path="*", times=100))
    emu.advance(60)
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == "offline" and not result.online
    assert emu.faults[0]["remaining"] == 100 - http.LINK_DOWN_AFTER  # not one timeout per action


def test_a_ship_ozon_refuses_because_the_posting_was_cancelled_closes_its_label_actions(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, events: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    with ctx.db.write() as s:
        labels.request_label(s, number, emu.now())  # printed before packing: a fetch ahead of the ship
    ship = shipping.queue_ship(ctx.db, emu, number)
    with ctx.db.write() as s:
        labels.queue_split_labels(s, number, 2, emu.now())
    real_ship = engine.client.ship

    def cancelled_meanwhile(posting_number: str, packages: Any) -> list[str]:
        emu.cancel_posting(posting_number)  # the buyer cancels between our read and our call
        return real_ship(posting_number, packages)

    monkeypatch.setattr(engine.client, "ship", cancelled_meanwhile)
    emu.advance(60)
    result = engine.run_cycle()
    assert applied(emu, SHIP, number) == [] and result.conflicts == 1
    refused = entry_of(ctx, ship.key)
    assert refused.state is OutboxState.CONFLICT and refused.refusal is Refusal.CANCELLED
    with ctx.db.read() as s:
        rest = [e for e in outbox.entries(s, target_id=number) if e.key != ship.key]
    assert {e.action for e in rest} == {ActionKind.FETCH_LABEL, ActionKind.LABEL_SPLIT_PARTS}
    assert all(e.state is OutboxState.DONE and "cancelled" in e.last_error for e in rest)
    emu.advance(400)
    later = engine.run_cycle()
    assert later.conflicts == 0  # no second conflict from the label or the further boxes
    with ctx.db.read() as s:
        assert outbox.pending_counts(s) == (0, 1)
        assert all(e.target_kind is TargetKind.POSTING for e in outbox.entries(s, (OutboxState.CONFLICT,)))


def test_a_cancel_ozon_refuses_as_already_cancelled_is_done(
    engine: SyncEngine, emu: Emulator, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    with ctx.db.write() as s:
        entry = outbox.enqueue(s, ActionKind.CANCEL, TargetKind.POSTING, number, {"reason_id": 352}, emu.now())
    real_cancel = engine.client.cancel

    def cancelled_meanwhile(posting_number: str, reason_id: int, message: str = "") -> None:
        emu.cancel_posting(posting_number)
        real_cancel(posting_number, reason_id, message)

    monkeypatch.setattr(engine.client, "cancel", cancelled_meanwhile)
    emu.advance(60)
    result = engine.run_cycle()
    assert result.conflicts == 0 and entry_of(ctx, entry.key).state is OutboxState.DONE


def test_a_500_on_every_call_is_ozons_trouble_not_an_unreadable_answer(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    entry = shipping.queue_ship(ctx.db, emu, number)
    emu.add_fault(Fault("http_500", path="*", times=None))
    emu.advance(60)
    result = engine.run_cycle()
    assert not result.ok and result.error_kind == "server" and result.online
    assert "protocol" not in result.summary()
    waiting = entry_of(ctx, entry.key)
    assert waiting.state is OutboxState.PENDING and "500" in waiting.last_error  # retried later, not refused


class HtmlError(BaseAdapter):
    """A proxy in front of Ozon answering 500 with an HTML page."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = 500
        response.headers["Content-Type"] = "text/html"
        response._content = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release."""


def test_a_500_with_an_html_page_is_a_server_error(client: Any) -> None:
    client.session.mount(BASE + "/", HtmlError())
    with pytest.raises(ServerError) as err:
        client.get_posting("1-1-1")
    assert err.value.status == 500 and err.value.transient


def test_the_early_push_keeps_each_postings_order(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    engine.run_cycle()
    number = fbs_to_pack(ctx)
    with ctx.db.write() as s:  # an action that is not pushed early, queued before the ship
        outbox.enqueue(s, ActionKind.LABEL_SPLIT_PARTS, TargetKind.POSTING, number, {"parts": 1}, emu.now())
    shipping.queue_ship(ctx.db, emu, number)
    emu.advance(60)
    engine.run_cycle()
    assert applied(emu, SHIP, number) == []  # the ship waits for the action ahead of it
