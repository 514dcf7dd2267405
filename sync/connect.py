"""Builds the Ozon client and sync engine for a context: the real API or the embedded emulator."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from app import desks, secrets
from app.context import AppContext
from app.errors import CredentialsMissing
from app.logs import register_secret
from sync.client import OzonClient
from sync.emulator import Emulator, EmulatorAdapter
from sync.engine import SyncEngine
from sync.ratelimit import OZON_LIMIT_PER_SECOND

EMULATOR_URL = "http://emulator.invalid"
DEMO_CLIENT_ID = "123456"
DEMO_API_KEY = "demo-key"


@dataclass
class Connection:
    client: OzonClient
    engine: SyncEngine
    emulator: Emulator | None = None


def demo_emulator(postings: int = 300, seed: int = 7) -> Emulator:
    """The demo shop: Ozon's pace (real time, orders arriving) and Ozon's request budget (50 per second)."""
    return Emulator(
        seed=seed,
        postings=postings,
        client_id=DEMO_CLIENT_ID,
        api_key=DEMO_API_KEY,
        speed=1.0,
        live=True,
        rate_limit=OZON_LIMIT_PER_SECOND,
    )


def connect(ctx: AppContext, api_url: str | None = None, emulator: Emulator | None = None) -> Connection:
    """An engine against `emulator` (mounted in-process) or the Ozon API at `api_url`/settings."""
    if emulator is not None:
        session = requests.Session()
        session.mount(EMULATOR_URL + "/", EmulatorAdapter(emulator))
        creds = secrets.Credentials(DEMO_CLIENT_ID, DEMO_API_KEY)
        client = OzonClient(EMULATOR_URL, creds, session=session)
    else:
        creds_or_none = secrets.load(ctx.settings.client_id)
        if creds_or_none is None:
            missing = "Client-Id" if not secrets.client_id(ctx.settings.client_id) else "Api-Key"
            raise CredentialsMissing(missing)
        register_secret(creds_or_none.api_key)
        client = OzonClient(api_url or ctx.settings.api_url, creds_or_none)
    engine = SyncEngine(
        ctx.db,
        client,
        ctx.bus,
        ctx.clock,
        ctx.paths.labels,
        personal_data_days=ctx.settings.personal_data_days,
        work_hours=ctx.settings.work_hours,
        desk="" if ctx.db.is_sqlite else desks.desk_name(ctx.settings),
    )
    return Connection(client, engine, emulator)
