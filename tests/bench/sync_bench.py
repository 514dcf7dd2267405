"""Initial sync of 20,000 postings from the emulator over HTTP, against a plain baseline that
fetches the same pages with requests + json and inserts the same columns with sqlite3 executemany.
Also: an incremental cycle with no changes over the 20,000 cached postings.

Targets: sync ≥ 3,000 postings/s, sync/baseline time ratio ≤ 1.5, quiet incremental cycle < 150 ms.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import requests

from app.context import open_context
from app.repos import postings as posting_repo
from app.secrets import Credentials
from sync import ratelimit, schemas
from sync.client import OzonClient
from sync.cycle import HISTORY_DAYS
from sync.engine import SyncEngine
from sync.pull.postings import pull_postings
from tests.bench.emulator_process import start_emulator

N = 20_000
CID, KEY = "123456", "demo-key"  # the credentials `main.py emulator` serves

POSTING_COLS = (
    "posting_number, order_number, order_id, status, substatus, shipment_date, in_process_at, delivering_date, "
    "delivery_method_id, delivery_method_name, warehouse_id, warehouse_name, tpl_provider, tpl_integration_type, "
    "tracking_number, is_express, customer_name, city, address, pvz_code, upper_barcode, lower_barcode, "
    "cancel_reason, available_actions"
)


def baseline(url: str, data_dir: Path, since: str, to: str) -> int:
    """What a minimal hand-written sync would do: same pages, same columns into the same tables (and
    indexes, made by our migrations), one commit per page, no ORM, no parsing into objects."""
    open_context(str(data_dir)).close()
    con = sqlite3.connect(data_dir / "packdesk.sqlite3", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    session = requests.Session()
    limiter = ratelimit.for_account(CID)
    headers = {"Client-Id": CID, "Api-Key": KEY, "Content-Type": "application/json"}
    cursor, total = "", 0
    placeholders = ",".join("?" * 24)
    now = datetime.now().isoformat()
    while True:
        body = {
            "cursor": cursor,
            "limit": 100,
            "sort_dir": "ASC",
            "filter": {"since": since, "to": to},
            "with": {"barcodes": True},
        }
        limiter.acquire()  # Ozon's budget binds every client alike (the emulator answers 429 beyond it)
        reply = session.post(url + "/v4/posting/fbs/list", data=json.dumps(body), headers=headers, timeout=30)
        limiter.note_remaining(reply.headers.get("Ratelimit-Remaining"))
        data = reply.json()
        rows, items = [], []
        for p in data["postings"]:
            dm = p.get("delivery_method") or {}
            cust = p.get("customer") or {}
            addr = cust.get("address") or {}
            bc = p.get("barcodes") or {}
            rows.append(
                (
                    p["posting_number"],
                    p["order_number"],
                    p["order_id"],
                    p["status"],
                    p["substatus"],
                    p["shipment_date"],
                    p["in_process_at"],
                    p.get("delivering_date"),
                    dm.get("id"),
                    dm.get("name"),
                    dm.get("warehouse_id"),
                    dm.get("warehouse"),
                    dm.get("tpl_provider"),
                    p.get("tpl_integration_type"),
                    p.get("tracking_number"),
                    p.get("is_express"),
                    cust.get("name"),
                    addr.get("city"),
                    addr.get("address_tail"),
                    addr.get("pvz_code"),
                    bc.get("upper_barcode"),
                    bc.get("lower_barcode"),
                    (p.get("cancellation") or {}).get("cancel_reason"),
                    " ".join(p.get("available_actions") or ()),
                )
            )
            for i, it in enumerate(p["products"]):
                price = it["price"]
                items.append(
                    (
                        p["posting_number"],
                        i,
                        it["sku"],
                        it["offer_id"],
                        it["name"],
                        it["quantity"],
                        price["amount"],
                        price["currency"],
                    )
                )
        con.execute("BEGIN IMMEDIATE")
        con.executemany(
            f"INSERT OR REPLACE INTO postings ({POSTING_COLS}, synced_at) VALUES ({placeholders}, ?)",
            [(*r, now) for r in rows],
        )
        con.executemany(
            "INSERT INTO posting_items (posting_number, position, sku, offer_id, name, quantity, price,"
            " currency) VALUES (?,?,?,?,?,?,?,?)",
            items,
        )
        con.execute("COMMIT")
        total += len(rows)
        if not data.get("has_next"):
            break
        cursor = data["cursor"]
    con.close()
    return total


class RemoteClock:
    """The emulator's clock, read over its control API (it runs in another process, like Ozon)."""

    def __init__(self, url: str) -> None:
        self.url = url
        # --quiet-time: the emulator's clock stands still unless advanced, so read it once.
        self._now = schemas.parse_time(requests.get(url + "/__emulator/state", timeout=30).json()["now"])

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        reply = requests.post(self.url + "/__emulator/advance", json={"seconds": seconds}, timeout=10)
        self._now = schemas.parse_time(reply.json()["now"])


def main() -> bool:
    # The emulator runs in its own process, as Ozon runs on its own machines: its CPU time is not ours.
    proc, url = start_emulator("--postings", str(N), "--seed", "11", "--quiet-time")
    emu = RemoteClock(url)
    ok = True
    try:
        now = emu.now()
        since = schemas.format_time(now - timedelta(days=HISTORY_DAYS))
        to = schemas.format_time(now + timedelta(days=1))
        base_times, sync_times, quiet_times = [], [], []
        overlap_reads = 0
        for round_ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                base_n = baseline(url, Path(tmp), since, to)
                base_times.append(time.perf_counter() - t0)
            with tempfile.TemporaryDirectory() as tmp:
                ctx = open_context(tmp)
                client = OzonClient(url, Credentials(CID, KEY))
                engine = SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels)
                t0 = time.perf_counter()
                pull_postings(engine.ctx, result := _result())
                sync_times.append(time.perf_counter() - t0)
                with ctx.db.read() as s:
                    cached = posting_repo.count(s)
                engine.run_cycle()  # products, chats, returns, reviews: the rest of a first sync
                emu.advance(300)  # past the overlap that re-reads the last two minutes
                engine.run_cycle()
                for _ in range(5):
                    # Cycles run an interval apart (a minute by default): let Ozon's one-second rate
                    # window roll over, or this would time the limiter instead of the cycle.
                    time.sleep(ratelimit.WINDOW_S)
                    t0 = time.perf_counter()
                    quiet = engine.run_cycle()
                    quiet_times.append(time.perf_counter() - t0)
                    # Nothing new; what changed within the overlap (two minutes) is read again by design.
                    assert quiet.ok and not quiet.new and not quiet.cancelled, quiet.summary()
                    overlap_reads = max(overlap_reads, quiet.postings)
                client.close()
                ctx.close()
            print(
                f"round {round_ + 1}: baseline {base_n} postings in {base_times[-1]:.2f} s, "
                f"sync {result.postings} (cached {cached}) in {sync_times[-1]:.2f} s"
            )
        assert cached == base_n, (cached, base_n)
        base_rate = base_n / min(base_times)
        sync_rate = cached / min(sync_times)
        ratio = min(sync_times) / min(base_times)
        quiet_ms = statistics.median(quiet_times) * 1000
        print(f"baseline: {base_rate:,.0f} postings/s")
        print(f"sync:     {sync_rate:,.0f} postings/s   (target >= 3,000)")
        print(f"ratio sync/baseline time: {ratio:.2f}   (target <= 1.5)")
        print(
            f"quiet incremental cycle over {cached} cached postings: median {quiet_ms:.0f} ms, "
            f"max {max(quiet_times) * 1000:.0f} ms, re-reading {overlap_reads} postings of the overlap"
            f"   (target < 150 ms)"
        )
        ok = sync_rate >= 3000 and ratio <= 1.5 and quiet_ms < 150
        print("PASS" if ok else "FAIL")
    finally:
        proc.terminate()
        proc.wait(10)
    return ok


def _result():  # type: ignore[no-untyped-def]
    from sync.cycle import CycleResult

    return CycleResult()
