"""Marking codes (Честный ЗНАК), customs numbers (ГТД) and boxes before the ship
(docs/ozon-contract.md, Exemplars)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.emulator import Emulator
from sync.emulator.marks import GS, gtin14_valid

from .conftest import BASE, Api, catalog_skus, make_emulator, session_for, ship_body

CREATE = "/v6/fbs/posting/product/exemplar/create-or-get"
SET = "/v6/fbs/posting/product/exemplar/set"
STATUS = "/v5/fbs/posting/product/exemplar/status"
VALIDATE = "/v5/fbs/posting/product/exemplar/validate"
UPDATE = "/v1/fbs/posting/product/exemplar/update"
MULTIBOX = "/v3/posting/multiboxqty/set"
SHIP = "/v4/posting/fbs/ship"
NOTHING_REQUIRED: dict[str, list[str]] = {
    f"products_requiring_{k}": []
    for k in ("gtd", "country", "change_country", "mandatory_mark", "jw_uin", "rnpt", "imei", "weight")
}
GTD = "10702070/140526/3012345"


def kinds(api: Api, emu: Emulator) -> dict[str, int]:
    """A SKU of each kind. mark: a marking code only; shoe: a code and a ГТД; gtd: a ГТД only;
    box: ships in several boxes; plain: needs nothing."""
    marked, imported, boxed = (set(emu.skus_requiring(k)) for k in ("mandatory_mark", "gtd", "multibox"))
    return {
        "mark": min(marked - imported),
        "shoe": min(marked & imported),
        "gtd": min(imported - marked),
        "box": min(boxed),
        "plain": min(set(catalog_skus(api)) - marked - imported - boxed),
    }


def fill(number: str, offer: dict[str, Any], data: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """A set request over the exemplar ids create-or-get gave, with ``data`` per SKU in item order."""
    products = []
    for product in offer["products"]:
        given = data.get(product["product_id"], [])
        items = [
            dict(given[i] if i < len(given) else {}, exemplar_id=ex["exemplar_id"])
            for i, ex in enumerate(product["exemplars"])
        ]
        products.append({"product_id": product["product_id"], "exemplars": items})
    return {"posting_number": number, "multi_box_qty": 0, "products": products}


def with_mark(code: str, **extra: Any) -> dict[str, Any]:
    return dict(extra, marks=[{"mark": code, "mark_type": "mandatory_mark"}])


def v4(api: Api, number: str) -> dict[str, Any]:
    page = api.ok(
        "/v4/posting/fbs/list",
        {
            "limit": 10,
            "filter": {"since": "2026-05-01T00:00:00Z", "to": "2026-06-01T00:00:00Z", "order_numbers": [number]},
        },
    )
    (posting,) = page["postings"]
    result: dict[str, Any] = posting
    return result


def mark_checks(status: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (m["check_status"], m["error_codes"]) for p in status["products"] for e in p["exemplars"] for m in e["marks"]
    ]


def test_postings_list_what_their_goods_need(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (shoes,) = emu.create_postings(1, products=[(k["shoe"], 2), k["gtd"], k["plain"]])
    (boxed,) = emu.create_postings(1, products=[k["box"]])
    (plain,) = emu.create_postings(1, products=[k["plain"]])
    posting = v4(api, shoes)
    assert posting["requirements"] == NOTHING_REQUIRED | {
        "products_requiring_mandatory_mark": [str(k["shoe"])],
        "products_requiring_gtd": [str(k["shoe"]), str(k["gtd"])],
    }
    assert {"ship", "ship_with_additional_info", "update_cis"} <= set(posting["available_actions"])
    assert posting["is_multibox"] is False and posting["multi_box_qty"] == 1
    box = v4(api, boxed)
    assert box["is_multibox"] is True and box["multi_box_qty"] == 2  # the catalog card's boxes until set
    assert box["requirements"] == NOTHING_REQUIRED
    assert "ship_with_additional_info" not in box["available_actions"]
    nothing = v4(api, plain)
    assert nothing["requirements"] == NOTHING_REQUIRED and nothing["is_multibox"] is False
    assert "update_cis" not in nothing["available_actions"]
    got = api.ok("/v3/posting/fbs/get", {"posting_number": shoes})["result"]
    assert got["requirements"] == posting["requirements"] and got["product_exemplars"] is None
    asked = api.ok("/v3/posting/fbs/get", {"posting_number": shoes, "with": {"product_exemplars": True}})["result"]
    assert [p["sku"] for p in asked["product_exemplars"]["products"]] == [k["shoe"], k["gtd"], k["plain"]]
    assert emu.posting(shoes)["requirements"] == posting["requirements"]


def test_create_or_get_makes_one_record_per_item_once(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[(k["shoe"], 2), k["plain"]])
    offer = api.ok(CREATE, {"posting_number": number})
    assert offer["posting_number"] == number and offer["multi_box_qty"] == 1
    shoe, plain = offer["products"]
    assert shoe == {
        "product_id": k["shoe"],
        "quantity": 2,
        "is_mandatory_mark_needed": True,
        "is_mandatory_mark_possible": True,
        "is_gtd_needed": True,
        "is_rnpt_needed": False,
        "is_jw_uin_needed": False,
        "has_imei": False,
        "is_weight_needed": False,
        "weight_min": 0,
        "weight_max": 0,
        "exemplars": shoe["exemplars"],
    }
    assert [set(e) for e in shoe["exemplars"]] == [
        {"exemplar_id", "gtd", "is_gtd_absent", "rnpt", "is_rnpt_absent", "weight", "marks"}
    ] * 2
    assert plain["is_mandatory_mark_needed"] is False and plain["is_gtd_needed"] is False
    assert len(plain["exemplars"]) == 1
    assert api.ok(CREATE, {"posting_number": number}) == offer, "ids are stable"
    assert emu.log == []


def test_set_check_ship_with_marks_and_customs_numbers(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[(k["shoe"], 2), k["gtd"]])
    assert api.ok(STATUS, {"posting_number": number}) == {
        "posting_number": number,
        "status": "ship_not_available",
        "products": [],
    }
    assert api.error(SHIP, ship_body(emu, number), 400)["message"] == "EXEMPLAR_INFO_NOT_FILLED_COMPLETELY"
    offer = api.ok(CREATE, {"posting_number": number})
    codes = [emu.mark_code(k["shoe"]), emu.mark_code(k["shoe"])]
    assert codes[0] != codes[1] and GS in codes[0]
    body = fill(
        number,
        offer,
        {
            k["shoe"]: [with_mark(codes[0], gtd=GTD), with_mark(codes[1], is_gtd_absent=True)],
            k["gtd"]: [{"gtd": GTD + "/001"}],
        },
    )
    assert api.ok(SET, body) == {}
    checking = api.ok(STATUS, {"posting_number": number})
    assert checking["status"] == "validation_in_process"
    assert mark_checks(checking) == [("processing", [])] * 2
    assert api.error(SHIP, ship_body(emu, number), 400)["message"] == "EXEMPLAR_INFO_NOT_FILLED_COMPLETELY"
    emu.advance(3)
    done = api.ok(STATUS, {"posting_number": number})
    assert done["status"] == "ship_available" and mark_checks(done) == [("passed", [])] * 2
    first = done["products"][0]["exemplars"][0]
    assert first["gtd"] == GTD and first["gtd_check_status"] == "passed" and first["gtd_error_codes"] == []
    assert {
        "rnpt_check_status",
        "rnpt_error_codes",
        "is_rnpt_absent",
        "weight",
        "weight_check_status",
        "weight_error_codes",
        "is_gtd_absent",
    } <= set(first)
    shipped = api.ok(SHIP, dict(ship_body(emu, number), **{"with": {"additional_data": True}}))
    products = {p["sku"]: p["mandatory_mark"] for p in shipped["additional_data"][0]["products"]}
    assert products == {k["shoe"]: codes, k["gtd"]: []}
    state = emu.exemplars(number)
    assert state["status"] == "ship_available"
    assert [m["mark"] for e in state["products"][0]["exemplars"] for m in e["marks"]] == codes
    got = api.ok("/v3/posting/fbs/get", {"posting_number": number, "with": {"product_exemplars": True}})["result"]
    assert [e["mandatory_mark"] for e in got["product_exemplars"]["products"][0]["exemplars"]] == codes
    assert got["products"][0]["mandatory_mark"] == codes
    assert [e["method"] for e in emu.log] == [SET, SHIP]
    assert api.ok(UPDATE, {"posting_number": number}) == {}
    assert emu.log[-1]["method"] == UPDATE


def test_the_checks_of_marks_and_customs_numbers(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (elsewhere,) = emu.create_postings(1, products=[k["mark"]])
    used = emu.mark_code(k["mark"])
    api.ok(SET, fill(elsewhere, api.ok(CREATE, {"posting_number": elsewhere}), {k["mark"]: [with_mark(used)]}))
    (number,) = emu.create_postings(1, products=[(k["mark"], 7), (k["shoe"], 2), k["gtd"]])
    offer = api.ok(CREATE, {"posting_number": number})
    good = emu.mark_code(k["mark"])
    id_part = good.split(GS, 1)[0]
    shoe_code = emu.mark_code(k["shoe"])
    body = fill(
        number,
        offer,
        {
            k["mark"]: [
                with_mark(good),
                with_mark(good),  # the same code twice in one set
                with_mark(used),  # set on another posting
                with_mark("]d2" + good),  # scanner prefix left in
                with_mark(good.replace(GS, "\\u001d")),  # double-escaped separator
                with_mark(emu.mark_code(k["shoe"])),  # another product's GTIN
                with_mark(id_part + GS + "93AbC1"),
            ],  # the newer short form: valid
            k["shoe"]: [
                with_mark(shoe_code[:-4], gtd="1070207/140526/3012345"),  # tail too short; bad ГТД
                with_mark(emu.mark_code(k["shoe"]), gtd=GTD + "x"),
            ],
            k["gtd"]: [with_mark(emu.mark_code(k["mark"]), gtd="10702070/310226/3012345")],  # no mark wanted; Feb 31
        },
    )
    api.ok(SET, body)
    emu.advance(3)
    status = api.ok(STATUS, {"posting_number": number})
    assert status["status"] == "ship_not_available"
    by_sku = {p["product_id"]: p["exemplars"] for p in status["products"]}
    assert [e["marks"][0]["error_codes"] for e in by_sku[k["mark"]]] == [
        [],
        ["MARK_ALREADY_USED"],
        ["MARK_ALREADY_USED"],
        ["MARK_FORMAT_INVALID"],
        ["MARK_FORMAT_INVALID"],
        ["MARK_GTIN_MISMATCH"],
        [],
    ]
    assert [e["marks"][0]["check_status"] for e in by_sku[k["mark"]]] == ["passed"] + ["failed"] * 5 + ["passed"]
    assert [e["marks"][0]["error_codes"] for e in by_sku[k["shoe"]]] == [["MARK_FORMAT_INVALID"], []]
    assert [e["gtd_error_codes"] for e in by_sku[k["shoe"]]] == [["GTD_FORMAT_INVALID"]] * 2
    assert by_sku[k["gtd"]][0]["marks"][0]["error_codes"] == ["MANDATORY_MARK_REDUNDANT"]
    assert by_sku[k["gtd"]][0]["gtd_error_codes"] == ["GTD_FORMAT_INVALID"]
    # A needed ГТД left out fails; declared absent it passes. A full set replaces what was there.
    api.ok(SET, fill(number, offer, {k["shoe"]: [with_mark(emu.mark_code(k["shoe"])), {}]}))
    emu.advance(3)
    shoe = {p["product_id"]: p["exemplars"] for p in api.ok(STATUS, {"posting_number": number})["products"]}[k["shoe"]]
    assert [e["gtd_error_codes"] for e in shoe] == [["GTD_MUST_BE_SPECIFIED_FOR_PRODUCT_COUNTRY"]] * 2
    assert shoe[1]["marks"] == []
    assert emu.exemplars(number)["products"][0]["exemplars"][0]["marks"] == [], "the earlier data is gone"


def test_marks_alone_make_a_posting_shippable_and_a_cancel_frees_them(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    first, second = emu.create_postings(2, products=[(k["mark"], 2)])
    codes = [emu.mark_code(k["mark"]), emu.mark_code(k["mark"])]
    offer = api.ok(CREATE, {"posting_number": first})
    api.ok(SET, fill(first, offer, {k["mark"]: [with_mark(codes[0])]}))  # one item of two
    emu.advance(3)
    assert api.ok(STATUS, {"posting_number": first})["status"] == "ship_not_available"
    api.ok(SET, fill(first, offer, {k["mark"]: [with_mark(codes[0]), with_mark(codes[1])]}))
    emu.advance(3)
    assert api.ok(STATUS, {"posting_number": first})["status"] == "ship_available"
    emu.cancel_posting(first)
    other = api.ok(CREATE, {"posting_number": second})
    api.ok(SET, fill(second, other, {k["mark"]: [with_mark(codes[0]), with_mark(codes[1])]}))
    emu.advance(3)
    assert api.ok(STATUS, {"posting_number": second})["status"] == "ship_available"


def test_a_split_ship_hands_each_part_its_codes(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[(k["mark"], 2)])
    codes = [emu.mark_code(k["mark"]), emu.mark_code(k["mark"])]
    api.ok(
        SET,
        fill(
            number, api.ok(CREATE, {"posting_number": number}), {k["mark"]: [with_mark(codes[0]), with_mark(codes[1])]}
        ),
    )
    emu.advance(3)
    one = {"products": [{"product_id": k["mark"], "quantity": 1}]}
    answer = api.ok(SHIP, {"posting_number": number, "packages": [one, one], "with": {"additional_data": True}})
    assert [d["products"][0]["mandatory_mark"] for d in answer["additional_data"]] == [[codes[0]], [codes[1]]]
    part = answer["result"][1]
    assert [m["mark"] for m in emu.exemplars(part)["products"][0]["exemplars"][0]["marks"]] == [codes[1]]


def test_set_refusals_change_nothing(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[k["mark"], k["gtd"]])
    offer = api.ok(CREATE, {"posting_number": number})
    mark_id = offer["products"][0]["exemplars"][0]["exemplar_id"]
    wrong = {"posting_number": number, "products": [{"product_id": k["gtd"], "exemplars": [{"exemplar_id": mark_id}]}]}
    assert api.error(SET, wrong, 400)["message"] == f"{mark_id} does not belong to product {k['gtd']}"
    stranger = {"posting_number": number, "products": [{"product_id": 1, "exemplars": [{"exemplar_id": 5}]}]}
    assert api.error(SET, stranger, 400)["message"] == "5 does not belong to product 1"
    bad_type = fill(number, offer, {k["mark"]: [{"marks": [{"mark": "x", "mark_type": "qr"}]}]})
    assert "mark_type" in api.error(SET, bad_type, 400)["message"]
    two = fill(number, offer, {k["mark"]: [{"marks": [{"mark": "a", "mark_type": "mandatory_mark"}] * 2}]})
    assert "marks" in api.error(SET, two, 400)["message"]
    assert "products" in api.error(SET, {"posting_number": number}, 400)["message"]
    assert api.error(SET, dict(fill(number, offer, {}), posting_number="1-1-1"), 404)["code"] == 5
    (shipped,) = emu.create_postings(1, status="awaiting_deliver", products=[k["plain"]])
    late = fill(shipped, api.ok(CREATE, {"posting_number": shipped}), {})
    assert api.error(SET, late, 400)["message"] == "Posting must have 'awaiting_packaging' status"
    assert (
        api.error(UPDATE, {"posting_number": number}, 400)["message"] == "Posting must have 'awaiting_deliver' status"
    )
    assert emu.log == [] and emu.exemplars(number)["status"] == "ship_not_available"


def test_a_posting_that_needs_nothing_ships_as_before(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[k["plain"]])
    assert api.ok(STATUS, {"posting_number": number})["status"] == "ship_available"
    api.ok(SHIP, ship_body(emu, number))


def test_validate_checks_formats_at_once(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[k["mark"]])
    code = emu.mark_code(k["mark"])
    answer = api.ok(
        VALIDATE,
        {
            "posting_number": number,
            "products": [
                {
                    "product_id": k["mark"],
                    "exemplars": [
                        {"gtd": "", "marks": [{"mark": code, "mark_type": "mandatory_mark"}]},
                        {"gtd": "123", "marks": [{"mark": code[:20], "mark_type": "mandatory_mark"}]},
                    ],
                },
                {"product_id": k["plain"], "exemplars": []},
            ],
        },
    )
    good, other = answer["products"]
    assert good["product_id"] == k["mark"] and good["valid"] is False and good["error"] == ""
    assert good["exemplars"][0] == {
        "valid": True,
        "errors": [],
        "marks": [{"mark": code, "mark_type": "mandatory_mark", "valid": True, "errors": []}],
    }
    assert good["exemplars"][1]["errors"] == ["GTD_FORMAT_INVALID"]
    assert good["exemplars"][1]["marks"][0]["errors"] == ["MARK_FORMAT_INVALID"]
    assert other == {"product_id": k["plain"], "valid": False, "error": "UNKNOWN_PRODUCT_DEFINED", "exemplars": []}
    assert emu.log == []


def test_multi_box_postings_need_their_box_count_and_one_package(api: Api, emu: Emulator) -> None:
    k = kinds(api, emu)
    (number,) = emu.create_postings(1, products=[(k["box"], 2)])
    (plain,) = emu.create_postings(1, products=[k["plain"]])
    assert api.error(SHIP, ship_body(emu, number), 400)["message"] == "MULTI_BOX_QTY_NOT_SET"
    assert (
        api.error(MULTIBOX, {"posting_number": plain, "multi_box_qty": 2}, 400)["message"] == "POSTING_IS_NOT_MULTIBOX"
    )
    assert "multi_box_qty" in api.error(MULTIBOX, {"posting_number": number, "multi_box_qty": 0}, 400)["message"]
    assert api.ok(MULTIBOX, {"posting_number": number, "multi_box_qty": 3}) == {"result": {"result": True}}
    assert v4(api, number)["multi_box_qty"] == 3 and emu.exemplars(number)["multi_box_qty"] == 3
    assert api.ok(CREATE, {"posting_number": number})["multi_box_qty"] == 3
    one = {"products": [{"product_id": k["box"], "quantity": 1}]}
    assert (
        api.error(SHIP, {"posting_number": number, "packages": [one, one]}, 400)["message"]
        == "MULTI_BOX_POSTING_IN_SEVERAL_PACKAGES"
    )
    api.ok(SHIP, ship_body(emu, number))
    assert api.error(MULTIBOX, {"posting_number": number, "multi_box_qty": 2}, 400)["message"] == "HAS_INCORRECT_STATUS"
    assert [e["method"] for e in emu.log] == [MULTIBOX, SHIP]


def test_seeded_shop_shows_each_requirement_on_open_postings(api: Api, emu: Emulator) -> None:
    body = {
        "limit": 100,
        "filter": {
            "cutoff_from": "2026-01-01T00:00:00Z",
            "cutoff_to": "2027-01-01T00:00:00Z",
            "statuses": ["awaiting_packaging"],
        },
    }
    postings: list[dict[str, Any]] = []
    while True:
        page = api.ok("/v4/posting/fbs/unfulfilled/list", body)
        postings += page["postings"]
        if not page["has_next"]:
            break
        body = dict(body, cursor=page["cursor"])
    assert sum(bool(p["requirements"]["products_requiring_mandatory_mark"]) for p in postings) >= 3
    assert sum(bool(p["requirements"]["products_requiring_gtd"]) for p in postings) >= 3
    assert sum(p["is_multibox"] for p in postings) >= 3


def test_seeded_shipped_postings_carry_valid_codes(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1, status="delivered", products=[(emu.skus_requiring("mandatory_mark")[0], 2)])
    state = emu.exemplars(number)
    codes = [m["mark"] for e in state["products"][0]["exemplars"] for m in e["marks"]]
    assert state["status"] == "ship_available" and len(set(codes)) == 2
    check = api.ok(
        VALIDATE,
        {
            "posting_number": number,
            "products": [
                {
                    "product_id": state["products"][0]["product_id"],
                    "exemplars": [{"marks": [{"mark": c, "mark_type": "mandatory_mark"}]} for c in codes],
                }
            ],
        },
    )
    assert check["products"][0]["valid"] is True


def test_mark_codes_are_deterministic_well_formed_and_fresh() -> None:
    first, again = make_emulator(postings=20), make_emulator(postings=20)
    api = Api(session_for(first), BASE)
    names = {
        item["sku"]: item["name"]
        for item in api.ok("/v3/product/info/list", {"sku": first.skus_requiring("mandatory_mark")})["items"]
    }
    shoe = next(sku for sku, name in names.items() if name.startswith("Кроссовки"))
    shirt = next(sku for sku, name in names.items() if name.startswith("Футболка"))
    codes = [first.mark_code(shirt) for _ in range(3)]
    assert codes == [again.mark_code(shirt) for _ in range(3)] and len(set(codes)) == 3
    other = make_emulator(postings=20, seed=8)
    assert other.mark_code(other.skus_requiring("mandatory_mark")[0]) not in codes
    ident, key, tail = codes[0].split(GS)
    assert ident.startswith("01") and gtin14_valid(ident[2:16]) and ident[16:18] == "21" and len(ident) == 31
    assert key.startswith("91") and len(key) == 6 and tail.startswith("92") and len(tail) == 2 + 44
    assert len(first.mark_code(shoe).split(GS)[2]) == 2 + 88  # shoes carry the long crypto tail
    mine = first.mark_code(shirt, serial="ABCdef1234567")
    assert mine.split(GS)[0].endswith("21ABCdef1234567")
    with pytest.raises(ValueError):
        first.mark_code(shirt, serial="short")
    with pytest.raises(ValueError):
        first.skus_requiring("magic")
    via_control = api.session.post(BASE + "/__emulator/mark", json={"sku": shirt}).json()["mark"]
    assert via_control not in codes and via_control.count(GS) == 2


def test_gtin14_check_digit() -> None:
    assert gtin14_valid("04006381333931") and not gtin14_valid("04006381333932")
    assert not gtin14_valid("4006381333931")
