"""Buyer and support chats (v3 list and history, read, send text or a file, start a chat).

Odd but official shapes, kept so clients are exercised on them: ``/v3/chat/list`` answers ``has_next`` as a
string (``"true"`` / ``"false"``), and message ids are strings, 20 digits long in some chats (the support
chat and about a third of the buyer chats), beyond int64.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .. import chat_files
from ..clock import MILLIS, iso, micros
from ..errors import invalid, not_found, refused
from ..fields import Fields, decode_cursor, encode_cursor
from ..machine import available_actions
from ..model import Chat, Message
from ..seed import Factory
from .base import Ctx, route

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
MAX_FILE_BYTES = 10 * 1024 * 1024


def _unread(chat: Chat) -> list[Message]:
    return [m for m in chat.messages if m.user_type != "Seller" and not m.is_read]


def _message(m: Message, host: str) -> dict[str, Any]:
    return {
        "message_id": str(m.id),
        "user": {"id": m.user_id, "type": m.user_type},
        "created_at": iso(m.created_at, MILLIS),
        "is_read": m.is_read,
        "is_image": m.is_image,
        "moderate_image_status": "SUCCESS" if m.is_image else "",
        "data": [chat_files.public_url(d, host) for d in m.data] if m.is_image else list(m.data),
        "context": {"order_number": m.order_number, "sku": str(m.sku) if m.sku else ""},
    }


def _chat(ctx: Ctx, f: Fields) -> Chat:
    chat = ctx.store.chats.get(f.text("chat_id", required=True))
    if chat is None:
        raise not_found("CHAT_NOT_FOUND")
    return chat


def _key(chat: Chat) -> tuple[int, str]:
    return micros(chat.created_at), chat.chat_id


@route("/v3/chat/list", premium=True)
def chat_list(ctx: Ctx, f: Fields) -> dict[str, Any]:
    flt = f.obj("filter")
    status = flt.choice("chat_status", ("All", "Opened", "Closed"), "All").upper()
    unread_only = flt.flag("unread_only")
    limit = f.limit(default=30, hi=100)
    cursor = f.text("cursor")
    after: tuple[int, str] | None = None
    if cursor:
        fields = decode_cursor(cursor).get("fields")
        if not isinstance(fields, list) or len(fields) != 2:
            raise invalid("cursor", "malformed cursor")
        after = (int(fields[0]), str(fields[1]))
    chats = sorted(ctx.store.chats.values(), key=_key, reverse=True)  # newest first
    selected = [c for c in chats if (status == "ALL" or c.status == status) and (not unread_only or _unread(c))]
    if after is not None:
        selected = [c for c in selected if _key(c) < after]
    page = selected[:limit]
    items = []
    for chat in page:
        unread = _unread(chat)
        items.append(
            {
                "chat": {
                    "chat_id": chat.chat_id,
                    "chat_status": chat.status,
                    "chat_type": chat.chat_type,
                    "created_at": iso(chat.created_at, MILLIS),
                },
                "first_unread_message_id": str(unread[0].id) if unread else "0",
                "last_message_id": str(chat.messages[-1].id) if chat.messages else "0",
                "unread_count": len(unread),
            }
        )
    total_unread = sum(len(_unread(c)) for c in ctx.store.chats.values())
    next_cursor = encode_cursor({"fields": list(_key(page[-1]))}) if page else cursor
    # A string, as in Ozon's official example: a client must read "false" as false.
    return {
        "chats": items,
        "total_unread_count": total_unread,
        "cursor": next_cursor,
        "has_next": "true" if len(selected) > limit else "false",
    }


@route("/v3/chat/history", premium=True)
def chat_history(ctx: Ctx, f: Fields) -> dict[str, Any]:
    chat = _chat(ctx, f)
    direction = f.choice("direction", ("Forward", "Backward"), "Backward")
    from_id = f.number("from_message_id")
    if direction == "Forward" and from_id is None:
        raise invalid("from_message_id", "value is required for direction Forward")
    limit = f.limit(default=50, hi=1000)
    wanted = set(f.obj("filter").ids("message_ids"))
    messages = [m for m in chat.messages if not wanted or m.id in wanted]
    if direction == "Forward":
        selected = [m for m in messages if from_id is None or m.id >= from_id]
    else:
        selected = [m for m in reversed(messages) if from_id is None or m.id <= from_id]
    return {"has_next": len(selected) > limit, "messages": [_message(m, ctx.host) for m in selected[:limit]]}


@route("/v2/chat/read", premium=True)
def chat_read(ctx: Ctx, f: Fields) -> dict[str, Any]:
    chat = _chat(ctx, f)
    upto = f.number("from_message_id")
    if upto is not None and all(m.id != upto for m in chat.messages):
        raise invalid("from_message_id", "no such message in this chat")
    for m in chat.messages:
        if upto is None or m.id <= upto:
            m.is_read = True
    ctx.log(chat_id=chat.chat_id)
    return {"unread_count": len(_unread(chat))}


def _seller_message(ctx: Ctx, chat: Chat, data: list[str], is_image: bool) -> None:
    store = ctx.store
    chat.messages.append(
        Message(
            id=store.ids.message_id(chat.wide_ids),
            user_id=store.client_id,
            user_type="Seller",
            created_at=ctx.now,
            data=data,
            is_image=is_image,
            is_read=False,
        )
    )
    ctx.log(chat_id=chat.chat_id)


@route("/v1/chat/send/message", premium=True)
def send_message(ctx: Ctx, f: Fields) -> dict[str, Any]:
    chat = _chat(ctx, f)
    text = f.text("text", required=True, min_len=1, max_len=1000)
    if chat.status != "OPENED":
        raise refused("CHAT_IS_CLOSED")
    _seller_message(ctx, chat, [text], is_image=False)
    return {"result": "success"}


@route("/v1/chat/send/file", premium=True)
def send_file(ctx: Ctx, f: Fields) -> dict[str, Any]:
    chat = _chat(ctx, f)
    name = f.text("name", required=True, max_len=255)
    content = f.text("base64_content", required=True)
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("base64_content", "not valid base64") from None
    if not raw or len(raw) > MAX_FILE_BYTES:
        raise invalid("base64_content", f"the file must be 1..{MAX_FILE_BYTES} bytes")
    if chat.status != "OPENED":
        raise refused("CHAT_IS_CLOSED")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    url = chat_files.add(ctx.store, safe, raw)
    _seller_message(ctx, chat, [url], is_image=name.lower().endswith(IMAGE_SUFFIXES))
    return {"result": "success"}


@route("/v1/chat/start", premium=True)
def chat_start(ctx: Ctx, f: Fields) -> dict[str, Any]:
    p = ctx.posting(f.text("posting_number", required=True))
    if "can_create_chat" not in available_actions(p):
        raise refused("HAS_INCORRECT_STATUS")
    chat = Factory(ctx.store).chat_for(p, ctx.now)
    ctx.log(posting_number=p.number, chat_id=chat.chat_id)
    return {"result": {"chat_id": chat.chat_id}}
