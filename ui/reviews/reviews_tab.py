"""The Reviews tab: filters (rating, status, replied, product), search, the list newest first; the chosen
review's text, rating, photos and product, and the reply box — templates filled for the review (a
template using what a review cannot fill says so), a live n/3000 counter, the lint's sentence, and
the repeated-reply warning asked as "send anyway?". Mark processed without a reply.

The list and its filters are FeedbackTab's (ui/reviews/tab.py), as for the Questions tab.

Signals:
    message(str): a line for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.chat.lint import LintError
from app.context import AppContext
from app.errors import UserError
from app.feedback import reply
from app.feedback import screen as feedback_screen
from app.feedback.query import ReviewFilter, ReviewView
from app.feedback.reply import REPLY_MAX_CHARS, ReplyOutcome
from ui import errors, plain_text, wording
from ui.reviews import models
from ui.reviews.common import RED_STYLE, WARN_STYLE, wrapped
from ui.reviews.models import ReviewColumn, ReviewsModel
from ui.reviews.tab import FeedbackTab
from ui.tasks import TaskManager

CHECK_DELAY_MS = 400
RATINGS = {"": frozenset(), "bad": frozenset({1, 2, 3}), **{str(n): frozenset({n}) for n in range(1, 6)}}


class ReviewsTab(FeedbackTab):
    ID_FIELD = "review_id"
    read_listing = staticmethod(feedback_screen.read_reviews_listing)
    read_item = staticmethod(feedback_screen.read_review)
    fill_template = staticmethod(feedback_screen.fill_template)

    def __init__(self, ctx: AppContext, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(ctx, tasks, parent)
        self.current: ReviewView | None = None
        self._check_request = 0
        # Asked when the same reply went to other reviews lately: True sends it anyway (tests replace it).
        self.confirm_repeat: Callable[[str], bool] = self._ask_repeat
        db = ctx.db
        self._build(ReviewsModel(tasks, lambda keys: feedback_screen.read_reviews(db, keys), self))
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._check)

    @property
    def review_id(self) -> str:
        return self._chosen

    def _build(self, model: ReviewsModel) -> None:
        self.rating = QComboBox(self)
        self.rating.setObjectName("reviewRating")
        self.rating.addItem(self.tr("Any rating"), "")
        self.rating.addItem(self.tr("1–3 stars"), "bad")
        for n in range(5, 0, -1):
            self.rating.addItem(models.stars(n), str(n))
        self.status = QComboBox(self)
        self.status.setObjectName("reviewStatus")
        self.status.addItem(self.tr("Any status"), "")
        for value in ("NEW", "VIEWED", "PROCESSED"):
            self.status.addItem(models.status(value), value)
        self.replied = QComboBox(self)
        self.replied.setObjectName("reviewReplied")
        self.replied.addItem(self.tr("Replied or not"), "")
        self.replied.addItem(self.tr("Not replied"), "no")
        self.replied.addItem(self.tr("Replied"), "yes")
        left = self.build_list(
            model,
            ReviewColumn.REVIEW,
            "review",
            (self.rating, self.status, self.replied),
            self.tr("Search in reviews and product names…"),
        )

        self.stars = plain_text.label("", self)
        self.stars.setObjectName("reviewStars")
        self.product_label = wrapped("", self, "reviewProductName")
        self.photos_label = plain_text.label("", self)
        self.status_label = wrapped("", self)
        self.hint = wrapped("", self, "replyHint")
        self.hint.hide()
        self.templates_button = QPushButton(self.tr("Templates…"), self)
        self.templates_button.setObjectName("reviewTemplates")
        self.processed_button = QPushButton(self.tr("Mark processed"), self)
        self.processed_button.setObjectName("markProcessed")
        self.processed_button.setToolTip(self.tr("Mark the review processed on Ozon without a reply"))
        self.send_button = QPushButton(self.tr("Send reply"), self)
        self.send_button.setObjectName("sendReply")
        right = self.build_detail(
            "review",
            (self.stars,),
            (
                (self.tr("Product:"), self.product_label),
                (self.tr("Photos:"), self.photos_label),
                (self.tr("Status:"), self.status_label),
            ),
            "reply",
            self.tr("Write a public reply in Russian…"),
            self.hint,
            (self.templates_button, self.processed_button, self.send_button),
        )
        self.place(left, right)

        self.edit.textChanged.connect(self._text_changed)
        self.send_button.clicked.connect(lambda: self.send())
        self.processed_button.clicked.connect(self.mark_processed)
        self.templates_button.clicked.connect(self.open_templates)
        self.show_item(None)

    # -- the list (FeedbackTab's hooks) ---------------------------------------------------------------

    def list_filter(self) -> ReviewFilter:
        replied = str(self.replied.currentData() or "")
        return ReviewFilter(
            ratings=RATINGS.get(str(self.rating.currentData() or ""), frozenset()),
            status=str(self.status.currentData() or ""),
            replied=None if not replied else replied == "yes",
            product=self.product.text().strip(),
            search=self.search.text().strip(),
        )

    def empty_text(self, filtered: bool) -> str:
        if filtered:
            return self.tr("No review matches the filters.")
        return self.tr("No reviews yet. They appear here after a sync.")

    def item_opened(self) -> None:
        self._allowed = ()
        self.edit.clear()
        self.show_hint("")

    # -- one review -------------------------------------------------------------------------------

    def open_review(self, review_id: str) -> None:
        self.open_item(review_id)

    def show_item(self, review: ReviewView | None) -> None:
        self.current = review
        if review is None:
            self.heading.setText(self.tr("Choose a review on the left."))
            for label in (self.stars, self.product_label, self.photos_label, self.status_label, self.text):
                label.setText("")
        else:
            when = wording.local_time(review.published_at) if review.published_at else ""
            self.heading.setText(self.tr("Review of {when}").format(when=when) if when else self.tr("Review"))
            self.stars.setText(models.stars(review.rating) + f"  {review.rating}/5")
            self.stars.setStyleSheet(
                "color: #c62828; font-size: 16pt;" if review.rating <= 2 else "color: #b26a00; font-size: 16pt;"
            )
            self.product_label.setText(
                plain_text.clipped(models.product(review.sku, review.offer_id, review.product_name))
            )
            self.photos_label.setText(str(review.photos) if review.photos else self.tr("none"))
            shown = models.status(review.status)
            if review.pending:
                shown += " · " + self.tr("waiting to be sent")
            elif review.replied:
                shown += " · " + self.tr("replied")
            self.status_label.setText(shown)
            self.text.setText(plain_text.clipped(review.text, 5000, 40) or self.tr("(rating only, no text)"))
        self.update_writable()
        self._update_counter()

    def update_writable(self) -> None:
        review = self.current
        can = self.writable and review is not None
        for w in (self.edit, self.templates_button, self.send_button):
            w.setEnabled(can)
        self.processed_button.setEnabled(can and review is not None and review.status != "PROCESSED")

    # -- writing ----------------------------------------------------------------------------------

    def _text_changed(self) -> None:
        self._update_counter()
        self._check_timer.start()

    def _update_counter(self) -> None:
        count = len(self.edit.toPlainText().strip())
        self.counter.setText(f"{count}/{REPLY_MAX_CHARS}")
        self.counter.setStyleSheet(
            "color: #c62828; font-weight: bold;" if count > REPLY_MAX_CHARS else "color: #57606a;"
        )

    def show_hint(self, text: str, style: str = RED_STYLE) -> None:
        self.hint.setText(text)
        self.hint.setStyleSheet(style)
        self.hint.setVisible(bool(text))

    say = show_hint

    def unfillable(self, name: str, fields: str) -> str:
        return self.tr(
            "The template «{name}» uses {fields}, which a review cannot fill: choose another or write "
            "the reply yourself."
        ).format(name=name, fields=fields)

    def sentence(self, exc: BaseException) -> str:
        if isinstance(exc, LintError) and exc.code == "chat_too_long":
            return self.tr("The reply has {count} characters; Ozon takes at most 3000.").format(count=exc.found)
        return errors.message_for(exc)

    def _check(self) -> None:
        """The live hint: the lint's sentence, or the repeated-reply warning, as the seller types."""
        text = self.edit.toPlainText()
        if not self.review_id or not text.strip():
            self.show_hint("")
            return
        self._check_request += 1
        request, db, review_id, now, allowed = (
            self._check_request,
            self.ctx.db,
            self.review_id,
            self.ctx.clock.now(),
            self._allowed,
        )

        def checked(outcome: ReplyOutcome) -> None:
            if request == self._check_request:
                self.show_hint(self.repeated_sentence(outcome), WARN_STYLE)

        def refused(exc: BaseException) -> None:
            if request == self._check_request:
                self.show_hint(self.sentence(exc))

        self.tasks.run_db(
            lambda: feedback_screen.check_reply(db, review_id, text, now, allowed), on_done=checked, on_error=refused
        )

    def repeated_sentence(self, outcome: ReplyOutcome) -> str:
        if outcome.repeated is None:
            return ""
        return self.tr(
            "The same reply went to %n other review(s) in the last 30 days. Ozon penalises repeated answers: "
            "better write it in other words.",
            "",
            len(outcome.repeated.review_ids),
        )

    def send(self, force: bool = False) -> None:
        ctx, review_id, text, allowed = self.ctx, self.review_id, self.edit.toPlainText(), self._allowed
        if not review_id or not self.writable:
            return
        self.send_button.setEnabled(False)

        def done(outcome: ReplyOutcome) -> None:
            self.update_writable()
            if not outcome.queued:
                if self.confirm_repeat(self.repeated_sentence(outcome)):
                    self.send(force=True)
                else:
                    self.show_hint(self.repeated_sentence(outcome), WARN_STYLE)
                return
            if review_id == self.review_id:
                self.edit.clear()
                self._allowed = ()
                self.show_hint("")
                self.reload_open()
            self.message.emit(self.tr("Reply saved: it is sent to Ozon with the next sync."))

        def failed(exc: BaseException) -> None:
            self.update_writable()
            if isinstance(exc, UserError):
                self.show_hint(self.sentence(exc))  # the text stays in the box
            else:
                errors.show_error(self, exc)

        self.tasks.run_db(
            lambda: reply.reply_to_review(
                ctx.db, ctx.clock, review_id, text, bus=ctx.bus, force=force, allowed=allowed
            ),
            on_done=done,
            on_error=failed,
        )

    def _ask_repeat(self, sentence: str) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Send anyway?"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(sentence + "\n\n" + self.tr("Send this reply anyway?"))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Send anyway"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Edit the reply"))
        return box.exec() == QMessageBox.StandardButton.Yes

    def mark_processed(self) -> None:
        ctx, review_id = self.ctx, self.review_id
        if not review_id:
            return
        self.tasks.run_db(
            lambda: reply.mark_processed(ctx.db, ctx.clock, review_id, bus=ctx.bus),
            on_done=lambda _entry: self.reload_open(),
            on_error=lambda exc: self.show_hint(errors.message_for(exc)),
        )
