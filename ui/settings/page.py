"""The Settings page: Ozon account, demo mode, printers, auto-print, sounds, sync interval, language,
the database and this desk's name (ui/settings/database.py), backups (ui/settings/backup.py).

Everything is saved through `app.settings.save` (the Api-Key and the database password go to the OS
keyring through `app.secrets`, never into the file). Saving, the keyring and the connection test run
off the GUI thread; their errors become plain sentences on the page, never a traceback.

Signals:
    saved(Settings): the settings file was written; the window applies what it can at once.
    key_expiry(object): `datetime | None` from a successful connection test.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRegularExpression, Qt, QTime, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app import account, paths, secrets
from app import settings as settings_file
from app.account import ClientFactory
from app.clock import Clock
from app.db.engine import Database
from app.errors import CredentialsMissing, UserError
from app.settings import (
    LABEL_DPIS,
    LABEL_FORMATS,
    LABEL_SIZES,
    LANGUAGES,
    PERSONAL_DATA_DAYS,
    SYNC_INTERVAL_S,
    Settings,
)
from ui import errors, plain_text
from ui.settings.account import default_client
from ui.settings.backup import BackupBox
from ui.settings.database import DatabaseBox
from ui.settings.packers import PackersBox
from ui.settings.printers import PrinterPort, SystemPrinters
from ui.tasks import TaskManager

log = logging.getLogger(__name__)

# Each language by its own name (the codes are declared in app.settings.LANGUAGES).
LANGUAGE_NAMES = {"zh_CN": "中文", "ru_RU": "Русский", "en": "English"}
_OK_STYLE = "QLabel { color: #1b5e20; }"
_BAD_STYLE = "QLabel { color: #b71c1c; }"
_WARN_STYLE = "QLabel { color: #8d6e00; font-weight: bold; }"
# Changes that the running app cannot pick up; the seller is told to restart.
RESTART_FIELDS = ("language", "demo_mode", "sync_interval_s", "client_id", "personal_data_days", "work_hours")
# The database is opened once, at start: a new address (or desk name) applies after a restart.
DATABASE_FIELDS = ("database_url", "desk_name")


class KeyringUnavailable(UserError):
    def __init__(self, reason: str) -> None:
        super().__init__("keyring_unavailable", f"the OS keyring refused the Api-Key: {reason}", reason=reason)


class SettingsNotSaved(UserError):
    def __init__(self, reason: str) -> None:
        super().__init__("settings_not_saved", f"the settings file could not be written: {reason}", reason=reason)


def write(path: Path, chosen: Settings, api_key: str, database_password: str = "") -> None:
    """Runs on the I/O pool: the settings file first (its database address without the password),
    then the database password and the key (a keyring problem keeps the rest)."""
    try:
        settings_file.save(path, chosen)
    except OSError as exc:
        raise SettingsNotSaved(exc.strerror or type(exc).__name__) from None
    refused: UserError | None = None
    if database_password:
        try:
            secrets.store_database_password(chosen.database_url, database_password)
        except secrets.DatabaseKeyringUnavailable as exc:
            refused = exc  # the Api-Key may still be stored
    if api_key:
        try:
            secrets.store_api_key(chosen.client_id, api_key)
        except Exception as exc:  # keyring backends raise KeyringError, RuntimeError, DBus errors…
            log.warning("could not store the Api-Key in the OS keyring: %s", type(exc).__name__)
            raise KeyringUnavailable(str(exc) or type(exc).__name__) from None
    if refused is not None:
        raise refused


@dataclass(frozen=True, slots=True)
class DemoFacts:
    """What the running demo really uses; the page shows them beside the seller's own settings,
    which it edits (and which apply when the demo is off)."""

    printer_folder: str  # labels and documents become files here
    sync_interval_s: float


class SettingsPage(QWidget):
    saved = Signal(Settings)
    key_expiry = Signal(object)

    def __init__(
        self,
        settings: Settings,
        path: Path,
        db: Database,
        clock: Clock,
        tasks: TaskManager,
        parent: QWidget | None = None,
        *,
        make_client: ClientFactory = default_client,
        printers: PrinterPort | None = None,
        demo: DemoFacts | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.demo = demo
        self.path = path
        self._db, self._clock, self._tasks = db, clock, tasks
        self._make_client = make_client
        self.printers: PrinterPort = printers or SystemPrinters()

        body = QWidget(self)
        body.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 64)  # lines a reader can follow
        column = QVBoxLayout(body)
        column.addWidget(self._account_box(body))
        column.addWidget(self._printing_box(body))
        column.addWidget(self._desk_box(body))
        column.addWidget(self._app_box(body))
        self.database = DatabaseBox(tasks, clock, paths.Paths(path.parent).database, db.shown, body)
        column.addWidget(self.database)
        self.backup = BackupBox(tasks, db.path, body, demo=demo is not None)
        column.addWidget(self.backup)
        self.packers = PackersBox(tasks, db, clock, body)
        column.addWidget(self.packers)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.save_button = QPushButton(self.tr("Save settings"), self)
        self.save_button.setObjectName("saveSettings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.result = plain_text.note("saveResult", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)
        self.load(settings)
        self._show_demo_facts()
        if demo is None:
            self.show_stored_expiry()  # in the demo that is the emulator's key: not the seller's
        else:
            self.show_expiry(None)

    # -- building -------------------------------------------------------------------------------

    def _account_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Ozon account"), parent)
        self.client_id = QLineEdit(box)
        self.client_id.setObjectName("clientId")
        self.client_id.setMaxLength(32)
        # Ozon's Client-Id is a number; a pasted one may come with spaces around it (stripped on save).
        self.client_id.setValidator(QRegularExpressionValidator(QRegularExpression(r"\s*\d*\s*"), self.client_id))
        self.client_id.setPlaceholderText(self.tr("Ozon seller cabinet → Settings → API keys"))
        self.api_key = QLineEdit(box)
        self.api_key.setObjectName("apiKey")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setMaxLength(200)
        self.test_button = QPushButton(self.tr("Test connection"), box)
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.connection_result = plain_text.note("connectionResult", self)
        self.expiry = plain_text.note("keyExpiry", self)
        note = self.tr("The Api-Key is kept in the system keyring, never in the settings file. Empty: keep it.")
        key_note = plain_text.label(note, box)
        key_note.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.connection_result, 1)
        form = QFormLayout(box)
        form.addRow(plain_text.label(self.tr("Client-Id"), box), self.client_id)
        form.addRow(plain_text.label(self.tr("Api-Key"), box), self.api_key)
        form.addRow("", key_note)
        form.addRow("", test_row)
        form.addRow(plain_text.label(self.tr("Key expires"), box), self.expiry)
        self.demo_mode = QComboBox(box)
        self.demo_mode.setObjectName("demoMode")
        self.demo_mode.addItem(self.tr("Automatic: demo until an account is set up"), None)
        self.demo_mode.addItem(self.tr("On: the built-in demo shop"), True)
        self.demo_mode.addItem(self.tr("Off: my Ozon shop"), False)
        form.addRow(plain_text.label(self.tr("Demo mode"), box), self.demo_mode)
        return box

    def _printing_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Printing"), parent)
        hint = self.tr("A system printer, tcp://HOST:9100 for a network printer, or a file path")
        self.label_printer = self._printer_combo("labelPrinter", hint, box)
        self.document_printer = self._printer_combo("documentPrinter", hint, box)
        self.label_format = QComboBox(box)
        self.label_format.setObjectName("labelFormat")
        for value, text in zip(
            LABEL_FORMATS,
            (self.tr("PDF (printer driver)"), self.tr("ZPL (Zebra)"), self.tr("TSPL (TSC, Xprinter)")),
            strict=True,
        ):
            self.label_format.addItem(text, value)
        self.label_size = QComboBox(box)
        self.label_size.setObjectName("labelSize")
        for value in LABEL_SIZES:
            self.label_size.addItem(self.tr("{size} mm").format(size=value.replace("x", " × ")), value)
        self.label_dpi = QComboBox(box)
        self.label_dpi.setObjectName("labelDpi")
        for dpi in LABEL_DPIS:
            self.label_dpi.addItem(self.tr("{dpi} dpi").format(dpi=dpi), dpi)
        self.test_print_button = QPushButton(self.tr("Print a test label"), box)
        self.test_print_button.setObjectName("testPrint")
        self.test_print_button.clicked.connect(self.test_print)
        self.print_result = plain_text.note("printResult", self)
        self.auto_print = QCheckBox(self.tr("Print the label as soon as a posting is packed"), box)
        self.auto_print.setObjectName("autoPrint")
        self.sender_name = QLineEdit(box)
        self.sender_name.setObjectName("sender")
        self.sender_name.setPlaceholderText(self.tr("Shop or company name on your own labels (empty: the warehouse)"))
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_print_button)
        test_row.addWidget(self.print_result, 1)
        form = QFormLayout(box)
        form.addRow(plain_text.label(self.tr("Label printer"), box), self.label_printer)
        form.addRow(plain_text.label(self.tr("A4 printer"), box), self.document_printer)
        form.addRow(plain_text.label(self.tr("Label language"), box), self.label_format)
        form.addRow(plain_text.label(self.tr("Label size"), box), self.label_size)
        form.addRow(plain_text.label(self.tr("Resolution"), box), self.label_dpi)
        form.addRow(plain_text.label(self.tr("Sender"), box), self.sender_name)
        form.addRow("", test_row)
        form.addRow("", self.auto_print)
        self.demo_printing = plain_text.note("demoPrinting", self)
        form.addRow("", self.demo_printing)
        return box

    def _printer_combo(self, name: str, hint: str, parent: QWidget) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setMinimumContentsLength(28)
        combo.setToolTip(hint)
        line = combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(hint)
        for printer in self.printers.available():
            combo.addItem(printer)  # names from the system; combo items are plain text
        return combo

    def _desk_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Packing and handover"), parent)
        self.gs_substitute = QLineEdit(box)
        self.gs_substitute.setObjectName("gsSubstitute")
        self.gs_substitute.setMaxLength(8)
        self.gs_substitute.setPlaceholderText(self.tr("Empty: the scanner sends the GS character itself"))
        gs_note = plain_text.label(
            self.tr(
                "Честный ЗНАК codes contain an invisible separator (GS). If your scanner is set to type something "
                "else in its place, enter that here."
            ),
            box,
        )
        gs_note.setWordWrap(True)
        self.trusted_acceptance = QCheckBox(self.tr("My shop is on Ozon's trusted acceptance"), box)
        self.trusted_acceptance.setObjectName("trustedAcceptance")
        trusted_note = plain_text.label(
            self.tr("Then Ozon is told the number of boxes of each carriage; without it Ozon expects no box count."),
            box,
        )
        trusted_note.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(plain_text.label(self.tr("GS placeholder"), box), self.gs_substitute)
        form.addRow("", gs_note)
        form.addRow("", self.trusted_acceptance)
        form.addRow("", trusted_note)
        return box

    def _app_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Packdesk"), parent)
        self.sounds = QCheckBox(self.tr("Sounds for good and wrong scans"), box)
        self.sounds.setObjectName("sounds")
        self.chat_notify = QCheckBox(self.tr("Notify me when a buyer writes in a chat"), box)
        self.chat_notify.setObjectName("chatNotify")
        self.chat_sound = QCheckBox(self.tr("Play a sound when a buyer writes in a chat"), box)
        self.chat_sound.setObjectName("chatSound")
        # The shop's working hours: auto-reply rules may answer only outside them.
        self.work_from, self.work_to = QTimeEdit(box), QTimeEdit(box)
        self.work_from.setObjectName("workFrom")
        self.work_to.setObjectName("workTo")
        hours = QWidget(box)
        hours_row = QHBoxLayout(hours)
        hours_row.setContentsMargins(0, 0, 0, 0)
        for edit in (self.work_from, self.work_to):
            edit.setDisplayFormat("HH:mm")
        hours_row.addWidget(self.work_from)
        hours_row.addWidget(plain_text.label("–", hours))
        hours_row.addWidget(self.work_to)
        hours_row.addStretch(1)
        hours.setToolTip(self.tr("Auto-replies set to answer outside working hours use these (local time)."))
        self.sync_interval = QSpinBox(box)
        self.sync_interval.setObjectName("syncInterval")
        self.sync_interval.setRange(*SYNC_INTERVAL_S)
        self.sync_interval.setSingleStep(15)
        self.sync_interval.setSuffix(self.tr(" s"))
        self.language = QComboBox(box)
        self.language.setObjectName("language")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code) or self.tr("System language"), code)
        self.personal_data_days = QSpinBox(box)
        self.personal_data_days.setObjectName("personalDataDays")
        self.personal_data_days.setRange(*PERSONAL_DATA_DAYS)
        self.personal_data_days.setSuffix(self.tr(" days"))
        self.personal_data_days.setToolTip(
            self.tr("Buyers' names and addresses of finished orders are erased after this many days (Ozon's rules).")
        )
        restart = plain_text.label(
            self.tr(
                "Language, demo mode, sync interval, working hours and how long buyers' details are kept apply "
                "after a restart."
            ),
            box,
        )
        restart.setWordWrap(True)
        font = QFont(restart.font())
        font.setItalic(True)
        restart.setFont(font)
        form = QFormLayout(box)
        form.addRow("", self.sounds)
        form.addRow("", self.chat_notify)
        form.addRow("", self.chat_sound)
        form.addRow(plain_text.label(self.tr("Working hours"), box), hours)
        form.addRow(plain_text.label(self.tr("Sync every"), box), self.sync_interval)
        self.demo_sync = plain_text.note("demoSync", self)
        form.addRow("", self.demo_sync)
        form.addRow(plain_text.label(self.tr("Language"), box), self.language)
        form.addRow(plain_text.label(self.tr("Keep buyers' details"), box), self.personal_data_days)
        form.addRow("", restart)
        return box

    # -- form <-> settings ----------------------------------------------------------------------

    def load(self, chosen: Settings) -> None:
        self.client_id.setText(chosen.client_id)
        self.api_key.clear()
        self.api_key.setPlaceholderText(self.tr("Paste the Api-Key here"))
        if chosen.client_id:  # the keyring may be slow or ask to be unlocked: never on the GUI thread
            cid = chosen.client_id
            self._tasks.run_io(lambda: bool(secrets.api_key(cid)), on_done=self._show_key_stored)
        self.demo_mode.setCurrentIndex(max(0, self.demo_mode.findData(chosen.demo_mode)))
        if chosen.demo_mode is None:
            self.demo_mode.setCurrentIndex(0)
        self._set_combo_text(self.label_printer, chosen.label_printer)
        self._set_combo_text(self.document_printer, chosen.document_printer)
        self.label_format.setCurrentIndex(max(0, self.label_format.findData(chosen.label_format.lower())))
        self.label_size.setCurrentIndex(max(0, self.label_size.findData(chosen.label_size.lower())))
        self.label_dpi.setCurrentIndex(max(0, self.label_dpi.findData(chosen.label_dpi)))
        self.auto_print.setChecked(chosen.auto_print)
        self.sender_name.setText(chosen.label_sender)
        self.gs_substitute.setText(chosen.gs_substitute)
        self.trusted_acceptance.setChecked(chosen.trusted_acceptance)
        self.sounds.setChecked(chosen.sounds)
        self.chat_notify.setChecked(chosen.chat_notify)
        self.chat_sound.setChecked(chosen.chat_sound)
        start, end = chosen.work_hours.split("-")
        self.work_from.setTime(QTime.fromString(start, "HH:mm"))
        self.work_to.setTime(QTime.fromString(end, "HH:mm"))
        self.sync_interval.setValue(chosen.sync_interval_s)
        self.personal_data_days.setValue(chosen.personal_data_days)
        self.language.setCurrentIndex(max(0, self.language.findData(chosen.language)))
        self.database.load(chosen)
        self.backup.load(chosen)

    def _show_key_stored(self, stored: bool) -> None:
        if stored and not self.api_key.text():
            self.api_key.setPlaceholderText(self.tr("Saved in the system keyring"))

    @staticmethod
    def _set_combo_text(combo: QComboBox, text: str) -> None:
        index = combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            combo.setCurrentIndex(index)
        else:
            combo.setEditText(text)

    def chosen(self) -> Settings:
        """The settings as the form shows them (not saved yet)."""
        return self.settings.replace(
            client_id=self.client_id.text().strip(),
            demo_mode=self.demo_mode.currentData(),
            label_printer=self.label_printer.currentText().strip(),
            document_printer=self.document_printer.currentText().strip(),
            label_format=str(self.label_format.currentData()),
            label_size=str(self.label_size.currentData()),
            label_dpi=int(self.label_dpi.currentData()),
            auto_print=self.auto_print.isChecked(),
            label_sender=self.sender_name.text().strip(),
            gs_substitute=self.gs_substitute.text(),  # a space is a valid placeholder: not stripped
            trusted_acceptance=self.trusted_acceptance.isChecked(),
            sounds=self.sounds.isChecked(),
            chat_notify=self.chat_notify.isChecked(),
            chat_sound=self.chat_sound.isChecked(),
            work_hours=f"{self.work_from.time().toString('HH:mm')}-{self.work_to.time().toString('HH:mm')}",
            sync_interval_s=self.sync_interval.value(),
            personal_data_days=self.personal_data_days.value(),
            language=str(self.language.currentData()),
            **self._database_values(),
            **self.backup.values(),
        )

    def _database_values(self) -> dict[str, object]:
        try:
            address, _password = self.database.typed()
        except UserError:  # not an address: `save` says so and writes nothing
            address = self.database.address.text().strip()
        return self.database.values(address)

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        chosen, key, path = self.chosen(), self.api_key.text().strip(), self.path
        if key and not chosen.client_id:
            plain_text.show(self.result, errors.message_for(CredentialsMissing("Client-Id")), _BAD_STYLE)
            return
        try:
            _address, db_password = self.database.typed()
        except UserError as exc:
            plain_text.show(self.result, errors.message_for(exc), _BAD_STYLE)
            return
        bad = settings_file.problems(chosen)
        if bad:  # the form's widgets keep to the declared ranges; a value that slipped past is not saved
            names = ", ".join(bad)
            notice = settings_file.SettingsNotice("settings_invalid", f"invalid settings: {names}", names=names)
            plain_text.show(self.result, errors.message_for(notice), _BAD_STYLE)
            return
        self.save_button.setEnabled(False)
        plain_text.show(self.result, self.tr("Saving…"), "")
        before = self.settings
        self._tasks.run_io(
            lambda: write(path, chosen, key, db_password),
            on_done=lambda _none: self._saved(before, chosen, key_saved=bool(key), password_saved=bool(db_password)),
            on_error=lambda exc: self._save_failed(before, chosen, exc),
        )

    def _saved(self, before: Settings, chosen: Settings, key_saved: bool, password_saved: bool = False) -> None:
        self.save_button.setEnabled(True)
        self.settings = chosen
        if key_saved:
            self.api_key.clear()
            self.api_key.setPlaceholderText(self.tr("Saved in the system keyring"))
        if password_saved:  # the form shows the address as the file keeps it: without the password
            self.database.address.setText(chosen.database_url)
            self.database.show_password_kept(True)
        restart = [f for f in RESTART_FIELDS if getattr(before, f) != getattr(chosen, f)] or key_saved
        moved = password_saved or any(getattr(before, f) != getattr(chosen, f) for f in DATABASE_FIELDS)
        text = self.tr("Saved.")
        if restart:
            text += " " + self.tr(
                "Restart Packdesk to apply the changes (account, language, mode, sync interval, buyers' details)."
            )
        if moved:
            text += " " + self.tr(
                "The database address and the desk's name take effect when Packdesk starts again: the database "
                "cannot be swapped under a running window."
            )
        plain_text.show(self.result, text, _OK_STYLE)
        self.saved.emit(chosen)

    def _save_failed(self, before: Settings, chosen: Settings, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, KeyringUnavailable | secrets.DatabaseKeyringUnavailable):
            # The file was written; only the key is missing.
            self.settings = chosen
            self.saved.emit(chosen)
        if errors.is_expected(exc):
            plain_text.show(self.result, errors.message_for(exc), _BAD_STYLE)
        else:
            plain_text.show(self.result, "", "")
            errors.show_error(self, exc)

    # -- connection test ------------------------------------------------------------------------

    def test_connection(self) -> None:
        make, cid, key, url = self._make_client, self.client_id.text(), self.api_key.text(), self.settings.api_url
        self.test_button.setEnabled(False)
        plain_text.show(self.connection_result, self.tr("Asking Ozon…"), "")
        self._tasks.run_io(
            lambda: account.check_connection(make, cid, key, url),
            on_done=self._connection_ok,
            on_error=self._connection_failed,
        )

    def _connection_ok(self, expires_at: datetime | None) -> None:
        self.test_button.setEnabled(True)
        plain_text.show(
            self.connection_result, self.tr("Connected: Ozon accepted the Client-Id and Api-Key."), _OK_STYLE
        )
        self.show_expiry(expires_at)
        db, clock = self._db, self._clock
        self._tasks.run_db(lambda: account.store_expiry(db, expires_at, clock.now()))
        self.key_expiry.emit(expires_at)

    def _connection_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        if not errors.is_expected(exc):
            log.error("connection test failed", exc_info=exc)
        plain_text.show(self.connection_result, errors.message_for(exc), _BAD_STYLE)

    def show_stored_expiry(self) -> None:
        db = self._db
        self._tasks.run_db(lambda: account.stored_expiry(db), on_done=self.show_expiry)

    def _show_demo_facts(self) -> None:
        """In the demo: where its prints go and how often it syncs (not the seller's own values)."""
        demo = self.demo
        self.demo_printing.setVisible(demo is not None and bool(demo.printer_folder))
        self.demo_sync.setVisible(demo is not None)
        if demo is None:
            return
        folder = demo.printer_folder
        if folder:
            self.demo_printing.setText(
                self.tr("Demo mode: every label and document is saved as a file in {folder}").format(folder=folder)
            )
            for combo in (self.label_printer, self.document_printer):
                line = combo.lineEdit()
                if line is not None:
                    line.setPlaceholderText(self.tr("Demo: files in {folder}").format(folder=folder))
        self.demo_sync.setText(
            self.tr("Demo mode syncs every {seconds} s; the interval above is for your own shop.").format(
                seconds=f"{demo.sync_interval_s:g}"
            )
        )

    def show_expiry(self, expires_at: datetime | None) -> None:
        if expires_at is None:
            if self.demo is not None and not self.client_id.text().strip():
                plain_text.show(self.expiry, self.tr("No Api-Key yet: the demo needs none."), "")
            elif self.demo is not None:
                plain_text.show(self.expiry, self.tr("Not checked in demo mode: test the connection to find out."), "")
            else:
                plain_text.show(self.expiry, self.tr("Unknown: test the connection to find out."), "")
            return
        now = self._clock.now()
        day = expires_at.astimezone().strftime("%d.%m.%Y")
        left = account.days_left(expires_at, now)
        if account.needs_warning(expires_at, now):
            text = self.tr("{date}: %n day(s) left. Create a new key in the Ozon seller cabinet.", "", left)
            plain_text.show(self.expiry, text.format(date=day), _WARN_STYLE)
        else:
            plain_text.show(self.expiry, self.tr("{date} (%n day(s) left)", "", left).format(date=day), "")

    # -- test print -----------------------------------------------------------------------------

    def test_print(self) -> None:
        chosen, printers = self.chosen(), self.printers
        self.test_print_button.setEnabled(False)
        plain_text.show(self.print_result, self.tr("Printing…"), "")

        def run() -> None:
            printers.test_print(chosen.label_printer, chosen.label_format, chosen.label_size, chosen.label_dpi)

        self._tasks.run_io(run, on_done=lambda _none: self._printed(), on_error=self._print_failed)

    def _printed(self) -> None:
        self.test_print_button.setEnabled(True)
        plain_text.show(
            self.print_result,
            self.tr("Sent. The frame must be whole and the ruler's 10 mm marks exactly 10 mm apart."),
            _OK_STYLE,
        )

    def _print_failed(self, exc: BaseException) -> None:
        self.test_print_button.setEnabled(True)
        if not errors.is_expected(exc):
            log.error("test print failed", exc_info=exc)
        plain_text.show(self.print_result, errors.message_for(exc), _BAD_STYLE)
