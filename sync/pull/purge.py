"""The personal-data purge that follows a sync once a day: pulled postings may be old enough to lose
their buyer's data."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.repos import sync_state
from app.workflows import privacy
from sync.context import SyncContext

log = logging.getLogger(__name__)


def purge_personal_data(ctx: SyncContext, personal_data_days: int) -> None:
    """Once a day, after a sync: a pulled posting may be old enough to lose its buyer's data."""
    now = ctx.clock.now()
    with ctx.db.read() as s:
        last = sync_state.get(s, "privacy.purged_at")
    if last and now - datetime.fromisoformat(last) < timedelta(days=1):
        return
    blanked = privacy.purge(ctx.db, now, personal_data_days)
    with ctx.db.write() as s:
        sync_state.put(s, "privacy.purged_at", now.isoformat(), now)
    if blanked:
        log.info("personal data of %d finished postings removed (older than %d days)", blanked, personal_data_days)
