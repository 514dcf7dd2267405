"""Returns: FBS/FBO returns (information) and rFBS return requests (need a decision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class ReturnKind(StrEnum):
    FBS = "fbs"
    FBO = "fbo"
    RFBS = "rfbs"


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    return_id: int
    kind: ReturnKind
    posting_number: str
    order_number: str
    sku: int
    offer_id: str
    product_name: str
    quantity: int
    price: Decimal
    currency: str
    status: str  # visual.status.sys_name for FBS/FBO, state.state for rFBS
    status_name: str
    reason: str = ""
    created_at: datetime | None = None
    changed_at: datetime | None = None
    return_number: str = ""
    return_type: str = ""  # FullReturn, PartialReturn, ClientReturn, Cancellation
    barcode: str = ""
    client_name: str = ""


# Documented ids of rFBS return actions (/v1/returns/rfbs/action/set). Every other id is whatever
# Ozon lists in the return's `available_actions`: Packdesk never invents one.
REJECT_ACTIONS = frozenset({-1, -10})  # need a comment and a rejection reason
PARTIAL_COMPENSATION = 1020  # needs an amount


@dataclass(frozen=True, slots=True)
class ReturnAction:
    id: int
    name: str  # Ozon's wording (Russian): remote text, shown as plain text

    @property
    def is_rejection(self) -> bool:
        return self.id in REJECT_ACTIONS

    @property
    def needs_amount(self) -> bool:
        return self.id == PARTIAL_COMPENSATION


@dataclass(frozen=True, slots=True)
class RejectionReason:
    id: int
    name: str
    hint: str = ""
    comment_required: bool = False


@dataclass(frozen=True, slots=True)
class ReturnDetails:
    """An rFBS return request as `/v2/returns/rfbs/get` shows it: what the seller may do now."""

    return_id: int
    state: str
    state_name: str
    actions: tuple[ReturnAction, ...] = ()
    rejection_reasons: tuple[RejectionReason, ...] = ()
    comment: str = ""  # the buyer's: remote text
    reason: str = ""
    photos: tuple[str, ...] = ()
