"""The Questions tab: filters (status, answered, product), search, the list newest first; the chosen
question and the answer box (2..3000 characters, through the same lint as a chat message), with the
reply templates filled from the product as for a review (a template using what a question cannot fill
says so). The list
and its filters are FeedbackTab's (ui/reviews/tab.py), as for the Reviews tab."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QPushButton,
    QWidget,
)

from app.chat.lint import LintError
from app.context import AppContext
from app.errors import UserError
from app.feedback import reply
from app.feedback import screen as feedback_screen
from app.feedback.query import QuestionFilter, QuestionView
from app.feedback.reply import ANSWER_MAX_CHARS, ANSWER_MIN_CHARS
from ui import errors, plain_text, wording
from ui.reviews import models
from ui.reviews.common import RED_STYLE, wrapped
from ui.reviews.models import QuestionColumn, QuestionsModel
from ui.reviews.tab import FeedbackTab
from ui.tasks import TaskManager


class QuestionsTab(FeedbackTab):
    ID_FIELD = "question_id"
    read_listing = staticmethod(feedback_screen.read_questions_listing)
    read_item = staticmethod(feedback_screen.read_question)
    fill_template = staticmethod(feedback_screen.fill_question_template)

    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(ctx, tasks, parent)
        self.current: QuestionView | None = None
        db = ctx.db
        self._build(QuestionsModel(tasks, lambda keys: feedback_screen.read_questions(db, keys), self))

    @property
    def question_id(self) -> str:
        return self._chosen

    def _build(self, model: QuestionsModel) -> None:
        self.status = QComboBox(self)
        self.status.setObjectName("questionStatus")
        self.status.addItem(self.tr("Any status"), "")
        for value in ("NEW", "VIEWED", "PROCESSED"):
            self.status.addItem(models.status(value), value)
        self.answered = QComboBox(self)
        self.answered.setObjectName("questionAnswered")
        self.answered.addItem(self.tr("Answered or not"), "")
        self.answered.addItem(self.tr("Not answered"), "no")
        self.answered.addItem(self.tr("Answered"), "yes")
        left = self.build_list(
            model,
            QuestionColumn.QUESTION,
            "question",
            (self.status, self.answered),
            self.tr("Search in questions and product names…"),
        )

        self.product_label = wrapped("", self)
        self.author_label = wrapped("", self)
        self.status_label = wrapped("", self)
        self.error = wrapped("", self, "answerError")
        self.error.setStyleSheet(RED_STYLE)
        self.error.hide()
        self.templates_button = QPushButton(self.tr("Templates…"), self)
        self.templates_button.setObjectName("answerTemplates")
        self.send_button = QPushButton(self.tr("Send answer"), self)
        self.send_button.setObjectName("sendAnswer")
        right = self.build_detail(
            "question",
            (),
            (
                (self.tr("Product:"), self.product_label),
                (self.tr("Asked by:"), self.author_label),
                (self.tr("Status:"), self.status_label),
            ),
            "answer",
            self.tr("Write a public answer in Russian (every buyer sees it)…"),
            self.error,
            (self.templates_button, self.send_button),
        )
        self.place(left, right)

        self.edit.textChanged.connect(self._text_changed)
        self.send_button.clicked.connect(self.send)
        self.templates_button.clicked.connect(self.open_templates)
        self.show_item(None)

    # -- the list (FeedbackTab's hooks) ---------------------------------------------------------------

    def list_filter(self) -> QuestionFilter:
        answered = str(self.answered.currentData() or "")
        return QuestionFilter(
            status=str(self.status.currentData() or ""),
            answered=None if not answered else answered == "yes",
            product=self.product.text().strip(),
            search=self.search.text().strip(),
        )

    def empty_text(self, filtered: bool) -> str:
        if filtered:
            return self.tr("No question matches the filters.")
        return self.tr("No questions yet. They appear here after a sync.")

    def item_opened(self) -> None:
        self.edit.clear()
        self._allowed = ()
        self.show_error("")

    # -- one question ---------------------------------------------------------------------------------

    def open_question(self, question_id: str) -> None:
        self.open_item(question_id)

    def show_item(self, question: QuestionView | None) -> None:
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
        self.update_writable()
        self._update_counter()

    def update_writable(self) -> None:
        can = self.writable and self.current is not None
        for widget in (self.edit, self.templates_button, self.send_button):
            widget.setEnabled(can)

    def _text_changed(self) -> None:
        self._update_counter()
        if self.error.isVisible():
            self.show_error("")

    def _update_counter(self) -> None:
        count = len(self.edit.toPlainText().strip())
        self.counter.setText(f"{count}/{ANSWER_MAX_CHARS}")
        bad = count > ANSWER_MAX_CHARS or 0 < count < ANSWER_MIN_CHARS
        self.counter.setStyleSheet("color: #c62828; font-weight: bold;" if bad else "color: #57606a;")

    def show_error(self, text: str, style: str = RED_STYLE) -> None:
        self.error.setText(text)
        self.error.setStyleSheet(style)
        self.error.setVisible(bool(text))

    say = show_error

    def unfillable(self, name: str, fields: str) -> str:
        return self.tr(
            "The template «{name}» uses {fields}, which a question cannot fill: choose another or write "
            "the answer yourself."
        ).format(name=name, fields=fields)

    def sentence(self, exc: BaseException) -> str:
        if isinstance(exc, LintError) and exc.code == "chat_too_long":
            return self.tr("The answer has {count} characters; Ozon takes at most 3000.").format(count=exc.found)
        return errors.message_for(exc)

    def send(self) -> None:
        ctx, question_id, text, allowed = self.ctx, self.question_id, self.edit.toPlainText(), self._allowed
        if not question_id or not self.writable:
            return
        self.send_button.setEnabled(False)

        def done(_entry: object) -> None:
            self.update_writable()
            if question_id == self.question_id:
                self.edit.clear()
                self._allowed = ()
                self.reload_open()
            self.message.emit(self.tr("Answer saved: it is sent to Ozon with the next sync."))

        def failed(exc: BaseException) -> None:
            self.update_writable()
            if isinstance(exc, UserError):
                self.show_error(self.sentence(exc))
            else:
                errors.show_error(self, exc)

        self.tasks.run_db(
            lambda: reply.answer_question(ctx.db, ctx.clock, question_id, text, bus=ctx.bus, allowed=allowed),
            on_done=done,
            on_error=failed,
        )
