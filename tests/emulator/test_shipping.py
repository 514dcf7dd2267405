"""Ship, split, cancellation, carriages and acts."""

from __future__ import annotations

from sync.emulator import Emulator

from .conftest import BASE, Api, catalog_skus, make_emulator, session_for, ship_body

SHIP = "/v4/posting/fbs/ship"
CHECK = "/v2/posting/fbs/act/check-status"
SET_POSTINGS = "/v1/carriage/set-postings"


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
    split_wrong = {
        "posting_number": number,
        "packages": [
            {"products": [{"product_id": sku, "quantity": 1}]},
            {"products": [{"product_id": sku, "quantity": 1}]},
        ],
    }
    assert api.error(SHIP, split_wrong, 400)["message"] == "HAS_INCORRECT_PRODUCT_QUANTITY"
    assert "packages" in api.error(SHIP, {"posting_number": number, "packages": []}, 400)["message"]
    assert (
        "quantity"
        in api.error(
            SHIP, {"posting_number": number, "packages": [{"products": [{"product_id": sku, "quantity": 0}]}]}, 400
        )["message"]
    )
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
    packages = [
        {"products": [{"product_id": a, "quantity": 1}]},
        {"products": [{"product_id": a, "quantity": 1}]},
        {"products": [{"product_id": b, "quantity": 1}]},
    ]
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
    assert (
        api.error(cancel, {"posting_number": number, "cancel_reason_id": 999}, 400)["message"]
        == "HAS_INCORRECT_CANCEL_REASON"
    )
    assert (
        "cancel_reason_message"
        in api.error(cancel, {"posting_number": number, "cancel_reason_id": 402}, 400)["message"]
    )
    assert api.ok(cancel, {"posting_number": number, "cancel_reason_id": 352}) == {"result": True}
    state = emu.posting(number)
    assert state["status"] == "cancelled" and state["cancellation"]["reason_id"] == 352
    assert state["cancellation"]["initiator"] == "Продавец" and state["cancellation"]["affects_rating"]
    assert (
        api.error(cancel, {"posting_number": number, "cancel_reason_id": 352}, 400)["message"]
        == "POSTING_ALREADY_CANCELLED"
    )
    (delivered,) = emu.create_postings(1, status="delivered")
    assert (
        api.error(cancel, {"posting_number": delivered, "cancel_reason_id": 352}, 400)["message"]
        == "HAS_INCORRECT_STATUS"
    )
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
    carriage_id = api.ok(
        "/v1/carriage/create", {"delivery_method_id": method, "departure_date": "2026-05-14T15:00:00Z"}
    )["carriage_id"]
    got = api.ok("/v1/carriage/get", {"carriage_id": carriage_id})
    assert got["status"] == "new" and got["delivery_method_id"] == method
    assert api.ok(CHECK, {"id": carriage_id})["result"]["status"] == "in_process"  # before approve too
    in_act = api.ok("/v2/posting/fbs/act/get-postings", {"id": carriage_id})["result"]
    assert set(ours) <= {p["posting_number"] for p in in_act}
    # Nothing new for a second carriage: approve the first or use set-postings.
    again = api.error("/v1/carriage/create", {"delivery_method_id": method}, 404)
    assert again == {"code": 5, "message": "POSTING_NOT_FOUND", "details": []}
    assert api.ok("/v1/carriage/approve", {"carriage_id": carriage_id}) == {}
    assert emu.posting(ours[0])["substatus"] == "posting_in_carriage"
    assert (
        api.error("/v1/carriage/approve", {"carriage_id": carriage_id}, 400)["message"] == "TRANSITION_IS_NOT_POSSIBLE"
    )
    status = api.ok(CHECK, {"id": carriage_id})["result"]
    assert status["status"] == "in_process" and set(ours) <= set(status["added_to_act"])
    assert {"removed_from_act", "has_postings_for_next_carriage"} <= set(status)
    assert api.ok("/v1/carriage/get", {"carriage_id": carriage_id})["available_actions"] == []
    assert api.error("/v2/posting/fbs/act/get-pdf", {"id": carriage_id}, 400)["code"] == 3
    emu.advance(5)
    assert api.ok(CHECK, {"id": carriage_id})["result"]["status"] == "ready"
    assert {"get_shipping_list", "get_act_of_acceptance", "get_waybill"} <= set(
        api.ok("/v1/carriage/get", {"carriage_id": carriage_id})["available_actions"]
    )
    assert api.post("/v2/posting/fbs/act/get-pdf", {"id": carriage_id}).content.startswith(b"%PDF")
    assert api.error("/v1/carriage/get", {"carriage_id": 1}, 404)["code"] == 5
    logged = [(e["method"], e["posting_number"]) for e in emu.log]
    assert ("/v1/carriage/create", ours[0]) in logged and ("/v1/carriage/approve", ours[0]) in logged


def test_containers_count_only_with_trusted_acceptance(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    method = emu.posting(number)["delivery_method_id"]
    carriage_id = api.ok("/v1/carriage/create", {"delivery_method_id": method})["carriage_id"]
    refusal = api.error("/v1/carriage/approve", {"carriage_id": carriage_id, "containers_count": 2}, 400)
    assert refusal["code"] == 3 and "containers_count" in refusal["message"]
    assert api.ok("/v1/carriage/get", {"carriage_id": carriage_id})["status"] == "new"
    api.ok("/v1/carriage/approve", {"carriage_id": carriage_id})
    trusted = make_emulator(postings=0, trusted_acceptance=True)
    trusted_api = Api(session_for(trusted), BASE)
    (number,) = trusted.create_postings(1, status="awaiting_deliver")
    method = trusted.posting(number)["delivery_method_id"]
    carriage_id = trusted_api.ok("/v1/carriage/create", {"delivery_method_id": method})["carriage_id"]
    assert trusted_api.ok("/v1/carriage/approve", {"carriage_id": carriage_id, "containers_count": 3}) == {}
    assert trusted_api.ok("/v1/carriage/get", {"carriage_id": carriage_id})["containers_count"] == 3


def test_set_postings_replaces_the_list_of_a_new_carriage(api: Api, emu: Emulator) -> None:
    numbers = emu.create_postings(12, status="awaiting_deliver")
    method = emu.posting(numbers[0])["delivery_method_id"]
    ours = [n for n in numbers if emu.posting(n)["delivery_method_id"] == method]
    other = next(n for n in numbers if emu.posting(n)["delivery_method_id"] != method)
    (packing,) = emu.create_postings(1)
    carriage_id = api.ok("/v1/carriage/create", {"delivery_method_id": method})["carriage_id"]
    in_carriage = {
        p["posting_number"] for p in api.ok("/v2/posting/fbs/act/get-postings", {"id": carriage_id})["result"]
    }
    assert len(in_carriage) > 1 and set(ours) <= in_carriage
    answer = api.ok(SET_POSTINGS, {"carriage_id": carriage_id, "posting_numbers": [ours[0], other, packing, "1-1-1"]})
    assert answer == {
        "result": [
            {"posting_number": ours[0], "result": True, "error": ""},
            {"posting_number": other, "result": False, "error": "POSTING_HAS_ANOTHER_DELIVERY_METHOD"},
            {"posting_number": packing, "result": False, "error": "HAS_INCORRECT_STATUS"},
            {"posting_number": "1-1-1", "result": False, "error": "POSTING_NOT_FOUND"},
        ]
    }
    listed = api.ok("/v2/posting/fbs/act/get-postings", {"id": carriage_id})["result"]
    assert [p["posting_number"] for p in listed] == [ours[0]]
    # The postings left out are free again: a second carriage takes them.
    second = api.ok("/v1/carriage/create", {"delivery_method_id": method})["carriage_id"]
    taken = {p["posting_number"] for p in api.ok("/v2/posting/fbs/act/get-postings", {"id": second})["result"]}
    assert ours[0] not in taken and in_carriage - {ours[0]} <= taken
    refused = api.ok(SET_POSTINGS, {"carriage_id": second, "posting_numbers": [ours[0]]})["result"][0]
    assert refused["error"] == "POSTING_IN_ANOTHER_CARRIAGE"
    api.ok("/v1/carriage/approve", {"carriage_id": carriage_id})
    assert (
        api.error(SET_POSTINGS, {"carriage_id": carriage_id, "posting_numbers": [ours[0]]}, 400)["message"]
        == "TRANSITION_IS_NOT_POSSIBLE"
    )
    assert "posting_numbers" in api.error(SET_POSTINGS, {"carriage_id": second, "posting_numbers": []}, 400)["message"]
    assert ("/v1/carriage/set-postings", ours[0]) in [(e["method"], e["posting_number"]) for e in emu.log]


def test_a_cancelled_carriage_has_a_cancelled_act(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    method = emu.posting(number)["delivery_method_id"]
    carriage_id = api.ok("/v1/carriage/create", {"delivery_method_id": method})["carriage_id"]
    assert api.ok("/v1/carriage/cancel", {"carriage_id": carriage_id}) == {"carriage_status": "cancelled", "error": ""}
    emu.advance(10)
    assert api.ok(CHECK, {"id": carriage_id})["result"]["status"] == "cancelled"
    assert api.ok("/v1/carriage/get", {"carriage_id": carriage_id})["available_actions"] == []
    assert emu.posting(number)["carriage_id"] is None
