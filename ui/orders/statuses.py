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


# Literal `translate("Context", "text")` calls so pyside6-lupdate can collect the strings.
translate = QCoreApplication.translate


@cache
def label(status: str) -> str:
    """A readable name; an unknown status is shown as Ozon sent it."""
    names = {
        "awaiting_registration": translate("PostingStatus", "Awaiting registration"),
        "acceptance_in_progress": translate("PostingStatus", "Acceptance in progress"),
        "awaiting_approve": translate("PostingStatus", "Waiting for Ozon's approval"),
        "awaiting_packaging": translate("PostingStatus", "Awaiting packaging"),
        "awaiting_deliver": translate("PostingStatus", "Awaiting shipment"),
        "arbitration": translate("PostingStatus", "Arbitration"),
        "client_arbitration": translate("PostingStatus", "Client arbitration"),
        "delivering": translate("PostingStatus", "Delivering"),
        "driver_pickup": translate("PostingStatus", "With the driver"),
        "delivered": translate("PostingStatus", "Delivered"),
        "cancelled": translate("PostingStatus", "Cancelled"),
        "not_accepted": translate("PostingStatus", "Not accepted at sorting"),
        "sent_by_seller": translate("PostingStatus", "Sent by seller"),
        "awaiting_verification": translate("PostingStatus", "Awaiting verification"),
        "cancelled_from_split_pending": translate("PostingStatus", "Cancelled (split)"),
        "unknown": translate("PostingStatus", "Unknown status"),
    }
    return names.get(status, status)


def forget_translations() -> None:
    """Call after switching language."""
    label.cache_clear()
