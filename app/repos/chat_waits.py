"""The stored waits of buyer chats (app.db.tables.ChatWaitRow), rebuilt from a chat's messages.

Called wherever a chat's messages or posting change: app.repos.chats.refresh (messages pulled, a chat
linked to its posting),
a reply queued at the desk (app.chat.compose) and its placeholder removed (app.repos.chats).
Placeholders of replies still in the outbox count as seller messages: the seller did answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.chat.reply_clock import waits
from app.db.tables import ChatMessageRow, ChatRow, ChatWaitRow
from app.domain.chats import AuthorType, ChatType

_AUTHORS = (AuthorType.CUSTOMER.value, AuthorType.SELLER.value)
_CHUNK = 500


def rebuild(session: Session, chat_ids: Iterable[str]) -> None:
    """A few statements for many chats (a pull refreshes hundreds at once)."""
    ids = sorted(set(chat_ids))
    for start in range(0, len(ids), _CHUNK):
        _rebuild(session, ids[start : start + _CHUNK])


def _rebuild(session: Session, ids: list[str]) -> None:
    m = ChatMessageRow
    session.execute(delete(ChatWaitRow).where(ChatWaitRow.chat_id.in_(ids)))
    buyer_chats = {
        chat_id: posting_number or ""
        for chat_id, chat_type, posting_number in session.execute(
            select(ChatRow.chat_id, ChatRow.chat_type, ChatRow.posting_number).where(ChatRow.chat_id.in_(ids))
        )
        if ChatType.parse(chat_type) is ChatType.BUYER_SELLER
    }
    if not buyer_chats:
        return
    talk: dict[str, list[tuple[AuthorType, datetime]]] = {}
    for chat_id, author, at in session.execute(
        select(m.chat_id, m.author, m.created_at)
        .where(m.chat_id.in_(sorted(buyer_chats)), m.author.in_(_AUTHORS))
        .order_by(m.chat_id, m.created_at, m.message_id)
    ):
        talk.setdefault(chat_id, []).append((AuthorType(author), at))
    rows = [
        {
            "chat_id": chat_id,
            "posting_number": buyer_chats[chat_id],
            "started_at": started,
            "replied_at": replied,
            "seconds": None if replied is None else (replied - started).total_seconds(),
            "minutes": None if replied is None else math.floor((replied - started).total_seconds() / 60 + 0.5),
        }
        for chat_id, messages in talk.items()
        for started, replied in waits(messages)
    ]
    if rows:
        session.execute(insert(ChatWaitRow.__table__), rows)  # type: ignore[arg-type]
