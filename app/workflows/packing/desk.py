"""The desk under the pack station: its state kept in the database (resumed after a crash), the
transaction every step runs in, and the cancellation interlock (STOP)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import desks, history, outbox, packers
from app.clock import Clock
from app.db.desk_tables import PackProgressRow
from app.db.engine import Database
from app.db.tables import MarkingCodeRow
from app.domain.postings import Posting, PostingStatus
from app.errors import InvalidAction
from app.events import EventBus
from app.history import EventKind
from app.outbox import ActionKind, OutboxState
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos.postings import CachedPosting
from app.workflows import changes as changes_mod
from app.workflows import labels
from app.workflows.packing import claims
from app.workflows.packing.outcomes import Kind, PackageItems, PackLine, PackState, ScanOutcome, StopInfo
from app.workflows.packing.pack import Customs, Mark, Pack, decode, encode


class Desk:
    """The state of one packing desk and its durability: the posting on it, the STOPs waiting for
    acknowledgement, the transaction every step runs in. `PackStation` adds what the packer does."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        bus: EventBus,
        user: str = "",
        desk: str = "",
        gs_substitute: str = "",
        labels_dir: Path | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.bus = bus
        self.user = user  # the packer
        self.desk = desk  # this desk's name: its claim on the posting it packs (several desks, one database)
        # Where Ozon's label PDFs are kept: a reprint knows whether the label is here (None: judged
        # by its print jobs).
        self.labels_dir = labels_dir
        # What this desk's scanner sends instead of the GS separator of a marking code (Settings).
        self.gs_substitute = gs_substitute
        self._loaded = False
        self._pack: Pack | None = None
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

    def _record(
        self, s: Session, number: str, kind: EventKind, detail: str = "", posting: Posting | None = None
    ) -> None:
        """`posting`: the one the event is about when the caller has it at hand (else the one on the
        desk, else history looks its warehouse up: a query more on the scan's path)."""
        if posting is None and self._pack is not None and self._pack.number == number:
            posting = self._pack.posting
        warehouse = posting.warehouse_id if posting is not None else None
        history.record(s, number, kind, self.clock.now(), detail, self.user, self.desk, warehouse)

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
                desk=self.desk,
                packer=self.user,
            )
            s.add(row)
        return row

    def _save_pack(self, s: Session, pack: Pack, state: PackState = PackState.OPEN) -> None:
        row = self._progress(s, pack.number)
        row.state = state.value
        row.packages = encode(pack.packages)
        row.customs = {str(sku): {"gtd": gtd, "absent": absent} for sku, gtd, absent in pack.customs}
        row.updated_at = self.clock.now()
        row.desk, row.packer = self.desk, self.user

    def _put_aside(self, s: Session, pack: Pack, why: str) -> None:
        """The posting leaves the desk unpacked: counted again from zero next time, its units' codes free."""
        self._save_pack(s, pack, PackState.ABORTED)
        self._release_marks(s, pack.number)
        self._record(s, pack.number, EventKind.ABORTED, why)
        if self._pack is not None and self._pack.number == pack.number:
            self._pack = None

    def _claim_lost(self, s: Session) -> ScanOutcome | None:
        """Another desk took this desk's posting over meanwhile (its claim had gone stale): the
        posting is no longer on this desk, and nothing scanned here from now on counts."""
        pack = self._pack
        holder = None if pack is None else claims.holder_elsewhere(s, pack.number, self.desk)
        if pack is None or holder is None:
            return None
        self._pack = None
        return self._out(Kind.TAKEN_OVER, posting_number=pack.number, detail=holder.detail)

    def _release_marks(self, s: Session, number: str) -> None:
        """The posting's units go back on the shelf (or are counted again): their codes are free."""
        s.execute(delete(MarkingCodeRow).where(MarkingCodeRow.posting_number == number))

    def _resumed(self, s: Session, posting: Posting, row: PackProgressRow) -> Pack:
        """The posting as it was left: its scans, the marking codes scanned and the customs numbers."""
        marks = tuple(
            Mark(r.sku, r.ident, r.code)
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
        return replace(self._build(s, posting, decode(row.packages)), marks=marks, customs=kept)

    def _build(self, s: Session, posting: Posting, packages: tuple[PackageItems, ...]) -> Pack:
        needed: dict[int, int] = {}
        first: dict[int, tuple[str, str]] = {}
        for it in posting.products:
            needed[it.sku] = needed.get(it.sku, 0) + it.quantity
            first.setdefault(it.sku, (it.offer_id, it.name))
        products = product_repo.get_many(s, needed)
        items = []
        for sku, qty in needed.items():
            product = products.get(sku)
            offer_id, name = first[sku]
            barcodes = product.barcodes if product is not None else ()
            items.append(
                PackLine(sku, offer_id or (product.offer_id if product else ""), name, tuple(barcodes), qty, 0)
            )
        return Pack(posting, tuple(items), packages or ((),))

    # -- state --------------------------------------------------------------------------------------

    def resume(self) -> ScanOutcome:
        """Load what was on the desk when the station last stopped (a crash included)."""
        with self._tx() as s:
            self._pack, self._stops = None, []
            rows = s.scalars(
                select(PackProgressRow)
                .where(PackProgressRow.state.in_([PackState.OPEN.value, PackState.STOPPED.value]))
                .where(PackProgressRow.desk.in_([self.desk, ""]))  # this desk's (or a one-desk database's)
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
                .where(PackProgressRow.state == PackState.COMPLETE.value, PackProgressRow.desk.in_([self.desk, ""]))
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

    def change_packer(self, name: str, pin: str = "") -> str:
        """Another packer picks their name at this desk (with their PIN, when they have one); what is
        scanned, printed and decided from now on is theirs. Refused while a posting (or a STOP) is
        on the desk: it is finished or put aside by the one who started it. Returns the name as kept."""
        self._ensure_loaded()
        on = self._pack.number if self._pack is not None else self._stops[0].posting_number if self._stops else ""
        if on:
            raise InvalidAction(
                "packer_change_busy", f"posting {on} is on the desk: finish it or put it aside first", posting=on
            )
        with self.db.read() as s:
            chosen = packers.verify(s, name, pin)
        self.user = chosen
        return chosen

    def restore_packer(self, name: str, fallback: str) -> str:
        """At start: the packer this desk remembers, if still one of the shop's (the PIN was given when
        picked); else `fallback` (the computer's login name). Returns who packs here now."""
        with self.db.read() as s:
            known = {p.name for p in packers.all_packers(s)}
        self.user = name if name in known else fallback
        return self.user

    @property
    def printing_desk(self) -> str:
        """Whose print jobs this desk prints and shows (app.desks.printing_desk)."""
        return desks.printing_desk(self.db, self.desk)

    @property
    def posting_number(self) -> str:
        """The posting on the desk ("" when free)."""
        return "" if self._pack is None else self._pack.number

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
            lines = self._build(s, cached.posting, decode(row.packages)).view().lines
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
        if cached.is_cancelled:
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
