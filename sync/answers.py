"""Typed answers of Ozon methods that are steps of a flow rather than records of the shop:
label tasks, exemplar (marking code) checks, carriages and their acts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ERROR = "error"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> TaskStatus:
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True, slots=True)
class LabelTask:
    task_id: int
    task_type: str  # big_label | small_label


@dataclass(frozen=True, slots=True)
class LabelTaskState:
    status: TaskStatus
    file_url: str = ""
    postings_count: int = 0
    printed_count: int = 0
    unprinted: dict[str, str] = field(default_factory=dict)  # posting number → Ozon's message
    error: str = ""  # "CODE: message" when the task failed

    @property
    def finished(self) -> bool:
        return self.status in (TaskStatus.COMPLETED, TaskStatus.ERROR)


@dataclass(frozen=True, slots=True)
class Exemplar:
    """One unit of a product in a posting, as Ozon numbers it, with what it carries."""

    exemplar_id: int
    marks: tuple[str, ...] = ()  # mandatory_mark codes
    gtd: str = ""
    gtd_absent: bool = False
    # Check results (exemplar/status only): "passed", "failed", "processing", or "".
    mark_status: tuple[str, ...] = ()
    mark_errors: tuple[str, ...] = ()
    gtd_status: str = ""
    gtd_errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExemplarProduct:
    sku: int
    quantity: int
    exemplars: tuple[Exemplar, ...]
    mark_needed: bool = False
    gtd_needed: bool = False


@dataclass(frozen=True, slots=True)
class ExemplarInfo:
    """`exemplar/create-or-get` and `exemplar/status`: units per product, and (status) the verdict."""

    posting_number: str
    products: tuple[ExemplarProduct, ...]
    status: str = ""  # ship_available | ship_not_available | validation_in_process | update_…
    multi_box_qty: int = 1


@dataclass(frozen=True, slots=True)
class CarriageInfo:
    carriage_id: int
    status: str
    delivery_method_id: int
    available_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActPosting:
    """A posting in a carriage (`act/get-postings`): one cargo place, or its boxes if multi-box."""

    posting_number: str
    multi_box_qty: int = 1


@dataclass(frozen=True, slots=True)
class ActStatus:
    status: str  # in_process | ready | error | cancelled | "The next postings aren't ready"
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.status.strip().lower() == "ready"


@dataclass(frozen=True, slots=True)
class ActSummary:
    """A row of `act/list`: a carriage (or a legacy act) of the shop."""

    carriage_id: int
    delivery_method_id: int
    status: str
    created_at: datetime | None = None
