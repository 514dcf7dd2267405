"""The Ozon Seller API client: one requests.Session, auth headers, a timeout on every call,
error bodies mapped to typed errors, answers parsed by sync.schemas.

It never sleeps and never retries by itself: the sync engine owns scheduling (backoff with jitter,
Retry-After pauses), so a worker is never stuck inside a request library's retry loop.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, Generic, TypeVar

import requests

from app.domain.chats import Chat, ChatMessage
from app.domain.feedback import Question, Review
from app.domain.postings import Posting
from app.domain.products import Product
from app.domain.returns import ReturnRequest
from app.secrets import Credentials
from sync import schemas
from sync.errors import (
    AuthError,
    InvalidStateError,
    MissingRoleError,
    NetworkError,
    NotFoundError,
    OzonError,
    PlanLimitError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ValidationError,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
USER_AGENT = "Packdesk/0.1"

# Business refusals that are about the object's state, not the request's shape.
_STATE_MESSAGES = (
    "POSTING_ALREADY_CANCELLED",
    "POSTING_ALREADY_SHIPPED",
    "HAS_INCORRECT_STATUS",
    "TRANSITION_IS_NOT_POSSIBLE",
    "HAS_INCORRECT_TPL_INTEGRATION_TYPE",
    "NOT_ALLOWED",
    "INVALID_STATE",
    "aren't ready",
)
_PLAN_WORDS = ("subscription", "premium", "tariff", "plan ")


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str
    has_next: bool


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_for(status: int, body: Any, path: str, retry_after: float | None = None) -> OzonError:
    """Map an HTTP error with Ozon's {code, message, details} body to a typed error."""
    code: int | None = None
    message = ""
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        message = str(body.get("message") or "")
    message = message or f"HTTP {status}"
    low = message.lower()
    kw: dict[str, Any] = {"path": path, "status": status, "code": code}
    if status == 429 or code == 8:
        return RateLimitedError(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message, retry_after=retry_after, **kw)
    if status in (401, 403) or code in (7, 16):
        if "role" in low:
            return MissingRoleError(message, **kw)
        if any(w in low for w in _PLAN_WORDS):
            return PlanLimitError(message, **kw)
        return AuthError(message, **kw)
    if status == 404 or code == 5:
        return NotFoundError(message, **kw)
    if status == 409 or any(m.lower() in low for m in _STATE_MESSAGES):
        return InvalidStateError(message, **kw)
    return ValidationError(message, **kw)


def _products(items: list[Any]) -> list[Product]:
    return [schemas.product(it, f"answer.items[{i}]") for i, it in enumerate(items)]


def _parsed(path: str, parse: Callable[[], T]) -> T:
    """Run a parser; a ProtocolError it raises names the API path too."""
    try:
        return parse()
    except ProtocolError as exc:
        exc.path = path
        raise


class OzonClient:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self._headers = {
            "Client-Id": credentials.client_id,
            "Api-Key": credentials.api_key,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }

    def close(self) -> None:
        self.session.close()

    def fork(self, timeout: tuple[float, float] | None = None) -> OzonClient:
        """The same account and transport on a session of its own: a requests.Session must not be
        used by two threads at once, and the sync thread keeps its own to itself."""
        session = requests.Session()
        for prefix, adapter in self.session.adapters.items():
            session.mount(prefix, adapter)  # keeps an in-process emulator transport too
        twin = OzonClient.__new__(OzonClient)
        twin.base_url, twin.timeout, twin.session = self.base_url, timeout or self.timeout, session
        twin._headers = dict(self._headers)
        return twin

    # -- transport ---------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        try:
            response = self.session.post(
                self.base_url + path,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers=self._headers,
                timeout=self.timeout,
            )
        except requests.exceptions.ConnectTimeout:
            raise NetworkError("connection timed out", ambiguous=False, path=path) from None
        except requests.exceptions.ReadTimeout:
            raise NetworkError("no answer in time", ambiguous=True, path=path) from None
        except requests.exceptions.ConnectionError as exc:
            # Refused or unresolvable: nothing was sent. A reset mid-request may have been applied.
            text = str(exc)
            refused = any(w in text for w in ("Connection refused", "NewConnectionError", "Name or service"))
            reason = "cannot connect" if refused else "connection lost"
            raise NetworkError(reason, ambiguous=not refused, path=path) from None
        except requests.exceptions.RequestException as exc:
            raise NetworkError(type(exc).__name__, ambiguous=True, path=path) from None
        if response.status_code >= 400:
            try:
                err_body = response.json()
            except ValueError:
                err_body = None
            raise error_for(
                response.status_code, err_body, path, retry_after_seconds(response.headers.get("Retry-After"))
            )
        return response

    def call(self, path: str, body: dict[str, Any]) -> Any:
        response = self._post(path, body)
        try:
            return response.json()
        except ValueError:
            raise ProtocolError("the answer is not valid JSON", path=path) from None

    def call_pdf(self, path: str, body: dict[str, Any]) -> bytes:
        """PDF endpoints answer raw bytes; some document a JSON wrapper with file_content."""
        response = self._post(path, body)
        content = response.content
        if content.startswith(b"%PDF"):
            return content
        try:
            data = response.json()
        except ValueError:
            raise ProtocolError("the answer is neither a PDF nor JSON", path=path) from None
        file_content = data.get("file_content") if isinstance(data, dict) else None
        if isinstance(file_content, str):
            try:
                raw = (
                    file_content.encode("latin-1")
                    if file_content.startswith("%PDF")
                    else base64.b64decode(file_content, validate=True)
                )
            except (ValueError, UnicodeError):
                raise ProtocolError("file_content is not a PDF", path=path, field="file_content") from None
            if raw.startswith(b"%PDF"):
                return raw
        raise ProtocolError("the answer holds no PDF", path=path, field="file_content")

    # -- postings ------------------------------------------------------------------------------

    def unfulfilled_page(
        self, cursor: str, cutoff_from: datetime, cutoff_to: datetime, limit: int = 100
    ) -> Page[Posting]:
        path = "/v4/posting/fbs/unfulfilled/list"
        body = {
            "cursor": cursor,
            "limit": limit,
            "sort_dir": "ASC",
            "filter": {"cutoff_from": schemas.format_time(cutoff_from), "cutoff_to": schemas.format_time(cutoff_to)},
            "with": {"barcodes": True, "analytics_data": False, "financial_data": False, "legal_info": False},
        }
        postings, next_cursor, has_next = self._posting_page(path, body)
        return Page(postings, next_cursor, has_next)

    def postings_page(
        self,
        cursor: str,
        since: datetime,
        to: datetime,
        changed_from: datetime | None = None,
        changed_to: datetime | None = None,
        limit: int = 100,
    ) -> Page[Posting]:
        path = "/v4/posting/fbs/list"
        flt: dict[str, Any] = {"since": schemas.format_time(since), "to": schemas.format_time(to)}
        if changed_from is not None:
            flt["last_changed_status_date"] = {
                "from": schemas.format_time(changed_from),
                "to": schemas.format_time(changed_to or to),
            }
        body = {"cursor": cursor, "limit": limit, "sort_dir": "ASC", "filter": flt, "with": {"barcodes": True}}
        postings, next_cursor, has_next = self._posting_page(path, body)
        return Page(postings, next_cursor, has_next)

    def postings_page_v3(self, offset: int, since: datetime, to: datetime, limit: int = 1000) -> Page[Posting]:
        """Legacy v3 list (offset pagination, `result` wrapper); the cursor is the next offset."""
        path = "/v3/posting/fbs/list"
        body = {
            "dir": "ASC",
            "limit": limit,
            "offset": offset,
            "filter": {"since": schemas.format_time(since), "to": schemas.format_time(to)},
            "with": {"barcodes": True},
        }
        postings, _, has_next = self._posting_page(path, body)
        return Page(postings, str(offset + len(postings)), has_next)

    def _posting_page(self, path: str, body: dict[str, Any]) -> tuple[list[Posting], str, bool]:
        data = self.call(path, body)
        try:
            return schemas.posting_page(data, "answer")
        except ProtocolError as exc:
            exc.path = path
            raise

    def get_posting(self, posting_number: str) -> Posting:
        path = "/v3/posting/fbs/get"
        data = self.call(path, {"posting_number": posting_number, "with": {"barcodes": True}})
        return _parsed(path, lambda: schemas.posting(schemas.unwrap(data, "answer"), "answer.result"))

    def get_by_barcode(self, barcode: str) -> Posting:
        path = "/v2/posting/fbs/get-by-barcode"
        data = self.call(path, {"barcode": barcode})
        return _parsed(path, lambda: schemas.posting(schemas.unwrap(data, "answer"), "answer.result"))

    def ship(self, posting_number: str, packages: Sequence[Sequence[tuple[int, int]]]) -> list[str]:
        """Pack a posting: each package is [(sku, quantity)]; returns the resulting posting numbers."""
        path = "/v4/posting/fbs/ship"
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

    def package_label(self, posting_numbers: Sequence[str]) -> bytes:
        return self.call_pdf("/v2/posting/fbs/package-label", {"posting_number": list(posting_numbers)})

    def cancel(self, posting_number: str, reason_id: int, message: str = "") -> None:
        self.call(
            "/v2/posting/fbs/cancel",
            {"posting_number": posting_number, "cancel_reason_id": reason_id, "cancel_reason_message": message},
        )

    def cancel_reasons(self) -> list[tuple[int, str, str]]:
        data = schemas.unwrap(self.call("/v2/posting/fbs/cancel-reason/list", {}), "answer")
        reasons = []
        for i, raw in enumerate(data if isinstance(data, list) else []):
            f = schemas.Fields(raw, f"answer.result[{i}]")
            if raw.get("is_available_for_cancellation", True):
                reasons.append((f.int_id("id", required=True), f.text("title"), f.text("type_id")))
        return reasons

    def set_tracking_number(self, posting_number: str, tracking_number: str) -> None:
        path = "/v2/fbs/posting/tracking-number/set"
        data = self.call(
            path, {"tracking_numbers": [{"posting_number": posting_number, "tracking_number": tracking_number}]}
        )
        self._check_per_posting(path, data, posting_number)

    def rfbs_step(self, step: str, posting_number: str) -> None:
        """rFBS delivery steps: `delivering`, `last-mile`, `delivered`."""
        path = f"/v2/fbs/posting/{step}"
        data = self.call(path, {"posting_number": [posting_number]})
        self._check_per_posting(path, data, posting_number)

    def approve(self, posting_number: str) -> None:
        self.call("/v1/posting/fbs/approve", {"posting_number": posting_number})

    def _check_per_posting(self, path: str, data: Any, posting_number: str) -> None:
        """rFBS methods answer 200 with a per-posting result; a false one is a refusal."""
        for raw in data.get("result", []) if isinstance(data, dict) else []:
            if isinstance(raw, dict) and str(raw.get("posting_number")) == posting_number and not raw.get("result"):
                error = raw.get("error")
                message = error if isinstance(error, str) and error else json.dumps(error, ensure_ascii=False)
                raise error_for(400, {"code": 3, "message": message or "refused"}, path)

    # -- products ------------------------------------------------------------------------------

    def products_by_sku(self, skus: Iterable[int]) -> list[Product]:
        path = "/v3/product/info/list"
        wanted = sorted(set(skus))
        products: list[Product] = []
        for start in range(0, len(wanted), 1000):
            data = self.call(path, {"sku": [str(s) for s in wanted[start : start + 1000]]})
            items = schemas.Fields(schemas.unwrap(data, "answer"), "answer").items("items", required=True)
            products.extend(_parsed(path, partial(_products, items)))
        return products

    # -- chats -----------------------------------------------------------------------------------

    def chats_page(self, cursor: str, limit: int = 100) -> Page[Chat]:
        path = "/v3/chat/list"
        data = self.call(
            path, {"filter": {"chat_status": "All", "unread_only": False}, "limit": limit, "cursor": cursor}
        )
        f = schemas.Fields(data, "answer")
        chats = _parsed(
            path, lambda: [schemas.chat(c, f"answer.chats[{i}]") for i, c in enumerate(f.items("chats", required=True))]
        )
        return Page(chats, f.text("cursor"), f.flag("has_next"))

    def chat_history(
        self, chat_id: str, from_message_id: str | None = None, direction: str = "Forward", limit: int = 100
    ) -> Page[ChatMessage]:
        """Messages oldest first when Forward; the cursor is the last message id seen."""
        path = "/v3/chat/history"
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
        return Page(messages, cursor, f.flag("has_next"))

    def send_message(self, chat_id: str, text: str) -> None:
        self.call("/v1/chat/send/message", {"chat_id": chat_id, "text": text})

    def send_file(self, chat_id: str, name: str, content: bytes) -> None:
        self.call(
            "/v1/chat/send/file",
            {"chat_id": chat_id, "name": name, "base64_content": base64.b64encode(content).decode("ascii")},
        )

    def mark_read(self, chat_id: str, from_message_id: str) -> None:
        self.call("/v2/chat/read", {"chat_id": chat_id, "from_message_id": from_message_id})

    # -- returns ---------------------------------------------------------------------------------

    def returns_page(self, last_id: int, since: datetime, to: datetime, limit: int = 500) -> Page[ReturnRequest]:
        path = "/v1/returns/list"
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
        return Page(items, cursor, f.flag("has_next"))

    def rfbs_returns_page(self, last_id: int, limit: int = 100) -> Page[ReturnRequest]:
        path = "/v2/returns/rfbs/list"
        data = self.call(path, {"filter": {}, "last_id": last_id, "limit": limit})
        f = schemas.Fields(data, "answer")
        raw = f.items("returns", required=True)
        items = _parsed(path, lambda: [schemas.rfbs_return(r, f"answer.returns[{i}]") for i, r in enumerate(raw)])
        cursor = str(items[-1].return_id) if items else str(last_id)
        # Older answers carry no has_next: a full page means there may be more.
        has_next = f.flag("has_next") if "has_next" in f.obj else len(items) >= limit
        return Page(items, cursor, has_next)

    def rfbs_return_action(self, return_id: int, action_id: int, **fields: Any) -> None:
        body = {"return_id": return_id, "id": action_id, **{k: v for k, v in fields.items() if v is not None}}
        self.call("/v1/returns/rfbs/action/set", body)

    # -- reviews and questions ---------------------------------------------------------------------

    def reviews_page(self, last_id: str, limit: int = 100) -> Page[Review]:
        path = "/v2/review/list"
        data = self.call(path, {"filters": {"status": "ALL"}, "last_id": last_id, "limit": limit, "sort_dir": "DESC"})
        f = schemas.Fields(data, "answer")
        raw = f.items("reviews", required=True)
        items = _parsed(path, lambda: [schemas.review(r, f"answer.reviews[{i}]") for i, r in enumerate(raw)])
        return Page(items, f.text("last_id"), f.flag("has_next"))

    def review_comment(self, review_id: str, text: str) -> str:
        data = self.call(
            "/v1/review/comment/create", {"review_id": review_id, "text": text, "mark_review_as_processed": True}
        )
        return str(data.get("comment_id", "")) if isinstance(data, dict) else ""

    def review_comment_texts(self, review_id: str) -> list[str]:
        """The seller's own published comments on a review (to avoid posting one twice)."""
        data = self.call("/v1/review/comment/list", {"review_id": review_id, "limit": 100, "offset": 0})
        f = schemas.Fields(data, "answer")
        return [str(c.get("text", "")) for c in f.items("comments") if isinstance(c, dict) and c.get("is_owner")]

    def question_answer_texts(self, question_id: str, sku: int) -> list[str]:
        data = self.call("/v1/question/answer/list", {"question_id": question_id, "sku": sku, "last_id": ""})
        f = schemas.Fields(data, "answer")
        return [str(a.get("text", "")) for a in f.items("answers") if isinstance(a, dict)]

    def questions_page(self, last_id: str, limit: int = 100) -> Page[Question]:
        path = "/v1/question/list"
        data = self.call(path, {"filter": {"status": "ALL"}, "last_id": last_id, "limit": limit})
        f = schemas.Fields(data, "answer")
        raw = f.items("questions", required=True)
        items = _parsed(path, lambda: [schemas.question(q, f"answer.questions[{i}]") for i, q in enumerate(raw)])
        return Page(items, f.text("last_id"), f.flag("has_next"))

    def question_answer(self, question_id: str, sku: int, text: str) -> str:
        data = self.call("/v1/question/answer/create", {"question_id": question_id, "sku": sku, "text": text})
        return str(data.get("answer_id", "")) if isinstance(data, dict) else ""

    # -- account ---------------------------------------------------------------------------------

    def key_expires_at(self) -> datetime | None:
        data = self.call("/v1/roles", {})
        return schemas.Fields(data, "answer").time("expires_at")
