"""Chats and chat messages."""

from __future__ import annotations

from typing import Any

from app.domain.chats import AuthorType, Chat, ChatMessage, ChatType
from sync.schemas.fields import Fields


def chat(obj: Any, where: str) -> Chat:
    outer = Fields(obj, where)
    inner = outer.sub("chat") or outer  # v3 nests the chat; v2 was flat
    return Chat(
        chat_id=inner.text("chat_id", required=True),
        chat_type=ChatType.parse(inner.text("chat_type")),
        is_open=inner.text("chat_status").strip().upper() != "CLOSED",
        created_at=inner.time("created_at"),
        unread_count=outer.int_id("unread_count"),
        last_message_id=outer.text("last_message_id"),
    )


def message(obj: Any, chat_id: str, where: str) -> ChatMessage:
    f = Fields(obj, where)
    user = f.sub("user") or Fields({}, f"{where}.user")
    context = f.sub("context")
    data = [str(d) for d in f.items("data")]
    is_image = f.flag("is_image")
    created = f.time("created_at", required=True)
    assert created is not None
    return ChatMessage(
        message_id=f.text("message_id", required=True) or f.text("messageId"),
        chat_id=chat_id,
        author=AuthorType.parse(user.text("type")),
        created_at=created,
        text="" if is_image else "\n".join(data),
        is_image=is_image,
        is_read=f.flag("is_read"),
        order_number=context.text("order_number") if context else "",
        image_urls=tuple(data) if is_image else (),
    )
