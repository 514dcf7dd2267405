"""What the pack station says: the desk's states, what a scan did, what the screen shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PackState(StrEnum):
    """`pack_progress.state`."""

    OPEN = "open"
    COMPLETE = "complete"
    ABORTED = "aborted"
    STOPPED = "stopped"  # cancelled while on the desk; becomes aborted when acknowledged


class Kind(StrEnum):
    """What a scan (or a station call) did."""

    POSTING_OPENED = "posting_opened"
    ITEM_OK = "item_ok"
    NEW_PACKAGE = "new_package"
    COMPLETED = "completed"
    REPRINT_QUEUED = "reprint_queued"
    SHIP_ALL = "ship_all"
    STOP_ACKNOWLEDGED = "stop_acknowledged"
    MARK_OK = "mark_ok"  # a marking code scanned for a unit counted before
    SAME_UNIT = "same_unit"  # the EAN of the unit whose marking code was just scanned: counted already
    CUSTOMS_SET = "customs_set"  # the customs declaration number of a SKU was given
    # refused (red, alarm)
    WRONG_ITEM = "wrong_item"  # not in this posting
    EXTRA_UNIT = "extra_unit"  # in this posting, but every unit of it is already scanned
    UNKNOWN_CODE = "unknown_code"
    POSTING_NOT_FOUND = "posting_not_found"
    NOT_PACKABLE = "not_packable"  # shipped, pending, awaiting approval...
    ANOTHER_POSTING_OPEN = "another_posting_open"
    NO_POSTING_OPEN = "no_posting_open"  # an item (or NEXT) with nothing on the desk
    STOP_PENDING = "stop_pending"  # a scan while a STOP waits for its acknowledgement
    PACKAGE_EMPTY = "package_empty"
    NOTHING_LEFT = "nothing_left"  # a new package with every unit already packed
    INCOMPLETE = "incomplete"
    NOTHING_TO_REPRINT = "nothing_to_reprint"
    MARK_INVALID = "mark_invalid"  # not a usable Честный ЗНАК code (detail: marking.MarkError code)
    MARK_WRONG_PRODUCT = "mark_wrong_product"  # the code's GTIN is not this unit's product
    MARK_REUSED = "mark_reused"  # the code is in another posting already (detail: that posting)
    MARK_ALREADY_SCANNED = "mark_already_scanned"  # scanned twice in this posting
    MARKS_MISSING = "marks_missing"  # cannot complete: units without their marking code
    CUSTOMS_MISSING = "customs_missing"  # cannot complete: a SKU without its customs number
    NEEDS_CABINET = "needs_cabinet"  # Ozon needs data Packdesk cannot send (IMEI, weight…)
    # several desks (detail: "desk\tpacker" of the other desk, claims.split_detail)
    CLAIMED_ELSEWHERE = "claimed_elsewhere"  # on another desk's station
    CLAIM_STALE = "claim_stale"  # on another desk's station without a scan for minutes: take_over() may
    TAKEN_OVER = "taken_over"  # this desk's posting was taken over by another desk meanwhile
    # the desk must stop
    STOP = "stop"
    # neutral
    ALREADY_OPEN = "already_open"
    ALREADY_PACKED = "already_packed"  # a posting label packed here before: REPRINT prints its label
    ABORTED = "aborted"
    REPRINT_WAITING = "reprint_waiting"  # Ozon's label is not there yet; it prints when it is
    CHECKED = "checked"  # a status re-check found nothing wrong
    IGNORED = "ignored"
    RESUMED = "resumed"
    IDLE = "idle"


class Tone(StrEnum):
    GOOD = "good"  # green, a short beep
    BAD = "bad"  # red, the alarm: refused
    STOP = "stop"  # the full-screen STOP
    INFO = "info"  # nothing to celebrate or fear


_GOOD = frozenset(
    {
        Kind.POSTING_OPENED,
        Kind.ITEM_OK,
        Kind.MARK_OK,
        Kind.CUSTOMS_SET,
        Kind.NEW_PACKAGE,
        Kind.COMPLETED,
        Kind.REPRINT_QUEUED,
        Kind.SHIP_ALL,
    }
)
_BAD = frozenset(
    {
        Kind.WRONG_ITEM,
        Kind.EXTRA_UNIT,
        Kind.UNKNOWN_CODE,
        Kind.POSTING_NOT_FOUND,
        Kind.NOT_PACKABLE,
        Kind.ANOTHER_POSTING_OPEN,
        Kind.NO_POSTING_OPEN,
        Kind.STOP_PENDING,
        Kind.PACKAGE_EMPTY,
        Kind.NOTHING_LEFT,
        Kind.INCOMPLETE,
        Kind.NOTHING_TO_REPRINT,
        Kind.MARK_INVALID,
        Kind.MARK_WRONG_PRODUCT,
        Kind.MARK_REUSED,
        Kind.MARK_ALREADY_SCANNED,
        Kind.MARKS_MISSING,
        Kind.CUSTOMS_MISSING,
        Kind.NEEDS_CABINET,
        Kind.CLAIMED_ELSEWHERE,
        Kind.CLAIM_STALE,
        Kind.TAKEN_OVER,
    }
)


class Prompt(StrEnum):
    """What the packer must do next for the unit just counted."""

    NONE = ""
    MARK = "mark"  # scan this unit's Честный ЗНАК code
    CUSTOMS = "customs"  # give this SKU's customs declaration number (once per posting)


PackageItems = tuple[tuple[int, int], ...]  # ((sku, qty), ...) in scan order


@dataclass(frozen=True, slots=True)
class PackLine:
    sku: int
    offer_id: str
    name: str
    barcodes: tuple[str, ...]
    needed: int
    scanned: int
    needs_mark: bool = False  # Ozon wants a Честный ЗНАК code per unit
    marked: int = 0  # units with their code scanned
    needs_customs: bool = False  # Ozon wants the customs declaration number (ГТД)
    gtd: str = ""
    gtd_absent: bool = False  # "no ГТД" chosen

    @property
    def remaining(self) -> int:
        return max(0, self.needed - self.scanned)

    @property
    def marks_missing(self) -> int:
        """Units that need a code and do not have one (scanned or not)."""
        return max(0, self.needed - self.marked) if self.needs_mark else 0

    @property
    def customs_missing(self) -> bool:
        return self.needs_customs and not (self.gtd or self.gtd_absent)


@dataclass(frozen=True, slots=True)
class PackView:
    """The posting on the desk, as the screen shows it."""

    posting_number: str
    order_number: str
    is_rfbs: bool
    delivery_method: str
    shipment_date: datetime | None
    lines: tuple[PackLine, ...]
    packages: tuple[PackageItems, ...]  # the last one is being filled
    is_multibox: bool = False  # one shipment in several boxes: F2 counts boxes, it does not split
    ozon_boxes: int = 0  # a multi-box posting: the boxes Ozon counts for it (`multi_box_qty`)

    @property
    def box_count(self) -> int:
        """The boxes that leave: one per package; a multi-box posting's as counted with F2, or
        Ozon's count when the packer did not count them."""
        if self.is_multibox and self.package_count == 1:
            return max(1, self.ozon_boxes)
        return self.package_count

    @property
    def needed(self) -> int:
        return sum(line.needed for line in self.lines)

    @property
    def scanned(self) -> int:
        return sum(line.scanned for line in self.lines)

    @property
    def remaining(self) -> int:
        return sum(line.remaining for line in self.lines)

    @property
    def complete(self) -> bool:
        return self.remaining == 0

    @property
    def package_count(self) -> int:
        return max(1, len(self.packages))

    @property
    def marks_missing(self) -> int:
        return sum(line.marks_missing for line in self.lines)

    @property
    def customs_missing(self) -> tuple[PackLine, ...]:
        return tuple(line for line in self.lines if line.customs_missing)

    @property
    def ready(self) -> bool:
        """Every unit scanned, with what Ozon requires of it: the posting can be completed."""
        return self.complete and not self.marks_missing and not self.customs_missing

    def line(self, sku: int) -> PackLine | None:
        return next((line for line in self.lines if line.sku == sku), None)


@dataclass(frozen=True, slots=True)
class StopInfo:
    """A cancelled posting that must not leave: shown full-screen until acknowledged."""

    posting_number: str
    reason: str  # Ozon's cancel reason (remote text: show as plain text)
    lines: tuple[PackLine, ...]  # what was scanned so far: what goes back on the shelf


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    kind: Kind
    view: PackView | None  # the posting on the desk after this step (None: the desk is free)
    stop: StopInfo | None = None  # the STOP waiting for acknowledgement, if any
    code: str = ""
    posting_number: str = ""  # the posting this outcome is about
    sku: int = 0
    name: str = ""  # the product scanned (also for a wrong item)
    detail: str = ""  # status of a not-packable posting, cancel reason, count, job key...
    packed: PackView | None = None  # COMPLETED: what was packed
    prompt: Prompt = Prompt.NONE  # what the unit just counted still needs

    @property
    def tone(self) -> Tone:
        if self.kind is Kind.STOP:
            return Tone.STOP
        if self.kind in _GOOD:
            return Tone.GOOD
        if self.kind in _BAD:
            return Tone.BAD
        return Tone.INFO

    @property
    def refused(self) -> bool:
        return self.tone in (Tone.BAD, Tone.STOP)
