"""rFBS: Ozon's approval, tracking numbers, and the delivery steps in order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sync.emulator import Emulator

from .conftest import BASE, START, Api, make_emulator, session_for, ship_body


def step(api: Api, name: str, *numbers: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = api.ok(f"/v2/fbs/posting/{name}", {"posting_number": list(numbers)})["result"]
    return result


def test_rfbs_delivery_steps_in_order(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, rfbs=True)
    posting = api.ok("/v3/posting/fbs/get", {"posting_number": number})["result"]
    assert posting["tpl_integration_type"] == "non_integrated"
    assert posting["customer"]["address"]["city"]  # legacy v3 shows the buyer only for rFBS
    api.ok("/v4/posting/fbs/ship", ship_body(emu, number))
    tracking = api.ok(
        "/v2/fbs/posting/tracking-number/set",
        {"tracking_numbers": [{"posting_number": number, "tracking_number": "80085012345678"}]},
    )
    assert tracking["result"] == [{"posting_number": number, "result": True, "error": ""}]
    assert emu.posting(number)["tracking_number"] == "80085012345678"
    assert step(api, "delivering", number)[0]["result"] is True
    state = emu.posting(number)
    assert state["status"] == "delivering" and state["delivering_date"] is not None
    assert step(api, "last-mile", number)[0]["result"] is True
    assert emu.posting(number)["substatus"] == "posting_in_courier_service"
    assert step(api, "delivered", number)[0]["result"] is True
    assert emu.posting(number)["status"] == "delivered"
    methods = [e["method"] for e in emu.log]
    assert methods == [
        "/v4/posting/fbs/ship",
        "/v2/fbs/posting/tracking-number/set",
        "/v2/fbs/posting/delivering",
        "/v2/fbs/posting/last-mile",
        "/v2/fbs/posting/delivered",
    ]


def test_wrong_order_and_wrong_integration_are_refused_per_posting(api: Api, emu: Emulator) -> None:
    (packing,) = emu.create_postings(1, rfbs=True)
    (shipped,) = emu.create_postings(1, status="awaiting_deliver", rfbs=True)
    (fbs,) = emu.create_postings(1, status="awaiting_deliver")
    results = step(api, "delivered", shipped, fbs, "000-0000-1")
    assert [(r["result"], r["error"]) for r in results] == [
        (False, "TRANSITION_IS_NOT_POSSIBLE"),
        (False, "HAS_INCORRECT_TPL_INTEGRATION_TYPE"),
        (False, "POSTING_NOT_FOUND"),
    ]
    assert step(api, "last-mile", shipped)[0]["error"] == "TRANSITION_IS_NOT_POSSIBLE"
    assert step(api, "delivering", packing)[0]["error"] == "TRANSITION_IS_NOT_POSSIBLE"
    assert [r["result"] for r in step(api, "delivering", shipped, packing)] == [True, False]
    step(api, "last-mile", shipped)
    assert step(api, "last-mile", shipped)[0]["error"] == "TRANSITION_IS_NOT_POSSIBLE"
    assert [e["posting_number"] for e in emu.log] == [shipped, shipped]  # only the applied ones


def test_ozon_approves_a_created_posting_after_ten_minutes(api: Api, emu: Emulator) -> None:
    kept, cancelled = emu.create_postings(2, status="awaiting_approve", rfbs=True)
    assert api.error("/v4/posting/fbs/ship", ship_body(emu, kept), 400)["message"] == "HAS_INCORRECT_STATUS"
    emu.cancel_posting(cancelled, reason_id=501)
    emu.advance(599)
    assert emu.posting(kept)["status"] == "awaiting_approve"
    emu.advance(1)
    state = emu.posting(kept)
    assert state["status"] == "awaiting_packaging" and state["status_changed_at"] == START + timedelta(minutes=10)
    assert emu.posting(cancelled)["status"] == "cancelled"
    assert emu.log == []  # Ozon's doing, not a seller call
    api.ok("/v4/posting/fbs/ship", ship_body(emu, kept))


def test_seeded_postings_awaiting_approval_are_approved_within_half_an_hour() -> None:
    emu = make_emulator(postings=1000)
    api = Api(session_for(emu), BASE)
    body = {
        "limit": 100,
        "filter": {
            "cutoff_from": "2026-01-01T00:00:00Z",
            "cutoff_to": "2027-01-01T00:00:00Z",
            "statuses": ["awaiting_approve"],
        },
    }
    waiting = [p["posting_number"] for p in api.ok("/v4/posting/fbs/unfulfilled/list", body)["postings"]]
    assert len(waiting) >= 5
    emu.advance(119)
    assert all(emu.posting(n)["status"] == "awaiting_approve" for n in waiting)
    emu.advance(30 * 60 - 119)
    assert {emu.posting(n)["status"] for n in waiting} == {"awaiting_packaging"}
    assert len({emu.posting(n)["status_changed_at"] for n in waiting}) == len(waiting), "each at its own moment"


def test_free_text_is_escaped_in_the_json(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="awaiting_deliver", rfbs=True)
    tricky = 'RA "644"\\ трек\n'
    api.ok(
        "/v2/fbs/posting/tracking-number/set",
        {"tracking_numbers": [{"posting_number": number, "tracking_number": tricky}]},
    )
    page = api.ok(
        "/v4/posting/fbs/list",
        {
            "limit": 10,
            "filter": {"since": "2026-05-01T00:00:00Z", "to": "2026-06-01T00:00:00Z", "order_numbers": [number[:-2]]},
        },
    )
    assert page["postings"][0]["tracking_number"] == tricky
