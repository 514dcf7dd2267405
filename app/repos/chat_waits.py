"""The stored waits of buyer chats (app.db.tables.ChatWaitRow), rebuilt from a chat's messages.

Called wherever a chat's messages or posting change: app.repos.chats.refresh (messages pulled, a chat
linked to its posting),
a reply queued at the desk (app.chat.compose) and its placeholder removed (app.repos.chats).
Placeholders of replies still in the outbox count as seller messages: the seller did answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.chat.reply_clock import waits
from app.db.tables import ChatMessageRow, ChatRow, ChatWaitRow
from app.domain.chats import AuthorType, ChatType

_AUTHORS = (AuthorType.CUSTOMER.value, AuthorType.SELLER.value)


def rebuild(session: Session, chat_ids: Iterable[str]) -> None:
    m = ChatMessageRow
    for chat_id in sorted(set(chat_ids)):
        session.execute(delete(ChatWaitRow).where(ChatWaitRow.chat_id == chat_id))
        chat = session.execute(
            select(ChatRow.chat_type, ChatRow.posting_number).where(ChatRow.chat_id == chat_id)
        ).first()
        if chat is None or ChatType.parse(chat.chat_type) is not ChatType.BUYER_SELLER:
            continue
        talk = session.execute(
            select(m.author, m.created_at)
            .where(m.chat_id == chat_id, m.author.in_(_AUTHORS))
            .order_by(m.created_at, m.message_id)
        ).all()
        rows = [
            {
                "chat_id": chat_id,
                "posting_number": chat.posting_number or "",
                "started_at": started,
                "replied_at": replied,
                "seconds": None if replied is None else (replied - started).total_seconds(),
                "minutes": None if replied is None else math.floor((replied - started).total_seconds() / 60 + 0.5),
            }
            for started, replied in waits((AuthorType(a), at) for a, at in talk)
        ]
        if rows:
            session.execute(insert(ChatWaitRow.__table__), rows)  # type: ignore[arg-type]
