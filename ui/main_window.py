"""The main window: a shell with navigation, the pages, a toolbar and the sync status bar.

It owns the TaskManager and the EventBridge and hands them to pages; pages never reach back
into the window. Geometry and the orders table's column layout live in QSettings.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
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

from app import events
from app.context import AppContext
from ui import errors
from ui.banner import MessageBanner
from ui.bridge import EventBridge
from ui.orders.page import OrdersPage
from ui.placeholder import PlaceholderPage
from ui.status_bar import SyncStatusBar
from ui.sync_control import SyncControl
from ui.tasks import TaskManager

ORGANIZATION = "Packdesk"
APPLICATION = "Packdesk"


def default_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


class MainWindow(QMainWindow):
    PAGES = ("orders", "packing", "handover", "chats", "returns", "reviews", "analytics", "settings")

    def __init__(
        self,
        ctx: AppContext,
        sync: SyncControl | None,
        demo: bool,
        qsettings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.demo = demo
        self._qsettings = qsettings or default_settings()
        self.tasks = TaskManager(self, on_unhandled=self._show_error)
        self.bridge = EventBridge(ctx.bus, self)

        title = self.tr("Packdesk")
        self.setWindowTitle(title + " — " + self.tr("DEMO") if demo else title)
        self.setMinimumSize(QSize(900, 560))

        self.orders = OrdersPage(ctx.db, ctx.clock, self.tasks, self.bridge, self)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.stack = QStackedWidget(self)
        self._build_pages()
        self.banner = MessageBanner(self)
        self.status = SyncStatusBar(ctx.db, self.tasks, self.bridge, demo, self)
        self.status.set_sync_available(sync is not None)
        self.setStatusBar(self.status)

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
        menu = self.menuBar().addMenu(self.tr("&Packdesk"))
        menu.addAction(self.sync_action)
        menu.addSeparator()
        menu.addAction(quit_action)
        toolbar = QToolBar(self.tr("Main"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.sync_action)
        self.addToolBar(toolbar)

        self.bridge.auth_failed.connect(self._on_auth_failed)
        self.bridge.plan_limited.connect(self._on_plan_limited)
        if ctx.startup_messages:
            self.banner.show_message("\n".join(ctx.startup_messages))
        self._restore_layout()

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
            page = self.orders if key == "orders" else PlaceholderPage(titles[key], self)
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

    # -- actions --------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()  # only wakes the sync worker (SyncControl contract)
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
        if isinstance(header, QByteArray):
            self.orders.view.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        self._qsettings.setValue("main_window/geometry", self.saveGeometry())
        self._qsettings.setValue("main_window/state", self.saveState())
        self._qsettings.setValue("orders/header", self.orders.view.horizontalHeader().saveState())
        self._qsettings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.bridge.close()
        super().closeEvent(event)
