"""Methods Ozon switched off answer exactly like methods that never existed (docs/ozon-contract.md, Retired methods)."""

from __future__ import annotations

import pytest

from sync.emulator.handlers import ROUTES
from sync.methods import CALLED, RETIRED

from .conftest import Api

NOT_FOUND = {"code": 5, "message": "method not found", "details": []}


@pytest.mark.parametrize("path", sorted(RETIRED))
def test_a_retired_method_is_not_found(api: Api, path: str) -> None:
    assert api.error(path, {"posting_number": ["1-1-1"], "return_id": 1}, 404) == NOT_FOUND


def test_a_retired_method_still_needs_a_valid_key(api: Api) -> None:
    r = api.session.post(api.base + "/v2/posting/fbs/package-label", json={}, headers={"Api-Key": "wrong"})
    assert r.status_code == 403 and r.json()["code"] == 7


def test_no_route_serves_a_retired_path() -> None:
    assert not set(ROUTES) & set(RETIRED)


def test_every_method_packdesk_calls_has_a_route() -> None:
    assert sorted(CALLED - set(ROUTES)) == []
