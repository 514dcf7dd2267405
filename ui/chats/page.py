"""The Chats page: every buyer chat and the support chat, the most urgent first, with the 24-hour reply
clock; the open conversation, the composer, and the order the chat is about.

Every read and write runs on the TaskManager (app.chat.screen, app.chat.compose); the list reads the local
cache, so the page opens offline. The list is read again on `ChatsChanged`, the clocks repaint each
minute. The badge, the desktop notification and the sound are the window's: the page says when the unread
total changes (`unread_changed`) and when a buyer wrote something new (`buyer_wrote`).

Signals:
    unread_changed(int): unread messages over every chat.
    buyer_wrote(str number, str preview): a buyer chat (about posting `number`) got new unread messages
        (not those the first sync catches up on).
    posting_requested(str posting_number): show this posting on the Orders page.
    message(str): a line for the status bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import events
from app.chat import compose
from app.chat import screen as chat_screen
from app.chat.attachments import AttachmentRefused, Outgoing, load_outgoing
from app.chat.inbox import ChatFilter, ChatKind, ChatSummary
from app.chat.screen import FilledTemplate, OpenChat, TemplateChoice
from app.context import AppContext
from app.domain.chats import AuthorType
from app.errors import UserError
from app.workflows import decisions
from ui import errors, plain_text, wording
from ui.banner import MessageBanner
from ui.bridge import EventBridge
from ui.chats import texts
from ui.chats.composer import Composer
from ui.chats.conversation import ConversationView, ImageLoader
from ui.chats.escalation_dialog import EscalationDialog
from ui.chats.list_model import ChatColumn, ChatListModel
from ui.chats.manage import AutoRepliesDialog, TemplatesDialog
from ui.chats.order_panel import OrderPanel
from ui.chats.template_picker import TemplatePicker, display_name
from ui.tasks import TaskManager
from ui.widgets.selection import refill_quietly

SEARCH_DELAY_MS = 300
TICK_MS = 60_000
ORDER_STATUSES = ("awaiting_packaging", "awaiting_deliver", "delivering", "delivered", "cancelled")


def image_loader(tasks: TaskManager, images: object | None) -> ImageLoader | None:
    """Chat pictures through `sync.chat_images.ChatImages` (anything with `get(url) -> Path`), on the I/O
    pool, one download at a time (its transport is not thread-safe)."""
    get = getattr(images, "get", None)
    if not callable(get):
        return None
    lock = threading.Lock()

    def fetch(url: str) -> Path:
        with lock:
            found = get(url)
        return Path(found)

    def load(url: str, on_loaded: Callable[[Path | None], None]) -> None:
        tasks.run_io(lambda: fetch(url), on_done=on_loaded, on_error=lambda _exc: on_loaded(None))

    return load


class ChatsPage(QWidget):
    unread_changed = Signal(int)
    buyer_wrote = Signal(str, str)
    posting_requested = Signal(str)
    message = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        tasks: TaskManager,
        bridge: EventBridge,
        parent: QWidget | None = None,
        *,
        load_image: ImageLoader | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.current: OpenChat | None = None
        self.chat_id = ""
        self.escalation: EscalationDialog | None = None
        self.picker: TemplatePicker | None = None
        self.plan_limited = False
        self._allowed: tuple[str, ...] = ()
        self._list_request = 0
        self._open_request = 0
        self._known_unread: dict[str, int] | None = None
        self._caught_up = False  # the first sync brings old messages, which are no news
        self.unread_total = 0

        self.banner = MessageBanner(self)
        self.banner.setObjectName("chatsBanner")
        self.model = ChatListModel(ctx.clock.now, self)
        self._build()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._tick.start()
        self.conversation.load_image = load_image

        bridge.chats_changed.connect(self._on_chats_changed)
        bridge.outbox_changed.connect(lambda _event: self._reload_open())
        bridge.plan_limited.connect(self._on_plan_limited)
        bridge.sync_finished.connect(self._on_synced)
        self.reload()
        self._check_news()
        db = ctx.db
        self.tasks.run_db(lambda: chat_screen.chats_plan_limited(db), on_done=self._plan_known)

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        left = QWidget(self)
        self.search = QLineEdit(left)
        self.search.setObjectName("chatSearch")
        self.search.setPlaceholderText(self.tr("Search messages, order or posting number…"))
        self.search.setClearButtonEnabled(True)
        self.needs_reply = QCheckBox(self.tr("Needs reply"), left)
        self.needs_reply.setObjectName("filterNeedsReply")
        self.unread = QCheckBox(self.tr("Unread"), left)
        self.unread.setObjectName("filterUnread")
        self.support = QCheckBox(self.tr("Support"), left)
        self.support.setObjectName("filterSupport")
        self.status = QComboBox(left)
        self.status.setObjectName("filterOrderStatus")
        self.status.addItem(self.tr("Any order status"), "")
        for status in ORDER_STATUSES:
            self.status.addItem(wording.posting_status(status), status)
        filters = QHBoxLayout()
        for box in (self.needs_reply, self.unread, self.support):
            filters.addWidget(box)
        filters.addStretch(1)
        self.view = QTableView(left)
        self.view.setObjectName("chatList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() * 2 + 14)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(ChatColumn.CHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ChatColumn.CLOCK, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ChatColumn.UNREAD, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = plain_text.label("", left)
        self.empty.setObjectName("chatListEmpty")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.more = plain_text.label("", left)
        self.more.setObjectName("chatListMore")
        self.more.setWordWrap(True)
        self.more.hide()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.empty)
        left_layout.addWidget(self.more)

        middle = QWidget(self)
        self.heading = plain_text.label("", middle)
        self.heading.setObjectName("chatHeading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.clock_label = plain_text.label("", middle)
        self.clock_label.setObjectName("chatClock")
        self.start_bar = QWidget(middle)
        self.start_text = plain_text.label("", self.start_bar)
        self.start_text.setWordWrap(True)
        self.start_button = QPushButton(self.tr("Start a chat"), self.start_bar)
        self.start_button.setObjectName("startChat")
        self.start_button.clicked.connect(self._start_chat)
        start_row = QHBoxLayout(self.start_bar)
        start_row.setContentsMargins(0, 0, 0, 0)
        start_row.addWidget(self.start_text, 1)
        start_row.addWidget(self.start_button)
        self.start_bar.hide()
        self._start_posting = ""
        self.conversation = ConversationView(middle)
        self.composer = Composer(middle)
        split = QSplitter(Qt.Orientation.Vertical, middle)
        split.addWidget(self.conversation)
        split.addWidget(self.composer)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 150])
        split.setChildrenCollapsible(False)
        # The reply clock under the heading, not beside it: on one row with the two buttons the clock
        # («Ответ: осталось 18 ч 18 мин») was cut and the chat list squeezed to half a posting number.
        heading_box = QVBoxLayout()
        heading_box.setSpacing(2)
        heading_box.addWidget(self.heading)
        heading_box.addWidget(self.clock_label)
        head_row = QHBoxLayout()
        head_row.addLayout(heading_box, 1)
        self.manage_templates_button = QPushButton(self.tr("Edit templates…"), middle)
        self.manage_templates_button.setObjectName("manageTemplates")
        self.manage_templates_button.setToolTip(self.tr("Edit, import and export the answer templates"))
        self.manage_templates_button.clicked.connect(self.manage_templates)
        self.auto_replies_button = QPushButton(self.tr("Auto-replies…"), middle)
        self.auto_replies_button.setObjectName("manageAutoReplies")
        self.auto_replies_button.setToolTip(
            self.tr("Switch auto-reply rules on, off or to dry run; see what they sent")
        )
        self.auto_replies_button.clicked.connect(self.manage_auto_replies)
        head_row.addWidget(self.manage_templates_button, 0, Qt.AlignmentFlag.AlignTop)
        head_row.addWidget(self.auto_replies_button, 0, Qt.AlignmentFlag.AlignTop)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(4, 4, 4, 4)
        middle_layout.addLayout(head_row)
        middle_layout.addWidget(self.start_bar)
        middle_layout.addWidget(split, 1)

        self.order = OrderPanel(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.order)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([500, 530, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        for box in (self.needs_reply, self.unread, self.support):
            box.toggled.connect(lambda _on: self.reload())
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.composer.send_requested.connect(self.send)
        self.composer.draft_changed.connect(self._save_draft)
        self.composer.attach_requested.connect(self.attach)
        self.composer.templates_requested.connect(self.open_templates)
        self.conversation.retry_requested.connect(self.retry)
        self.conversation.image_requested.connect(self._show_image)
        self.order.posting_requested.connect(self.posting_requested)
        self.order.escalation_requested.connect(self.ask_support)
        self._show_nothing()

    # -- the list -------------------------------------------------------------------------------

    def chat_filter(self) -> ChatFilter:
        return ChatFilter(
            needs_reply=self.needs_reply.isChecked(),
            unread=self.unread.isChecked(),
            support=self.support.isChecked(),
            order_status=str(self.status.currentData() or ""),
            search=self.search.text().strip(),
        )

    def clear_filters(self) -> None:
        for box in (self.needs_reply, self.unread, self.support):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.status.blockSignals(True)
        self.status.setCurrentIndex(0)
        self.status.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def reload(self) -> None:
        self._search_timer.stop()
        self._list_request += 1
        request, db, wanted = self._list_request, self.ctx.db, self.chat_filter()
        limit = chat_screen.LIST_LIMIT
        self.tasks.run_db(
            lambda: chat_screen.chats(db, wanted, limit), on_done=lambda found: self._listed(request, found)
        )

    def _listed(self, request: int, found: chat_screen.ChatList) -> None:
        if request != self._list_request:
            return
        rows = found.rows
        self.more.setText(
            self.tr("The {shown} most urgent of {total} chats: search or filter to find the others.").format(
                shown=len(rows), total=found.total
            )
        )
        self.more.setVisible(found.total > len(rows))

        def refill() -> int:
            self.model.set_rows(rows)
            return self.model.row_of(self.chat_id) if self.chat_id else -1

        refill_quietly(self.view, refill)
        if not rows:
            filtered = self.chat_filter() != ChatFilter()
            self.empty.setText(
                self.tr("No chat matches the filters.")
                if filtered
                else self.tr("No chats yet. Buyers' messages appear here after a sync.")
            )
        self.empty.setVisible(not rows)

    def select_first(self) -> None:
        """Open the most urgent chat (the first row)."""
        if self.model.rowCount():
            self.view.selectRow(0)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        chosen = self.model.summary(current.row()) if current.isValid() else None
        if chosen is not None and chosen.chat_id != self.chat_id:
            self.open_chat(chosen.chat_id)

    def _on_chats_changed(self, event: events.ChatsChanged) -> None:
        self.reload()
        self._check_news()
        if self.chat_id and (not event.chat_ids or self.chat_id in event.chat_ids):
            self._reload_open()

    def _check_news(self, catch_up: bool = False) -> None:
        """The unread total for the badge, and whether a buyer wrote since the last look."""
        db = self.ctx.db
        # Only the chats with unread messages: a buyer who wrote is among them.
        unread = ChatFilter(unread=True)
        self.tasks.run_db(
            lambda: chat_screen.chats(db, unread, limit=None), on_done=lambda found: self._news(found.rows, catch_up)
        )

    def _news(self, rows: list[ChatSummary], catch_up: bool = False) -> None:
        unread = {c.chat_id: c.unread for c in rows}
        known = self._known_unread
        self._known_unread = unread
        total = sum(unread.values())
        if total != self.unread_total:
            self.unread_total = total
            self.unread_changed.emit(total)
        if catch_up:
            self._caught_up = True
        if known is None or not self._caught_up or catch_up:
            return  # the first look, or the catch-up at start: what was there is no news
        for chat in rows:
            if (
                chat.kind is ChatKind.BUYER
                and chat.unread > known.get(chat.chat_id, 0)
                and chat.chat_id != self._seen()
            ):
                self.buyer_wrote.emit(chat.posting_number or chat.order_number, self.model.preview(chat.preview))

    def _on_synced(self, event: events.SyncFinished) -> None:
        if event.ok and not self._caught_up:
            self._check_news(catch_up=True)

    def _seen(self) -> str:
        """The chat the seller is looking at (its messages are read as they come)."""
        return self.chat_id if self.isVisible() else ""

    # -- one chat -------------------------------------------------------------------------------

    def open_chat(self, chat_id: str) -> None:
        self._flush_draft()
        self.chat_id = chat_id
        self.current = None
        self._allowed = ()
        self.start_bar.hide()
        self.composer.load("")
        self.composer.set_writable(False, self.tr("Loading…"))
        self._read_open(keep_text=False)

    def _reload_open(self) -> None:
        if self.chat_id:
            self._read_open(keep_text=True)

    def _read_open(self, keep_text: bool) -> None:
        self._open_request += 1
        request, db, chat_id = self._open_request, self.ctx.db, self.chat_id
        self.tasks.run_db(
            lambda: chat_screen.open_chat(db, chat_id), on_done=lambda found: self._opened(request, found, keep_text)
        )

    def _opened(self, request: int, found: OpenChat | None, keep_text: bool) -> None:
        if request != self._open_request:
            return
        if found is None:
            self.current = None
            self._show_nothing(self.tr("This chat is no longer in the local copy."))
            return
        first = self.current is None or not keep_text
        self.current = found
        chat = found.summary
        self.heading.setText(texts.chat_title(chat.kind, chat.posting_number, chat.order_number))
        self._show_clock()
        self.conversation.show_messages(found.messages, found.intents)
        if first:
            self.composer.load(found.draft)
        self._update_writable()
        self.order.show_detail(found.order, self.ctx.clock.now())
        self.order.setVisible(chat.kind is ChatKind.BUYER)
        if chat.unread and self.isVisible():
            self.mark_read()

    def _show_clock(self) -> None:
        chat = self.current.summary if self.current is not None else None
        now = self.ctx.clock.now()
        text = texts.clock(chat.reply_due, now) if chat is not None else ""
        colour = texts.clock_colour(chat.urgency(now)) if chat is not None else None
        self.clock_label.setText(self.tr("Reply: {clock}").format(clock=text) if text else "")
        self.clock_label.setStyleSheet(f"color: {colour.name()}; font-weight: bold;" if colour is not None else "")

    def _update_writable(self) -> None:
        chat = self.current.summary if self.current is not None else None
        if chat is None:
            self.composer.set_writable(False, self.tr("Choose a chat on the left."))
        elif self.plan_limited:
            self.composer.set_writable(False, self.tr("Your Ozon plan does not include the chat API."))
        elif not chat.is_open:
            self.composer.set_writable(False, self.tr("This chat is closed: Ozon takes no new messages in it."))
        elif chat.kind is ChatKind.OTHER:
            self.composer.set_writable(False, self.tr("Ozon's notices take no answers."))
        else:
            self.composer.set_writable(True)

    def _show_nothing(self, note: str = "") -> None:
        self.heading.setText(self.tr("Chats"))
        self.clock_label.setText("")
        self.conversation.clear(note)
        self.order.show_detail(None, None)
        self._update_writable()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()
        if self.current is not None and self.current.summary.unread:
            self.mark_read()

    def mark_read(self) -> None:
        ctx, chat_id = self.ctx, self.chat_id
        if not chat_id:
            return
        self.tasks.run_db(
            lambda: compose.mark_read(ctx.db, ctx.clock, chat_id, bus=ctx.bus),
            on_error=lambda exc: self.message.emit(errors.message_for(exc)),
        )

    # -- writing --------------------------------------------------------------------------------

    def send(self, text: str) -> None:
        ctx, chat_id, allowed = self.ctx, self.chat_id, self._allowed
        if not chat_id:
            return
        self.composer.send_button.setEnabled(False)

        def done(_entry: object) -> None:
            if chat_id == self.chat_id:
                self.composer.sent()
                self._allowed = ()
                self._update_writable()
                self._reload_open()
            self.message.emit(self.tr("Message queued: it is sent with the next sync."))

        def failed(exc: BaseException) -> None:
            self._update_writable()
            if isinstance(exc, UserError):
                self.composer.show_error(errors.message_for(exc))  # the text stays in the box
            else:
                errors.show_error(self, exc)

        self.tasks.run_db(
            lambda: compose.send_text(ctx.db, ctx.clock, chat_id, text, bus=ctx.bus, allowed=allowed),
            on_done=done,
            on_error=failed,
        )

    def retry(self, outbox_key: str) -> None:
        ctx = self.ctx
        self.tasks.run_db(
            lambda: decisions.retry_actions(ctx.db, ctx.clock, [outbox_key], bus=ctx.bus),
            on_done=lambda _keys: self._reload_open(),
        )

    def _save_draft(self, text: str) -> None:
        if self.chat_id:
            ctx, chat_id = self.ctx, self.chat_id
            self.tasks.run_db(lambda: compose.save_draft(ctx.db, ctx.clock, chat_id, text))

    def _flush_draft(self) -> None:
        pending = self.composer.flush_draft()
        if pending is not None:
            self._save_draft(pending)

    def flush_draft(self) -> None:
        """Save what is typed now (the window closes)."""
        self._flush_draft()

    def attach(self, path: Path | None = None) -> None:
        if not self.chat_id:
            return
        if not isinstance(path, Path):
            chosen, _filter = QFileDialog.getOpenFileName(
                self, self.tr("Send a photo"), "", self.tr("Images (*.png *.jpg *.jpeg *.webp)")
            )
            if not chosen:
                return
            path = Path(chosen)
        ctx, chat_id, source = self.ctx, self.chat_id, path

        def send(photo: Outgoing) -> None:
            self.tasks.run_db(
                lambda: compose.send_image(ctx.db, ctx.clock, chat_id, photo.name, photo.content, bus=ctx.bus),
                on_done=lambda _entry: self._reload_open(),
                on_error=lambda exc: self.composer.show_error(errors.message_for(exc)),
            )

        def refused(exc: BaseException) -> None:
            if isinstance(exc, AttachmentRefused):
                self.composer.show_error(self._refusal(exc))
            else:
                errors.show_error(self, exc)

        self.tasks.run_io(lambda: load_outgoing(source), on_done=send, on_error=refused)

    def _refusal(self, exc: AttachmentRefused) -> str:
        sentences = {
            "too_large": self.tr("The photo is larger than 10 MB: Ozon does not take it."),
            "too_many_pixels": self.tr("The photo is too large in pixels (at most 40 megapixels)."),
            "format": self.tr("Only PNG, JPEG and WEBP photos can be sent."),
            "not_an_image": self.tr("The file is not a photo (PNG, JPEG or WEBP)."),
            "corrupt": self.tr("The photo is damaged or incomplete."),
            "unreadable": self.tr("The file cannot be read."),
        }
        return sentences.get(exc.code, exc.message)

    # -- templates ------------------------------------------------------------------------------

    def selected_intents(self) -> tuple[str, ...]:
        """The intents of the buyer's newest message (what the answer is for)."""
        if self.current is None:
            return ()
        for message in reversed(self.current.messages):
            if message.author is AuthorType.CUSTOMER:
                return self.current.intents.get(message.message_id, ())
        return ()

    def open_templates(self) -> None:
        if not self.chat_id or not self.composer.edit.isEnabled():
            return
        db, intents = self.ctx.db, self.selected_intents()
        self.tasks.run_db(lambda: chat_screen.templates(db, intents), on_done=lambda found: self._pick(found, intents))

    def _pick(self, choices: list[TemplateChoice], intents: tuple[str, ...]) -> None:
        if not choices:
            self.composer.show_note(self.tr("No answer templates yet."))
            return
        picker = TemplatePicker(choices, intents, self)
        self.picker = picker
        picker.accepted.connect(lambda: self._picked(picker.chosen()))
        picker.open()

    def _picked(self, choice: TemplateChoice | None) -> None:
        if choice is None:
            return
        db, chat_id, now = self.ctx.db, self.chat_id, self.ctx.clock.now()

        def insert(filled: FilledTemplate) -> None:
            if chat_id != self.chat_id:
                return
            self.composer.insert(filled.text)
            self._allowed = tuple(dict.fromkeys((*self._allowed, *filled.allowed)))
            self.composer.show_note(self.tr("Template: {name}").format(name=display_name(choice)))

        self.tasks.run_db(
            lambda: chat_screen.fill_template(db, choice.key, chat_id, now),
            on_done=insert,
            on_error=lambda exc: self.composer.show_error(errors.message_for(exc)),
        )

    def manage_templates(self) -> TemplatesDialog:
        dialog = TemplatesDialog(self.ctx, self.tasks, self)
        self.templates_dialog = dialog
        dialog.open()
        return dialog

    def manage_auto_replies(self) -> AutoRepliesDialog:
        dialog = AutoRepliesDialog(self.ctx, self.tasks, self)
        self.auto_replies_dialog = dialog
        dialog.open()
        return dialog

    # -- from elsewhere -------------------------------------------------------------------------

    def show_posting_chat(self, posting_number: str, chat_id: str) -> None:
        """The Orders page asked for this posting's chat: open it, or offer to start one."""
        db = self.ctx.db

        def found(known: str) -> None:
            if known:
                self.clear_filters()
                self.open_chat(known)
                self.reload()
                return
            self._start_posting = posting_number
            self.start_text.setText(
                self.tr("There is no chat with the buyer of {posting} yet.").format(posting=posting_number)
            )
            self.start_button.setEnabled(not self.plan_limited)
            self.start_bar.show()

        if chat_id:
            found(chat_id)
        else:
            self.tasks.run_db(lambda: chat_screen.chat_for_posting(db, posting_number), on_done=found)

    def _start_chat(self) -> None:
        ctx, posting = self.ctx, self._start_posting
        if not posting:
            return
        self.start_button.setEnabled(False)

        def done(_entry: object) -> None:
            self.start_text.setText(
                self.tr("Ozon was asked to open a chat about {posting}: it appears here after the next sync.").format(
                    posting=posting
                )
            )

        self.tasks.run_db(
            lambda: compose.start_chat(ctx.db, ctx.clock, posting, bus=ctx.bus),
            on_done=done,
            on_error=lambda exc: self.start_text.setText(errors.message_for(exc)),
        )

    def ask_support(self, posting_number: str) -> None:
        if not posting_number:
            return
        dialog = EscalationDialog(self.ctx, self.tasks, posting_number, self)
        self.escalation = dialog
        dialog.open()

    def _plan_known(self, limited: bool) -> None:
        if limited:
            self._on_plan_limited(events.PlanLimited("chats", ""))

    def _on_plan_limited(self, event: events.PlanLimited) -> None:
        if event.area != "chats":
            return
        self.plan_limited = True
        self.banner.show_message(
            self.tr(
                "Your Ozon plan does not include the chat API: chats are read-only here and cannot be sent or "
                "refreshed. Everything else in Packdesk works."
            )
        )
        self._update_writable()

    def _show_image(self, url: str) -> None:
        loader = self.conversation.load_image
        if loader is None:
            return

        def show(path: Path | None) -> None:
            pixmap = QPixmap(str(path)) if path is not None else QPixmap()
            if pixmap.isNull():
                self.message.emit(self.tr("The photo is not available."))
                return
            dialog = QDialog(self)
            dialog.setWindowTitle(self.tr("Photo"))
            label = QLabel(dialog)
            label.setPixmap(pixmap)
            area = QScrollArea(dialog)
            area.setWidget(label)
            layout = QVBoxLayout(dialog)
            layout.addWidget(area)
            dialog.resize(min(pixmap.width() + 40, 1100), min(pixmap.height() + 40, 800))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        loader(url, show)
