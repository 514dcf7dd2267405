"""Live mode: the outside world keeps happening as the emulator clock runs (demo mode).

Rates are per hour of emulator time; at demo speed 60 an emulator hour lasts a real minute. Each kind of
arrival reschedules itself with exponential gaps; a large clock jump replays at most one day of backlog.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from . import catalog, operations
from .seed import Factory
from .store import Store

MAX_BACKLOG = timedelta(days=1)
LOGISTICS_TICK = timedelta(minutes=15)
DELIVERY_TIME = timedelta(days=2)
COMPENSATION_ANSWER = timedelta(hours=1)

RATES_PER_HOUR = {
    "posting": 12.0,
    "message": 4.0,
    "cancellation": 0.7,
    "return": 0.4,
    "review": 1.0,
    "question": 0.5,
}


class Live:
    def __init__(self, store: Store, factory: Factory, seed: int) -> None:
        self.store = store
        self.factory = factory
        self.rng = random.Random(seed * 31 + 5)
        self._arrivals: dict[str, Callable[[datetime], None]] = {
            "posting": self._new_posting,
            "message": self._buyer_message,
            "cancellation": self._buyer_cancels,
            "return": self._new_return,
            "review": self._new_review,
            "question": self._new_question,
        }

    def start(self, now: datetime) -> None:
        for kind in self._arrivals:
            self._schedule(kind, now)
        self.store.schedule(now + LOGISTICS_TICK, self._logistics)

    def _schedule(self, kind: str, after: datetime) -> None:
        floor = self.store.now() - MAX_BACKLOG
        base = max(after, floor)
        gap = timedelta(hours=self.rng.expovariate(RATES_PER_HOUR[kind]))

        def fire(when: datetime) -> None:
            self._arrivals[kind](when)
            self._schedule(kind, when)

        self.store.schedule(base + gap, fire)

    # -- arrivals ---------------------------------------------------------------------------------

    def _new_posting(self, when: datetime) -> None:
        rfbs = self.rng.random() < 0.15
        status = "awaiting_approve" if rfbs and self.rng.random() < 0.2 else "awaiting_packaging"
        p = self.factory.posting(status, rfbs, when, fresh=True)
        self.store.add_postings([p])
        if status == "awaiting_approve":
            operations.approve_later(self.store, p, when + operations.APPROVE_DELAY)

    def _active(self, statuses: tuple[str, ...]) -> list[str]:
        return [n for n, p in self.store.postings.items() if p.status in statuses]

    def _buyer_message(self, when: datetime) -> None:
        numbers = self._active(("awaiting_packaging", "awaiting_deliver", "delivering", "delivered"))
        if not numbers:
            return
        p = self.store.postings[self.rng.choice(numbers)]
        chat = self.factory.chat_for(p, when)
        if p.status == "delivered" and self.rng.random() < 0.3:
            self.factory.message(chat, "Customer", when, image=self.rng.choice(catalog.DAMAGE_PHOTOS))
        else:
            self.factory.message(chat, "Customer", when, self.rng.choice(catalog.BUYER_MESSAGES))

    def _buyer_cancels(self, when: datetime) -> None:
        numbers = self._active(("awaiting_packaging", "awaiting_approve"))
        if numbers:
            operations.cancel(self.store, self.store.postings[self.rng.choice(numbers)], 501, "buyer", when)

    def _new_return(self, when: datetime) -> None:
        numbers = self._active(("delivered",))
        if not numbers:
            return
        p = self.store.postings[self.rng.choice(numbers)]
        if p.rfbs:
            rret = self.factory.rfbs_return(p, when)
            self.store.rfbs_returns[rret.return_id] = rret
        else:
            ret = self.factory.fbs_return(p, when)
            self.store.fbs_returns[ret.id] = ret

    def _new_review(self, when: datetime) -> None:
        review = self.factory.review(when, recent=True)
        self.store.reviews[review.id] = review

    def _new_question(self, when: datetime) -> None:
        question = self.factory.question(when, recent=True)
        self.store.questions[question.id] = question

    # -- Ozon's side of logistics -----------------------------------------------------------------

    def _logistics(self, when: datetime) -> None:
        store = self.store
        for carriage in store.carriages.values():
            if carriage.status == "formed" and carriage.departure_date <= when:
                carriage.status = "received"
                for number in carriage.posting_numbers:
                    p = store.postings[number]
                    if p.status == "awaiting_deliver":
                        p.delivering_date = when
                        store.set_status(p, "delivering", "posting_on_way_to_city", when)
        for p in list(store.postings.values()):
            if (
                p.status == "delivering"
                and not p.rfbs
                and p.delivering_date is not None
                and when - p.delivering_date >= DELIVERY_TIME
            ):
                p.delivered_at = when
                store.set_status(p, "delivered", "posting_received", when)
        for r in store.rfbs_returns.values():
            if r.state == "COMPENSATION_OFFERED" and when - r.changed_at >= COMPENSATION_ANSWER:
                r.state, r.changed_at = "COMPENSATED", when
        store.schedule(max(when, store.now() - MAX_BACKLOG) + LOGISTICS_TICK, self._logistics)
