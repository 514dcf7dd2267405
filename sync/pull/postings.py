"""Postings: the change window (incremental, resumable from its cursor) with the next page fetched
while the current one is saved, and a periodic full re-read of unfulfilled postings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from app.domain.postings import FINISHED, Posting, PostingStatus
from app.events import PostingsChanged
from app.repos import postings as posting_repo
from app.repos import sync_state
from sync.client import Page
from sync.context import SyncContext
from sync.cycle import HISTORY_DAYS, MAX_PAGES, OVERLAP, CycleResult

LIST_SPAN_DAYS = 180  # `since` of the change window (the API allows up to a year)
RECONCILE_EVERY = timedelta(minutes=15)  # full unfulfilled re-read, in case a change was missed


def pull_postings(ctx: SyncContext, result: CycleResult) -> None:
    now = ctx.clock.now()
    with ctx.db.read() as s:
        since = sync_state.get(s, "changes.since")
        cursor = sync_state.get(s, "changes.cursor")
        window = sync_state.get(s, "changes.window")
        reconciled = sync_state.get(s, "unfulfilled.at")
    # The window of an interrupted pull is kept with its cursor, so the cursor stays valid.
    if cursor and window:
        frm_s, to_s, changed_s = json.loads(window)
    else:
        first = not since
        frm_s = (now - timedelta(days=HISTORY_DAYS if first else LIST_SPAN_DAYS)).isoformat()
        to_s = (now + timedelta(days=1)).isoformat()
        changed_s = "" if first else (datetime.fromisoformat(since) - OVERLAP).isoformat()
        window = json.dumps([frm_s, to_s, changed_s])
        cursor = ""
    frm, to = datetime.fromisoformat(frm_s), datetime.fromisoformat(to_s)
    changed = datetime.fromisoformat(changed_s) if changed_s else None
    started = now

    def fetch(after: str) -> Page[Posting]:
        return ctx.client.postings_page(after, frm, to, changed_from=changed, changed_to=to)

    for page in prefetched(fetch, cursor):
        done = not page.has_next or not page.items
        state = (
            {"changes.cursor": "", "changes.window": "", "changes.since": started.isoformat()}
            if done
            else {"changes.cursor": page.cursor, "changes.window": window}
        )
        if done and not changed_s:
            # The first full read covered every open posting: no reconcile pass needed yet.
            state["unfulfilled.at"] = started.isoformat()
            reconciled = started.isoformat()
        save_postings(ctx, page.items, result, state)
    if not reconciled or now - datetime.fromisoformat(reconciled) >= RECONCILE_EVERY:
        pull_unfulfilled(ctx, result)
    if result.new or result.cancelled or result.postings:
        ctx.bus.publish(PostingsChanged(frozenset(), frozenset(result.new), frozenset(result.cancelled)))


def save_postings(ctx: SyncContext, page: list[Posting], result: CycleResult, state: dict[str, str]) -> None:
    """Commit one page with the bookkeeping values that follow it."""
    now = ctx.clock.now()
    with ctx.db.write() as s:
        before = posting_repo.statuses(s, [p.posting_number for p in page])
        posting_repo.save(s, page, now)
        for name, value in state.items():
            if value:
                sync_state.put(s, name, value, now)
            else:
                sync_state.clear(s, name)
    for p in page:
        old = before.get(p.posting_number)
        if old is None and p.status not in FINISHED:
            result.new.add(p.posting_number)
        if p.status is PostingStatus.CANCELLED and old is not None and old is not PostingStatus.CANCELLED:
            result.cancelled.add(p.posting_number)
    result.postings += len(page)


def prefetched(fetch: Callable[[str], Page[Posting]], cursor: str) -> Iterator[Page[Posting]]:
    """Pages in order; the next one is requested while the caller saves the current one, so the
    network and the disk overlap. One request at a time: the session is never shared."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="packdesk-prefetch") as pool:
        page = fetch(cursor)
        for _ in range(MAX_PAGES):
            last = not page.has_next or not page.items
            upcoming = None if last else pool.submit(fetch, page.cursor)
            yield page
            if upcoming is None:
                return
            page = upcoming.result()


def pull_unfulfilled(ctx: SyncContext, result: CycleResult) -> None:
    """A periodic full read of open postings: a safety net under the change window."""
    now = ctx.clock.now()
    with ctx.db.read() as s:
        cursor = sync_state.get(s, "unfulfilled.cursor")
    frm, to = now - timedelta(days=HISTORY_DAYS), now + timedelta(days=HISTORY_DAYS)
    for page in prefetched(lambda after: ctx.client.unfulfilled_page(after, frm, to), cursor):
        done = not page.has_next or not page.items
        state = (
            {"unfulfilled.cursor": "", "unfulfilled.at": now.isoformat()}
            if done
            else {"unfulfilled.cursor": page.cursor}
        )
        save_postings(ctx, page.items, result, state)
