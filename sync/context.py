"""What the pull steps and the action handlers work with: the database, the Ozon client, the event
bus, the clock, the label folder, and the small sync_state and cache writes they share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.clock import Clock
from app.db.engine import Database
from app.domain.postings import Posting
from app.domain.returns import ReturnDetails
from app.events import EventBus
from app.repos import postings as posting_repo
from app.repos import returns as return_repo
from app.repos import sync_state
from app.settings import Settings
from sync.client import OzonClient

DEFAULT_WORK_HOURS = Settings().work_hours


@dataclass
class SyncContext:
    db: Database
    client: OzonClient
    bus: EventBus
    clock: Clock
    labels_dir: Path
    work_hours: str = DEFAULT_WORK_HOURS  # settings.work_hours (auto-replies outside them)
    desk: str = ""  # this desk's name: its claims on the actions it sends (several desks, one server)

    def keep_state(self, name: str, state: dict[str, object]) -> None:
        """Keep a multi-step action's progress in sync_state, so a retry resumes after the last step."""
        with self.db.write() as s:
            sync_state.put(s, name, json.dumps(state), self.clock.now())

    def forget(self, name: str) -> None:
        with self.db.write() as s:
            sync_state.clear(s, name)

    def store_posting(self, posting: Posting) -> None:
        with self.db.write() as s:
            posting_repo.save(s, [posting], self.clock.now())

    def store_return_details(self, details: ReturnDetails) -> None:
        with self.db.write() as s:
            return_repo.save_details(s, details)
