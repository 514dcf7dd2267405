"""A posting shipped in several boxes: Ozon makes a posting of each further box; find them and queue
their labels as for the first box."""

from __future__ import annotations

from datetime import timedelta

from app.domain.postings import PostingStatus
from app.events import PostingsChanged
from app.outbox import OutboxEntry
from app.repos import postings as posting_repo
from app.workflows import labels
from sync.actions.outcomes import Conflict, NotReady
from sync.context import SyncContext


def label_split_parts(ctx: SyncContext, entry: OutboxEntry) -> None:
    """The posting went out in several boxes; Ozon made a posting of each further box (its parent
    is this one). Find them and queue their labels as for the first box."""
    number = entry.target_id
    parent = ctx.client.get_posting(number)
    ctx.store_posting(parent)
    if parent.status is PostingStatus.CANCELLED:
        return  # nothing leaves: no labels
    now = ctx.clock.now()
    since = (parent.in_process_at or now) - timedelta(days=1)
    page = ctx.client.postings_page("", since, now + timedelta(days=1), order_numbers=[parent.order_number])
    parts = [p for p in page.items if p.parent_posting_number == number]
    wanted = int(entry.payload.get("parts", 0))
    if len(parts) < wanted:
        if entry.attempts > 30:
            raise Conflict(f"Ozon shows {len(parts)} of {wanted} further boxes of {number}; label them by hand")
        raise NotReady(f"{len(parts)} of {wanted} postings of the further boxes are there")
    with ctx.db.write() as s:
        posting_repo.save(s, parts, now)
        for part in parts:
            labels.label_split_part(s, part, now)
    ctx.bus.publish(PostingsChanged(frozenset(p.posting_number for p in parts)))
