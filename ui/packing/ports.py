"""What the pack station screen needs from outside: online look-ups and a printer.

Both are optional: without them the desk works from the local cache and leaves print jobs queued
(visible in its print-queue panel) for whoever prints them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from app.domain.postings import Posting
from sync.client import OzonClient
from sync.errors import NotFoundError, OzonError

log = logging.getLogger(__name__)

# A desk waits this long for Ozon before it goes on from the cache (the ship is re-checked anyway).
CHECK_TIMEOUT = (3.0, 5.0)


class PrintControl(Protocol):
    """The print spooler, seen from the desk. The desk enqueues jobs (app.print_queue) in the same
    transaction as the ship; this only wakes the spooler. Both calls return at once (GUI thread)."""

    def kick(self) -> None:
        """New jobs are queued: print what is ready now, unless the desk is in batch mode."""

    def print_all(self) -> None:
        """Batch: print every queued job now, oldest (packing order) first."""


class StatusCheck(Protocol):
    """Ozon's current view of a posting; None when it cannot be asked (offline). Runs on a worker."""

    def __call__(self, posting_number: str) -> Posting | None: ...


class BarcodeLookup(Protocol):
    """The posting a label barcode belongs to (`get-by-barcode`); None if unknown or offline."""

    def __call__(self, code: str) -> Posting | None: ...


@dataclass(frozen=True)
class OnlinePorts:
    check: StatusCheck | None = None
    lookup: BarcodeLookup | None = None


def online_ports(client: OzonClient | None) -> OnlinePorts:
    """Status re-check and barcode look-up over a copy of the sync client with its own session
    (the sync thread keeps its session to itself) and short timeouts."""
    if client is None:
        return OnlinePorts()
    own = client.fork(CHECK_TIMEOUT)
    own.read_attempts = 1  # the packer waits on it: one try, and the page's deadline decides

    def check(posting_number: str) -> Posting | None:
        try:
            return own.get_posting(posting_number)
        except OzonError as exc:
            log.info("status re-check of %s not possible: %s", posting_number, exc)
            return None

    def lookup(code: str) -> Posting | None:
        try:
            return own.get_by_barcode(code)
        except NotFoundError:
            return None
        except OzonError as exc:
            log.info("barcode look-up of %s not possible: %s", code, exc)
            return None

    return OnlinePorts(check, lookup)


def client_of(sync: object) -> OzonClient | None:
    """The Ozon client behind a SyncControl (the scheduler's engine), if it has one."""
    client = getattr(getattr(sync, "engine", None), "client", None)
    return client if isinstance(client, OzonClient) else None


def of(sync: object) -> OnlinePorts:
    """The online ports for the client behind `sync` (none without one)."""
    return online_ports(client_of(sync))
