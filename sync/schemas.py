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
from app.domain.postings import Posting, PostingItem, PostingStatus, Requirement, Requirements
from app.domain.products import Product
from app.domain.returns import RejectionReason, ReturnAction, ReturnDetails, ReturnKind, ReturnRequest
from sync.answers import (
    ActPosting,
    ActStatus,
    ActSummary,
    CarriageInfo,
    Exemplar,
    ExemplarInfo,
    ExemplarProduct,
    LabelTask,
    LabelTaskState,
    TaskStatus,
)
from sync.errors import ProtocolError

_NO_SKUS: frozenset[int] = frozenset()
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
        """A boolean as Ozon sends it: `true`, or in some answers the string `"true"` / `"false"`."""
        value = self.obj.get(key)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("true", "1", "yes"):
                return True
            if word in ("false", "0", "no", ""):
                return False
        elif isinstance(value, int | float):
            return value != 0
        raise self._fail(key, f"is not a boolean: {value!r:.40}")

    def code(self, key: str) -> str:
        """A barcode: Ozon sends "0" for none."""
        value = self.text(key).strip()
        return "" if value == "0" else value

    def sku_set(self, key: str) -> frozenset[int]:
        """A list of SKUs, as numbers or as strings."""
        if not self.obj.get(key):  # the common case: nine empty lists in every posting
            return _NO_SKUS
        out = set()
        for i, raw in enumerate(self.items(key)):
            try:
                out.add(int(raw))
            except (TypeError, ValueError):
                raise self._fail(f"{key}[{i}]", f"is not a SKU: {raw!r:.40}") from None
        return frozenset(out)

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
        upper_barcode=barcodes.code("upper_barcode") if barcodes else "",
        lower_barcode=barcodes.code("lower_barcode") if barcodes else "",
        scanit=f.code("scanit"),
        parent_posting_number=f.text("parent_posting_number"),
        cancel_reason=cancellation.text("cancel_reason") if cancellation else "",
        available_actions=tuple(str(a) for a in f.items("available_actions")),
        products=tuple(products),
        requirements=requirements(f),
        is_multibox=f.flag("is_multibox"),
        multi_box_qty=max(1, f.int_id("multi_box_qty")),
    )


def requirements(f: Fields) -> Requirements:
    """`requirements.products_requiring_<kind>` (SKUs as numbers or strings) and
    `optional.products_with_possible_mandatory_mark`."""
    block = f.sub("requirements")
    optional = f.sub("optional")
    skus: dict[Requirement, frozenset[int]] = {}
    if block is not None:
        for kind in Requirement:
            found = block.sku_set(f"products_requiring_{kind.value}")
            if found:
                skus[kind] = found
    possible = optional.sku_set("products_with_possible_mandatory_mark") if optional else frozenset()
    return Requirements(skus, possible)


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


# -- answers that are steps of a flow (sync.answers) -------------------------------------------------


def label_tasks(body: Any, where: str = "answer") -> list[LabelTask]:
    """`/v3/posting/fbs/package-label/create` → `{"tasks": [{task_id, task_type}]}` (older: in `result`)."""
    f = Fields(unwrap(body, where), where)
    tasks = []
    for i, raw in enumerate(f.items("tasks", required=True)):
        t = Fields(raw, f"{where}.tasks[{i}]")
        tasks.append(LabelTask(t.int_id("task_id", required=True), t.text("task_type") or "big_label"))
    if not tasks:
        raise ProtocolError(f"{where}.tasks is empty", field=f"{where}.tasks")
    return tasks


def label_task_state(body: Any, where: str = "answer") -> LabelTaskState:
    """`/v2/posting/fbs/package-label/get`: the status object, the file, the postings left out."""
    f = Fields(unwrap(body, where), where)
    status = f.sub("status")
    if status is None:
        raise ProtocolError(f"{where}.status is missing", field=f"{where}.status")
    unprinted: dict[str, str] = {}
    for i, raw in enumerate(status.items("unprinted_postings")):
        u = Fields(raw, f"{where}.status.unprinted_postings[{i}]")
        unprinted[u.text("posting_number", required=True)] = u.text("message") or u.text("msg")
    error = ""
    err = f.obj.get("error")
    if isinstance(err, Mapping) and (err.get("code") or err.get("message")):
        error = ": ".join(str(x) for x in (err.get("code"), err.get("message")) if x)
    elif isinstance(err, str):
        error = err
    state = LabelTaskState(
        status=TaskStatus.parse(status.text("code", required=True)),
        file_url=f.text("file_url"),
        postings_count=status.int_id("postings_count"),
        printed_count=status.int_id("printed_postings_count"),
        unprinted=unprinted,
        error=error,
    )
    if state.status is TaskStatus.COMPLETED and not state.file_url:
        raise ProtocolError(f"{where}.file_url is missing for a completed task", field=f"{where}.file_url")
    return state


def _exemplar(obj: Any, where: str) -> Exemplar:
    f = Fields(obj, where)
    marks: list[str] = []
    statuses: list[str] = []
    errors: list[str] = []
    for i, raw in enumerate(f.items("marks")):
        m = Fields(raw, f"{where}.marks[{i}]")
        if m.text("mark_type").lower() not in ("", "mandatory_mark"):
            continue
        marks.append(m.text("mark"))
        statuses.append(m.text("check_status").lower())
        errors.extend(str(e) for e in m.items("error_codes"))
    return Exemplar(
        exemplar_id=f.int_id("exemplar_id", required=True),
        marks=tuple(marks),
        gtd=f.text("gtd"),
        gtd_absent=f.flag("is_gtd_absent"),
        mark_status=tuple(statuses),
        mark_errors=tuple(errors),
        gtd_status=f.text("gtd_check_status").lower(),
        gtd_errors=tuple(str(e) for e in f.items("gtd_error_codes")),
    )


def exemplar_info(body: Any, where: str = "answer") -> ExemplarInfo:
    """`exemplar/create-or-get` and `exemplar/status` share this shape (status adds the checks)."""
    f = Fields(unwrap(body, where), where)
    products = []
    for i, raw in enumerate(f.items("products", required=True)):
        p = Fields(raw, f"{where}.products[{i}]")
        exemplars = tuple(
            _exemplar(e, f"{where}.products[{i}].exemplars[{j}]") for j, e in enumerate(p.items("exemplars"))
        )
        products.append(
            ExemplarProduct(
                sku=p.int_id("product_id", required=True),
                quantity=p.int_id("quantity") or len(exemplars),
                exemplars=exemplars,
                mark_needed=p.flag("is_mandatory_mark_needed"),
                gtd_needed=p.flag("is_gtd_needed"),
            )
        )
    return ExemplarInfo(
        posting_number=f.text("posting_number"),
        products=tuple(products),
        status=f.text("status").lower(),
        multi_box_qty=max(1, f.int_id("multi_box_qty")),
    )


def carriage_info(body: Any, where: str = "answer") -> CarriageInfo:
    f = Fields(unwrap(body, where), where)
    return CarriageInfo(
        carriage_id=f.int_id("carriage_id", required=True),
        status=f.text("status").lower(),
        delivery_method_id=f.int_id("delivery_method_id"),
        available_actions=tuple(str(a) for a in f.items("available_actions")),
    )


def act_status(body: Any, where: str = "answer") -> ActStatus:
    f = Fields(unwrap(body, where), where)
    return ActStatus(
        status=f.text("status", required=True),
        added=tuple(str(n) for n in f.items("added_to_act")),
        removed=tuple(str(n) for n in f.items("removed_from_act")),
    )


def _result_rows(body: Any, where: str) -> list[Fields]:
    """The objects of a `{"result": [...]}` answer."""
    rows = unwrap(body, where)
    if not isinstance(rows, list):
        raise ProtocolError(f"{where}.result is not a list", field=f"{where}.result")
    return [Fields(raw, f"{where}.result[{i}]") for i, raw in enumerate(rows)]


def act_postings(body: Any, where: str = "answer") -> list[ActPosting]:
    return [
        ActPosting(f.text("posting_number", required=True), max(1, f.int_id("multi_box_qty")))
        for f in _result_rows(body, where)
    ]


def act_list(body: Any, where: str = "answer") -> list[ActSummary]:
    return [
        ActSummary(
            carriage_id=f.int_id("id", required=True),
            delivery_method_id=f.int_id("delivery_method_id"),
            status=f.text("status").lower(),
            created_at=f.time("created_at"),
        )
        for f in _result_rows(body, where)
    ]


def rfbs_return_details(body: Any, return_id: int, where: str = "answer") -> ReturnDetails:
    """`/v2/returns/rfbs/get` → `{"returns": {...}}`. Its `available_actions` come in two documented
    shapes: `[{id, name}]` (the schema) and `[{"action": {id, name}}]` (the 2026 example)."""
    data = body.get("returns", body.get("result")) if isinstance(body, Mapping) else None
    f = Fields(data, f"{where}.returns")
    actions = []
    for i, raw in enumerate(f.items("available_actions")):
        a = Fields(raw, f"{where}.returns.available_actions[{i}]")
        inner = a.sub("action") or a
        actions.append(ReturnAction(inner.int_id("id", required=True), inner.text("name")))
    reasons = []
    for i, raw in enumerate(f.items("rejection_reason")):
        r = Fields(raw, f"{where}.returns.rejection_reason[{i}]")
        reasons.append(
            RejectionReason(
                r.int_id("id", required=True), r.text("name"), r.text("hint"), r.flag("is_comment_required")
            )
        )
    state = f.sub("state") or Fields({}, f"{where}.returns.state")
    reason = f.sub("return_reason")
    return ReturnDetails(
        return_id=f.int_id("return_id") or return_id,  # the official answer does not repeat it
        state=state.text("state"),
        state_name=state.text("state_name"),
        actions=tuple(actions),
        rejection_reasons=tuple(reasons),
        comment=f.text("comment"),
        reason=reason.text("name") if reason else "",
        photos=tuple(str(u) for u in f.items("client_photo") if u),
    )
