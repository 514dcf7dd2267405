"""Chats: the chat list, then the new messages of each chat whose last message changed; the new buyer
messages then go to the auto-reply rules (sync/pull/autoreplies.py)."""

from __future__ import annotations

from app.domain.chats import ChatMessage
from app.events import ChatsChanged
from app.repos import chats as chat_repo
from sync.context import SyncContext
from sync.cycle import MAX_PAGES, CycleResult
from sync.pull.autoreplies import answer


def pull_chats(ctx: SyncContext, result: CycleResult) -> None:
    cursor = ""
    changed: set[str] = set()
    with ctx.db.read() as s:
        held = chat_repo.stored_last_message_ids(s)
    for _ in range(MAX_PAGES):
        page = ctx.client.chats_page(cursor)
        with ctx.db.write() as s:
            chat_repo.save_chats(s, page.items, ctx.clock.now())
        for chat in page.items:
            if chat.last_message_id and chat.last_message_id != held.get(chat.chat_id):
                changed.add(chat.chat_id)
        result.chats += len(page.items)
        if not page.has_next or not page.items:
            break
        cursor = page.cursor
    fresh: list[ChatMessage] = []
    for chat_id in sorted(changed):
        result.messages += pull_history(ctx, chat_id, held.get(chat_id), fresh)
    if changed:
        ctx.bus.publish(ChatsChanged(frozenset(changed)))
    answer(ctx, fresh)


def _newer(message_id: str, than: str | None) -> bool:
    if not than:
        return True
    return not (message_id.isdigit() and than.isdigit()) or int(message_id) > int(than)


def pull_history(ctx: SyncContext, chat_id: str, since_id: str | None, fresh: list[ChatMessage] | None = None) -> int:
    """Read a chat's messages after `since_id`; those we did not hold are added to `fresh`."""
    count = 0
    cursor = since_id
    for _ in range(MAX_PAGES):
        page = ctx.client.chat_history(chat_id, from_message_id=cursor, direction="Forward", limit=100)
        with ctx.db.write() as s:
            chat_repo.save_messages(s, page.items)
        count += len(page.items)
        if fresh is not None:
            fresh += [m for m in page.items if _newer(m.message_id, since_id)]
        # A backward first read returns the newest messages: we have the latest, stop.
        if not cursor or not page.has_next or not page.items:
            break
        cursor = page.cursor
    return count
