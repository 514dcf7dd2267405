"""Ship 500 postings, then fetch all their Ozon labels through label tasks, from the emulator with its
default delays (a label is ready 50 s after the ship, a task takes 5 s), in real time.

Reports the API calls made (all of them, and those for labels) and the time from the first ship call
to the last label cached. The label calls must grow with batches, not with postings.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from typing import Any

import requests

from app import label_files, outbox
from app.context import open_context
from app.outbox import ActionKind, OutboxState
from app.repos import postings as posting_repo
from app.secrets import Credentials
from app.workflows import shipping
from sync import methods, schemas
from sync.client import OzonClient
from sync.engine import SyncEngine
from tests.bench.emulator_process import start_emulator

N = 500
CID, KEY = "123456", "demo-key"  # the credentials `main.py emulator` serves
LABEL_CALLS = {methods.LABEL_TASK_CREATE, methods.LABEL_TASK_GET, "file"}


class WallClock:
    """The emulator runs in real time here: its clock is read once and followed with ours."""

    def __init__(self, url: str) -> None:
        start = schemas.parse_time(requests.get(url + "/__emulator/state", timeout=30).json()["now"])
        self._offset = start.timestamp() - time.time()

    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(time.time() + self._offset, UTC)


class Counting(OzonClient):
    """The real client, counting what it asks and noting when the first ship call goes out."""

    calls: Counter[str]
    first_ship: float | None

    def _send(self, path, send):  # type: ignore[no-untyped-def]
        self.calls["file" if path == "file_url" else path] += 1
        if path == methods.SHIP and self.first_ship is None:
            self.first_ship = time.perf_counter()
        return super()._send(path, send)


def _plain_sku(url: str, numbers: list[str]) -> int:
    """A SKU Ozon asks nothing extra for (no marking code, no customs number): the batch is plain."""
    client = OzonClient(url, Credentials(CID, KEY))
    try:
        for number in numbers:
            posting = client.get_posting(number)
            if not posting.requirements.kinds() and not posting.is_multibox:
                return posting.products[0].sku
    finally:
        client.close()
    raise AssertionError("no plain product in the demo catalog")


def main() -> bool:
    proc, url = start_emulator("--postings", "50", "--seed", "11", "--no-live")
    ok = True
    try:
        probe = requests.post(url + "/__emulator/postings", json={"count": 5}, timeout=30).json()["posting_numbers"]
        sku = _plain_sku(url, probe)
        created = requests.post(url + "/__emulator/postings", json={"count": N, "products": [[sku, 1]]}, timeout=120)
        numbers = created.json()["posting_numbers"]
        with tempfile.TemporaryDirectory() as tmp:
            ctx = open_context(tmp)
            client = Counting(url, Credentials(CID, KEY))
            client.calls, client.first_ship = Counter(), None
            engine = SyncEngine(ctx.db, client, ctx.bus, WallClock(url), ctx.paths.labels)
            assert engine.run_cycle().ok
            for number in numbers:
                shipping.queue_ship(ctx.db, ctx.clock, number)
            with ctx.db.read() as s:
                assert {c.posting.posting_number for c in posting_repo.get_many(s, numbers)} == set(numbers)
            client.calls.clear()
            cycles = 0
            while True:
                engine.run_cycle()
                cycles += 1
                with ctx.db.read() as s:
                    waiting = outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT))
                if not waiting:
                    break
                due = engine.seconds_until_due()
                time.sleep(max(0.2, min(due if due is not None else 1.0, 5.0)))
            done = time.perf_counter()
            with ctx.db.read() as s:
                fetched = [e for e in outbox.entries(s) if e.action is ActionKind.FETCH_LABEL]
            cached = sum(label_files.has(ctx.paths.labels, n) for n in numbers)
            assert client.first_ship is not None
            total = sum(client.calls.values())
            label_calls = sum(n for path, n in client.calls.items() if path in LABEL_CALLS)
            print(f"{N} postings shipped, {cached} labels cached ({len(fetched)} label actions), {cycles} cycles")
            print(
                f"calls: {total} in all; ship {client.calls[methods.SHIP]}, posting re-reads "
                f"{client.calls[methods.POSTING_GET]}; labels {label_calls} "
                f"(tasks {client.calls[methods.LABEL_TASK_CREATE]}, polls {client.calls[methods.LABEL_TASK_GET]}, "
                f"files {client.calls['file']})"
            )
            print(
                f"first ship call → last label cached: {done - client.first_ship:.1f} s "
                f"(Ozon's delays: 50 s to a label, 5 s per task; rate limit {client.limiter.per_second}/s)"
            )
            ok = cached == N and label_calls < N // 10
            client.close()
            ctx.close()
        print("PASS" if ok else "FAIL")
    finally:
        proc.terminate()
        proc.wait(10)
    return ok
