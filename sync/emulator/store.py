"""All emulator state behind one lock: records, sort indexes, scheduled events and the action log."""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from .clock import Clock, iso_z, micros
from .codes import NO_BARCODE, Ids
from .machine import DEFAULT_SUBSTATUS
from .model import (
    Carriage,
    Chat,
    DeliveryMethod,
    FbsReturn,
    LabelTask,
    Posting,
    Product,
    Question,
    Review,
    RfbsReturn,
    Warehouse,
)

Event = Callable[[datetime], None]


class Store:
    def __init__(self, clock: Clock, seed: int, client_id: str, trusted_acceptance: bool = False) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.client_id = client_id
        self.trusted_acceptance = trusted_acceptance  # the seller may send containers_count on approve
        self.seed = seed
        self.rng = random.Random(seed)
        self.ids = Ids(random.Random(seed * 7919 + 17))
        self.version = 0  # bumped on every change; caches keyed on it
        self.products: dict[int, Product] = {}  # by sku
        self.warehouses: list[Warehouse] = []
        self.methods: dict[int, DeliveryMethod] = {}
        self.postings: dict[str, Posting] = {}
        self.by_barcode: dict[str, Posting] = {}
        self.order_postings: dict[str, list[str]] = {}  # order_number -> posting numbers
        # Sort indexes: (key in epoch microseconds, posting number), kept sorted.
        self.by_shipment: list[tuple[int, str]] = []
        self.by_process: list[tuple[int, str]] = []
        self.by_changed: list[tuple[int, str]] = []  # by status_changed_at: cheap "what changed since"
        self.carriages: dict[int, Carriage] = {}
        self.label_tasks: dict[int, LabelTask] = {}
        self.label_files: dict[str, LabelTask] = {}  # by file name
        self.downloads: list[dict[str, Any]] = []  # every request for a CDN file path
        self.marks: dict[str, str] = {}  # marking code -> the posting that uses it
        self.mark_serials: dict[int, int] = {}  # SKU -> how many made-up serials were handed out
        self.chats: dict[str, Chat] = {}
        self.chat_by_posting: dict[str, str] = {}
        self.chat_files: dict[str, bytes | None] = {}  # by '<uuid>/<name>'; None: a seeded photo
        self.fbs_returns: dict[int, FbsReturn] = {}
        self.rfbs_returns: dict[int, RfbsReturn] = {}
        self.reviews: dict[str, Review] = {}
        self.questions: dict[str, Question] = {}
        self.log: list[dict[str, Any]] = []
        self.memo: dict[Any, tuple[int, Any]] = {}  # (version, value): results valid until the next change
        self._events: list[tuple[int, int, Event]] = []
        self._event_seq = itertools.count()

    # -- time -------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def schedule(self, when: datetime, event: Event) -> None:
        heapq.heappush(self._events, (micros(when), next(self._event_seq), event))

    def run_due(self) -> datetime:
        """Run every scheduled event whose time has come (in time order); return the current time."""
        now = self.clock.now()
        limit = micros(now)
        while self._events and self._events[0][0] <= limit:
            due, _, event = heapq.heappop(self._events)
            event(now if due > limit else now - timedelta(microseconds=limit - due))
        return now

    # -- postings ---------------------------------------------------------------------------------

    def add_postings(self, postings: Iterable[Posting], bulk: bool = False) -> None:
        indexes = (self.by_shipment, self.by_process, self.by_changed)
        for p in postings:
            self.postings[p.number] = p
            self.order_postings.setdefault(p.order_number, []).append(p.number)
            for code in (p.upper_barcode, p.lower_barcode, p.scanit):
                if code != NO_BARCODE:  # "0" means none: it never finds a posting
                    self.by_barcode[code] = p
            keys = (
                (micros(p.shipment_date), p.number),
                (micros(p.in_process_at), p.number),
                (micros(p.status_changed_at), p.number),
            )
            for index, key in zip(indexes, keys, strict=True):
                if bulk:
                    index.append(key)
                else:
                    bisect.insort(index, key)
        if bulk:
            for index in indexes:
                index.sort()
        self.version += 1

    def next_posting_number(self, order_number: str) -> str:
        numbers = self.order_postings.get(order_number, [])
        last = max((int(n.rsplit("-", 1)[1]) for n in numbers), default=0)
        return f"{order_number}-{last + 1}"

    def touch(self, p: Posting) -> None:
        p.cache_v4 = None
        self.version += 1

    def set_status(self, p: Posting, status: str, substatus: str | None = None, when: datetime | None = None) -> None:
        new_sub = substatus or DEFAULT_SUBSTATUS.get(status, "")
        if p.status != status:
            old = (micros(p.status_changed_at), p.number)
            del self.by_changed[bisect.bisect_left(self.by_changed, old)]
            p.status_changed_at = when or self.now()
            bisect.insort(self.by_changed, (micros(p.status_changed_at), p.number))
        if new_sub != p.substatus:
            p.previous_substatus = p.substatus
        p.status = status
        p.substatus = new_sub
        self.touch(p)

    def memoized(self, key: Any, compute: Callable[[], Any]) -> Any:
        hit = self.memo.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        if len(self.memo) > 64:
            self.memo.clear()
        value = compute()
        self.memo[key] = (self.version, value)
        return value

    # -- log --------------------------------------------------------------------------------------

    def record(self, method: str, when: datetime, request: Any, **subject: Any) -> None:
        entry: dict[str, Any] = {"method": method}
        entry.update(subject)
        entry["time"] = iso_z(when)
        entry["request"] = request
        self.log.append(entry)

    # -- small lookups ----------------------------------------------------------------------------

    def product_by_offer(self, offer_id: str) -> Product | None:
        for product in self.products.values():
            if product.offer_id == offer_id:
                return product
        return None
