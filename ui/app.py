"""Start the GUI: application object, translators, error hooks, main window, sync, event loop."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app import events
from app import settings as settings_file
from app.context import AppContext
from app.errors import DatabaseDamaged, UserError
from ui import errors, i18n, instance_lock, main_thread_gc
from ui.main_window import APPLICATION, ORGANIZATION, MainWindow, OzonAccount
from ui.screenshot import Photographer, Screenshot
from ui.sync_control import SyncControl

log = logging.getLogger(__name__)


class _DamageRelay(QObject):
    """Brings "the database is damaged" from the thread that found it to the GUI thread."""

    found = Signal(object)


# The exit code when another Packdesk has the folder or the database (main.py's EXIT_BUSY).
ALREADY_RUNNING = 6


def can_show_window() -> bool:
    """A seller can see a window here: without a display Qt aborts the process instead of raising,
    and on the offscreen platform a message box would wait for a click that never comes."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0]
    if platform in ("offscreen", "minimal"):
        return False
    if not sys.platform.startswith("linux") or platform:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def show_startup_error(exc: UserError, language: str = "", argv: Sequence[str] | None = None) -> bool:
    """Say in a message box, in the seller's language, why the window cannot start and what to do
    (a damaged database, a read-only folder…). False when no window can be shown here."""
    if not can_show_window():
        return False
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or ["packdesk"]))
    translators = i18n.install_translators(app, language)
    try:
        title = QCoreApplication.translate("App", "Packdesk cannot start")
        QMessageBox.critical(None, title, errors.message_for(exc))
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    return True


def run_gui(
    ctx: AppContext,
    sync: SyncControl | None,
    demo: bool,
    argv: Sequence[str] | None = None,
    *,
    client: OzonAccount | None = None,
    settings_path: Path | None = None,
    screenshot: Screenshot | None = None,
) -> int:
    """Show the main window and run the event loop; returns the exit code.

    Sync is started after the window is shown and stopped after the loop ends; background tasks
    are finished before returning. The caller still owns `ctx` (and closes it). `settings_path` is
    the seller's own settings file when `ctx` is the demo folder's. With `screenshot`, the window
    is saved as a PNG after the first sync and the app quits.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or []))
    stop_gc_timer = main_thread_gc.collect_on_gui_thread(app)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    language = ctx.settings.language
    if settings_path is not None and settings_path != ctx.paths.settings:
        language = settings_file.load(settings_path)[0].language
    translators = i18n.install_translators(app, language)  # before any text is shown
    lock = instance_lock.acquire(ctx.paths.data)
    if lock is None:
        log.warning("another Packdesk has %s open", ctx.paths.data)
        text = QCoreApplication.translate("App", "Packdesk is already open on this computer ({folder}).")
        if can_show_window():  # offscreen, a box would wait for a click that never comes
            QMessageBox.information(None, APPLICATION, text.format(folder=ctx.paths.data))
        else:
            print(f"packdesk: {text.format(folder=ctx.paths.data)}", file=sys.stderr)
        for translator in translators:
            app.removeTranslator(translator)
        stop_gc_timer()
        return ALREADY_RUNNING
    try:
        ctx.recover_interrupted()  # this process owns the folder (and the database) now
    except UserError as exc:  # another Packdesk on the same database file, from another folder
        log.warning("cannot own the database: %s", exc)
        if can_show_window():
            QMessageBox.critical(None, APPLICATION, errors.message_for(exc))
        else:
            print(f"packdesk: {exc}", file=sys.stderr)
        for translator in translators:
            app.removeTranslator(translator)
        lock.unlock()
        stop_gc_timer()
        return ALREADY_RUNNING
    uninstall_qt_log = errors.install_qt_message_handler()
    errors.set_log_location(ctx.paths.logs)
    uninstall_hooks = errors.install_excepthooks()
    qsettings = None
    if screenshot is not None:  # a fixed size, and the seller's saved layout stays untouched
        qsettings = QSettings(str(ctx.paths.data / "screenshot-layout.ini"), QSettings.Format.IniFormat)
    from printing import spooler

    window = MainWindow(
        ctx,
        sync,
        demo,
        qsettings,
        client=client,
        settings_path=settings_path,
        print_spooler=lambda: spooler.print_pending(ctx),
    )
    photographer = Photographer(window, screenshot) if screenshot is not None else None
    sync_stopped = False

    def stop_for_damage(damaged: DatabaseDamaged) -> None:
        """The database turned out damaged: stop syncing at once and say so, once."""
        nonlocal sync_stopped
        if sync is not None and not sync_stopped:
            sync_stopped = True
            sync.stop()
        ctx.bus.publish(events.SyncFinished(ctx.clock.now(), str(damaged), False))
        errors.show_error(window, damaged)

    relay = _DamageRelay()
    relay.found.connect(stop_for_damage, Qt.ConnectionType.QueuedConnection)
    ctx.db.on_damaged(relay.found.emit)
    window.show()
    if photographer is not None:
        photographer.start()
    restore_signals = quit_on_signals(app)
    try:
        if sync is not None:
            sync.start()
        log.info("window open on %s", ctx.paths.data)
        code = app.exec()
    finally:
        restore_signals()
        window.close()
        if sync is not None and not sync_stopped:
            try:
                sync.stop()
            except Exception:
                log.exception("sync did not stop cleanly")
        window.tasks.shutdown(wait=True)
        uninstall_hooks()
        for translator in translators:
            app.removeTranslator(translator)
        uninstall_qt_log()
        stop_gc_timer()
    if photographer is not None and not photographer.saved:
        code = code or 1
    log.info("GUI closed with code %s", code)
    lock.unlock()
    return code


def quit_on_signals(app: QCoreApplication) -> Callable[[], None]:
    """Ctrl+C (SIGINT) and SIGTERM end the event loop as closing the window does, so the shutdown
    above runs (sync stopped, lock released, database closed). Returns the undo.

    Qt's loop runs in C++ and Python runs a signal handler only when the interpreter gets control:
    `signal.set_wakeup_fd` writes the signal's number to a socket pair whose read end a
    QSocketNotifier watches, which wakes the loop and lets the handler run at once.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals are delivered to the main thread only
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    try:
        previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not possible here: leave the signals alone
        reader.close()
        writer.close()
        return lambda: None
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        try:
            while reader.recv(512):
                pass
        except OSError:  # nothing left to read
            pass

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: closing the window", signal.Signals(signum).name)
        QTimer.singleShot(0, app.quit)  # queued: also when the loop has not started yet

    notifier.activated.connect(drain)
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()

    return restore
