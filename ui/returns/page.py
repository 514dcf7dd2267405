"""The Returns page: one list of FBS/FBO returns and rFBS requests, stage buttons with counts, a kind
filter and a search; the chosen return's detail with exactly Ozon's actions; receiving at the desk.

Every read and write runs on the TaskManager (app.returns.screen, app.returns.decision,
app.workflows.returns, app.returns.receiving); the list reads the local cache, so the page opens
offline. The list is read again on `ReturnsChanged`, the countdowns repaint each minute.

Signals:
    needs_decision_changed(int): returns waiting for the seller's decision (the navigation's badge).
    chat_requested(str posting_number, str chat_id): open the buyer chat (the window's open_chat).
    message(str): a line for the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import desks, events
from app.context import AppContext
from app.domain.returns import ReturnKind, Stage
from app.errors import UserError
from app.returns import decision as decision_view
from app.returns import listing, receiving
from app.returns import screen as returns_screen
from app.returns.decision import DecisionView
from app.returns.listing import ReturnFilter
from app.returns.receiving import ExchangeMode
from app.returns.screen import ReturnsScreen
from app.workflows import returns as workflow
from app.workflows.returns import Decision
from ui import desk_user, errors, plain_text
from ui.bridge import EventBridge
from ui.returns import texts
from ui.returns.detail import ImageLoader, ReturnDetail
from ui.returns.list_model import ReturnColumn, ReturnsModel
from ui.returns.receive_dialog import ReceiveDialog
from ui.sounds import SoundPlayer, SystemSounds
from ui.tasks import TaskManager
from ui.widgets.selection import refill_quietly

SEARCH_DELAY_MS = 300
TICK_MS = 60_000
ALL = "all"


class ReturnsPage(QWidget):
    needs_decision_changed = Signal(int)
    chat_requested = Signal(str, str)
    message = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        bridge: EventBridge,
        parent: QWidget | None = None,
        *,
        load_image: ImageLoader | None = None,
        sounds: SoundPlayer | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.sounds: SoundPlayer = sounds or SystemSounds(enabled=ctx.settings.sounds)
        self._user = user  # None: the packer picked at this desk (ui/desk_user.py)
        self.current_id: int | None = None  # the local row id of the open return
        self.counts: dict[Stage, int] = dict.fromkeys(Stage, 0)
        self.needs_decision = -1
        self.receiver: ReceiveDialog | None = None
        self._list_request = 0
        self._open_request = 0
        db = ctx.db
        self.model = ReturnsModel(tasks, lambda ids: listing.read_rows(db, ids), ctx.clock.now, self)
        self._build()
        self.detail.load_image = load_image

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        bridge.returns_changed.connect(self._on_returns_changed)
        bridge.outbox_changed.connect(lambda _event: self._on_returns_changed(None))
        self.reload()

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        left = QWidget(self)
        self.stage_buttons: dict[str, QPushButton] = {}
        self.stage_group = QButtonGroup(self)
        self.stage_group.setExclusive(True)
        stages = QHBoxLayout()
        stages.setSpacing(4)
        for key in (Stage.NEEDS_DECISION.value, Stage.ON_THE_WAY.value, Stage.ARRIVED.value, Stage.CLOSED.value, ALL):
            button = QPushButton(left)
            button.setObjectName(f"stage_{key}")
            button.setCheckable(True)
            self.stage_group.addButton(button)
            self.stage_buttons[key] = button
            stages.addWidget(button)
            button.clicked.connect(lambda _checked=False: self.reload())
        stages.addStretch(1)
        self.stage_buttons[Stage.NEEDS_DECISION.value].setChecked(True)
        self.kind = QComboBox(left)
        self.kind.setObjectName("returnKind")
        self.kind.addItem(self.tr("All kinds"), "")
        for value in ReturnKind:
            self.kind.addItem(texts.kind(value), value.value)
        self.search = QLineEdit(left)
        self.search.setObjectName("returnSearch")
        self.search.setPlaceholderText(self.tr("Search: posting, return number, SKU, article, product, buyer…"))
        self.search.setClearButtonEnabled(True)
        self.receive_button = QPushButton(self.tr("Receive a return…"), left)
        self.receive_button.setObjectName("receiveReturn")
        self.receive_button.setToolTip(self.tr("Scan a returned parcel at the desk"))
        filters = QHBoxLayout()
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.receive_button)
        self.view = QTableView(left)
        self.view.setObjectName("returnList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() * 2 + 14)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(ReturnColumn.RETURN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReturnColumn.PRODUCT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ReturnColumn.STATUS, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ReturnColumn.DEADLINE, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(ReturnColumn.STATUS, 190)
        self.empty = plain_text.label("", left)
        self.empty.setObjectName("returnListEmpty")
        self.empty.setWordWrap(True)
        self.empty.hide()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addLayout(stages)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.empty)

        self.detail = ReturnDetail(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter, 1)

        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.receive_button.clicked.connect(self.open_receiving)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.detail.decision_requested.connect(self.decide)
        self.detail.chat_requested.connect(lambda number: self.chat_requested.emit(number, ""))
        self.detail.exchange_requested.connect(self.link_exchange)
        self.detail.image_requested.connect(self._show_image)
        self._show_counts()

    # -- the list -------------------------------------------------------------------------------

    def chosen_stage(self) -> Stage | None:
        for key, button in self.stage_buttons.items():
            if button.isChecked():
                return None if key == ALL else Stage(key)
        return None

    def show_stage(self, value: Stage | None) -> None:
        self.stage_buttons[value.value if value is not None else ALL].setChecked(True)
        self.reload()

    def return_filter(self) -> ReturnFilter:
        kind = str(self.kind.currentData() or "")
        return ReturnFilter(
            stage=self.chosen_stage(), kind=ReturnKind(kind) if kind else None, search=self.search.text().strip()
        )

    def reload(self) -> None:
        self._search_timer.stop()
        self._list_request += 1
        request, db, wanted, now = self._list_request, self.ctx.db, self.return_filter(), self.ctx.clock.now()
        self.tasks.run_db(
            lambda: returns_screen.read_screen(db, wanted, now), on_done=lambda found: self._listed(request, found)
        )
        self.tasks.run_db(lambda: returns_screen.needs_decision(db, now), on_done=self._badge)

    def _listed(self, request: int, found: ReturnsScreen) -> None:
        if request != self._list_request:
            return
        self.counts = found.counts
        self._show_counts()

        def refill() -> int:
            self.model.set_listing(found.listing.ids, found.listing.first_rows)
            return self.model.row_of(self.current_id) if self.current_id is not None else -1

        refill_quietly(self.view, refill)
        if not found.listing.ids:
            filtered = self.return_filter() != ReturnFilter(stage=self.chosen_stage())
            self.empty.setText(
                self.tr("No return matches the search.")
                if filtered
                else self.tr("No returns here. Returns and return requests appear after a sync.")
            )
        self.empty.setVisible(not found.listing.ids)

    def _show_counts(self) -> None:
        for value in Stage:
            n = self.counts.get(value, 0)
            self.stage_buttons[value.value].setText(f"{texts.stage(value)} ({n})")
        self.stage_buttons[ALL].setText(self.tr("All ({count})").format(count=sum(self.counts.values())))
        waiting = self.counts.get(Stage.NEEDS_DECISION, 0)
        self.stage_buttons[Stage.NEEDS_DECISION.value].setStyleSheet("font-weight: bold;" if waiting else "")

    def _badge(self, count: int) -> None:
        if count != self.needs_decision:
            self.needs_decision = count
            self.needs_decision_changed.emit(count)

    def select_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row_id = self.model.id_at(current.row()) if current.isValid() else None
        if row_id is not None and row_id != self.current_id:
            self.open_return(row_id)

    def _on_returns_changed(self, _event: events.ReturnsChanged | None) -> None:
        self.reload()
        self._reload_open()

    def _on_tick(self) -> None:
        self.model.repaint()
        self._reload_open()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    # -- one return -------------------------------------------------------------------------------

    def open_return(self, row_id: int) -> None:
        self.current_id = row_id
        self.detail.show_note(self.tr("Loading…"))
        self._read_open(keep_form=False)

    def _reload_open(self) -> None:
        if self.current_id is not None:
            self._read_open(keep_form=True)

    def _read_open(self, keep_form: bool) -> None:
        self._open_request += 1
        request, db, row_id, now = self._open_request, self.ctx.db, self.current_id, self.ctx.clock.now()
        if row_id is None:
            return

        def read() -> DecisionView | None:
            rows = listing.read_rows(db, [row_id])
            row = rows.get(row_id)
            return None if row is None else decision_view.read_decision(db, row.kind, row.return_id, now)

        self.tasks.run_db(read, on_done=lambda view: self._opened(request, view, keep_form))

    def _opened(self, request: int, view: DecisionView | None, keep_form: bool) -> None:
        if request != self._open_request:
            return
        if view is None:
            self.detail.show_note(self.tr("This return is no longer in the local copy."))
            return
        self.detail.show_view(view, self.ctx.clock.now(), keep_form=keep_form)

    @property
    def current(self) -> DecisionView | None:
        return self.detail.view

    def decide(self, chosen: Decision) -> None:
        view = self.detail.view
        if view is None:
            return
        ctx, return_id, user, desk = self.ctx, view.row.return_id, self.user, self.desk
        self.detail.confirm.setEnabled(False)

        def done(_entry: object) -> None:
            self.detail.confirm.setEnabled(True)
            self.detail.decided()
            self._reload_open()
            self.reload()
            self.message.emit(self.tr("Decision saved: it is sent to Ozon with the next sync."))

        def failed(exc: BaseException) -> None:
            self.detail.confirm.setEnabled(True)
            if isinstance(exc, UserError):
                self.detail.show_error(errors.message_for(exc))  # the fields stay as they are
            else:
                errors.show_error(self, exc)

        self.tasks.run_db(
            lambda: workflow.decide(ctx.db, ctx.clock, return_id, chosen, user, bus=ctx.bus, desk=desk),
            on_done=done,
            on_error=failed,
        )

    def link_exchange(self, mode: str, posting_number: str, note: str) -> None:
        view = self.detail.view
        if view is None:
            return
        ctx, kind, return_id, user, desk = self.ctx, view.row.kind, view.row.return_id, self.user, self.desk

        def done(_exchange: object) -> None:
            self.detail.exchange_linked()
            self._reload_open()

        self.tasks.run_db(
            lambda: receiving.link_exchange(
                ctx.db,
                ctx.clock,
                kind,
                return_id,
                ExchangeMode(mode),
                posting_number,
                note,
                user,
                bus=ctx.bus,
                desk=desk,
            ),
            on_done=done,
            on_error=lambda exc: self.detail.show_exchange_error(errors.message_for(exc)),
        )

    @property
    def user(self) -> str:
        """Who decides and receives here: the packer picked at this desk, else the login name."""
        return desk_user.current_user(self.ctx.paths.data) if self._user is None else self._user

    @property
    def desk(self) -> str:
        return desks.desk_name(self.ctx.settings)

    # -- receiving --------------------------------------------------------------------------------

    def open_receiving(self) -> ReceiveDialog:
        if self.receiver is None:
            self.receiver = ReceiveDialog(self.ctx, self.tasks, self.sounds, self.user, self)
            self.receiver.received.connect(lambda _done: self._on_returns_changed(None))
        self.receiver.user = self.user  # whoever packs at this desk now
        self.receiver.show()
        self.receiver.parcel.setFocus()
        return self.receiver

    def _show_image(self, url: str) -> None:
        loader = self.detail.load_image
        if loader is None:
            self.message.emit(self.tr("The photo is not available."))
            return

        def show(path: object) -> None:
            pixmap = QPixmap(str(path)) if path is not None else QPixmap()
            if pixmap.isNull():
                self.message.emit(self.tr("The photo is not available."))
                return
            dialog = QDialog(self)
            dialog.setWindowTitle(self.tr("Buyer's photo"))
            label = QLabel(dialog)
            label.setPixmap(pixmap)
            area = QScrollArea(dialog)
            area.setWidget(label)
            QVBoxLayout(dialog).addWidget(area)
            dialog.resize(min(pixmap.width() + 40, 1100), min(pixmap.height() + 40, 800))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        loader(url, show)
