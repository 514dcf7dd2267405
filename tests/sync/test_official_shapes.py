"""Answers in the shapes of Ozon's official examples (2026 specification snapshots, docs/ozon-contract.md),
quirks included: `"0"` barcodes, `scanit`, SKUs as numbers or strings, string booleans, 20-digit message
ids, `available_actions` in two shapes, answers without `has_next`, the older error body."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.domain.postings import Requirement
from sync import schemas
from sync.answers import TaskStatus
from sync.errors import MissingRoleError, ProtocolError, ValidationError
from sync.http import error_for

# /v4/posting/fbs/unfulfilled/list, as in the official example: no buyer (customer/addressee null),
# barcodes "0", requirements with SKUs as numbers, a possible mark, and Ozon's new label code.
V4_UNFULFILLED: dict[str, Any] = {
    "has_next": True,
    "cursor": "eyJmaWVsZHMiOltdfQ==",
    "count": 2177,
    "postings": [
        {
            "posting_number": "41517061-0214-1",
            "order_id": 34953320005,
            "order_number": "41517061-0214",
            "pickup_code_verified_at": None,
            "status": "awaiting_deliver",
            "substatus": "posting_in_carriage",
            "delivery_method": {
                "id": 20605650762000,
                "name": "Доставка Ozon самостоятельно, Софьино",
                "warehouse_id": 20605650762000,
                "warehouse": "17023",
                "tpl_provider_id": 24,
                "tpl_provider": "Доставка Ozon",
            },
            "tracking_number": "",
            "tpl_integration_type": "ozon",
            "in_process_at": "2026-05-04T06:44:37Z",
            "shipment_date": "2026-05-05T06:44:37Z",
            "optional": {"products_with_possible_mandatory_mark": [4116250392]},
            "customer": None,
            "addressee": None,
            "products": [
                {
                    "offer_id": "S5200657-28",
                    "name": "Кроссовки для мальчика демисезонные из натуральной кожи",
                    "sku": 4116250392,
                    "quantity": 1,
                    "imei": [],
                    "price": {"amount": "300", "currency": "RUB"},
                }
            ],
            "barcodes": {"upper_barcode": "0", "lower_barcode": "0"},
            "scanit": "ii3052511747",
            "requirements": {
                "products_requiring_gtd": [4116250392],
                "products_requiring_country": [],
                "products_requiring_mandatory_mark": [],
                "products_requiring_rnpt": [],
                "products_requiring_jw_uin": [],
                "products_requiring_change_country": [],
                "products_requiring_imei": [],
                "products_requiring_weight": [],
            },
            "is_multibox": False,
            "multi_box_qty": 1,
            "parent_posting_number": "",
            "available_actions": ["add_additional_info", "cancel", "has_barcode_for_printing", "label_download"],
            "financial_data": None,
            "analytics_data": None,
        }
    ],
}

# /v3/posting/fbs/get: the `result` wrapper, legacy money, requirements with SKUs as strings, a
# multi-box posting, `prr_option` as an object and `tariffication` as an object.
V3_GET: dict[str, Any] = {
    "result": {
        "posting_number": "0132112277-0101-1",
        "order_id": 35566798085,
        "order_number": "0132112277-0101",
        "status": "awaiting_packaging",
        "substatus": "posting_created",
        "previous_substatus": "posting_split_pending",
        "delivery_method": {
            "id": 1020005003107121,
            "name": "Доставка Ozon самостоятельно, Ногинск",
            "warehouse_id": 1020005003107121,
            "warehouse": "FBS",
            "tpl_provider_id": 24,
            "tpl_provider": "Доставка Ozon",
        },
        "tpl_integration_type": "ozon",
        "in_process_at": "2026-03-30T11:26:00Z",
        "shipment_date": "2026-03-31T09:00:00Z",
        "delivering_date": None,
        "customer": None,
        "addressee": None,
        "products": [
            {
                "price": "1530.0000",
                "offer_id": "SK-58",
                "name": "Плойка для волос 9 мм",
                "sku": 827098843,
                "quantity": 2,
                "currency_code": "RUB",
                "dimensions": {"height": "150.00", "weight": "550"},
            }
        ],
        "barcodes": None,
        "scanit": "ii4417340072",
        "requirements": {"products_requiring_mandatory_mark": ["827098843"], "products_requiring_gtd": ["827098843"]},
        "is_multibox": True,
        "multi_box_qty": 3,
        "prr_option": {"code": "", "price": "", "currency_code": "RUB", "floor": ""},
        "tariffication": {"current_tariff_rate": 1, "next_tariff_charge": "50"},
        "available_actions": ["cancel", "ship", "ship_with_additional_info", "update_cis"],
    }
}

# /v2/posting/fbs/get-by-barcode: products without currency_code.
BY_BARCODE: dict[str, Any] = {
    "result": {
        "order_id": 47558522075,
        "order_number": "2130415463-0013",
        "posting_number": "2130415463-0013-1",
        "status": "delivered",
        "cancel_reason_id": 0,
        "created_at": "2025-01-29T08:58:07Z",
        "in_process_at": "2025-01-29T08:59:40Z",
        "shipment_date": "2025-01-29T18:00:00Z",
        "products": [
            {
                "sku": 498274975,
                "name": "Стульчик для кормления",
                "quantity": 1,
                "offer_id": "6460551001",
                "price": "2300.0000",
            }
        ],
        "barcodes": {"upper_barcode": "%101%10293145035", "lower_barcode": "201864523528000"},
    }
}


def test_v4_list_reads_scanit_requirements_and_zero_barcodes() -> None:
    postings, cursor, has_next = schemas.posting_page(V4_UNFULFILLED, "answer")
    (p,) = postings
    assert (cursor, has_next) == ("eyJmaWVsZHMiOltdfQ==", True)
    assert p.scanit == "ii3052511747"
    assert (p.upper_barcode, p.lower_barcode) == ("", "")  # "0" is no barcode at all
    assert p.label_codes == ("41517061-0214-1", "ii3052511747")
    assert p.requirements.kinds() == {Requirement.GTD}
    assert p.requirements.needs(Requirement.GTD, 4116250392)
    assert p.requirements.may_have_mark(4116250392) and not p.requirements.needs(Requirement.MANDATORY_MARK, 4116250392)
    assert p.customer_name == "" and p.products[0].price == Decimal("300")


def test_v3_get_reads_string_skus_boxes_and_legacy_money() -> None:
    p = schemas.posting(schemas.unwrap(V3_GET, "answer"), "answer.result")
    assert p.requirements.kinds() == {Requirement.MANDATORY_MARK, Requirement.GTD}
    assert p.requirements.needs(Requirement.MANDATORY_MARK, 827098843)
    assert (p.is_multibox, p.multi_box_qty, p.scanit) == (True, 3, "ii4417340072")
    assert p.products[0].price == Decimal("1530.0000") and p.products[0].currency == "RUB"
    assert (p.upper_barcode, p.lower_barcode) == ("", "")  # barcodes: null


def test_get_by_barcode_without_currency_code() -> None:
    p = schemas.posting(schemas.unwrap(BY_BARCODE, "answer"), "answer.result")
    assert p.products[0].currency == "RUB" and p.products[0].price == Decimal("2300.0000")
    assert p.lower_barcode == "201864523528000" and p.scanit == ""


def test_a_malformed_requirements_list_names_its_field() -> None:
    broken = {"postings": [dict(V4_UNFULFILLED["postings"][0], requirements={"products_requiring_gtd": ["x1"]})]}
    with pytest.raises(ProtocolError) as err:
        schemas.posting_page(broken, "answer")
    assert err.value.field == "answer.postings[0].requirements.products_requiring_gtd[0]"


# -- label tasks ----------------------------------------------------------------------------------------


def test_label_task_create_and_get() -> None:
    tasks = schemas.label_tasks(
        {
            "tasks": [
                {"task_id": 5819327210249, "task_type": "big_label"},
                {"task_id": "5819327210250", "task_type": "small_label"},
            ]
        }
    )
    assert [(t.task_id, t.task_type) for t in tasks] == [(5819327210249, "big_label"), (5819327210250, "small_label")]
    pending = schemas.label_task_state(
        {
            "status": {"code": "pending", "postings_count": 2, "printed_postings_count": 0, "unprinted_postings": []},
            "file_url": "",
            "error": {"code": "", "message": ""},
        }
    )
    assert pending.status is TaskStatus.PENDING and not pending.finished and pending.error == ""
    done = schemas.label_task_state(
        {
            "status": {
                "code": "completed",
                "postings_count": 3,
                "printed_postings_count": 2,
                "unprinted_postings": [{"posting_number": "1-1-1", "message": "The next postings aren't ready"}],
            },
            "file_url": "https://cdn1.ozone.ru/s3/fbs-labels/5819327210249.pdf",
            "error": None,
        }
    )
    assert done.finished and done.printed_count == 2
    assert done.unprinted == {"1-1-1": "The next postings aren't ready"}
    failed = schemas.label_task_state(
        {
            "status": {"code": "error", "unprinted_postings": []},
            "file_url": "",
            "error": {"code": "NO_POSTINGS_FOR_BATCH_DOWNLOAD", "message": "none"},
        }
    )
    assert failed.status is TaskStatus.ERROR and failed.error == "NO_POSTINGS_FOR_BATCH_DOWNLOAD: none"


def test_a_completed_task_without_a_file_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="file_url"):
        schemas.label_task_state({"status": {"code": "completed"}, "file_url": ""})
    with pytest.raises(ProtocolError, match="tasks is empty"):
        schemas.label_tasks({"tasks": []})


# -- chats, returns ---------------------------------------------------------------------------------------


def test_chat_list_with_a_string_has_next_and_20_digit_ids() -> None:
    body = {
        "chats": [
            {
                "chat": {
                    "created_at": "2022-07-22T08:07:19.581Z",
                    "chat_id": "5e767w03-b400",
                    "chat_status": "OPENED",
                    "chat_type": "SELLER_SUPPORT",
                },
                "first_unread_message_id": "3000000000118021931",
                "last_message_id": "30000000001280042740",
                "unread_count": 1,
            }
        ],
        "total_unread_count": 5,
        "cursor": "30000002342123123",
        "has_next": "true",
    }
    f = schemas.Fields(body, "answer")
    chat = schemas.chat(f.items("chats")[0], "answer.chats[0]")
    assert chat.last_message_id == "30000000001280042740"  # kept as text: beyond uint64
    assert f.flag("has_next") is True
    assert schemas.Fields({"has_next": "false"}, "a").flag("has_next") is False  # a non-empty string, still false


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), (None, False), (0, False), (1, True), ("", False)],
)
def test_booleans_read_tolerantly(value: Any, expected: bool) -> None:
    assert schemas.Fields({"x": value}, "a").flag("x") is expected


def test_a_boolean_that_is_neither_is_refused() -> None:
    with pytest.raises(ProtocolError, match="not a boolean"):
        schemas.Fields({"x": "maybe"}, "a").flag("x")


@pytest.mark.parametrize(
    "actions",
    [
        [{"id": -1, "name": "Отклонить"}, {"id": 1020, "name": "Предложить частичную компенсацию"}],
        [
            {"action": {"id": -1, "name": "Отклонить"}},
            {"action": {"id": 1020, "name": "Предложить частичную компенсацию"}},
        ],
    ],
    ids=["schema shape", "2026 example shape"],
)
def test_rfbs_return_actions_in_both_documented_shapes(actions: list[Any]) -> None:
    body = {
        "returns": {
            "available_actions": actions,
            "client_name": "Анна",
            "comment": "Не подошёл размер",
            "client_photo": ["https://cdn1.ozone.ru/s3/p1.jpg"],
            "rejection_reason": [{"hint": "Опишите", "id": 4, "is_comment_required": True, "name": "Другое"}],
            "return_reason": {"id": 1, "is_defect": False, "name": "Не подошёл"},
            "state": {"state": "ON_APPROVAL", "state_name": "На проверке"},
        }
    }
    details = schemas.rfbs_return_details(body, 8000123456)
    assert details.return_id == 8000123456  # the official answer does not repeat it
    assert [(a.id, a.name, a.is_rejection, a.needs_amount) for a in details.actions] == [
        (-1, "Отклонить", True, False),
        (1020, "Предложить частичную компенсацию", False, True),
    ]
    assert details.rejection_reasons[0].comment_required and details.state == "ON_APPROVAL"


def test_rfbs_return_list_without_has_next() -> None:
    body = {
        "returns": [
            {
                "return_id": 8000123456,
                "return_number": "RET-2026-00123",
                "posting_number": "789-0002-3",
                "order_number": "123456789",
                "created_at": "2026-02-15T10:30:00Z",
                "product": {
                    "sku": 1000123456,
                    "offer_id": "t-1",
                    "name": "Товар",
                    "price": 2999,
                    "currency_code": "RUB",
                },
                "state": {"group_state": "New", "state": "ON_APPROVAL", "state_name": "На проверке"},
            }
        ]
    }
    (r,) = [schemas.rfbs_return(x, "r") for x in body["returns"]]
    assert (r.return_id, r.status, r.price) == (8000123456, "ON_APPROVAL", Decimal("2999"))


# -- exemplars, handover -------------------------------------------------------------------------------------


def test_exemplar_answers() -> None:
    made = schemas.exemplar_info(
        {
            "posting_number": "1-1-1",
            "multi_box_qty": 1,
            "products": [
                {
                    "product_id": 827098843,
                    "quantity": 2,
                    "is_mandatory_mark_needed": True,
                    "is_gtd_needed": "true",
                    "exemplars": [
                        {"exemplar_id": 11, "gtd": "", "is_gtd_absent": False, "marks": []},
                        {"exemplar_id": "12", "marks": []},
                    ],
                }
            ],
        }
    )
    (product,) = made.products
    assert (product.sku, product.mark_needed, product.gtd_needed) == (827098843, True, True)
    assert [e.exemplar_id for e in product.exemplars] == [11, 12]
    checked = schemas.exemplar_info(
        {
            "posting_number": "1-1-1",
            "status": "ship_not_available",
            "products": [
                {
                    "product_id": 827098843,
                    "exemplars": [
                        {
                            "exemplar_id": 11,
                            "gtd": "bad",
                            "gtd_check_status": "failed",
                            "gtd_error_codes": ["GTD_FORMAT_INVALID"],
                            "marks": [
                                {
                                    "mark": "010…",
                                    "mark_type": "mandatory_mark",
                                    "check_status": "failed",
                                    "error_codes": ["MARK_ALREADY_USED"],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
    exemplar = checked.products[0].exemplars[0]
    assert checked.status == "ship_not_available"
    assert exemplar.mark_status == ("failed",) and exemplar.mark_errors == ("MARK_ALREADY_USED",)
    assert (exemplar.gtd_status, exemplar.gtd_errors) == ("failed", ("GTD_FORMAT_INVALID",))


def test_act_and_carriage_answers() -> None:
    act = schemas.act_status(
        {
            "result": {
                "status": "ready",
                "added_to_act": ["76673629-0020-1"],
                "removed_from_act": ["87784739-0030-1"],
                "act_type": "ozon_digital",
            }
        }
    )
    assert act.ready and act.added == ("76673629-0020-1",)
    assert not schemas.act_status({"result": {"status": "The next postings aren't ready"}}).ready
    info = schemas.carriage_info(
        {
            "carriage_id": 5819327210249,
            "status": "formed",
            "delivery_method_id": 2,
            "available_actions": ["get_shipping_list"],
        }
    )
    assert (info.carriage_id, info.status, info.available_actions) == (5819327210249, "formed", ("get_shipping_list",))
    (row,) = schemas.act_list(
        {"result": [{"id": 7, "delivery_method_id": 2, "status": "new", "created_at": "2026-11-30T10:00:00Z"}]}
    )
    assert (row.carriage_id, row.status) == (7, "new") and row.created_at is not None


# -- errors -----------------------------------------------------------------------------------------------


def test_the_older_error_body_and_method_not_allowed() -> None:
    legacy = error_for(
        400, {"error": {"code": "BAD_REQUEST", "message": "posting_number is empty", "data": []}}, "/v3/posting/fbs/get"
    )
    assert type(legacy) is ValidationError and legacy.message == "BAD_REQUEST: posting_number is empty"
    assert legacy.code is None
    refused = error_for(405, {"code": 12, "message": "method is not allowed"}, "/v2/review/list")
    assert type(refused) is MissingRoleError  # not retried: the key or shop may not use the method
