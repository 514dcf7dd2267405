"""The /__emulator/ control API: no auth, same through the adapter and over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sync.emulator import Emulator

from .conftest import BASE, Api, ship_body


def control(session: requests.Session, base: str, method: str, name: str, body: Any = None) -> Any:
    r = session.request(method, f"{base}/__emulator/{name}", json=body, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def exercise(session: requests.Session, base: str, emu: Emulator) -> None:
    numbers = control(session, base, "POST", "postings", {"count": 2, "status": "awaiting_packaging"})[
        "posting_numbers"
    ]
    assert len(numbers) == 2 and emu.posting(numbers[0])["status"] == "awaiting_packaging"
    (rfbs,) = control(session, base, "POST", "postings", {"count": 1, "status": "delivered", "rfbs": True})[
        "posting_numbers"
    ]
    assert emu.posting(rfbs)["rfbs"]
    assert control(session, base, "POST", "cancel", {"posting_number": numbers[0]}) == {"result": True}
    assert emu.posting(numbers[0])["status"] == "cancelled"
    message_id = control(session, base, "POST", "message", {"posting_number": numbers[1], "text": "Где заказ?"})[
        "message_id"
    ]
    assert message_id.isdigit()
    return_id = control(session, base, "POST", "return", {"posting_number": rfbs, "kind": "rfbs"})["id"]
    assert isinstance(return_id, int)
    sku = emu.skus_requiring("mandatory_mark")[0]
    code = control(session, base, "POST", "mark", {"sku": sku})["mark"]
    assert code.startswith("010") and code.count("\x1d") == 2 and code != emu.mark_code(sku)
    before = emu.now()
    now = control(session, base, "POST", "advance", {"seconds": 90})["now"]
    assert (emu.now() - before).total_seconds() == 90 and now.endswith("Z")
    faults = control(session, base, "POST", "faults", {"kind": "rate_limit", "path": "/v1/roles", "retry_after": 1})
    assert faults["faults"][0]["kind"] == "rate_limit"
    assert control(session, base, "DELETE", "faults") == {"cleared": 1}
    state = control(session, base, "GET", "state")
    assert state["statuses"]["cancelled"] >= 1 and state["postings"] >= 303 and state["rfbs_returns"] >= 1
    assert control(session, base, "GET", "log") == []  # control actions are not Ozon calls
    bad = session.post(f"{base}/__emulator/postings", json={"status": "teleported"}, timeout=5)
    assert bad.status_code == 400 and "teleported" in bad.json()["message"]
    assert session.post(f"{base}/__emulator/cancel", json={}, timeout=5).status_code == 400
    assert session.post(f"{base}/__emulator/nothing", json={}, timeout=5).status_code == 404


def test_control_api_through_the_adapter(api: Api, emu: Emulator) -> None:
    session = requests.Session()
    session.mount(BASE + "/", api.session.get_adapter(BASE + "/"))
    exercise(session, BASE, emu)


@pytest.mark.http
def test_control_api_over_http(http_api: Api, emu: Emulator) -> None:
    exercise(requests.Session(), http_api.base, emu)


@pytest.mark.http
def test_http_server_serves_the_api_and_the_log(http_api: Api, emu: Emulator) -> None:
    (number,) = emu.create_postings(1)
    http_api.ok("/v4/posting/fbs/ship", ship_body(emu, number), timeout=5)
    bad = dict(ship_body(emu, number))
    assert http_api.error("/v4/posting/fbs/ship", bad, 400)["message"] == "POSTING_ALREADY_SHIPPED"
    log = http_api.session.get(http_api.base + "/__emulator/log", timeout=5).json()
    assert [(e["method"], e["posting_number"]) for e in log] == [("/v4/posting/fbs/ship", number)]
    assert log[0]["request"] == ship_body(emu, number)
    wrong = requests.post(http_api.base + "/v1/roles", json={}, headers={"Client-Id": "1", "Api-Key": "x"}, timeout=5)
    assert wrong.status_code == 403 and wrong.json()["code"] == 7
