"""The seller's actions that are not done yet, or were refused: what each means and what to do.

Opened from the status bar (pending actions / conflicts). Lists the outbox's open (pending, in
flight), conflicted and dropped actions; what is listed and what may be done about it is
`app.outbox_review`, run on the database worker. "Drop and redo" drops a refused action and takes
the seller to the posting so it can be done again differently.

Signals:
    show_posting(str): the seller wants to see this posting (also after "Drop and redo").
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import outbox_review
from app.clock import Clock
from app.db.engine import Database
from app.events import EventBus
from app.outbox import OutboxEntry, OutboxState
from app.workflows import decisions
from ui import errors, plain_text, wording
from ui.tasks import TaskManager
from ui.widgets.rows_model import RowsModel

_CONFLICT_BACKGROUND = QBrush(QColor("#fde0e0"))
_DARK_TEXT = QBrush(QColor("#1b1b1b"))


class Column(enum.IntEnum):
    WHEN = 0
    ACTION = 1
    TARGET = 2
    STATE = 3
    TRIES = 4
    ADVICE = 5


class OutboxModel(RowsModel):
    def set_entries(self, entries: Sequence[OutboxEntry]) -> None:
        self.set_rows(entries)

    def entry(self, row: int) -> OutboxEntry | None:
        entry: OutboxEntry | None = self.row_at(row)
        return entry

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Saved"),
            self.tr("Action"),
            self.tr("Posting / chat"),
            self.tr("State"),
            self.tr("Tries"),
            self.tr("What to do"),
        )

    def cell(self, entry: OutboxEntry, col: int, role: int) -> Any:
        column = Column(col)
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                Column.WHEN: wording.local_time(entry.created_at),
                Column.ACTION: wording.action(entry.action),
                Column.TARGET: entry.target_id,
                Column.STATE: wording.action_state(entry.state),
                Column.TRIES: str(entry.attempts),
                Column.ADVICE: wording.advice(entry),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.ADVICE, Column.STATE):
            text = wording.advice(entry) + (f"\n\n{entry.last_error}" if entry.last_error else "")
            return plain_text.tooltip(text)
        if entry.state is OutboxState.CONFLICT:
            if role == Qt.ItemDataRole.BackgroundRole:
                return _CONFLICT_BACKGROUND
            if role == Qt.ItemDataRole.ForegroundRole:
                return _DARK_TEXT
        return None


class ConflictsDialog(QDialog):
    show_posting = Signal(str)

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        clock: Clock,
        tasks: TaskManager,
        parent: QWidget | None = None,
        sync_now: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._db, self._bus, self._clock, self._tasks = db, bus, clock, tasks
        self._sync_now = sync_now
        self.setWindowTitle(self.tr("Actions waiting for Ozon"))
        self.intro = plain_text.label(
            self.tr(
                "Everything you do is saved here first and sent to Ozon by the background sync. "
                "Actions that Ozon refused need your decision."
            ),
            self,
        )
        self.intro.setWordWrap(True)
        self.model = OutboxModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("outboxTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in (Column.WHEN, Column.ACTION, Column.TARGET, Column.STATE, Column.TRIES):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.detail = plain_text.label("", self)
        self.detail.setObjectName("conflictDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.fontMetrics().height() * 4)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.retry_button = self._button(buttons, "retryAction", self.tr("Retry"), self.retry_selected)
        self.drop_button = self._button(buttons, "dropAction", self.tr("Drop"), self.drop_selected)
        self.redo_button = self._button(buttons, "redoAction", self.tr("Drop and redo…"), self.drop_and_redo)
        self.redo_button.setToolTip(self.tr("Drop the refused action and open the posting to do it differently"))
        self.show_button = self._button(buttons, "showPosting", self.tr("Show posting"), self._show_current)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(buttons)
        self.resize(980, 520)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self._selection_changed()
        self.reload()

    @staticmethod
    def _button(box: QDialogButtonBox, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- data -----------------------------------------------------------------------------------

    def reload(self) -> None:
        db = self._db
        self._tasks.run_db(lambda: outbox_review.listed(db), on_done=self._show)

    def _show(self, entries: list[OutboxEntry]) -> None:
        kept = {e.key for e in self.selected()}
        self.model.set_entries(entries)
        for row, entry in enumerate(entries):
            if entry.key in kept:
                self.view.selectRow(row)
        if not kept and entries:
            self.view.selectRow(0)

    def selected(self) -> list[OutboxEntry]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [e for e in (self.model.entry(r) for r in rows) if e is not None]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.retry_button.setEnabled(outbox_review.can_retry(chosen))
        self.drop_button.setEnabled(outbox_review.can_drop(chosen))
        self.redo_button.setEnabled(outbox_review.can_redo(chosen))
        self.show_button.setEnabled(outbox_review.posting_of(chosen) is not None)
        single = chosen[0] if len(chosen) == 1 else None
        if single is None:
            self.detail.setText("")
            return
        lines = [f"{wording.action(single.action)} · {single.target_id} · {wording.action_state(single.state)}"]
        lines.append(wording.advice(single))
        if single.last_error:
            lines.append(self.tr("Ozon said: {error}").format(error=single.last_error))
        self.detail.setText("\n".join(lines))

    # -- actions --------------------------------------------------------------------------------

    def _change(self, entries: list[OutboxEntry], retry: bool, then: Callable[[], None] | None = None) -> None:
        if not entries:
            return
        db, bus, clock = self._db, self._bus, self._clock
        keys = [e.key for e in entries]

        def done(_postings: set[str]) -> None:
            self.reload()
            if retry and self._sync_now is not None:
                self._sync_now()
            if then is not None:
                then()

        decide = decisions.retry_actions if retry else decisions.drop_actions
        self._tasks.run_db(lambda: decide(db, clock, keys, bus=bus), on_done=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

    def retry_selected(self) -> None:
        self._change(self.selected(), retry=True)

    def drop_selected(self) -> None:
        self._change(self.selected(), retry=False)

    def drop_and_redo(self) -> None:
        chosen = self.selected()
        number = outbox_review.posting_of(chosen)
        if number is None:
            return
        self._change(chosen, retry=False, then=lambda: self.show_posting.emit(number))

    def _show_current(self) -> None:
        number = outbox_review.posting_of(self.selected())
        if number is not None:
            self.show_posting.emit(number)
