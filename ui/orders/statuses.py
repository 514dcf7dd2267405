"""Seller-facing names of posting statuses, and the statuses offered in the filter."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QCoreApplication

# The seller's work queue: what still has to be approved or packed. The Orders page opens on it.
TO_PACK = frozenset({"awaiting_approve", "awaiting_packaging"})

# The order of the status filter: the packer's day from top to bottom.
FILTER_ORDER = (
    "awaiting_approve",
    "awaiting_packaging",
    "awaiting_deliver",
    "delivering",
    "driver_pickup",
    "delivered",
    "cancelled",
    "arbitration",
    "client_arbitration",
    "not_accepted",
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("PostingStatus", text)


@cache
def label(status: str) -> str:
    """A readable name; an unknown status is shown as Ozon sent it."""
    names = {
        "awaiting_registration": _tr("Awaiting registration"),
        "acceptance_in_progress": _tr("Acceptance in progress"),
        "awaiting_approve": _tr("Awaiting approval"),
        "awaiting_packaging": _tr("Awaiting packaging"),
        "awaiting_deliver": _tr("Awaiting shipment"),
        "arbitration": _tr("Arbitration"),
        "client_arbitration": _tr("Client arbitration"),
        "delivering": _tr("Delivering"),
        "driver_pickup": _tr("With the driver"),
        "delivered": _tr("Delivered"),
        "cancelled": _tr("Cancelled"),
        "not_accepted": _tr("Not accepted at sorting"),
        "sent_by_seller": _tr("Sent by seller"),
        "awaiting_verification": _tr("Awaiting verification"),
        "cancelled_from_split_pending": _tr("Cancelled (split)"),
        "unknown": _tr("Unknown status"),
    }
    return names.get(status, status)


def forget_translations() -> None:
    """Call after switching language."""
    label.cache_clear()
