"""Returns: FBS/FBO items in /v1/returns/list, rFBS return requests and their actions."""

from __future__ import annotations

from typing import Any

import pytest

from sync.emulator import Emulator

from .conftest import Api

RANGE = {"time_from": "2026-01-01T00:00:00Z", "time_to": "2026-06-01T00:00:00Z"}
ACTION = "/v1/returns/rfbs/action/set"


def all_returns(api: Api, **filters: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    last_id = 0
    while True:
        page = api.ok("/v1/returns/list", {"filter": filters, "limit": 5, "last_id": last_id})
        out += page["returns"]
        if not page["has_next"]:
            return out
        last_id = page["returns"][-1]["id"]


def test_fbs_and_fbo_returns_page_by_last_id(api: Api, emu: Emulator) -> None:
    returns = all_returns(api, visual_status_change_moment=RANGE)
    ids = [r["id"] for r in returns]
    assert ids == sorted(set(ids)) and len(ids) > 5
    assert {r["schema"] for r in returns} == {"Fbs", "Fbo"}
    r = returns[0]
    assert {"id", "posting_number", "order_id", "type", "schema", "product", "visual", "logistic", "storage",
            "place", "additional_info", "exemplars"} <= set(r)
    assert r["product"]["price"]["currency_code"] == "RUB" and isinstance(r["visual"]["status"]["id"], int)
    fbo = all_returns(api, return_schema="fbo")
    assert fbo and {x["schema"] for x in fbo} == {"Fbo"}
    two = {"visual_status_change_moment": RANGE, "logistic_return_date": RANGE}
    assert api.error("/v1/returns/list", {"filter": two, "limit": 10}, 400)["code"] == 3
    assert "limit" in api.error("/v1/returns/list", {"limit": 501}, 400)["message"]


def test_open_return_adds_an_fbs_item(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="delivered")
    with pytest.raises(ValueError, match="only rFBS"):
        emu.open_return(number, kind="rfbs")
    return_id = emu.open_return(number)
    (item,) = all_returns(api, posting_numbers=[number])
    assert item["id"] == return_id and item["type"] == "ClientReturn"
    (packing,) = emu.create_postings(1)
    with pytest.raises(ValueError):
        emu.open_return(packing)


def test_rfbs_return_request_flow(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="delivered", rfbs=True)
    return_id = emu.open_return(number, kind="rfbs")
    listed = api.ok("/v2/returns/rfbs/list", {"filter": {"posting_number": number}, "limit": 10})["returns"]
    assert [r["return_id"] for r in listed] == [return_id]
    assert listed[0]["state"]["state"] == "ON_APPROVAL" and listed[0]["state"]["group_state"] == "New"
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert {a["id"] for a in got["available_actions"]} == {1, -1, 1020, 3}
    assert got["rejection_reason"] and got["return_reason"]["name"]
    assert api.error(ACTION, {"return_id": return_id, "id": 2}, 400)["message"] == "TRANSITION_IS_NOT_POSSIBLE"
    assert api.ok(ACTION, {"return_id": return_id, "id": 1}) == {}
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert got["state"]["state"] == "AWAITING_RETURN" and [a["id"] for a in got["available_actions"]] == [2]
    api.ok(ACTION, {"return_id": return_id, "id": 2})
    assert "comment" in api.error(ACTION, {"return_id": return_id, "id": -10}, 400)["message"]
    api.ok(ACTION, {"return_id": return_id, "id": 3, "return_for_back_way": 0})
    final = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert final["state"]["group_state"] == "Approved" and final["available_actions"] == []
    assert [e["return_id"] for e in emu.log] == [return_id] * 3
    delivering = api.ok("/v2/returns/rfbs/list", {"filter": {"group_state": ["Approved"]}, "limit": 100})["returns"]
    assert return_id in {r["return_id"] for r in delivering}


def test_rfbs_reject_and_compensate(api: Api, emu: Emulator) -> None:
    numbers = emu.create_postings(2, status="delivered", rfbs=True)
    first, second = (emu.open_return(n, kind="rfbs") for n in numbers)
    assert "rejection_reason_id" in api.error(ACTION, {"return_id": first, "id": -1, "comment": "Б/у"}, 400)["message"]
    api.ok(ACTION, {"return_id": first, "id": -1, "comment": "Следы использования", "rejection_reason_id": 1})
    assert api.ok("/v2/returns/rfbs/get", {"return_id": first})["returns"]["rejection_comment"] == \
        "Следы использования"
    assert "compensation_amount" in api.error(ACTION, {"return_id": second, "id": 1020}, 400)["message"]
    api.ok(ACTION, {"return_id": second, "id": 1020, "compensation_amount": "100.50"})
    assert api.ok("/v2/returns/rfbs/get", {"return_id": second})["returns"]["state"]["state"] == \
        "COMPENSATION_OFFERED"
    assert api.error("/v2/returns/rfbs/get", {"return_id": 1}, 404)["code"] == 5
    assert [e["method"] for e in emu.log] == [ACTION, ACTION]


def test_seeded_rfbs_requests_in_several_states(api: Api) -> None:
    returns = api.ok("/v2/returns/rfbs/list", {"limit": 100})["returns"]
    assert len({r["state"]["state"] for r in returns}) >= 3
    ids = [r["return_id"] for r in returns]
    page = api.ok("/v2/returns/rfbs/list", {"limit": 2, "last_id": ids[1]})["returns"]
    assert [r["return_id"] for r in page] == ids[2:4]
