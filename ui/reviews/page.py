"""The Reviews page: two tabs, Reviews and Questions, each a filtered list beside the chosen item with
its reply (or answer) box. Every read and write runs on the TaskManager (app.feedback.screen,
app.feedback.reply); the lists read the local cache and are read again on `FeedbackChanged`.

When the shop's Ozon plan leaves reviews and questions out, a plain banner says so, the cached ones
stay readable and nothing can be sent; the rest of the app works as before.

Signals:
    waiting_changed(int): reviews not processed plus questions not answered (the navigation's badge).
    message(str): a line for the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app import events
from app.context import AppContext
from app.feedback import screen as feedback_screen
from app.feedback.query import PLAN_AREA, Waiting
from ui.banner import MessageBanner
from ui.bridge import EventBridge
from ui.reviews.questions_tab import QuestionsTab
from ui.reviews.reviews_tab import ReviewsTab
from ui.tasks import TaskManager


class ReviewsPage(QWidget):
    waiting_changed = Signal(int)
    message = Signal(str)

    def __init__(self, ctx: AppContext, tasks: TaskManager, bridge: EventBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.plan_limited = False
        self.waiting = Waiting(-1, -1)
        self.banner = MessageBanner(self)
        self.banner.setObjectName("reviewsBanner")
        self.reviews = ReviewsTab(ctx, tasks, self)
        self.questions = QuestionsTab(ctx, tasks, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("feedbackTabs")
        self.tabs.addTab(self.reviews, self.tr("Reviews"))
        self.tabs.addTab(self.questions, self.tr("Questions"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.reviews.message.connect(self.message)
        self.questions.message.connect(self.message)
        bridge.feedback_changed.connect(self._on_changed)
        bridge.outbox_changed.connect(lambda _event: self._on_changed(None))
        bridge.plan_limited.connect(self._on_plan_limited)
        self.reload()
        db = ctx.db
        self.tasks.run_db(lambda: feedback_screen.read_plan_limited(db), on_done=self._plan_known)

    def reload(self) -> None:
        self.reviews.reload()
        self.questions.reload()
        db = self.ctx.db
        self.tasks.run_db(lambda: feedback_screen.read_waiting(db), on_done=self._badge)

    def _on_changed(self, _event: events.FeedbackChanged | None) -> None:
        self.reload()
        self.reviews.reload_open()
        self.questions.reload_open()
        if self.plan_limited:  # reviews came in: the plan may have been bought (Sync now asks at once)
            db = self.ctx.db
            self.tasks.run_db(lambda: feedback_screen.read_plan_limited(db), on_done=self._plan_known)

    def _badge(self, waiting: Waiting) -> None:
        if waiting != self.waiting:
            self.waiting = waiting
            self.tabs.setTabText(0, self._title(self.tr("Reviews"), waiting.reviews))
            self.tabs.setTabText(1, self._title(self.tr("Questions"), waiting.questions))
            self.waiting_changed.emit(waiting.reviews + waiting.questions)

    def _title(self, name: str, count: int) -> str:
        return self.tr("{name} ({count})").format(name=name, count=count) if count > 0 else name

    def select_first(self) -> None:
        self.reviews.select_first()
        self.questions.select_first()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _plan_known(self, limited: bool) -> None:
        if limited:
            self._on_plan_limited(events.PlanLimited(PLAN_AREA, ""))
        elif self.plan_limited:  # the plan includes them now: the page is writable again
            self.plan_limited = False
            self.banner.hide()
            self.reviews.set_writable(True)
            self.questions.set_writable(True)

    def _on_plan_limited(self, event: events.PlanLimited) -> None:
        if event.area != PLAN_AREA:
            return
        self.plan_limited = True
        self.banner.show_message(
            self.tr(
                "Your Ozon plan does not include reviews and questions: they are not synced and replies cannot be "
                "sent. Everything else in Packdesk works."
            )
        )
        self.reviews.set_writable(False)
        self.questions.set_writable(False)
