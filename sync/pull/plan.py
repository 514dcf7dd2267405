"""Areas that need a paid plan (chats, reviews): a 403 there pauses the area for a while instead of
failing the sync. The seller's Sync now ends the pauses (`end_pauses`): the plan may just have been
bought, so those areas are asked again in that cycle (a 403 pauses them again)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from app.events import PlanLimited
from app.repos import sync_state
from app.sync_status import plan_limited_key
from sync.context import SyncContext
from sync.errors import MissingRoleError, PlanLimitError

PLAN_RETRY = timedelta(hours=6)


def end_pauses(ctx: SyncContext, areas: Iterable[str]) -> list[str]:
    """Forget the plan pauses of `areas` (on the sync thread, before a cycle); the areas that were paused."""
    with ctx.db.write() as s:
        paused = [area for area in areas if sync_state.get(s, plan_limited_key(area))]
        for area in paused:
            sync_state.clear(s, plan_limited_key(area))
    return paused


def pull_optional(ctx: SyncContext, area: str, fn: Callable[[], None]) -> None:
    """Chats and reviews need a paid plan: a 403 there pauses that area, it does not fail sync."""
    now = ctx.clock.now()
    with ctx.db.read() as s:
        limited_at = sync_state.get(s, plan_limited_key(area))
    if limited_at and now - datetime.fromisoformat(limited_at) < PLAN_RETRY:
        return
    try:
        fn()
    except (PlanLimitError, MissingRoleError) as exc:
        # The shop's plan or the key's roles leave this area out: pause it, say why, go on.
        with ctx.db.write() as s:
            sync_state.put(s, plan_limited_key(area), now.isoformat(), now)
        ctx.bus.publish(PlanLimited(area, exc.message))
        return
    if limited_at:
        with ctx.db.write() as s:
            sync_state.clear(s, plan_limited_key(area))
