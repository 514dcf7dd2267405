"""Fixtures: a seeded emulator on a frozen clock, reached through a real requests.Session (adapter) or
over a loopback HTTP server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pypdfium2
import pytest
import requests
import zxingcpp

from sync.emulator import Emulator, EmulatorAdapter, EmulatorServer

START = datetime(2026, 5, 14, 8, 0, tzinfo=UTC)
BASE = "http://emulator.invalid"
CLIENT_ID, API_KEY = "123456", "test-key"


class Api:
    """A thin caller: the session does the HTTP, this only asserts on status codes."""

    def __init__(self, session: requests.Session, base: str) -> None:
        self.session = session
        self.base = base

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.base + path, json={} if body is None else body, **kw)

    def ok(self, path: str, body: Any = None, **kw: Any) -> Any:
        r = self.post(path, body, **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def error(self, path: str, body: Any, status: int) -> dict[str, Any]:
        r = self.post(path, body)
        assert r.status_code == status, r.text
        data = r.json()
        assert set(data) == {"code", "message", "details"} and data["details"] == []
        return data


def make_emulator(**kw: Any) -> Emulator:
    options: dict[str, Any] = {"seed": 7, "postings": 300, "client_id": CLIENT_ID, "api_key": API_KEY, "start": START}
    options.update(kw)
    return Emulator(**options)


def session_for(emu: Emulator) -> requests.Session:
    session = requests.Session()
    session.mount(BASE + "/", EmulatorAdapter(emu))
    session.headers.update({"Client-Id": CLIENT_ID, "Api-Key": API_KEY})
    return session


@pytest.fixture
def emu() -> Emulator:
    return make_emulator()


@pytest.fixture
def api(emu: Emulator) -> Iterator[Api]:
    session = session_for(emu)
    yield Api(session, BASE)
    session.close()


@pytest.fixture
def server(emu: Emulator) -> Iterator[EmulatorServer]:
    srv = EmulatorServer(emu).start()
    yield srv
    srv.stop()


@pytest.fixture
def http_api(server: EmulatorServer) -> Iterator[Api]:
    session = requests.Session()
    session.headers.update({"Client-Id": CLIENT_ID, "Api-Key": API_KEY})
    yield Api(session, server.url)
    session.close()


def ship_body(emu: Emulator, number: str) -> dict[str, Any]:
    """Everything in one package, as the packer would send it."""
    products = [{"product_id": p["sku"], "quantity": p["quantity"]} for p in emu.posting(number)["products"]]
    return {"posting_number": number, "packages": [{"products": products}]}


def unfulfilled_body(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cursor": "",
        "limit": 100,
        "sort_dir": "ASC",
        "filter": {"cutoff_from": "2026-05-01T00:00:00Z", "cutoff_to": "2026-06-01T00:00:00Z"},
    }
    body.update(kw)
    return body


def catalog_skus(api: Api) -> list[int]:
    """The shop's SKUs, read through the product API."""
    ids = [item["product_id"] for item in api.ok("/v3/product/list", {"limit": 1000})["result"]["items"]]
    items = api.ok("/v3/product/info/list", {"product_id": ids})["items"]
    return sorted(item["sku"] for item in items)


def decode_pdf(pdf: bytes) -> list[list[str]]:
    """Rasterize every page at 203 dpi, threshold like a thermal head, and decode the barcodes (sorted)."""
    doc = pypdfium2.PdfDocument(io.BytesIO(pdf))
    pages = []
    for page in doc:
        image = page.render(scale=203 / 72).to_pil().convert("L").point(lambda v: 255 if v > 127 else 0)
        pages.append(sorted(r.text for r in zxingcpp.read_barcodes(image)))
    return pages


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    doc = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return [(round(page.get_size()[0] / 72 * 25.4), round(page.get_size()[1] / 72 * 25.4)) for page in doc]
