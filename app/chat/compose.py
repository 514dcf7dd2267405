"""What the seller does in a chat: send text or a photo, mark it read, keep a draft, open a chat
about a posting. Everything is saved locally first and sent by the sync engine (the outbox), once.

A message typed here shows at once in the conversation as `local:<outbox key>`, pending; the engine
removes it when Ozon has it (the real message comes with the next pull) and leaves it, failed with
Ozon's reason, when Ozon refuses it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import outbox
from app.chat import lint
from app.clock import Clock
from app.db.engine import Database
from app.db.tables import ChatDraftRow, ChatMessageRow, ChatRow
from app.domain.chats import AuthorType
from app.errors import InvalidAction, NotFound
from app.events import EventBus
from app.outbox import ActionKind, OutboxEntry, TargetKind
from app.repos import chat_waits
from app.workflows import changes

MAX_DRAFT_CHARS = 10_000


def _chat(session: Session, chat_id: str) -> ChatRow:
    chat = session.get(ChatRow, chat_id)
    if chat is None:
        raise NotFound("chat_unknown", f"chat {chat_id} is not in the local copy", chat_id=chat_id)
    if not chat.is_open:
        raise InvalidAction("chat_closed", "this chat is closed: Ozon takes no new messages in it", chat_id=chat_id)
    return chat


def send_text(
    db: Database, clock: Clock, chat_id: str, text: str, *, bus: EventBus, allowed: Iterable[str] = ()
) -> OutboxEntry:
    """Queue a text after the lint (lint.LintError says why not); the chat's draft is cleared."""
    sent = lint.check(text, allowed)
    return _queue(db, clock, chat_id, ActionKind.CHAT_SEND_TEXT, {"text": sent}, sent, bus)


def send_image(db: Database, clock: Clock, chat_id: str, name: str, content: bytes, *, bus: EventBus) -> OutboxEntry:
    """Queue a photo (checked by the caller with app.chat.attachments). Its file name is made
    unique, so that after a lost answer the engine can tell whether Ozon has this very photo."""
    stem, dot, suffix = name.rpartition(".")
    unique = f"{stem or suffix}-{uuid.uuid4().hex[:8]}{dot}{suffix if stem else ''}"
    payload = {"name": unique, "base64_content": base64.b64encode(content).decode("ascii")}
    return _queue(db, clock, chat_id, ActionKind.CHAT_SEND_FILE, payload, name, bus)


def queue_text(session: Session, chat_id: str, text: str, now: datetime, *, allowed: Iterable[str] = ()) -> OutboxEntry:
    """`send_text` inside the caller's transaction (auto-replies): lint, queue, show as pending."""
    sent = lint.check(text, allowed)
    return _queue_in(session, chat_id, ActionKind.CHAT_SEND_TEXT, {"text": sent}, sent, now)


def _queue_in(
    session: Session, chat_id: str, action: ActionKind, payload: dict[str, str], shown: str, now: datetime
) -> OutboxEntry:
    _chat(session, chat_id)
    entry = outbox.enqueue(session, action, TargetKind.CHAT, chat_id, payload, now)
    session.add(
        ChatMessageRow(
            message_id=f"local:{entry.key}",
            chat_id=chat_id,
            author=AuthorType.SELLER.value,
            created_at=now,
            text=shown,
            is_image=action is ActionKind.CHAT_SEND_FILE,
            is_read=True,
            order_number="",
            image_urls=[],
            outbox_key=entry.key,
        )
    )
    chat_waits.rebuild(session, [chat_id])  # a reply in the outbox ends the buyer's wait
    draft = session.get(ChatDraftRow, chat_id)
    if draft is not None and action is ActionKind.CHAT_SEND_TEXT:
        session.delete(draft)
    return entry


def _queue(
    db: Database, clock: Clock, chat_id: str, action: ActionKind, payload: dict[str, str], shown: str, bus: EventBus
) -> OutboxEntry:
    with db.write() as s:
        entry = _queue_in(s, chat_id, action, payload, shown, clock.now())
        done = changes.collect(s, chats=[chat_id])
    changes.publish(bus, done)
    return entry


def mark_read(db: Database, clock: Clock, chat_id: str, *, bus: EventBus) -> OutboxEntry | None:
    """Mark the chat read up to its newest message from Ozon (None when nothing is unread)."""
    now = clock.now()
    with db.write() as s:
        chat = s.get(ChatRow, chat_id)
        if chat is None:
            raise NotFound("chat_unknown", f"chat {chat_id} is not in the local copy", chat_id=chat_id)
        unread = s.scalar(
            select(ChatMessageRow.message_id)
            .where(ChatMessageRow.chat_id == chat_id, ~ChatMessageRow.message_id.like("local:%"))
            .where(ChatMessageRow.author != AuthorType.SELLER.value, ~ChatMessageRow.is_read)
            .limit(1)
        )
        if unread is None and not chat.unread_count:
            return None
        newest = chat.last_message_id or s.scalar(
            select(ChatMessageRow.message_id)
            .where(ChatMessageRow.chat_id == chat_id, ~ChatMessageRow.message_id.like("local:%"))
            .order_by(ChatMessageRow.created_at.desc())
            .limit(1)
        )
        if not newest:
            return None
        entry = outbox.enqueue(s, ActionKind.CHAT_READ, TargetKind.CHAT, chat_id, {"message_id": newest}, now)
        s.execute(update(ChatMessageRow).where(ChatMessageRow.chat_id == chat_id).values(is_read=True))
        chat.unread_count = 0
        done = changes.collect(s, chats=[chat_id])
    changes.publish(bus, done)
    return entry


def start_chat(db: Database, clock: Clock, posting_number: str, *, bus: EventBus) -> OutboxEntry:
    """Ask Ozon for a chat with the buyer of a posting (/v1/chat/start); it appears after the sync."""
    now = clock.now()
    with db.write() as s:
        target = f"start:{posting_number}"
        entry = outbox.enqueue(
            s, ActionKind.CHAT_START, TargetKind.CHAT, target, {"posting_number": posting_number}, now
        )
        done = changes.collect(s)
    changes.publish(bus, done)
    return entry


# -- drafts: what was typed survives a restart ------------------------------------------------------


def save_draft(db: Database, clock: Clock, chat_id: str, text: str) -> None:
    """Keep what the seller is typing (an empty text removes the draft)."""
    with db.write() as s:
        draft = s.get(ChatDraftRow, chat_id)
        if not text.strip():
            if draft is not None:
                s.delete(draft)
            return
        if draft is None:
            s.add(ChatDraftRow(chat_id=chat_id, text=text[:MAX_DRAFT_CHARS], updated_at=clock.now()))
        else:
            draft.text, draft.updated_at = text[:MAX_DRAFT_CHARS], clock.now()


def draft(session: Session, chat_id: str) -> str:
    row = session.get(ChatDraftRow, chat_id)
    return row.text if row is not None else ""
