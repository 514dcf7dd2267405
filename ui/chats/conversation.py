"""One chat's messages, oldest at the top: author, local time, read or sending state, the text, and under
a buyer's message a one-line gloss in the seller's language.

Buyer text is untrusted: every label here is plain text (`plain_text.label`), a word too long to wrap
gets invisible break opportunities (never cut: the whole message is shown), and nothing is a link.
Pictures show as buttons: a "photo" placeholder until `load_image(url, on_loaded)` brings the file
(on a background task); a click asks for the large view (`image_requested`).

Signals:
    retry_requested(str outbox_key): the seller wants a failed message sent again.
    image_requested(str url): the seller clicked a picture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.chat.inbox import MessageState, MessageView
from app.domain.chats import AuthorType
from ui import plain_text, wording
from ui.chats import texts

THUMB = QSize(160, 120)
_BUBBLE = {
    AuthorType.CUSTOMER: "#ffffff",
    AuthorType.SELLER: "#e3f0ff",
    AuthorType.SUPPORT: "#eef7e8",
    AuthorType.OTHER: "#f3f3f3",
}
ImageLoader = Callable[[str, Callable[[Path | None], None]], None]


def shown_text(text: str) -> str:
    """The whole message, with break opportunities inside words too long to wrap."""
    return plain_text.clipped(text, limit=len(text) + 1, run=24)


class MessageBubble(QFrame):
    retry_requested = Signal(str)
    image_requested = Signal(str)

    def __init__(self, message: MessageView, intents: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.setObjectName("bubble")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colour = _BUBBLE.get(message.author, "#ffffff")
        self.setStyleSheet(f"#bubble {{ background: {colour}; border: 1px solid #d0d7de; border-radius: 6px; }}")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(3)

        head = [texts.author(message.author), wording.local_time(message.created_at)]
        if message.author is AuthorType.SELLER or message.state is not MessageState.SENT:
            head.append(texts.state(message.state, message.is_read))
        self.header = plain_text.label(" · ".join(head), self)
        self.header.setObjectName("messageHeader")
        small = QFont(self.header.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.header.setFont(small)
        self.header.setStyleSheet("color: #57606a;")
        layout.addWidget(self.header)

        self.body: QLabel | None = None
        self.images: list[QToolButton] = []
        if message.is_image and message.image_urls:
            row = QHBoxLayout()
            for url in message.image_urls:
                button = QToolButton(self)
                button.setObjectName("chatImage")
                button.setText(self.tr("photo"))
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setMinimumSize(THUMB)
                button.setIconSize(THUMB)
                button.setToolTip(self.tr("Click to open the photo"))
                button.clicked.connect(lambda _checked=False, u=url: self.image_requested.emit(u))
                button.setProperty("url", url)
                self.images.append(button)
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        if message.text and not (message.is_image and message.image_urls and message.text in message.image_urls):
            self.body = plain_text.label(shown_text(message.text), self)
            self.body.setObjectName("messageText")
            self.body.setWordWrap(True)
            self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.body)
        elif message.is_image and not message.image_urls:
            self.body = plain_text.label(self.tr("photo") + " · " + message.text, self)
            layout.addWidget(self.body)

        self.gloss: QLabel | None = None
        line = texts.gloss(intents) if message.author is AuthorType.CUSTOMER else ""
        if line:
            self.gloss = plain_text.label(line, self)
            self.gloss.setObjectName("messageGloss")
            self.gloss.setWordWrap(True)
            self.gloss.setStyleSheet("color: #6e5a00; font-style: italic;")
            layout.addWidget(self.gloss)

        self.retry: QPushButton | None = None
        if message.state is MessageState.FAILED:
            reason = plain_text.label(
                self.tr("Ozon did not take it: {reason}").format(reason=message.error or self.tr("no reason given")),
                self,
            )
            reason.setObjectName("messageError")
            reason.setWordWrap(True)
            reason.setStyleSheet("color: #c62828;")
            layout.addWidget(reason)
            if message.outbox_key:
                self.retry = QPushButton(self.tr("Send again"), self)
                self.retry.setObjectName("retrySend")
                self.retry.clicked.connect(lambda: self.retry_requested.emit(message.outbox_key))
                row = QHBoxLayout()
                row.addWidget(self.retry)
                row.addStretch(1)
                layout.addLayout(row)

    def show_image(self, url: str, path: Path | None) -> None:
        for button in self.images:
            if button.property("url") != url:
                continue
            pixmap = QPixmap(str(path)) if path is not None else QPixmap()
            if pixmap.isNull():
                button.setText(self.tr("photo (not available)"))
                continue
            button.setIcon(QIcon(pixmap.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio)))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)


class ConversationView(QScrollArea):
    retry_requested = Signal(str)
    image_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, load_image: ImageLoader | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.load_image = load_image
        self.bubbles: list[MessageBubble] = []
        self._rows: list[QHBoxLayout] = []
        self._inner = QWidget(self)
        self._inner.setObjectName("conversationInner")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)  # few messages sit at the bottom, by the composer
        self.empty = plain_text.label(self.tr("Choose a chat on the left."), self._inner)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.empty)
        self.setWidget(self._inner)
        # Shown messages stick to the end while the page grows (wrapped text is laid out in several
        # passes, photos arrive later): one scroll right after showing them left the chat at its oldest
        # message. Scrolling by the seller lets go.
        self._stick_to_end = False
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.actionTriggered.connect(self._scrolled_by_hand)

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_end:
            self.verticalScrollBar().setValue(maximum)

    def _scrolled_by_hand(self, _action: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_end = bar.sliderPosition() >= bar.maximum()

    def clear(self, note: str = "") -> None:
        for row in self._rows:
            self._layout.removeItem(row)
        for bubble in self.bubbles:
            bubble.deleteLater()
        self.bubbles = []
        self._rows = []
        self.empty.setText(note or self.tr("Choose a chat on the left."))
        self.empty.show()

    def show_messages(self, messages: tuple[MessageView, ...], intents: dict[str, tuple[str, ...]]) -> None:
        at_bottom = True
        self.clear(self.tr("No messages yet."))
        self.empty.setVisible(not messages)
        for message in messages:
            bubble = MessageBubble(message, intents.get(message.message_id, ()), self._inner)
            bubble.retry_requested.connect(self.retry_requested)
            bubble.image_requested.connect(self.image_requested)
            row = QHBoxLayout()  # the seller's own messages on the right, the others on the left
            if message.author is AuthorType.SELLER:
                row.addStretch(1)
            row.addWidget(bubble, 5)
            if message.author is not AuthorType.SELLER:
                row.addStretch(1)
            self._layout.addLayout(row)
            self._rows.append(row)
            self.bubbles.append(bubble)
            for url in message.image_urls if message.is_image else ():
                if self.load_image is not None:
                    self.load_image(url, self._receiver(bubble, url))
        if at_bottom:
            self._stick_to_end = True
            QTimer.singleShot(0, self._scroll_to_end)

    def _receiver(self, bubble: MessageBubble, url: str) -> Callable[[Path | None], None]:
        return lambda path: self._image_loaded(bubble, url, path)

    def _image_loaded(self, bubble: MessageBubble, url: str, path: Path | None) -> None:
        if bubble in self.bubbles:
            bubble.show_image(url, path)

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def text_of(self, row: int) -> str:
        """The message text as shown (break opportunities removed), for tests and copying."""
        body = self.bubbles[row].body
        return body.text().replace("\u200b", "") if body is not None else ""
