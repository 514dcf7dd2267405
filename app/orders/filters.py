"""What narrows the orders list: the status tab plus the seller's filters and search (the Orders
page and `main.py orders` share it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum


class Scheme(StrEnum):
    FBS = "fbs"  # Ozon delivers
    RFBS = "rfbs"  # the seller delivers (Ozon: tpl_integration_type = non_integrated)


class Deadline(StrEnum):
    TODAY = "today"  # ship-by falls on today's local date
    OVERDUE = "overdue"  # ship-by has passed and the parcel is not handed over yet


PROBLEM_STATUSES = frozenset({"arbitration", "client_arbitration", "not_accepted"})


@dataclass(frozen=True, slots=True)
class Tab:
    """A status tab. `statuses` None = every posting; `conflicts` adds postings with a refused action."""

    key: str
    statuses: frozenset[str] | None
    conflicts: bool = False


TABS: tuple[Tab, ...] = (
    Tab("new", frozenset({"awaiting_approve"})),
    Tab("to_pack", frozenset({"awaiting_packaging"})),
    Tab("to_hand_over", frozenset({"awaiting_deliver"})),
    Tab("in_delivery", frozenset({"delivering", "driver_pickup"})),
    Tab("delivered", frozenset({"delivered"})),
    Tab("cancelled", frozenset({"cancelled"})),
    Tab("problems", PROBLEM_STATUSES, conflicts=True),
    Tab("all", None),
)
TAB_KEYS = tuple(tab.key for tab in TABS)
DEFAULT_TAB = "to_pack"


def tab(key: str) -> Tab:
    return next(t for t in TABS if t.key == key)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Everything that narrows the orders list. Empty fields do not filter."""

    statuses: frozenset[str] | None = None
    conflicts: bool = False  # also postings whose action Ozon refused (the Problems tab)
    warehouse_id: int | None = None
    delivery_method_id: int | None = None
    scheme: Scheme | None = None
    deadline: Deadline | None = None
    search: str = ""
    code: str | None = None  # a scanned label code: only the postings it identifies (as the pack station)

    def with_tab(self, chosen: Tab) -> OrderFilter:
        return dataclasses.replace(self, statuses=chosen.statuses, conflicts=chosen.conflicts)

    def without_status(self) -> OrderFilter:
        return dataclasses.replace(self, statuses=None, conflicts=False)

    def replace(self, **changes: object) -> OrderFilter:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def search_text(self) -> str:
        return self.search.strip()
