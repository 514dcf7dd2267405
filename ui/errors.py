"""The one place that turns exceptions into messages for the seller.

* `UserCancelled`: nothing is shown.
* `UserError` (app/errors.py) and Ozon's errors (sync/errors.py): a translated sentence chosen by
  the error's code or class (`message_for`), as plain text. The environment's or the user's problem.
* Anything else is a bug: the traceback goes to the log; the seller sees a short apology.

Every dialog names the log file and has "Copy details" and "Show log". `install_excepthooks()`
routes uncaught exceptions (GUI thread and worker threads) here; `install_qt_message_handler()`
routes Qt's own warnings into logging. Every dialog text is plain text: exception messages may
quote buyer data or server answers.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserCancelled, UserError
from app.logs import redact
from sync import errors as ozon
from ui import log_view, wording

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")
translate = QCoreApplication.translate
LOG_FILE_NAME = "packdesk.log"  # app/logs.py writes this file in the logs folder

_log_location: Path | None = None
_open_bug_dialog: ErrorDialog | None = None


def set_log_location(path: Path | None) -> None:
    """The logs folder, named in every error dialog (the logging setup is main.py's)."""
    global _log_location
    _log_location = path


def log_file() -> Path | None:
    return None if _log_location is None else _log_location / LOG_FILE_NAME


# -- messages -------------------------------------------------------------------------------------


def _user_messages() -> dict[str, str]:
    """Sentences for `UserError.code`; `{name}` fields come from the error's params."""
    return {
        "credentials_missing": translate(
            "Errors", "{what} is not set. Enter your Ozon Client-Id and Api-Key in Settings."
        ),
        "database_too_new": translate(
            "Errors", "The database was written by a newer Packdesk (schema {revision}). Update Packdesk to open it."
        ),
        "keyring_unavailable": translate(
            "Errors",
            "The Api-Key could not be saved: this computer has no working keyring (password store). "
            "Set OZON_API_KEY in the environment instead, or install and unlock a keyring.",
        ),
        "posting_unknown": translate("Errors", "This posting is not in the local copy yet. Sync, then try again."),
        "posting_pending": translate("Errors", "This posting already has an action waiting to be sent to Ozon."),
        "posting_not_shippable": translate("Errors", "This posting cannot be shipped now (status: {status})."),
        "posting_cancelled": translate("Errors", "This posting is cancelled."),
        "posting_not_cancellable": translate("Errors", "This posting can no longer be cancelled (status: {status})."),
        "not_confirmable": translate("Errors", "Only new postings can be confirmed (status: {status})."),
        "awaiting_ozon": translate(
            "Errors", "Ozon approves this rFBS order itself; it moves to “To pack” when Ozon has done so."
        ),
        "needs_cabinet": translate(
            "Errors",
            "Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller cabinet.",
        ),
        "marks_needed": translate(
            "Errors", "Ozon needs a Честный ЗНАК code for every unit of SKU {sku}: pack it at the pack station."
        ),
        "customs_needed": translate(
            "Errors", "Ozon needs the customs declaration number of SKU {sku}: pack it at the pack station."
        ),
        "customs_not_needed": translate("Errors", "Ozon needs no customs declaration number for SKU {sku}."),
        "gtd_malformed": translate(
            "Errors", "A customs declaration number looks like 10702070/110326/3041525 (office/date/number)."
        ),
        "gtd_bad_date": translate("Errors", "The date in the customs declaration number is not a real date."),
        "label_pdf_unreadable": translate("Errors", "Ozon's label file cannot be read: {detail}"),
        "cancel_message_required": translate("Errors", "This reason needs a message for Ozon."),
        "cancel_message_too_long": translate("Errors", "The message for Ozon may have at most 500 characters."),
        "reprint_reason": translate("Errors", "This label was printed before: give a reason to print it again."),
        "override_reason": translate("Errors", "Give a reason to complete without scanning every unit."),
        "package_empty": translate("Errors", "A package has no items."),
        "sku_not_in_posting": translate("Errors", "SKU {sku} is not in this posting."),
        "bad_quantity": translate("Errors", "The quantity of SKU {sku} must be positive."),
        "package_quantities": translate("Errors", "The packages do not match the posting ({detail})."),
        "nothing_to_hand_over": translate("Errors", "Nothing to hand over: choose packed postings."),
        "not_packed": translate("Errors", "Only packed postings can be handed over."),
        "not_rfbs": translate("Errors", "Only rFBS postings (you deliver them) take this step."),
        "tracking_empty": translate("Errors", "Enter or scan the tracking number."),
        "tracking_invalid": translate("Errors", "This does not look like a tracking number."),
        "tracking_is_a_code": translate(
            "Errors", "This is a product or label barcode, not a tracking number: scan the carrier's number."
        ),
        "tracking_too_late": translate("Errors", "The tracking number can no longer be changed for this posting."),
        "not_available": translate("Errors", "This is not available in this version of Packdesk."),
        "bad_package": translate("Errors", "A package is written wrong: use SKU:QTY[,SKU:QTY…]."),
        "settings_not_saved": translate("Errors", "The settings file could not be written: {reason}"),
        # printing/
        "printer_not_set": translate("Errors", "No printer is set up: choose one in Settings → Printing."),
        "printer_address": translate(
            "Errors", "This printer address is not valid: use tcp://HOST:PORT, a printer name or a file path."
        ),
        "printer_needs_raw": translate(
            "Errors",
            "The printer at {printer} takes printer commands, not a PDF: set the label language to ZPL or TSPL.",
        ),
        "printer_refused": translate(
            "Errors",
            "The printer at {printer} refused the connection: check that it is on and that the port is its raw "
            "printing port (usually 9100).",
        ),
        "printer_no_answer": translate(
            "Errors", "The printer at {printer} does not answer: check that it is on and connected, and the address."
        ),
        "printer_unknown_host": translate("Errors", "The printer address {printer} cannot be found: check it."),
        "printer_unreachable": translate("Errors", "Cannot reach the printer at {printer}."),
        "printer_stalled": translate(
            "Errors",
            "The printer at {printer} stopped taking data: it may be paused, out of labels, or its lid may be open.",
        ),
        "printer_dropped": translate("Errors", "The printer at {printer} dropped the connection during the job."),
        "printer_not_finished": translate(
            "Errors",
            "The printer at {printer} did not finish receiving the job: check it, and whether a label came out, "
            "before printing again.",
        ),
        "cups_missing": translate("Errors", "The print command 'lp' is not installed (apt-get install cups-client)."),
        "cups_timeout": translate("Errors", "The print system did not take the job for {printer} in time."),
        "cups_refused": translate("Errors", "The print system refused the job for {printer}."),
        "windows_pdf": translate("Errors", "On Windows labels print directly only as ZPL or TSPL: choose one of them."),
        "pywin32_missing": translate("Errors", "Printing to a Windows printer needs the pywin32 package."),
        "unknown_format": translate("Errors", "Unknown label language: use PDF, ZPL or TSPL."),
        "unknown_size": translate("Errors", "Unknown label size."),
        "unknown_dpi": translate("Errors", "Unsupported printer resolution: use 203 or 300 dpi."),
        "settings_damaged": translate(
            "Errors", "The settings file was damaged and has been reset. The old file was kept as {file}."
        ),
        "settings_invalid": translate("Errors", "These settings cannot take the values entered: {names}."),
        "settings_reset": translate("Errors", "Some settings were invalid and were reset to defaults: {names}."),
        "label_not_cached": translate(
            "Errors", "Ozon's label for this posting has not been downloaded yet; it prints when it arrives."
        ),
        # app/db: the database file and its folder
        "database_damaged": translate(
            "Errors",
            "The database is damaged: {path}. Packdesk left the file untouched and stopped syncing. Restore a "
            "backup copy of the file, or move it away to start with an empty database (the sqlite3 tool's "
            ".recover command exports what is still readable).",
        ),
        "database_missing": translate(
            "Errors",
            "The database {path} is missing or empty, but Packdesk kept its data there. Restore the file from a "
            "backup; to start afresh with an empty database, delete {marker}.",
        ),
        "database_in_use": translate(
            "Errors",
            "Another Packdesk ({owner}) is using the database {path}. Close it first: two programs on one "
            "database would send the same actions to Ozon twice.",
        ),
        "disk_full": translate("Errors", "The disk holding {folder} is full: free space and try again."),
        "folder_read_only": translate(
            "Errors", "Packdesk cannot write to {folder}: make the folder writable, or choose another data folder."
        ),
        "database_driver_missing": translate(
            "Errors",
            "The database address needs the {driver} driver, which is not installed: install it with "
            "pip install {package}.",
        ),
        "database_url_invalid": translate(
            "Errors", "{url} is not a database address (e.g. postgresql+psycopg://packdesk@192.168.1.10/shop)."
        ),
        "database_unreachable": translate(
            "Errors",
            "The shop's database server {server} cannot be reached ({detail}). Check the network and that the "
            "server is running; this desk takes no new work until it is back.",
        ),
        "database_login_refused": translate(
            "Errors",
            "The shop's database server {server} refused the login of {user}: check the user name and password in "
            "Settings → Database.",
        ),
        "database_not_on_server": translate(
            "Errors",
            "The database server {server} has no database named {database}: check the name at the end of the "
            "address in Settings → Database.",
        ),
        "database_keyring_unavailable": translate(
            "Errors",
            "The database password could not be saved: this computer has no working keyring (password store). "
            "Start Packdesk with the full address in PACKDESK_DB_URL (or --db) instead, or install and unlock a "
            "keyring.",
        ),
        # app/db/copy.py (migrate-to)
        "migrate_target_not_empty": translate(
            "Errors", "{server} already holds tables ({tables}); Packdesk copies only into an empty database."
        ),
        "migrate_counts_differ": translate("Errors", "The copy is incomplete ({tables})."),
        "display_libraries_missing": translate(
            "Errors",
            "The window cannot start: the system library {library} is missing. On Debian or Ubuntu install the "
            "display libraries with: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 "
            "libglib2.0-0 libdbus-1-3",
        ),
        # app/backup.py
        "backup_failed": translate("Errors", "The backup could not be written to {folder}: {reason}"),
        "backup_folder_missing": translate(
            "Errors", "The backup folder {folder} does not exist (is its drive connected?)."
        ),
        "backup_exists": translate("Errors", "{path} already exists: choose another name."),
        "backup_onto_database": translate("Errors", "{path} is the database itself: choose another file."),
        "backup_no_database": translate("Errors", "There is no database at {path} to back up."),
        "backup_not_found": translate("Errors", "{path} does not exist."),
        "backup_not_sqlite": translate("Errors", "{path} is not a Packdesk backup (not a SQLite database)."),
        "backup_damaged": translate("Errors", "{path} is damaged: it cannot be restored."),
        "backup_not_packdesk": translate("Errors", "{path} is a SQLite database, but not Packdesk's."),
        "backup_too_new": translate(
            "Errors", "{path} was made by a newer Packdesk (schema {revision}): update Packdesk to restore it."
        ),
        "restore_done": translate(
            "Errors", "The backup of {taken_at} was restored. The database as it was is kept as {aside}."
        ),
        "restore_not_done": translate(
            "Errors", "The scheduled restore was not done; the database is as it was. {reason}"
        ),
        "chat_empty": translate("Errors", "The message is empty: write something first."),
        "chat_too_long": translate(
            "Errors", "The message has {found} characters; Ozon takes at most 1000. Shorten it or split it in two."
        ),
        "chat_unfilled_variable": translate(
            "Errors", "Not sent: a template field is still empty ({found}). Replace it with the real value."
        ),
        "chat_ship_by_passed": translate(
            "Errors",
            "Not sent: the ship-by date ({found}) has passed, so this template would promise a date gone by. "
            "Write to the buyer yourself.",
        ),
        "chat_email": translate(
            "Errors", "Not sent: an e-mail address ({found}). Ozon forbids taking buyers off the platform."
        ),
        "chat_link": translate("Errors", "Not sent: a link ({found}). Ozon forbids taking buyers off the platform."),
        "chat_phone": translate(
            "Errors", "Not sent: a phone number ({found}). Ozon forbids taking buyers off the platform."
        ),
        "chat_messenger": translate(
            "Errors", "Not sent: another messenger ({found}). Ozon forbids taking buyers off the platform."
        ),
        "chat_asks_to_cancel": translate(
            "Errors", "Not sent: it asks the buyer to cancel ({found}), which Ozon forbids. Offer another way."
        ),
        "chat_unknown": translate("Errors", "This chat is not in the local copy yet. Sync, then try again."),
        "template_invalid": translate("Errors", "The template was not saved, nothing changed: {reason}"),
        "autoreply_rule_invalid": translate("Errors", "The auto-reply rules were not saved, nothing changed: {reason}"),
        "chat_closed": translate("Errors", "This chat is closed: Ozon takes no new messages in it."),
        "return_unknown": translate("Errors", "This return is not in the local copy yet. Sync, then try again."),
        "return_pending": translate("Errors", "A decision on this return is already waiting to be sent."),
        "return_decision_overdue": translate(
            "Errors",
            "The decision deadline passed on {deadline}: Ozon decides this return itself now, so Packdesk sends "
            "no decision.",
        ),
        "return_action_not_offered": translate(
            "Errors", "Ozon does not offer this action for this return now. Sync to see what it offers."
        ),
        "return_reason_needed": translate("Errors", "Choose one of Ozon's reasons to reject the return."),
        "return_comment_needed": translate("Errors", "Say why the return is rejected: the buyer reads this comment."),
        "return_comment_too_long": translate("Errors", "The comment may have at most 1000 characters."),
        "return_amount_invalid": translate(
            "Errors", "The compensation must be more than 0 and at most the item's price, in roubles and kopecks."
        ),
        "return_photo_missing": translate("Errors", "The photo file {path} is gone: add it again."),
        "return_photo_refused": translate(
            "Errors",
            "{path} is not a photo Packdesk keeps (PNG, JPEG or WEBP, at most 10 MB).",
        ),
        "return_already_received": translate("Errors", "Return {number} was already received on {date}."),
        "return_not_sent_back": translate(
            "Errors",
            "Return {number} is not sent back yet ({state}): the request still awaits a decision. Keep the parcel "
            "aside and ask the seller.",
        ),
        "return_not_coming_back": translate(
            "Errors",
            "Return {number} is {state}: Ozon sends no item back under it. Keep the parcel aside and ask the seller.",
        ),
        "exchange_posting_needed": translate("Errors", "Enter the replacement posting number."),
        "exchange_same_posting": translate("Errors", "The replacement must be another posting than the returned one."),
        "exchange_posting_cancelled": translate(
            "Errors", "Posting {posting} is cancelled: it cannot be the replacement. Enter the new posting."
        ),
        "review_reply_duplicate": translate(
            "Errors", "This reply is already saved for this review: it is sent once, with the next sync."
        ),
        "answer_duplicate": translate(
            "Errors", "This answer is already saved for this question: it is sent once, with the next sync."
        ),
        "exchange_note_needed": translate("Errors", "Say what was resent: a tracking number or a date."),
        "review_unknown": translate("Errors", "This review is not in the local copy yet. Sync, then try again."),
        "question_unknown": translate("Errors", "This question is not in the local copy yet. Sync, then try again."),
        "template_unknown": translate("Errors", "This template no longer exists."),
        "template_unfillable": translate(
            "Errors", "This template uses {found}, which a review cannot fill: choose another or write the reply."
        ),
        "answer_too_short": translate("Errors", "An answer needs at least 2 characters."),
        "packer_name_empty": translate("Errors", "Enter the packer's name."),
        "packer_name_too_long": translate("Errors", "A packer's name may have at most {limit} characters."),
        "packer_exists": translate("Errors", "There is a packer named {name} already."),
        "packer_pin_invalid": translate("Errors", "A PIN is {min} to {max} digits."),
        "packer_pin_wrong": translate("Errors", "Wrong PIN for {name}. Nothing was changed."),
        "packer_unknown": translate("Errors", "There is no packer named {name}. Someone may have removed them."),
        "packer_change_busy": translate(
            "Errors", "Posting {posting} is on the desk: finish it or put it aside (Esc), then change the packer."
        ),
    }


def _ozon_message(exc: ozon.OzonError) -> str:
    detail = exc.message
    if isinstance(exc, ozon.AuthError):
        return translate("Errors", "Ozon rejected the Client-Id or Api-Key. Check them in Settings.")
    if isinstance(exc, ozon.MissingRoleError):
        return translate("Errors", "The Api-Key lacks a permission Packdesk needs: {detail}").format(detail=detail)
    if isinstance(exc, ozon.PlanLimitError):
        return translate("Errors", "This is not included in your Ozon subscription: {detail}").format(detail=detail)
    if isinstance(exc, ozon.NetworkError):
        return translate(
            "Errors", "Cannot reach Ozon. Check the internet connection; your actions are kept and sent later."
        )
    if isinstance(exc, ozon.RateLimitedError):
        return translate("Errors", "Ozon asks Packdesk to slow down (too many requests). Try again in a minute.")
    if isinstance(exc, ozon.ServerError):
        return translate("Errors", "Ozon's servers are having trouble right now. Try again in a few minutes.")
    if isinstance(exc, ozon.ProtocolError):
        return translate("Errors", "Ozon answered something Packdesk cannot read. Try again later.")
    return translate("Errors", "Ozon refused: {detail}").format(detail=detail)


def _delivery_refusal(exc: UserError) -> str | None:
    """An rFBS delivery step out of order (code "<step>_after_<stage>", app/workflows/delivery.py)."""
    step, _, stage = exc.code.partition("_after_")
    steps = {
        "delivering": translate("Errors", "delivering"),
        "last_mile": translate("Errors", "last mile"),
        "delivered": translate("Errors", "delivered"),
    }
    reasons = {
        "not_shipped": translate("Errors", "pack and ship it first"),
        "awaiting_deliver": translate("Errors", "mark it delivering first"),
        "delivering": translate("Errors", "it is already delivering"),
        "last_mile": translate("Errors", "it is already in the last mile"),
        "delivered": translate("Errors", "it is already delivered"),
        "closed": translate("Errors", "it is cancelled or closed"),
    }
    if step not in steps or stage not in reasons:
        return None
    return translate("Errors", "Posting {number} cannot be marked {step}: {reason}").format(
        number=exc.params.get("posting", ""), step=steps[step], reason=reasons[stage]
    )


def _param(name: str, value: Any) -> str:
    if isinstance(value, datetime):  # a moment in the seller's local time
        return wording.local_time(value)
    return wording.posting_status(str(value)) if name == "status" else str(value)


def _format(template: str, params: dict[str, Any]) -> str | None:
    values = {k: _param(k, v) for k, v in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return None  # the error lacks a field this sentence needs: show the core's own text


def is_expected(exc: BaseException) -> bool:
    """The environment's or the seller's problem (not a bug)."""
    return isinstance(exc, UserError | ozon.OzonError)


def message_for(exc: BaseException) -> str:
    """A sentence the seller understands, in the UI language (plain text), with no Api-Key in it."""
    return redact(_message_for(exc))


def _message_for(exc: BaseException) -> str:
    if isinstance(exc, ozon.OzonError):
        return _ozon_message(exc)
    if isinstance(exc, UserError):
        refusal = _delivery_refusal(exc)
        if refusal is not None:
            return refusal
        template = _user_messages().get(exc.code)
        text = _format(template, exc.params) if template is not None else None
        return text or str(exc) or exc.code
    return translate("Errors", "Sorry, something went wrong in Packdesk. Your data is safe; please try again.")


def details_text(exc: BaseException) -> str:
    """Versions and the traceback (for a bug) or the error's code and message (for the rest)."""
    from importlib import metadata

    try:
        version = metadata.version("packdesk")
    except metadata.PackageNotFoundError:
        version = "dev"
    lines = [
        f"Packdesk {version}, Python {platform.python_version()}, PySide6 {PySide6.__version__}, {platform.platform()}",
        "",
    ]
    if isinstance(exc, UserError):
        lines.append(f"{type(exc).__name__} [{exc.code}]: {exc}")
    elif isinstance(exc, ozon.OzonError):
        lines.append(f"{type(exc).__name__}: {exc}")
    else:
        lines.extend(traceback.format_exception(exc))
    return "\n".join(line.rstrip("\n") for line in lines)


class ErrorDialog(QDialog):
    """A warning in plain text, where the log is, "Copy details" and "Show log"; for bugs also the
    traceback behind "Show details"."""

    def __init__(self, parent: QWidget | None, exc: BaseException | None, text: str = "") -> None:
        super().__init__(parent)
        self.is_bug = exc is not None and not is_expected(exc)
        self.details = redact(details_text(exc) if exc is not None else text)
        self.setWindowTitle(self.tr("Packdesk"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        icon = QLabel(self)
        pixmaps = QStyle.StandardPixmap
        kind = pixmaps.SP_MessageBoxCritical if self.is_bug else pixmaps.SP_MessageBoxWarning
        icon.setPixmap(self.style().standardIcon(kind).pixmap(32, 32))
        self.message = QLabel(self)
        self.message.setObjectName("errorMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setText(redact(self._message(exc) if exc is not None else text))
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)

        self.log_path = QLabel(self)
        self.log_path.setObjectName("logPath")
        self.log_path.setTextFormat(Qt.TextFormat.PlainText)
        self.log_path.setWordWrap(True)
        self.log_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = self.log_file = log_file()
        self.log_path.setText(self.tr("Log file: {path}").format(path=str(where)) if where is not None else "")
        self.log_path.setVisible(where is not None)
        layout.addWidget(self.log_path)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.details_box: QPlainTextEdit | None = None
        if self.is_bug:
            self.details_box = QPlainTextEdit(self)
            self.details_box.setReadOnly(True)
            self.details_box.setPlainText(self.details)
            self.details_box.setVisible(False)
            self.details_box.setMinimumHeight(160)
            layout.addWidget(self.details_box)
            show = QPushButton(self.tr("Show details"), self)
            show.setCheckable(True)
            show.toggled.connect(self.details_box.setVisible)
            buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        copy = QPushButton(self.tr("Copy details"), self)
        copy.setObjectName("copyDetails")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        show_log = QPushButton(self.tr("Show log"), self)
        show_log.setObjectName("showLog")
        show_log.clicked.connect(self.show_log)
        show_log.setEnabled(where is not None)
        buttons.addButton(show_log, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _message(self, exc: BaseException) -> str:
        if is_expected(exc):
            return message_for(exc)
        text = message_for(exc)
        text += "\n\n" + self.tr("If it happens again, send the details and the log to support.")
        return text

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        where = self.log_file
        suffix = f"\n\nLog: {where}" if where is not None else ""
        clipboard.setText(self.details + suffix)

    def show_log(self) -> None:
        where = self.log_file
        if where is not None:
            log_view.show_log(self, where)


def show_message(parent: QWidget | None, text: str) -> ErrorDialog:
    """A warning that is not an exception (e.g. some postings refused an action); plain text."""
    dialog = ErrorDialog(parent, None, text)
    dialog.open()
    return dialog


def show_error(parent: QWidget | None, exc: BaseException) -> ErrorDialog | None:
    """Show `exc` to the seller (GUI thread only). Returns the dialog, already open (not modal-blocking)."""
    global _open_bug_dialog
    if isinstance(exc, UserCancelled):
        return None
    if isinstance(exc, UserError):
        log.info("shown to the seller: %s (%s)", exc, exc.code)
        if exc.code in _SHOWN_ONCE and (shown := _open_once.get(exc.code)) is not None and shown.isVisible():
            return shown  # every read fails the same way: one dialog says it
    elif isinstance(exc, ozon.OzonError):
        log.info("shown to the seller: %s (%s)", exc, type(exc).__name__)
    else:
        log.error("unexpected error", exc_info=exc)
        if _open_bug_dialog is not None and _open_bug_dialog.isVisible():
            return _open_bug_dialog  # one apology at a time; the rest are in the log
    dialog = ErrorDialog(parent, exc)
    if dialog.is_bug:
        _open_bug_dialog = dialog
        dialog.destroyed.connect(_forget_bug_dialog)
    elif isinstance(exc, UserError) and exc.code in _SHOWN_ONCE:
        _open_once[exc.code] = dialog
        dialog.destroyed.connect(lambda *_args, code=exc.code: _open_once.pop(code, None))
    dialog.open()
    return dialog


# Errors every later step repeats (a damaged database): one dialog at a time.
_SHOWN_ONCE = frozenset({"database_damaged"})
_open_once: dict[str, ErrorDialog] = {}


def _forget_bug_dialog() -> None:
    global _open_bug_dialog
    _open_bug_dialog = None


class _Relay(QObject):
    """Carries an uncaught exception from any thread to the GUI thread."""

    caught = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.caught.connect(self._show, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _show(self, exc: BaseException) -> None:
        app = QApplication.instance()
        parent = app.activeWindow() if isinstance(app, QApplication) else None
        show_error(parent, exc)


def install_excepthooks() -> Callable[[], None]:
    """Route uncaught exceptions to the log and `show_error`. Call on the GUI thread; returns an undo."""
    relay = _Relay()
    previous_sys = sys.excepthook
    previous_thread = threading.excepthook

    def sys_hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_sys(kind, value, tb)
            return
        if value.__traceback__ is None and tb is not None:
            value = value.with_traceback(tb)
        _hand_over(relay, value)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        _hand_over(relay, args.exc_value)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook = previous_sys
        threading.excepthook = previous_thread
        relay.deleteLater()

    return uninstall


def _hand_over(relay: _Relay, exc: BaseException) -> None:
    try:
        relay.caught.emit(exc)
    except RuntimeError:  # the relay is gone (shutting down): at least log it
        log.error("uncaught exception", exc_info=exc)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.category})" if context.category and context.category != "default" else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_message_handler() -> Callable[[], None]:
    """Route Qt's own messages (warnings about fonts, platform plugins…) into logging; returns an undo."""
    previous = qInstallMessageHandler(_qt_message)

    def uninstall() -> None:
        qInstallMessageHandler(previous)

    return uninstall
