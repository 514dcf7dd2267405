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
from datetime import timedelta
from pathlib import Path

import requests

from app.context import open_context
from app.repos import postings as posting_repo
from app.secrets import Credentials
from sync import schemas
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorServer
from sync.engine import HISTORY_DAYS, SyncEngine

N = 20_000
CID, KEY = "123456", "bench-key"

POSTING_COLS = (
    "posting_number, order_number, order_id, status, substatus, shipment_date, in_process_at, delivering_date, "
    "delivery_method_id, delivery_method_name, warehouse_id, warehouse_name, tpl_provider, tpl_integration_type, "
    "tracking_number, is_express, customer_name, city, address, pvz_code, upper_barcode, lower_barcode, "
    "cancel_reason, available_actions"
)


def baseline(url: str, db_path: Path, since: str, to: str) -> int:
    """What a minimal hand-written sync would do: same pages, same columns, one commit per page."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(f"CREATE TABLE postings ({POSTING_COLS}, PRIMARY KEY (posting_number))")
    con.execute("CREATE TABLE items (posting_number, position, sku, offer_id, name, quantity, price, currency)")
    session = requests.Session()
    headers = {"Client-Id": CID, "Api-Key": KEY, "Content-Type": "application/json"}
    cursor, total = "", 0
    placeholders = ",".join("?" * 24)
    while True:
        body = {"cursor": cursor, "limit": 100, "sort_dir": "ASC", "filter": {"since": since, "to": to},
                "with": {"barcodes": True}}
        data = session.post(url + "/v4/posting/fbs/list", data=json.dumps(body), headers=headers, timeout=30).json()
        rows, items = [], []
        for p in data["postings"]:
            dm = p.get("delivery_method") or {}
            cust = p.get("customer") or {}
            addr = cust.get("address") or {}
            bc = p.get("barcodes") or {}
            rows.append((
                p["posting_number"], p["order_number"], p["order_id"], p["status"], p["substatus"],
                p["shipment_date"], p["in_process_at"], p.get("delivering_date"), dm.get("id"), dm.get("name"),
                dm.get("warehouse_id"), dm.get("warehouse"), dm.get("tpl_provider"), p.get("tpl_integration_type"),
                p.get("tracking_number"), p.get("is_express"), cust.get("name"), addr.get("city"),
                addr.get("address_tail"), addr.get("pvz_code"), bc.get("upper_barcode"), bc.get("lower_barcode"),
                (p.get("cancellation") or {}).get("cancel_reason"), json.dumps(p.get("available_actions")),
            ))
            for i, it in enumerate(p["products"]):
                price = it["price"]
                items.append((p["posting_number"], i, it["sku"], it["offer_id"], it["name"], it["quantity"],
                              price["amount"], price["currency"]))
        con.execute("BEGIN IMMEDIATE")
        con.executemany(f"INSERT OR REPLACE INTO postings VALUES ({placeholders})", rows)
        con.executemany("INSERT INTO items VALUES (?,?,?,?,?,?,?,?)", items)
        con.execute("COMMIT")
        total += len(rows)
        if not data.get("has_next"):
            break
        cursor = data["cursor"]
    con.close()
    return total


def main() -> bool:
    build_t = time.perf_counter()
    emu = Emulator(seed=11, postings=N, client_id=CID, api_key=KEY, speed=0.0, live=False, premium=True)
    print(f"emulator with {N} postings built in {time.perf_counter() - build_t:.2f} s")
    server = EmulatorServer(emu, host="127.0.0.1", port=0)
    server.start()
    ok = True
    try:
        now = emu.now()
        since = schemas.format_time(now - timedelta(days=HISTORY_DAYS))
        to = schemas.format_time(now + timedelta(days=1))
        base_times, sync_times, quiet_times = [], [], []
        for round_ in range(2):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                base_n = baseline(server.url, Path(tmp) / "baseline.sqlite3", since, to)
                base_times.append(time.perf_counter() - t0)
            with tempfile.TemporaryDirectory() as tmp:
                ctx = open_context(tmp)
                client = OzonClient(server.url, Credentials(CID, KEY))
                engine = SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels)
                t0 = time.perf_counter()
                engine._pull_postings(result := _result())
                sync_times.append(time.perf_counter() - t0)
                with ctx.db.read() as s:
                    cached = posting_repo.count(s)
                engine.run_cycle()  # products, chats, returns, reviews: the rest of a first sync
                for _ in range(5):
                    t0 = time.perf_counter()
                    quiet = engine.run_cycle()
                    quiet_times.append(time.perf_counter() - t0)
                    assert quiet.ok and quiet.postings == 0, quiet.summary()
                client.close()
                ctx.close()
            print(f"round {round_ + 1}: baseline {base_n} postings in {base_times[-1]:.2f} s, "
                  f"sync {result.postings} (cached {cached}) in {sync_times[-1]:.2f} s")
        assert cached == base_n, (cached, base_n)
        base_rate = base_n / min(base_times)
        sync_rate = cached / min(sync_times)
        ratio = min(sync_times) / min(base_times)
        quiet_ms = statistics.median(quiet_times) * 1000
        print(f"baseline: {base_rate:,.0f} postings/s")
        print(f"sync:     {sync_rate:,.0f} postings/s   (target >= 3,000)")
        print(f"ratio sync/baseline time: {ratio:.2f}   (target <= 1.5)")
        print(f"quiet incremental cycle over {cached} cached postings: median {quiet_ms:.0f} ms, "
              f"max {max(quiet_times) * 1000:.0f} ms   (target < 150 ms)")
        ok = sync_rate >= 3000 and ratio <= 1.5 and quiet_ms < 150
        print("PASS" if ok else "FAIL")
    finally:
        server.stop()
    return ok


def _result():  # type: ignore[no-untyped-def]
    from sync.engine import CycleResult

    return CycleResult()
