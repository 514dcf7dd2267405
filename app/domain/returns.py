"""Returns: FBS/FBO returns (information) and rFBS return requests (need a decision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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
    barcode: str = ""  # logistic.barcode: the return parcel's own code, scanned at the desk
    client_name: str = ""
    group: str = ""  # rFBS state.group_state (New, Delivering, Checkout, Arbitration, Approved, Rejected)
    place: str = ""  # FBS/FBO place.name: where the parcel is now
    storage_from: datetime | None = None  # FBS/FBO storage.tariffication_start_date: paid storage starts


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


# -- where a return stands: Ozon's statuses → the four filters of the Returns page ----------------


class Stage(StrEnum):
    NEEDS_DECISION = "needs_decision"
    ON_THE_WAY = "on_the_way"  # coming back to the seller (or waiting for the buyer, Ozon)
    ARRIVED = "arrived"  # at the pickup point or with the seller: to collect, inspect, receive
    CLOSED = "closed"


# FBS/FBO: `visual.status.sys_name` (docs/ozon-contract.md, Returns; every name of the 2025-2026
# specs). A name not listed here (Ozon adds some) stays ON_THE_WAY: open, never hidden as closed.
_FBS_STAGES: dict[Stage, frozenset[str]] = {
    Stage.NEEDS_DECISION: frozenset(
        {
            "OnSellerApproval",
            "OnSellerClarification",
            "OnSellerClarificationAfterPartialCompensation",
            "DisputeOpened",
            "DisputeOpening",
            "CompensationOffered",
        }
    ),
    Stage.ARRIVED: frozenset({"ArrivedAtReturnPlace", "ReturnedToOzon"}),
    Stage.CLOSED: frozenset(
        {
            "ReceivedBySeller",
            "Utilizing",
            "Utilized",
            "MoneyReturned",
            "MoneyReturnedBySystem",
            "ReturnMoneyApproved",
            "ReturnCompensated",
            "PartialCompensationReturned",
            "Approved",
            "ApprovedByOzon",
            "Rejected",
            "CrmRejected",
            "Cancelled",
            "CancelledDisputeNotOpen",
            "CompensationRejected",
            "CompensationRejectedBySla",
            "CompensationRejectedBySeller",
            "SendingError",
        }
    ),
}
# rFBS: `state.group_state`, the documented filter values of /v2/returns/rfbs/list (§4.2); the
# `state` codes themselves are unpublished. Checkout = the item came back: refund or reject it.
_RFBS_STAGES: dict[str, Stage] = {
    "New": Stage.NEEDS_DECISION,
    "Arbitration": Stage.NEEDS_DECISION,  # a dispute: the seller answers it in Ozon's cabinet
    "Delivering": Stage.ON_THE_WAY,
    "Checkout": Stage.ARRIVED,
    "Approved": Stage.CLOSED,
    "Rejected": Stage.CLOSED,
}
RFBS_ON_APPROVAL = "ON_APPROVAL"  # the one state code Ozon shows (New group)


def stage(kind: ReturnKind | str, status: str, group: str = "") -> Stage:
    if kind == ReturnKind.RFBS:
        if group in _RFBS_STAGES:
            return _RFBS_STAGES[group]
        return Stage.NEEDS_DECISION if status == RFBS_ON_APPROVAL else Stage.ON_THE_WAY
    return next((st for st, names in _FBS_STAGES.items() if status in names), Stage.ON_THE_WAY)


# -- the decision deadline (docs/ozon-contract.md, Returns) ---------------------------------------

# A request nobody answers is decided by Ozon, for the buyer: FBS requests after 24 hours, rFBS
# ones after 3 days. The clock runs from the moment the request reached the seller: an FBS return's
# `visual.change_moment` into OnSellerApproval, an rFBS request's `created_at`.
FBS_DECISION_TIME = timedelta(hours=24)
RFBS_DECISION_TIME = timedelta(days=3)
AUTO_OUTCOME = "approves"  # what Ozon does at the deadline


def deadline(
    kind: ReturnKind | str, status: str, group: str, created_at: datetime | None, changed_at: datetime | None
) -> datetime | None:
    """When Ozon approves the request by itself; None when nothing waits for the seller's decision."""
    if kind == ReturnKind.RFBS:
        waiting = group == "New" or (not group and status == RFBS_ON_APPROVAL)
        return created_at + RFBS_DECISION_TIME if waiting and created_at else None
    if status == "OnSellerApproval" and changed_at:
        return changed_at + FBS_DECISION_TIME
    return None


@dataclass(frozen=True, slots=True)
class Countdown:
    deadline: datetime
    left: timedelta  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.left <= timedelta(0)

    def sentence(self) -> str:
        when = self.deadline.strftime("%Y-%m-%d %H:%M UTC")
        if self.overdue:
            return f"overdue: Ozon {AUTO_OUTCOME} automatically since {when}"
        return f"Ozon {AUTO_OUTCOME} automatically on {when}"


def countdown(deadline_at: datetime | None, now: datetime) -> Countdown | None:
    return None if deadline_at is None else Countdown(deadline_at, deadline_at - now)
