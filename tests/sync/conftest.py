"""Fixtures: a seeded emulator with a frozen clock, a client mounted on it, an engine over a fresh store."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TypeVar

import pytest
import requests

from app.context import AppContext
from app.events import Event
from app.secrets import Credentials
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorAdapter
from sync.engine import SyncEngine

E = TypeVar("E", bound=Event)

BASE = "http://emulator.invalid"
CLIENT_ID, API_KEY = "123456", "test-key"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=3, postings=60, client_id=CLIENT_ID, api_key=API_KEY, speed=0.0, live=False)


def adapter_client(emulator: Emulator, api_key: str = API_KEY) -> OzonClient:
    session = requests.Session()
    session.mount(BASE + "/", EmulatorAdapter(emulator))
    client = OzonClient(BASE, Credentials(CLIENT_ID, api_key), session=session)
    client.read_retry_pause_s = 0.0  # the emulator answers at once: no need to wait before a re-read
    return client


@pytest.fixture
def client(emu: Emulator) -> Iterator[OzonClient]:
    c = adapter_client(emu)
    yield c
    c.close()


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def events(ctx: AppContext) -> Recorder:
    rec = Recorder()
    ctx.bus.subscribe(Event, rec)
    return rec


@pytest.fixture
def engine(ctx: AppContext, client: OzonClient, emu: Emulator, events: Recorder) -> SyncEngine:
    ctx.clock = emu
    return SyncEngine(ctx.db, client, ctx.bus, emu, ctx.paths.labels, rng=random.Random(1))
