"""Postings (one shipment of an order) and their items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class PostingStatus(StrEnum):
    AWAITING_REGISTRATION = "awaiting_registration"
    ACCEPTANCE_IN_PROGRESS = "acceptance_in_progress"
    AWAITING_APPROVE = "awaiting_approve"
    AWAITING_PACKAGING = "awaiting_packaging"
    AWAITING_DELIVER = "awaiting_deliver"
    ARBITRATION = "arbitration"
    CLIENT_ARBITRATION = "client_arbitration"
    DELIVERING = "delivering"
    DRIVER_PICKUP = "driver_pickup"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    NOT_ACCEPTED = "not_accepted"
    SENT_BY_SELLER = "sent_by_seller"
    AWAITING_VERIFICATION = "awaiting_verification"
    CANCELLED_FROM_SPLIT_PENDING = "cancelled_from_split_pending"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> PostingStatus:
        """Ozon adds statuses over time; an unknown one must not break a sync."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.UNKNOWN


# Statuses in which the seller can still pack (ship) the posting.
SHIPPABLE = frozenset({PostingStatus.AWAITING_PACKAGING})
# Statuses that come after a successful ship call; reaching one means "ship" is done.
SHIPPED_OR_LATER = frozenset(
    {
        PostingStatus.AWAITING_DELIVER,
        PostingStatus.DELIVERING,
        PostingStatus.DRIVER_PICKUP,
        PostingStatus.DELIVERED,
        PostingStatus.ARBITRATION,
        PostingStatus.CLIENT_ARBITRATION,
        PostingStatus.SENT_BY_SELLER,
        PostingStatus.NOT_ACCEPTED,
    }
)
FINISHED = frozenset({PostingStatus.DELIVERED, PostingStatus.CANCELLED, PostingStatus.NOT_ACCEPTED})


@dataclass(frozen=True, slots=True)
class PostingItem:
    sku: int
    offer_id: str
    name: str
    quantity: int
    price: Decimal
    currency: str = "RUB"


@dataclass(frozen=True, slots=True)
class Posting:
    posting_number: str
    order_number: str
    order_id: int
    status: PostingStatus
    substatus: str
    shipment_date: datetime | None
    in_process_at: datetime | None
    delivery_method_id: int
    delivery_method_name: str
    warehouse_id: int
    warehouse_name: str
    tpl_provider: str
    tpl_integration_type: str
    tracking_number: str = ""
    delivering_date: datetime | None = None
    is_express: bool = False
    customer_name: str = ""
    city: str = ""
    address: str = ""
    pvz_code: str = ""
    upper_barcode: str = ""
    lower_barcode: str = ""
    cancel_reason: str = ""
    available_actions: tuple[str, ...] = ()
    products: tuple[PostingItem, ...] = field(default_factory=tuple)

    @property
    def is_rfbs(self) -> bool:
        """rFBS: the seller delivers (Ozon calls the integration type `non_integrated`)."""
        return self.tpl_integration_type == "non_integrated"

    @property
    def item_count(self) -> int:
        return sum(p.quantity for p in self.products)
