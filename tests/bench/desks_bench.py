"""Several desks of one shop: three desk processes on one PostgreSQL on this machine, side by side with
one desk on its SQLite file, both against the emulator (in a process of its own, Ozon's request budget,
no live arrivals).

Each desk is `tests/desks/desk_worker.py`: it syncs when it leads (a SyncScheduler with a Leadership)
and packs the shared queue, a scan every PACE_S (faster than a packer). Figures:

* scan → feedback: PackStation.scan wall time per scan (the posting's label, each unit, NEXT, which
  completes the posting), p50/p95; target p95 < 50 ms;
* ships as packed: ship actions applied per second while the desks pack (the leader keeps up with
  them) and once the packing stopped;
* leader push, backlog: BACKLOG postings packed at once, then the leader's push of their ships timed
  alone: actions claimed (mark_in_flight) and applied per second. Ozon's budget of 50 requests/s caps
  it (a ship is three calls: read, ship, read back); the emulator's log must show no posting shipped
  twice;
* commit → other desk's bus: an event's time from one desk's commit to another desk's bus
  (LISTEN/NOTIFY, app.db.notify), sent every 50 ms while the three desks work: p50/p95, target < 1 s.
  One desk on SQLite has no other desk to tell.

`python -m tests.bench desks [URL]`: URL names an empty PostgreSQL database to use (or
PACKDESK_BENCH_DB_URL); without it PACKDESK_TEST_PG (an admin URL, see tests/pg_cluster.sh) gives a
throwaway database. Without either the bench says so and fails.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POSTINGS = 60
PACE_S = 0.25  # a scan every quarter second at each desk: a brisk packer scans about once a second
BACKLOG = 150  # ships queued at once for the leader's throughput
TARGET_SCAN_P95_MS = 50.0
TARGET_EVENT_MS = 1000.0


def serve_emulator(postings: int) -> None:
    """The emulator with `postings` FBS postings to pack whose goods need nothing but a scan (no marks,
    customs numbers or boxes), real time, no live arrivals, Ozon's request budget."""
    from sync.emulator import Emulator, EmulatorServer
    from sync.ratelimit import OZON_LIMIT_PER_SECOND

    emu = Emulator(seed=21, postings=0, speed=1.0, live=False, rate_limit=OZON_LIMIT_PER_SECOND)
    emu.create_postings(count=postings)
    server = EmulatorServer(emu).start()
    print(f"listening on {server.url}", flush=True)
    threading.Event().wait()


@dataclass
class Run:
    backend: str
    desks: int
    seconds: float = 0.0
    scans_ms: list[float] = field(default_factory=list)
    packed: int = 0
    shipped: int = 0
    ship_rate: float = 0.0
    ship_rate_after: float = 0.0  # once the packing stopped
    leader: str = ""
    events_ms: list[float] = field(default_factory=list)
    label_ms: list[float] = field(default_factory=list)  # the posting label's scan
    unit_ms: list[float] = field(default_factory=list)  # a unit's barcode
    next_ms: list[float] = field(default_factory=list)  # NEXT: complete, queue the ship and the label
    push_rate: float = 0.0  # ships claimed and applied per second from a backlog of BACKLOG
    ships_twice: int = 0  # postings the emulator saw shipped more than once (must be 0)


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    return statistics.median(values), statistics.quantiles(values, n=20)[-1]


def _worker(root: Path, name: str, db_url: str, api_url: str) -> tuple[subprocess.Popen[str], list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    args = [str(root / name), name, db_url, api_url, "--pace", str(PACE_S)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.desks.desk_worker", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    said: list[dict[str, Any]] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("{"):
                said.append(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    return proc, said


def _ships(db_url: str) -> tuple[list[tuple[Any, str]], int]:
    """(done time, claiming desk) of the ships applied, and how many are still open."""
    from sqlalchemy import select

    from app.db.engine import Database
    from app.db.tables import OutboxRow

    db = Database(db_url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(OutboxRow.state, OutboxRow.done_at, OutboxRow.claimed_by).where(OutboxRow.action == "ship")
            ).all()
    finally:
        db.dispose()
    done = sorted((at, desk) for state, at, desk in rows if state == "done" and at is not None)
    return done, sum(1 for state, _, _ in rows if state in ("pending", "in_flight"))


def _rate(times: list[Any]) -> float:
    if len(times) < 2:
        return 0.0
    span = (times[-1] - times[0]).total_seconds()
    return (len(times) - 1) / span if span > 0 else 0.0


def run(backend: str, db_url: str, desks: int, root: Path) -> Run:
    """`desks` desk processes on `db_url` pack POSTINGS postings; the figures of the run."""
    emulator = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.desks_bench", "--serve-emulator", str(POSTINGS)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert emulator.stdout is not None
    api_url = emulator.stdout.readline().strip().removeprefix("listening on ")
    result = Run(backend, desks)
    try:
        probe = _EventProbe(db_url, root) if desks > 1 else None
        workers = []
        started = time.monotonic()
        try:
            workers = [_worker(root, f"Desk {n}", db_url, api_url) for n in range(1, desks + 1)]
            if probe is not None:
                probe.start()
            packing_done: float | None = None
            while True:
                time.sleep(0.5)
                assert time.monotonic() - started < 600, "the desks did not finish within 10 minutes"
                assert all(p.poll() is None for p, _ in workers), "a desk process ended"
                packed = sum(1 for _, said in workers for line in said if "packed" in line)
                if packed >= POSTINGS and packing_done is None:
                    packing_done = time.monotonic()
                    if probe is not None:
                        probe.stop()
                if packing_done is not None:
                    done, still_open = _ships(db_url)
                    if len(done) >= POSTINGS and not still_open:
                        break
            result.seconds = time.monotonic() - started
        finally:
            if probe is not None:
                probe.stop()
            for proc, _ in workers:
                proc.terminate()
            for proc, _ in workers:
                proc.wait(30)
        stats_done = _ships(db_url)[0]
        result.push_rate, result.ships_twice = push_rate(db_url, api_url, root, "Bench leader" if desks > 1 else "")
    finally:
        emulator.terminate()
        emulator.wait(10)
    lists = [line["scans_ms"] for _, said in workers for line in said if "scans_ms" in line]
    result.scans_ms = [ms for times in lists for ms in times]
    result.label_ms = [times[0] for times in lists]
    result.unit_ms = [ms for times in lists for ms in times[1:-1]]
    result.next_ms = [times[-1] for times in lists]
    result.packed = sum(1 for _, said in workers for line in said if "packed" in line)
    done = stats_done
    result.shipped = len(done)
    result.leader = ", ".join(sorted({desk or "(this desk)" for _, desk in done}))
    result.ship_rate = _rate([at for at, _ in done])
    last_pack = max(line["at"] for _, said in workers for line in said if "packed" in line)
    result.ship_rate_after = _rate([at for at, _ in done if at.timestamp() >= last_pack])
    if probe is not None:
        result.events_ms = probe.latencies
    return result


def push_rate(db_url: str, api_url: str, root: Path, desk: str) -> tuple[float, int]:
    """BACKLOG new postings packed at once, then the leader's push of their ships timed alone: ships
    claimed (mark_in_flight) and applied per second. Also how many postings Ozon saw shipped twice."""
    from collections import Counter

    import requests

    from app.clock import SystemClock
    from app.context import open_context
    from app.outbox import ActionKind, OutboxState
    from app.secrets import Credentials
    from app.workflows.packing.outcomes import Kind
    from app.workflows.packing.station import PackStation
    from sync.client import OzonClient
    from sync.cycle import CycleResult
    from sync.engine import SyncEngine
    from tests.desks.desk_worker import API_KEY, CLIENT_ID, heads

    requests.post(api_url + "/__emulator/postings", json={"count": BACKLOG}, timeout=30).raise_for_status()
    clock = SystemClock()
    ctx = open_context(str(root / "leader"), clock, db_url=db_url)
    client = OzonClient(api_url, Credentials(CLIENT_ID, API_KEY))
    try:
        engine = SyncEngine(ctx.db, client, ctx.bus, clock, ctx.paths.labels, desk=desk)
        engine.run_cycle()  # the new postings (and their products) cached
        station = PackStation(ctx.db, clock, bus=ctx.bus, user="bench", desk=desk or "")
        while True:
            with ctx.db.read() as s:
                queue = heads(s, desk, 1)
            if not queue:
                break
            out = station.scan(queue[0])
            assert out.kind is Kind.POSTING_OPENED and out.view is not None, out.kind
            for line in out.view.lines:
                for _ in range(line.needed):
                    station.scan(line.barcodes[0])
            assert station.complete().kind is Kind.COMPLETED

        def open_ships() -> int:
            with ctx.db.read() as s:
                from app import outbox

                return sum(
                    1
                    for e in outbox.entries(s, (OutboxState.PENDING, OutboxState.IN_FLIGHT))
                    if e.action.value == "ship"
                )

        waiting = open_ships()
        started = time.perf_counter()
        while open_ships():
            engine.push(CycleResult(), only=(ActionKind.SHIP,))
        rate = waiting / (time.perf_counter() - started)
    finally:
        client.close()
        ctx.close()
    log = requests.get(api_url + "/__emulator/log", timeout=30).json()
    shipped = Counter(e["posting_number"] for e in log if e["method"] == "/v4/posting/fbs/ship")
    return rate, sum(1 for n in shipped.values() if n > 1)


class _EventProbe:
    """Two more desks' contexts in this process: one commits a change and announces it every 50 ms,
    the other's bus hears it; the time from the commit to the other's handler."""

    def __init__(self, db_url: str, root: Path) -> None:
        from app.context import open_context

        self.sender = open_context(str(root / "probe-sender"), db_url=db_url)
        self.receiver = open_context(str(root / "probe-receiver"), db_url=db_url)
        self.latencies: list[float] = []
        self._committed: dict[str, float] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._send, daemon=True)

    def start(self) -> None:
        from app import events

        assert self.sender.desk_events is not None and self.receiver.desk_events is not None
        assert self.sender.desk_events.listening.wait(10) and self.receiver.desk_events.listening.wait(10)
        self.receiver.bus.subscribe(events.PostingsChanged, self._heard)
        self._thread.start()

    def _heard(self, event: Any) -> None:
        at = time.perf_counter()
        for number in event.posting_numbers:
            sent = self._committed.pop(number, None)
            if sent is not None:
                self.latencies.append((at - sent) * 1000)

    def _send(self) -> None:
        from app import events
        from app.repos import sync_state

        n = 0
        while not self._stopping.wait(0.05):
            n += 1
            key = f"probe-{n}"
            with self.sender.db.write() as s:
                sync_state.put(s, "bench.probe", key, self.sender.clock.now())
            self._committed[key] = time.perf_counter()
            self.sender.bus.publish(events.PostingsChanged(frozenset({key})))

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._thread.join(5)
        time.sleep(1.0)  # the last ones arrive
        self.sender.close()
        self.receiver.close()


def _server_url(argv: list[str]) -> tuple[str, str | None]:
    """The database to use and, for a throwaway one, its name (dropped afterwards)."""
    given = next((a for a in argv if "://" in a), "") or os.environ.get("PACKDESK_BENCH_DB_URL", "").strip()
    if given:
        return given, None
    from tests import pg_server

    if not pg_server.admin_url():
        return "", None
    name = pg_server.fresh_database()
    return pg_server.url_of(name), name


def main(argv: list[str] | None = None) -> bool:
    argv = list(argv or [])
    url, throwaway = _server_url(argv)
    if not url:
        print(
            "the desks bench needs a PostgreSQL server: give an empty database's URL "
            "(python -m tests.bench desks postgresql+psycopg://user@host/db) or set PACKDESK_TEST_PG to an admin "
            "URL (tests/pg_cluster.sh start prints one); nothing was measured"
        )
        return False
    from app.db.engine import shown_url, sqlite_url

    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"three desks on {shown_url(url)}: {POSTINGS} postings, a scan every {PACE_S:.2f} s at each desk")
            server = run("PostgreSQL", url, 3, Path(tmp) / "pg")
            print(f"one desk on SQLite: {POSTINGS} postings, a scan every {PACE_S:.2f} s")
            file = sqlite_url(str(Path(tmp) / "one-desk.sqlite3"))
            single = run("SQLite", file, 1, Path(tmp) / "sqlite")
    finally:
        if throwaway is not None:
            from tests import pg_server

            pg_server.drop(throwaway)
            pg_server.drop_template()
    return report([server, single])


def report(runs: list[Run]) -> bool:
    def q(values: list[float]) -> str:
        p50, p95 = _quantiles(values)
        return f"p50 {p50:.1f} / p95 {p95:.1f} ms"

    def col(r: Run) -> list[str]:
        after = f", {r.ship_rate_after:.1f}/s after packing" if r.ship_rate_after else ""
        return [
            f"{r.backend}, {r.desks} desk(s)",
            f"{r.packed} packed, {r.shipped} shipped, {r.seconds:.0f} s",
            f"{q(r.scans_ms)} ({len(r.scans_ms)})",
            q(r.label_ms),
            q(r.unit_ms),
            q(r.next_ms),
            f"{r.ship_rate:.1f}/s{after}, by {r.leader}",
            f"{r.push_rate:.1f}/s ({BACKLOG} queued), twice: {r.ships_twice}",
            f"{q(r.events_ms)} ({len(r.events_ms)})" if r.events_ms else "n/a (no other desk)",
        ]

    labels = [
        "",
        "run (paced packers)",
        "scan → feedback, all",
        "  posting label",
        "  unit barcode",
        "  NEXT (complete)",
        "ships as packed",
        "leader push, backlog",
        "commit → other desk's bus",
    ]
    cols = [col(r) for r in runs]
    for i, label in enumerate(labels):
        print(f"{label:<27}" + "".join(f"{c[i]:<50}" for c in cols).rstrip())
    server = runs[0]
    _, scan_p95 = _quantiles(server.scans_ms)
    _, event_p95 = _quantiles(server.events_ms)
    ok = scan_p95 < TARGET_SCAN_P95_MS and event_p95 < TARGET_EVENT_MS and server.shipped == POSTINGS
    ok = ok and not any(r.ships_twice for r in runs)
    print(
        f"targets on the server: scan p95 < {TARGET_SCAN_P95_MS:.0f} ms "
        f"({'ok' if scan_p95 < TARGET_SCAN_P95_MS else 'SLOW'}), event p95 < {TARGET_EVENT_MS:.0f} ms "
        f"({'ok' if event_p95 < TARGET_EVENT_MS else 'SLOW'})"
    )
    print("PASS" if ok else "FAIL")
    return ok


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-emulator"]:
        serve_emulator(int(sys.argv[2]))
    else:
        sys.exit(0 if main(sys.argv[1:]) else 1)
