"""Reading postings: auth, errors, v4 cursor lists, v3 get and get-by-barcode."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import requests

from sync.emulator import Emulator, EmulatorAdapter

from .conftest import BASE, START, Api, make_emulator, session_for, unfulfilled_body

V4_KEYS = {
    "posting_number",
    "order_id",
    "order_number",
    "parent_posting_number",
    "status",
    "substatus",
    "in_process_at",
    "shipment_date",
    "shipment_date_without_delay",
    "delivering_date",
    "delivery_method",
    "tracking_number",
    "tpl_integration_type",
    "integration_type_flow",
    "delivery_schema",
    "is_express",
    "is_multibox",
    "multi_box_qty",
    "products",
    "barcodes",
    "scanit",
    "addressee",
    "customer",
    "analytics_data",
    "financial_data",
    "legal_info",
    "cancellation",
    "requirements",
    "optional",
    "available_actions",
    "tariffication",
    "tariffication_steps",
    "container",
    "container_sort_type",
    "sorting_center",
    "quantum_id",
    "pickup_code_verified_at",
    "prr_option",
    "is_click_and_collect",
    "is_presortable",
    "destination_place_id",
    "destination_place_name",
    "external_order",
    "require_blr_traceable_attrs",
    "volume_weight",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$")
LIST_FILTER = {"since": "2026-03-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}
LIST_BODY: dict[str, Any] = {"limit": 100, "filter": LIST_FILTER}


def all_pages(api: Api, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        page = api.ok(path, body)
        out += page["postings"]
        if not page["has_next"]:
            return out
        body = dict(body, cursor=page["cursor"])


def test_wrong_or_missing_credentials_are_refused(emu: Emulator) -> None:
    session = requests.Session()
    session.mount(BASE + "/", EmulatorAdapter(emu))
    for headers in ({"Client-Id": "123456", "Api-Key": "wrong"}, {"Api-Key": "test-key"}, {}):
        r = session.post(BASE + "/v1/roles", json={}, headers=headers)
        assert r.status_code == 403
        assert r.json() == {"code": 7, "message": "Invalid Api-Key, please contact support", "details": []}


def test_unknown_method_bad_verb_and_bad_bodies(api: Api) -> None:
    assert api.error("/v9/nothing/here", {}, 404) == {"code": 5, "message": "method not found", "details": []}
    r = api.session.get(api.base + "/v1/roles")
    assert r.status_code == 405 and r.json()["code"] == 12
    r = api.session.post(api.base + "/v1/roles", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 3
    assert api.error("/v1/roles", [1, 2], 400)["code"] == 3
    roles = api.ok("/v1/roles")  # an empty body counts as {}
    assert roles["expires_at"] == "2026-08-12T08:00:00Z" and "/v4/posting/fbs/ship" in roles["roles"][0]["methods"]


def test_v4_unfulfilled_cursor_paging_survives_inserts_between_pages() -> None:
    emu = make_emulator(postings=0)
    api = Api(session_for(emu), BASE)
    first = set(emu.create_postings(250))
    body = unfulfilled_body(limit=100)
    page1 = api.ok("/v4/posting/fbs/unfulfilled/list", body)
    assert page1["count"] == 250 and page1["has_next"] and len(page1["postings"]) == 100
    # New postings arrive between pages: their shipment dates fall before and after the cursor.
    late = set(emu.create_postings(30))
    seen = [p["posting_number"] for p in page1["postings"]]
    cursor = page1["cursor"]
    while True:
        page = api.ok("/v4/posting/fbs/unfulfilled/list", dict(body, cursor=cursor))
        assert page["count"] == 280
        seen += [p["posting_number"] for p in page["postings"]]
        if not page["has_next"]:
            break
        cursor = page["cursor"]
    assert len(seen) == len(set(seen)), "a posting came twice"
    assert first <= set(seen), "a posting was skipped"
    assert set(seen) <= first | late
    keys = [(emu.posting(n)["shipment_date"], n) for n in seen]
    first_page_keys, rest = keys[:100], keys[100:]
    assert first_page_keys == sorted(first_page_keys) and rest == sorted(rest)
    assert max(first_page_keys) < min(rest)


def test_v4_unfulfilled_desc_lowercase_and_status_filter(api: Api, emu: Emulator) -> None:
    body = unfulfilled_body(
        sort_dir="desc",
        limit=50,
        filter={
            "cutoff_from": "2026-05-01T00:00:00Z",
            "cutoff_to": "2026-06-01T00:00:00Z",
            "statuses": ["awaiting_packaging"],
        },
    )
    postings = all_pages(api, "/v4/posting/fbs/unfulfilled/list", body)
    assert postings and {p["status"] for p in postings} == {"awaiting_packaging"}
    keys = [(p["shipment_date"], p["posting_number"]) for p in postings]
    assert keys == sorted(keys, reverse=True)
    everything = all_pages(api, "/v4/posting/fbs/unfulfilled/list", unfulfilled_body())
    statuses = {p["status"] for p in everything}
    assert "delivered" not in statuses and "cancelled" not in statuses and "awaiting_deliver" in statuses


def test_v4_unfulfilled_validation_names_the_field(api: Api) -> None:
    path = "/v4/posting/fbs/unfulfilled/list"
    assert "cutoff_from" in api.error(path, unfulfilled_body(filter={}), 400)["message"]
    both = {
        "cutoff_from": "2026-05-01T00:00:00Z",
        "cutoff_to": "2026-06-01T00:00:00Z",
        "delivering_date_from": "2026-05-01T00:00:00Z",
        "delivering_date_to": "2026-06-01T00:00:00Z",
    }
    assert api.error(path, unfulfilled_body(filter=both), 400)["code"] == 3
    for limit in (0, 101):
        assert "limit" in api.error(path, unfulfilled_body(limit=limit), 400)["message"]
    bad_status = {"cutoff_from": "2026-05-01T00:00:00Z", "cutoff_to": "2026-06-01T00:00:00Z", "statuses": ["delivered"]}
    assert "statuses" in api.error(path, unfulfilled_body(filter=bad_status), 400)["message"]
    assert "cursor" in api.error(path, unfulfilled_body(cursor="!!not base64"), 400)["message"]
    delivering = {"delivering_date_from": "2026-05-01T00:00:00Z", "delivering_date_to": "2026-06-01T00:00:00Z"}
    assert api.ok(path, unfulfilled_body(filter=delivering))["count"] > 0


def test_v4_posting_shape_and_with_blocks(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    page = api.ok(
        "/v4/posting/fbs/list",
        dict(
            LIST_BODY,
            filter={"since": "2026-03-01T00:00:00Z", "to": "2026-06-01T00:00:00Z", "order_numbers": [number[:-2]]},
        ),
    )
    (bare,) = page["postings"]
    assert set(bare) == V4_KEYS
    for block in ("analytics_data", "financial_data", "legal_info", "barcodes"):
        assert bare[block] is None
    assert bare["delivery_schema"] == "fbs" and bare["tpl_integration_type"] == "ozon"
    assert isinstance(bare["order_id"], int) and isinstance(bare["delivery_method"]["id"], int)
    assert isinstance(bare["products"][0]["sku"], int)
    assert re.fullmatch(r"\d+\.\d\d", bare["products"][0]["price"]["amount"])
    assert bare["products"][0]["price"]["currency"] == "RUB"
    assert {"ship", "cancel"} <= set(bare["available_actions"])
    full = api.ok(
        "/v4/posting/fbs/list",
        dict(
            LIST_BODY,
            filter={"since": "2026-03-01T00:00:00Z", "to": "2026-06-01T00:00:00Z", "order_numbers": [number[:-2]]},
            **{"with": {"analytics_data": True, "financial_data": True, "legal_info": True, "barcodes": True}},
        ),
    )
    (posting,) = full["postings"]
    assert posting["barcodes"] == emu.posting(number)["barcodes"]
    assert posting["analytics_data"]["warehouse_id"] == posting["delivery_method"]["warehouse_id"]
    assert posting["financial_data"]["products"][0]["product_id"] == posting["products"][0]["sku"]
    assert set(posting["legal_info"]) == {"company_name", "inn", "kpp"}


def test_seeded_v4_postings_are_realistic(api: Api) -> None:
    postings = all_pages(api, "/v4/posting/fbs/list", dict(LIST_BODY, **{"with": {"barcodes": True}}))
    assert len(postings) == 300
    new_labels_only = 0
    for p in postings:
        assert re.fullmatch(r"\d{8,10}-\d{4}-\d+", p["posting_number"])
        assert p["posting_number"].startswith(p["order_number"] + "-")
        assert re.fullmatch(r"ii\d{10}", p["scanit"])
        if p["barcodes"] == {"upper_barcode": "0", "lower_barcode": "0"}:  # on Ozon's new labels only
            new_labels_only += 1
        else:
            assert re.fullmatch(r"%101%\d{9,12}", p["barcodes"]["upper_barcode"])
            assert re.fullmatch(r"\d{14}", p["barcodes"]["lower_barcode"])
        for key in ("in_process_at", "shipment_date", "delivering_date"):
            assert p[key] is None or TIMESTAMP.match(p[key]), p[key]
        if p["status"] == "cancelled":
            assert p["cancellation"]["cancel_reason_id"] > 0 and p["cancellation"]["cancel_reason"]
            assert "ship" not in p["available_actions"]
        if p["tpl_integration_type"] == "non_integrated":
            assert p["delivery_schema"] == "rfbs"
        if p["status"] == "awaiting_approve":
            assert p["tpl_integration_type"] == "non_integrated"
    assert 100 < new_labels_only < 200, "about half"
    styles = {len(p["in_process_at"]) for p in postings}
    assert len(styles) >= 3, "timestamps should mix fractional-second styles"
    statuses = {p["status"] for p in postings}
    assert {
        "awaiting_packaging",
        "awaiting_deliver",
        "delivering",
        "delivered",
        "cancelled",
        "awaiting_approve",
        "arbitration",
    } <= statuses
    shipment = sorted(p["shipment_date"] for p in postings if p["status"] == "awaiting_packaging")
    assert shipment[0] < "2026-05-14T08:00:00Z" < shipment[-1], "from overdue to the coming days"
    rfbs_methods = {p["delivery_method"]["name"].split(",")[0] for p in postings if p["delivery_schema"] == "rfbs"}
    assert rfbs_methods == {"Собственная доставка", "Почта России"}


def test_v4_list_filters(api: Api, emu: Emulator) -> None:
    path = "/v4/posting/fbs/list"
    assert "since" in api.error(path, {"limit": 10, "filter": {"to": "2026-06-01T00:00:00Z"}}, 400)["message"]
    too_long = {"since": "2024-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}
    assert api.error(path, {"limit": 10, "filter": too_long}, 400)["code"] == 3
    cancelled = all_pages(api, path, dict(LIST_BODY, filter=dict(LIST_FILTER, statuses=["cancelled"])))
    assert cancelled and {p["status"] for p in cancelled} == {"cancelled"}
    assert "count" not in api.ok(path, LIST_BODY)
    # last_changed_status_date: only the posting cancelled after the clock moved on.
    (number,) = emu.create_postings(1)
    emu.advance(3600)
    emu.cancel_posting(number)
    changed = {"from": (START + timedelta(minutes=30)).isoformat(), "to": "2026-06-01T00:00:00Z"}
    recent = all_pages(api, path, dict(LIST_BODY, filter=dict(LIST_FILTER, last_changed_status_date=changed)))
    assert [p["posting_number"] for p in recent] == [number]
    warehouse = recent[0]["delivery_method"]["warehouse_id"]
    in_wh = all_pages(api, path, dict(LIST_BODY, filter=dict(LIST_FILTER, warehouse_ids=[str(warehouse)])))
    assert in_wh and {p["delivery_method"]["warehouse_id"] for p in in_wh} == {warehouse}


def test_v3_get_and_get_by_barcode(api: Api, emu: Emulator) -> None:
    numbers = emu.create_postings(10, status="awaiting_deliver")
    number = numbers[0]
    result = api.ok("/v3/posting/fbs/get", {"posting_number": number, "with": {"related_postings": True}})["result"]
    assert result["posting_number"] == number and result["status"] == "awaiting_deliver"
    assert result["previous_substatus"] == "posting_created" and result["scanit"] == emu.posting(number)["scanit"]
    assert re.fullmatch(r"\d+\.\d{4}", result["products"][0]["price"])
    assert result["related_postings"] == {"related_posting_numbers": []}
    assert isinstance(result["tariffication"], dict)
    assert api.error("/v3/posting/fbs/get", {"posting_number": "1-1-1"}, 404)["message"] == "POSTING_NOT_FOUND"
    kinds = {emu.posting(n)["barcodes"]["lower_barcode"] == "0": n for n in numbers}
    assert set(kinds) == {True, False}, "both kinds of label among ten postings"
    for n in kinds.values():
        codes = emu.posting(n)
        for code in {codes["barcodes"]["lower_barcode"], codes["barcodes"]["upper_barcode"], codes["scanit"]} - {"0"}:
            found = api.ok("/v2/posting/fbs/get-by-barcode", {"barcode": code})["result"]
            assert found["posting_number"] == n and found["products"]
    for code in ("0", "00000000000000"):
        assert api.error("/v2/posting/fbs/get-by-barcode", {"barcode": code}, 404)["code"] == 5


def test_twenty_thousand_postings_build_and_page() -> None:
    emu = Emulator(seed=3, postings=20_000, start=START, client_id="123456", api_key="test-key")
    api = Api(session_for(emu), BASE)
    page = api.ok("/v4/posting/fbs/list", dict(LIST_BODY, **{"with": {"barcodes": True}}))
    assert len(page["postings"]) == 100 and page["has_next"]
    assert emu.state()["postings"] == 20_000
