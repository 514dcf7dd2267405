"""Chat actions: mark read, send a text or a file. Sends are not idempotent: after an ambiguous
failure the history is searched for our text before sending it again."""

from __future__ import annotations

import base64
from urllib.parse import quote

from app.domain.chats import AuthorType, Chat, ChatType
from app.events import ChatsChanged
from app.outbox import ActionKind, OutboxEntry
from app.repos import chats as chat_repo
from sync.context import SyncContext
from sync.cycle import OVERLAP


def apply_chat(ctx: SyncContext, entry: OutboxEntry) -> None:
    chat_id = entry.target_id
    if entry.action is ActionKind.CHAT_START:
        start_chat(ctx, entry)
        return
    if entry.action is ActionKind.CHAT_READ:
        ctx.client.mark_read(chat_id, str(entry.payload["message_id"]))
        return
    if entry.ambiguous and already_sent(ctx, chat_id, entry):
        forget_local_message(ctx, entry)
        return
    if entry.action is ActionKind.CHAT_SEND_TEXT:
        ctx.client.send_message(chat_id, str(entry.payload["text"]))
    else:
        content = base64.b64decode(str(entry.payload["base64_content"]))
        ctx.client.send_file(chat_id, str(entry.payload["name"]), content)
    forget_local_message(ctx, entry)


def start_chat(ctx: SyncContext, entry: OutboxEntry) -> None:
    posting_number = str(entry.payload["posting_number"])
    chat_id = ctx.client.start_chat(posting_number)
    now = ctx.clock.now()
    with ctx.db.write() as s:
        if chat_id not in chat_repo.chat_ids(s):
            chat_repo.save_chats(s, [Chat(chat_id, ChatType.BUYER_SELLER, True, now)], now)
        chat_repo.link_posting(s, chat_id, posting_number)
    ctx.bus.publish(ChatsChanged(frozenset({chat_id})))


def already_sent(ctx: SyncContext, chat_id: str, entry: OutboxEntry) -> bool:
    """Chat sends are not idempotent: after an ambiguous failure look for ours in the newest history
    (a text by its words, a photo by its file name, made unique when it was queued)."""
    page = ctx.client.chat_history(chat_id, direction="Backward", limit=100)
    earliest = entry.created_at - OVERLAP
    ours = [m for m in page.items if m.author is AuthorType.SELLER and m.created_at >= earliest]
    if entry.action is ActionKind.CHAT_SEND_FILE:
        name = quote(str(entry.payload["name"]))
        return any(
            url.endswith("/" + name) or url.endswith("/" + str(entry.payload["name"]))
            for m in ours
            for url in m.image_urls
        )
    text = str(entry.payload.get("text", "")).strip()
    return any(m.text.strip() == text for m in ours)


def forget_local_message(ctx: SyncContext, entry: OutboxEntry) -> None:
    # The real message arrives with the next history pull; the local placeholder goes, and the
    # reply clock stops now.
    with ctx.db.write() as s:
        chat_repo.remove_local_message(s, entry.key)
        if entry.action is not ActionKind.CHAT_READ:
            chat_repo.mark_answered(s, entry.target_id)
    ctx.bus.publish(ChatsChanged(frozenset({entry.target_id})))
