"""The print-queue panel of the pack station: labels waiting for Ozon, ready to print, or failed.

Read on the database worker; refreshed after each packing step, when a label arrives, and every few
seconds while shown (the spooler prints without telling anyone).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.db.engine import Database
from app.print_queue import DocKind, JobState, PrintJob
from app.queries import packing as packing_reads
from app.queries.packing import PanelData
from ui import plain_text
from ui.tasks import TaskManager

REFRESH_MS = 5000
SHOWN = 40
_COLOURS = {JobState.WAITING: "#8d6e00", JobState.QUEUED: "#0d47a1", JobState.FAILED: "#b71c1c"}


class PrintQueuePanel(QWidget):
    """Signals:
    print_all_requested(): the packer asked to print every ready label now (batch).
    command_sheet_requested(): the packer wants the sheet of scanner command barcodes.
    """

    print_all_requested = Signal()
    command_sheet_requested = Signal()

    def __init__(
        self, db: Database, tasks: TaskManager, batch_mode: bool, desk: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._desk = desk  # whose jobs it shows (app.desks.printing_desk): "" every job
        self._tasks = tasks
        self._reading = False
        title = plain_text.label(self.tr("Labels"), self)
        font = QFont(title.font())
        font.setPointSizeF(16)
        font.setBold(True)
        title.setFont(font)
        self.summary = plain_text.label("", self)
        self.summary.setObjectName("printSummary")
        self.summary.setWordWrap(True)
        summary_font = QFont(self.summary.font())
        summary_font.setPointSizeF(12)
        self.summary.setFont(summary_font)
        self.list = QListWidget(self)
        self.list.setObjectName("printJobs")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        list_font = QFont(self.list.font())
        list_font.setPointSizeF(12)
        self.list.setFont(list_font)
        # Entries wrap inside the 340 px panel (a failure's reason is long, Russian longer still).
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        self.batch = plain_text.label(self.tr("Batch mode: ready labels print when you press F9"), self)
        self.batch.setWordWrap(True)
        self.batch.setVisible(batch_mode)
        self.batch.setFont(summary_font)
        self.print_all = QPushButton(self.tr("Print all ready labels (F9)"), self)
        self.print_all.setObjectName("printAll")
        self.print_all.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.print_all.clicked.connect(self.print_all_requested)
        self.print_all.setFont(summary_font)
        self.print_all.setMinimumHeight(44)
        self.command_sheet = QPushButton(self.tr("Print the command barcodes"), self)
        self.command_sheet.setObjectName("printCommandSheet")
        self.command_sheet.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.command_sheet.clicked.connect(self.command_sheet_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (title, self.summary, self.list, self.batch, self.print_all, self.command_sheet):
            layout.addWidget(widget, 1 if widget is self.list else 0)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def refresh(self) -> None:
        if self._reading:
            return  # one read at a time; the next trigger brings the news
        self._reading = True
        db, desk = self._db, self._desk
        self._tasks.run_db(
            lambda: packing_reads.print_panel(db, SHOWN, desk), on_done=self._show, on_error=self._failed
        )

    def _failed(self, _exc: BaseException) -> None:
        self._reading = False

    def _show(self, data: PanelData) -> None:
        self._reading = False
        self.summary.setText(
            self.tr("Waiting for Ozon: {waiting} · ready: {queued} · failed: {failed}").format(
                waiting=data.waiting, queued=data.queued, failed=data.failed
            )
        )
        self.list.clear()
        for job in data.jobs:
            item = QListWidgetItem(self._describe(job))
            item.setForeground(QBrush(QColor(_COLOURS.get(job.state, "#333333"))))
            item.setToolTip(plain_text.tooltip(job.last_error))
            self.list.addItem(item)
        self.print_all.setEnabled(data.queued > 0 or data.failed > 0)  # F9 retries the failed ones

    def _describe(self, job: PrintJob) -> str:
        numbers = ", ".join(job.posting_numbers[:3]) + (" …" if len(job.posting_numbers) > 3 else "")
        what = {
            DocKind.OZON_LABEL: self.tr("Label"),
            DocKind.OWN_LABEL: self.tr("Own label"),
            DocKind.ACT: self.tr("Handover act"),
        }.get(job.kind, job.kind.value)
        if job.is_reprint:
            what = self.tr("{what} (reprint)").format(what=what)
        state = {
            JobState.WAITING: self.tr("waits for Ozon"),
            JobState.QUEUED: self.tr("ready to print"),
            JobState.FAILED: self.tr("failed: {error}").format(error=job.last_error),
        }.get(job.state, job.state.value)
        return f"{what} {numbers} — {state}"
