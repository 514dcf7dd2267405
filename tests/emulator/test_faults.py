"""Injected faults, through the adapter and over real sockets."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests

from sync.emulator import Emulator, EmulatorServer, Fault
from sync.emulator.ratelimit import RateLimiter

from .conftest import BASE, Api, make_emulator, session_for, ship_body

SHIP = "/v4/posting/fbs/ship"
LIST = "/v4/posting/fbs/list"
LIST_BODY = {"limit": 5, "filter": {"since": "2026-03-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}}


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault("meteor")
    with pytest.raises(ValueError):
        Fault("reset", times=0)
    with pytest.raises(ValueError):
        Fault("rate_limit", retry_after=1.5)  # type: ignore[arg-type]


def test_reset_is_not_applied(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("reset", path=SHIP))
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post(SHIP, ship_body(emu, number))
    assert emu.posting(number)["status"] == "awaiting_packaging" and emu.log == []
    api.ok(SHIP, ship_body(emu, number))  # times=1: used up


def test_timeout_raises_at_once_and_is_not_applied(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("timeout", path=SHIP))  # holds 30 s over HTTP; the adapter does not sleep
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post(SHIP, ship_body(emu, number), timeout=10)
    assert time.monotonic() - started < 1
    assert emu.posting(number)["status"] == "awaiting_packaging" and emu.log == []


def test_lost_reply_is_applied_and_logged(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("lost_reply", path=SHIP))
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post(SHIP, ship_body(emu, number))
    assert emu.posting(number)["status"] == "awaiting_deliver"
    assert [e["posting_number"] for e in emu.log] == [number]
    # A retry after the ambiguous failure is refused as already shipped, and not logged again.
    assert api.error(SHIP, ship_body(emu, number), 400)["message"] == "POSTING_ALREADY_SHIPPED"
    assert len(emu.log) == 1


@pytest.mark.parametrize(
    ("kind", "status", "code"), [("http_500", 500, 13), ("http_502", 502, 14), ("http_503", 503, 14)]
)
def test_server_errors(api: Api, emu: Emulator, kind: str, status: int, code: int) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault(kind, path=SHIP, retry_after=7 if kind == "http_503" else None))
    r = api.post(SHIP, ship_body(emu, number))
    assert r.status_code == status and r.json()["code"] == code
    assert r.headers.get("Retry-After") == ("7" if kind == "http_503" else None)
    assert emu.posting(number)["status"] == "awaiting_packaging" and emu.log == []


def test_rate_limit_with_and_without_retry_after(api: Api, emu: Emulator) -> None:
    date = "Thu, 14 May 2026 08:00:30 GMT"
    for retry_after, header in ((None, None), (3, "3"), (date, date)):
        emu.add_fault(Fault("rate_limit", path=LIST, retry_after=retry_after))
        r = api.post(LIST, LIST_BODY)
        assert r.status_code == 429 and r.headers.get("Retry-After") == header
        assert r.headers["Ratelimit-Remaining"] == "0"
        assert r.json() == {"code": 8, "message": "You have reached request rate limit per second", "details": []}
    assert api.ok(LIST, LIST_BODY)["postings"]


def test_legacy_error_and_method_not_allowed_are_not_applied(api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("legacy_error", path=SHIP))
    r = api.post(SHIP, ship_body(emu, number))
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "BAD_REQUEST", "message": "Invalid request payload", "data": []}}
    emu.add_fault(Fault("method_not_allowed", path=SHIP))
    r = api.post(SHIP, ship_body(emu, number))
    assert r.status_code == 405 and r.json() == {"code": 12, "message": "method is not allowed", "details": []}
    assert emu.posting(number)["status"] == "awaiting_packaging" and emu.log == []


def test_the_request_budget_per_second() -> None:
    emu = make_emulator(postings=5, rate_limit=5)
    api = Api(session_for(emu), BASE)
    (number,) = emu.create_postings(1, status="awaiting_deliver")
    task = api.ok("/v3/posting/fbs/package-label/create", {"posting_numbers": [number]})["tasks"][0]
    emu.advance(5)
    url = api.ok("/v2/posting/fbs/package-label/get", {"task_id": task["task_id"]})["file_url"]
    for _ in range(3):
        api.ok("/v1/roles")
    r = api.post(LIST, LIST_BODY)
    assert r.status_code == 429 and r.json() == {
        "code": 8,
        "message": "You have reached request rate limit per second",
        "details": [],
    }
    assert r.headers["Retry-After"] == "1" and r.headers["Ratelimit-Remaining"] == "0"
    assert api.session.get(BASE + "/__emulator/state").status_code == 200  # the control API is not counted
    assert api.session.get(url).status_code == 200  # nor the CDN
    time.sleep(1.05)
    assert api.ok(LIST, LIST_BODY)["postings"]


def test_the_budget_is_a_sliding_second_and_refusals_cost_nothing() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    results = []
    for t in (0.0, 0.5, 0.9, 0.95, 0.99, 1.0, 1.2, 1.5):
        now[0] = t
        results.append(limiter.allow())
    assert results == [True, True, True, False, False, True, False, True]
    assert all(RateLimiter(None).allow() for _ in range(1000))
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_malformed_json_and_missing_field(api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("malformed_json", path=LIST))
    r = api.post(LIST, LIST_BODY)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    emu.add_fault(Fault("missing_field", path="/v4/posting/fbs/*"))
    postings = api.ok(LIST, LIST_BODY)["postings"]
    assert "posting_number" not in postings[0] and "posting_number" in postings[1]
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("missing_field", path="/v3/posting/fbs/get"))
    result = api.ok("/v3/posting/fbs/get", {"posting_number": number})["result"]
    assert "posting_number" not in result and result["order_number"]
    emu.add_fault(Fault("missing_field", path="/v3/chat/list"))
    chat = api.ok("/v3/chat/list", {"limit": 3})["chats"][0]
    assert "chat_id" not in chat["chat"]
    # A write under malformed_json is still applied.
    emu.add_fault(Fault("malformed_json", path=SHIP))
    assert api.post(SHIP, ship_body(emu, number)).status_code == 200
    assert emu.posting(number)["status"] == "awaiting_deliver"


def test_latency_delays_and_may_outlast_the_client(api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("latency", path=LIST, delay=0.2))
    started = time.monotonic()
    assert api.ok(LIST, LIST_BODY)["postings"]
    assert time.monotonic() - started >= 0.2
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("latency", path=SHIP, delay=5))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post(SHIP, ship_body(emu, number), timeout=(1, 0.1))
    assert time.monotonic() - started < 1
    assert emu.posting(number)["status"] == "awaiting_deliver"  # the server finished after the client gave up


def test_paths_globs_times_and_clearing(api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("http_500", path="/v4/posting/fbs/*", times=2))
    assert api.post(LIST, LIST_BODY).status_code == 500
    assert api.ok("/v1/roles")["roles"]  # other paths are not hit
    assert api.post(LIST, LIST_BODY).status_code == 500
    assert api.ok(LIST, LIST_BODY)
    emu.add_fault(Fault("http_503", path=LIST, times=None))
    for _ in range(3):
        assert api.post(LIST, LIST_BODY).status_code == 503
    assert emu.faults[0]["remaining"] is None
    assert emu.clear_faults() == 1
    assert api.ok(LIST, LIST_BODY)


def test_a_rate_hits_that_share_of_requests_and_spares_the_rest_for_the_next_fault(api: Api, emu: Emulator) -> None:
    with pytest.raises(ValueError):
        Fault("http_500", rate=0)
    with pytest.raises(ValueError):
        Fault("http_500", rate=1.5)
    emu.add_fault(Fault("http_500", path="/v1/roles", times=None, rate=0.25))
    emu.add_fault(Fault("http_502", path="/v1/roles", times=None, rate=0.5))
    statuses = Counter(api.post("/v1/roles").status_code for _ in range(800))
    assert 150 <= statuses[500] <= 250  # a quarter of all
    assert 250 <= statuses[502] <= 350  # half of the three quarters left
    assert statuses[200] == 800 - statuses[500] - statuses[502]


def test_a_rate_draws_the_same_requests_for_the_same_seed() -> None:
    def draws() -> list[int]:
        emu = make_emulator(seed=5, postings=5)
        emu.add_fault(Fault("reset", path="/v1/roles", times=None, rate=0.4))
        api = Api(session_for(emu), BASE)
        out = []
        for _ in range(40):
            try:
                out.append(api.post("/v1/roles").status_code)
            except requests.exceptions.ConnectionError:
                out.append(0)
        return out

    first = draws()
    assert first == draws() and 0 in first and 200 in first


def test_faults_never_hit_the_control_api(api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("reset", times=None))
    r = api.session.get(api.base + "/__emulator/state")
    assert r.status_code == 200 and r.json()["faults"][0]["kind"] == "reset"
    assert api.session.delete(api.base + "/__emulator/faults").json() == {"cleared": 1}
    assert api.ok("/v1/roles")


# -- over real sockets ------------------------------------------------------------------------------------


@pytest.mark.http
def test_http_reset_is_a_real_connection_reset(http_api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("reset", path=SHIP))
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        http_api.post(SHIP, ship_body(emu, number), timeout=5)
    assert "reset" in str(caught.value).lower()
    assert emu.posting(number)["status"] == "awaiting_packaging"
    http_api.ok(SHIP, ship_body(emu, number), timeout=5)  # a new connection works


@pytest.mark.http
def test_http_lost_reply_applies_then_resets(http_api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    emu.add_fault(Fault("lost_reply", path=SHIP))
    with pytest.raises(requests.exceptions.ConnectionError):
        http_api.post(SHIP, ship_body(emu, number), timeout=5)
    assert emu.posting(number)["status"] == "awaiting_deliver" and len(emu.log) == 1
    log = http_api.session.get(http_api.base + "/__emulator/log").json()
    assert log == [dict(emu.log[0])]


@pytest.mark.http
def test_http_timeout_holds_the_connection_until_the_client_gives_up(http_api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("timeout", path=LIST, delay=3))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        http_api.post(LIST, LIST_BODY, timeout=(2, 0.3))
    assert 0.3 <= time.monotonic() - started < 2
    assert http_api.ok(LIST, LIST_BODY, timeout=5)["postings"]


@pytest.mark.http
def test_http_rate_limit_and_server_error_headers(http_api: Api, emu: Emulator) -> None:
    emu.add_fault(Fault("rate_limit", path=LIST, retry_after=2))
    r = http_api.post(LIST, LIST_BODY, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "2" and r.json()["code"] == 8
    assert r.headers["Ratelimit-Remaining"] == "0"
    emu.add_fault(Fault("malformed_json", path=LIST))
    r = http_api.post(LIST, LIST_BODY, timeout=5)
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(r.content)
    with pytest.raises(ValueError):
        r.json()


@pytest.mark.http
def test_stop_wakes_held_connections(emu: Emulator) -> None:
    server = EmulatorServer(emu).start()
    emu.add_fault(Fault("timeout", path=LIST))  # default hold: 30 s
    errors: list[BaseException] = []

    def call() -> None:
        try:
            requests.post(
                server.url + LIST,
                json=LIST_BODY,
                timeout=20,
                headers={"Client-Id": emu.client_id, "Api-Key": emu.api_key},
            )
        except requests.RequestException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    caller.join(timeout=5)
    assert not caller.is_alive() and time.monotonic() - started < 3
    assert errors and isinstance(errors[0], requests.exceptions.ConnectionError)
