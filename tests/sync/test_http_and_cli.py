"""End to end over real loopback HTTP: the emulator server, the client's socket-level failures and the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import main
from app.context import open_context
from app.db.engine import sqlite_url
from app.secrets import Credentials
from sync import http
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorServer, Fault
from sync.errors import AuthError, NetworkError, ProtocolError, RateLimitedError, ServerError

ROOT = Path(__file__).resolve().parents[2]
CID, KEY = "123456", "cli-key"


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=9, postings=40, client_id=CID, api_key=KEY, speed=0.0, live=False)
    server = EmulatorServer(emu, host="127.0.0.1", port=0)
    server.start()
    yield emu, server.url
    server.stop()


def test_reset_is_a_network_error_and_may_have_been_applied(served: tuple[Emulator, str]) -> None:
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 2))
    client.read_retry_pause_s = 0.0
    emu.add_fault(Fault("reset", path="/v1/roles", times=http.READ_ATTEMPTS))  # every attempt of a read
    with pytest.raises(NetworkError) as err:
        client.key_expires_at()
    assert err.value.ambiguous and client.link_down
    assert client.key_expires_at() is not None  # the fault was used up
    assert not client.link_down  # one answer: the link is back


@pytest.mark.parametrize("kind", ["reset", "lost_reply", "malformed_json", "http_500", "http_502"])
def test_a_read_whose_answer_is_lost_is_sent_again_within_the_call(served: tuple[Emulator, str], kind: str) -> None:
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 2))
    client.read_retry_pause_s = 0.0
    emu.add_fault(Fault(kind, path="/v1/roles", times=http.READ_ATTEMPTS - 1))
    assert client.key_expires_at() is not None
    assert emu.faults == []  # each attempt met the fault once; the last one got through


def test_a_client_someone_waits_on_tries_a_read_once(served: tuple[Emulator, str]) -> None:
    # The pack station's re-check has its own deadline: three tries would hold its worker past it.
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 2)).fork()
    client.read_attempts = 1
    emu.add_fault(Fault("reset", path="/v1/roles", times=2))
    with pytest.raises(NetworkError):
        client.key_expires_at()
    assert emu.faults[0]["remaining"] == 1  # sent once


@pytest.mark.parametrize(
    "fault",
    [Fault("rate_limit", path="/v1/roles"), Fault("http_503", path="/v1/roles", retry_after=5)],
    ids=["429", "503-retry-after"],
)
def test_a_read_ozon_asks_to_wait_for_is_not_sent_again(served: tuple[Emulator, str], fault: Fault) -> None:
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 2))
    emu.add_fault(dataclasses.replace(fault, times=5))
    with pytest.raises((RateLimitedError, ServerError)):
        client.key_expires_at()
    assert emu.faults[0]["remaining"] == 4  # asked once


def test_a_write_is_never_sent_again_by_the_client(served: tuple[Emulator, str]) -> None:
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 2))
    client.read_retry_pause_s = 0.0
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("http_500", path="/v2/posting/fbs/cancel", times=5))
    with pytest.raises(ServerError):
        client.cancel(number, 352, "")
    assert emu.faults[0]["remaining"] == 4  # sent once: the engine decides about a write


def test_a_500_with_a_page_instead_of_json_is_ozons_trouble_not_an_unreadable_answer() -> None:
    err = http.error_for(500, None, "/v3/posting/fbs/get")
    assert isinstance(err, ServerError) and err.transient and not isinstance(err, ProtocolError)


def test_a_hanging_server_hits_the_client_read_timeout(served: tuple[Emulator, str]) -> None:
    emu, url = served
    client = OzonClient(url, Credentials(CID, KEY), timeout=(2, 0.5))
    client.read_retry_pause_s = 0.0
    emu.add_fault(Fault("timeout", path="/v1/roles", delay=5, times=None))
    with pytest.raises(NetworkError, match="no answer in time"):
        client.key_expires_at()


def test_refused_connection_is_not_ambiguous() -> None:
    client = OzonClient("http://127.0.0.1:9", Credentials(CID, KEY), timeout=(1, 1))
    with pytest.raises(NetworkError) as err:
        client.key_expires_at()
    assert not err.value.ambiguous


def test_bad_key_over_http_names_no_key(served: tuple[Emulator, str]) -> None:
    _, url = served
    client = OzonClient(url, Credentials(CID, "very-secret-wrong-key"))
    with pytest.raises(AuthError) as err:
        client.key_expires_at()
    assert "very-secret" not in str(err.value) and "very-secret" not in repr(err.value)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_sync_orders_ship_outbox_round_trip(
    served: tuple[Emulator, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = served
    monkeypatch.setenv("OZON_CLIENT_ID", CID)
    monkeypatch.setenv("OZON_API_KEY", KEY)
    data = str(tmp_path / "d")

    code, out, err = run_cli(capsys, "--data-dir", data, "--api-url", url, "sync", "--once")
    assert code == 0, err
    assert out.startswith("synced:") and out.count("\n") == 1 and KEY not in out

    code, out, _ = run_cli(capsys, "--data-dir", data, "orders", "--status", "awaiting_packaging", "--json")
    orders = json.loads(out)
    assert code == 0 and orders
    first = orders[0]
    assert {
        "posting_number",
        "order_number",
        "status",
        "substatus",
        "shipment_date",
        "delivery_method",
        "tracking_number",
        "products",
    } <= first.keys()
    assert first["shipment_date"].endswith("Z")
    product = first["products"][0]
    assert {"sku", "offer_id", "name", "quantity", "price", "currency"} <= product.keys()
    assert isinstance(product["price"], str) and "." in product["price"]
    ship_bys = [o["shipment_date"] for o in orders]
    assert ship_bys == sorted(ship_bys)
    target = next(o for o in orders if not o["rfbs"] and not o["requirements"] and not o["is_multibox"])
    marked = next(o for o in orders if "mandatory_mark" in o["requirements"] or "gtd" in o["requirements"])
    code, _, err = run_cli(capsys, "--data-dir", data, "ship", marked["posting_number"])
    assert code == 1 and err.count("\n") == 1 and "pack it at the pack station" in err  # codes come from scans

    # Queuing needs no network: the action waits in the outbox.
    code, out, err = run_cli(capsys, "--data-dir", data, "ship", target["posting_number"])
    assert code == 0, err
    key = out.strip()
    assert len(key) == 36

    code, out, err = run_cli(capsys, "--data-dir", data, "ship", target["posting_number"])
    assert code == 1 and "pending" in err and err.count("\n") == 1

    code, out, _ = run_cli(capsys, "--data-dir", data, "outbox", "--json")
    queued = {e["key"]: e for e in json.loads(out)}
    assert queued[key]["state"] == "pending" and queued[key]["action"] == "ship"
    assert queued[key]["posting_number"] == target["posting_number"] and queued[key]["attempts"] == 0

    code, out, err = run_cli(capsys, "--data-dir", data, "--api-url", url, "sync", "--once")
    assert code == 0, err
    log = requests.get(url + "/__emulator/log", timeout=5).json()
    ships = [e for e in log if e["method"] == "/v4/posting/fbs/ship"]
    assert [e["posting_number"] for e in ships] == [target["posting_number"]]
    code, out, _ = run_cli(capsys, "--data-dir", data, "outbox", "--json")
    assert {e["key"]: e for e in json.loads(out)}[key]["state"] == "done"


def test_cli_refuses_what_cannot_be_shipped(
    served: tuple[Emulator, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = served
    monkeypatch.setenv("OZON_CLIENT_ID", CID)
    monkeypatch.setenv("OZON_API_KEY", KEY)
    data = str(tmp_path / "d")
    run_cli(capsys, "--data-dir", data, "--api-url", url, "sync", "--once")
    code, out, _ = run_cli(capsys, "--data-dir", data, "orders", "--status", "delivered", "--json")
    delivered = json.loads(out)[0]["posting_number"]
    code, _, err = run_cli(capsys, "--data-dir", data, "ship", delivered)
    assert code == 1 and "delivered" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "--data-dir", data, "ship", "00000000-0000-1")
    assert code == 1 and "not in the local cache" in err
    code, _, err = run_cli(capsys, "--data-dir", data, "ship", delivered, "--package", "12:x")
    assert code == 1 and "SKU:QTY" in err


@pytest.mark.parametrize(
    ("setup", "exit_code", "words"),
    [
        ("bad-key", main.EXIT_AUTH, "refused the credentials"),
        ("down", main.EXIT_OFFLINE, "cannot reach"),
        ("malformed", main.EXIT_PROTOCOL, "cannot read"),
        ("server-error", main.EXIT_OFFLINE, "servers are having trouble"),  # a 500 on every call
    ],
)
def test_cli_sync_failures_are_one_line_with_an_exit_code(
    served: tuple[Emulator, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    exit_code: int,
    words: str,
) -> None:
    emu, url = served
    monkeypatch.setenv("OZON_CLIENT_ID", CID)
    monkeypatch.setenv("OZON_API_KEY", "nope-key" if setup == "bad-key" else KEY)
    if setup == "down":
        url = "http://127.0.0.1:9"
    if setup == "malformed":
        emu.add_fault(Fault("malformed_json", path="/v4/posting/fbs/list", times=None))  # every attempt
    if setup == "server-error":
        emu.add_fault(Fault("http_500", times=None))
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path / "d"), "--api-url", url, "sync", "--once")
    assert code == exit_code
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert "nope-key" not in err


def test_cli_sync_without_an_account_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "sync", "--once")
    assert code == main.EXIT_NO_ACCOUNT and "no Ozon account" in err


def test_cli_sync_demo_runs_on_the_embedded_emulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--data-dir", str(tmp_path), "--demo", "sync", "--once")
    assert code == 0, err
    assert out.startswith("synced:")
    ctx = open_context(str(tmp_path / "demo"), db_url=sqlite_url(str(tmp_path / "demo" / "packdesk.sqlite3")))
    try:
        from app.repos import postings

        with ctx.db.read() as s:
            assert postings.count(s) > 50
    finally:
        ctx.close()


def test_emulator_command_serves_and_prints_its_address() -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "main.py", "emulator", "--port", "0", "--postings", "20", "--seed", "4"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.removeprefix("listening on ")
        state = requests.get(url + "/__emulator/state", timeout=5)
        assert state.status_code == 200
        r = requests.post(url + "/v1/roles", json={}, headers={"Client-Id": "1", "Api-Key": "x"}, timeout=5)
        assert r.status_code == 403 and r.json()["code"] == 7
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_sync_refuses_a_folder_the_app_has_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import instance_lock

    monkeypatch.setenv("OZON_CLIENT_ID", CID)
    monkeypatch.setenv("OZON_API_KEY", KEY)

    data = tmp_path / "d"
    data.mkdir()
    held = instance_lock.acquire(data)
    assert held is not None
    try:
        code, _, err = run_cli(capsys, "--data-dir", str(data), "--api-url", "http://127.0.0.1:9", "sync", "--once")
    finally:
        held.unlock()
    assert code == main.EXIT_BUSY and "open" in err and err.count("\n") == 1


def test_reading_the_outbox_does_not_touch_a_live_sync_s_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import outbox
    from app.outbox import ActionKind, OutboxState, TargetKind

    ctx = open_context(str(tmp_path))
    try:
        with ctx.db.write() as s:
            entry = outbox.enqueue(s, ActionKind.SHIP, TargetKind.POSTING, "1-1-1", {}, ctx.clock.now())
            outbox.mark_in_flight(s, entry.key, ctx.clock.now())  # the app's sync is sending it right now
        code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "outbox", "--json")
        assert code == 0 and json.loads(out)[0]["state"] == "in_flight"
        with ctx.db.read() as s:
            assert outbox.get(s, entry.key).state is OutboxState.IN_FLIGHT  # type: ignore[union-attr]
    finally:
        ctx.close()
