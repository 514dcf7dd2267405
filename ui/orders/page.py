"""The Orders page: status tabs with counts, search and filters, the orders table, actions on the
selected postings and the detail pane of the current one.

Every query runs in SQL in the background: the table's ids and the filter lists on the database
worker, the tab counts on the reader thread beside it (they never delay the rows); the newest
answer wins. Actions go through `OrderActions` (ui/orders/actions.py).

Signals:
    chat_requested(str posting_number, str chat_id): open the buyer chat of a posting.
    support_requested(str posting_number): ask Ozon support about a posting.
    message(str): a short note for the status bar ("Confirmed: 3 postings").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.errors import UserError
from app.orders import cancel_reasons, filters, query
from app.orders.cancel_reasons import CancelReason, ReasonSource
from app.orders.filters import OrderFilter
from ui import errors, plain_text
from ui.bridge import EventBridge
from ui.orders import actions as order_actions
from ui.orders.actions import OrderActions, Outcome
from ui.orders.cancel_dialog import CancelDialog
from ui.orders.detail_pane import DetailPane
from ui.orders.filter_bar import FilterBar
from ui.orders.table_model import OrdersTableModel
from ui.orders.view import OrdersView
from ui.packing.ports import PrintControl
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

_PROBLEM_COLOUR = QColor("#b71c1c")


class OrdersPage(QWidget):
    chat_requested = Signal(str, str)
    support_requested = Signal(str)
    message = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        bridge: EventBridge,
        parent: QWidget | None = None,
        *,
        actions: OrderActions | None = None,
        reasons: ReasonSource | None = None,
        printer: PrintControl | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._printer = printer  # wakes the spooler once documents are queued
        self._db = ctx.db
        self._tasks = tasks
        self.workflows: OrderActions = actions or order_actions.WorkflowActions(ctx)
        self._reason_source = reasons
        self._counts_request = 0
        self._followed = ""  # the search text the tabs last switched for
        self.tab_counts: dict[str, int] = {}

        self.tabs = QTabBar(self)
        self.tabs.setObjectName("statusTabs")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        for tab in filters.TABS:
            index = self.tabs.addTab(self._tab_title(tab.key))
            self.tabs.setTabData(index, tab.key)
        self.tabs.setCurrentIndex(filters.TAB_KEYS.index(filters.DEFAULT_TAB))
        self.filter_bar = FilterBar(self)

        self.model = OrdersTableModel(ctx.db, ctx.clock, tasks, self, statuses=self._base_filter().statuses)
        self.view = OrdersView(self.model, self)
        self.view.setObjectName("ordersTable")
        self.detail = DetailPane(
            ctx.db,
            ctx.clock,
            tasks,
            bridge,
            ctx.paths.data / "images",
            self,
            labels_dir=ctx.paths.labels,
            shop=ctx.settings.label_sender,
        )
        self.detail.setObjectName("detailPane")
        self.detail.chat_requested.connect(self.chat_requested)
        self.detail.support_requested.connect(self.support_requested)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("ordersSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([790, 390])  # at 1280 px the table shows up to the delivery method

        self.confirm_button = self._button("confirmPostings", self.tr("Confirm"), self.confirm_selected)
        self.confirm_button.setToolTip(
            self.tr("Take the selected postings into work (Ozon approves new rFBS orders itself)")
        )
        self.picklist_button = self._button("printPickList", self.tr("Print pick list"), self.print_pick_list)
        self.labels_button = self._button("printLabels", self.tr("Print labels"), self.print_labels)
        self.cancel_button = self._button("cancelPostings", self.tr("Cancel…"), self.cancel_selected)
        self.count = plain_text.label("", self)
        self.count.setObjectName("orderCount")
        self.selected = plain_text.label("", self)
        self.selected.setObjectName("selectedCount")

        action_row = QHBoxLayout()
        action_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.confirm_button, self.picklist_button, self.labels_button, self.cancel_button):
            action_row.addWidget(button)
        action_row.addWidget(self.selected)
        action_row.addStretch(1)
        action_row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.tabs)
        layout.addLayout(action_row)
        layout.addWidget(self.splitter, 1)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        self.tabs.currentChanged.connect(lambda _index: self._apply_filter())
        self.filter_bar.changed.connect(self._apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.refreshed.connect(self._update_counts)
        bridge.postings_changed.connect(self._on_postings_changed)
        # A sent, refused or dropped action changes local_status (the "pending sync" mark); the
        # engine pushes after it pulls, so that change comes with OutboxChanged, not PostingsChanged.
        bridge.outbox_changed.connect(self.model.refresh)
        bridge.conflict_detected.connect(self.model.refresh)
        self._selection_changed()
        self._update_counts()
        self.reload_choices()
        self.refresh_cancel_reasons()

    # -- building -------------------------------------------------------------------------------

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _tab_title(self, key: str) -> str:
        return {
            "new": self.tr("Ozon approving"),
            "to_pack": self.tr("To pack"),
            "to_hand_over": self.tr("To hand over"),
            "in_delivery": self.tr("In delivery"),
            "delivered": self.tr("Delivered"),
            "cancelled": self.tr("Cancelled"),
            "problems": self.tr("Problems"),
            "all": self.tr("All"),
        }[key]

    def sizeHint(self) -> QSize:
        return QSize(1100, 640)

    # -- filters --------------------------------------------------------------------------------

    @property
    def current_tab(self) -> str:
        return str(self.tabs.tabData(self.tabs.currentIndex()))

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(filters.TAB_KEYS.index(key))

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def _base_filter(self) -> OrderFilter:
        return OrderFilter().with_tab(filters.tab(self.current_tab))

    def current_filter(self) -> OrderFilter:
        return self.filter_bar.current(self._base_filter())

    def _apply_filter(self) -> None:
        wanted = self.current_filter()
        if wanted != self.model.filter:
            self.model.set_filter(wanted)

    def _on_postings_changed(self, event: object) -> None:
        self.model.refresh()
        if getattr(event, "new", None) or not getattr(event, "posting_numbers", None):
            self.reload_choices()

    def reload_choices(self) -> None:
        db = self._db

        self._tasks.run_db(lambda: query.read_choices(db), on_done=lambda lists: self.filter_bar.set_choices(*lists))

    # -- counts ---------------------------------------------------------------------------------

    def _update_counts(self) -> None:
        total = self.model.total()  # None while the listing is read a window at a time
        if total is not None:
            self.count.setText(self.tr("Postings: %Ln", "", total))
        self._counts_request += 1
        request, db, clock, wanted = self._counts_request, self._db, self._ctx.clock, self.model.filter

        def read() -> dict[str, int] | None:
            if request != self._counts_request:
                return None  # a newer filter is on its way
            return query.read_tab_counts(db, wanted, clock.now())

        # Beside the database worker: a count over a year of postings never delays the rows on screen.
        self._tasks.run_read(read, on_done=lambda counts: self._show_counts(request, counts))

    def _show_counts(self, request: int, counts: dict[str, int] | None) -> None:
        if counts is None or request != self._counts_request:
            return
        if self.model.total() is None:  # a huge tab: its count, the same filter counted
            self.count.setText(self.tr("Postings: %Ln", "", counts.get(self.current_tab, 0)))
        locale = QLocale()
        for index in range(self.tabs.count()):
            key = str(self.tabs.tabData(index))
            n = counts.get(key, 0)
            self.tabs.setTabText(index, f"{self._tab_title(key)} ({locale.toString(n)})")
            if key == "problems":
                self.tabs.setTabTextColor(index, _PROBLEM_COLOUR if n else QColor())
        self.tab_counts = counts
        self._follow_search(counts)

    def _follow_search(self, counts: dict[str, int]) -> None:
        """A search with nothing in this tab but matches in others switches to the tab that has them
        (to All when several do): the seller looks for a posting, not for a tab. Once per search, so
        the seller can still go back to an empty tab."""
        text = self.model.filter.search_text
        if not text or text == self._followed or counts.get(self.current_tab, 0):
            return
        self._followed = text
        found = [key for key in filters.TAB_KEYS if key != "all" and counts.get(key, 0)]
        if found:
            self.show_tab(found[0] if len(found) == 1 else "all")

    # -- selection and detail -------------------------------------------------------------------

    def selected_postings(self) -> list[str]:
        return self.view.selected_postings()

    def _selection_changed(self) -> None:
        chosen = self.selected_postings()
        for button in (self.confirm_button, self.picklist_button, self.labels_button, self.cancel_button):
            button.setEnabled(bool(chosen))
        self.selected.setText(self.tr("Selected: %n", "", len(chosen)) if len(chosen) > 1 else "")
        if len(chosen) == 1:
            if chosen[0] != self.detail.posting_number:
                self.detail.show_posting(chosen[0])
        elif chosen:
            self.detail.show_selection_count(len(chosen))
        else:
            self.detail.show_posting(None)

    def select_posting(self, posting_number: str) -> bool:
        """Bring a posting into view and select it (switching to the All tab if needed)."""
        row = self.model.row_of(posting_number, read_all=True)
        if row is None:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    # -- actions --------------------------------------------------------------------------------

    def _run(
        self,
        work: Callable[[], Outcome],
        done_text: Callable[[int], str],
        on_done: Callable[[Outcome], bool] | None = None,
    ) -> None:
        """Run an action on the database worker; report what was done and what was refused.
        `on_done` may take over the outcome (returns True when it did)."""

        def finished(outcome: Outcome) -> None:
            if on_done is not None and on_done(outcome):
                return
            self._report(outcome, done_text)

        self._tasks.run_db(work, on_done=finished, on_error=self._failed)

    def _report(self, outcome: Outcome, done_text: Callable[[int], str]) -> None:
        said = [done_text(len(outcome.done))] if outcome.done else []
        if outcome.waiting:
            said.append(self.tr("%n label(s) wait for Ozon and print when they arrive", "", len(outcome.waiting)))
        if said:
            self.message.emit(" · ".join(said))
        if outcome.refused:
            lines = [f"{number}: {errors.message_for(exc)}" for number, exc in outcome.refused]
            summary = self.tr("Not possible for %n posting(s):", "", len(outcome.refused))
            errors.show_message(self, summary + "\n\n" + "\n".join(lines))

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

    def confirm_selected(self) -> None:
        numbers = self.selected_postings()
        if numbers:
            confirm = self.workflows.confirm
            self._run(lambda: confirm(numbers), lambda n: self.tr("Confirmed: %n posting(s)", "", n))

    def print_pick_list(self) -> None:
        numbers = self.selected_postings()
        if numbers:
            pick = self.workflows.print_pick_list
            self._run(
                lambda: pick(numbers),
                lambda n: self.tr("Pick list for %n posting(s) sent to the printer", "", n),
                on_done=self._print_queued,
            )

    def _print_queued(self, outcome: Outcome) -> bool:
        """Documents were queued: the spooler prints them now (it only looks when woken)."""
        if outcome.done and self._printer is not None:
            self._printer.print_all()
        return False  # the usual report follows

    def print_labels(self) -> None:
        self._print_labels("")

    def _print_labels(self, reason: str) -> None:
        numbers = self.selected_postings()
        if not numbers:
            return
        labels = self.workflows.print_labels

        def reprint(outcome: Outcome) -> bool:
            self._print_queued(outcome)
            if reason or not any(exc.code == "reprint_reason" for _n, exc in outcome.refused):
                return False
            text, ok = QInputDialog.getText(
                self, self.tr("Reprint labels"), self.tr("These labels were printed before. Why print them again?")
            )
            if ok and text.strip():
                self._print_labels(text.strip())
            return True

        self._run(
            lambda: labels(numbers, reason),
            lambda n: self.tr("Labels for %n posting(s) sent to the printer", "", n),
            on_done=reprint,
        )

    def cancel_selected(self) -> None:
        numbers = self.selected_postings()
        if not numbers:
            return
        db = self._db
        self._tasks.run_db(lambda: cancel_reasons.load(db), on_done=lambda reasons: self._ask_cancel(numbers, reasons))

    def _ask_cancel(self, numbers: list[str], reasons: list[CancelReason]) -> None:
        dialog = CancelDialog(numbers, reasons, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.cancel_dialog = dialog

        def accepted() -> None:
            reason = dialog.chosen()
            if reason is None:
                return
            cancel, message = self.workflows.cancel, dialog.text()
            self._run(lambda: cancel(numbers, reason.id, message), lambda n: self.tr("Cancelled: %n posting(s)", "", n))

        dialog.accepted.connect(accepted)
        dialog.open()

    def refresh_cancel_reasons(self) -> None:
        """Ozon's current reason list, kept for offline use (silently skipped when offline)."""
        source = self._reason_source
        if source is None:
            return
        ctx = self._ctx

        def fetched(reasons: list[CancelReason]) -> None:
            self._tasks.run_db(lambda: cancel_reasons.store(ctx.db, reasons, ctx.clock.now()))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError | OSError) or type(exc).__module__.startswith("sync."):
                log.info("cancel reasons not refreshed: %s", exc)
            else:
                log.error("cancel reasons not refreshed", exc_info=exc)

        self._tasks.run_io(lambda: cancel_reasons.fetch(source), on_done=fetched, on_error=failed)
