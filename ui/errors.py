"""The one place that turns exceptions into messages for the seller.

* `UserCancelled`: nothing is shown.
* `UserError` (app/errors.py): its message, as plain text. The environment's or the user's problem.
* Anything else is a bug: the traceback goes to the log; the seller sees a short apology, where
  the log is, and a "Copy details" button.

`install_excepthooks()` routes uncaught exceptions (GUI thread and worker threads) here. Every
dialog text is plain text: exception messages may quote buyer data or server answers.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import PySide6
from PySide6.QtCore import QObject, Qt, Signal, Slot
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

log = logging.getLogger(__name__)

_log_location: Path | None = None
_open_bug_dialog: ErrorDialog | None = None


def set_log_location(path: Path | None) -> None:
    """Where the log lives, named in the apology (the logging setup is main.py's)."""
    global _log_location
    _log_location = path


def details_text(exc: BaseException) -> str:
    from importlib import metadata

    try:
        version = metadata.version("packdesk")
    except metadata.PackageNotFoundError:
        version = "dev"
    lines = [
        f"Packdesk {version}, Python {platform.python_version()}, PySide6 {PySide6.__version__}, {platform.platform()}",
        "",
        *traceback.format_exception(exc),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class ErrorDialog(QDialog):
    """A warning with a plain-text message; for bugs also "Copy details" and the traceback."""

    def __init__(self, parent: QWidget | None, exc: BaseException) -> None:
        super().__init__(parent)
        self.is_bug = not isinstance(exc, UserError)
        self.details = details_text(exc) if self.is_bug else ""
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
        self.message.setText(self._message(exc))
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.message, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
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
            copy = QPushButton(self.tr("Copy details"), self)
            copy.setObjectName("copyDetails")
            copy.clicked.connect(self.copy_details)
            buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
            buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _message(self, exc: BaseException) -> str:
        if isinstance(exc, UserError):
            return str(exc) or exc.code
        text = self.tr("Sorry, something went wrong in Packdesk. Your data is safe; please try again.")
        if _log_location is not None:
            text += "\n\n" + self.tr("The details were written to the log in:\n{path}").format(path=str(_log_location))
        text += "\n\n" + self.tr("If it happens again, send the details to support.")
        return text

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.details)


def show_error(parent: QWidget | None, exc: BaseException) -> ErrorDialog | None:
    """Show `exc` to the seller (GUI thread only). Returns the dialog, already open (not modal-blocking)."""
    global _open_bug_dialog
    if isinstance(exc, UserCancelled):
        return None
    if isinstance(exc, UserError):
        log.info("shown to the seller: %s (%s)", exc, exc.code)
    else:
        log.error("unexpected error", exc_info=exc)
        if _open_bug_dialog is not None and _open_bug_dialog.isVisible():
            return _open_bug_dialog  # one apology at a time; the rest are in the log
    dialog = ErrorDialog(parent, exc)
    if dialog.is_bug:
        _open_bug_dialog = dialog
        dialog.destroyed.connect(_forget_bug_dialog)
    dialog.open()
    return dialog


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
