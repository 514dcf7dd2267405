"""Why a seller cancels a posting: Ozon's reason list, cached in sync_state, with a built-in fallback.

The list comes from `/v2/posting/fbs/cancel-reason/list` when online, through any `ReasonSource`
(the Ozon client), and is kept in `sync_state` so cancelling works offline. Without a stored list
the reasons documented by Ozon are offered (docs/ozon-contract.md, Cancellation). Titles are Ozon's text (Russian).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.db.engine import Database
from app.repos import sync_state
from app.workflows import cancel as cancel_flow

STATE_KEY = "cancel_reasons"
MESSAGE_REQUIRED = cancel_flow.MESSAGE_REQUIRED  # "other": Ozon wants the seller's words


@dataclass(frozen=True, slots=True)
class CancelReason:
    id: int
    title: str
    type_id: str = "seller"

    @property
    def needs_message(self) -> bool:
        return self.id in MESSAGE_REQUIRED


# Ozon's documented seller reasons (docs/ozon-contract.md, Cancellation), as the cancel workflow knows them.
KNOWN: tuple[CancelReason, ...] = tuple(
    CancelReason(rid, title) for rid, title in cancel_flow.SELLER_CANCEL_REASONS.items()
)


class ReasonSource(Protocol):
    """The part of the Ozon client this needs (sync.client.OzonClient)."""

    def cancel_reasons(self) -> list[tuple[int, str, str]]: ...


def parse(raw: str) -> list[CancelReason]:
    try:
        data = json.loads(raw)
        reasons = [CancelReason(int(r[0]), str(r[1]), str(r[2])) for r in data]
    except (ValueError, TypeError, IndexError, KeyError):
        return []
    return reasons


def load(db: Database) -> list[CancelReason]:
    """The stored list, else the documented one."""
    with db.read() as session:
        raw = sync_state.get(session, STATE_KEY)
    reasons = parse(raw) if raw else []
    return reasons or list(KNOWN)


def store(db: Database, reasons: list[CancelReason], now: datetime) -> None:
    if not reasons:
        return
    data = json.dumps([[r.id, r.title, r.type_id] for r in reasons], ensure_ascii=False)
    with db.write() as session:
        sync_state.put(session, STATE_KEY, data, now)


def fetch(source: ReasonSource) -> list[CancelReason]:
    """Ozon's current list (network; on the I/O pool)."""
    return [CancelReason(rid, title, type_id) for rid, title, type_id in source.cancel_reasons()]
