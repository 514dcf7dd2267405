"""One sync leader per shop: on a shared PostgreSQL the desk holding the shop's advisory lock pulls
from Ozon and pushes the outbox; the other desks only read and write the shared database (their
actions wait in the outbox for the leader). The lock lives on a connection of its own: when the
leader closes, dies or loses the network, the server drops the connection and with it the lock, and
the next desk to ask (every `POLL_S`) leads. The new leader first marks the actions the old one left
in flight as ambiguous, so they are re-checked on Ozon before any re-send (as after a crash).

The shop's request budget (Ozon: 50 requests/s per Client-Id, all desks together) is shared through
the leader: a desk that does not lead keeps `FOLLOWER_PER_SECOND` for its own lookups at the pack
station; the leader takes what is left after the live desks' shares.

On SQLite one process owns the file (app.db.guard.OwnerLock): it always leads.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app import desks, outbox
from app.clock import Clock
from app.db.engine import Database
from sync.ratelimit import DEFAULT_PER_SECOND, RateLimiter

log = logging.getLogger(__name__)

# One lock per database (advisory locks are per database, and a shop is one database): "PACK".
LOCK_KEY = 0x5041434B
# How often a desk that does not lead asks for the lock, and how often the leader says it is alive.
POLL_S = 2.0
# Requests per second a desk that does not lead may make itself (the pack station's look-ups).
FOLLOWER_PER_SECOND = 3
# The server drops a silent leader's connection after about idle + interval × count seconds (a
# computer switched off, a cable pulled), which frees the lock for the next desk.
_KEEPALIVE = "-c tcp_keepalives_idle=3 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3"


class Leadership:
    def __init__(
        self,
        db: Database,
        desk: str,
        clock: Clock,
        packer: Callable[[], str] = lambda: "",
        limiter: RateLimiter | None = None,
    ) -> None:
        self.db = db
        self.limiter = limiter  # this desk's share of the shop's request budget, set on every check-in
        self.desk = desk
        self.clock = clock
        self.packer = packer
        self.leading = False
        self._conn: Connection | None = None
        self._engine = (
            None
            if db.is_sqlite
            else create_engine(
                db.writer.url,  # as the desk's own engine has it (`postgresql://` made psycopg 3's)
                poolclass=NullPool,
                connect_args={"connect_timeout": 5, "keepalives_idle": 3, "options": _KEEPALIVE},
            )
        )

    @property
    def shared(self) -> bool:
        """Several desks may share this database (a server, not a file)."""
        return self._engine is not None

    def lead(self) -> bool:
        """Take the lead if it is free, keep it if this desk has it; say so in the `desks` table
        (the status bar of every desk shows the leader). False while the server is unreachable."""
        if self._engine is None:
            self.leading = True
            return True
        was = self.leading
        self.leading = self._hold_lock()
        now = self.clock.now()
        try:
            with self.db.write() as s:
                if self.leading and not was:
                    left = outbox.recover_in_flight(s, now)
                    log.info("%s leads the sync now; %d action(s) left in flight are re-checked", self.desk, left)
                elif self.leading:  # a claim another desk left past its lease (a hand-over race)
                    outbox.recover_expired(s, now, self.desk)
                desks.check_in(s, self.desk, self.packer(), now, leading=self.leading)
                others = desks.live_count(s, now) - 1
            self._set_budget(others)
        except Exception as exc:  # the server went away: the lock went with the connection
            log.warning("could not check in with the shop's database: %s", exc)
            self._drop()
            self.leading = False
        if was and not self.leading:
            log.warning("%s no longer leads the sync", self.desk)
        return self.leading

    def _set_budget(self, other_desks: int) -> None:
        if self.limiter is None:
            return
        if self.leading:
            share = DEFAULT_PER_SECOND - FOLLOWER_PER_SECOND * max(0, other_desks)
            self.limiter.per_second = max(FOLLOWER_PER_SECOND, share)
        else:
            self.limiter.per_second = FOLLOWER_PER_SECOND

    def _hold_lock(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True  # the connection that holds the lock is alive: the lock is ours
            except SQLAlchemyError:
                self._drop()
                return False
        assert self._engine is not None
        try:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError:
            return False
        try:
            got = bool(conn.execute(select(func.pg_try_advisory_lock(LOCK_KEY))).scalar())
        except SQLAlchemyError:
            got = False
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None

    def release(self) -> None:
        """This desk stops leading (the window closes): another desk takes over at its next poll."""
        if self._engine is None:
            return
        was = self.leading
        self._drop()  # closing the connection releases the lock
        self.leading = False
        if was:
            try:
                with self.db.write() as s:
                    desks.check_in(s, self.desk, self.packer(), self.clock.now(), leading=False)
            except Exception as exc:
                log.warning("could not say this desk stopped leading: %s", exc)
        self._engine.dispose()
