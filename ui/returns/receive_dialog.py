"""Receiving a return at the desk: scan the parcel's barcode (or the posting or return number), see
what is expected in it, grade it, note it, add photos from disk, restock or write off, scan the
units' marking codes — a code that differs from every one shipped in that posting is flagged loudly
(red, the alarm of the pack station) — and confirm: `app.returns.receiving.receive`.

Signals:
    received(object Received): the parcel was recorded (the page reloads).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import desks
from app.context import AppContext
from app.returns import receiving
from app.returns.receiving import Disposition, Expected, Grade, Inspection, MarkCheck, Received
from ui import errors, plain_text
from ui.returns import texts
from ui.sounds import SoundPlayer
from ui.tasks import TaskManager
from ui.widgets.scan_field import ScanField

RED = QColor("#c62828")
GREEN = QColor("#1a7f37")
ALARM = "background: #fde0e0; color: #c62828; font-weight: bold; padding: 6px; border: 2px solid #c62828;"
OK = "color: #1a7f37; font-weight: bold;"


class ReceiveDialog(QDialog):
    received = Signal(object)

    def __init__(
        self, ctx: AppContext, tasks: TaskManager, sounds: SoundPlayer, user: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receiveDialog")
        self.setWindowTitle(self.tr("Receive a return"))
        self.resize(760, 640)
        self.ctx = ctx
        self.tasks = tasks
        self.sounds = sounds
        self.user = user
        self.expected: Expected | None = None
        self.photos: list[str] = []
        self.marks: list[str] = []
        self._request = 0

        self.parcel = ScanField(self, sticky=False, point_size=16)
        self.parcel.setObjectName("receiveParcel")
        self.parcel.setPlaceholderText(self.tr("Scan the parcel barcode or type the posting number, then Enter"))
        self.found = plain_text.label("", self)
        self.found.setObjectName("receiveFound")
        self.found.setWordWrap(True)
        self.items = QListWidget(self)
        self.items.setObjectName("receiveItems")
        self.items.setMaximumHeight(self.fontMetrics().height() * 6)
        self.grade = QComboBox(self)
        self.grade.setObjectName("receiveGrade")
        for graded in Grade:
            self.grade.addItem(texts.grade(graded), graded.value)
        self.disposition = QComboBox(self)
        self.disposition.setObjectName("receiveDisposition")
        for then in Disposition:
            self.disposition.addItem(texts.disposition(then), then.value)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("receiveNote")
        self.note_edit.setPlaceholderText(self.tr("What you see: scratches, missing parts…"))
        self.photo_label = plain_text.label(self.tr("No photos"), self)
        self.photo_button = QPushButton(self.tr("Add photos…"), self)
        self.photo_button.setObjectName("receivePhotos")
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_label, 1)
        photo_row.addWidget(self.photo_button)
        self.mark_field = ScanField(self, sticky=False, point_size=12)
        self.mark_field.setObjectName("receiveMark")
        self.mark_field.setPlaceholderText(self.tr("Scan each unit's marking code (Честный ЗНАК), if it has one"))
        self.mark_list = QListWidget(self)
        self.mark_list.setObjectName("receiveMarks")
        self.mark_list.setMaximumHeight(self.fontMetrics().height() * 5)
        self.alarm = plain_text.label("", self)
        self.alarm.setObjectName("receiveAlarm")
        self.alarm.setWordWrap(True)
        self.alarm.setStyleSheet(ALARM)
        self.alarm.hide()
        self.outcome = plain_text.label("", self)
        self.outcome.setObjectName("receiveResult")
        self.outcome.setWordWrap(True)
        self.confirm = QPushButton(self.tr("Confirm receipt"), self)
        self.confirm.setObjectName("receiveConfirm")
        self.confirm.setEnabled(False)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Condition:"), self.grade)
        form.addRow(self.tr("Then:"), self.disposition)
        form.addRow(self.tr("Note:"), self.note_edit)
        form.addRow(self.tr("Photos:"), photo_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.outcome, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.parcel)
        layout.addWidget(self.found)
        layout.addWidget(self.items)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Marking codes of the returned units:"), self))
        layout.addWidget(self.mark_field)
        layout.addWidget(self.mark_list)
        layout.addWidget(self.alarm)
        layout.addStretch(1)
        layout.addLayout(buttons)

        # The scanner ends every code with Enter: it must never press a button of the dialog.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.parcel.scanned.connect(self.scan_parcel)
        self.mark_field.scanned.connect(self.scan_mark)
        self.photo_button.clicked.connect(lambda: self.add_photos())
        self.confirm.clicked.connect(self.receive)
        self.parcel.setFocus()

    # -- the parcel -------------------------------------------------------------------------------

    def scan_parcel(self, code: str) -> None:
        self._request += 1
        request, db = self._request, self.ctx.db
        self.tasks.run_db(lambda: receiving.read_expected(db, code), on_done=lambda found: self._found(request, found))

    def _found(self, request: int, found: Expected) -> None:
        if request != self._request:
            return
        at_hand = self.expected is not None and bool(self.expected.receivable)
        if not found.returns and at_hand:
            # A wrong scan (a marking code into the parcel field, another label): the parcel at hand,
            # its scanned units and what was typed stay; only the alarm says so.
            self.alarm.setText(self.tr("No return is expected under {code}.").format(code=found.code))
            self.alarm.show()
            self.sounds.bad()
            return
        self.items.clear()
        self.marks = []
        self.mark_list.clear()
        self.alarm.hide()
        self.outcome.setText("")
        if not found.returns:
            self.expected = None
            self.found.setText(self.tr("No return is expected under {code}.").format(code=found.code))
            self.found.setStyleSheet(ALARM)
            self.confirm.setEnabled(False)
            self.sounds.bad()
            return
        self.expected = found
        todo = found.receivable
        self.found.setStyleSheet(OK if todo else ALARM)
        # Nothing to receive: the first return's refusal says why (received on …, not sent back …).
        first = next(iter(found.refusals.values()), None)
        self.found.setText(self.tr("Expected in this parcel:") if todo or first is None else errors.message_for(first))
        for r in found.returns:
            text = f"{r.product_name} · {r.offer_id} · ×{r.quantity} — {r.posting_number} ({texts.kind(r.kind)})"
            refused = found.refusals.get(r.id)
            if refused is not None:
                text += " — " + (
                    self.tr("received") if refused.code == "return_already_received" else self.tr("not sent back")
                )
            self.items.addItem(QListWidgetItem(plain_text.clipped(text, 300, 60)))
        self.confirm.setEnabled(bool(todo))
        if todo:
            self.sounds.good()
            self.mark_field.setFocus()
        else:
            self.sounds.bad()

    # -- marking codes ----------------------------------------------------------------------------

    def scan_mark(self, code: str) -> None:
        if self.expected is None:
            self.alarm.setText(self.tr("Scan the parcel first."))
            self.alarm.show()
            self.sounds.bad()
            return
        checks = receiving.check_marks(
            [*self.marks, code], self.expected.shipped_marks, self.ctx.settings.gs_substitute
        )
        if checks[-1].repeated:  # the same unit again: one unit is not two, and nothing is added
            self.alarm.setText(self.tr("This unit was scanned already: scan the next unit."))
            self.alarm.show()
            self.sounds.bad()
            return
        self.marks.append(code)
        self._show_check(checks[-1])

    def _show_check(self, check: MarkCheck) -> None:
        shown = check.ident or check.scanned
        item = QListWidgetItem()
        if check.problem:
            reason = (
                self.tr("not a marking code")
                if not check.ident
                else self.tr("DIFFERS from the codes shipped in this posting")
            )
            item.setText(plain_text.clipped(f"✗ {shown} — {reason}", 200, 40))
            item.setForeground(RED)
            self.alarm.setText(
                self.tr("This unit's marking code differs from the one shipped: the wrong item may have come back.")
            )
            self.alarm.show()
            self.sounds.bad()
        else:
            item.setText(plain_text.clipped(f"✓ {shown}", 200, 40))
            item.setForeground(GREEN)
            self.sounds.good()
        self.mark_list.addItem(item)

    # -- photos and confirm -------------------------------------------------------------------------

    def add_photos(self, paths: list[str] | None = None) -> None:
        if paths is None:
            paths, _filter = QFileDialog.getOpenFileNames(
                self, self.tr("Photos of the return"), "", self.tr("Images (*.png *.jpg *.jpeg *.webp)")
            )
        new = [p for p in dict.fromkeys(paths) if p not in self.photos]
        if new:  # read and decoded off the GUI thread: a 10 MB photo takes a moment
            self.tasks.run_io(lambda: receiving.photo_refusals(new), on_done=lambda no: self._add_checked(new, no))

    def _add_checked(self, paths: list[str], refused: dict[str, str]) -> None:
        self.photos += [p for p in paths if p not in refused and p not in self.photos]
        self.photo_label.setText(self.tr("%n photo(s)", "", len(self.photos)) if self.photos else self.tr("No photos"))
        self.photo_label.setToolTip(plain_text.tooltip("\n".join(Path(p).name for p in self.photos)))
        if refused:
            names = ", ".join(Path(p).name for p in refused)
            self.outcome.setText(
                self.tr("Not added, not a PNG, JPEG or WEBP photo of at most 10 MB: {names}").format(names=names)
            )
            self.outcome.setStyleSheet("color: #c62828; font-weight: bold;")
            self.sounds.bad()

    def inspection(self) -> Inspection:
        return Inspection(
            Grade(self.grade.currentData()),
            Disposition(self.disposition.currentData()),
            self.note_edit.text(),
            tuple(self.photos),
            tuple(self.marks),
        )

    def receive(self) -> None:
        if self.expected is None:
            return
        ctx, code, inspection, user = self.ctx, self.expected.code, self.inspection(), self.user
        desk = desks.desk_name(ctx.settings)
        self.confirm.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.confirm.setEnabled(True)
            self.outcome.setText(errors.message_for(exc))
            self.outcome.setStyleSheet("color: #c62828; font-weight: bold;")
            self.sounds.bad()

        self.tasks.run_db(
            lambda: receiving.receive(
                ctx.db,
                ctx.clock,
                code,
                inspection,
                user,
                bus=ctx.bus,
                gs_substitute=ctx.settings.gs_substitute,
                desk=desk,
            ),
            on_done=self._done,
            on_error=failed,
        )

    def _done(self, done: Received) -> None:
        if done.flagged:
            self.outcome.setText(
                self.tr("Received, FLAGGED: a marking code differs from the shipped one. Keep the item aside.")
            )
            self.outcome.setStyleSheet("color: #c62828; font-weight: bold;")
            self.sounds.bad()
        else:
            self.outcome.setText(self.tr("Received. Scan the next parcel."))
            self.outcome.setStyleSheet(OK)
            self.sounds.good()
        self.expected = None
        self.marks = []
        self.items.clear()
        self.found.setText("")
        self.photos = []
        self.add_photos([])
        self.note_edit.clear()
        self.received.emit(done)
        self.parcel.setFocus(Qt.FocusReason.OtherFocusReason)
