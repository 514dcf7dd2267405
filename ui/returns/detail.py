"""One return on the Returns page: the buyer's side (reason, comment, photos), the countdown and the
sentence saying what Ozon does at the deadline, exactly the actions Ozon offers as buttons with the
fields each needs, the original posting's packing record, receipts at the desk and exchanges.

Every remote text (the buyer's comment, Ozon's action and reason names) is plain text.

Signals:
    decision_requested(object Decision): the seller filled the chosen action's fields and confirmed.
    chat_requested(str posting_number): open the buyer chat of the return's posting.
    exchange_requested(str mode, str posting_number, str note): link a replacement or record a resend.
    image_requested(str url): show a buyer photo large.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.returns.decision import DecisionView
from app.returns.receiving import Disposition, ExchangeMode, Grade
from app.workflows.returns import COMMENT_MAX, ActionForm, Decision
from ui import plain_text, wording
from ui.returns import texts

ImageLoader = Callable[[str, Callable[[Path | None], None]], None]
THUMB = 72
RED_STYLE = "color: #c62828; font-weight: bold;"
NOTE_STYLE = "color: #57606a;"


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _wrapped(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = plain_text.label(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ReturnDetail(QScrollArea):
    decision_requested = Signal(object)
    chat_requested = Signal(str)
    exchange_requested = Signal(str, str, str)
    image_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returnDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # everything wraps instead
        self.view: DecisionView | None = None
        self.form: ActionForm | None = None
        self.load_image: ImageLoader | None = None
        self.action_buttons: list[QPushButton] = []
        body = QWidget(self)
        self.setWidget(body)

        self.heading = _bold(_wrapped("", body), 1.2)
        self.heading.setObjectName("returnHeading")
        self.clock = plain_text.label("", body)
        self.clock.setObjectName("returnClock")
        self.sentence = _wrapped("", body)
        self.sentence.setObjectName("returnSentence")
        self.facts = QFormLayout()
        self.facts.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.product = _wrapped("", body)
        self.status = _wrapped("", body)
        self.place = _wrapped("", body)
        self.reason = _wrapped("", body)
        self.reason.setObjectName("returnReason")
        self.comment = _wrapped("", body)
        self.comment.setObjectName("returnComment")
        self.facts.addRow(self.tr("Product:"), self.product)
        self.facts.addRow(self.tr("Status:"), self.status)
        self.facts.addRow(self.tr("Where:"), self.place)
        self.facts.addRow(self.tr("Reason:"), self.reason)
        self.facts.addRow(self.tr("Buyer's comment:"), self.comment)
        self.photos = QWidget(body)
        self.photos.setObjectName("returnPhotos")
        self.photo_row = QHBoxLayout(self.photos)
        self.photo_row.setContentsMargins(0, 0, 0, 0)
        self.chat_button = QPushButton(self.tr("Buyer chat"), body)
        self.chat_button.setObjectName("returnChat")
        self.chat_button.clicked.connect(self._chat)

        # -- the decision -------------------------------------------------------------------------
        self.decision_box = QGroupBox(self.tr("Decision"), body)
        self.decision_box.setObjectName("returnDecision")
        self.offer_note = _wrapped("", self.decision_box)
        self.offer_note.setStyleSheet(NOTE_STYLE)
        self.buttons = QVBoxLayout()
        self.pending = _wrapped("", self.decision_box)
        self.pending.setObjectName("returnPending")
        self.pending.setStyleSheet("color: #1f6feb; font-weight: bold;")
        self.fields = QWidget(self.decision_box)
        self.fields.setObjectName("returnFields")
        self.chosen = _bold(_wrapped("", self.fields))
        self.reason_combo = QComboBox(self.fields)
        self.reason_combo.setObjectName("returnRejectionReason")
        self.reason_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason_combo.setMinimumContentsLength(20)
        self.reason_hint = _wrapped("", self.fields)
        self.reason_hint.setStyleSheet(NOTE_STYLE)
        self.comment_edit = QPlainTextEdit(self.fields)
        self.comment_edit.setObjectName("returnDecisionComment")
        self.comment_edit.setPlaceholderText(self.tr("Why: the buyer reads this (in Russian)"))
        self.comment_edit.setMaximumHeight(self.fontMetrics().height() * 5)
        self.amount = QDoubleSpinBox(self.fields)
        self.amount.setObjectName("returnAmount")
        self.amount.setDecimals(2)
        self.amount.setMaximum(10_000_000)
        self.amount_note = plain_text.label("", self.fields)
        self.amount_note.setStyleSheet(NOTE_STYLE)
        self.error = _wrapped("", self.fields)
        self.error.setObjectName("returnDecisionError")
        self.error.setStyleSheet(RED_STYLE)
        self.confirm = QPushButton(self.tr("Send the decision"), self.fields)
        self.confirm.setObjectName("returnConfirm")
        self.cancel = QPushButton(self.tr("Cancel"), self.fields)
        self.reason_label = plain_text.label(self.tr("Rejection reason:"), self.fields)
        self.comment_label = plain_text.label(self.tr("Comment for the buyer:"), self.fields)
        self.amount_label = plain_text.label(self.tr("Compensation, ₽:"), self.fields)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount)
        amount_row.addWidget(self.amount_note, 1)
        confirm_row = QHBoxLayout()
        confirm_row.addStretch(1)
        confirm_row.addWidget(self.cancel)
        confirm_row.addWidget(self.confirm)
        fields = QVBoxLayout(self.fields)
        fields.setContentsMargins(0, 6, 0, 0)
        for w in (self.chosen, self.reason_label, self.reason_combo, self.reason_hint, self.comment_label):
            fields.addWidget(w)
        fields.addWidget(self.comment_edit)
        fields.addWidget(self.amount_label)
        fields.addLayout(amount_row)
        fields.addWidget(self.error)
        fields.addLayout(confirm_row)
        decision = QVBoxLayout(self.decision_box)
        decision.addWidget(self.offer_note)
        decision.addLayout(self.buttons)
        decision.addWidget(self.fields)
        decision.addWidget(self.pending)
        self.confirm.clicked.connect(self._confirm)
        self.cancel.clicked.connect(self._close_form)
        self.reason_combo.currentIndexChanged.connect(self._reason_changed)

        # -- at the desk: receipts and exchanges --------------------------------------------------
        self.desk_box = QGroupBox(self.tr("At the desk"), body)
        self.receipts = _wrapped("", self.desk_box)
        self.receipts.setObjectName("returnReceipts")
        self.exchanges = _wrapped("", self.desk_box)
        self.exchanges.setObjectName("returnExchanges")
        self.exchange_mode = QComboBox(self.desk_box)
        self.exchange_mode.setObjectName("exchangeMode")
        for mode in ExchangeMode:
            self.exchange_mode.addItem(texts.exchange_mode(mode), mode.value)
        self.exchange_posting = QLineEdit(self.desk_box)
        self.exchange_posting.setObjectName("exchangePosting")
        self.exchange_posting.setPlaceholderText(self.tr("Replacement posting number"))
        self.exchange_note = QLineEdit(self.desk_box)
        self.exchange_note.setObjectName("exchangeNote")
        self.exchange_note.setPlaceholderText(self.tr("Note: tracking number, date…"))
        self.exchange_button = QPushButton(self.tr("Link the exchange"), self.desk_box)
        self.exchange_button.setObjectName("exchangeLink")
        self.exchange_error = _wrapped("", self.desk_box)
        self.exchange_error.setStyleSheet(RED_STYLE)
        exchange_row = QHBoxLayout()
        exchange_row.addWidget(self.exchange_mode)
        exchange_row.addWidget(self.exchange_posting, 1)
        note_row = QHBoxLayout()
        note_row.addWidget(self.exchange_note, 1)
        note_row.addWidget(self.exchange_button)
        desk = QVBoxLayout(self.desk_box)
        desk.addWidget(self.receipts)
        desk.addWidget(self.exchanges)
        desk.addWidget(_wrapped(self.tr("Exchange: link a replacement posting or record a resend"), self.desk_box))
        desk.addLayout(exchange_row)
        desk.addLayout(note_row)
        desk.addWidget(self.exchange_error)
        self.exchange_button.clicked.connect(self._exchange)

        # -- the original posting ---------------------------------------------------------------
        self.packing_box = QGroupBox(self.tr("How the posting left the desk"), body)
        self.packing = _wrapped("", self.packing_box)
        self.packing.setObjectName("returnPacking")
        QVBoxLayout(self.packing_box).addWidget(self.packing)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.chat_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.clock)
        layout.addWidget(self.sentence)
        layout.addLayout(self.facts)
        layout.addWidget(self.photos)
        layout.addWidget(self.decision_box)
        layout.addWidget(self.desk_box)
        layout.addWidget(self.packing_box)
        layout.addStretch(1)
        self.show_view(None, None)

    # -- showing ----------------------------------------------------------------------------------

    def show_note(self, text: str) -> None:
        self.view = None
        self.heading.setText(text)
        for w in (self.clock, self.sentence, self.photos, self.decision_box, self.desk_box, self.packing_box):
            w.hide()
        self.chat_button.hide()
        for label in (self.product, self.status, self.place, self.reason, self.comment):
            label.setText("")

    def show_view(self, view: DecisionView | None, now: datetime | None, keep_form: bool = False) -> None:
        if view is None or now is None:
            self.show_note(self.tr("Choose a return on the left."))
            return
        same = self.view is not None and self.view.row.id == view.row.id
        self.view = view
        row = view.row
        self.heading.setText(
            texts.kind(row.kind) + " " + (row.return_number or str(row.return_id)) + " · " + row.posting_number
        )
        clock = view.countdown if row.local_status is None else None
        colour = texts.colour(clock)
        self.clock.setText(texts.countdown(clock))
        self.clock.setStyleSheet(f"color: {colour.name()}; font-weight: bold;" if colour is not None else "")
        self.clock.setVisible(clock is not None)
        self.sentence.setText(texts.sentence(clock))
        self.sentence.setVisible(clock is not None)
        self.product.setText(
            plain_text.clipped(f"{row.product_name} · {row.offer_id} · ×{row.quantity} · {row.price} {row.currency}")
        )
        self.status.setText(row.status_name or row.status)
        self.place.setText(" · ".join(p for p in (row.place, texts.storage(row.storage_from, now)) if p) or "—")
        self.reason.setText(plain_text.clipped(view.reason or "—", 500, 40))
        self.comment.setText(plain_text.clipped(view.comment or "—", 2000, 40))
        self.chat_button.show()
        self._show_photos(view.photos)
        self._show_decision(view, keep_form and same)
        self._show_desk(view)
        self._show_packing(view)
        self.desk_box.show()
        self.packing_box.show()

    def _show_photos(self, urls: list[str]) -> None:
        while self.photo_row.count():
            item = self.photo_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for url in urls[:12]:
            button = QToolButton(self.photos)
            button.setObjectName("returnPhoto")
            button.setFixedSize(QSize(THUMB + 8, THUMB + 8))
            button.setIconSize(QSize(THUMB, THUMB))
            button.setText(self.tr("Photo"))
            button.setToolTip(self.tr("Open the buyer's photo"))
            button.clicked.connect(lambda _checked=False, u=url: self.image_requested.emit(u))
            self.photo_row.addWidget(button)
            if self.load_image is not None:
                self.load_image(url, self._thumb_for(button))
        self.photo_row.addStretch(1)
        self.photos.setVisible(bool(urls))

    def _thumb_for(self, button: QToolButton) -> Callable[[Path | None], None]:
        return lambda path: self._thumb(button, path)

    def _thumb(self, button: QToolButton, path: Path | None) -> None:
        pixmap = QPixmap(str(path)) if path is not None else QPixmap()
        try:
            if not pixmap.isNull():
                button.setIcon(QIcon(pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)))
                button.setText("")
        except RuntimeError:  # the button went with the previous return
            pass

    def _show_decision(self, view: DecisionView, keep_form: bool) -> None:
        for button in self.action_buttons:
            self.buttons.removeWidget(button)
            button.deleteLater()
        self.action_buttons = []
        row = view.row
        if row.local_status:
            self.pending.setText(
                self.tr("Decision saved: «{decision}». It is sent to Ozon with the next sync.").format(
                    decision=row.local_status
                )
            )
        self.pending.setVisible(bool(row.local_status))
        for form in view.forms:
            button = QPushButton(form.action.name, self.decision_box)
            button.setObjectName("returnAction")
            button.setProperty("actionId", form.action.id)
            button.clicked.connect(lambda _checked=False, f=form: self.choose(f))
            self.buttons.addWidget(button)
            self.action_buttons.append(button)
        if row.local_status:
            note = ""
        elif view.overdue and row.kind.value == "rfbs":
            note = self.tr("The decision deadline has passed: Ozon decides this request itself. Nothing to do here.")
        elif view.forms:
            note = self.tr("Ozon offers these actions now:")
        elif row.kind.value == "rfbs":
            note = self.tr("Ozon offers no action on this request now.")
        else:
            note = self.tr("Ozon decides FBS and FBO returns in the seller cabinet; here you follow them.")
        self.offer_note.setText(note)
        self.offer_note.setVisible(bool(note))
        still = self.form is not None and any(f.action.id == self.form.action.id for f in view.forms)
        if not (keep_form and still):
            self._close_form()
        self.decision_box.setVisible(bool(note or view.forms or row.local_status))

    def choose(self, form: ActionForm) -> None:
        """Show the fields the action needs (nothing is queued before Send)."""
        self.form = form
        self.chosen.setText(form.action.name)
        self.reason_combo.clear()
        if form.needs_reason:
            self.reason_combo.addItem(self.tr("Choose a reason…"), None)
            for reason in form.reasons:
                self.reason_combo.addItem(reason.name, reason.id)
        shown: list[tuple[QWidget, bool]] = [
            (self.reason_label, form.needs_reason),
            (self.reason_combo, form.needs_reason),
            (self.comment_label, form.needs_comment),
            (self.comment_edit, form.needs_comment),
            (self.amount_label, form.needs_amount),
            (self.amount, form.needs_amount),
            (self.amount_note, form.needs_amount),
        ]
        for widget, visible in shown:
            widget.setVisible(visible)
        self.reason_hint.hide()
        if form.max_amount is not None:
            # No spin-box maximum: a clamp would silently turn a typo (19400 for 194.00) into the whole
            # price; the amount is checked on Send, and a wrong one is refused with the reason.
            self.amount_note.setText(self.tr("at most {amount}").format(amount=form.max_amount))
        self.show_error("")
        self.fields.show()

    def _reason_changed(self, _index: int) -> None:
        form = self.form
        wanted = self.reason_combo.currentData()
        reason = next((r for r in form.reasons if r.id == wanted), None) if form is not None else None
        self.reason_hint.setText(reason.hint if reason is not None else "")
        self.reason_hint.setVisible(bool(reason is not None and reason.hint))

    def _close_form(self) -> None:
        self.form = None
        self.comment_edit.clear()
        self.amount.setValue(0)
        self.show_error("")
        self.fields.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def decision(self) -> Decision | None:
        form = self.form
        if form is None:
            return None
        reason = self.reason_combo.currentData() if form.needs_reason else None
        amount = Decimal(str(round(self.amount.value(), 2))) if form.needs_amount else None
        comment = self.comment_edit.toPlainText()[: COMMENT_MAX + 1] if form.needs_comment else ""
        return Decision(form.action.id, comment, reason if isinstance(reason, int) else None, amount)

    def _confirm(self) -> None:
        chosen = self.decision()
        if chosen is not None:
            self.decision_requested.emit(chosen)

    def decided(self) -> None:
        """The decision was queued: the form goes, the page reloads the view (pending)."""
        self._close_form()

    def _chat(self) -> None:
        if self.view is not None:
            self.chat_requested.emit(self.view.row.posting_number)

    def _exchange(self) -> None:
        self.exchange_error.setText("")
        self.exchange_requested.emit(
            str(self.exchange_mode.currentData()), self.exchange_posting.text().strip(), self.exchange_note.text()
        )

    def exchange_linked(self) -> None:
        self.exchange_posting.clear()
        self.exchange_note.clear()
        self.exchange_error.setText("")

    def show_exchange_error(self, text: str) -> None:
        self.exchange_error.setText(text)

    def _show_desk(self, view: DecisionView) -> None:
        lines = []
        for r in view.receipts:
            line = self.tr("Received {when} by {user}: {grade}, {disposition}").format(
                when=wording.local_time(r.received_at),
                user=r.user or "—",
                grade=texts.grade(Grade(r.grade)),
                disposition=texts.disposition(Disposition(r.disposition)),
            )
            if r.note:
                line += " — " + r.note
            if r.flagged:
                line += "\n" + self.tr(
                    "⚠ A marking code differs from the shipped one: the wrong item may have come back."
                )
            lines.append(line)
        self.receipts.setText(plain_text.clipped("\n".join(lines), 3000, 40) if lines else self.tr("Not received yet."))
        self.receipts.setStyleSheet(RED_STYLE if any(r.flagged for r in view.receipts) else "")
        exchanged = [
            texts.exchange_mode(x.mode)
            + (f" {x.posting_number}" if x.posting_number else "")
            + (f" — {x.note}" if x.note else "")
            for x in view.exchanges
        ]
        self.exchanges.setText("\n".join(exchanged))
        self.exchanges.setVisible(bool(exchanged))

    def _show_packing(self, view: DecisionView) -> None:
        record = view.packing
        if not record.known and not record.events:
            self.packing.setText(self.tr("This posting is not in the local copy: it was not packed here."))
            return
        lines = []
        if record.packed_at is not None:
            lines.append(self.tr("Packed: {when}").format(when=wording.local_time(record.packed_at)))
        lines.append(self.tr("Labels printed: {count}").format(count=record.labels_printed))
        if record.handed_over_at is not None:
            lines.append(self.tr("Handed over: {when}").format(when=wording.local_time(record.handed_over_at)))
        for mark in record.marks:
            lines.append(self.tr("Marking code {code} (SKU {sku})").format(code=mark.ident, sku=mark.sku))
        for event in record.events[-30:]:
            who = f" · {event.user}" if event.user else ""
            detail = f": {event.detail}" if event.detail else ""
            lines.append(f"{wording.local_time(event.at)} {wording.event(event.kind)}{detail}{who}")
        self.packing.setText(plain_text.clipped("\n".join(lines), 6000, 60))
