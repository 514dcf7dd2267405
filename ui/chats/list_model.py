"""The chat list as a table: who the chat is with and its last message, the reply clock, unread count.

Rows are `app.chat.inbox.ChatSummary` read on the database worker, already sorted by urgency. The clock
column is worked out from `now()` whenever it is painted; the page calls `tick()` each minute.
Buyer text (the preview) is returned raw for DisplayRole: the default delegate paints plain text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from app.chat.inbox import ChatKind, ChatSummary
from app.chat.reply_clock import Urgency
from ui import plain_text, wording
from ui.chats import texts
from ui.widgets.rows_model import RowsModel

PREVIEW_CHARS = 90


class ChatColumn(IntEnum):
    CHAT = 0
    CLOCK = 1
    UNREAD = 2


def one_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ChatListModel(RowsModel):
    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now

    def headers(self) -> Sequence[str]:
        return (self.tr("Chat"), self.tr("Reply within"), self.tr("Unread"))

    def summary(self, row: int) -> ChatSummary | None:
        found = self.row_at(row)
        return found if isinstance(found, ChatSummary) else None

    def row_of(self, chat_id: str) -> int:
        for row in range(self.rowCount()):
            found = self.summary(row)
            if found is not None and found.chat_id == chat_id:
                return row
        return -1

    def preview(self, text: str) -> str:
        shown = one_line(text)
        return self.tr("[photo]") if shown in ("🖼", "") and text else shown

    def tick(self) -> None:
        """The minute changed: repaint the clocks."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, ChatColumn.CLOCK), self.index(self.rowCount() - 1, ChatColumn.CLOCK))

    def cell(self, row: Any, column: int, role: int) -> Any:
        chat: ChatSummary = row
        now = self._now()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ChatColumn.CHAT:
                number = chat.posting_number or chat.order_number
                buyer = chat.kind is ChatKind.BUYER and number
                title = number if buyer else texts.chat_title(chat.kind, chat.posting_number, chat.order_number)
                if chat.posting_status:
                    title += " · " + wording.posting_status(chat.posting_status)
                return title + "\n" + self.preview(chat.preview)
            if column == ChatColumn.CLOCK:
                if chat.reply_queued and chat.awaiting_since is not None:
                    return self.tr("answered")
                return texts.clock(chat.reply_due, now)
            if column == ChatColumn.UNREAD:
                return str(chat.unread) if chat.unread else ""
        if role == Qt.ItemDataRole.ForegroundRole and column == ChatColumn.CLOCK:
            return texts.clock_colour(chat.urgency(now))
        if role == Qt.ItemDataRole.FontRole and (chat.unread or column == ChatColumn.CLOCK):
            urgent = chat.urgency(now) in (Urgency.URGENT, Urgency.OVERDUE)
            if chat.unread or urgent:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole and column == ChatColumn.CHAT:
            return plain_text.tooltip(plain_text.clipped(chat.preview, 400, 60))
        if role == Qt.ItemDataRole.TextAlignmentRole and column != ChatColumn.CHAT:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return chat.chat_id
        return None
