"""Chats and messages in the local cache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.db.tables import ChatMessageRow, ChatRow
from app.domain.chats import Chat, ChatMessage
from app.repos.upsert import upsert


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
                .where(ChatRow.chat_id == m.chat_id, ChatRow.posting_number == "")
                .values(posting_number=m.order_number)
            )


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
    session.execute(delete(ChatMessageRow).where(ChatMessageRow.message_id == f"local:{outbox_key}"))


def messages(session: Session, chat_id: str) -> list[ChatMessage]:
    from app.domain.chats import AuthorType

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
    the first message that names it (see `save_messages`)."""
    chat_id = session.scalar(
        select(ChatRow.chat_id)
        .where(or_(ChatRow.posting_number == posting_number, ChatRow.posting_number == order_number))
        .limit(1)
    )
    return chat_id or ""
