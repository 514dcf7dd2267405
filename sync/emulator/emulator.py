"""The emulator as a whole: seeded state, clock, faults, and the outside world's actions."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from . import catalog, cdn, control, documents, exemplars, labels, operations, requirements
from .aftersales import RETURN_STATUSES
from .clock import Clock, iso_z
from .dispatch import HOLD, RESET, Api, Reply, rate_limited
from .faults import DEFAULT_TIMEOUT_HOLD, REFUSALS, Fault, Faults, drop_id, truncate
from .live import Live
from .machine import CANCEL_REASONS, DEFAULT_SUBSTATUS
from .model import Posting, Product
from .ratelimit import RateLimiter
from .seed import Factory
from .store import Store

CREATABLE = frozenset(DEFAULT_SUBSTATUS) - {
    "awaiting_registration",
    "acceptance_in_progress",
    "sent_by_seller",
    "not_accepted",
    "driver_pickup",
}

ProductSpec = int | str | tuple[int | str, int]


class Emulator:
    """A stateful stand-in for the Ozon Seller API. See the package docstring for the whole contract."""

    def __init__(
        self,
        seed: int = 1,
        postings: int = 300,
        client_id: str = "123456",
        api_key: str = "demo-key",
        start: datetime | None = None,
        speed: float = 0.0,
        premium: bool = True,
        live: bool = False,
        trusted_acceptance: bool = False,
        rate_limit: int | None = None,
    ) -> None:
        self.client_id = client_id
        self.api_key = api_key
        self.seed = seed
        self._clock = Clock(start, speed)
        self._store = Store(self._clock, seed, client_id, trusted_acceptance)
        self._factory = Factory(self._store)
        self._faults = Faults(seed)
        with self._store.lock:
            self._factory.populate(postings)
            if live:
                Live(self._store, self._factory, seed).start(self._store.now())
        self._api = Api(self._store, client_id, api_key, premium, RateLimiter(rate_limit))

    @property
    def premium(self) -> bool:
        return self._api.premium

    @premium.setter
    def premium(self, value: bool) -> None:
        self._api.premium = value

    # -- clock ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock.now()

    def advance(self, seconds: float) -> None:
        """Move the clock forward and run whatever became due (labels ready, live arrivals)."""
        self._clock.advance(seconds)
        with self._store.lock:
            self._store.run_due()

    # -- the outside world ------------------------------------------------------------------------

    def create_postings(
        self,
        count: int = 1,
        status: str = "awaiting_packaging",
        rfbs: bool = False,
        products: Sequence[ProductSpec] | None = None,
    ) -> list[str]:
        """New postings paid just now. ``products``: SKUs or offer ids, optionally ``(sku_or_offer, qty)``;
        without them, random goods that need nothing before the ship (no marks, customs numbers or boxes:
        ask for those by SKU, see ``skus_requiring``)."""
        if status not in CREATABLE:
            raise ValueError(f"cannot create postings in status {status!r}; use one of {sorted(CREATABLE)}")
        if status == "awaiting_approve" and not rfbs:
            raise ValueError("only rFBS postings wait for approval")
        if count < 1:
            raise ValueError("count must be >= 1")
        store = self._store
        with store.lock:
            now = store.run_due()
            chosen = None if products is None else [self._product(spec) for spec in products]
            made = [
                self._factory.posting(status, rfbs, now, fresh=True, products=chosen, regulated=False)
                for _ in range(count)
            ]
            store.add_postings(made)
            for p in made:
                if p.status == "awaiting_approve":
                    operations.approve_later(store, p, now + operations.APPROVE_DELAY)
            return [p.number for p in made]

    def _product(self, spec: ProductSpec) -> tuple[Product, int]:
        ref, quantity = spec if isinstance(spec, tuple) else (spec, 1)
        found = self._store.products.get(ref) if isinstance(ref, int) else self._store.product_by_offer(ref)
        if found is None:
            raise ValueError(f"no product with sku or offer id {ref!r}")
        return found, quantity

    def _posting(self, number: str) -> Posting:
        p = self._store.postings.get(number)
        if p is None:
            raise ValueError(f"no posting {number!r}")
        return p

    def cancel_posting(self, posting_number: str, reason_id: int = 352) -> None:
        """The buyer or Ozon cancels a posting (not the seller: not logged, rating unaffected)."""
        with self._store.lock:
            now = self._store.run_due()
            p = self._posting(posting_number)
            if p.status in ("cancelled", "delivered"):
                raise ValueError(f"posting {posting_number} is already {p.status}")
            by = "buyer" if CANCEL_REASONS.get(reason_id, ("", "buyer", False))[1] == "buyer" else "ozon"
            operations.cancel(self._store, p, reason_id, by, now)

    def send_buyer_message(
        self,
        chat_id: str | None = None,
        posting_number: str | None = None,
        text: str | None = None,
        image: bool = False,
    ) -> str:
        """A buyer (or, in the support chat, Ozon support) writes; returns the new message id.

        Without a chat or posting, a random active posting's buyer writes."""
        store, factory = self._store, self._factory
        with store.lock:
            now = store.run_due()
            if chat_id is not None:
                chat = store.chats.get(chat_id)
                if chat is None:
                    raise ValueError(f"no chat {chat_id!r}")
            else:
                if posting_number is None:
                    active = [
                        n
                        for n, p in store.postings.items()
                        if p.status in ("awaiting_packaging", "awaiting_deliver", "delivering")
                    ]
                    if not active:
                        raise ValueError("no active posting to write about")
                    posting_number = store.rng.choice(active)
                chat = factory.chat_for(self._posting(posting_number), now)
            author = "Support" if chat.chat_type == "SELLER_SUPPORT" else "Customer"
            if image:
                msg = factory.message(chat, author, now, image=store.rng.choice(catalog.DAMAGE_PHOTOS))
            else:
                msg = factory.message(chat, author, now, text or store.rng.choice(catalog.BUYER_MESSAGES))
            return str(msg.id)

    def open_return(self, posting_number: str, kind: str = "fbs") -> int:
        """The buyer returns an item. ``fbs``: an item in /v1/returns/list (posting handed over to
        delivery, non-rFBS); ``rfbs``: a return request for a delivered rFBS posting. Returns its id."""
        store = self._store
        with store.lock:
            now = store.run_due()
            p = self._posting(posting_number)
            if kind == "fbs":
                if p.rfbs:
                    raise ValueError("rFBS postings get return requests: use kind='rfbs'")
                if p.status not in ("delivering", "delivered", "arbitration", "client_arbitration") and not (
                    p.cancellation is not None and p.cancellation.after_ship
                ):
                    raise ValueError(f"posting {posting_number} never left the seller ({p.status})")
                ret = self._factory.fbs_return(p, now)
                store.fbs_returns[ret.id] = ret
                return ret.id
            if kind == "rfbs":
                if not p.rfbs:
                    raise ValueError("only rFBS postings have return requests: use kind='fbs'")
                if p.status != "delivered":
                    raise ValueError(f"posting {posting_number} is not delivered ({p.status})")
                rret = self._factory.rfbs_return(p, now)
                store.rfbs_returns[rret.return_id] = rret
                return rret.return_id
            raise ValueError("kind must be 'fbs' or 'rfbs'")

    def move_return(self, return_id: int, sys_name: str, display_name: str = "") -> None:
        """An FBS/FBO return moves on (Ozon's logistics or its decision): a new visual status, now."""
        store = self._store
        with store.lock:
            now = store.run_due()
            r = store.fbs_returns[return_id]
            known = {sys: (sid, name) for sid, sys, name in RETURN_STATUSES}
            r.status_id, r.status_name = known.get(sys_name, (0, display_name or sys_name))
            r.status_sys_name, r.changed_at = sys_name, now

    # -- faults -----------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        self._faults.add(fault)

    def clear_faults(self) -> int:
        return self._faults.clear()

    @property
    def faults(self) -> list[dict[str, Any]]:
        return self._faults.snapshot()

    # -- inspection -------------------------------------------------------------------------------

    @property
    def log(self) -> list[dict[str, Any]]:
        """Applied state-changing API calls, oldest first (a copy)."""
        with self._store.lock:
            return list(self._store.log)

    def posting(self, posting_number: str) -> dict[str, Any]:
        """The raw state of one posting, for test asserts (a copy), as of now (due events run first)."""
        with self._store.lock:
            self._store.run_due()
            p = self._posting(posting_number)
            return {
                "posting_number": p.number,
                "order_number": p.order_number,
                "order_id": p.order_id,
                "parent_posting_number": p.parent_number,
                "status": p.status,
                "substatus": p.substatus,
                "previous_substatus": p.previous_substatus,
                "in_process_at": p.in_process_at,
                "shipment_date": p.shipment_date,
                "status_changed_at": p.status_changed_at,
                "delivering_date": p.delivering_date,
                "delivered_at": p.delivered_at,
                "rfbs": p.rfbs,
                "tpl_integration_type": p.method.integration,
                "delivery_method_id": p.method.id,
                "warehouse_id": p.method.warehouse.id,
                "tracking_number": p.tracking_number,
                "label_ready": p.label_ready,
                "carriage_id": p.carriage_id,
                "is_multibox": requirements.is_multibox(p),
                "multi_box_qty": p.multi_box_qty,
                "requirements": requirements.requirements(p),
                "barcodes": {"upper_barcode": p.upper_barcode, "lower_barcode": p.lower_barcode},
                "scanit": p.scanit,
                "products": [
                    {
                        "sku": ln.product.sku,
                        "offer_id": ln.product.offer_id,
                        "name": ln.product.name,
                        "quantity": ln.quantity,
                        "price": ln.price / 100,
                    }
                    for ln in p.lines
                ],
                "customer": dataclasses.asdict(p.customer),
                "cancellation": dataclasses.asdict(p.cancellation) if p.cancellation else None,
                "chat_id": self._store.chat_by_posting.get(p.number),
            }

    def state(self) -> dict[str, Any]:
        """Counts for the control API and quick looks."""
        store = self._store
        with store.lock:
            now = store.run_due()
            return {
                "now": iso_z(now),
                "postings": len(store.postings),
                "statuses": dict(Counter(p.status for p in store.postings.values())),
                "products": len(store.products),
                "chats": len(store.chats),
                "unread_messages": sum(
                    1 for c in store.chats.values() for m in c.messages if m.user_type != "Seller" and not m.is_read
                ),
                "fbs_returns": len(store.fbs_returns),
                "rfbs_returns": len(store.rfbs_returns),
                "reviews": len(store.reviews),
                "questions": len(store.questions),
                "carriages": len(store.carriages),
                "label_tasks": len(store.label_tasks),
                "downloads": len(store.downloads),
                "log_entries": len(store.log),
                "faults": self.faults,
                "warehouses": [{"id": w.id, "name": w.name} for w in store.warehouses],
                "delivery_methods": [
                    {"id": m.id, "name": m.name, "warehouse_id": m.warehouse.id, "tpl_integration_type": m.integration}
                    for m in store.methods.values()
                ],
            }

    def skus_requiring(self, kind: str) -> list[int]:
        """The shop's SKUs whose items need ``kind``: ``"mandatory_mark"`` (a Честный ЗНАК code), ``"gtd"``
        (a customs number) or ``"multibox"`` (several boxes)."""
        if kind not in requirements.KINDS:
            raise ValueError(f"kind must be one of {', '.join(requirements.KINDS)}")
        with self._store.lock:
            return sorted(sku for sku, product in self._store.products.items() if kind in product.needs)

    def mark_code(self, sku: int, serial: str | None = None) -> str:
        """A valid marking code for the product (GS as ``\x1d``) that no posting uses and that was not
        handed out before; deterministic from the seed and the order of calls. ``serial``: 13 characters
        of your own (ValueError if that code is already used)."""
        with self._store.lock:
            product = self._store.products.get(sku)
            if product is None:
                raise ValueError(f"no product with sku {sku}")
            return exemplars.issue_mark(self._store, product, serial)

    def exemplars(self, posting_number: str) -> dict[str, Any]:
        """What was set for a posting's items (marks, customs numbers), its exemplar status now, and the
        box count the seller set (0: not set), for test asserts (a copy)."""
        with self._store.lock:
            now = self._store.run_due()
            return exemplars.snapshot(self._posting(posting_number), now)

    @property
    def downloads(self) -> list[dict[str, Any]]:
        """Every request for a CDN file path, oldest first (a copy): ``path``, ``status``, and whether an
        ``Api-Key`` / ``Client-Id`` header was sent (``sent_api_key``, ``sent_client_id``)."""
        with self._store.lock:
            return [dict(d) for d in self._store.downloads]

    def label_pdf(self, posting_numbers: Sequence[str], small: bool = False) -> bytes:
        """The file a label task for exactly these postings would produce now (big 75×120 mm pages, or
        58×40 mm with ``small``). ValueError if any of them would not be printed, with why."""
        with self._store.lock:
            self._store.run_due()
            printed, unprinted = labels.sort_out(self._store, posting_numbers)
            if unprinted:
                raise ValueError("not printable: " + ", ".join(f"{n} ({why})" for n, why in unprinted))
            return documents.labels(printed, small=small)

    # -- requests ---------------------------------------------------------------------------------

    def dispatch(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        read_timeout: float | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> Reply:
        """Answer one request (``headers`` with lower-case names), applying the first matching fault.

        ``read_timeout``: the client's, when the transport knows it (the adapter): a latency fault longer
        than it is applied but answered as HOLD, as a real server would finish after the client gave up."""
        if path.startswith("/__emulator/"):
            return control.handle(self, method, path, body)
        fault = self._faults.take(path)  # faults hit CDN file paths too
        if fault is None:
            return self._serve(method, path, headers, body)
        kind = fault.kind
        if kind == "reset":
            return Reply(action=RESET)
        if kind == "timeout":
            return Reply(action=HOLD, hold=fault.delay or DEFAULT_TIMEOUT_HOLD)
        if kind == "rate_limit":
            return rate_limited(fault.retry_after)
        if kind in REFUSALS:
            status, refusal = REFUSALS[kind]
            reply = Reply(status, refusal)
            if fault.retry_after is not None:
                reply.headers["Retry-After"] = str(fault.retry_after)
            return reply
        if kind == "latency":
            if read_timeout is not None and fault.delay > read_timeout:
                sleep(read_timeout)
                self._serve(method, path, headers, body)
                return Reply(action=HOLD)
            sleep(fault.delay)
            return self._serve(method, path, headers, body)
        reply = self._serve(method, path, headers, body)
        if kind == "lost_reply":
            return Reply(action=RESET, hold=fault.delay)
        reply.body = truncate(reply.body) if kind == "malformed_json" else drop_id(reply.body)
        return reply

    def _serve(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if cdn.is_file_path(path):
            return cdn.serve(self._store, method, path, headers)
        return self._api.handle(method, path, headers, body)
