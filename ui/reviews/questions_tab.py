"""The Questions tab: filters (status, answered, product), search, the list newest first; the chosen
question and the answer box (2..3000 characters, through the same lint as a chat message)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.chat.lint import LintError
from app.context import AppContext
from app.errors import UserError
from app.feedback import reply
from app.feedback import screen as feedback_screen
from app.feedback.query import QuestionFilter, QuestionView
from app.feedback.reply import ANSWER_MAX_CHARS, ANSWER_MIN_CHARS
from app.feedback.screen import QuestionListing
from ui import errors, plain_text, wording
from ui.reviews import models
from ui.reviews.common import RED_STYLE, bold, table, wrapped
from ui.reviews.models import QuestionColumn, QuestionsModel
from ui.tasks import TaskManager
from ui.widgets.selection import refill_quietly

SEARCH_DELAY_MS = 300


class QuestionsTab(QWidget):
    message = Signal(str)

    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.current: QuestionView | None = None
        self.question_id = ""
        self.writable = True
        self._list_request = 0
        self._open_request = 0
        db = ctx.db
        self.model = QuestionsModel(tasks, lambda keys: feedback_screen.read_questions(db, keys), self)
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)

    def _build(self) -> None:
        left = QWidget(self)
        self.status = QComboBox(left)
        self.status.setObjectName("questionStatus")
        self.status.addItem(self.tr("Any status"), "")
        for value in ("NEW", "VIEWED", "PROCESSED"):
            self.status.addItem(models.status(value), value)
        self.answered = QComboBox(left)
        self.answered.setObjectName("questionAnswered")
        self.answered.addItem(self.tr("Answered or not"), "")
        self.answered.addItem(self.tr("Not answered"), "no")
        self.answered.addItem(self.tr("Answered"), "yes")
        self.product = QLineEdit(left)
        self.product.setObjectName("questionProduct")
        self.product.setPlaceholderText(self.tr("SKU or article"))
        self.product.setClearButtonEnabled(True)
        self.search = QLineEdit(left)
        self.search.setObjectName("questionSearch")
        self.search.setPlaceholderText(self.tr("Search in questions and product names…"))
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.answered)
        filters.addWidget(self.product, 1)
        self.view = table(self.model, QuestionColumn.QUESTION, left, "questionList")
        self.empty = wrapped("", left, "questionListEmpty")
        self.empty.hide()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.empty)

        right = QWidget(self)
        self.heading = bold(wrapped("", right, "questionHeading"), 1.1)
        self.facts = QFormLayout()
        self.product_label = wrapped("", right)
        self.author_label = wrapped("", right)
        self.status_label = wrapped("", right)
        self.facts.addRow(self.tr("Product:"), self.product_label)
        self.facts.addRow(self.tr("Asked by:"), self.author_label)
        self.facts.addRow(self.tr("Status:"), self.status_label)
        self.text = wrapped("", right, "questionText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.edit = QPlainTextEdit(right)
        self.edit.setObjectName("answerText")
        self.edit.setPlaceholderText(self.tr("Write a public answer in Russian (every buyer sees it)…"))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(self.fontMetrics().height() * 5)
        self.edit.setMaximumHeight(self.fontMetrics().height() * 12)
        self.counter = plain_text.label("", right)
        self.counter.setObjectName("answerCounter")
        self.error = wrapped("", right, "answerError")
        self.error.setStyleSheet(RED_STYLE)
        self.error.hide()
        self.send_button = QPushButton(self.tr("Send answer"), right)
        self.send_button.setObjectName("sendAnswer")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.counter)
        buttons.addWidget(self.send_button)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 8, 8, 8)
        right_layout.addWidget(self.heading)
        right_layout.addLayout(self.facts)
        right_layout.addWidget(self.text, 1)
        right_layout.addWidget(self.edit)
        right_layout.addWidget(self.error)
        right_layout.addLayout(buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        for combo in (self.status, self.answered):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.product.textChanged.connect(lambda _t: self._search_timer.start())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.edit.textChanged.connect(self._text_changed)
        self.send_button.clicked.connect(self.send)
        self._show_question(None)

    def question_filter(self) -> QuestionFilter:
        answered = str(self.answered.currentData() or "")
        return QuestionFilter(
            status=str(self.status.currentData() or ""),
            answered=None if not answered else answered == "yes",
            product=self.product.text().strip(),
            search=self.search.text().strip(),
        )

    def reload(self) -> None:
        self._search_timer.stop()
        self._list_request += 1
        request, db, wanted = self._list_request, self.ctx.db, self.question_filter()
        self.tasks.run_db(
            lambda: feedback_screen.read_questions_listing(db, wanted),
            on_done=lambda found: self._listed(request, found),
        )

    def _listed(self, request: int, found: QuestionListing) -> None:
        if request != self._list_request:
            return

        def refill() -> int:
            self.model.set_listing(found.keys, found.first_rows)
            key = next((q.key for q in found.first_rows.values() if q.question_id == self.question_id), None)
            return self.model.row_of(key) if key is not None else -1

        refill_quietly(self.view, refill)
        if not found.keys:
            self.empty.setText(
                self.tr("No question matches the filters.")
                if self.question_filter() != QuestionFilter()
                else self.tr("No questions yet. They appear here after a sync.")
            )
        self.empty.setVisible(not found.keys)

    def select_first(self) -> None:
        if self.model.rowCount():
            self.view.selectRow(0)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        chosen = self.model.question(current.row()) if current.isValid() else None
        if chosen is not None and chosen.question_id != self.question_id:
            self.open_question(chosen.question_id)

    def open_question(self, question_id: str) -> None:
        self.question_id = question_id
        self.edit.clear()
        self.show_error("")
        self.reload_open()

    def reload_open(self) -> None:
        if not self.question_id:
            return
        self._open_request += 1
        request, db, question_id = self._open_request, self.ctx.db, self.question_id
        self.tasks.run_db(
            lambda: feedback_screen.read_question(db, question_id), on_done=lambda found: self._opened(request, found)
        )

    def _opened(self, request: int, found: QuestionView | None) -> None:
        if request == self._open_request:
            self._show_question(found)

    def _show_question(self, question: QuestionView | None) -> None:
        self.current = question
        if question is None:
            self.heading.setText(self.tr("Choose a question on the left."))
            for label in (self.product_label, self.author_label, self.status_label, self.text):
                label.setText("")
        else:
            when = wording.local_time(question.published_at) if question.published_at else ""
            self.heading.setText(self.tr("Question of {when}").format(when=when) if when else self.tr("Question"))
            self.product_label.setText(
                plain_text.clipped(models.product(question.sku, question.offer_id, question.product_name))
            )
            self.author_label.setText(plain_text.clipped(question.author_name or "—", 80))
            if question.pending:
                shown = self.tr("answer waiting to be sent")
            else:
                shown = self.tr("answered") if question.answered else self.tr("not answered")
            self.status_label.setText(shown)
            self.text.setText(plain_text.clipped(question.text, 5000, 40))
        self._update_writable()
        self._update_counter()

    def set_writable(self, writable: bool) -> None:
        self.writable = writable
        self._update_writable()

    def _update_writable(self) -> None:
        can = self.writable and self.current is not None
        self.edit.setEnabled(can)
        self.send_button.setEnabled(can)

    def _text_changed(self) -> None:
        self._update_counter()
        if self.error.isVisible():
            self.show_error("")

    def _update_counter(self) -> None:
        count = len(self.edit.toPlainText().strip())
        self.counter.setText(f"{count}/{ANSWER_MAX_CHARS}")
        bad = count > ANSWER_MAX_CHARS or 0 < count < ANSWER_MIN_CHARS
        self.counter.setStyleSheet("color: #c62828; font-weight: bold;" if bad else "color: #57606a;")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def sentence(self, exc: BaseException) -> str:
        if isinstance(exc, LintError) and exc.code == "chat_too_long":
            return self.tr("The answer has {count} characters; Ozon takes at most 3000.").format(count=exc.found)
        return errors.message_for(exc)

    def send(self) -> None:
        ctx, question_id, text = self.ctx, self.question_id, self.edit.toPlainText()
        if not question_id or not self.writable:
            return
        self.send_button.setEnabled(False)

        def done(_entry: object) -> None:
            self._update_writable()
            if question_id == self.question_id:
                self.edit.clear()
                self.reload_open()
            self.message.emit(self.tr("Answer saved: it is sent to Ozon with the next sync."))

        def failed(exc: BaseException) -> None:
            self._update_writable()
            if isinstance(exc, UserError):
                self.show_error(self.sentence(exc))
            else:
                errors.show_error(self, exc)

        self.tasks.run_db(
            lambda: reply.answer_question(ctx.db, ctx.clock, question_id, text, bus=ctx.bus),
            on_done=done,
            on_error=failed,
        )
