"""The Ozon client the account checks use (app.account)."""

from __future__ import annotations

from app.account import AccountApi
from app.secrets import Credentials


def default_client(credentials: Credentials, api_url: str) -> AccountApi:
    from sync.client import OzonClient

    return OzonClient(api_url, credentials, timeout=(5.0, 15.0))
