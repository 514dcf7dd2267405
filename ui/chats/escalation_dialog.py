""" "Ask Ozon support" about a posting: a topic, the seller's note, and the Russian message Packdesk writes
from what it knows (app.chat.escalation), editable; sent to the seller-support chat or saved as a PDF.

Everything that reads or writes runs on the TaskManager; the dialog only shows results."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.chat import compose, escalation
from app.chat import screen as chat_screen
from app.chat.escalation import EscalationFacts, Topic
from app.chat.lint import MAX_CHARS
from app.context import AppContext
from printing.documents.escalation import escalation_pdf
from ui import errors, plain_text
from ui.tasks import TaskManager


class EscalationDialog(QDialog):
    def __init__(self, ctx: AppContext, tasks: TaskManager, posting_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.posting_number = posting_number
        self.facts: EscalationFacts | None = None
        self.setObjectName("escalationDialog")
        self.setWindowTitle(self.tr("Ask Ozon support about {posting}").format(posting=posting_number))
        self.resize(720, 560)
        self.topic = QComboBox(self)
        self.topic.setObjectName("escalationTopic")
        for topic, name in self._topics().items():
            self.topic.addItem(name, topic.value)
        self.note = QLineEdit(self)
        self.note.setObjectName("escalationNote")
        self.note.setPlaceholderText(self.tr("Anything support should know, in Russian if you can"))
        self.message = QPlainTextEdit(self)
        self.message.setObjectName("escalationMessage")
        self.counter = plain_text.label("", self)
        self.status = plain_text.label(self.tr("Reading the posting…"), self)
        self.status.setObjectName("escalationStatus")
        self.status.setWordWrap(True)
        self.send_button = QPushButton(self.tr("Send to support chat"), self)
        self.send_button.setObjectName("escalationSend")
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), self)
        self.pdf_button.setObjectName("escalationPdf")
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(plain_text.label(self.tr("Topic"), self), self.topic)
        form.addRow(plain_text.label(self.tr("Your note"), self), self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(plain_text.label(self.tr("Message to Ozon support (Russian, you may edit it):"), self))
        layout.addWidget(self.message, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        for widget in (self.send_button, self.pdf_button, self.message):
            widget.setEnabled(False)
        self.topic.currentIndexChanged.connect(self._regenerate)
        self.note.editingFinished.connect(self._regenerate)
        self.message.textChanged.connect(self._count)
        self.send_button.clicked.connect(self.send)
        self.pdf_button.clicked.connect(self.save_pdf)
        db = ctx.db
        self.tasks.run_db(lambda: chat_screen.escalation_facts(db, posting_number), on_done=self._loaded)

    def _topics(self) -> dict[Topic, str]:
        return {
            Topic.NOT_ACCEPTED: self.tr("Not accepted at the warehouse"),
            Topic.LOST_IN_TRANSIT: self.tr("Lost in transit"),
            Topic.WRONG_STATUS: self.tr("Wrong status"),
            Topic.LABEL_PROBLEM: self.tr("Problem with the label"),
            Topic.BUYER_DISPUTE: self.tr("Dispute with the buyer"),
            Topic.OTHER: self.tr("Other question"),
        }

    def chosen_topic(self) -> Topic:
        return Topic.parse(str(self.topic.currentData()))

    def _loaded(self, facts: EscalationFacts | None) -> None:
        self.facts = facts
        if facts is None:
            self.status.setText(self.tr("This posting is not in the local copy yet. Sync, then try again."))
            return
        self.status.setText("")
        for widget in (self.send_button, self.pdf_button, self.message):
            widget.setEnabled(True)
        self._regenerate()

    def _regenerate(self) -> None:
        if self.facts is not None:
            self.message.setPlainText(escalation.support_message(self.facts, self.chosen_topic(), self.note.text()))

    def _count(self) -> None:
        count = len(self.message.toPlainText().strip())
        self.counter.setText(f"{count}/{MAX_CHARS}")
        self.counter.setStyleSheet("color: #c62828;" if count > MAX_CHARS else "")

    def _allowed(self) -> tuple[str, ...]:
        facts = self.facts
        if facts is None:
            return ()
        values = [facts.posting_number, facts.order_number, facts.tracking_number, facts.carriage]
        values += [str(i.sku) for i in facts.items] + [code for _sku, code in facts.marking_codes]
        return tuple(v for v in values if v)

    def send(self) -> None:
        text, allowed = self.message.toPlainText(), self._allowed()
        ctx = self.ctx

        def queue() -> bool:
            chat_id = chat_screen.support_chat_id(ctx.db)
            if not chat_id:
                return False
            compose.send_text(ctx.db, ctx.clock, chat_id, text, bus=ctx.bus, allowed=allowed)
            return True

        def done(sent: bool) -> None:
            if sent:
                self.status.setText(self.tr("Queued for the support chat: it is sent with the next sync."))
                self.send_button.setEnabled(False)
            else:
                self.status.setText(
                    self.tr(
                        "There is no chat with Ozon support in the local copy yet. Open one in the Ozon seller "
                        "cabinet, or save the PDF and attach it there."
                    )
                )

        self.tasks.run_db(queue, on_done=done, on_error=lambda exc: self.status.setText(errors.message_for(exc)))

    def save_pdf(self, path: Path | None = None) -> None:
        facts = self.facts
        if facts is None:
            return
        if not isinstance(path, Path):
            chosen, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Save as PDF"), f"ozon-support-{self.posting_number}.pdf", self.tr("PDF (*.pdf)")
            )
            if not chosen:
                return
            path = Path(chosen)
        topic, note, ctx, target = self.chosen_topic(), self.note.text(), self.ctx, path

        def render() -> Path:
            data = escalation_pdf(facts, topic, note, ctx.clock.now(), shop=ctx.settings.label_sender)
            target.write_bytes(data)
            return target

        self.tasks.run_io(
            render,
            on_done=lambda saved: self.status.setText(self.tr("Saved: {path}").format(path=str(saved))),
            on_error=lambda exc: self.status.setText(errors.message_for(exc)),
        )
