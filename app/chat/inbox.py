"""The chat list and one conversation, read from the local cache (so both open offline).

One query for the Chats page and `main.py chats`. The list reads only the chats table (each chat
carries a summary of its messages, kept by app.repos.chats.refresh) and the postings it names;
messages are searched with one pass over their folded text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, nulls_last, select
from sqlalchemy.orm import Session

from app.chat import reply_clock
from app.chat.reply_clock import Urgency
from app.db.tables import ChatMessageRow, ChatRow, OutboxRow, PostingRow
from app.domain.chats import AuthorType, ChatType
from app.outbox import OPEN_STATES, ActionKind, OutboxState
from app.repos import chats as chat_repo
from app.repos.postings import search_pattern

_LIKE_ESCAPE = "\\"
_SENDS = (ActionKind.CHAT_SEND_TEXT.value, ActionKind.CHAT_SEND_FILE.value)


class ChatKind(StrEnum):
    BUYER = "buyer"
    SUPPORT = "support"
    OTHER = "other"  # Ozon's notices


KIND_OF_TYPE = {ChatType.BUYER_SELLER: ChatKind.BUYER, ChatType.SELLER_SUPPORT: ChatKind.SUPPORT}


@dataclass(frozen=True, slots=True)
class ChatFilter:
    needs_reply: bool = False
    unread: bool = False
    support: bool = False
    order_status: str = ""  # a posting status ("delivered" …); "" = any
    search: str = ""  # message text, chat id, posting or order number, buyer
    chat_id: str = ""  # this chat only


@dataclass(frozen=True, slots=True)
class ChatSummary:
    chat_id: str
    kind: ChatKind
    is_open: bool
    posting_number: str
    order_number: str
    posting_status: str
    unread: int
    last_message_at: datetime | None
    preview: str
    awaiting_since: datetime | None
    reply_queued: bool  # a reply waits in the outbox: the seller has answered

    @property
    def needs_reply(self) -> bool:
        return self.kind is ChatKind.BUYER and self.awaiting_since is not None and not self.reply_queued

    @property
    def reply_due(self) -> datetime | None:
        return reply_clock.reply_due(self.awaiting_since) if self.needs_reply else None

    def urgency(self, now: datetime) -> Urgency:
        return reply_clock.urgency(self.reply_due, now)


class MessageState(StrEnum):
    SENT = "sent"  # on Ozon
    PENDING = "pending"  # typed here, waiting in the outbox
    FAILED = "failed"  # Ozon refused it or the seller gave it up


@dataclass(frozen=True, slots=True)
class MessageView:
    message_id: str
    author: AuthorType
    created_at: datetime
    text: str  # untrusted buyer text: show it as plain text
    is_image: bool
    image_urls: tuple[str, ...]
    is_read: bool
    state: MessageState
    error: str = ""
    outbox_key: str = ""


def _queued_replies() -> ColumnElement[bool]:
    queued = (
        select(ChatMessageRow.chat_id)
        .join(OutboxRow, OutboxRow.key == ChatMessageRow.outbox_key)
        .where(OutboxRow.action.in_(_SENDS), OutboxRow.state.in_([s.value for s in OPEN_STATES]))
    )
    return ChatRow.chat_id.in_(queued)


def _where(wanted: ChatFilter, needs: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if wanted.needs_reply:
        where.append(needs)
    if wanted.unread:
        where.append(ChatRow.unread_count > 0)
    if wanted.support:
        where.append(ChatRow.chat_type == ChatType.SELLER_SUPPORT.value)
    if wanted.chat_id:
        where.append(ChatRow.chat_id == wanted.chat_id)
    if wanted.order_status:
        where.append(PostingRow.status == wanted.order_status)
    if wanted.search.strip():
        pattern = search_pattern(chat_repo.folded(wanted.search))
        where.append(ChatRow.search_text.like(pattern, escape=_LIKE_ESCAPE))
    return where


def _needs_reply(queued: ColumnElement[bool]) -> ColumnElement[bool]:
    buyer = ChatRow.chat_type == ChatType.BUYER_SELLER.value
    return and_(buyer, ChatRow.awaiting_since.is_not(None), ~queued)


def count_chats(session: Session, wanted: ChatFilter = ChatFilter()) -> int:
    """How many chats the filter selects (the list may show only the most urgent of them)."""
    stmt = (
        select(func.count())
        .select_from(ChatRow)
        .outerjoin(PostingRow, PostingRow.posting_number == ChatRow.posting_number)
        .where(*_where(wanted, _needs_reply(_queued_replies())))
    )
    return int(session.scalar(stmt) or 0)


def list_chats(session: Session, wanted: ChatFilter = ChatFilter(), limit: int | None = None) -> list[ChatSummary]:
    """The chats the filter selects, the most urgent first: those waiting for a reply by their
    deadline, then unread ones, then the rest by their last message (the first `limit` of them)."""
    queued = _queued_replies()
    needs = _needs_reply(queued)
    where = _where(wanted, needs)
    stmt = (
        select(
            ChatRow.chat_id,
            ChatRow.chat_type,
            ChatRow.is_open,
            ChatRow.posting_number,
            ChatRow.order_number,
            func.coalesce(PostingRow.status, ""),
            ChatRow.unread_count,
            ChatRow.last_message_at,
            ChatRow.preview,
            ChatRow.awaiting_since,
            queued,
        )
        .outerjoin(PostingRow, PostingRow.posting_number == ChatRow.posting_number)
        .where(*where)
        .order_by(
            case((needs, 0), else_=1),
            ChatRow.awaiting_since,
            case((ChatRow.unread_count > 0, 0), else_=1),
            nulls_last(ChatRow.last_message_at.desc()),
            ChatRow.chat_id,
        )
        .limit(limit)
    )
    return [
        ChatSummary(
            chat_id,
            KIND_OF_TYPE.get(ChatType.parse(chat_type), ChatKind.OTHER),
            bool(is_open),
            posting,
            order,
            status,
            unread,
            last_at,
            preview,
            since,
            bool(reply_queued),
        )
        for chat_id, chat_type, is_open, posting, order, status, unread, last_at, preview, since, reply_queued in (
            session.connection().execute(stmt)
        )
    ]


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_json(chat: ChatSummary) -> dict[str, object]:
    """A chat as `main.py chats --json` prints it."""
    return {
        "chat_id": chat.chat_id,
        "kind": chat.kind.value,
        "posting_number": chat.posting_number or None,
        "order_number": chat.order_number or None,
        "unread": chat.unread,
        "last_message_at": _iso(chat.last_message_at),
        "reply_due": _iso(chat.reply_due),
        "needs_reply": chat.needs_reply,
        "reply_queued": chat.reply_queued,
        "preview": chat.preview,
    }


def summary(session: Session, chat_id: str) -> ChatSummary | None:
    found = list_chats(session, ChatFilter(chat_id=chat_id))
    return found[0] if found else None


def unread_total(session: Session) -> int:
    """Unread messages over every chat (the navigation's badge)."""
    return int(session.scalar(select(func.coalesce(func.sum(ChatRow.unread_count), 0))) or 0)


def conversation(session: Session, chat_id: str) -> list[MessageView]:
    """The chat's messages, oldest first, with what became of the ones typed here."""
    rows = session.execute(
        select(ChatMessageRow, OutboxRow.state, OutboxRow.last_error)
        .outerjoin(OutboxRow, OutboxRow.key == ChatMessageRow.outbox_key)
        .where(ChatMessageRow.chat_id == chat_id)
        .order_by(ChatMessageRow.created_at, ChatMessageRow.message_id)
    )
    views = []
    for m, state, error in rows:
        shown = MessageState.SENT
        if m.message_id.startswith("local:"):
            open_states = {s.value for s in OPEN_STATES} | {OutboxState.DONE.value}
            shown = MessageState.PENDING if state in open_states else MessageState.FAILED
        views.append(
            MessageView(
                m.message_id,
                AuthorType(m.author),
                m.created_at,
                m.text,
                m.is_image,
                tuple(m.image_urls or ()),
                m.is_read,
                shown,
                error or "" if shown is MessageState.FAILED else "",
                m.outbox_key or "",
            )
        )
    return views
