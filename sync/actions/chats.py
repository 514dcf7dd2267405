"""Chat actions: mark read, send a text or a file. Sends are not idempotent: after an ambiguous
failure the history is searched for our text before sending it again."""

from __future__ import annotations

import base64

from app.domain.chats import AuthorType
from app.outbox import ActionKind, OutboxEntry
from app.repos import chats as chat_repo
from sync.context import SyncContext
from sync.cycle import OVERLAP


def apply_chat(ctx: SyncContext, entry: OutboxEntry) -> None:
    chat_id = entry.target_id
    if entry.action is ActionKind.CHAT_READ:
        ctx.client.mark_read(chat_id, str(entry.payload["message_id"]))
        return
    text = str(entry.payload.get("text", ""))
    if entry.ambiguous and entry.action is ActionKind.CHAT_SEND_TEXT and already_sent(ctx, chat_id, text, entry):
        forget_local_message(ctx, entry)
        return
    if entry.action is ActionKind.CHAT_SEND_TEXT:
        ctx.client.send_message(chat_id, text)
    else:
        content = base64.b64decode(str(entry.payload["base64_content"]))
        ctx.client.send_file(chat_id, str(entry.payload["name"]), content)
    forget_local_message(ctx, entry)


def already_sent(ctx: SyncContext, chat_id: str, text: str, entry: OutboxEntry) -> bool:
    """Chat sends are not idempotent: after an ambiguous failure look for our text first."""
    page = ctx.client.chat_history(chat_id, direction="Backward", limit=100)
    earliest = entry.created_at - OVERLAP
    return any(
        m.author is AuthorType.SELLER and m.text.strip() == text.strip() and m.created_at >= earliest
        for m in page.items
    )


def forget_local_message(ctx: SyncContext, entry: OutboxEntry) -> None:
    # The real message arrives with the next history pull; the local placeholder goes.
    with ctx.db.write() as s:
        chat_repo.remove_local_message(s, entry.key)
