"""The route table and what every handler gets: the store, the request time, and a way to log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import not_found
from ..fields import Fields
from ..model import Posting
from ..store import Store


@dataclass(slots=True)
class Ctx:
    store: Store
    path: str
    now: datetime
    request: Any  # the parsed body, as logged
    host: str = ""  # the request's Host header (file URLs point back at it)

    def log(self, **subject: Any) -> None:
        """Record an applied state change (one entry per subject: posting, chat, return, review...)."""
        self.store.record(self.path, self.now, self.request, **subject)

    def posting(self, number: str) -> Posting:
        p = self.store.postings.get(number)
        if p is None:
            raise not_found("POSTING_NOT_FOUND")
        return p


@dataclass(frozen=True, slots=True)
class Raw:
    """A pre-encoded answer (PDF bytes, or JSON assembled from cached fragments)."""

    body: bytes
    content_type: str = "application/json"


Handler = Callable[[Ctx, Fields], Any]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    premium: bool = False  # chats, reviews, questions: refused without a Premium Plus subscription


ROUTES: dict[str, Route] = {}


def route(path: str, premium: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if path in ROUTES:
            raise RuntimeError(f"duplicate emulator route {path}")
        ROUTES[path] = Route(handler, premium)
        return handler

    return register


def with_flags(f: Fields, allowed: tuple[str, ...]) -> frozenset[str]:
    flags = f.obj("with")
    return frozenset(key for key in allowed if flags.flag(key))
