"""Returns: FBS/FBO items in /v1/returns/list, rFBS return requests and their actions."""

from __future__ import annotations

from datetime import datetime, timedelta
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
    assert {
        "id",
        "posting_number",
        "order_id",
        "type",
        "schema",
        "product",
        "visual",
        "logistic",
        "storage",
        "place",
        "additional_info",
        "exemplars",
    } <= set(r)
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


def actions(api: Api, return_id: int) -> dict[int, str]:
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert all(set(a) == {"action"} and set(a["action"]) == {"id", "name"} for a in got["available_actions"])
    return {a["action"]["id"]: a["action"]["name"] for a in got["available_actions"]}


def test_rfbs_return_request_flow(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="delivered", rfbs=True)
    return_id = emu.open_return(number, kind="rfbs")
    listed = api.ok("/v2/returns/rfbs/list", {"filter": {"posting_number": number}, "limit": 10})
    assert set(listed) == {"returns"}  # no has_next: page by last_id until an empty page
    assert [r["return_id"] for r in listed["returns"]] == [return_id]
    assert listed["returns"][0]["state"]["state"] == "ON_APPROVAL"
    assert listed["returns"][0]["state"]["group_state"] == "New"
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert got["rejection_reason"] and got["return_reason"]["name"]
    on_approval = actions(api, return_id)
    assert on_approval == {
        7001: "Одобрить и запросить товар у покупателя",
        7002: "Вернуть деньги без возврата товара",
        1020: "Предложить частичную компенсацию",
        -1: "Отклонить заявку",
    }
    for retired_id in (1, 2, 3):  # the old ids are nobody's: a client must read them from available_actions
        assert "id" in api.error(ACTION, {"return_id": return_id, "id": retired_id}, 400)["message"]
    assert api.error(ACTION, {"return_id": return_id, "id": 7003}, 400)["message"] == "TRANSITION_IS_NOT_POSSIBLE"
    assert api.ok(ACTION, {"return_id": return_id, "id": 7001, "return_method_description": "Почтой России"}) == {}
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert got["state"]["state"] == "AWAITING_RETURN" and got["return_method_description"] == "Почтой России"
    assert set(actions(api, return_id)) == {7003, 7002}
    api.ok(ACTION, {"return_id": return_id, "id": 7003})
    assert set(actions(api, return_id)) == {7004, 1020, -10}
    assert "comment" in api.error(ACTION, {"return_id": return_id, "id": -10}, 400)["message"]
    api.ok(ACTION, {"return_id": return_id, "id": 7004, "return_for_back_way": 0})
    final = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert final["state"]["group_state"] == "Approved" and final["available_actions"] == []
    assert [e["return_id"] for e in emu.log] == [return_id] * 3
    approved = api.ok("/v2/returns/rfbs/list", {"filter": {"group_state": ["Approved"]}, "limit": 100})["returns"]
    assert return_id in {r["return_id"] for r in approved}


def test_a_refund_without_the_item(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="delivered", rfbs=True)
    return_id = emu.open_return(number, kind="rfbs")
    api.ok(ACTION, {"return_id": return_id, "id": 7002})
    got = api.ok("/v2/returns/rfbs/get", {"return_id": return_id})["returns"]
    assert got["state"]["state"] == "MONEY_RETURNED" and got["available_actions"] == []


def test_rfbs_reject_and_compensate(api: Api, emu: Emulator) -> None:
    numbers = emu.create_postings(2, status="delivered", rfbs=True)
    first, second = (emu.open_return(n, kind="rfbs") for n in numbers)
    assert "rejection_reason_id" in api.error(ACTION, {"return_id": first, "id": -1, "comment": "Б/у"}, 400)["message"]
    api.ok(ACTION, {"return_id": first, "id": -1, "comment": "Следы использования", "rejection_reason_id": 1})
    assert api.ok("/v2/returns/rfbs/get", {"return_id": first})["returns"]["rejection_comment"] == "Следы использования"
    assert "compensation_amount" in api.error(ACTION, {"return_id": second, "id": 1020}, 400)["message"]
    api.ok(ACTION, {"return_id": second, "id": 1020, "compensation_amount": "100.50"})
    assert api.ok("/v2/returns/rfbs/get", {"return_id": second})["returns"]["state"]["state"] == "COMPENSATION_OFFERED"
    assert api.error("/v2/returns/rfbs/get", {"return_id": 1}, 404)["code"] == 5
    assert [e["method"] for e in emu.log] == [ACTION, ACTION]


def test_seeded_rfbs_requests_in_several_states(api: Api) -> None:
    returns = api.ok("/v2/returns/rfbs/list", {"limit": 100})["returns"]
    assert len({r["state"]["state"] for r in returns}) >= 3
    assert all(
        a["action"]["id"] not in (1, 2, 3)
        for r in returns
        for a in api.ok("/v2/returns/rfbs/get", {"return_id": r["return_id"]})["returns"]["available_actions"]
    )
    ids = [r["return_id"] for r in returns]
    page = api.ok("/v2/returns/rfbs/list", {"limit": 2, "last_id": ids[1]})["returns"]
    assert [r["return_id"] for r in page] == ids[2:4]


def test_seeded_requests_awaiting_a_decision_are_within_ozons_three_days(api: Api, emu: Emulator) -> None:
    """Ozon decides a request nobody answers after 3 days, so one still on approval is younger: the demo
    shows requests the seller can decide (they were all overdue: created days or weeks after delivery)."""
    returns = api.ok("/v2/returns/rfbs/list", {"limit": 100})["returns"]
    waiting = [r for r in returns if r["state"]["state"] == "ON_APPROVAL"]
    assert waiting
    now = emu.now()
    for r in waiting:
        created = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
        assert now - timedelta(days=3) < created <= now, (r["return_id"], r["created_at"])
