"""AppContext: what every screen and command is handed (no global singletons)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app import outbox, paths, settings
from app.clock import Clock, SystemClock
from app.db import migrate
from app.db.engine import Database, sqlite_url
from app.errors import UserError
from app.events import EventBus

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    paths: paths.Paths
    settings: settings.Settings
    db: Database
    bus: EventBus = field(default_factory=EventBus)
    clock: Clock = field(default_factory=SystemClock)
    # Notices for the seller gathered while starting (e.g. a repaired settings file); the UI
    # translates them by code, the CLI prints their English text.
    startup_messages: list[UserError] = field(default_factory=list)

    def recover_interrupted(self) -> int:
        """Actions left in flight by a previous run may have reached Ozon: re-check them before any
        re-send. Only the process that owns the data folder (the app, `sync`) may call this — in
        another process those rows are a live sync's claims."""
        with self.db.write() as s:
            recovered = outbox.recover_in_flight(s, self.clock.now())
        if recovered:
            log.info("%d action(s) were in flight at the last exit; they are re-checked before re-sending", recovered)
        return recovered

    def close(self) -> None:
        self.db.dispose()


def open_context(data_dir: str | None = None, clock: Clock | None = None) -> AppContext:
    """Resolve folders, read settings, open and migrate the database."""
    where = paths.resolve(data_dir).ensure()
    loaded, warning = settings.load(where.settings)
    db = Database(loaded.database_url or sqlite_url(str(where.database)))
    try:
        migrate.upgrade(db)
    except Exception:
        db.dispose()
        raise
    ctx = AppContext(paths=where, settings=loaded, db=db, clock=clock or SystemClock())
    if warning:
        ctx.startup_messages.append(warning)
    return ctx
