"""Start the GUI: application object, translators, error hooks, main window, sync, event loop."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from app.context import AppContext
from ui import errors, i18n
from ui.main_window import APPLICATION, ORGANIZATION, MainWindow
from ui.sync_control import SyncControl

log = logging.getLogger(__name__)


def run_gui(ctx: AppContext, sync: SyncControl | None, demo: bool, argv: Sequence[str] | None = None) -> int:
    """Show the main window and run the event loop; returns the exit code.

    Sync is started after the window is shown and stopped after the loop ends; background tasks
    are finished before returning. The caller still owns `ctx` (and closes it).
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or []))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    translators = i18n.install_translators(app, ctx.settings.language)
    errors.set_log_location(ctx.paths.logs)
    uninstall_hooks = errors.install_excepthooks()
    window = MainWindow(ctx, sync, demo)
    window.show()
    try:
        if sync is not None:
            sync.start()
        code = app.exec()
    finally:
        window.close()
        if sync is not None:
            try:
                sync.stop()
            except Exception:
                log.exception("sync did not stop cleanly")
        window.tasks.shutdown(wait=True)
        uninstall_hooks()
        for translator in translators:
            app.removeTranslator(translator)
    log.info("GUI closed with code %s", code)
    return code
