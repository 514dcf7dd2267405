"""One packing desk in a process of its own, for the multi-desk tests and the `desks` benchmark.

`python -m tests.desks.desk_worker DATA_DIR DESK DB_URL API_URL [--skew-file F] [--no-pack] [--pace S]`

It opens its own data folder on the shop's shared database, runs a SyncScheduler with a Leadership
(only the leading desk pulls from the emulator and pushes the outbox) and packs: the packable
postings of the shared cache in ship-by order, each scanned (skipped when another desk has it), each
unit's barcode scanned, then completed (which queues the ship and the label). It says what it does on
stdout, one JSON object a line: {"leading": bool}, {"packed": number, "scans_ms": [...]},
{"refused": number, "kind": ...}, {"idle": packed_so_far}. SIGTERM stops it.

`--skew-file`: the desk's clock is the system's plus the seconds written in that file (the test moves
the emulator's clock forward and says by how much there, so both agree, e.g. on when a label is due).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

CLIENT_ID, API_KEY = "123456", "demo-key"


class SkewedClock:
    """The system clock plus the seconds in a file (re-read at most every 0.2 s)."""

    def __init__(self, skew_file: Path | None) -> None:
        self.skew_file = skew_file
        self._skew = 0.0
        self._read_at = 0.0

    def now(self) -> datetime:
        if self.skew_file is not None and time.monotonic() - self._read_at > 0.2:
            self._read_at = time.monotonic()
            with contextlib.suppress(OSError, ValueError):  # being written: the last value holds
                self._skew = float(self.skew_file.read_text() or 0)
        return datetime.now(UTC) + timedelta(seconds=self._skew)


def heads(s: Session, desk: str, n: int = 4) -> list[str]:
    """The first postings of the packing queue (ship-by order) no other desk has on its station."""
    from app.db.desk_tables import PackProgressRow
    from app.db.tables import PostingRow

    held = (PackProgressRow.state.in_(["open", "stopped"])) & (PackProgressRow.desk != desk)
    stmt = (
        select(PostingRow.posting_number)
        .outerjoin(PackProgressRow, PackProgressRow.posting_number == PostingRow.posting_number)
        .where(PostingRow.status == "awaiting_packaging", PostingRow.local_status.is_(None))
        .where(~func.coalesce(held, False))
        .order_by(PostingRow.shipment_date, PostingRow.posting_number)
        .limit(n)
    )
    return list(s.scalars(stmt))


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("desk")
    parser.add_argument("db_url")
    parser.add_argument("api_url")
    parser.add_argument("--skew-file", type=Path)
    parser.add_argument("--no-pack", action="store_true", help="only sync (when leading), never pack")
    # Between the leader's cycles (the app's default is 60 s; a queued ship wakes the leader at once).
    # Short here: the tests move the desks' clocks forward (--skew-file), which the wait between two
    # cycles, on the monotonic clock, does not see.
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between two scans (0: as fast as it can)")
    args = parser.parse_args(argv)

    from app.context import open_context
    from app.repos import sync_state
    from app.secrets import Credentials
    from app.workflows.packing.outcomes import Kind
    from app.workflows.packing.station import PackStation
    from sync.client import OzonClient
    from sync.engine import SyncEngine
    from sync.leader import Leadership
    from sync.scheduler import SyncScheduler

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    clock = SkewedClock(args.skew_file)
    ctx = open_context(args.data_dir, clock, db_url=args.db_url)
    client = OzonClient(args.api_url, Credentials(CLIENT_ID, API_KEY))
    engine = SyncEngine(ctx.db, client, ctx.bus, clock, ctx.paths.labels, desk=args.desk)
    leadership = Leadership(ctx.db, args.desk, clock, lambda: f"packer of {args.desk}")
    scheduler = SyncScheduler(engine, args.interval, leadership)
    scheduler.start()
    station = PackStation(
        ctx.db, clock, bus=ctx.bus, user=f"packer of {args.desk}", desk=args.desk, labels_dir=ctx.paths.labels
    )
    leading = False
    packed = 0
    idle_said = -1
    try:
        while not stopping.is_set():
            if leadership.leading != leading:
                leading = leadership.leading
                say(leading=leading)
            if args.no_pack:
                stopping.wait(0.1)
                continue
            with ctx.db.read() as s:
                synced = sync_state.get(s, "last_sync_at") != ""  # products (barcodes) cached too
                queue = heads(s, args.desk)
            if not synced or not queue:
                if synced and idle_said != packed:
                    idle_said = packed
                    say(idle=packed)
                stopping.wait(0.1)
                continue
            for number in queue:
                if stopping.is_set():
                    break
                times: list[float] = []

                def scan(code: str, times: list[float] = times) -> Kind:
                    stopping.wait(args.pace)
                    t0 = time.perf_counter()
                    out = station.scan(code)
                    times.append((time.perf_counter() - t0) * 1000)
                    return out.kind

                stopping.wait(args.pace)
                t0 = time.perf_counter()
                out = station.scan(number)
                times.append((time.perf_counter() - t0) * 1000)
                if out.kind is not Kind.POSTING_OPENED:
                    if out.kind is Kind.CLAIMED_ELSEWHERE:
                        say(refused=number, kind=out.kind.value)
                    continue  # the next in the queue
                assert out.view is not None
                for line in out.view.lines:
                    for _ in range(line.needed - line.scanned):
                        kind = scan(line.barcodes[0])
                        assert kind is Kind.ITEM_OK, kind
                stopping.wait(args.pace)
                t0 = time.perf_counter()
                done = station.complete()  # the NEXT command's scan
                times.append((time.perf_counter() - t0) * 1000)
                if done.kind is Kind.COMPLETED:
                    scheduler.sync_now()  # the ship goes out now when this desk leads (ui/packing/page.py)
                    packed += 1
                    say(packed=number, scans_ms=times, at=time.time())
                else:
                    say(not_completed=number, kind=done.kind.value)
                break  # the queue has moved on meanwhile: read it again
    finally:
        scheduler.stop()
        client.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
