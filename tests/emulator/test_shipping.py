"""Ship, split, cancellation, carriages and acts."""

from __future__ import annotations

from sync.emulator import Emulator

from .conftest import Api, catalog_skus, ship_body

SHIP = "/v4/posting/fbs/ship"


def test_ship_moves_the_posting_to_awaiting_deliver_and_logs_it(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    answer = api.ok(SHIP, dict(ship_body(emu, number), **{"with": {"additional_data": True}}))
    assert answer["result"] == [number]
    assert answer["additional_data"][0]["posting_number"] == number
    state = emu.posting(number)
    assert state["status"] == "awaiting_deliver" and state["substatus"] == "posting_transferring_to_delivery"
    (entry,) = emu.log
    assert entry["method"] == SHIP and entry["posting_number"] == number
    assert entry["time"] == "2026-05-14T08:00:00Z" and entry["request"]["posting_number"] == number
    listed = api.ok("/v3/posting/fbs/get", {"posting_number": number})["result"]
    assert listed["status"] == "awaiting_deliver" and "ship" not in listed["available_actions"]


def test_ship_refusals_are_not_applied_nor_logged(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, products=[catalog_skus(api)[0]])
    sku = emu.posting(number)["products"][0]["sku"]
    wrong_sku = {"posting_number": number, "packages": [{"products": [{"product_id": 1, "quantity": 1}]}]}
    assert api.error(SHIP, wrong_sku, 400)["message"] == "UNKNOWN_PRODUCT_DEFINED"
    too_many = {"posting_number": number, "packages": [{"products": [{"product_id": sku, "quantity": 2}]}]}
    assert api.error(SHIP, too_many, 400)["message"] == "HAS_INCORRECT_PRODUCT_QUANTITY"
    split_wrong = {"posting_number": number, "packages": [{"products": [{"product_id": sku, "quantity": 1}]},
                                                          {"products": [{"product_id": sku, "quantity": 1}]}]}
    assert api.error(SHIP, split_wrong, 400)["message"] == "HAS_INCORRECT_PRODUCT_QUANTITY"
    assert "packages" in api.error(SHIP, {"posting_number": number, "packages": []}, 400)["message"]
    assert "quantity" in api.error(SHIP, {"posting_number": number, "packages": [
        {"products": [{"product_id": sku, "quantity": 0}]}]}, 400)["message"]
    assert api.error(SHIP, dict(ship_body(emu, number), posting_number="123-0001-9"), 404)["code"] == 5
    assert emu.posting(number)["status"] == "awaiting_packaging" and emu.log == []
    api.ok(SHIP, ship_body(emu, number))
    assert api.error(SHIP, ship_body(emu, number), 400)["message"] == "POSTING_ALREADY_SHIPPED"
    (cancelled,) = emu.create_postings(1)
    emu.cancel_posting(cancelled, reason_id=501)
    assert api.error(SHIP, ship_body(emu, cancelled), 400)["message"] == "POSTING_ALREADY_CANCELLED"
    assert [e["posting_number"] for e in emu.log] == [number]


def test_several_packages_split_the_posting(api: Api, emu: Emulator) -> None:
    a, b = catalog_skus(api)[:2]
    (number,) = emu.create_postings(1, products=[(a, 2), b])
    order = number.rsplit("-", 1)[0]
    packages = [{"products": [{"product_id": a, "quantity": 1}]},
                {"products": [{"product_id": a, "quantity": 1}]},
                {"products": [{"product_id": b, "quantity": 1}]}]
    result = api.ok(SHIP, {"posting_number": number, "packages": packages})["result"]
    assert result == [number, f"{order}-2", f"{order}-3"]
    for n, sku in zip(result, (a, a, b), strict=True):
        state = emu.posting(n)
        assert state["status"] == "awaiting_deliver"
        assert [(p["sku"], p["quantity"]) for p in state["products"]] == [(sku, 1)]
    assert emu.posting(result[1])["parent_posting_number"] == number
    assert len({emu.posting(n)["scanit"] for n in result}) == 3
    kinds = {emu.posting(n)["barcodes"]["lower_barcode"] == "0" for n in result}
    assert len(kinds) == 1, "the parts are on the same kind of label as the posting"
    if kinds == {False}:
        assert len({emu.posting(n)["barcodes"]["lower_barcode"] for n in result}) == 3
    assert len(emu.log) == 1
    related = api.ok("/v3/posting/fbs/get", {"posting_number": number, "with": {"related_postings": True}})
    assert related["result"]["related_postings"]["related_posting_numbers"] == result[1:]


def test_cancel_by_the_seller(api: Api, emu: Emulator) -> None:
    reasons = api.ok("/v2/posting/fbs/cancel-reason/list")["result"]
    assert {352, 400, 401, 402, 665, 666, 667} <= {r["id"] for r in reasons if r["is_available_for_cancellation"]}
    (number,) = emu.create_postings(1)
    per_posting = api.ok("/v1/posting/fbs/cancel-reason", {"related_posting_numbers": [number]})["result"]
    assert per_posting[0]["posting_number"] == number and per_posting[0]["reasons"]
    cancel = "/v2/posting/fbs/cancel"
    assert api.error(cancel, {"posting_number": number, "cancel_reason_id": 999}, 400)["message"] == \
        "HAS_INCORRECT_CANCEL_REASON"
    assert "cancel_reason_message" in api.error(cancel, {"posting_number": number, "cancel_reason_id": 402}, 400)[
        "message"]
    assert api.ok(cancel, {"posting_number": number, "cancel_reason_id": 352}) == {"result": True}
    state = emu.posting(number)
    assert state["status"] == "cancelled" and state["cancellation"]["reason_id"] == 352
    assert state["cancellation"]["initiator"] == "Продавец" and state["cancellation"]["affects_rating"]
    assert api.error(cancel, {"posting_number": number, "cancel_reason_id": 352}, 400)["message"] == \
        "POSTING_ALREADY_CANCELLED"
    (delivered,) = emu.create_postings(1, status="delivered")
    assert api.error(cancel, {"posting_number": delivered, "cancel_reason_id": 352}, 400)["message"] == \
        "HAS_INCORRECT_STATUS"
    (shipped,) = emu.create_postings(1, status="awaiting_deliver")
    api.ok(cancel, {"posting_number": shipped, "cancel_reason_id": 402, "cancel_reason_message": "Брак"})
    assert emu.posting(shipped)["cancellation"]["after_ship"] is True
    assert [e["posting_number"] for e in emu.log] == [number, shipped]


def test_cancellation_from_outside_is_visible_but_not_logged(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.cancel_posting(number, reason_id=501)
    p = api.ok("/v3/posting/fbs/get", {"posting_number": number})["result"]
    assert p["status"] == "cancelled" and p["cancellation"]["cancellation_initiator"] == "Покупатель"
    assert p["cancellation"]["affect_cancellation_rating"] is False
    assert emu.log == []


def test_carriage_flow_and_act(api: Api, emu: Emulator) -> None:
    numbers = emu.create_postings(3, status="awaiting_deliver")
    method = emu.posting(numbers[0])["delivery_method_id"]
    ours = [n for n in numbers if emu.posting(n)["delivery_method_id"] == method]
    carriage_id = api.ok("/v1/carriage/create", {"delivery_method_id": method,
                                                 "departure_date": "2026-05-14T15:00:00Z"})["carriage_id"]
    got = api.ok("/v1/carriage/get", {"carriage_id": carriage_id})
    assert got["status"] == "new" and got["delivery_method_id"] == method
    in_act = api.ok("/v2/posting/fbs/act/get-postings", {"id": carriage_id})["result"]
    assert set(ours) <= {p["posting_number"] for p in in_act}
    assert api.ok("/v1/carriage/approve", {"carriage_id": carriage_id}) == {}
    assert emu.posting(ours[0])["substatus"] == "posting_in_carriage"
    assert api.error("/v1/carriage/approve", {"carriage_id": carriage_id}, 400)["message"] == \
        "TRANSITION_IS_NOT_POSSIBLE"
    status = api.ok("/v2/posting/fbs/act/check-status", {"id": carriage_id})["result"]
    assert status["status"] == "in_process"
    assert api.error("/v2/posting/fbs/act/get-pdf", {"id": carriage_id}, 400)["code"] == 3
    emu.advance(5)
    assert api.ok("/v2/posting/fbs/act/check-status", {"id": carriage_id})["result"]["status"] == "ready"
    assert api.post("/v2/posting/fbs/act/get-pdf", {"id": carriage_id}).content.startswith(b"%PDF")
    assert api.error("/v1/carriage/create", {"delivery_method_id": method}, 400)["message"] == "no_postings"
    assert api.error("/v1/carriage/get", {"carriage_id": 1}, 404)["code"] == 5
    logged = [(e["method"], e["posting_number"]) for e in emu.log]
    assert ("/v1/carriage/create", ours[0]) in logged and ("/v1/carriage/approve", ours[0]) in logged
