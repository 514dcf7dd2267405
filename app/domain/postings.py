"""Postings (one shipment of an order) and their items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


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


class Requirement(StrEnum):
    """What Ozon needs per unit before a posting may ship (`requirements.products_requiring_<kind>`)."""

    MANDATORY_MARK = "mandatory_mark"  # Честный ЗНАК DataMatrix code
    GTD = "gtd"  # customs declaration number (ГТД) of imported goods
    COUNTRY = "country"
    CHANGE_COUNTRY = "change_country"
    RNPT = "rnpt"
    JW_UIN = "jw_uin"
    IMEI = "imei"
    WEIGHT = "weight"


# What the pack station collects itself; the other kinds must be filled in Ozon's seller cabinet.
HANDLED_REQUIREMENTS = frozenset({Requirement.MANDATORY_MARK, Requirement.GTD})


@dataclass(frozen=True, slots=True)
class Requirements:
    """SKUs of a posting that need data before the ship call, by kind. Empty: nothing needed."""

    skus: Mapping[Requirement, frozenset[int]] = field(default_factory=dict)
    # `optional.products_with_possible_mandatory_mark`: a mark may be sent, it is not required.
    possible_mark: frozenset[int] = frozenset()

    def __hash__(self) -> int:  # the mapping is never changed after construction
        return hash((tuple(sorted((k.value, tuple(sorted(v))) for k, v in self.skus.items())), self.possible_mark))

    def needs(self, kind: Requirement, sku: int) -> bool:
        return sku in self.skus.get(kind, frozenset())

    def kinds(self) -> frozenset[Requirement]:
        return frozenset(kind for kind, skus in self.skus.items() if skus)

    def unhandled(self) -> frozenset[Requirement]:
        return self.kinds() - HANDLED_REQUIREMENTS

    def may_have_mark(self, sku: int) -> bool:
        return self.needs(Requirement.MANDATORY_MARK, sku) or sku in self.possible_mark

    def to_json(self) -> dict[str, list[int]]:
        data = {kind.value: sorted(skus) for kind, skus in self.skus.items() if skus}
        if self.possible_mark:
            data["possible_mark"] = sorted(self.possible_mark)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Requirements:
        if not isinstance(data, dict):
            return cls()
        kinds = {k.value for k in Requirement}
        skus = {Requirement(k): frozenset(int(s) for s in v) for k, v in data.items() if k in kinds}
        return cls(skus, frozenset(int(s) for s in data.get("possible_mark", ())))


NO_REQUIREMENTS = Requirements()


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
    upper_barcode: str = ""  # Ozon's label barcodes; "" when none ("0" in the API)
    lower_barcode: str = ""
    scanit: str = ""  # the barcode of Ozon's new labels (since 2026-10)
    parent_posting_number: str = ""  # set on the posting Ozon made of a further box of a split
    cancel_reason: str = ""
    available_actions: tuple[str, ...] = ()
    products: tuple[PostingItem, ...] = field(default_factory=tuple)
    requirements: Requirements = NO_REQUIREMENTS
    is_multibox: bool = False  # one item in several boxes: the box count is sent before the ship call
    multi_box_qty: int = 1

    @property
    def is_rfbs(self) -> bool:
        """rFBS: the seller delivers (Ozon calls the integration type `non_integrated`)."""
        return self.tpl_integration_type == "non_integrated"

    @property
    def item_count(self) -> int:
        return sum(p.quantity for p in self.products)

    @property
    def label_codes(self) -> tuple[str, ...]:
        """Every code that identifies this posting when scanned: its number and its label's barcodes."""
        return tuple(
            code for code in (self.posting_number, self.scanit, self.lower_barcode, self.upper_barcode) if code
        )
