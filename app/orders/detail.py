"""Everything the Orders page's detail pane shows about one posting, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import history, outbox
from app.db.engine import Database
from app.db.tables import ReturnRow
from app.history import PostingEvent
from app.outbox import OutboxEntry
from app.repos import chats, postings
from app.repos.postings import CachedPosting, ItemDetail


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of the posting's history: something that happened here, or a seller action and
    where it stands with Ozon. Exactly one of `event` / `action` is set."""

    at: datetime
    event: PostingEvent | None = None
    action: OutboxEntry | None = None


@dataclass(frozen=True, slots=True)
class PostingDetail:
    cached: CachedPosting
    items: tuple[ItemDetail, ...]
    history: tuple[HistoryLine, ...]
    chat_id: str = ""
    returns: tuple[str, ...] = ()  # the returns linked to the posting: "FBS 123456 · status"

    @property
    def posting_number(self) -> str:
        return self.cached.posting.posting_number


def load_detail(db: Database, posting_number: str) -> PostingDetail | None:
    """None if the posting is not in the local cache."""
    with db.read() as session:
        cached = postings.get(session, posting_number)
        if cached is None:
            return None
        items = tuple(postings.item_details(session, posting_number))
        lines = [HistoryLine(e.at, event=e) for e in history.of(session, posting_number)]
        lines += [HistoryLine(a.created_at, action=a) for a in outbox.entries(session, target_id=posting_number)]
        chat_id = chats.chat_of(session, posting_number, cached.posting.order_number)
        found = session.execute(
            select(ReturnRow.kind, ReturnRow.return_id, ReturnRow.status_name, ReturnRow.status)
            .where(ReturnRow.posting_number == posting_number)
            .order_by(ReturnRow.created_at)
        ).tuples()
        returns = tuple(f"{kind.upper()} {rid} · {name or status}" for kind, rid, name, status in found)
    lines.sort(key=lambda line: line.at)
    return PostingDetail(cached, items, tuple(lines), chat_id, returns)
