"""Chats and messages in the local cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.chat import reply_clock
from app.db.tables import ChatMessageRow, ChatRow, PostingRow
from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from app.repos import chat_waits
from app.repos.upsert import upsert

PREVIEW_CHARS = 200
IMAGE_PREVIEW = "🖼"
# The reply clock and the search look this far back: a chat answered within its last 200 messages
# is answered; a word said earlier in a longer chat is not found from the list.
REPLY_WINDOW_MESSAGES = 200


def save_chats(session: Session, chats: Sequence[Chat], now: datetime) -> None:
    rows = [
        {
            "chat_id": c.chat_id,
            "chat_type": c.chat_type.value,
            "is_open": c.is_open,
            "created_at": c.created_at,
            "unread_count": c.unread_count,
            "last_message_id": c.last_message_id,
            "synced_at": now,
        }
        for c in chats
    ]
    upsert(session, ChatRow.__table__, rows, ["chat_id"], keep=["posting_number"])  # type: ignore[arg-type]


def save_messages(session: Session, messages: Sequence[ChatMessage]) -> None:
    if not messages:
        return
    rows = [
        {
            "message_id": m.message_id,
            "chat_id": m.chat_id,
            "author": m.author.value,
            "created_at": m.created_at,
            "text": m.text,
            "is_image": m.is_image,
            "is_read": m.is_read,
            "order_number": m.order_number,
            "image_urls": list(m.image_urls),
        }
        for m in messages
    ]
    upsert(session, ChatMessageRow.__table__, rows, ["message_id"], keep=["outbox_key"])  # type: ignore[arg-type]
    # Link a chat to its order the first time a message names one.
    for m in messages:
        if m.order_number:
            session.execute(
                update(ChatRow)
                .where(ChatRow.chat_id == m.chat_id, ChatRow.order_number == "")
                .values(order_number=m.order_number)
            )
    refresh(session, {m.chat_id for m in messages})


def folded(text: str) -> str:
    """Text as the chat search compares it: case-folded, ё read as е («пришёл» is «пришел»)."""
    return text.casefold().replace("ё", "е")


def refresh(session: Session, chat_ids: Iterable[str]) -> None:
    """Recompute what the chat list shows of each chat from its messages: the last one, the reply
    clock (app.chat.reply_clock.awaiting_since) and the search text (chat id, posting, order, buyer
    and the text of its last REPLY_WINDOW_MESSAGES messages: one column to scan, not every message), and
    its waits for a reply (app.repos.chat_waits)."""
    chat_ids_seen = sorted(set(chat_ids))
    for chat_id in chat_ids_seen:
        chat = session.get(ChatRow, chat_id)
        if chat is None:
            continue
        if not chat.posting_number and chat.order_number:
            chat.posting_number = first_posting_of_order(session, chat.order_number)
        recent = session.execute(
            select(ChatMessageRow.author, ChatMessageRow.created_at, ChatMessageRow.text, ChatMessageRow.is_image)
            .where(ChatMessageRow.chat_id == chat_id, ~ChatMessageRow.message_id.like("local:%"))
            .order_by(ChatMessageRow.created_at.desc())
            .limit(REPLY_WINDOW_MESSAGES)
        ).all()
        authors = [(AuthorType(a), at) for a, at, _, _ in reversed(recent)]
        chat.awaiting_since = (
            reply_clock.awaiting_since(authors) if ChatType.parse(chat.chat_type) is ChatType.BUYER_SELLER else None
        )
        chat.last_message_at = recent[0][1] if recent else None
        chat.preview = (IMAGE_PREVIEW if recent[0][3] else recent[0][2][:PREVIEW_CHARS]) if recent else ""
        buyer = ""
        if chat.posting_number:
            buyer = (
                session.scalar(select(PostingRow.customer_name).where(PostingRow.posting_number == chat.posting_number))
                or ""
            )
        texts = [text for _, _, text, is_image in recent if text and not is_image]
        chat.search_text = folded("\n".join([chat_id, chat.posting_number, chat.order_number, buyer, *texts]))
    chat_waits.rebuild(session, chat_ids_seen)


def first_posting_of_order(session: Session, order_number: str) -> str:
    number = session.scalar(select(func.min(PostingRow.posting_number)).where(PostingRow.order_number == order_number))
    return number or ""


def link_posting(session: Session, chat_id: str, posting_number: str) -> None:
    """A chat opened from a posting (/v1/chat/start) is about that posting."""
    session.execute(update(ChatRow).where(ChatRow.chat_id == chat_id).values(posting_number=posting_number))
    refresh(session, [chat_id])


def mark_answered(session: Session, chat_id: str) -> None:
    """Our reply reached Ozon: the clock stops now, before the next pull brings the message itself."""
    session.execute(update(ChatRow).where(ChatRow.chat_id == chat_id).values(awaiting_since=None))


def stored_last_message_ids(session: Session) -> dict[str, str]:
    """The newest message id we hold per chat (Ozon ids grow; local unsent ones are skipped)."""
    result: dict[str, str] = {}
    for chat_id, message_id in session.execute(
        select(ChatMessageRow.chat_id, ChatMessageRow.message_id).where(~ChatMessageRow.message_id.like("local:%"))
    ):
        if message_id.isdigit() and (chat_id not in result or int(message_id) > int(result[chat_id])):
            result[chat_id] = message_id
    return result


def remove_local_message(session: Session, outbox_key: str) -> None:
    message_id = f"local:{outbox_key}"
    chat_id = session.scalar(select(ChatMessageRow.chat_id).where(ChatMessageRow.message_id == message_id))
    session.execute(delete(ChatMessageRow).where(ChatMessageRow.message_id == message_id))
    if chat_id is not None:
        chat_waits.rebuild(session, [chat_id])


def messages(session: Session, chat_id: str) -> list[ChatMessage]:
    rows = session.scalars(
        select(ChatMessageRow).where(ChatMessageRow.chat_id == chat_id).order_by(ChatMessageRow.created_at)
    )
    return [
        ChatMessage(
            r.message_id,
            r.chat_id,
            AuthorType(r.author),
            r.created_at,
            r.text,
            r.is_image,
            r.is_read,
            r.order_number,
            tuple(r.image_urls or ()),
        )
        for r in rows
    ]


def chat_ids(session: Session) -> set[str]:
    return set(session.scalars(select(ChatRow.chat_id)))


def chat_of(session: Session, posting_number: str, order_number: str) -> str:
    """The buyer chat about a posting or its order ("" if none): a chat is linked to its order by
    the first message that names it (see `save_messages`), or to a posting it was started from."""
    chat_id = session.scalar(
        select(ChatRow.chat_id)
        .where(or_(ChatRow.posting_number == posting_number, ChatRow.order_number == order_number))
        .order_by(ChatRow.posting_number != posting_number)
        .limit(1)
    )
    return chat_id or ""
