"""What the packer reads after each scan: one short, translated sentence per outcome."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.workflows.packing import claims
from app.workflows.packing.outcomes import Kind, Prompt, ScanOutcome
from ui import wording


class Messages(QObject):
    def _mark_problem(self, code: str) -> str:
        """Why a scanned marking code cannot be used (app.marking.MarkError codes)."""
        problems = {
            "mark_no_tail": self.tr("the code is cut short (no crypto tail): scan the whole DataMatrix"),
            "mark_bad_gtin": self.tr("the product number in the code is damaged: scan it again"),
            "mark_no_separators": self.tr(
                "the scanner drops the code's separators: set its GS placeholder in Settings → Packing and handover"
            ),
        }
        return problems.get(code, self.tr("this is not a valid Честный ЗНАК code"))

    def _prompt(self, out: ScanOutcome, name: str) -> str | None:
        if out.prompt is Prompt.MARK:
            return self.tr("✓ {name} — now scan its Честный ЗНАК code").format(name=name)
        if out.prompt is Prompt.CUSTOMS:
            return self.tr("✓ {name} — enter its customs declaration number (ГТД)").format(name=name)
        return None

    def text(self, out: ScanOutcome) -> str | None:
        """The banner text for `out` (None: keep the banner as it is)."""
        view = out.view
        left = view.remaining if view is not None else 0
        name = out.name or out.code
        k = out.kind
        if k is Kind.IDLE:
            return self.tr("Scan a posting label to start")
        if k is Kind.POSTING_OPENED:
            if view is not None and any(line.needs_mark for line in view.lines):
                return self.tr(
                    "Posting {number}: scan the items and their Честный ЗНАК codes — %n to go", "", left
                ).format(number=out.posting_number)
            return self.tr("Posting {number}: scan the items — %n to go", "", left).format(number=out.posting_number)
        if k is Kind.RESUMED:
            return self.tr("Resumed posting {number}: %n to go", "", left).format(number=out.posting_number)
        if k in (Kind.ITEM_OK, Kind.MARK_OK, Kind.CUSTOMS_SET):
            prompt = self._prompt(out, name)
            if prompt is not None:
                return prompt
            if view is not None and view.ready:
                return self.tr("✓ {name} — all scanned, completing…").format(name=name)
            if view is not None and view.complete and view.marks_missing:
                return self.tr("✓ {name} — scan the Честный ЗНАК codes: %n missing", "", view.marks_missing).format(
                    name=name
                )
            return self.tr("✓ {name} — %n to go", "", left).format(name=name)
        if k is Kind.SAME_UNIT:
            return self.tr("{name}: this unit was counted by its Честный ЗНАК code — scan the next one").format(
                name=name
            )
        if k is Kind.MARK_INVALID:
            return self.tr("✗ CODE NOT ACCEPTED: {why}").format(why=self._mark_problem(out.detail))
        if k is Kind.MARK_WRONG_PRODUCT:
            if out.name:
                return self.tr("✗ WRONG ITEM: this code is of {name}, which is not in this posting").format(
                    name=out.name
                )
            return self.tr("✗ This code is of a product the shop does not sell (GTIN {gtin})").format(gtin=out.detail)
        if k is Kind.MARK_REUSED:
            return self.tr("✗ This code is already in posting {number}: every unit has its own code").format(
                number=out.detail
            )
        if k is Kind.MARK_ALREADY_SCANNED:
            return self.tr("✗ This code is already scanned: scan the code of the next unit")
        if k is Kind.MARKS_MISSING:
            return self.tr(
                "✗ %n unit(s) still need their Честный ЗНАК code — Ozon will not ship without", "", int(out.detail or 0)
            )
        if k is Kind.CUSTOMS_MISSING:
            return self.tr("✗ Enter the customs declaration number (ГТД) of {name} first").format(name=name)
        if k is Kind.NEEDS_CABINET:
            return self.tr(
                "✗ Ozon needs data for posting {number} that Packdesk cannot send yet ({what}): "
                "pack it in Ozon's seller cabinet"
            ).format(number=out.posting_number, what=out.detail)
        if k is Kind.WRONG_ITEM:
            return self.tr("✗ WRONG ITEM: {name} is not in this posting — put it back").format(name=name)
        if k is Kind.EXTRA_UNIT:
            return self.tr("✗ EXTRA UNIT: every {name} is already scanned — put it back").format(name=name)
        if k is Kind.UNKNOWN_CODE:
            return self.tr("✗ UNKNOWN CODE {code}").format(code=out.code)
        if k is Kind.POSTING_NOT_FOUND:
            return self.tr("✗ No posting with the code {code} — sync, or check the label").format(code=out.code)
        if k is Kind.NOT_PACKABLE:
            return self.tr("✗ Posting {number} cannot be packed: {status}").format(
                number=out.posting_number, status=wording.posting_status(out.detail)
            )
        if k in (Kind.CLAIMED_ELSEWHERE, Kind.CLAIM_STALE, Kind.TAKEN_OVER):
            desk, packer = claims.split_detail(out.detail)
            fields = {"number": out.posting_number, "desk": desk, "packer": packer or "—"}
            if k is Kind.CLAIMED_ELSEWHERE:
                return self.tr("✗ {number} is being packed at {desk} by {packer}").format(**fields)
            if k is Kind.CLAIM_STALE:
                return self.tr("✗ {number} was left at {desk} by {packer}: take it over?").format(**fields)
            return self.tr("✗ {number} was taken over at {desk} by {packer}: put the goods aside").format(**fields)
        if k is Kind.ANOTHER_POSTING_OPEN:
            current = view.posting_number if view is not None else ""
            return self.tr("✗ Finish posting {current} first (Esc puts it aside)").format(current=current)
        if k is Kind.NO_POSTING_OPEN:
            return self.tr("✗ Scan the posting label first")
        if k is Kind.STOP_PENDING:
            return self.tr("✗ STOP: put the goods back and acknowledge first")
        if k is Kind.PACKAGE_EMPTY:
            return self.tr("✗ This box is still empty: scan an item into it first")
        if k is Kind.NOTHING_LEFT:
            return self.tr("✗ Every unit is packed: no new box needed")
        if k is Kind.INCOMPLETE:
            return self.tr("✗ %n unit(s) still to scan (F8 completes anyway, with a reason)", "", int(out.detail or 0))
        if k is Kind.NOTHING_TO_REPRINT:
            return self.tr("✗ Nothing packed yet: no label to reprint")
        if k is Kind.COMPLETED:
            packed = out.packed
            boxes = packed.box_count if packed is not None else 1
            rfbs = packed is not None and packed.is_rfbs
            label = self.tr("label printing") if rfbs else self.tr("label waits for Ozon")
            skipped = packed.remaining if packed is not None else 0
            if skipped:  # F8: the packer reads what was not scanned, not a plain "packed"
                return self.tr(
                    "✓ Packed {number} in %n box(es), {label}; {skipped}. Scan the next posting", "", boxes
                ).format(number=out.posting_number, label=label, skipped=self.tr("%n unit(s) not scanned", "", skipped))
            return self.tr("✓ Packed {number} in %n box(es), {label}. Scan the next posting", "", boxes).format(
                number=out.posting_number, label=label
            )
        if k is Kind.NEW_PACKAGE:
            return self.tr("Box {box}: scan the items for it").format(box=out.detail)
        if k is Kind.REPRINT_QUEUED:
            return self.tr("Reprint of {number} queued").format(number=out.posting_number)
        if k is Kind.REPRINT_WAITING:
            return self.tr("The label of {number} still waits for Ozon; it prints when ready").format(
                number=out.posting_number
            )
        if k is Kind.SHIP_ALL:
            waiting = int(out.detail or 0)
            return self.tr("Sending everything packed; printing the ready labels (%n still wait for Ozon)", "", waiting)
        if k is Kind.STOP_ACKNOWLEDGED:
            return self.tr("STOP acknowledged. Scan the next posting")
        if k is Kind.ABORTED:
            return self.tr("Posting {number} put aside. Scan the next posting").format(number=out.posting_number)
        if k is Kind.STOP:
            return self.tr("STOP — posting {number} was cancelled").format(number=out.posting_number)
        if k is Kind.ALREADY_PACKED:
            return self.tr("Posting {number} is already packed — scan REPRINT to print its label again").format(
                number=out.posting_number
            )
        if k is Kind.ALREADY_OPEN:
            return self.tr("Posting {number} is already on the desk — %n to go", "", left).format(
                number=out.posting_number
            )
        return None  # CHECKED, IGNORED keep what the packer reads
