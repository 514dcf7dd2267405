"""The pack station: what the packer does at the desk — scans, commands, customs numbers, boxes,
completing a posting and reprinting its label. See the package docstring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from app import customs, marking, print_queue
from app.db.desk_tables import PackProgressRow, SkuCustomsRow
from app.db.tables import MarkingCodeRow
from app.domain.postings import Posting
from app.errors import InvalidAction
from app.history import EventKind
from app.print_queue import DocKind, JobState, PrintJob
from app.repos import postings as posting_repo
from app.repos import products as product_repo
from app.repos.postings import CachedPosting
from app.workflows import commands, labels
from app.workflows.commands import Command
from app.workflows.packing import claims
from app.workflows.packing.desk import Desk
from app.workflows.packing.outcomes import Kind, PackState, ScanOutcome
from app.workflows.packing.pack import Mark, Pack, encode, packable
from app.workflows.shipping import queue_ship_in


def _shown(code: str) -> str:
    """A scan as the history and the screen show it: a marking code without its crypto tail (which says
    nothing to a person), however the scanner separated its groups."""
    if marking.GS in code:
        return code.split(marking.GS, 1)[0]
    return code[:IDENT_LENGTH] + "…" if marking.looks_like_mark(code) and len(code) > IDENT_LENGTH else code


IDENT_LENGTH = 31  # 01 + GTIN-14 + 21 + a serial of 13


def _packages_text(packages: Sequence[Sequence[tuple[int, int]]]) -> str:
    return " | ".join(", ".join(f"{sku}×{qty}" for sku, qty in pkg) for pkg in packages)


class PackStation(Desk):
    """One packing desk. Every public method returns a `ScanOutcome`; see the package docstring."""

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
        posting = cached.posting
        number = posting.posting_number
        if cached.is_cancelled:
            return self._stop(s, cached)
        if not packable(cached):
            row = s.get(PackProgressRow, number)
            if row is not None and row.state == PackState.COMPLETE.value:
                self._last_packed = number  # REPRINT now prints this posting's label
                return self._out(Kind.ALREADY_PACKED, code=code, posting_number=number, detail=cached.shown_status)
            self._record(s, number, EventKind.SCAN_REFUSED, f"not_packable: {code} ({cached.shown_status})", posting)
            return self._out(Kind.NOT_PACKABLE, code=code, posting_number=number, detail=cached.shown_status)
        unhandled = cached.posting.requirements.unhandled()
        if unhandled:
            kinds = ", ".join(sorted(k.value for k in unhandled))
            self._record(s, number, EventKind.SCAN_REFUSED, f"needs_cabinet: {code} ({kinds})", posting)
            return self._out(Kind.NEEDS_CABINET, code=code, posting_number=number, detail=kinds)
        row, holder = claims.claim_row(s, number, self.desk, self.user, self.clock.now())
        if holder is not None:  # on another desk's station: this desk keeps its hands off
            kind = Kind.CLAIM_STALE if holder.stale else Kind.CLAIMED_ELSEWHERE
            refused = f"{kind.value}: {code} ({holder.desk}, {holder.packer})"
            self._record(s, number, EventKind.SCAN_REFUSED, refused, posting)
            return self._out(kind, code=code, posting_number=number, detail=holder.detail)
        if row.state == PackState.COMPLETE.value:
            again = posting_repo.get(s, number, fresh=True)
            if again is not None and not packable(again):  # packed at another desk since it was read above
                return self._open(s, again, code)
        if row.state == PackState.OPEN.value:
            pack = self._resumed(s, cached.posting, row)
        else:  # packed or put aside before: count again from zero
            self._release_marks(s, number)
            pack = self._build(s, cached.posting, ())
            # After the reads above: a row changed before them is flushed by each (a statement more).
            row.started_at = self.clock.now()
            row.override_reason = ""
        self._save_pack(s, pack)
        self._pack = pack
        self._record(s, number, EventKind.SCAN_POSTING, code)
        return self._out(Kind.POSTING_OPENED, code=code, posting_number=number)

    def take_over(self, posting_number: str) -> ScanOutcome:
        """Take a posting over from a desk whose claim went stale (CLAIM_STALE, confirmed by the
        packer): it opens here with what was scanned there, and its history says from whom."""
        self._ensure_loaded()
        if self._stops or self._pack is not None:
            return self._out(Kind.IGNORED, code=posting_number)
        with self._tx() as s:
            cached = posting_repo.get(s, posting_number)
            if cached is None:
                return self._out(Kind.POSTING_NOT_FOUND, code=posting_number)
            row, holder = claims.claim_row(s, posting_number, self.desk, self.user, self.clock.now())
            if holder is not None:
                if not holder.stale:  # scanned there meanwhile: it is that desk's again
                    return self._out(Kind.CLAIMED_ELSEWHERE, posting_number=posting_number, detail=holder.detail)
                row.desk, row.packer = self.desk, self.user
                since = f"{holder.last_scan:%Y-%m-%d %H:%M} UTC"
                self._record(s, posting_number, EventKind.TAKEN_OVER, f"from {holder.desk} ({holder.packer}), {since}")
            return self._open(s, cached, posting_number)

    def _scan_item(self, code: str) -> ScanOutcome:
        pack = self._pack
        assert pack is not None
        after_mark, self._after_mark = self._after_mark, None
        if marking.looks_like_mark(code, self.gs_substitute):
            return self._scan_mark(code)
        with self._tx() as s:
            lost = self._claim_lost(s)
            if lost is not None:
                return lost
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

    def _count(self, s: Session, code: str, sku: int, mark: Mark | None = None) -> ScanOutcome:
        """One more unit of `sku` in the current box (with its marking code, when one was scanned)."""
        pack = self._pack
        assert pack is not None
        new = pack.add(sku)
        if mark is not None:
            new = new.with_mark(self._keep_mark(s, mark))
        note = f"{_shown(code)}: SKU {sku} {new.scanned(sku)}/{new.needed(sku)}, package {len(new.packages)}"
        return self._advance(s, new, Kind.ITEM_OK, sku, note, code=code)

    def _advance(self, s: Session, new: Pack, kind: Kind, sku: int, note: str, **fields: str) -> ScanOutcome:
        """Keep the new state of the posting on the desk, note the step in its history, say what it did
        (and what the unit of `sku` still needs)."""
        self._save_pack(s, new)
        self._record(s, new.number, EventKind.SCAN_ITEM, note)
        self._pack = new
        name = self._name(sku)
        return self._out(kind, posting_number=new.number, sku=sku, name=name, prompt=new.prompt_for(sku), **fields)

    def _keep_mark(self, s: Session, mark: Mark) -> Mark:
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
            lost = self._claim_lost(s)
            if lost is not None:
                return lost
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
                if holder is None or holder.is_cancelled:  # cancelled: the unit came back to the shelf
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
            mark = Mark(0, parsed.ident, parsed.text)
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
            lost = self._claim_lost(s)
            if lost is not None:
                return lost
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
            lost = self._claim_lost(s)
            if lost is not None:
                return lost
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
            lost = self._claim_lost(s)  # the other desk's packing is not put aside from here
            if lost is not None:
                return lost
            self._put_aside(s, pack, reason)
        return self._out(Kind.ABORTED, posting_number=pack.number)

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
            lost = self._claim_lost(s)
            if lost is not None:
                return lost
            if fresh is not None:
                posting_repo.save(s, [fresh], now)
            cached = posting_repo.get(s, number)
            if cached is None:
                raise InvalidAction("posting_unknown", f"posting {number} is not in the local cache")
            checked = self._check(s, cached)
            if checked is not None:
                return checked
            if not packable(cached):  # e.g. a pending action appeared meanwhile
                self._put_aside(s, pack, f"not packable ({cached.shown_status})")
                return self._out(Kind.NOT_PACKABLE, posting_number=number, detail=cached.shown_status)
            packages = pack.ship_packages(fill_missing=bool(reason))
            if reason:
                self._record(s, number, EventKind.OVERRIDE, f"{reason} — not scanned: {pack.missing_text()}")
            boxes = pack.box_count() if cached.posting.is_multibox else 0
            entry = queue_ship_in(s, now, number, packages, units=pack.units(), boxes=boxes, cached=cached)
            labels.queue_split_labels(s, number, len(packages), now)
            packed_as = f"{len(packages)} package(s)" + (f" in {boxes} box(es)" if boxes else "")
            self._record(s, number, EventKind.PACKED, f"{packed_as}: {_packages_text(packages)}")
            self._record(s, number, EventKind.ACTION_QUEUED, f"ship {entry.key}")
            job = labels.queue_package_label(s, cached.posting, now, self.user, self.desk)
            row = self._progress(s, number)
            row.state = PackState.COMPLETE.value
            row.packages = encode([tuple(pkg) for pkg in packages])
            row.override_reason = reason
            row.updated_at = now
            self._pack = None
            self._last_packed = number
            self._touched.add(number)
            self._outbox_touched = True
        # What the packer sees: the boxes packed (a multi-box posting's boxes, not its one package).
        # After F8 the screen shows what was scanned (1/3), not the units the override filled in.
        scanned = tuple(pkg for pkg in pack.packages if pkg) or ((),)
        shown = pack.packages if boxes else scanned if reason else tuple(tuple(pkg) for pkg in packages)
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
            if cached.is_cancelled:
                return self._check(s, cached) or self._out(Kind.NOT_PACKABLE, posting_number=number, detail="cancelled")
            request = labels.reprint_label(s, cached.posting, now, why, self.user, self.labels_dir, self.desk)
            if request.fetch_queued:
                self._outbox_touched = True
            if request.job is None:
                return self._out(Kind.REPRINT_WAITING, posting_number=number)
            self._record(s, number, EventKind.REPRINT, why)
        return self._out(Kind.REPRINT_QUEUED, posting_number=number, detail=request.job.key)

    def ship_all(self) -> ScanOutcome:
        """SHIP ALL: nothing to write here; the caller sends the outbox now and prints every label
        that is ready (batch mode). The detail is how many labels still wait for Ozon."""
        self._ensure_loaded()
        with self.db.read() as s:
            waiting = print_queue.count(s, (JobState.WAITING,), desk=self.printing_desk)
        return self._out(Kind.SHIP_ALL, detail=str(waiting))

    def retry_failed_prints(self) -> int:
        """Every failed print job goes back in the queue (the printer may be back). Returns how many."""
        with self.db.write() as s:
            return print_queue.retry_failed(s, self.clock.now(), self.printing_desk)

    def queue_command_sheet(self) -> PrintJob:
        """The sheet of scanner command barcodes (NEXT, REPRINT, …), for the label printer."""
        with self.db.write() as s:
            return print_queue.enqueue(s, DocKind.COMMANDS, (), self.clock.now(), user=self.user, desk=self.desk)
