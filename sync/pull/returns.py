"""Returns: FBS/FBO ones changed since the last pull, every rFBS request, and the details (what the
seller may do) of the rFBS requests whose state changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.returns import ReturnRequest
from app.events import ReturnsChanged
from app.repos import returns as return_repo
from app.repos import sync_state
from sync.context import SyncContext
from sync.cycle import HISTORY_DAYS, MAX_PAGES, OVERLAP, CycleResult


def pull_returns(ctx: SyncContext, result: CycleResult) -> None:
    now = ctx.clock.now()
    with ctx.db.read() as s:
        since_s = sync_state.get(s, "returns.since")
        known = return_repo.fingerprints(s)
    since = datetime.fromisoformat(since_s) - OVERLAP if since_s else now - timedelta(days=HISTORY_DAYS)

    def save_changed(items: list[ReturnRequest]) -> None:
        fresh = [r for r in items if known.get((r.kind.value, r.return_id)) != return_repo.fingerprint(r)]
        with ctx.db.write() as s:
            return_repo.save(s, fresh)
        result.returns += len(fresh)

    last_id = 0
    for _ in range(MAX_PAGES):
        page = ctx.client.returns_page(last_id, since, now + timedelta(days=1))
        save_changed(page.items)
        if not page.has_next or not page.items:
            break
        last_id = int(page.cursor)
    # rFBS requests have no change filter: read them all (a shop has few open at a time).
    last_id = 0
    for _ in range(MAX_PAGES):
        page = ctx.client.rfbs_returns_page(last_id)
        save_changed(page.items)
        if not page.has_next or not page.items:
            break
        last_id = int(page.cursor)
    # What the seller may do with an rFBS request is read when its state changes (one call each).
    with ctx.db.read() as s:
        stale = return_repo.needing_details(s)
    for return_id in stale:
        ctx.store_return_details(ctx.client.rfbs_return(return_id))
    with ctx.db.write() as s:
        return_repo.restage(s)
        sync_state.put(s, "returns.since", now.isoformat(), now)
    if result.returns or stale:
        ctx.bus.publish(ReturnsChanged(result.returns))
