"""Test-wide setup: offscreen Qt, no real keyring, no real credentials, a fresh data folder."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
for _name in ("OZON_CLIENT_ID", "OZON_API_KEY", "PACKDESK_DATA_DIR"):
    os.environ.pop(_name, None)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.context import AppContext, open_context  # noqa: E402


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(str(tmp_path / "data"))
    yield context
    context.close()
