"""Backups in the window: the Settings page's Backup group and the background schedule.

The copy itself is `app.backup` on the TaskManager's I/O pool, never on the GUI thread. A restore
cannot swap the database the running app has open, so the group checks the chosen file, names its
date, and schedules it: `app.context.open_context` restores it at the next start, before the
database is opened (the current one is kept aside). The seller is told to restart.

Signals:
    BackupSchedule.message(str): a backup was written or failed (for the status bar).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app import backup
from app.backup import BackupFile
from app.settings import BACKUP_EVERY_HOURS, BACKUP_KEEP, Settings
from ui import errors, plain_text
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

_OK_STYLE = "QLabel { color: #1b5e20; }"
_BAD_STYLE = "QLabel { color: #b71c1c; }"
CHECK_EVERY_MS = 15 * 60 * 1000  # how often the schedule looks whether a backup is due
FIRST_CHECK_MS = 60 * 1000  # the first look, once the window has settled


def _when(found: BackupFile) -> str:
    return found.taken_at.astimezone().strftime("%d.%m.%Y %H:%M")


class BackupBox(QGroupBox):
    """Folder, every N hours, keep N; Back up now; Restore… (`database` None: not a SQLite file)."""

    def __init__(
        self, tasks: TaskManager, database: Path | None, parent: QWidget | None = None, *, demo: bool = False
    ) -> None:
        super().__init__(self.tr("Backup"), parent)
        self._tasks, self._database, self._demo = tasks, database, demo
        self._shop = backup.shop_tag("", demo)  # the shop in the backups' names: set by `load`
        # Seams for tests: the file dialog and the confirmation.
        self.choose_file: Callable[[], str] = self._choose_file
        self.confirm: Callable[[str], bool] = self._confirm
        self.folder = QLineEdit(self)
        self.folder.setObjectName("backupFolder")
        self.folder.setPlaceholderText(self.tr("Empty: no automatic backups"))
        pick = QPushButton(self.tr("Choose…"), self)
        pick.clicked.connect(self._pick_folder)
        self.every = QSpinBox(self)
        self.every.setObjectName("backupEvery")
        self.every.setRange(*BACKUP_EVERY_HOURS)
        self.every.setSuffix(self.tr(" h"))
        self.keep = QSpinBox(self)
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(*BACKUP_KEEP)
        self.now_button = QPushButton(self.tr("Back up now"), self)
        self.now_button.setObjectName("backupNow")
        self.now_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(self.tr("Restore…"), self)
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self.restore)
        self.cancel_restore_button = QPushButton(self.tr("Cancel the restore"), self)
        self.cancel_restore_button.setObjectName("cancelRestore")
        self.cancel_restore_button.clicked.connect(self.cancel_restore)
        self.cancel_restore_button.hide()
        self.result = plain_text.note("backupResult", self)
        self.restore_result = plain_text.note("restoreResult", self)
        note = plain_text.label(
            self.tr(
                "A backup is a checked copy of the database, made in the background while you work. Only "
                "this shop's own oldest backups in the folder are deleted."
            ),
            self,
        )
        note.setWordWrap(True)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(pick)
        buttons = QHBoxLayout()
        buttons.addWidget(self.now_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.cancel_restore_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(plain_text.label(self.tr("Backup folder"), self), folder_row)
        form.addRow(plain_text.label(self.tr("Back up every"), self), self.every)
        form.addRow(plain_text.label(self.tr("Keep the last"), self), self.keep)
        form.addRow("", note)
        form.addRow("", buttons)
        form.addRow("", self.result)
        form.addRow("", self.restore_result)
        if database is None:
            for button in (self.now_button, self.restore_button):
                button.setEnabled(False)
            plain_text.show(self.result, self.tr("Backups are for the SQLite database in the data folder."), "")
        else:
            self._tasks.run_io(lambda: backup.scheduled(database), on_done=self._show_scheduled)

    # -- the form -------------------------------------------------------------------------------

    def load(self, chosen: Settings) -> None:
        self._shop = backup.shop_tag(chosen.client_id, self._demo)
        self.folder.setText(chosen.backup_folder)
        self.every.setValue(chosen.backup_every_hours)
        self.keep.setValue(chosen.backup_keep)

    def values(self) -> dict[str, object]:
        return {
            "backup_folder": self.folder.text().strip(),
            "backup_every_hours": self.every.value(),
            "backup_keep": self.keep.value(),
        }

    def _pick_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Backup folder"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- back up now ----------------------------------------------------------------------------

    def back_up_now(self) -> None:
        database, folder, keep, shop = self._database, self.folder.text().strip(), self.keep.value(), self._shop
        if database is None:
            return
        if not folder:
            plain_text.show(self.result, self.tr("Choose a backup folder first."), _BAD_STYLE)
            return
        self.now_button.setEnabled(False)
        plain_text.show(self.result, self.tr("Backing up…"), "")
        self._tasks.run_io(
            lambda: backup.backup_to_folder(database, Path(folder), keep, shop=shop),
            on_done=self._backed_up,
            on_error=self._backup_failed,
        )

    def _backed_up(self, made: BackupFile) -> None:
        self.now_button.setEnabled(True)
        size = self.locale().formattedDataSize(made.size)
        plain_text.show(self.result, self.tr("Written: {file} ({size})").format(file=made.path, size=size), _OK_STYLE)

    def _backup_failed(self, exc: BaseException) -> None:
        self.now_button.setEnabled(True)
        if not errors.is_expected(exc):
            log.error("backup failed", exc_info=exc)
        plain_text.show(self.result, errors.message_for(exc), _BAD_STYLE)

    # -- restore --------------------------------------------------------------------------------

    def _choose_file(self) -> str:
        folder = self.folder.text().strip()
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Restore a backup"), folder, self.tr("Packdesk backups (*.sqlite3);;All files (*)")
        )
        return chosen

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Restore a backup"), text)
        return answer == QMessageBox.StandardButton.Yes

    def restore(self) -> None:
        database, chosen = self._database, self.choose_file()
        if database is None or not chosen:
            return
        self.restore_button.setEnabled(False)
        plain_text.show(self.restore_result, self.tr("Checking the backup…"), "")
        self._tasks.run_io(lambda: backup.check(Path(chosen)), on_done=self._checked, on_error=self._restore_failed)

    def _checked(self, found: BackupFile) -> None:
        database = self._database
        self.restore_button.setEnabled(True)
        plain_text.show(self.restore_result, "", "")
        question = self.tr(
            "Restore the backup of {date} ({size})?\n\n"
            "Packdesk cannot replace the database it has open, so it restores the backup the next time it "
            "starts: close Packdesk and start it again. The current database is not deleted: it is kept in the "
            "data folder as {name}.before-restore-…. What you do until the restart is only in that kept copy."
        ).format(
            date=_when(found),
            size=self.locale().formattedDataSize(found.size),
            name=database.name if database else "",
        )
        if database is None or not self.confirm(question):
            return
        self._tasks.run_io(
            lambda: backup.schedule_restore(found.path, database),
            on_done=lambda done: self._show_scheduled(done.path),
            on_error=self._restore_failed,
        )

    def _show_scheduled(self, file: Path | None) -> None:
        if file is None:
            return
        plain_text.show(
            self.restore_result,
            self.tr("Restore of {file} scheduled: close Packdesk and start it again to finish.").format(file=file),
            _OK_STYLE,
        )
        self.cancel_restore_button.show()

    def cancel_restore(self) -> None:
        """The seller picked the wrong backup: nothing is restored at the next start."""
        database = self._database
        if database is None:
            return

        def cancelled(_: object) -> None:
            self.cancel_restore_button.hide()
            plain_text.show(
                self.restore_result, self.tr("The restore is cancelled: the database stays as it is."), _OK_STYLE
            )

        self._tasks.run_io(lambda: backup.cancel_scheduled(database), on_done=cancelled, on_error=self._restore_failed)

    def _restore_failed(self, exc: BaseException) -> None:
        self.restore_button.setEnabled(True)
        if not errors.is_expected(exc):
            log.error("restore check failed", exc_info=exc)
        plain_text.show(self.restore_result, errors.message_for(exc), _BAD_STYLE)


class BackupSchedule(QObject):
    """Makes a backup on the I/O pool when the newest one in the folder is older than the setting."""

    message = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        database: Path | None,
        settings: Callable[[], Settings],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks, self._database, self._settings = tasks, database, settings
        self._running = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        if database is not None:
            QTimer.singleShot(FIRST_CHECK_MS, self, self.check)
            self._timer.start(CHECK_EVERY_MS)

    def check(self) -> None:
        chosen, database = self._settings(), self._database
        if database is None or not chosen.backup_folder or self._running:
            return
        folder, every, keep = Path(chosen.backup_folder), chosen.backup_every_hours, chosen.backup_keep
        shop = backup.shop_tag(chosen.client_id, demo=False)  # the window never backs the demo up

        def run() -> BackupFile | None:
            if not backup.is_due(folder, every, datetime.now(UTC), shop):
                return None
            return backup.backup_to_folder(database, folder, keep, shop=shop)

        self._running = True
        self._tasks.run_io(run, on_done=self._done, on_error=self._failed)

    def _done(self, made: BackupFile | None) -> None:
        self._running = False
        if made is not None:
            self.message.emit(self.tr("Backup written: {file}").format(file=made.path.name))

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        log.error("the scheduled backup failed: %s", exc, exc_info=not errors.is_expected(exc))
        self.message.emit(self.tr("Backup failed: {reason}").format(reason=errors.message_for(exc)))
