"""The pack station: a scan state machine over the local cache (no Qt, no network).

A packer scans a posting's label, then every unit; the station counts, refuses what does not belong
and, when every unit is in a box, queues the ship action and the label in one transaction.

Durability: every accepted or refused scan is written (pack_progress + posting_events) in its own
short write transaction before the outcome is returned, so a crash or a power cut loses nothing;
a new station on the same database resumes the open posting, and an unacknowledged STOP.

The cancellation interlock: the cached status is checked when the posting is scanned and again
when it is completed; the caller may also hand in a fresh copy from Ozon (`recheck`, `complete(
fresh=...)`) — it runs that network call off the UI thread. A cancelled posting STOPs the desk:
every scan is refused until the STOP is acknowledged (the goods are back on the shelf).

Threading: a station is not thread-safe. The UI calls it from its single database worker only and
renders the immutable `ScanOutcome` it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import customs, history, marking, outbox, print_queue
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import MarkingCodeRow, PackProgressRow, SkuCustomsRow
from app.domain.postings import Posting, PostingStatus, Requirement
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxState, TargetKind
from app.print_queue import DocKind, JobState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos.postings import CachedPosting
from app.workflows import changes as changes_mod
from app.workflows import commands, labels
from app.workflows.commands import Command
from app.workflows.shipping import UnitData, queue_ship_in

log = logging.getLogger(__name__)


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
    # the desk must stop
    STOP = "stop"
    # neutral
    ALREADY_OPEN = "already_open"
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


@dataclass(frozen=True, slots=True)
class _Mark:
    sku: int
    ident: str  # 01 + GTIN + 21 + serial: unique per physical unit
    text: str  # the whole code, as Ozon wants it


Customs = tuple[tuple[int, str, bool], ...]  # ((sku, gtd, absent), ...)


@dataclass(frozen=True, slots=True)
class _Pack:
    """The posting on the desk. Immutable: a step builds a new one and keeps it only once written."""

    posting: Posting
    items: tuple[PackLine, ...]  # what the posting needs; `scanned` is counted from `packages`
    packages: tuple[PackageItems, ...]
    marks: tuple[_Mark, ...] = ()  # in scan order
    customs: Customs = ()

    @property
    def number(self) -> str:
        return self.posting.posting_number

    def scanned(self, sku: int) -> int:
        return sum(qty for pkg in self.packages for s, qty in pkg if s == sku)

    def needed(self, sku: int) -> int:
        return sum(it.needed for it in self.items if it.sku == sku)

    def marked(self, sku: int) -> int:
        return sum(1 for m in self.marks if m.sku == sku)

    def needs_mark(self, sku: int) -> bool:
        return self.posting.requirements.needs(Requirement.MANDATORY_MARK, sku)

    def needs_customs(self, sku: int) -> bool:
        return self.posting.requirements.needs(Requirement.GTD, sku)

    def customs_of(self, sku: int) -> tuple[str, bool] | None:
        return next(((gtd, absent) for s, gtd, absent in self.customs if s == sku), None)

    def remaining(self) -> int:
        return sum(max(0, it.needed - self.scanned(it.sku)) for it in self.items)

    def prompt_for(self, sku: int) -> Prompt:
        """What the unit of `sku` just counted still needs: its SKU's customs number first (asked once
        per posting), then its own marking code."""
        if self.needs_customs(sku) and self.customs_of(sku) is None:
            return Prompt.CUSTOMS
        if self.needs_mark(sku) and self.marked(sku) < self.scanned(sku):
            return Prompt.MARK
        return Prompt.NONE

    def add(self, sku: int) -> _Pack:
        packages = list(self.packages) or [()]
        current = dict(packages[-1])
        current[sku] = current.get(sku, 0) + 1
        packages[-1] = tuple(current.items())
        return replace(self, packages=tuple(packages))

    def with_mark(self, mark: _Mark) -> _Pack:
        return replace(self, marks=(*self.marks, mark))

    def with_customs(self, sku: int, gtd: str, absent: bool) -> _Pack:
        kept = tuple(c for c in self.customs if c[0] != sku)
        return replace(self, customs=(*kept, (sku, gtd, absent)))

    def new_package(self) -> _Pack:
        return replace(self, packages=(*self.packages, ()))

    def ship_packages(self, fill_missing: bool) -> list[list[tuple[int, int]]]:
        """Packages for the ship call; with an override the unscanned units go into the last box.
        A multi-box posting is one package (Ozon is told the number of boxes instead)."""
        result = [list(pkg) for pkg in self.packages if pkg]
        if self.posting.is_multibox and len(result) > 1:
            merged: dict[int, int] = {}
            for pkg in result:
                for sku, qty in pkg:
                    merged[sku] = merged.get(sku, 0) + qty
            result = [list(merged.items())]
        if fill_missing:
            missing = [(it.sku, it.needed - self.scanned(it.sku)) for it in self.items]
            missing = [(sku, qty) for sku, qty in missing if qty > 0]
            if missing:
                if not result:
                    result.append([])
                last = dict(result[-1])
                for sku, qty in missing:
                    last[sku] = last.get(sku, 0) + qty
                result[-1] = list(last.items())
        return result

    def box_count(self) -> int:
        return self.view().box_count

    def units(self) -> dict[int, list[UnitData]]:
        """What Ozon gets per unit before the ship call: its marking code and its SKU's customs number."""
        result: dict[int, list[UnitData]] = {}
        for it in self.items:
            if not (self.needs_mark(it.sku) or self.needs_customs(it.sku) or self.marked(it.sku)):
                continue
            gtd, absent = self.customs_of(it.sku) or ("", False)
            codes = [m.text for m in self.marks if m.sku == it.sku]
            result[it.sku] = [
                UnitData(mark=codes[i] if i < len(codes) else "", gtd=gtd, gtd_absent=absent) for i in range(it.needed)
            ]
        return result

    def missing_text(self) -> str:
        return ", ".join(
            f"SKU {it.sku} ×{it.needed - self.scanned(it.sku)}" for it in self.items if self.scanned(it.sku) < it.needed
        )

    def view(self) -> PackView:
        p = self.posting
        lines = []
        for it in self.items:
            gtd, absent = self.customs_of(it.sku) or ("", False)
            lines.append(
                replace(
                    it,
                    scanned=self.scanned(it.sku),
                    needs_mark=self.needs_mark(it.sku),
                    marked=self.marked(it.sku),
                    needs_customs=self.needs_customs(it.sku),
                    gtd=gtd,
                    gtd_absent=absent,
                )
            )
        return PackView(
            p.posting_number,
            p.order_number,
            p.is_rfbs,
            p.delivery_method_name,
            p.shipment_date,
            tuple(lines),
            self.packages or ((),),
            p.is_multibox,
            p.multi_box_qty if p.is_multibox else 0,
        )


def _is_cancelled(cached: CachedPosting) -> bool:
    return cached.posting.status is PostingStatus.CANCELLED or cached.local_status == PostingStatus.CANCELLED.value


def _packable(cached: CachedPosting) -> bool:
    return cached.local_status is None and cached.posting.status is PostingStatus.AWAITING_PACKAGING


def _encode(packages: Sequence[PackageItems]) -> list[list[list[int]]]:
    return [[[int(sku), int(qty)] for sku, qty in pkg] for pkg in packages]


def _decode(raw: object) -> tuple[PackageItems, ...]:
    result: list[PackageItems] = []
    for pkg in raw if isinstance(raw, list) else []:
        result.append(tuple((int(sku), int(qty)) for sku, qty in pkg))
    return tuple(result)


def _shown(code: str) -> str:
    """A scan as the history and the screen show it: a marking code without its crypto tail (which says
    nothing to a person), however the scanner separated its groups."""
    if marking.GS in code:
        return code.split(marking.GS, 1)[0]
    return code[:IDENT_LENGTH] + "…" if marking.looks_like_mark(code) and len(code) > IDENT_LENGTH else code


IDENT_LENGTH = 31  # 01 + GTIN-14 + 21 + a serial of 13


def _packages_text(packages: Sequence[Sequence[tuple[int, int]]]) -> str:
    return " | ".join(", ".join(f"{sku}×{qty}" for sku, qty in pkg) for pkg in packages)


class PackStation:
    """One packing desk. Every public method returns a `ScanOutcome`; see the module docstring."""

    def __init__(
        self, db: Database, clock: Clock, user: str = "", bus: EventBus | None = None, gs_substitute: str = ""
    ) -> None:
        self.db = db
        self.clock = clock
        self.user = user
        self.bus = bus
        # What this desk's scanner sends instead of the GS separator of a marking code (Settings).
        self.gs_substitute = gs_substitute
        self._loaded = False
        self._pack: _Pack | None = None
        self._stops: list[StopInfo] = []
        self._last_packed = ""
        # The posting and SKU of a unit just counted by its marking code (its EAN may follow).
        self._after_mark: tuple[str, int] | None = None
        # What the current transaction changed, announced on the bus once it is committed.
        self._touched: set[str] = set()
        self._cancelled: set[str] = set()
        self._outbox_touched = False

    # -- plumbing ---------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """A write transaction; the in-memory state rolls back with it, changes go out after commit."""
        saved = (self._pack, list(self._stops), self._last_packed)
        self._touched, self._cancelled, self._outbox_touched = set(), set(), False
        changes = None
        try:
            with self.db.write() as s:
                yield s
                if self._touched or self._outbox_touched:
                    changes = changes_mod.collect(s, self._touched, self._cancelled, self._outbox_touched)
        except BaseException:
            self._pack, self._stops, self._last_packed = saved
            raise
        changes_mod.publish(self.bus, changes)

    def _out(self, kind: Kind, **fields: object) -> ScanOutcome:
        view = None if self._pack is None else self._pack.view()
        stop = self._stops[0] if self._stops else None
        return ScanOutcome(kind, view, stop, **fields)  # type: ignore[arg-type]

    def _record(self, s: Session, number: str, kind: EventKind, detail: str = "") -> None:
        history.record(s, number, kind, self.clock.now(), detail, self.user)

    def _refuse(self, s: Session, kind: Kind, code: str, note: str, **fields: object) -> ScanOutcome:
        """A refused scan is part of the posting's history too (packing errors are a statistic)."""
        on = self._pack.number if self._pack is not None else self._stops[0].posting_number if self._stops else ""
        if on:
            self._record(s, on, EventKind.SCAN_REFUSED, f"{kind.value}: {code} {note}".strip())
        return self._out(kind, code=code, **fields)

    def _progress(self, s: Session, number: str) -> PackProgressRow:
        row = s.get(PackProgressRow, number)
        if row is None:
            now = self.clock.now()
            row = PackProgressRow(
                posting_number=number,
                state=PackState.OPEN.value,
                packages=[],
                override_reason="",
                started_at=now,
                updated_at=now,
            )
            s.add(row)
        return row

    def _save_pack(self, s: Session, pack: _Pack, state: PackState = PackState.OPEN) -> None:
        row = self._progress(s, pack.number)
        row.state = state.value
        row.packages = _encode(pack.packages)
        row.customs = {str(sku): {"gtd": gtd, "absent": absent} for sku, gtd, absent in pack.customs}
        row.updated_at = self.clock.now()

    def _put_aside(self, s: Session, pack: _Pack, why: str) -> None:
        """The posting leaves the desk unpacked: counted again from zero next time, its units' codes free."""
        self._save_pack(s, pack, PackState.ABORTED)
        self._release_marks(s, pack.number)
        self._record(s, pack.number, EventKind.ABORTED, why)
        if self._pack is not None and self._pack.number == pack.number:
            self._pack = None

    def _release_marks(self, s: Session, number: str) -> None:
        """The posting's units go back on the shelf (or are counted again): their codes are free."""
        s.execute(delete(MarkingCodeRow).where(MarkingCodeRow.posting_number == number))

    def _resumed(self, s: Session, posting: Posting, row: PackProgressRow) -> _Pack:
        """The posting as it was left: its scans, the marking codes scanned and the customs numbers."""
        marks = tuple(
            _Mark(r.sku, r.ident, r.code)
            for r in s.scalars(
                select(MarkingCodeRow)
                .where(MarkingCodeRow.posting_number == posting.posting_number)
                .order_by(MarkingCodeRow.scanned_at, MarkingCodeRow.ident)
            )
        )
        given = row.customs if isinstance(row.customs, dict) else {}
        kept: Customs = tuple(
            (int(sku), str(c.get("gtd", "")), bool(c.get("absent"))) for sku, c in given.items() if isinstance(c, dict)
        )
        return replace(self._build(s, posting, _decode(row.packages)), marks=marks, customs=kept)

    def _build(self, s: Session, posting: Posting, packages: tuple[PackageItems, ...]) -> _Pack:
        needed: dict[int, int] = {}
        first: dict[int, tuple[str, str]] = {}
        for it in posting.products:
            needed[it.sku] = needed.get(it.sku, 0) + it.quantity
            first.setdefault(it.sku, (it.offer_id, it.name))
        items = []
        for sku, qty in needed.items():
            product = product_repo.get(s, sku)
            offer_id, name = first[sku]
            barcodes = product.barcodes if product is not None else ()
            items.append(
                PackLine(sku, offer_id or (product.offer_id if product else ""), name, tuple(barcodes), qty, 0)
            )
        return _Pack(posting, tuple(items), packages or ((),))

    # -- state --------------------------------------------------------------------------------------

    def resume(self) -> ScanOutcome:
        """Load what was on the desk when the station last stopped (a crash included)."""
        with self._tx() as s:
            self._pack, self._stops = None, []
            rows = s.scalars(
                select(PackProgressRow)
                .where(PackProgressRow.state.in_([PackState.OPEN.value, PackState.STOPPED.value]))
                .order_by(PackProgressRow.updated_at, PackProgressRow.posting_number)
            ).all()
            open_rows = [r for r in rows if r.state == PackState.OPEN.value]
            for row in rows:
                cached = posting_repo.get(s, row.posting_number)
                if cached is None:
                    row.state = PackState.ABORTED.value
                    continue
                pack = self._resumed(s, cached.posting, row)
                if row.state == PackState.STOPPED.value:
                    self._stops.append(StopInfo(pack.number, cached.posting.cancel_reason, pack.view().lines))
                elif row is open_rows[-1]:
                    self._pack = pack
                else:  # only one posting is on the desk at a time; an older one was left behind
                    row.state = PackState.ABORTED.value
                    self._record(s, row.posting_number, EventKind.ABORTED, "left open; another posting was resumed")
            last = s.scalar(
                select(PackProgressRow.posting_number)
                .where(PackProgressRow.state == PackState.COMPLETE.value)
                .order_by(PackProgressRow.updated_at.desc())
                .limit(1)
            )
            self._last_packed = last or ""
        self._loaded = True
        if self._pack is not None:
            checked = self.check_cached()
            if checked.kind is Kind.STOP:
                return checked
        if self._stops:
            return self._out(Kind.STOP, posting_number=self._stops[0].posting_number, detail=self._stops[0].reason)
        if self._pack is not None:
            return self._out(Kind.RESUMED, posting_number=self._pack.number)
        return self._out(Kind.IDLE)

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.resume()

    def snapshot(self) -> ScanOutcome:
        """The desk as it is (IDLE, or RESUMED with the posting on it)."""
        self._ensure_loaded()
        if self._stops:
            return self._out(Kind.STOP, posting_number=self._stops[0].posting_number, detail=self._stops[0].reason)
        return self._out(Kind.IDLE if self._pack is None else Kind.RESUMED)

    @property
    def posting_number(self) -> str:
        """The posting on the desk ("" when free)."""
        return "" if self._pack is None else self._pack.number

    @property
    def last_packed(self) -> str:
        return self._last_packed

    # -- scanning -----------------------------------------------------------------------------------

    def scan(self, code: str) -> ScanOutcome:
        """One scanned (or typed) code: a posting label, an item barcode or a command barcode."""
        self._ensure_loaded()
        code = code.strip()
        if not code:
            return self._out(Kind.IGNORED)
        command = commands.parse(code)
        if self._stops:
            if command in (Command.ACK, Command.ABORT):
                return self.acknowledge_stop()
            with self._tx() as s:
                return self._refuse(s, Kind.STOP_PENDING, code, "", posting_number=self._stops[0].posting_number)
        if command is not None:
            return self._command(command, code)
        if self._pack is None:
            return self._scan_idle(code)
        return self._scan_item(code)

    def _command(self, command: Command, code: str) -> ScanOutcome:
        if command is Command.NEXT:
            if self._pack is None:
                return self._out(Kind.NO_POSTING_OPEN, code=code)
            return self.complete()
        if command is Command.NEW_PACKAGE:
            return self.new_package()
        if command is Command.ABORT:
            return self.abort()
        if command is Command.REPRINT:
            return self.reprint()
        if command is Command.SHIP_ALL:
            return self.ship_all()
        return self._out(Kind.IGNORED, code=code)  # ACK without a STOP

    def _scan_idle(self, code: str) -> ScanOutcome:
        if marking.looks_like_mark(code, self.gs_substitute):  # a unit's code: no posting is that
            return self._out(Kind.NO_POSTING_OPEN, code=_shown(code))
        if code in posting_repo.NO_CODE:
            return self._out(Kind.UNKNOWN_CODE, code=code)
        with self._tx() as s:
            cached = posting_repo.find_by_barcode(s, code)
            if cached is None:
                if product_repo.skus_for_barcode(s, code):
                    return self._out(Kind.NO_POSTING_OPEN, code=code)
                return self._out(Kind.POSTING_NOT_FOUND, code=code)  # the screen may ask Ozon
            return self._open(s, cached, code)

    def open_fetched(self, posting: Posting, code: str = "") -> ScanOutcome:
        """A posting found online (`get-by-barcode`) for a code the cache did not know: cache it, open it."""
        self._ensure_loaded()
        if self._stops or self._pack is not None:
            return self._out(Kind.IGNORED, code=code)
        with self._tx() as s:
            posting_repo.save(s, [posting], self.clock.now())
            cached = posting_repo.get(s, posting.posting_number)
            assert cached is not None
            return self._open(s, cached, code or posting.posting_number)

    def _open(self, s: Session, cached: CachedPosting, code: str) -> ScanOutcome:
        number = cached.posting.posting_number
        if _is_cancelled(cached):
            return self._stop(s, cached)
        if not _packable(cached):
            self._record(s, number, EventKind.SCAN_REFUSED, f"not_packable: {code} ({cached.shown_status})")
            return self._out(Kind.NOT_PACKABLE, code=code, posting_number=number, detail=cached.shown_status)
        unhandled = cached.posting.requirements.unhandled()
        if unhandled:
            kinds = ", ".join(sorted(k.value for k in unhandled))
            self._record(s, number, EventKind.SCAN_REFUSED, f"needs_cabinet: {code} ({kinds})")
            return self._out(Kind.NEEDS_CABINET, code=code, posting_number=number, detail=kinds)
        row = self._progress(s, number)
        if row.state == PackState.OPEN.value:
            pack = self._resumed(s, cached.posting, row)
        else:  # packed or put aside before: count again from zero
            row.started_at = self.clock.now()
            row.override_reason = ""
            self._release_marks(s, number)
            pack = self._build(s, cached.posting, ())
        self._save_pack(s, pack)
        self._record(s, number, EventKind.SCAN_POSTING, code)
        self._pack = pack
        return self._out(Kind.POSTING_OPENED, code=code, posting_number=number)

    def _scan_item(self, code: str) -> ScanOutcome:
        pack = self._pack
        assert pack is not None
        after_mark, self._after_mark = self._after_mark, None
        if marking.looks_like_mark(code, self.gs_substitute):
            return self._scan_mark(code)
        with self._tx() as s:
            skus = product_repo.skus_for_barcode(s, code)
            if not skus:
                cached = posting_repo.find_by_barcode(s, code)
                if cached is None:
                    return self._refuse(s, Kind.UNKNOWN_CODE, code, "")
                other = cached.posting.posting_number
                if other == pack.number:
                    return self._out(Kind.ALREADY_OPEN, code=code, posting_number=other)
                return self._refuse(s, Kind.ANOTHER_POSTING_OPEN, code, other, posting_number=other)
            mine = [sku for sku in skus if pack.needed(sku)]
            if not mine:
                product = product_repo.get(s, skus[0])
                name = product.name if product is not None else ""
                return self._refuse(s, Kind.WRONG_ITEM, code, f"SKU {skus[0]}", sku=skus[0], name=name)
            if after_mark is not None and after_mark[0] == pack.number and after_mark[1] in mine:
                # code first, then the EAN of the same unit: nothing new
                sku = after_mark[1]
                return self._out(Kind.SAME_UNIT, code=code, posting_number=pack.number, sku=sku, name=self._name(sku))
            left = [sku for sku in mine if pack.scanned(sku) < pack.needed(sku)]
            if not left:
                return self._refuse(s, Kind.EXTRA_UNIT, code, f"SKU {mine[0]}", sku=mine[0], name=self._name(mine[0]))
            return self._count(s, code, left[0])

    def _name(self, sku: int) -> str:
        assert self._pack is not None
        return next(it.name for it in self._pack.items if it.sku == sku)

    def _count(self, s: Session, code: str, sku: int, mark: _Mark | None = None) -> ScanOutcome:
        """One more unit of `sku` in the current box (with its marking code, when one was scanned)."""
        pack = self._pack
        assert pack is not None
        new = pack.add(sku)
        if mark is not None:
            new = new.with_mark(self._keep_mark(s, mark))
        note = f"{_shown(code)}: SKU {sku} {new.scanned(sku)}/{new.needed(sku)}, package {len(new.packages)}"
        return self._advance(s, new, Kind.ITEM_OK, sku, note, code=code)

    def _advance(self, s: Session, new: _Pack, kind: Kind, sku: int, note: str, **fields: str) -> ScanOutcome:
        """Keep the new state of the posting on the desk, note the step in its history, say what it did
        (and what the unit of `sku` still needs)."""
        self._save_pack(s, new)
        self._record(s, new.number, EventKind.SCAN_ITEM, note)
        self._pack = new
        name = self._name(sku)
        return self._out(kind, posting_number=new.number, sku=sku, name=name, prompt=new.prompt_for(sku), **fields)

    def _keep_mark(self, s: Session, mark: _Mark) -> _Mark:
        assert self._pack is not None
        s.add(
            MarkingCodeRow(
                ident=mark.ident,
                code=mark.text,
                posting_number=self._pack.number,
                sku=mark.sku,
                scanned_at=self.clock.now(),
                user=self.user,
            )
        )
        s.flush()  # the unique identification code: a second use fails here, inside this step
        return mark

    def _scan_mark(self, code: str) -> ScanOutcome:
        """A Честный ЗНАК code: for a unit counted by its EAN before, or (instead of the EAN) a unit
        counted now. The code must parse, carry this product's GTIN and be in no other posting."""
        pack = self._pack
        assert pack is not None
        with self._tx() as s:
            try:
                parsed = marking.parse(code, self.gs_substitute)
            except marking.MarkError as exc:
                return self._refuse(s, Kind.MARK_INVALID, _shown(code), exc.message, detail=exc.code)
            skus = product_repo.skus_for_gtin(s, parsed.gtin)
            mine = [sku for sku in skus if pack.needed(sku)]
            if not mine:
                product = product_repo.get(s, skus[0]) if skus else None
                return self._refuse(
                    s,
                    Kind.MARK_WRONG_PRODUCT,
                    parsed.ident,
                    f"GTIN {parsed.gtin}",
                    detail=parsed.gtin,
                    sku=skus[0] if skus else 0,
                    name=product.name if product else "",
                )
            used = s.get(MarkingCodeRow, parsed.ident)
            if used is not None and used.posting_number != pack.number:
                holder = posting_repo.get(s, used.posting_number)
                if holder is None or _is_cancelled(holder):  # cancelled: the unit came back to the shelf
                    s.delete(used)
                    s.flush()
                    used = None
            if used is not None:
                kind = Kind.MARK_ALREADY_SCANNED if used.posting_number == pack.number else Kind.MARK_REUSED
                return self._refuse(
                    s, kind, parsed.ident, used.posting_number, detail=used.posting_number, sku=used.sku
                )
            # The unit this code belongs to: one counted without its code, else a new one.
            takes_mark = [sku for sku in mine if pack.posting.requirements.may_have_mark(sku)]
            waiting = [sku for sku in takes_mark if pack.marked(sku) < pack.scanned(sku)]
            mark = _Mark(0, parsed.ident, parsed.text)
            if waiting:
                sku = waiting[0]
                new = pack.with_mark(self._keep_mark(s, replace(mark, sku=sku)))
                note = f"{parsed.ident}: code of SKU {sku} {new.marked(sku)}/{new.needed(sku)}"
                return self._advance(s, new, Kind.MARK_OK, sku, note, code=parsed.ident)
            left = [sku for sku in mine if pack.scanned(sku) < pack.needed(sku)]
            if not left:
                return self._refuse(
                    s, Kind.EXTRA_UNIT, parsed.ident, f"SKU {mine[0]}", sku=mine[0], name=self._name(mine[0])
                )
            sku = left[0]
            # A code on a product that takes none counts the unit; the code itself is not sent.
            counted = self._count(s, parsed.ident, sku, replace(mark, sku=sku) if sku in takes_mark else None)
            self._after_mark = (pack.number, sku)
            return counted

    # -- customs declaration numbers ------------------------------------------------------------------

    def suggested_customs(self, sku: int) -> tuple[str, bool] | None:
        """The customs number last given for this SKU (gtd, "no ГТД"), to offer first."""
        with self.db.read() as s:
            row = s.get(SkuCustomsRow, sku)
        return None if row is None else (row.gtd, row.is_absent)

    def set_customs(self, sku: int, gtd: str | None) -> ScanOutcome:
        """The customs declaration number of `sku` in the posting on the desk; None: "no ГТД".
        Raises InvalidAction for a number that cannot be one."""
        self._ensure_loaded()
        pack = self._pack
        if self._stops:
            return self._out(Kind.STOP_PENDING)
        if pack is None:
            return self._out(Kind.NO_POSTING_OPEN)
        if not pack.needs_customs(sku):
            raise InvalidAction("customs_not_needed", f"Ozon needs no customs number for SKU {sku}", sku=sku)
        value = "" if gtd is None else customs.normalise_gtd(gtd)
        absent = gtd is None
        now = self.clock.now()
        with self._tx() as s:
            memory = s.get(SkuCustomsRow, sku)
            if memory is None:
                s.add(SkuCustomsRow(sku=sku, gtd=value, is_absent=absent, updated_at=now))
            else:
                memory.gtd, memory.is_absent, memory.updated_at = value, absent, now
            new = pack.with_customs(sku, value, absent)
            note = f"SKU {sku}: customs number {value or 'none'}"
            return self._advance(s, new, Kind.CUSTOMS_SET, sku, note, detail=value)

    # -- packages, abort ----------------------------------------------------------------------------

    def new_package(self) -> ScanOutcome:
        """Close the current box; the next units go into a new one (the posting is split on ship).
        A multi-box posting (one item in several boxes) only counts its boxes: any box may be empty."""
        self._ensure_loaded()
        if self._stops:
            return self._out(Kind.STOP_PENDING)
        pack = self._pack
        if pack is None:
            return self._out(Kind.NO_POSTING_OPEN)
        if not pack.posting.is_multibox:
            if pack.remaining() == 0:
                return self._out(Kind.NOTHING_LEFT, posting_number=pack.number)
            if not pack.packages or not pack.packages[-1]:
                return self._out(Kind.PACKAGE_EMPTY, posting_number=pack.number)
        with self._tx() as s:
            new = pack.new_package()
            self._save_pack(s, new)
            self._record(s, pack.number, EventKind.NEW_PACKAGE, f"package {len(new.packages)}")
            self._pack = new
        return self._out(Kind.NEW_PACKAGE, posting_number=pack.number, detail=str(len(new.packages)))

    def abort(self, reason: str = "") -> ScanOutcome:
        """Put the posting on the desk aside (it can be scanned again later, counting from zero).
        With a STOP showing, this acknowledges it."""
        self._ensure_loaded()
        if self._stops:
            return self.acknowledge_stop()
        pack = self._pack
        if pack is None:
            return self._out(Kind.IGNORED)
        with self._tx() as s:
            self._put_aside(s, pack, reason)
        return self._out(Kind.ABORTED, posting_number=pack.number)

    # -- STOP -----------------------------------------------------------------------------------------

    def _stop(self, s: Session, cached: CachedPosting) -> ScanOutcome:
        """The posting is cancelled: stop the desk, cancel its labels, remember it across restarts."""
        number = cached.posting.posting_number
        reason = cached.posting.cancel_reason
        row = self._progress(s, number)
        if self._pack is not None and self._pack.number == number:
            lines = self._pack.view().lines
            self._pack = None
        else:
            lines = self._build(s, cached.posting, _decode(row.packages)).view().lines
        row.state = PackState.STOPPED.value
        row.updated_at = self.clock.now()
        self._record(s, number, EventKind.STOP, reason)
        labels.cancel_label_jobs(s, number, self.clock.now())
        if not any(stop.posting_number == number for stop in self._stops):
            self._stops.append(StopInfo(number, reason, lines))
        self._touched.add(number)
        self._cancelled.add(number)
        return self._out(Kind.STOP, posting_number=number, detail=reason)

    def acknowledge_stop(self) -> ScanOutcome:
        """The packer confirms the goods of the cancelled posting are back on the shelf."""
        self._ensure_loaded()
        if not self._stops:
            return self._out(Kind.IGNORED)
        stop = self._stops[0]
        with self._tx() as s:
            row = self._progress(s, stop.posting_number)
            row.state = PackState.ABORTED.value
            row.updated_at = self.clock.now()
            self._release_marks(s, stop.posting_number)  # the units are back on the shelf
            self._record(s, stop.posting_number, EventKind.STOP_ACKNOWLEDGED)
            self._stops.pop(0)
        return self._out(Kind.STOP_ACKNOWLEDGED, posting_number=stop.posting_number)

    def _unsent_ship(self, s: Session, number: str) -> bool:
        """Packed here, but the ship call has not reached Ozon (or was refused)."""
        states = (OutboxState.PENDING, OutboxState.IN_FLIGHT, OutboxState.CONFLICT)
        return any(e.action is ActionKind.SHIP for e in outbox.entries(s, states, target_id=number))

    def _check(self, s: Session, cached: CachedPosting) -> ScanOutcome | None:
        """A STOP or a refusal for `cached`, if its (fresh or cached) state calls for one."""
        number = cached.posting.posting_number
        on_desk = self._pack is not None and self._pack.number == number
        if _is_cancelled(cached):
            if on_desk:
                return self._stop(s, cached)
            row = s.get(PackProgressRow, number)
            if row is not None and row.state == PackState.COMPLETE.value and self._unsent_ship(s, number):
                return self._stop(s, cached)  # packed, not yet handed to Ozon: the box must not leave
            return None
        if on_desk and cached.posting.status is not PostingStatus.AWAITING_PACKAGING:
            assert self._pack is not None
            status = cached.posting.status.value
            self._put_aside(s, self._pack, f"Ozon shows it {status}")
            return self._out(Kind.NOT_PACKABLE, posting_number=number, detail=status)
        return None

    def recheck(self, posting_number: str, fresh: Posting | None) -> ScanOutcome:
        """The result of a status re-check with Ozon (None: offline, nothing learned)."""
        self._ensure_loaded()
        if fresh is None:
            return self._out(Kind.CHECKED, posting_number=posting_number)
        with self._tx() as s:
            posting_repo.save(s, [fresh], self.clock.now())
            cached = posting_repo.get(s, fresh.posting_number)
            assert cached is not None
            return self._check(s, cached) or self._out(Kind.CHECKED, posting_number=posting_number)

    def check_cached(self, posting_numbers: Sequence[str] = ()) -> ScanOutcome:
        """After a sync: STOP if the posting on the desk, or one of `posting_numbers` packed here and
        not yet shipped, is now cancelled in the cache."""
        self._ensure_loaded()
        wanted = list(dict.fromkeys([*([self._pack.number] if self._pack else []), *posting_numbers]))
        result: ScanOutcome | None = None
        with self._tx() as s:
            for cached in posting_repo.get_many(s, wanted):
                result = self._check(s, cached) or result
        return result or self._out(Kind.CHECKED)

    # -- completing ----------------------------------------------------------------------------------

    def complete(self, fresh: Posting | None = None) -> ScanOutcome:
        """Every unit is scanned: queue the ship and the label in one transaction; the desk is free.
        `fresh`: the posting as Ozon shows it right now, when the caller could ask."""
        return self._complete("", fresh)

    def complete_with_override(self, reason: str, fresh: Posting | None = None) -> ScanOutcome:
        """Complete without every unit scanned (an unreadable barcode...): logged with the reason."""
        if not reason.strip():
            raise InvalidAction("override_reason", "give a reason to complete without scanning every unit")
        return self._complete(reason.strip(), fresh)

    def _complete(self, reason: str, fresh: Posting | None) -> ScanOutcome:
        self._ensure_loaded()
        if self._stops:
            return self._out(Kind.STOP_PENDING)
        pack = self._pack
        if pack is None:
            return self._out(Kind.NO_POSTING_OPEN)
        if not reason and pack.remaining():
            return self._out(Kind.INCOMPLETE, posting_number=pack.number, detail=str(pack.remaining()))
        view = pack.view()
        if view.customs_missing:  # Ozon refuses the ship without them; an override cannot help
            first = view.customs_missing[0]
            return self._out(Kind.CUSTOMS_MISSING, posting_number=pack.number, sku=first.sku, name=first.name)
        if view.marks_missing:
            first = next(line for line in view.lines if line.marks_missing)
            return self._out(
                Kind.MARKS_MISSING,
                posting_number=pack.number,
                sku=first.sku,
                name=first.name,
                detail=str(view.marks_missing),
            )
        now = self.clock.now()
        number = pack.number
        with self._tx() as s:
            if fresh is not None:
                posting_repo.save(s, [fresh], now)
            cached = posting_repo.get(s, number)
            if cached is None:
                raise InvalidAction("posting_unknown", f"posting {number} is not in the local cache")
            checked = self._check(s, cached)
            if checked is not None:
                return checked
            if not _packable(cached):  # e.g. a pending action appeared meanwhile
                self._put_aside(s, pack, f"not packable ({cached.shown_status})")
                return self._out(Kind.NOT_PACKABLE, posting_number=number, detail=cached.shown_status)
            packages = pack.ship_packages(fill_missing=bool(reason))
            if reason:
                self._record(s, number, EventKind.OVERRIDE, f"{reason} — not scanned: {pack.missing_text()}")
            boxes = pack.box_count() if cached.posting.is_multibox else 0
            entry = queue_ship_in(s, now, number, packages, units=pack.units(), boxes=boxes)
            if len(packages) > 1:  # each further box becomes a posting of its own: it needs a label too
                parts = {"parts": len(packages) - 1}
                outbox.enqueue(s, ActionKind.LABEL_SPLIT_PARTS, TargetKind.POSTING, number, parts, now)
            packed_as = f"{len(packages)} package(s)" + (f" in {boxes} box(es)" if boxes else "")
            self._record(s, number, EventKind.PACKED, f"{packed_as}: {_packages_text(packages)}")
            self._record(s, number, EventKind.ACTION_QUEUED, f"ship {entry.key}")
            job = labels.queue_package_label(s, cached.posting, now, self.user)
            row = self._progress(s, number)
            row.state = PackState.COMPLETE.value
            row.packages = _encode([tuple(pkg) for pkg in packages])
            row.override_reason = reason
            row.updated_at = now
            self._pack = None
            self._last_packed = number
            self._touched.add(number)
            self._outbox_touched = True
        # What the packer sees: the boxes packed (a multi-box posting's boxes, not its one package).
        shown = pack.packages if boxes else tuple(tuple(pkg) for pkg in packages)
        packed = replace(pack, packages=shown).view()
        return self._out(Kind.COMPLETED, posting_number=number, detail=job.key, packed=packed)

    # -- printing --------------------------------------------------------------------------------------

    def reprint(self, reason: str = "") -> ScanOutcome:
        """Print the last packed posting's label again (logged as a reprint with its reason)."""
        self._ensure_loaded()
        if self._stops:
            return self._out(Kind.STOP_PENDING)
        number = self._last_packed
        if not number:
            return self._out(Kind.NOTHING_TO_REPRINT)
        why = reason.strip() or "reprint requested at the pack station"
        now = self.clock.now()
        with self._tx() as s:
            cached = posting_repo.get(s, number)
            if cached is None:
                return self._out(Kind.NOTHING_TO_REPRINT)
            if _is_cancelled(cached):
                return self._check(s, cached) or self._out(Kind.NOT_PACKABLE, posting_number=number, detail="cancelled")
            wait = False
            if cached.posting.is_rfbs:
                kind = DocKind.OWN_LABEL
            else:
                kind = DocKind.OZON_LABEL
                states = {j.state for j in print_queue.jobs(s) if j.kind is kind and number in j.posting_numbers}
                if states and states <= {JobState.WAITING, JobState.CANCELLED} and JobState.WAITING in states:
                    return self._out(Kind.REPRINT_WAITING, posting_number=number)
                wait = not (states & {JobState.QUEUED, JobState.DONE, JobState.FAILED})
            job = print_queue.enqueue(s, kind, (number,), now, reason=why, user=self.user, wait_for_label=wait)
            self._record(s, number, EventKind.REPRINT, why)
        return self._out(Kind.REPRINT_QUEUED, posting_number=number, detail=job.key)

    def ship_all(self) -> ScanOutcome:
        """SHIP ALL: nothing to write here; the caller sends the outbox now and prints every label
        that is ready (batch mode). The detail is how many labels still wait for Ozon."""
        self._ensure_loaded()
        with self.db.read() as s:
            waiting = len(print_queue.jobs(s, (JobState.WAITING,)))
        return self._out(Kind.SHIP_ALL, detail=str(waiting))
