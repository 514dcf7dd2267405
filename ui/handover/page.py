"""The handover screen: packed postings grouped by delivery method.

FBS: create Ozon's carriage and act for the method (the act prints once Ozon has made it), or print
Packdesk's own act. rFBS: scan or type a tracking number for the selected posting, then mark the
selected postings delivering → last mile → delivered (the workflow refuses steps out of order and
says which comes first). A parcel's label scanned here (its posting number, `scanit` or Ozon's label
barcodes, the pack station's lookup) selects its posting; scanned into the tracking field it is never
saved as a tracking number. Everything is queued locally and works offline; reads and writes run on
the database worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import desks
from app.context import AppContext
from app.errors import UserError
from app.queries import handover as handover_reads
from app.workflows import delivery, handover
from app.workflows.handover import HandoverGroup
from ui import desk_user, errors, plain_text
from ui.bridge import EventBridge
from ui.handover.model import HandoverModel
from ui.packing.ports import PrintControl
from ui.sync_control import SyncControl
from ui.tasks import TaskManager
from ui.widgets.scan_field import ScanField

log = logging.getLogger(__name__)
_OK_STYLE = "QLabel { color: #1b5e20; font-weight: bold; }"
_ERROR_STYLE = "QLabel { color: #b71c1c; font-weight: bold; }"


class HandoverPage(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        bridge: EventBridge,
        parent: QWidget | None = None,
        *,
        sync: SyncControl | None = None,
        printer: PrintControl | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handoverPage")
        self.ctx = ctx
        self.tasks = tasks
        self.sync = sync
        self.printer = printer
        self._user = user  # None: the packer picked at this desk (ui/desk_user.py)
        self.groups: list[HandoverGroup] = []
        self._reading = False
        self._again = False
        self._advance_from = ""  # a tracking number was saved for it: select the next one without
        self._replace: tuple[str, str] | None = None  # (posting, tracking) the seller was warned about

        self.methods = QListWidget(self)
        self.methods.setObjectName("deliveryMethods")
        self.methods.setMinimumWidth(200)  # names wrap; the table needs the width for its cities
        self.methods.setMaximumWidth(200)
        self.methods.currentRowChanged.connect(self._group_changed)
        list_font = QFont(self.methods.font())
        list_font.setPointSizeF(12)
        self.methods.setFont(list_font)
        # Delivery method names are long ("Ozon Логистика курьеру Ozon, Люблино"): wrap, never cut.
        self.methods.setWordWrap(True)
        self.methods.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.methods.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.methods.setSpacing(2)
        self.title = plain_text.label("", self)
        self.title.setObjectName("groupTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(16)
        font.setBold(True)
        self.title.setFont(font)
        self.model = HandoverModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("handoverPostings")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HandoverModel.CITY, QHeaderView.ResizeMode.Stretch)  # gives way first
        self.view.setFont(list_font)
        self.view.clicked.connect(self._row_clicked)

        self.parcel_scan = ScanField(self, sticky=False, point_size=12)
        self.parcel_scan.setObjectName("findParcel")
        self.parcel_scan.setPlaceholderText(self.tr("Scan a parcel's label to find its posting"))
        self.parcel_scan.scanned.connect(self.find_parcel)
        self.carriage = self._button("createCarriage", self.tr("Create carriage and act (Ozon)"), self.create_carriage)
        self.own_act = self._button("ownAct", self.tr("Print our own act"), self.print_own_act)
        self.tracking = ScanField(self, sticky=False, point_size=14)
        self.tracking.setObjectName("trackingField")
        self.tracking.setPlaceholderText(self.tr("Scan or type the tracking number of the selected posting"))
        self.tracking.scanned.connect(self.set_tracking)
        self.delivering = self._button("markDelivering", self.tr("Delivering"), lambda: self.step("delivering"))
        self.last_mile = self._button("markLastMile", self.tr("Last mile"), lambda: self.step("last_mile"))
        self.delivered = self._button("markDelivered", self.tr("Delivered"), lambda: self.step("delivered"))
        self.message = plain_text.label("", self)
        self.message.setObjectName("handoverMessage")
        self.message.setWordWrap(True)

        fbs_row = QHBoxLayout()
        fbs_row.addWidget(self.carriage)
        fbs_row.addWidget(self.own_act)
        fbs_row.addStretch(1)
        rfbs_row = QHBoxLayout()
        rfbs_row.addWidget(self.tracking, 1)
        for button in (self.delivering, self.last_mile, self.delivered):
            rfbs_row.addWidget(button)
        right = QVBoxLayout()
        right.addWidget(self.parcel_scan)
        right.addWidget(self.title)
        right.addLayout(fbs_row)
        right.addLayout(rfbs_row)
        right.addWidget(self.message)
        right.addWidget(self.view, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 8, 8, 0)
        row.addWidget(self.methods)
        row.addLayout(right, 1)
        self._enable(None)

        bridge.postings_changed.connect(self._on_postings_changed)
        bridge.outbox_changed.connect(lambda _event: self.refresh())
        self.refresh()

    def _on_postings_changed(self, _event: object) -> None:
        if self.printer is not None:
            self.printer.kick()  # a carriage's act may have arrived (its job is queued now)
        self.refresh()

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- reading --------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._reading:
            self._again = True  # one read at a time; read once more when it is done
            return
        self._reading = True
        db = self.ctx.db
        self.tasks.run_db(lambda: handover_reads.awaiting(db), on_done=self._show_groups, on_error=self._read_failed)

    def _read_failed(self, exc: BaseException) -> None:
        self._reading = False
        log.error("handover list could not be read", exc_info=exc)

    def _show_groups(self, groups: list[HandoverGroup]) -> None:
        self._reading = False
        current = self.current_group()
        keep = (current.delivery_method_id, current.is_rfbs) if current else None
        chosen = self.selected_numbers()
        advance_from, self._advance_from = self._advance_from, ""
        self.groups = groups
        self.methods.blockSignals(True)
        self.methods.clear()
        row_to_select = 0
        for i, group in enumerate(groups):
            kind = self.tr("rFBS") if group.is_rfbs else self.tr("FBS")
            if group.is_rfbs:
                count = self.tr("%n posting(s)", "", len(group.postings))
            else:
                count = self.tr("%n ready", "", len(group.ready))
            item = QListWidgetItem(f"{group.delivery_method}\n{kind} · {count}")  # remote text, painted plain
            item.setToolTip(plain_text.tooltip(group.delivery_method))
            self.methods.addItem(item)
            if keep == (group.delivery_method_id, group.is_rfbs):
                row_to_select = i
        if groups:
            self.methods.setCurrentRow(row_to_select)
        self.methods.blockSignals(False)  # a refresh is not the packer choosing another group
        if advance_from:
            chosen = self._next_without_tracking(advance_from)
        self._group_chosen(self.methods.currentRow(), chosen)
        if self._again:
            self._again = False
            self.refresh()

    def _next_without_tracking(self, after: str) -> list[str]:
        """The posting after `after` (then from the top) that still needs its tracking number."""
        group = self.current_group()
        if group is None or not group.is_rfbs:
            return []
        numbers = [p.posting_number for p in group.postings]
        start = numbers.index(after) + 1 if after in numbers else 0
        ordered = [*group.postings[start:], *group.postings[:start]]
        return next(([p.posting_number] for p in ordered if not p.tracking_number and p.posting_number != after), [])

    def _row_clicked(self, _index: object) -> None:
        if self.tracking.isVisible():
            self.tracking.setFocus(Qt.FocusReason.OtherFocusReason)  # the scanner types into the field

    @property
    def user(self) -> str:
        """Who hands over here: the packer picked at this desk, else the login name."""
        return desk_user.current_user(self.ctx.paths.data) if self._user is None else self._user

    def current_group(self) -> HandoverGroup | None:
        row = self.methods.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def _group_changed(self, row: int) -> None:
        self.message.setText("")  # what was said about the other group does not apply here
        self._group_chosen(row)

    def _group_chosen(self, _row: int, keep: Sequence[str] = ()) -> None:
        group = self.current_group()
        self.model.set_rows(group.postings if group else ())
        if group is None:
            self.title.setText(self.tr("Nothing is waiting for handover"))
        else:
            self.title.setText(group.delivery_method)
        selection = self.view.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for number in keep:
            row = self.model.row_of(number)
            if row is not None:
                selection.select(self.model.index(row, 0), flags)
        self._enable(group)

    def _enable(self, group: HandoverGroup | None) -> None:
        fbs = group is not None and not group.is_rfbs
        rfbs = group is not None and group.is_rfbs
        self.carriage.setVisible(fbs)
        self.carriage.setEnabled(fbs and bool(group and group.ready))
        self.own_act.setEnabled(group is not None and bool(group.postings))
        for widget in (self.tracking, self.delivering, self.last_mile, self.delivered):
            widget.setVisible(rfbs)

    def selected_numbers(self) -> list[str]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.posting(r).posting_number for r in rows if r < self.model.rowCount()]

    # -- actions (queued locally; the sync sends them) -------------------------------------------

    def _run(self, work: Callable[[], None], success: str, kick_printer: bool = False, advance_from: str = "") -> None:
        """`work` runs on the database worker; `success` (built here, on the GUI thread) is shown after.
        `advance_from`: then select the next posting without a tracking number."""

        def done(_none: None) -> None:
            self._say(success)
            self._advance_from = advance_from
            if kick_printer and self.printer is not None:
                self.printer.kick()
            if self.sync is not None:
                self.sync.sync_now()
            self.refresh()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                refused = exc.params.get("refused") if exc.code == "delivery_steps_refused" else None
                parts = refused if isinstance(refused, list) else [exc]
                self._say("\n".join(errors.message_for(e) for e in parts), error=True)  # in the UI language
                self.refresh()
            elif self.tasks.on_unhandled is not None:
                self.tasks.on_unhandled(exc)  # a bug: the window shows and logs it
            else:
                log.error("handover action failed", exc_info=exc)

        self.tasks.run_db(work, on_done=done, on_error=failed)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_ERROR_STYLE if error else _OK_STYLE)

    def create_carriage(self) -> None:
        group = self.current_group()
        if group is None or group.is_rfbs:
            return
        ctx, method, user = self.ctx, group.delivery_method_id, self.user
        count = len(group.ready)

        def work() -> None:
            handover.create_carriage(
                ctx.db,
                ctx.clock,
                method,
                user,
                bus=ctx.bus,
                trusted_acceptance=ctx.settings.trusted_acceptance,
                desk=desks.desk_name(ctx.settings),
            )

        self._run(work, self.tr("Carriage for %n posting(s) queued; its act prints when Ozon has made it", "", count))

    def print_own_act(self) -> None:
        group = self.current_group()
        if group is None:
            return
        numbers = self.selected_numbers() or [p.posting_number for p in group.postings]
        ctx, user = self.ctx, self.user

        def work() -> None:
            handover.own_act(ctx.db, ctx.clock, numbers, user, bus=ctx.bus, desk=desks.desk_name(ctx.settings))

        self._run(work, self.tr("Our own act for %n posting(s) sent to the printer", "", len(numbers)), True)

    def find_parcel(self, code: str) -> None:
        """A parcel's label scanned: select its posting (in its delivery method's group)."""

        def then(found: list[str]) -> None:
            self._show_parcel(code, found)

        self._look_up(code, then)

    def _look_up(self, code: str, then: Callable[[list[str]], None]) -> None:
        db = self.ctx.db
        self.tasks.run_db(lambda: handover_reads.numbers_for_code(db, code), on_done=then)

    def _show_parcel(self, code: str, found: list[str]) -> bool:
        """Select the posting a label identifies; says why not and returns False when it cannot."""
        if not found:
            self._say(self.tr("No posting has the code {code}").format(code=code), error=True)
            return False
        number = found[0]
        at = next((i for i, g in enumerate(self.groups) if any(p.posting_number == number for p in g.postings)), None)
        if at is None:
            self._say(self.tr("Posting {number} is not waiting for handover").format(number=number), error=True)
            return False
        if at != self.methods.currentRow():
            self.methods.setCurrentRow(at)
        self._group_chosen(at, [number])
        row = self.model.row_of(number)
        if row is not None:
            self.view.scrollTo(self.model.index(row, 0))
        self._say(self.tr("Posting {number} found").format(number=number))
        return True

    def set_tracking(self, code: str) -> None:
        """A code scanned into the tracking field: a parcel's label selects its posting (it is not a
        tracking number); anything else is the tracking number of the selected posting."""

        def then(found: list[str]) -> None:
            if found:
                if self._show_parcel(code, found):
                    self._say(
                        self.tr("That was the label of posting {number}: now scan its tracking number").format(
                            number=found[0]
                        )
                    )
            else:
                self._save_tracking(code)

        self._look_up(code, then)

    def _save_tracking(self, code: str) -> None:
        code = delivery.normalise_tracking(code)  # compared and shown as it will be stored
        numbers = self.selected_numbers()
        if len(numbers) != 1:
            self._say(self.tr("Select exactly one posting, then scan its tracking number"), error=True)
            return
        (number,) = numbers
        row = self.model.row_of(number)
        current = self.model.posting(row).tracking_number if row is not None else ""
        if current and current != code and self._replace != (number, code):
            self._replace = (number, code)  # the same code once more replaces it
            self._say(
                self.tr(
                    "Posting {number} already has the tracking number {current}. Scan {tracking} again to replace it, "
                    "or select another posting."
                ).format(number=number, current=current, tracking=code),
                error=True,
            )
            return
        self._replace = None
        ctx, user = self.ctx, self.user

        def work() -> None:
            delivery.set_tracking(ctx.db, ctx.clock, number, code, user, bus=ctx.bus)

        saved = self.tr("Tracking number {tracking} saved for {number}").format(tracking=code, number=number)
        self._run(work, saved, advance_from=number)

    def step(self, which: str) -> None:
        numbers = self.selected_numbers()
        if not numbers:
            self._say(self.tr("Select the postings first"), error=True)
            return
        steps = {
            "delivering": delivery.mark_delivering,
            "last_mile": delivery.mark_last_mile,
            "delivered": delivery.mark_delivered,
        }
        mark = steps[which]
        ctx, user = self.ctx, self.user

        def work() -> None:
            # One transaction per posting: a refusal names its posting and leaves the others done.
            refused: list[UserError] = []
            for number in numbers:
                try:
                    mark(ctx.db, ctx.clock, number, user, bus=ctx.bus)
                except UserError as exc:
                    refused.append(exc)
            if refused:
                raise UserError("delivery_steps_refused", "\n".join(map(str, refused)), refused=refused)

        self._run(work, self.tr("%n posting(s) updated", "", len(numbers)))
