"""Property-based: random seller actions, faults, cancellations and restarts against the emulator.

Invariants (docs/reliability.md, The outbox): a ship is applied at most once; never after Ozon said cancelled;
once the faults stop, every queued ship ends done (applied exactly once) or as a conflict.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app import outbox
from app.context import AppContext, open_context
from app.outbox import OutboxState
from app.repos import postings as posting_repo
from app.workflows import shipping
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests import pg_server
from tests.sync.conftest import adapter_client

SHIP = "/v4/posting/fbs/ship"
FAULTS = ["reset", "timeout", "lost_reply", "http_500", "http_503", "rate_limit", "malformed_json"]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="pd-prop-"))
        # Every example its own database (the test's one would carry an example's state into the next).
        self.database = pg_server.fresh_database() if pg_server.admin_url() else ""
        self.emu = Emulator(seed=21, postings=40, client_id="123456", api_key="test-key", speed=0.0, live=False)
        self.ctx = self._open()
        self.engine.run_cycle()
        with self.ctx.db.read() as s:
            self.candidates = [
                c.posting.posting_number
                for c in posting_repo.list_postings(s, ozon_status="awaiting_packaging")
                # Codes and customs numbers come from the pack station: here, postings that need none.
                if c.local_status is None and not c.posting.requirements.kinds() and not c.posting.is_multibox
            ]
        self.queued: dict[str, str] = {}  # posting → outbox key
        self.cancelled: set[str] = set()

    def _open(self) -> AppContext:
        ctx = open_context(str(self.dir), db_url=pg_server.url_of(self.database) if self.database else None)
        self.engine = SyncEngine(
            ctx.db, adapter_client(self.emu), ctx.bus, self.emu, ctx.paths.labels, rng=random.Random(3)
        )
        return ctx

    def teardown(self) -> None:
        self.ctx.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.database:
            pg_server.drop(self.database)

    @precondition(lambda self: len(self.queued) < len(self.candidates))
    @rule(data=st.data())
    def pack(self, data: st.DataObject) -> None:
        free = [n for n in self.candidates if n not in self.queued and n not in self.cancelled]
        if not free:
            return
        number = data.draw(st.sampled_from(free))
        self.queued[number] = shipping.queue_ship(self.ctx.db, self.emu, number).key

    @rule(kind=st.sampled_from(FAULTS), times=st.integers(1, 3))
    def fault(self, kind: str, times: int) -> None:
        self.emu.add_fault(Fault(kind, path=SHIP if kind != "reset" else "*", times=times, retry_after=5))

    @precondition(lambda self: self.queued)
    @rule(data=st.data())
    def buyer_cancels(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(sorted(self.queued)))
        if self.emu.posting(number)["status"] == "awaiting_packaging":
            self.emu.cancel_posting(number)
            self.cancelled.add(number)

    @rule()
    def sync(self) -> None:
        self.engine.run_cycle()
        self.emu.advance(400)

    @rule()
    def restart(self) -> None:
        self.ctx.close()
        self.ctx = self._open()

    @invariant()
    def never_twice_never_after_cancel(self) -> None:
        for number in self.queued:
            ships = [e for e in self.emu.log if e["method"] == SHIP and e.get("posting_number") == number]
            assert len(ships) <= 1, f"{number} shipped {len(ships)} times"
            if number in self.cancelled:
                # Cancelled while still awaiting packaging: a ship must never reach Ozon after that.
                assert not ships, f"{number} was shipped after the buyer cancelled"

    def check_drained(self) -> None:
        self.emu.clear_faults()
        for _ in range(30):
            self.engine.run_cycle()
            self.emu.advance(400)
            with self.ctx.db.read() as s:
                if not outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT)):
                    break
        with self.ctx.db.read() as s:
            states = {e.target_id: e.state for e in outbox.entries(s) if e.action.value == "ship"}
        for number, _key in self.queued.items():
            ships = [e for e in self.emu.log if e["method"] == SHIP and e.get("posting_number") == number]
            if states[number] is OutboxState.DONE:
                assert len(ships) == 1
            else:
                assert states[number] is OutboxState.CONFLICT and number in self.cancelled and not ships


class DrainingMachine(OutboxMachine):
    def teardown(self) -> None:
        try:
            self.check_drained()
        finally:
            super().teardown()


DrainingMachine.TestCase.settings = settings(
    max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
)
TestOutboxProperties = DrainingMachine.TestCase
