"""JSON from the Ozon API → domain dataclasses.

Lenient where Ozon is inconsistent (ids as numbers or strings, times with or without fractions,
money as decimal strings or {amount, currency}, v3 `result` wrappers or flat v4 bodies, enums in
any case), strict where it matters: a missing required field raises ProtocolError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.domain.feedback import Question, Review
from app.domain.postings import Posting, PostingItem, PostingStatus
from app.domain.products import Product
from app.domain.returns import ReturnKind, ReturnRequest
from sync.errors import ProtocolError

_FRACTION = re.compile(r"(\.\d{6})\d+")


class Fields:
    """Reads one JSON object, naming the full path of anything missing or malformed."""

    __slots__ = ("obj", "where")

    def __init__(self, obj: Any, where: str) -> None:
        if not isinstance(obj, Mapping):
            raise ProtocolError(f"{where} is not an object", field=where)
        self.obj = obj
        self.where = where

    def _fail(self, key: str, what: str) -> ProtocolError:
        return ProtocolError(f"{self.where}.{key} {what}", field=f"{self.where}.{key}")

    def need(self, key: str) -> Any:
        value = self.obj.get(key)
        if value is None:
            raise self._fail(key, "is missing")
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self.obj.get(key)
        if type(value) is str:  # the common case first: this runs ~20 times per posting
            return value
        if value is None:
            if required:
                raise self._fail(key, "is missing")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, "is not text")

    def int_id(self, key: str, required: bool = False) -> int:
        value = self.obj.get(key)
        if type(value) is int:
            return value
        if required and value is None:
            raise self._fail(key, "is missing")
        if value is None or value == "":
            return 0
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self._fail(key, f"is not a number: {value!r:.40}") from None

    def flag(self, key: str) -> bool:
        return bool(self.obj.get(key) or False)

    def time(self, key: str, required: bool = False) -> datetime | None:
        value = self.need(key) if required else self.obj.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise self._fail(key, "is not a time")
        try:
            return parse_time(value)
        except ValueError:
            raise self._fail(key, f"is not a time: {value!r:.40}") from None

    def money(self, key: str, currency_key: str = "currency_code") -> tuple[Decimal, str]:
        value = self.obj.get(key)
        currency = self.obj.get(currency_key) or "RUB"
        if isinstance(value, Mapping):
            currency = value.get("currency") or value.get("currency_code") or currency
            value = value.get("amount", value.get("price"))
        if value in (None, ""):
            return Decimal("0"), str(currency)
        try:
            return Decimal(str(value)), str(currency)
        except InvalidOperation:
            raise self._fail(key, f"is not an amount: {value!r:.40}") from None

    def sub(self, key: str) -> Fields | None:
        value = self.obj.get(key)
        return None if value is None else Fields(value, f"{self.where}.{key}")

    def items(self, key: str, required: bool = False) -> list[Any]:
        value = self.need(key) if required else self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "is not a list")
        return value


def parse_time(value: str) -> datetime:
    """RFC 3339 with or without fractions (up to nanoseconds), `Z` or an offset; returns aware UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        text = _FRACTION.sub(r"\1", text)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unwrap(body: Any, where: str) -> Any:
    """v3 answers wrap in {"result": ...}; v4 answers are flat."""
    if isinstance(body, Mapping) and "result" in body and isinstance(body["result"], (Mapping, list)):
        return body["result"]
    return body


def posting(obj: Any, where: str = "posting") -> Posting:
    f = Fields(obj, where)
    number = f.text("posting_number", required=True)
    dm = f.sub("delivery_method") or Fields({}, f"{where}.delivery_method")
    customer = f.sub("customer")
    address = customer.sub("address") if customer else None
    addressee = f.sub("addressee")
    barcodes = f.sub("barcodes")
    cancellation = f.sub("cancellation")
    products: list[PostingItem] = []
    for i, raw in enumerate(f.items("products", required=True)):
        p = Fields(raw, f"{where}.products[{i}]")
        price, currency = p.money("price")
        products.append(
            PostingItem(
                sku=p.int_id("sku", required=True),
                offer_id=p.text("offer_id"),
                name=p.text("name"),
                quantity=p.int_id("quantity", required=True),
                price=price,
                currency=currency,
            )
        )
    status_raw = f.text("status", required=True)
    name = ""
    if customer:
        name = customer.text("name")
    if not name and addressee:
        name = addressee.text("name")
    order_number = f.text("order_number") or number.rsplit("-", 1)[0]
    return Posting(
        posting_number=number,
        order_number=order_number,
        order_id=f.int_id("order_id"),
        status=PostingStatus.parse(status_raw),
        substatus=f.text("substatus"),
        shipment_date=f.time("shipment_date"),
        in_process_at=f.time("in_process_at"),
        delivery_method_id=dm.int_id("id"),
        delivery_method_name=dm.text("name"),
        warehouse_id=dm.int_id("warehouse_id"),
        warehouse_name=dm.text("warehouse"),
        tpl_provider=dm.text("tpl_provider"),
        tpl_integration_type=f.text("tpl_integration_type"),
        tracking_number=f.text("tracking_number"),
        delivering_date=f.time("delivering_date"),
        is_express=f.flag("is_express"),
        customer_name=name,
        city=address.text("city") if address else "",
        address=address.text("address_tail") if address else "",
        pvz_code=address.text("pvz_code") if address else "",
        upper_barcode=barcodes.text("upper_barcode") if barcodes else "",
        lower_barcode=barcodes.text("lower_barcode") if barcodes else "",
        cancel_reason=cancellation.text("cancel_reason") if cancellation else "",
        available_actions=tuple(str(a) for a in f.items("available_actions")),
        products=tuple(products),
    )


def posting_page(body: Any, where: str) -> tuple[list[Posting], str, bool]:
    """A page of a v4 (flat, cursor) or v3 (`result`-wrapped) posting list."""
    data = unwrap(body, where)
    f = Fields(data, where)
    raw = f.items("postings", required=True)
    postings = [posting(p, f"{where}.postings[{i}]") for i, p in enumerate(raw)]
    return postings, f.text("cursor"), f.flag("has_next")


def product(obj: Any, where: str) -> Product:
    f = Fields(obj, where)
    images = f.obj.get("primary_image") or f.obj.get("images") or []
    if isinstance(images, str):
        images = [images]
    barcodes = [str(b) for b in f.items("barcodes") if b]
    single = f.text("barcode")
    if single and single not in barcodes:
        barcodes.append(single)
    return Product(
        sku=f.int_id("sku", required=True),
        product_id=f.int_id("id") or f.int_id("product_id"),
        offer_id=f.text("offer_id"),
        name=f.text("name"),
        barcodes=tuple(barcodes),
        image_url=str(images[0]) if images else "",
    )


def chat(obj: Any, where: str) -> Chat:
    outer = Fields(obj, where)
    inner = outer.sub("chat") or outer  # v3 nests the chat; v2 was flat
    return Chat(
        chat_id=inner.text("chat_id", required=True),
        chat_type=ChatType.parse(inner.text("chat_type")),
        is_open=inner.text("chat_status").strip().upper() != "CLOSED",
        created_at=inner.time("created_at"),
        unread_count=outer.int_id("unread_count"),
        last_message_id=outer.text("last_message_id"),
    )


def message(obj: Any, chat_id: str, where: str) -> ChatMessage:
    f = Fields(obj, where)
    user = f.sub("user") or Fields({}, f"{where}.user")
    context = f.sub("context")
    data = [str(d) for d in f.items("data")]
    is_image = f.flag("is_image")
    created = f.time("created_at", required=True)
    assert created is not None
    return ChatMessage(
        message_id=f.text("message_id", required=True) or f.text("messageId"),
        chat_id=chat_id,
        author=AuthorType.parse(user.text("type")),
        created_at=created,
        text="" if is_image else "\n".join(data),
        is_image=is_image,
        is_read=f.flag("is_read"),
        order_number=context.text("order_number") if context else "",
        image_urls=tuple(data) if is_image else (),
    )


def fbs_return(obj: Any, where: str) -> ReturnRequest:
    f = Fields(obj, where)
    prod = f.sub("product") or Fields({}, f"{where}.product")
    price_block = prod.sub("price")
    price, currency = price_block.money("price") if price_block else (Decimal("0"), "RUB")
    visual = f.sub("visual")
    status = visual.sub("status") if visual else None
    logistic = f.sub("logistic")
    schema = f.text("schema").lower()
    return ReturnRequest(
        return_id=f.int_id("id", required=True),
        kind=ReturnKind.FBO if schema == "fbo" else ReturnKind.FBS,
        posting_number=f.text("posting_number"),
        order_number=f.text("order_number"),
        sku=prod.int_id("sku"),
        offer_id=prod.text("offer_id"),
        product_name=prod.text("name"),
        quantity=prod.int_id("quantity") or 1,
        price=price,
        currency=currency,
        status=status.text("sys_name") if status else "",
        status_name=status.text("display_name") if status else "",
        reason=f.text("return_reason_name"),
        changed_at=visual.time("change_moment") if visual else None,
        return_type=f.text("type"),
        barcode=logistic.text("barcode") if logistic else "",
    )


def rfbs_return(obj: Any, where: str) -> ReturnRequest:
    f = Fields(obj, where)
    prod = f.sub("product") or Fields({}, f"{where}.product")
    price, currency = prod.money("price")
    state = f.sub("state") or Fields({}, f"{where}.state")
    reason = f.sub("return_reason")
    return ReturnRequest(
        return_id=f.int_id("return_id", required=True),
        kind=ReturnKind.RFBS,
        posting_number=f.text("posting_number"),
        order_number=f.text("order_number"),
        sku=prod.int_id("sku"),
        offer_id=prod.text("offer_id"),
        product_name=prod.text("name"),
        quantity=prod.int_id("quantity") or 1,
        price=price,
        currency=currency,
        status=state.text("state") or state.text("group_state"),
        status_name=state.text("state_name"),
        reason=reason.text("name") if reason else "",
        created_at=f.time("created_at"),
        return_number=f.text("return_number"),
        client_name=f.text("client_name"),
    )


def review(obj: Any, where: str) -> Review:
    f = Fields(obj, where)
    status = f.text("status").upper()
    if status == "UNPROCESSED":  # v1 spelling
        status = "NEW"
    return Review(
        review_id=f.text("id", required=True),
        sku=f.int_id("sku"),
        text=f.text("text"),
        rating=f.int_id("rating"),
        published_at=f.time("published_at"),
        status=status or "NEW",
        order_status=f.text("order_status"),
        comments_amount=f.int_id("comments_amount"),
        photos_amount=f.int_id("photos_amount"),
    )


def question(obj: Any, where: str) -> Question:
    f = Fields(obj, where)
    return Question(
        question_id=f.text("id", required=True),
        sku=f.int_id("sku"),
        text=f.text("text"),
        author_name=f.text("author_name"),
        published_at=f.time("published_at"),
        status=f.text("status").upper() or "NEW",
        answers_count=f.int_id("answers_count"),
    )
