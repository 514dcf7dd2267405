"""The main window: a shell with navigation, the pages, a toolbar and the sync status bar.

It owns the TaskManager and the EventBridge and hands them to pages; pages never reach back
into the window. Geometry and the orders table's column layout live in QSettings. The status bar
opens the list of waiting and refused actions (ui/conflicts.py); new orders and cancellations
raise a desktop notification (ui/notifications.py); Help → Show log opens the log's tail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QByteArray, QEvent, QLocale, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import account, desks, events
from app import settings as settings_file
from app.context import AppContext
from app.settings import Settings
from ui import about, errors, log_view, plain_text
from ui.analytics.page import AnalyticsPage
from ui.banner import MessageBanner
from ui.bridge import EventBridge
from ui.chats.page import ChatsPage, image_loader
from ui.conflicts import ConflictsDialog
from ui.handover.page import HandoverPage
from ui.notifications import Notifier
from ui.orders.page import OrdersPage
from ui.packing import ports as packing_ports
from ui.packing.page import PackingPage
from ui.packing.spooler_control import SpoolerControl
from ui.returns.page import ReturnsPage
from ui.reviews.page import ReviewsPage
from ui.settings.account import default_client
from ui.settings.backup import BackupSchedule
from ui.settings.page import DemoFacts, SettingsPage
from ui.settings.printers import PrinterPort
from ui.sounds import SoundPlayer, SystemSounds
from ui.status_bar import SyncStatusBar
from ui.sync_control import SyncControl
from ui.tasks import TaskManager

_STARTUP_HOLD_S = 2.0  # the longest the pages' startup reads wait for the orders table's first paint

ORGANIZATION = "Packdesk"
APPLICATION = "Packdesk"


def default_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


class OzonAccount(Protocol):
    """What the window asks of the running Ozon client (sync.client.OzonClient), off the GUI thread."""

    def key_expires_at(self) -> datetime | None: ...

    def cancel_reasons(self) -> list[tuple[int, str, str]]: ...


def _chat_images(ctx: AppContext, client: object | None) -> object | None:
    """Buyers' pictures through sync.chat_images, with a session of the window's own (None offline)."""
    fork = getattr(client, "fork", None)
    if not callable(fork) or not hasattr(client, "download_image"):
        return None
    from sync.chat_images import ChatImages

    return ChatImages(fork(), ctx.paths.chat_images)


class MainWindow(QMainWindow):
    PAGES = ("orders", "packing", "handover", "chats", "returns", "reviews", "analytics", "settings")

    def __init__(
        self,
        ctx: AppContext,
        sync: SyncControl | None,
        demo: bool,
        qsettings: QSettings | None = None,
        parent: QWidget | None = None,
        *,
        client: OzonAccount | None = None,
        settings_path: Path | None = None,
        make_client: account.ClientFactory = default_client,
        printers: PrinterPort | None = None,
        print_spooler: Callable[[], object] | None = None,
        chat_sounds: SoundPlayer | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.demo = demo
        self.client = client
        self._qsettings = qsettings or default_settings()
        self.tasks = TaskManager(self, on_unhandled=self._show_error)
        # The orders table reads its first rows itself; every page's other startup reads (tab counts,
        # filter lists, chats, handover, status) wait until those rows are painted (at most 2 s).
        self.tasks.hold(_STARTUP_HOLD_S)
        self.bridge = EventBridge(ctx.bus, self)
        self.conflicts_dialog: ConflictsDialog | None = None

        title = self.tr("Packdesk")
        self.setWindowTitle(title + " — " + self.tr("DEMO") if demo else title)
        self.setMinimumSize(QSize(900, 560))

        # The print spooler runs on the I/O pool (a hanging printer must not hold the database worker).
        self.printer = (
            SpoolerControl(self.tasks, print_spooler, lambda: ctx.settings.auto_print) if print_spooler else None
        )
        self.orders = OrdersPage(ctx, self.tasks, self.bridge, self, reasons=client, printer=self.printer)
        self._first_paint = _AfterFirstPaint(self.orders.view.viewport(), self.tasks.release)
        QTimer.singleShot(0, self._release_if_hidden)
        # In demo mode ctx holds the demo folder's settings; the page edits the real ones.
        path = settings_path or ctx.paths.settings
        shown = ctx.settings if path == ctx.paths.settings else settings_file.load(path)[0]
        facts = None
        if demo:  # the demo prints to its folder and syncs at its own pace: the page says so
            interval = getattr(sync, "interval_s", None)
            seconds = float(interval) if isinstance(interval, int | float) else float(ctx.settings.sync_interval_s)
            facts = DemoFacts(ctx.settings.label_printer if path != ctx.paths.settings else "", seconds)
        self.settings_page = SettingsPage(
            shown, path, ctx.db, ctx.clock, self.tasks, self, make_client=make_client, printers=printers, demo=facts
        )
        self._pages: dict[str, QWidget] = {"orders": self.orders, "settings": self.settings_page}
        self.packing = PackingPage(
            ctx, self.tasks, self.bridge, self, sync=sync, ports=packing_ports.of(sync), printer=self.printer
        )
        self._pages["packing"] = self.packing
        self.packing.stop_raised.connect(lambda: self.show_page("packing"))
        self.handover = HandoverPage(ctx, self.tasks, self.bridge, self, sync=sync, printer=self.printer)
        self._pages["handover"] = self.handover
        # One loader for every buyer picture: ChatImages' transport takes one download at a time.
        load_image = image_loader(self.tasks, _chat_images(ctx, client))
        self.chats = ChatsPage(ctx, self.tasks, self.bridge, self, load_image=load_image)
        self._pages["chats"] = self.chats
        self.returns = ReturnsPage(ctx, self.tasks, self.bridge, self, load_image=load_image)
        self._pages["returns"] = self.returns
        self.reviews = ReviewsPage(ctx, self.tasks, self.bridge, self)
        self._pages["reviews"] = self.reviews
        self.badges: dict[str, int] = {}
        self.analytics = AnalyticsPage(ctx, self.tasks, self.bridge, self)
        self._pages["analytics"] = self.analytics
        self.chat_sounds = chat_sounds
        self.unread_chats = 0
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.stack = QStackedWidget(self)
        self._build_pages()
        self.banner = MessageBanner(self)
        self.status = SyncStatusBar(
            ctx.db, self.tasks, self.bridge, demo, self, desk=desks.desk_name(ctx.settings), clock=ctx.clock
        )
        self.status.set_sync_available(sync is not None)
        self.status.details_requested.connect(self.show_conflicts)
        self.setStatusBar(self.status)
        # Backups run on the I/O pool when due (none of the demo's database: it is wiped at each start).
        database = None if demo else ctx.db.path
        self.backups = BackupSchedule(self.tasks, database, lambda: self.settings_page.settings, self)
        self.backups.message.connect(lambda text: self.status.showMessage(text, 15000))
        self.notifier = Notifier(self, self.bridge)
        self.notifier.posting_activated.connect(self.show_posting)

        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.banner)
        content.addWidget(self.stack, 1)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addLayout(content, 1)
        self.setCentralWidget(central)

        self.sync_action = QAction(self.tr("Sync now"), self)
        self.sync_action.setObjectName("syncNow")
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.setToolTip(self.tr("Fetch new orders and send pending actions now (F5)"))
        self.sync_action.setEnabled(sync is not None)
        self.sync_action.triggered.connect(self.sync_now)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.outbox_action = QAction(self.tr("Waiting and refused actions…"), self)
        self.outbox_action.triggered.connect(self.show_conflicts)
        menu = self.menuBar().addMenu(self.tr("&Packdesk"))
        menu.addAction(self.sync_action)
        menu.addAction(self.outbox_action)
        menu.addSeparator()
        menu.addAction(quit_action)
        self.log_action = QAction(self.tr("Show log"), self)
        self.log_action.setObjectName("showLog")
        self.log_action.triggered.connect(self.show_log)
        self.about_action = QAction(self.tr("About Packdesk…"), self)
        self.about_action.setObjectName("about")
        self.about_action.triggered.connect(self.show_about)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.log_action)
        help_menu.addAction(self.about_action)
        toolbar = QToolBar(self.tr("Main"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.sync_action)
        self.addToolBar(toolbar)

        self.bridge.auth_failed.connect(self._on_auth_failed)
        self.bridge.plan_limited.connect(self._on_plan_limited)
        self.orders.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.orders.chat_requested.connect(self.open_chat)
        self.orders.support_requested.connect(self.chats.ask_support)
        self.chats.posting_requested.connect(self.show_posting)
        self.chats.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.chats.unread_changed.connect(self._show_unread)
        self.returns.chat_requested.connect(self.open_chat)
        self.returns.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.returns.needs_decision_changed.connect(lambda n: self.set_badge("returns", n))
        self.reviews.message.connect(lambda text: self.status.showMessage(text, 8000))
        self.reviews.waiting_changed.connect(lambda n: self.set_badge("reviews", n))
        self.chats.buyer_wrote.connect(self._buyer_wrote)
        self.settings_page.key_expiry.connect(self._warn_key_expiry)
        self.settings_page.saved.connect(self._settings_saved)
        if ctx.startup_messages:
            self.banner.show_message("\n".join(errors.message_for(m) for m in ctx.startup_messages))
        self._restore_layout()
        self._check_key_expiry()

    # -- building -------------------------------------------------------------------------------

    def _page_titles(self) -> dict[str, str]:
        return {
            "orders": self.tr("Orders"),
            "packing": self.tr("Packing"),
            "handover": self.tr("Handover"),
            "chats": self.tr("Chats"),
            "returns": self.tr("Returns"),
            "reviews": self.tr("Reviews"),
            "analytics": self.tr("Analytics"),
            "settings": self.tr("Settings"),
        }

    def _build_pages(self) -> None:
        titles = self._page_titles()
        for key in self.PAGES:
            item = QListWidgetItem(titles[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, self.fontMetrics().height() + 16))
            self.nav.addItem(item)
            page = self._pages[key]
            page.setObjectName(f"page_{key}")
            self.stack.addWidget(page)
        width = max(self.fontMetrics().horizontalAdvance(t) for t in titles.values()) + 48
        self.nav.setFixedWidth(max(width, 120))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self.PAGES.index(key))

    def _show_error(self, exc: BaseException) -> None:
        errors.show_error(self, exc)

    def show_posting(self, posting_number: str) -> None:
        """Open the orders page on this posting (All tab, filters cleared, if it is elsewhere)."""
        self.show_page("orders")
        if self.orders.select_posting(posting_number):
            return
        self.orders.show_tab("all")
        self.orders.filter_bar.clear()
        model = self.orders.model

        def select_when_ready() -> None:
            model.refreshed.disconnect(select_when_ready)
            self.orders.select_posting(posting_number)

        model.refreshed.connect(select_when_ready)

    def show_conflicts(self) -> None:
        if self.conflicts_dialog is None:
            ctx = self.ctx
            dialog = ConflictsDialog(ctx.db, ctx.bus, ctx.clock, self.tasks, self, sync_now=self.sync_now)
            dialog.show_posting.connect(self.show_posting)
            self.conflicts_dialog = dialog
        else:
            self.conflicts_dialog.reload()
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()

    def show_log(self) -> None:
        log_view.show_log(self, self.ctx.paths.logs / errors.LOG_FILE_NAME)

    def show_about(self) -> None:
        about.show_about(self.ctx, self)

    def open_chat(self, posting_number: str, chat_id: str) -> None:
        """The buyer chat of a posting (the Orders detail pane's "Buyer chat"), or the offer to start one."""
        self.show_page("chats")
        self.chats.show_posting_chat(posting_number, chat_id)

    def _show_unread(self, count: int) -> None:
        """The navigation entry says how many messages are unread: "Chats (3)"."""
        self.unread_chats = count
        self.set_badge("chats", count)

    def set_badge(self, key: str, count: int) -> None:
        """The navigation entry says how many things wait there: "Returns (2)"."""
        self.badges[key] = count
        item = self.nav.item(self.PAGES.index(key))
        title = self._page_titles()[key]
        item.setText(self.tr("{page} ({count})").format(page=title, count=count) if count else title)

    def _buyer_wrote(self, number: str, preview: str) -> None:
        settings = self.ctx.settings
        if settings.chat_notify:
            title = (
                self.tr("A buyer wrote about {posting}").format(posting=number) if number else self.tr("A buyer wrote")
            )
            self.notifier.notify(title, plain_text.clipped(preview, 160, 40))
        if settings.chat_sound:
            if self.chat_sounds is None:
                self.chat_sounds = SystemSounds(True)
            self.chat_sounds.good()

    # -- the Ozon account ---------------------------------------------------------------------------

    def _check_key_expiry(self) -> None:
        """Warn days before the Api-Key expires: Ozon's answer, or the date stored last time when offline.
        Not in the demo: its client is the emulator's, whose key is nobody's."""
        if self.demo:
            return
        db, client = self.ctx.db, self.client

        def stored() -> None:
            self.tasks.run_db(lambda: account.stored_expiry(db), on_done=self._warn_key_expiry)

        if client is None:
            stored()
            return

        def fetched(expires_at: datetime | None) -> None:
            clock = self.ctx.clock
            self.tasks.run_db(lambda: account.store_expiry(db, expires_at, clock.now()))
            self.settings_page.show_expiry(expires_at)
            self._warn_key_expiry(expires_at)

        self.tasks.run_io(client.key_expires_at, on_done=fetched, on_error=lambda _exc: stored())

    def _warn_key_expiry(self, expires_at: datetime | None) -> None:
        now = self.ctx.clock.now()
        if expires_at is None or not account.needs_warning(expires_at, now):
            return
        left = account.days_left(expires_at, now)
        day = expires_at.astimezone().strftime("%d.%m.%Y")
        self.banner.show_message(
            self.tr(
                "Your Ozon Api-Key expires on {date} (%n day(s) left). Create a new key in the Ozon seller "
                "cabinet and enter it in Settings.",
                "",
                left,
            ).format(date=day),
            alert=left <= 3,
        )

    def _settings_saved(self, chosen: Settings) -> None:
        if self.settings_page.path == self.ctx.paths.settings:
            self.ctx.settings = chosen  # printing picks up the new printers at once
            self.packing.station.gs_substitute = chosen.gs_substitute  # the next scan reads it

    # -- actions --------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.sync is not None:
            # Only wakes the sync worker (SyncControl contract); a plan bought meanwhile is tried at once.
            self.sync.sync_now(retry_paused=True)
            self.status.showMessage(self.tr("Syncing with Ozon…"), 3000)

    def _on_auth_failed(self, event: events.AuthFailed) -> None:
        self.banner.show_message(
            self.tr("Ozon rejected the Client-Id or API key ({reason}). Check them in Settings.").format(
                reason=event.reason
            ),
            alert=True,
        )

    def _on_plan_limited(self, event: events.PlanLimited) -> None:
        self.banner.show_message(
            self.tr("{area} is not available on your Ozon plan, so it is not synced: {reason}").format(
                area=event.area, reason=event.reason
            )
        )

    # -- layout persistence ---------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self._qsettings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        state = self._qsettings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        header = self._qsettings.value("orders/header")
        language = self._qsettings.value("orders/header_language")
        # Widths saved in another language would cut this one's words (the Russian ship-by clock).
        if isinstance(header, QByteArray) and language in (None, QLocale().name()):
            self.orders.view.horizontalHeader().restoreState(header)
        splitter = self._qsettings.value("orders/splitter")
        if isinstance(splitter, QByteArray):
            self.orders.splitter.restoreState(splitter)

    def save_layout(self) -> None:
        self._qsettings.setValue("main_window/geometry", self.saveGeometry())
        self._qsettings.setValue("main_window/state", self.saveState())
        self._qsettings.setValue("orders/header", self.orders.view.horizontalHeader().saveState())
        self._qsettings.setValue("orders/header_language", QLocale().name())
        self._qsettings.setValue("orders/splitter", self.orders.splitter.saveState())
        self._qsettings.sync()

    def _release_if_hidden(self) -> None:
        """A window not shown (tests, scripts) holds nothing back."""
        if not self.orders.view.viewport().isVisible():
            self.tasks.release()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.chats.flush_draft()
        self.save_layout()
        self.notifier.close()
        self.bridge.close()
        super().closeEvent(event)


class _AfterFirstPaint(QObject):
    """Calls `then` once, on the next turn of the event loop after `widget` first painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False
