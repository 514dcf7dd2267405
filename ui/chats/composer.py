"""The box where the seller writes to the buyer: a live n/1000 counter, Ctrl+Enter to send, the reason
a text was refused right beside it (the text stays), a photo, templates (Ctrl+T), and the draft, saved
a second after the last key.

Signals:
    send_requested(str text): Ctrl+Enter or the Send button.
    attach_requested(): the Photo button.
    templates_requested(): Ctrl+T or the Templates button.
    draft_changed(str text): the text settled for DRAFT_DELAY_MS (the page saves it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.chat.lint import MAX_CHARS
from ui import plain_text

DRAFT_DELAY_MS = 1000


class Composer(QWidget):
    send_requested = Signal(str)
    attach_requested = Signal()
    templates_requested = Signal()
    draft_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("composerText")
        self.edit.setPlaceholderText(self.tr("Write to the buyer in Russian… (Ctrl+Enter sends)"))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(self.fontMetrics().height() * 4)
        self.counter = plain_text.label("", self)
        self.counter.setObjectName("composerCounter")
        self.error = plain_text.label("", self)
        self.error.setObjectName("composerError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        self.note = plain_text.label("", self)
        self.note.setObjectName("composerNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #57606a;")
        self.note.hide()
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("sendMessage")
        self.send_button.setToolTip(self.tr("Send to the buyer (Ctrl+Enter)"))
        self.send_button.setDefault(False)
        self.attach_button = QPushButton(self.tr("Photo…"), self)
        self.attach_button.setObjectName("attachPhoto")
        self.attach_button.setToolTip(self.tr("Send a photo (PNG, JPEG or WEBP, up to 10 MB)"))
        self.templates_button = QPushButton(self.tr("Templates…"), self)
        self.templates_button.setObjectName("openTemplates")
        self.templates_button.setToolTip(self.tr("Insert a ready answer (Ctrl+T)"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.templates_button)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.counter)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(lambda: self.draft_changed.emit(self.text()))
        self._loading = False
        self.edit.textChanged.connect(self._changed)
        self.send_button.clicked.connect(self._send)
        self.attach_button.clicked.connect(self.attach_requested)
        self.templates_button.clicked.connect(self.templates_requested)
        self.edit.installEventFilter(self)  # Ctrl+Enter sends (Enter alone starts a new line)
        templates = QShortcut(QKeySequence("Ctrl+T"), self)
        templates.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        templates.activated.connect(self.templates_requested)
        self._update_counter()

    # -- the text ---------------------------------------------------------------------------------

    def text(self) -> str:
        return self.edit.toPlainText()

    def load(self, text: str) -> None:
        """Show a chat's draft (no draft save is triggered by it)."""
        self._draft_timer.stop()
        self._loading = True
        self.edit.setPlainText(text)
        self._loading = False
        self.show_error("")
        self.show_note("")
        self._update_counter()

    def insert(self, text: str) -> None:
        self.edit.insertPlainText(text)
        self.edit.setFocus()

    def flush_draft(self) -> str | None:
        """The text, when a draft save is still waiting (the seller switches chats): save it now."""
        if not self._draft_timer.isActive():
            return None
        self._draft_timer.stop()
        return self.text()

    def sent(self) -> None:
        self.load("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def set_writable(self, writable: bool, reason: str = "") -> None:
        for widget in (self.edit, self.send_button, self.attach_button, self.templates_button):
            widget.setEnabled(writable)
        self.edit.setPlaceholderText(
            self.tr("Write to the buyer in Russian… (Ctrl+Enter sends)") if writable else reason
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self._send()
                return True
        return super().eventFilter(watched, event)

    # -- internals --------------------------------------------------------------------------------

    def _changed(self) -> None:
        self._update_counter()
        if self.error.isVisible():
            self.show_error("")
        if not self._loading:
            self._draft_timer.start()

    def _update_counter(self) -> None:
        count = len(self.text().strip())
        self.counter.setText(f"{count}/{MAX_CHARS}")
        self.counter.setStyleSheet("color: #c62828; font-weight: bold;" if count > MAX_CHARS else "color: #57606a;")

    def _send(self) -> None:
        if self.send_button.isEnabled():
            self.send_requested.emit(self.text())
