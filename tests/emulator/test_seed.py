"""Seed data: deterministic, realistic, with valid barcodes; the product endpoints that expose it."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sync.emulator import Emulator
from sync.emulator.codes import ean13_check_digit, is_valid_ean13

from .conftest import BASE, START, Api, make_emulator, session_for

LIST = {
    "limit": 100,
    "filter": {"since": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
    "with": {"analytics_data": True, "financial_data": True, "barcodes": True},
}


def snapshot(emu: Emulator) -> tuple[bytes, ...]:
    session = session_for(emu)
    paths = ("/v4/posting/fbs/list", "/v3/chat/list", "/v2/review/list", "/v1/returns/list", "/v3/product/list")
    bodies = (LIST, {"limit": 100}, {"limit": 100}, {"limit": 500}, {"limit": 1000})
    return tuple(session.post(BASE + p, json=b).content for p, b in zip(paths, bodies, strict=True))


def test_same_seed_same_world_other_seed_other_world() -> None:
    assert snapshot(make_emulator(seed=11)) == snapshot(make_emulator(seed=11))
    assert snapshot(make_emulator(seed=11))[0] != snapshot(make_emulator(seed=12))[0]


def test_ean13_check_digit() -> None:
    assert ean13_check_digit("460123456789") == "3"
    assert ean13_check_digit("400638133393") == "1"  # a well-known real code: 4006381333931
    assert is_valid_ean13("4006381333931") and not is_valid_ean13("4006381333932")


def test_products_have_valid_barcodes_and_offer_ids(api: Api) -> None:
    listed = api.ok("/v3/product/list", {"limit": 15})["result"]
    assert len(listed["items"]) == 15 and listed["total"] >= 40
    rest = api.ok("/v3/product/list", {"limit": 1000, "last_id": listed["last_id"]})["result"]["items"]
    ids = [i["product_id"] for i in listed["items"] + rest]
    assert len(ids) == len(set(ids)) == listed["total"]
    items = api.ok("/v3/product/info/list", {"product_id": ids})["items"]
    assert len(items) == len(ids)
    eans, ozn, prefixes = 0, 0, set()
    for item in items:
        assert re.fullmatch(r"PD-[A-Z]+-\d{3}", item["offer_id"]) and item["name"]
        assert 1 <= len(item["barcodes"]) <= 2 and item["primary_image"][0].startswith("https://")
        assert re.fullmatch(r"\d+\.\d\d", item["price"]) and item["currency_code"] == "RUB"
        for code in item["barcodes"]:
            if code.startswith("OZN"):
                assert re.fullmatch(r"OZN\d{9,12}", code)
                ozn += 1
            else:
                assert is_valid_ean13(code), code
                prefixes.add(code[:2])
                eans += 1
    assert eans > ozn > 0 and {"46", "69"} <= prefixes
    by_sku = api.ok("/v3/product/info/list", {"sku": [items[0]["sku"]]})["items"]
    by_offer = api.ok("/v3/product/info/list", {"offer_id": [items[0]["offer_id"]]})["items"]
    assert by_sku[0]["id"] == by_offer[0]["id"] == items[0]["id"]
    assert api.error("/v3/product/info/list", {"sku": [1], "offer_id": ["x"]}, 400)["code"] == 3


def test_a_big_shop_builds() -> None:
    emu = Emulator(seed=5, postings=20_000, start=START)
    state = emu.state()
    assert state["postings"] == 20_000 and state["statuses"]["awaiting_packaging"] > 5000


def test_live_mode_brings_new_postings_and_messages() -> None:
    emu = make_emulator(live=True, postings=50)
    api = Api(session_for(emu), BASE)
    before = emu.state()
    emu.advance(3 * 3600)
    after = emu.state()
    assert after["postings"] > before["postings"] + 10
    assert after["unread_messages"] > before["unread_messages"]
    assert emu.log == []  # arrivals are not seller actions
    fresh = api.ok(
        "/v4/posting/fbs/unfulfilled/list",
        {
            "limit": 100,
            "filter": {
                "cutoff_from": "2026-05-14T00:00:00Z",
                "cutoff_to": "2026-05-20T00:00:00Z",
                "statuses": ["awaiting_packaging"],
            },
        },
    )
    assert fresh["count"] > 0


def test_speed_runs_the_clock() -> None:
    emu = make_emulator(postings=5, speed=3600.0)
    start = emu.now()
    (number,) = emu.create_postings(1)
    session = session_for(emu)
    body = {
        "posting_number": number,
        "packages": [
            {"products": [{"product_id": p["sku"], "quantity": p["quantity"]} for p in emu.posting(number)["products"]]}
        ],
    }
    assert session.post(BASE + "/v4/posting/fbs/ship", json=body).status_code == 200
    time.sleep(0.05)  # 180 s of emulator time: the label is ready
    assert emu.now() > start
    assert emu.posting(number)["label_ready"]


def test_the_demo_has_buyers_waiting_under_four_hours_and_under_one() -> None:
    """The reply clock's orange and red show in the demo, not only the calm hours of the day."""
    emu = make_emulator(seed=1)
    now = emu.now()
    left = []
    for chat in emu._store.chats.values():
        if chat.chat_type != "BUYER_SELLER" or not chat.messages or chat.messages[-1].user_type != "Customer":
            continue
        answered = [i for i, m in enumerate(chat.messages) if m.user_type == "Seller"]
        first_waiting = chat.messages[answered[-1] + 1 if answered else 0]
        left.append((first_waiting.created_at + timedelta(hours=24) - now).total_seconds() / 3600)
    assert any(1 < hours < 4 for hours in left) and any(0 < hours < 1 for hours in left), sorted(left)
