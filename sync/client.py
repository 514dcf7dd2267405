"""The Ozon Seller API client: the typed methods Packdesk calls, grouped by area, on the transport
of `sync.http` (session, auth headers, timeouts, error bodies mapped to typed errors); answers are
parsed by sync.schemas.

Only the methods listed in `sync.methods` can be called. The only retry inside is of a read whose
answer was lost (a few quick attempts, `sync.http.Transport.call`); writes, 429s and Retry-After are
the sync engine's (backoff with jitter, re-checks of ambiguous writes, client-wide pauses). The only
other wait inside is the shop's rate limiter (`sync.ratelimit`).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar

from app.domain.chats import Chat, ChatMessage
from app.domain.feedback import Question, Review
from app.domain.postings import Posting
from app.domain.products import Product
from app.domain.returns import ReturnDetails, ReturnRequest
from sync import methods, schemas
from sync.answers import ActPosting, ActStatus, ActSummary, CarriageInfo, ExemplarInfo, LabelTask, LabelTaskState
from sync.errors import InvalidStateError, ProtocolError
from sync.http import Transport, error_for

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str
    has_next: bool


def _products(items: list[Any]) -> list[Product]:
    return [schemas.product(it, f"answer.items[{i}]") for i, it in enumerate(items)]


def _parsed(path: str, parse: Callable[[], T]) -> T:
    """Run a parser; a ProtocolError it raises names the API path too."""
    try:
        return parse()
    except ProtocolError as exc:
        exc.path = path
        raise


# Ozon's label files come from its CDN: an answer that size is not a label batch.
LABEL_FILE_MAX_BYTES = 8 * 1024 * 1024
LABEL_FILE_PER_POSTING_BYTES = 256 * 1024


class OzonClient(Transport):
    """The Ozon Seller API methods Packdesk calls, grouped by area, their answers parsed by sync.schemas."""

    # -- postings ------------------------------------------------------------------------------

    def unfulfilled_page(
        self, cursor: str, cutoff_from: datetime, cutoff_to: datetime, limit: int = 100
    ) -> Page[Posting]:
        body = {
            "cursor": cursor,
            "limit": limit,
            "sort_dir": "ASC",
            "filter": {"cutoff_from": schemas.format_time(cutoff_from), "cutoff_to": schemas.format_time(cutoff_to)},
            "with": {"barcodes": True, "analytics_data": False, "financial_data": False, "legal_info": False},
        }
        return self._posting_page(methods.UNFULFILLED_LIST, body)

    def postings_page(
        self,
        cursor: str,
        since: datetime,
        to: datetime,
        changed_from: datetime | None = None,
        changed_to: datetime | None = None,
        limit: int = 100,
        order_numbers: Sequence[str] = (),
    ) -> Page[Posting]:
        flt: dict[str, Any] = {"since": schemas.format_time(since), "to": schemas.format_time(to)}
        if changed_from is not None:
            flt["last_changed_status_date"] = {
                "from": schemas.format_time(changed_from),
                "to": schemas.format_time(changed_to or to),
            }
        if order_numbers:
            flt["order_numbers"] = list(order_numbers)
        body = {"cursor": cursor, "limit": limit, "sort_dir": "ASC", "filter": flt, "with": {"barcodes": True}}
        return self._posting_page(methods.POSTING_LIST, body)

    def _posting_page(self, path: str, body: dict[str, Any]) -> Page[Posting]:
        data = self.call(path, body)
        postings, cursor, has_next = _parsed(path, lambda: schemas.posting_page(data, "answer"))
        return Page(postings, cursor, has_next)

    def get_posting(self, posting_number: str) -> Posting:
        path = methods.POSTING_GET
        data = self.call(path, {"posting_number": posting_number, "with": {"barcodes": True}})
        return _parsed(path, lambda: schemas.posting(schemas.unwrap(data, "answer"), "answer.result"))

    def get_by_barcode(self, barcode: str) -> Posting:
        """The posting a label's barcode (`scanit`, `lower_barcode`…) belongs to."""
        path = methods.POSTING_BY_BARCODE
        data = self.call(path, {"barcode": barcode})
        return _parsed(path, lambda: schemas.posting(schemas.unwrap(data, "answer"), "answer.result"))

    def ship(self, posting_number: str, packages: Sequence[Sequence[tuple[int, int]]]) -> list[str]:
        """Pack a posting: each package is [(sku, quantity)]; returns the resulting posting numbers."""
        path = methods.SHIP
        body = {
            "posting_number": posting_number,
            "packages": [{"products": [{"product_id": sku, "quantity": qty} for sku, qty in pkg]} for pkg in packages],
            "with": {"additional_data": True},
        }
        data = self.call(path, body)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, list):
            raise ProtocolError("answer.result is missing", path=path, field="answer.result")
        return [str(n) for n in result]

    def cancel(self, posting_number: str, reason_id: int, message: str = "") -> None:
        self.call(
            methods.CANCEL,
            {"posting_number": posting_number, "cancel_reason_id": reason_id, "cancel_reason_message": message},
        )

    def cancel_reasons(self) -> list[tuple[int, str, str]]:
        data = schemas.unwrap(self.call(methods.CANCEL_REASONS, {}), "answer")
        reasons = []
        for i, raw in enumerate(data if isinstance(data, list) else []):
            f = schemas.Fields(raw, f"answer.result[{i}]")
            if "is_available_for_cancellation" not in raw or f.flag("is_available_for_cancellation"):
                reasons.append((f.int_id("id", required=True), f.text("title"), f.text("type_id")))
        return reasons

    def set_tracking_number(self, posting_number: str, tracking_number: str) -> None:
        path = methods.TRACKING_NUMBER_SET
        data = self.call(
            path, {"tracking_numbers": [{"posting_number": posting_number, "tracking_number": tracking_number}]}
        )
        self._check_per_posting(path, data, posting_number)

    def rfbs_step(self, path: str, posting_number: str) -> None:
        """An rFBS delivery step: `methods.RFBS_DELIVERING`, `RFBS_LAST_MILE` or `RFBS_DELIVERED`."""
        data = self.call(path, {"posting_number": [posting_number]})
        self._check_per_posting(path, data, posting_number)

    def _check_per_posting(self, path: str, data: Any, posting_number: str) -> None:
        """rFBS methods answer 200 with a per-posting result; a false one is a refusal."""
        for i, raw in enumerate(data.get("result", []) if isinstance(data, dict) else []):
            if not isinstance(raw, dict) or str(raw.get("posting_number")) != posting_number:
                continue
            if not schemas.Fields(raw, f"answer.result[{i}]").flag("result"):
                error = raw.get("error")
                message = error if isinstance(error, str) and error else json.dumps(error, ensure_ascii=False)
                raise error_for(400, {"code": 3, "message": message or "refused"}, path)

    # -- marking codes, customs numbers, boxes ----------------------------------------------------

    def exemplars(self, posting_number: str) -> ExemplarInfo:
        """The units Ozon numbered for each product of the posting (created on the first call)."""
        path = methods.EXEMPLAR_CREATE_OR_GET
        data = self.call(path, {"posting_number": posting_number})
        return _parsed(path, lambda: schemas.exemplar_info(data))

    def set_exemplars(self, posting_number: str, products: list[dict[str, Any]], multi_box_qty: int = 1) -> None:
        """Ozon's check of marking codes and customs numbers starts (always the full set)."""
        body = {"posting_number": posting_number, "multi_box_qty": multi_box_qty, "products": products}
        self.call(methods.EXEMPLAR_SET, body)

    def exemplar_status(self, posting_number: str) -> ExemplarInfo:
        path = methods.EXEMPLAR_STATUS
        data = self.call(path, {"posting_number": posting_number})
        return _parsed(path, lambda: schemas.exemplar_info(data))

    def set_box_count(self, posting_number: str, boxes: int) -> None:
        path = methods.MULTIBOX_QTY_SET
        data = self.call(path, {"posting_number": posting_number, "multi_box_qty": boxes})
        result = schemas.unwrap(data, "answer")
        if isinstance(result, dict) and "result" in result and not schemas.Fields(result, "answer").flag("result"):
            raise InvalidStateError("Ozon did not take the box count; try again", path=path)

    # -- labels ----------------------------------------------------------------------------------

    def create_label_tasks(self, posting_numbers: Sequence[str]) -> list[LabelTask]:
        """One task for up to 1,000 postings (Ozon makes a big and a small label of each)."""
        path = methods.LABEL_TASK_CREATE
        data = self.call(path, {"posting_numbers": list(posting_numbers)})
        return _parsed(path, lambda: schemas.label_tasks(data))

    def label_task(self, task_id: int) -> LabelTaskState:
        path = methods.LABEL_TASK_GET
        data = self.call(path, {"task_id": task_id})
        return _parsed(path, lambda: schemas.label_task_state(data))

    def label_file(self, url: str, postings: int) -> bytes:
        limit = max(LABEL_FILE_MAX_BYTES, postings * LABEL_FILE_PER_POSTING_BYTES)
        return self.download_pdf(url, limit)

    # -- handover ----------------------------------------------------------------------------------

    def create_carriage(self, delivery_method_id: int, departure: datetime) -> int:
        """A carriage of every packed posting of the delivery method (status `new`)."""
        path = methods.CARRIAGE_CREATE
        body = {"delivery_method_id": delivery_method_id, "departure_date": schemas.format_time(departure)}
        data = self.call(path, body)
        return _parsed(path, lambda: schemas.Fields(data, "answer").int_id("carriage_id", required=True))

    def approve_carriage(self, carriage_id: int, containers_count: int | None = None) -> None:
        """`containers_count` only for sellers with trusted acceptance (Ozon refuses it otherwise)."""
        body: dict[str, Any] = {"carriage_id": carriage_id}
        if containers_count is not None:
            body["containers_count"] = containers_count
        self.call(methods.CARRIAGE_APPROVE, body)

    def carriage(self, carriage_id: int) -> CarriageInfo:
        path = methods.CARRIAGE_GET
        data = self.call(path, {"carriage_id": carriage_id})
        return _parsed(path, lambda: schemas.carriage_info(data))

    def set_carriage_postings(self, carriage_id: int, posting_numbers: Sequence[str]) -> dict[str, str]:
        """Replace a new carriage's postings; returns the refused ones with Ozon's reason."""
        path = methods.CARRIAGE_SET_POSTINGS
        data = self.call(path, {"carriage_id": carriage_id, "posting_numbers": list(posting_numbers)})
        refused: dict[str, str] = {}
        rows = data.get("result") if isinstance(data, dict) else None
        for i, raw in enumerate(rows if isinstance(rows, list) else []):
            f = schemas.Fields(raw, f"answer.result[{i}]")
            if not f.flag("result"):
                refused[f.text("posting_number")] = f.text("error") or "refused"
        return refused

    def acts(self, since: datetime, until: datetime, statuses: Sequence[str] = ()) -> list[ActSummary]:
        path = methods.ACT_LIST
        flt: dict[str, Any] = {"date_from": since.date().isoformat(), "date_to": until.date().isoformat()}
        if statuses:
            flt["status"] = list(statuses)
        data = self.call(path, {"filter": flt, "limit": 100})
        return _parsed(path, lambda: schemas.act_list(data))

    def act_status(self, carriage_id: int) -> ActStatus:
        path = methods.ACT_CHECK_STATUS
        data = self.call(path, {"id": carriage_id})
        return _parsed(path, lambda: schemas.act_status(data))

    def act_pdf(self, carriage_id: int) -> bytes:
        return self.call_pdf(methods.ACT_PDF, {"id": carriage_id})

    def act_postings(self, carriage_id: int) -> list[ActPosting]:
        path = methods.ACT_POSTINGS
        data = self.call(path, {"id": carriage_id})
        return _parsed(path, lambda: schemas.act_postings(data))

    # -- products ------------------------------------------------------------------------------

    def products_by_sku(self, skus: Iterable[int]) -> list[Product]:
        path = methods.PRODUCT_INFO_LIST
        wanted = sorted(set(skus))
        products: list[Product] = []
        for start in range(0, len(wanted), 1000):
            data = self.call(path, {"sku": [str(s) for s in wanted[start : start + 1000]]})
            items = schemas.Fields(schemas.unwrap(data, "answer"), "answer").items("items", required=True)
            products.extend(_parsed(path, partial(_products, items)))
        return products

    # -- chats -----------------------------------------------------------------------------------

    def chats_page(self, cursor: str, limit: int = 100) -> Page[Chat]:
        path = methods.CHAT_LIST
        data = self.call(
            path, {"filter": {"chat_status": "All", "unread_only": False}, "limit": limit, "cursor": cursor}
        )
        f = schemas.Fields(data, "answer")
        chats = _parsed(
            path, lambda: [schemas.chat(c, f"answer.chats[{i}]") for i, c in enumerate(f.items("chats", required=True))]
        )
        return Page(chats, f.text("cursor"), _parsed(path, lambda: f.flag("has_next")))

    def chat_history(
        self, chat_id: str, from_message_id: str | None = None, direction: str = "Forward", limit: int = 100
    ) -> Page[ChatMessage]:
        """Messages oldest first when Forward; the cursor is the last message id seen."""
        path = methods.CHAT_HISTORY
        body: dict[str, Any] = {"chat_id": chat_id, "direction": direction, "limit": limit}
        if from_message_id:
            body["from_message_id"] = from_message_id
        elif direction == "Forward":
            body["direction"] = "Backward"  # Forward needs a start; the first read goes backward
        data = self.call(path, body)
        f = schemas.Fields(data, "answer")
        raw = f.items("messages", required=True)
        messages = _parsed(
            path, lambda: [schemas.message(m, chat_id, f"answer.messages[{i}]") for i, m in enumerate(raw)]
        )
        messages.sort(key=lambda m: (int(m.message_id) if m.message_id.isdigit() else 0, m.created_at))
        if from_message_id:
            messages = [m for m in messages if m.message_id != from_message_id]
        cursor = messages[-1].message_id if messages else (from_message_id or "")
        return Page(messages, cursor, _parsed(path, lambda: f.flag("has_next")))

    def send_message(self, chat_id: str, text: str) -> None:
        self.call(methods.CHAT_SEND_MESSAGE, {"chat_id": chat_id, "text": text})

    def send_file(self, chat_id: str, name: str, content: bytes) -> None:
        self.call(
            methods.CHAT_SEND_FILE,
            {"chat_id": chat_id, "name": name, "base64_content": base64.b64encode(content).decode("ascii")},
        )

    def mark_read(self, chat_id: str, from_message_id: str) -> None:
        self.call(methods.CHAT_READ, {"chat_id": chat_id, "from_message_id": from_message_id})

    def start_chat(self, posting_number: str) -> str:
        """The chat with the posting's buyer (Ozon opens one, or gives the one there is)."""
        path = methods.CHAT_START
        data = self.call(path, {"posting_number": posting_number})

        def chat_id() -> str:
            result = schemas.Fields(data, "answer").sub("result") or schemas.Fields({}, "answer.result")
            return result.text("chat_id", required=True)

        return _parsed(path, chat_id)

    # -- returns ---------------------------------------------------------------------------------

    def returns_page(self, last_id: int, since: datetime, to: datetime, limit: int = 500) -> Page[ReturnRequest]:
        path = methods.RETURNS_LIST
        body = {
            "filter": {
                "visual_status_change_moment": {
                    "time_from": schemas.format_time(since),
                    "time_to": schemas.format_time(to),
                }
            },
            "limit": limit,
            "last_id": last_id,
        }
        data = self.call(path, body)
        f = schemas.Fields(data, "answer")
        raw = f.items("returns", required=True)
        items = _parsed(path, lambda: [schemas.fbs_return(r, f"answer.returns[{i}]") for i, r in enumerate(raw)])
        cursor = str(items[-1].return_id) if items else str(last_id)
        return Page(items, cursor, _parsed(path, lambda: f.flag("has_next")))

    def rfbs_returns_page(self, last_id: int, limit: int = 100) -> Page[ReturnRequest]:
        """rFBS return requests by `last_id`; the list has no `has_next`: an empty page ends it."""
        path = methods.RFBS_RETURNS_LIST
        data = self.call(path, {"filter": {}, "last_id": last_id, "limit": limit})
        f = schemas.Fields(data, "answer")
        raw = f.items("returns", required=True)
        items = _parsed(path, lambda: [schemas.rfbs_return(r, f"answer.returns[{i}]") for i, r in enumerate(raw)])
        cursor = str(items[-1].return_id) if items else str(last_id)
        has_next = _parsed(path, lambda: f.flag("has_next")) if "has_next" in f.obj else bool(items)
        return Page(items, cursor, has_next)

    def rfbs_return(self, return_id: int) -> ReturnDetails:
        path = methods.RFBS_RETURN_GET
        data = self.call(path, {"return_id": return_id})
        return _parsed(path, lambda: schemas.rfbs_return_details(data, return_id))

    def rfbs_return_action(self, return_id: int, action_id: int, **fields: Any) -> None:
        body = {"return_id": return_id, "id": action_id, **{k: v for k, v in fields.items() if v is not None}}
        self.call(methods.RFBS_RETURN_ACTION, body)

    # -- reviews and questions ---------------------------------------------------------------------

    def reviews_page(self, last_id: str, limit: int = 100) -> Page[Review]:
        path = methods.REVIEW_LIST
        data = self.call(path, {"filters": {"status": "ALL"}, "last_id": last_id, "limit": limit, "sort_dir": "DESC"})
        f = schemas.Fields(data, "answer")
        raw = f.items("reviews", required=True)
        items = _parsed(path, lambda: [schemas.review(r, f"answer.reviews[{i}]") for i, r in enumerate(raw)])
        return Page(items, f.text("last_id"), _parsed(path, lambda: f.flag("has_next")))

    def review_comment(self, review_id: str, text: str) -> str:
        data = self.call(
            methods.REVIEW_COMMENT_CREATE, {"review_id": review_id, "text": text, "mark_review_as_processed": True}
        )
        return str(data.get("comment_id", "")) if isinstance(data, dict) else ""

    def review_change_status(self, review_ids: list[str], status: str) -> None:
        """Set reviews NEW, VIEWED or PROCESSED (`/v2/review/change-status`, up to 100 at once)."""
        self.call(methods.REVIEW_CHANGE_STATUS, {"review_ids": review_ids, "status": status})

    def review_comment_texts(self, review_id: str) -> list[str]:
        """The seller's own published comments on a review (to avoid posting one twice)."""
        data = self.call(methods.REVIEW_COMMENT_LIST, {"review_id": review_id, "limit": 100, "offset": 0})
        f = schemas.Fields(data, "answer")
        return [
            str(c.get("text", ""))
            for i, c in enumerate(f.items("comments"))
            if isinstance(c, dict) and schemas.Fields(c, f"answer.comments[{i}]").flag("is_owner")
        ]

    def question_answer_texts(self, question_id: str, sku: int) -> list[str]:
        data = self.call(methods.QUESTION_ANSWER_LIST, {"question_id": question_id, "sku": sku, "last_id": ""})
        f = schemas.Fields(data, "answer")
        return [str(a.get("text", "")) for a in f.items("answers") if isinstance(a, dict)]

    def questions_page(self, last_id: str, limit: int = 100) -> Page[Question]:
        path = methods.QUESTION_LIST
        data = self.call(path, {"filter": {"status": "ALL"}, "last_id": last_id, "limit": limit})
        f = schemas.Fields(data, "answer")
        raw = f.items("questions", required=True)
        items = _parsed(path, lambda: [schemas.question(q, f"answer.questions[{i}]") for i, q in enumerate(raw)])
        return Page(items, f.text("last_id"), _parsed(path, lambda: f.flag("has_next")))

    def question_answer(self, question_id: str, sku: int, text: str) -> str:
        data = self.call(methods.QUESTION_ANSWER_CREATE, {"question_id": question_id, "sku": sku, "text": text})
        return str(data.get("answer_id", "")) if isinstance(data, dict) else ""

    # -- account ---------------------------------------------------------------------------------

    def key_expires_at(self) -> datetime | None:
        data = self.call(methods.ROLES, {})
        return schemas.Fields(data, "answer").time("expires_at")
