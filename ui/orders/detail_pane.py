"""The pane beside the orders table: one posting's items, delivery, deadlines, tracking and history.

It is read on the database worker when the current posting changes (the newest request wins) and
again when that posting or the outbox changes. Remote text is plain text everywhere.

Signals:
    chat_requested(str posting_number, str chat_id): the seller wants the buyer chat of this posting
        (chat_id is "" when no chat is known yet).
    support_requested(str posting_number): the seller wants to ask Ozon support about this posting.
    pack_saved(str path): the dispute pack PDF was written ("" when it failed).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import dispute_pack
from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import Posting, Requirement
from app.orders.detail import PostingDetail, load_detail
from app.orders.query import NOT_SHIPPED
from printing.documents.dispute_pack import dispute_pack_pdf
from ui import plain_text, wording
from ui.bridge import EventBridge
from ui.orders import cells
from ui.orders.detail_models import HistoryColumn, HistoryModel, ItemColumn, ItemsModel
from ui.tasks import TaskManager

NAME_MIN_PX = 130  # the product name in the detail pane's items table, at least
NAME_SHARE = 0.37


def _table(parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


class DetailPane(QWidget):
    chat_requested = Signal(str, str)
    support_requested = Signal(str)
    pack_saved = Signal(str)  # the dispute pack's file ("" when it could not be written)

    def __init__(
        self,
        db: Database,
        clock: Clock,
        tasks: TaskManager,
        bridge: EventBridge | None = None,
        images_dir: Path | None = None,
        parent: QWidget | None = None,
        *,
        labels_dir: Path | None = None,
        shop: str = "",
    ) -> None:
        super().__init__(parent)
        self._labels_dir = labels_dir
        self._shop = shop
        self._db = db
        self._clock = clock
        self._tasks = tasks
        self._wanted: str | None = None
        self._request = 0
        self.detail: PostingDetail | None = None

        self.pages = QStackedWidget(self)
        self.empty = plain_text.label(self.tr("Select a posting to see its items and history."), self)
        self.empty.setObjectName("detailEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self._build_details())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.items_model = ItemsModel(images_dir, self)
        self.items.setModel(self.items_model)
        self.history_model = HistoryModel(self)
        self.history.setModel(self.history_model)
        self._size_columns()

        if bridge is not None:
            bridge.postings_changed.connect(self._on_postings_changed)
            bridge.outbox_changed.connect(lambda _event: self.reload())
            bridge.conflict_detected.connect(lambda _event: self.reload())

    # -- building -------------------------------------------------------------------------------

    def _build_details(self) -> QWidget:
        page = QWidget(self)
        self.title = plain_text.label("", page)
        self.title.setObjectName("detailTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = plain_text.label("", page)
        self.status.setObjectName("detailStatus")
        self.chat_button = QPushButton(self.tr("Buyer chat"), page)
        self.chat_button.setObjectName("openChat")
        self.chat_button.setToolTip(self.tr("Open the chat with the buyer of this order"))
        self.chat_button.clicked.connect(self._open_chat)
        self.support_button = QPushButton(self.tr("Ask Ozon support…"), page)
        self.support_button.setObjectName("askSupport")
        self.support_button.setToolTip(self.tr("A message to Ozon support with this posting's facts, or a PDF"))
        self.support_button.clicked.connect(self._ask_support)
        self.pack_button = QPushButton(self.tr("Dispute pack (PDF)…"), page)
        self.pack_button.setObjectName("disputePack")
        self.pack_button.setToolTip(self.tr("One PDF: timeline, marking codes, prints, labels, act, chat and returns"))
        self.pack_button.clicked.connect(lambda: self.save_dispute_pack())
        # The buttons sit on their own row: beside the title they would widen the pane.
        buttons = QGridLayout()  # two rows: in Russian three buttons side by side squeeze the list
        buttons.addWidget(self.chat_button, 0, 0)
        buttons.addWidget(self.support_button, 0, 1)
        buttons.addWidget(self.pack_button, 1, 0, 1, 2)
        buttons.setColumnStretch(2, 1)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for key, title in (
            ("order", self.tr("Order")),
            ("ship_by", self.tr("Ship by")),
            ("delivery", self.tr("Delivery")),
            ("warehouse", self.tr("Warehouse")),
            ("tracking", self.tr("Tracking")),
            ("delivery_date", self.tr("Delivery date")),
            ("buyer", self.tr("Buyer")),
            ("label", self.tr("Label")),
            ("returns", self.tr("Returns")),
            ("needs", self.tr("Ozon needs")),
        ):
            value = plain_text.label("", page)
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(plain_text.label(title, page), value)

        self.items = _table(page)
        self.items.setObjectName("detailItems")
        self.history = _table(page)
        self.history.setObjectName("detailHistory")

        rule = QFrame(page)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(rule)
        layout.addLayout(form)
        layout.addWidget(self._heading(self.tr("Items"), page))
        layout.addWidget(self.items, 2)
        layout.addWidget(self._heading(self.tr("History"), page))
        layout.addWidget(self.history, 3)
        self.no_history = plain_text.label(self.tr("No scans, prints or actions yet."), page)
        self.no_history.setObjectName("noHistory")
        layout.addWidget(self.no_history)
        return page

    @staticmethod
    def _heading(text: str, parent: QWidget) -> QLabel:
        label = plain_text.label(text, parent)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        return label

    def _size_columns(self) -> None:
        metrics = self.fontMetrics()
        items = self.items.horizontalHeader()
        items.setMinimumSectionSize(metrics.horizontalAdvance("0000") + 8)
        items.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # widths from _fit_items
        items.setStretchLastSection(False)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a barcode too wide for its share
        self.items.setWordWrap(True)  # long product names take two lines
        self.items.viewport().installEventFilter(self)
        self.items_model.modelReset.connect(self._fit_items)
        self.items.verticalHeader().setMinimumSectionSize(max(metrics.height() * 2 + 10, 44))
        # A handful of rows: each as tall as its name needs (a long name in the narrow pane takes 3 lines).
        self.items.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history = self.history.horizontalHeader()
        history.setSectionResizeMode(HistoryColumn.TIME, QHeaderView.ResizeMode.ResizeToContents)
        history.setSectionResizeMode(HistoryColumn.WHAT, QHeaderView.ResizeMode.ResizeToContents)
        history.setSectionResizeMode(HistoryColumn.STATE, QHeaderView.ResizeMode.ResizeToContents)
        history.setStretchLastSection(True)
        self.history.verticalHeader().setDefaultSectionSize(metrics.height() + 8)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.items.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_items()
        return super().eventFilter(watched, event)

    def _fit_items(self) -> None:
        """The product name keeps NAME_SHARE of the items table in a narrow pane (at 1280 px the pane gives way
        to the orders table); the codes, quantity and price get what they need from the rest."""
        avail = self.items.viewport().width()
        if avail <= 0:
            return
        header = self.items.horizontalHeader()
        side = avail - max(int(avail * NAME_SHARE), min(NAME_MIN_PX, avail))
        widths = {}
        for column in (ItemColumn.PRICE, ItemColumn.QUANTITY, ItemColumn.CODES):  # the codes give way first
            wanted = max(self.items.sizeHintForColumn(column), header.sectionSizeHint(column))
            widths[column] = max(0, min(wanted, side))
            side -= widths[column]
        for column, width in widths.items():
            self.items.setColumnWidth(column, width)
        self.items.setColumnWidth(ItemColumn.NAME, avail - sum(widths.values()))

    # -- loading --------------------------------------------------------------------------------

    @property
    def posting_number(self) -> str | None:
        return self._wanted

    def show_posting(self, posting_number: str | None) -> None:
        """Show this posting (None: the empty state). Reads in the background."""
        self._wanted = posting_number
        if posting_number is None:
            self._request += 1
            self.detail = None
            self.pages.setCurrentIndex(0)
            return
        self.reload()

    def show_selection_count(self, count: int) -> None:
        """Several postings are selected: the pane says so instead of showing one of them."""
        self._wanted = None
        self._request += 1
        self.detail = None
        self.empty.setText(self.tr("%n posting(s) selected.", "", count))
        self.pages.setCurrentIndex(0)

    def reload(self) -> None:
        number = self._wanted
        if number is None:
            return
        self._request += 1
        request, db = self._request, self._db
        self._tasks.run_db(lambda: load_detail(db, number), on_done=lambda d: self._loaded(request, d))

    def _on_postings_changed(self, event: object) -> None:
        changed: frozenset[str] = getattr(event, "posting_numbers", frozenset())
        if not changed or self._wanted in changed:
            self.reload()

    def _loaded(self, request: int, detail: PostingDetail | None) -> None:
        if request != self._request:
            return  # an older request: the seller moved on
        self.detail = detail
        if detail is None:
            self.empty.setText(self.tr("This posting is no longer in the local copy."))
            self.pages.setCurrentIndex(0)
            return
        self._fill(detail)
        self.pages.setCurrentIndex(1)

    def _needs(self, posting: Posting) -> str:
        """What Ozon requires before the ship call, in words ("—" when nothing)."""
        names = {
            Requirement.MANDATORY_MARK: self.tr("Честный ЗНАК codes"),
            Requirement.GTD: self.tr("customs number (ГТД)"),
            Requirement.COUNTRY: self.tr("country of origin"),
            Requirement.CHANGE_COUNTRY: self.tr("country of origin"),
            Requirement.RNPT: self.tr("batch number (РНПТ)"),
            Requirement.JW_UIN: self.tr("jewellery UIN"),
            Requirement.IMEI: self.tr("IMEI"),
            Requirement.WEIGHT: self.tr("actual weight"),
        }
        kinds = posting.requirements.kinds()
        parts = list(dict.fromkeys(names[k] for k in Requirement if k in kinds))
        if posting.is_multibox:
            parts.append(self.tr("box count (one item in several boxes)"))
        return ", ".join(parts) or "—"

    def _fill(self, detail: PostingDetail) -> None:
        posting = detail.cached.posting
        now = self._clock.now()
        self.title.setText(posting.posting_number)
        status = wording.posting_status(detail.cached.shown_status)
        if detail.cached.local_status is not None:
            status += " " + cells.pending_mark()
        scheme = self.tr("rFBS (you deliver)") if posting.is_rfbs else self.tr("FBS (Ozon delivers)")
        self.status.setText(f"{status} · {scheme}")
        self._set_field("order", posting.order_number)
        self._set_field("ship_by", self._ship_by(posting, detail.cached.shown_status, now))
        delivery = posting.delivery_method_name
        if posting.is_express:
            delivery = cells.translate("OrdersTable", "Express") + " · " + delivery
        if posting.tpl_provider and posting.tpl_provider not in delivery:
            delivery += f" ({posting.tpl_provider})"
        self._set_field("delivery", delivery or "—")
        self._set_field("warehouse", posting.warehouse_name or "—")
        self._set_field("tracking", posting.tracking_number or "—")
        self._set_field("delivery_date", self._when(posting.delivering_date))
        buyer = ", ".join(p for p in (posting.customer_name, posting.city) if p) or "—"
        short = (plain_text.clipped(posting.customer_name, 120), plain_text.clipped(posting.city, 60))
        self._set_field("buyer", buyer, ", ".join(p for p in short if p) or "—")
        codes = (posting.scanit, posting.lower_barcode)  # what is scanned on Ozon's label
        self._set_field("label", " · ".join(c for c in codes if c) or "—")
        self.fields["needs"].setText(self._needs(posting))
        self._set_field("returns", "; ".join(detail.returns) or "—")
        self.pack_button.setEnabled(True)
        self.chat_button.setEnabled(True)
        self.support_button.setEnabled(True)
        self.chat_button.setToolTip(
            self.tr("Open the chat with the buyer of this order")
            if detail.chat_id
            else self.tr("No chat with this buyer yet: the Chats page can start one")
        )
        self.items_model.set_rows(detail.items)
        self.history_model.set_rows(detail.history)
        self.no_history.setVisible(not detail.history)
        if detail.history:
            self.history.scrollToBottom()

    def _set_field(self, key: str, text: str, shown: str | None = None) -> None:
        """Remote text in a field: clipped and breakable (a 10,000-character buyer name must not
        widen the pane and squeeze the orders table); more of it, when cut, in the tooltip."""
        field = self.fields[key]
        shown = plain_text.clipped(text if shown is None else shown)
        field.setText(shown)
        cut = len(shown.replace("\u200b", "")) < len(text)
        field.setToolTip(plain_text.tooltip(plain_text.clipped(text, 1000, 80)) if cut else "")

    def _ship_by(self, posting: Posting, shown_status: str, now: datetime) -> str:
        if posting.shipment_date is None:
            return "—"
        text = posting.shipment_date.astimezone().strftime("%d.%m.%Y %H:%M")
        if shown_status in NOT_SHIPPED:
            text += " · " + cells.countdown(posting.shipment_date - now)
        return text

    @staticmethod
    def _when(moment: datetime | None) -> str:
        return moment.astimezone().strftime("%d.%m.%Y %H:%M") if moment is not None else "—"

    def _open_chat(self) -> None:
        if self.detail is not None:
            self.chat_requested.emit(self.detail.posting_number, self.detail.chat_id)

    def save_dispute_pack(self, path: Path | None = None) -> None:
        """Ask where (unless `path`), then gather and write the posting's dispute pack off the GUI thread."""
        if self.detail is None:
            return
        number = self.detail.posting_number
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Save the dispute pack"), f"dispute-{number}.pdf", self.tr("PDF (*.pdf)")
            )
            if not chosen:
                return
            path = Path(chosen)
        db, labels, shop, now, target = self._db, self._labels_dir, self._shop, self._clock.now(), path
        self.pack_button.setEnabled(False)

        def build() -> Path:
            pack = dispute_pack.read(db, number, labels)
            if pack is None:
                raise LookupError(number)
            target.write_bytes(dispute_pack_pdf(pack, now, shop=shop))
            return target

        def finished(saved: object) -> None:
            self.pack_button.setEnabled(True)
            done = isinstance(saved, Path)
            shown = self.tr("Dispute pack saved: {path}").format(path=str(saved)) if done else ""
            self.pack_button.setToolTip(shown or self.tr("The dispute pack could not be written"))
            self.pack_saved.emit(str(saved) if done else "")

        self._tasks.run_db(build, on_done=finished, on_error=lambda _exc: finished(None))

    def _ask_support(self) -> None:
        if self.detail is not None:
            self.support_requested.emit(self.detail.posting_number)
