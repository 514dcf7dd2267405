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
