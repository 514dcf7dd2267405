"""Parsing Ozon's JSON: lenient where Ozon is inconsistent, strict and precise where data is missing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.context import AppContext
from app.domain.chats import AuthorType, ChatType
from app.domain.postings import PostingStatus
from app.repos import postings as posting_repo
from sync import schemas
from sync.errors import (
    AuthError,
    InvalidStateError,
    MissingRoleError,
    NotFoundError,
    PlanLimitError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from sync.http import error_for, retry_after_seconds

V4_POSTING: dict[str, Any] = {
    "posting_number": "0208245774-0029-1",
    "order_id": 33301885134,
    "order_number": "0208245774-0029",
    "status": "awaiting_packaging",
    "substatus": "posting_created",
    "in_process_at": "2026-05-14T08:00:00Z",
    "shipment_date": "2026-05-18T12:00:00.657Z",
    "delivery_method": {
        "id": 20605650762000,
        "name": "Доставка Ozon, Софьино",
        "warehouse_id": "20605650762000",
        "warehouse": "Софьино",
        "tpl_provider_id": 24,
        "tpl_provider": "Доставка Ozon",
    },
    "tracking_number": "",
    "tpl_integration_type": "ozon",
    "products": [
        {
            "sku": 1904686181,
            "offer_id": "b4408110",
            "name": "Смартфон",
            "quantity": 1,
            "price": {"amount": "12990.00", "currency": "RUB"},
        }
    ],
    "barcodes": {"upper_barcode": "%101%806044518", "lower_barcode": "23024930500000"},
    "customer": {"name": "Анна", "address": {"city": "Казань", "address_tail": "ул. Баумана, 1", "pvz_code": "KZN-3"}},
    "available_actions": ["ship", "cancel"],
    "cancellation": None,
}


def test_v4_posting_money_object_and_fractional_time() -> None:
    p = schemas.posting(V4_POSTING)
    assert p.status is PostingStatus.AWAITING_PACKAGING
    assert p.products[0].price == Decimal("12990.00") and p.products[0].currency == "RUB"
    assert p.shipment_date == datetime(2026, 5, 18, 12, 0, 0, 657000, tzinfo=UTC)
    assert p.warehouse_id == 20605650762000  # a string id read as a number
    assert (p.lower_barcode, p.city, p.pvz_code, p.customer_name) == ("23024930500000", "Казань", "KZN-3", "Анна")
    assert p.available_actions == ("ship", "cancel")


def test_v3_posting_legacy_money_and_string_ids() -> None:
    raw = copy.deepcopy(V4_POSTING)
    raw["order_id"] = "33301885134"
    raw["products"] = [
        {
            "sku": "1904686181",
            "offer_id": "b4408110",
            "name": "x",
            "quantity": "2",
            "price": "1390.000000",
            "currency_code": "CNY",
        }
    ]
    raw["in_process_at"] = "2023-11-13T08:05:57.657123456Z"  # nanoseconds
    page, cursor, has_next = schemas.posting_page({"result": {"postings": [raw], "has_next": True}}, "answer")
    p = page[0]
    assert p.order_id == 33301885134 and p.products[0].sku == 1904686181 and p.products[0].quantity == 2
    assert p.products[0].price == Decimal("1390.000000") and p.products[0].currency == "CNY"
    assert p.in_process_at == datetime(2023, 11, 13, 8, 5, 57, 657123, tzinfo=UTC)
    assert (cursor, has_next) == ("", True)


def test_v4_flat_page_with_cursor() -> None:
    page, cursor, has_next = schemas.posting_page(
        {"count": 1, "cursor": "eyJ4IjoxfQ==", "has_next": False, "postings": [V4_POSTING]}, "answer"
    )
    assert len(page) == 1 and cursor == "eyJ4IjoxfQ==" and has_next is False


def test_unknown_status_does_not_break_a_sync() -> None:
    raw = dict(V4_POSTING, status="awaiting_something_new_in_2027")
    assert schemas.posting(raw).status is PostingStatus.UNKNOWN


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.pop("posting_number"), "postings[0].posting_number"),
        (lambda p: p.pop("products"), "postings[0].products"),
        (lambda p: p["products"][0].pop("sku"), "postings[0].products[0].sku"),
        (lambda p: p["products"][0].update(quantity="lots"), "postings[0].products[0].quantity"),
        (lambda p: p.update(shipment_date="next tuesday"), "postings[0].shipment_date"),
        (lambda p: p["products"][0].update(price={"amount": "12,5"}), "postings[0].products[0].price"),
    ],
)
def test_missing_or_malformed_fields_name_the_field(mutate: Any, field: str) -> None:
    raw = copy.deepcopy(V4_POSTING)
    mutate(raw)
    with pytest.raises(ProtocolError) as err:
        schemas.posting_page({"postings": [raw], "has_next": False}, "answer")
    assert err.value.field == f"answer.{field}"
    assert field in str(err.value)


def test_page_that_is_not_an_object() -> None:
    with pytest.raises(ProtocolError, match="not an object"):
        schemas.posting_page(["nope"], "answer")


def test_chat_enums_any_case_and_cyrillic_customer() -> None:
    new = schemas.chat(
        {
            "chat": {"chat_id": "c1", "chat_status": "OPENED", "chat_type": "BUYER_SELLER"},
            "unread_count": 2,
            "last_message_id": "3000000000817031942",
        },
        "c",
    )
    old = schemas.chat({"chat_id": "c2", "chat_status": "Closed", "chat_type": "Seller_Support"}, "c")
    assert (new.chat_type, new.is_open, new.unread_count) == (ChatType.BUYER_SELLER, True, 2)
    assert (old.chat_type, old.is_open) == (ChatType.SELLER_SUPPORT, False)
    msg = schemas.message(
        {
            "message_id": 3000000000817031942,
            "user": {"id": "1", "type": "Сustomer"},
            "created_at": "2022-07-18T20:58:04.528Z",
            "data": ["Когда отправите?"],
            "context": {"order_number": "123-0001"},
        },
        "c1",
        "m",
    )
    assert msg.author is AuthorType.CUSTOMER and msg.message_id == "3000000000817031942"
    assert msg.text == "Когда отправите?" and msg.order_number == "123-0001"


def test_returns_both_kinds() -> None:
    fbs = schemas.fbs_return(
        {
            "id": "1000015552",
            "posting_number": "58544282-0057-1",
            "schema": "Fbs",
            "type": "FullReturn",
            "product": {
                "sku": 11,
                "offer_id": "o",
                "name": "n",
                "quantity": 1,
                "price": {"currency_code": "RUB", "price": 3318},
            },
            "visual": {
                "status": {"id": 3, "display_name": "В пункте выдачи", "sys_name": "ArrivedAtReturnPlace"},
                "change_moment": "2026-01-01T00:00:00Z",
            },
        },
        "r",
    )
    assert (fbs.return_id, fbs.status, fbs.price) == (1000015552, "ArrivedAtReturnPlace", Decimal("3318"))
    rfbs = schemas.rfbs_return(
        {
            "return_id": 8000123456,
            "return_number": "RET-1",
            "posting_number": "1-1-1",
            "product": {"sku": 5, "price": "990.00", "currency_code": "RUB"},
            "state": {"group_state": "New", "state": "ON_APPROVAL", "state_name": "На проверке"},
        },
        "r",
    )
    assert (rfbs.kind.value, rfbs.status, rfbs.price) == ("rfbs", "ON_APPROVAL", Decimal("990.00"))


def test_review_v1_status_read_as_new() -> None:
    assert schemas.review({"id": "r1", "status": "UNPROCESSED", "rating": 2}, "r").status == "NEW"


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (403, {"code": 7, "message": "Invalid Api-Key, please contact support"}, AuthError),
        (403, {"code": 7, "message": "Api-Key is missing a required role for a method"}, MissingRoleError),
        (403, {"code": 7, "message": "Premium Plus subscription is required for this method"}, PlanLimitError),
        (404, {"code": 5, "message": "POSTING_NOT_FOUND"}, NotFoundError),
        (400, {"code": 3, "message": "POSTING_ALREADY_CANCELLED"}, InvalidStateError),
        (400, {"code": 3, "message": "The next postings aren't ready: 1-1-1"}, InvalidStateError),
        (409, {"code": 9, "message": "conflict"}, InvalidStateError),
        (400, {"code": 3, "message": "Request validation error: limit"}, ValidationError),
        (429, {"code": 8, "message": "You have reached request rate limit per second"}, RateLimitedError),
        (500, {"code": 13, "message": "Internal error"}, ServerError),
        (502, None, ServerError),
    ],
)
def test_error_bodies_map_to_typed_errors(status: int, body: Any, cls: type) -> None:
    err = error_for(status, body, "/v4/posting/fbs/ship")
    assert type(err) is cls
    assert "/v4/posting/fbs/ship" in str(err)


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds((now - timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("none", [0, "0", "", None])
def test_a_pickup_point_of_zero_is_none_and_keeps_the_known_one(none: object, ctx: AppContext) -> None:
    # A re-read that hides buyer data sends 0 for the pickup point: the label printed "Пункт выдачи 0".
    hidden = {**V4_POSTING, "customer": {"name": "", "address": {"city": "", "address_tail": "", "pvz_code": none}}}
    assert schemas.posting(hidden).pvz_code == ""
    now = datetime(2026, 5, 18, tzinfo=UTC)
    with ctx.db.write() as s:
        posting_repo.save(s, [schemas.posting(V4_POSTING)], now)
        posting_repo.save(s, [schemas.posting(hidden)], now)
        cached = posting_repo.get(s, V4_POSTING["posting_number"])
    assert cached is not None and cached.posting.pvz_code == "KZN-3"
