"""Only Ozon's live methods are ever called (docs/ozon-contract.md, Retired methods), and the shop stays
under its rate limit."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import requests

from app.secrets import Credentials
from sync import methods, ratelimit
from sync.client import OzonClient
from sync.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parents[2]
_PATH = re.compile(r"""["'](/v\d+/[a-z0-9/_-]+)["']""")


def _literals() -> dict[str, list[str]]:
    """Every Ozon method path written in the app's code, outside the emulator."""
    found: dict[str, list[str]] = {}
    files = [ROOT / "main.py"]
    for folder in ("app", "sync", "ui", "printing"):
        files += [f for f in (ROOT / folder).rglob("*.py") if "emulator" not in f.parts]
    for file in files:
        if file.name == "methods.py":
            continue
        for path in _PATH.findall(file.read_text(encoding="utf-8")):
            found.setdefault(path, []).append(str(file.relative_to(ROOT)))
    return found


def test_no_retired_method_is_listed_or_written_anywhere() -> None:
    assert not methods.CALLED & set(methods.RETIRED)
    written = _literals()
    assert not set(written) & set(methods.RETIRED), {p: written[p] for p in set(written) & set(methods.RETIRED)}
    assert set(written) <= methods.CALLED, {p: written[p] for p in set(written) - methods.CALLED}


def test_the_client_refuses_a_method_that_is_not_listed() -> None:
    calls: list[str] = []

    class Recording(requests.adapters.BaseAdapter):
        def send(self, request, **kw):  # type: ignore[no-untyped-def]
            calls.append(request.url)
            raise AssertionError("nothing may be sent")

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("https://", Recording())
    client = OzonClient("https://api-seller.example", Credentials("1", "k"), session=session)
    for path in ("/v2/posting/fbs/package-label", "/v1/posting/fbs/approve", "/v3/posting/fbs/lst"):
        with pytest.raises(ValueError, match="not an Ozon method"):
            client.call(path, {})
    assert calls == []


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_at_most_the_limit_starts_within_any_second() -> None:
    t = FakeTime()
    limiter = RateLimiter(per_second=45, clock=t.clock, sleep=t.sleep)
    starts = []
    for _ in range(200):
        limiter.acquire()
        starts.append(t.now)
        t.now += 0.001  # each request takes a millisecond here
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s < start + 1.0]
        assert len(in_window) <= 45
    assert starts[-1] - starts[0] >= 3.0  # 200 requests at 45/s need more than 3 s


def test_little_left_in_ozons_window_makes_the_next_request_wait() -> None:
    t = FakeTime()
    limiter = RateLimiter(per_second=45, clock=t.clock, sleep=t.sleep)
    assert limiter.acquire() == 0.0
    limiter.note_remaining("2")
    assert limiter.acquire() == pytest.approx(1.0)
    limiter.note_remaining("40")
    limiter.note_remaining("garbage")
    limiter.note_remaining(None)
    assert limiter.acquire() == 0.0


def test_one_account_one_limiter_across_clients_and_threads() -> None:
    a = OzonClient("https://x", Credentials("777", "k"))
    b = OzonClient("https://x", Credentials("777", "k2")).fork()
    assert a.limiter is b.limiter is ratelimit.for_account("777")
    assert ratelimit.for_account("778") is not a.limiter
    t = FakeTime()
    shared = RateLimiter(per_second=10, clock=t.clock, sleep=t.sleep)
    lock = threading.Lock()
    done: list[float] = []

    def worker() -> None:
        for _ in range(5):
            with lock:  # the fake clock is not thread-safe; the limiter's own lock is what is tested
                shared.acquire()
                done.append(t.now)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(done) == 20 and max(done) - min(done) >= 1.0
