"""The pack station screen: a scan field that always has the focus, the posting's items large, loud
feedback, the STOP screen, and the print-queue panel.

Every scan goes to `app.workflows.packing.PackStation` on the database worker (scans keep their
order there); the outcome comes back to the GUI thread and is rendered. Status re-checks and
barcode look-ups run on the I/O pool. The GUI thread never waits for either.

Completing: when the last unit is scanned (or F8 with a reason), the posting is re-checked with Ozon
if that is possible, but for at most `CHECK_DEADLINE_MS` — offline, the desk goes on from the cache
(the sync engine re-reads the posting before the ship call anyway). Scans arriving meanwhile are
held and replayed in order afterwards. A late answer that says "cancelled" still STOPs the desk.

Keys: F2 new box, F8 complete anyway (with a reason), Esc put the posting aside (asks first), F9
print all ready labels (batch mode). The command barcodes do the same from the scanner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QMouseEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app import desks, events
from app.context import AppContext
from app.domain.postings import Posting
from app.errors import InvalidAction, UserError
from app.queries import packing as packing_reads
from app.workflows import commands
from app.workflows.commands import Command
from app.workflows.packing import claims
from app.workflows.packing.outcomes import Kind, PackView, Prompt, ScanOutcome, StopInfo, Tone
from app.workflows.packing.station import PackStation
from ui import desk_user, errors, plain_text
from ui.bridge import EventBridge
from ui.packing.dialogs import CustomsDialog, OverrideDialog, confirm_abort, confirm_take_over
from ui.packing.items_table import ItemsTable
from ui.packing.messages import Messages
from ui.packing.packer_picker import PackerButton
from ui.packing.ports import OnlinePorts, PrintControl
from ui.packing.print_panel import PrintQueuePanel
from ui.packing.stop_overlay import StopOverlay
from ui.sounds import SoundPlayer, SystemSounds
from ui.sync_control import SyncControl
from ui.tasks import TaskManager
from ui.widgets.scan_field import ScanField

log = logging.getLogger(__name__)

CHECK_DEADLINE_MS = 3000
_BANNER = {
    Tone.GOOD: ("#2e7d32", "white"),
    Tone.BAD: ("#c62828", "white"),
    Tone.STOP: ("#b71c1c", "white"),
    Tone.INFO: ("#eceff1", "#102027"),
}
_PENDING_BANNER = ("#fff8e1", "#5d4037")
SKIPPED = "#e65100"  # units an F8 completion did not scan
OVERDUE = "#c62828"  # the ship-by time has passed


def _font(widget: QWidget, points: float, bold: bool = False) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(points)
    font.setBold(bold)
    widget.setFont(font)


class PackingPage(QWidget):
    """Signals:
    stop_raised(): a new STOP is on the desk; the window brings this page to the front.
    """

    stop_raised = Signal()

    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        bridge: EventBridge,
        parent: QWidget | None = None,
        *,
        sync: SyncControl | None = None,
        ports: OnlinePorts | None = None,
        printer: PrintControl | None = None,
        sounds: SoundPlayer | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("packingPage")
        self.ctx = ctx
        self.tasks = tasks
        self.sync = sync
        self.ports = ports or OnlinePorts()
        self.printer = printer
        self.sounds: SoundPlayer = sounds or SystemSounds(enabled=ctx.settings.sounds)
        self.station = PackStation(
            ctx.db,
            ctx.clock,
            bus=ctx.bus,
            user=desk_user.login_name() if user is None else user,
            desk=desks.desk_name(ctx.settings),
            gs_substitute=ctx.settings.gs_substitute,
            labels_dir=ctx.paths.labels,
        )
        self.messages = Messages(self)
        self.view: PackView | None = None  # what the screen shows (the GUI thread's copy)
        self.stop: StopInfo | None = None
        self._inflight = 0
        self._completing = False
        self._held: list[str] = []
        self._asking_customs = False  # the customs dialog is open (or about to open)

        self.scan = ScanField(self)
        self.scan.setObjectName("scanField")
        self.scan.setPlaceholderText(self.tr("Scan a posting label, an item or a command…"))
        self.scan.scanned.connect(self.on_scanned)
        self.packer_button = PackerButton(ctx, tasks, self.station, self, width=340)
        self.packer_button.clicked.disconnect()
        self.packer_button.clicked.connect(self.choose_packer)
        self.packer_button.after_picker = lambda: self.scan.setFocus(Qt.FocusReason.OtherFocusReason)
        self.packer_button.changed.connect(self._packer_changed)

        self.banner = plain_text.label(self.tr("Scan a posting label to start"), self)
        self.banner.setObjectName("scanBanner")
        self.banner.setWordWrap(True)
        self.banner.setMinimumHeight(84)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _font(self.banner, 24, bold=True)
        self.pending = plain_text.label("", self)
        self.pending.setObjectName("pendingState")
        _font(self.pending, 12)

        self.posting = plain_text.label(self.tr("No posting on the desk"), self)
        self.posting.setObjectName("postingNumber")
        _font(self.posting, 26, bold=True)
        self.meta = plain_text.label("", self)
        self.meta.setObjectName("postingMeta")
        self.meta.setWordWrap(True)  # long delivery methods and Russian text: wrap, never cut
        _font(self.meta, 14)
        self.progress = plain_text.label("", self)
        self.progress.setObjectName("packProgress")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        _font(self.progress, 40, bold=True)
        self.box = plain_text.label("", self)
        self.box.setObjectName("packBox")
        self.box.setWordWrap(True)  # a multi-box posting's line is long in Russian: wrap, never widen the page
        _font(self.box, 16, bold=True)
        self.items = ItemsTable(self)
        self.keys = plain_text.label(
            self.tr("F2 new box  ·  F8 complete anyway  ·  Esc put aside  ·  F9 print all ready labels"), self
        )
        self.keys.setObjectName("keyHints")
        self.keys.setWordWrap(True)
        _font(self.keys, 13)

        self.print_panel = PrintQueuePanel(
            ctx.db, tasks, batch_mode=not ctx.settings.auto_print, desk=self.station.printing_desk, parent=self
        )
        self.print_panel.setFixedWidth(340)
        self.print_panel.print_all_requested.connect(self.print_all)
        self.print_panel.command_sheet_requested.connect(self.print_command_sheet)
        self.overlay = StopOverlay(self)
        self.overlay.acknowledged.connect(self.acknowledge_stop)
        self._build_layout()
        self._shortcuts()
        for widget in self.findChildren(QWidget):
            if widget is not self.scan:
                widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner's keystrokes only go to the field

        bridge.postings_changed.connect(self._on_postings_changed)
        bridge.conflict_detected.connect(self._on_conflict)
        bridge.label_ready.connect(self._on_label_ready)
        bridge.outbox_changed.connect(lambda _event: self.print_panel.refresh())
        self._submit(self.station.resume)
        self.packer_button.restore()  # on the database worker after the resume, before any scan

    # -- layout ---------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.posting)
        titles.addWidget(self.meta)
        titles.addWidget(self.box)
        head.addLayout(titles, 1)
        head.addWidget(self.progress)
        main = QVBoxLayout()
        main.addWidget(self.scan)
        main.addWidget(self.banner)
        main.addWidget(self.pending)
        main.addLayout(head)
        main.addWidget(self.items, 1)
        main.addWidget(self.keys)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 12, 12, 8)
        row.addLayout(main, 1)
        row.addWidget(line)
        side = QVBoxLayout()
        side.addWidget(self.packer_button)  # above the labels: the scan field keeps its whole width
        side.addWidget(self.print_panel, 1)
        row.addLayout(side)
        self._paint_banner(Tone.INFO)

    def _shortcuts(self) -> None:
        keys: list[tuple[Qt.Key, Callable[[], None]]] = [
            (Qt.Key.Key_F2, self.new_package),
            (Qt.Key.Key_F8, self.ask_override),
            (Qt.Key.Key_Escape, self.ask_abort),
            (Qt.Key.Key_F9, self.print_all),
            (Qt.Key.Key_F4, self.choose_packer),
        ]
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.stop is not None:
            self.overlay.show_stop(self.stop, self.window())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self.scan.setFocus(Qt.FocusReason.MouseFocusReason)

    # -- talking to the station (always on the database worker) ----------------------------------

    def _submit(self, step: Callable[[], ScanOutcome], then: Callable[[ScanOutcome], None] | None = None) -> None:
        self._inflight += 1
        self._show_pending()

        def done(out: ScanOutcome) -> None:
            self._inflight -= 1
            self.show_outcome(out)
            self._follow_up(out)
            if then is not None:
                then(out)
            self._show_pending()

        def failed(exc: BaseException) -> None:
            self._inflight -= 1
            self._completing = False
            self._show_pending()
            self.sounds.bad()
            if isinstance(exc, UserError):
                self._paint_banner(Tone.BAD, "✗ " + errors.message_for(exc))  # in the UI language
                return
            self._paint_banner(Tone.BAD, self.tr("✗ Not saved — scan again; if it happens again, see the log"))
            if self.tasks.on_unhandled is not None:
                self.tasks.on_unhandled(exc)  # the window's apology with the details
            else:
                log.error("pack station step failed", exc_info=exc)

        self.tasks.run_db(step, on_done=done, on_error=failed)

    def on_scanned(self, code: str) -> None:
        if self._completing:
            self._held.append(code)  # after the completion, in order
            self._show_pending()
            return
        station = self.station
        if commands.parse(code) is Command.NEXT:
            # Through complete(), which re-checks with Ozon first. The no-op step waits for the scans
            # still on the database worker, so the view is current when deciding.
            self._submit(lambda: station.recheck("", None), then=lambda _out: self._next(code))
            return
        self._submit(lambda: station.scan(code))

    def _next(self, code: str) -> None:
        if self._completing:
            return  # the last scan already started the completion
        if self.stop is None and self.view is not None and self.view.ready:
            self.complete()
        else:  # the station says why not (nothing on the desk, units missing, a STOP)
            station = self.station
            self._submit(lambda: station.scan(code))

    def choose_packer(self) -> None:
        """F4 / "Packer: … ▾": pick who packs here. Not while a posting or a STOP is on the desk."""
        on = self.stop.posting_number if self.stop is not None else self.view.posting_number if self.view else ""
        if on or self._completing:
            busy = InvalidAction("packer_change_busy", "a posting is on the desk", posting=on)
            self.sounds.bad()
            self._paint_banner(Tone.BAD, "✗ " + errors.message_for(busy))
            return
        self.packer_button.open_picker()

    def _packer_changed(self, name: str) -> None:
        self._paint_banner(Tone.INFO, self.tr("{name} packs at this desk now").format(name=name))

    def new_package(self) -> None:
        if not self._completing:
            self._submit(self.station.new_package)

    def acknowledge_stop(self) -> None:
        self._submit(self.station.acknowledge_stop)

    def print_all(self) -> None:
        """F9: the failed jobs go back in the queue (the printer may be back), then everything prints;
        the banner says how many, or that nothing is ready (and what still waits for Ozon)."""
        db = self.ctx.db

        def counted(counts: tuple[int, int]) -> None:
            ready, waiting = counts
            if ready:
                text = self.tr("Printing %n ready label(s) in packing order", "", ready)
            elif waiting:
                text = self.tr("Nothing ready to print: %n label(s) still wait for Ozon", "", waiting)
            else:
                text = self.tr("Nothing ready to print")
            self._paint_banner(Tone.INFO, text)

        def then() -> None:
            desk = self.station.printing_desk
            self.tasks.run_db(lambda: packing_reads.ready_and_waiting(db, desk), on_done=counted)

        self._retry_failed_then_print(then)

    def _retry_failed_then_print(self, after: Callable[[], None] | None = None) -> None:
        def then(_result: object = None) -> None:
            if after is not None:
                after()  # queued on the database worker before the spooler can take the jobs
            if self.printer is not None:
                self.printer.print_all()
            self.print_panel.refresh()

        def failed(exc: BaseException) -> None:
            log.warning("failed print jobs not put back in the queue: %s", exc)
            then()

        self.tasks.run_db(self.station.retry_failed_prints, on_done=then, on_error=failed)

    def print_command_sheet(self) -> None:
        """Queue the sheet of scanner commands (NEXT, REPRINT, …) for the label printer."""

        def queued(_result: object) -> None:
            self._paint_banner(Tone.INFO, self.tr("The command barcodes are queued for the label printer"))
            self.print_panel.refresh()
            if self.printer is not None:
                self.printer.print_all()

        self.tasks.run_db(self.station.queue_command_sheet, on_done=queued)

    def ask_abort(self) -> None:
        if self.stop is not None or self.view is None or self._completing:
            return  # the STOP needs its own acknowledgement; nothing else to put aside
        station = self.station
        confirm_abort(self, self.view.posting_number, lambda: self._submit(lambda: station.abort("put aside")))

    def ask_override(self) -> None:
        if self.stop is not None or self.view is None or self._completing:
            return
        dialog = OverrideDialog(self.view.remaining, self, known=self._known_code)
        dialog.setObjectName("overrideDialog")
        dialog.reason_given.connect(self.complete)
        dialog.finished.connect(lambda _result: self.scan.setFocus(Qt.FocusReason.OtherFocusReason))
        dialog.open()

    def ask_customs(self, sku: int, name: str) -> None:
        """The customs declaration number of `sku` (the last one used for it offered first)."""
        if self._asking_customs:
            return  # one at a time (the suggestion is looked up first: the dialog opens later)
        self._asking_customs = True
        station = self.station

        def done(_result: int) -> None:
            self._asking_customs = False
            self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

        def open_dialog(suggested: tuple[str, bool] | None) -> None:
            dialog = CustomsDialog(name, suggested, self)
            dialog.setObjectName("customsDialog")
            dialog.given.connect(lambda value: self._submit(lambda: station.set_customs(sku, value)))
            dialog.finished.connect(done)
            dialog.open()

        self.tasks.run_db(
            lambda: station.suggested_customs(sku), on_done=open_dialog, on_error=lambda _exc: open_dialog(None)
        )

    def _customs_still_missing(self, view: PackView) -> None:
        """A unit is on the desk whose customs number was not given (the dialog was cancelled, or the
        desk restarted): ask again, as Ozon refuses the ship without it."""
        line = next((line for line in view.customs_missing if line.scanned), None)
        if line is not None:
            self.ask_customs(line.sku, line.name)

    def _known_code(self, code: str, answer: Callable[[bool], None]) -> None:
        """Is `code` a product barcode or a posting label (a scan typed into a text box)? Asked on the
        database worker; `answer` runs on the GUI thread."""
        db = self.ctx.db

        self.tasks.run_db(
            lambda: packing_reads.is_known_code(db, code), on_done=answer, on_error=lambda _exc: answer(False)
        )

    def complete(self, reason: str = "") -> None:
        """Re-check with Ozon (bounded wait), then complete; scans meanwhile are held."""
        if self.view is None or self._completing:
            return
        self._completing = True
        number = self.view.posting_number
        station = self.station
        check = self.ports.check
        decided = False

        def go(fresh: Posting | None) -> None:
            nonlocal decided
            if decided:
                if fresh is not None:  # a late answer: a cancellation still stops the desk
                    self._submit(lambda: station.recheck(number, fresh))
                return
            decided = True
            if reason:
                self._submit(lambda: station.complete_with_override(reason, fresh), then=self._completed)
            else:
                self._submit(lambda: station.complete(fresh), then=self._completed)

        if check is None:
            go(None)
            return
        self._show_pending()
        self.tasks.run_io(lambda: check(number), on_done=go, on_error=lambda _exc: go(None))
        QTimer.singleShot(CHECK_DEADLINE_MS, self, lambda: go(None))

    def _completed(self, _out: ScanOutcome) -> None:
        self._completing = False
        held, self._held = self._held, []
        for code in held:
            self.on_scanned(code)

    def _recheck(self, number: str) -> None:
        check = self.ports.check
        if check is None:
            return
        station = self.station
        self.tasks.run_io(
            lambda: check(number),
            on_done=lambda fresh: self._submit(lambda: station.recheck(number, fresh)),
            on_error=lambda exc: log.info("status re-check failed: %s", exc),
        )

    def _lookup(self, code: str) -> None:
        lookup = self.ports.lookup
        if lookup is None:
            return
        station = self.station

        def found(posting: Posting | None) -> None:
            if posting is not None:
                self._submit(lambda: station.open_fetched(posting, code))

        self.tasks.run_io(lambda: lookup(code), on_done=found, on_error=lambda exc: log.info("look-up: %s", exc))

    def _follow_up(self, out: ScanOutcome) -> None:
        k = out.kind
        if k is Kind.POSTING_OPENED:
            self._recheck(out.posting_number)
        elif k is Kind.RESUMED and out.view is not None:  # back after a restart: Ozon may have cancelled
            if out.view.ready:
                self.complete()  # the completion never ran; it re-checks first
            else:
                self._recheck(out.view.posting_number)
                self._customs_still_missing(out.view)
        elif k is Kind.POSTING_NOT_FOUND:
            self._lookup(out.code)
        elif k is Kind.CLAIM_STALE:
            desk, packer = claims.split_detail(out.detail)
            number, station = out.posting_number, self.station
            confirm_take_over(self, number, desk, packer, lambda: self._submit(lambda: station.take_over(number)))
        elif k in (Kind.ITEM_OK, Kind.MARK_OK, Kind.CUSTOMS_SET) and out.view is not None:
            if out.prompt is Prompt.CUSTOMS:
                self.ask_customs(out.sku, out.name)
            elif out.view.ready:
                self.complete()
            elif out.view.complete:  # all scanned, a customs number still missing (its dialog was cancelled)
                self._customs_still_missing(out.view)
        elif k is Kind.CUSTOMS_MISSING:
            self.ask_customs(out.sku, out.name)
        elif k in (Kind.ALREADY_OPEN, Kind.EXTRA_UNIT, Kind.SAME_UNIT, Kind.MARKS_MISSING) and out.view is not None:
            self._customs_still_missing(out.view)
        elif k in (Kind.COMPLETED, Kind.REPRINT_QUEUED):
            if self.printer is not None:
                self.printer.kick()
            if self.sync is not None:
                self.sync.sync_now()  # the ship (and the label fetch) go out now, not at the next tick
            self.print_panel.refresh()
        elif k is Kind.SHIP_ALL:
            if self.sync is not None:
                self.sync.sync_now()
            self._retry_failed_then_print()
        elif k is Kind.STOP:
            self.print_panel.refresh()

    # -- events from sync -------------------------------------------------------------------------

    def _on_postings_changed(self, event: events.PostingsChanged) -> None:
        if event.cancelled:
            numbers = sorted(event.cancelled)
            station = self.station
            self._submit(lambda: station.check_cached(numbers))

    def _on_label_ready(self, _event: events.LabelReady) -> None:
        if self.printer is not None:
            self.printer.kick()  # its job just went from waiting to queued
        self.print_panel.refresh()

    def _on_conflict(self, event: events.ConflictDetected) -> None:
        if event.action == "ship":
            number = event.target_id
            station = self.station
            self._submit(lambda: station.check_cached([number]))

    # -- rendering --------------------------------------------------------------------------------

    def show_outcome(self, out: ScanOutcome) -> None:
        text = self.messages.text(out)
        if text is not None:
            self._paint_banner(out.tone, text)
        if out.kind in (Kind.CHECKED, Kind.IGNORED) and out.view == self.view and out.stop == self.stop:
            return
        shown = out.view or out.packed
        self.view = out.view
        # A refused scan names a SKU that did not count: it is not highlighted as the last one.
        last_sku = 0 if out.tone is Tone.BAD else out.sku
        self._show_view(shown, packed=out.view is None and out.packed is not None, last_sku=last_sku)
        self._show_stop(out.stop)
        if out.tone is Tone.GOOD:
            self.sounds.good()
        elif out.tone is Tone.BAD:
            self.sounds.bad()

    def _show_view(self, view: PackView | None, packed: bool, last_sku: int) -> None:
        if view is None:
            self.posting.setText(self.tr("No posting on the desk"))
            self.meta.setText("")
            self.meta.setStyleSheet("")
            self.meta.setProperty("overdue", False)
            self.progress.setText("")
            self.box.setText("")
            self.items.show_lines(())
            return
        if packed:
            self.posting.setText(self.tr("✓ Packed {number}").format(number=view.posting_number))
        else:
            self.posting.setText(view.posting_number)
        scheme = self.tr("rFBS") if view.is_rfbs else self.tr("FBS")
        parts = [scheme, plain_text.clipped(view.delivery_method, 120)]  # remote text: never widens the page
        overdue = not packed and view.shipment_date is not None and view.shipment_date < self.ctx.clock.now()
        if view.shipment_date is not None:
            when = view.shipment_date.astimezone().strftime("%d.%m %H:%M")
            if overdue:
                parts.append(self.tr("⚠ OVERDUE: was to ship by {when}").format(when=when))
            else:
                parts.append(self.tr("ship by {when}").format(when=when))
        self.meta.setText("  ·  ".join(p for p in parts if p))
        self.meta.setStyleSheet(f"color: {OVERDUE}; font-weight: bold;" if overdue else "")
        self.meta.setProperty("overdue", overdue)
        self.box.setStyleSheet("")
        self.progress.setText(f"{view.scanned} / {view.needed}")
        skipped = view.remaining if packed else 0  # completed with F8: what was not scanned shows
        self.progress.setStyleSheet("color: #2e7d32;" if view.ready else f"color: {SKIPPED};" if skipped else "")
        if packed and skipped:
            self.box.setText(
                self.tr("%n box(es)", "", view.box_count)
                + "  ·  "
                + self.tr("%n unit(s) not scanned (F8)", "", skipped)
            )
            self.box.setStyleSheet(f"color: {SKIPPED};")
        elif packed:
            self.box.setText(self.tr("%n box(es)", "", view.box_count))
        elif view.is_multibox and view.package_count == 1 and view.ozon_boxes > 1:
            self.box.setText(
                self.tr("One shipment in {boxes} boxes, as Ozon counts them (F2 to count them yourself)").format(
                    boxes=view.ozon_boxes
                )
            )
        elif view.is_multibox:
            self.box.setText(
                self.tr("One shipment in several boxes: box {box} (F2 next box)").format(box=view.package_count)
            )
        elif view.package_count > 1:
            self.box.setText(self.tr("Filling box {box}").format(box=view.package_count))
        else:
            self.box.setText("")
        self.items.show_lines(view.lines, last_sku)

    def _show_stop(self, stop: StopInfo | None) -> None:
        fresh = stop is not None and (self.stop is None or self.stop.posting_number != stop.posting_number)
        self.stop = stop
        if stop is None:
            self.overlay.hide()
            self.scan.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if fresh:
            self.stop_raised.emit()  # the seller may be on another page: the scanner must reach this one
        self.overlay.show_stop(stop, self.window())
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)
        if fresh:
            self.sounds.stop()

    def _paint_banner(self, tone: Tone, text: str | None = None) -> None:
        background, colour = _BANNER[tone]
        self.banner.setStyleSheet(f"QLabel {{ background: {background}; color: {colour}; padding: 10px; }}")
        self.banner.setProperty("tone", tone.value)
        if text is not None:
            self.banner.setText(text)

    def _show_pending(self) -> None:
        if self._completing:
            text = self.tr("Checking the posting with Ozon before shipping…")
        elif self._inflight:
            text = self.tr("Saving…")
        else:
            text = ""
        if self._held:
            text += " " + self.tr("(%n scan(s) waiting)", "", len(self._held))
        self.pending.setText(text.strip())
        if self._completing:
            background, colour = _PENDING_BANNER
            self.pending.setStyleSheet(f"QLabel {{ background: {background}; color: {colour}; }}")
        else:
            self.pending.setStyleSheet("")

    def banner_tone(self) -> str:
        return str(self.banner.property("tone"))

    @property
    def labels(self) -> dict[str, QLabel]:
        """The page's main labels by object name (for tests and screenshots)."""
        return {w.objectName(): w for w in (self.banner, self.posting, self.meta, self.progress, self.box)}
