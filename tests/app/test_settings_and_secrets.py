"""Settings repair, the API key's home, and redaction of secrets from logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app import logs, secrets, settings
from app.context import open_context


def test_missing_settings_file_gives_defaults(tmp_path: Path) -> None:
    loaded, warning = settings.load(tmp_path / "settings.json")
    assert loaded == settings.Settings() and warning is None


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings.save(path, settings.Settings(client_id="42", sync_interval_s=30, language="zh_CN"))
    loaded, warning = settings.load(path)
    assert (loaded.client_id, loaded.sync_interval_s, loaded.language, warning) == ("42", 30, "zh_CN", None)
    assert "api_key" not in path.read_text()


def test_corrupt_settings_are_moved_aside_and_the_user_is_told(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"client_id": "42", ')
    loaded, warning = settings.load(path)
    assert loaded == settings.Settings()
    assert warning is not None and "reset" in warning
    assert not path.exists()
    kept = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == '{"client_id": "42", '


def test_values_of_the_wrong_type_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"client_id": "42", "sync_interval_s": "often", "auto_print": 1}))
    loaded, warning = settings.load(path)
    assert loaded.client_id == "42"
    assert loaded.sync_interval_s == settings.Settings().sync_interval_s
    assert loaded.auto_print is True
    assert warning is not None and "sync_interval_s" in warning and "auto_print" in warning


def test_context_reports_the_repaired_settings(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("not json at all")
    ctx = open_context(str(tmp_path))
    try:
        assert any("damaged" in m for m in ctx.startup_messages)
    finally:
        ctx.close()


def test_env_overrides_credentials_and_repr_hides_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZON_CLIENT_ID", "777")
    monkeypatch.setenv("OZON_API_KEY", "s3cr3t-key-value")
    creds = secrets.load("")
    assert creds is not None and creds.client_id == "777" and creds.api_key == "s3cr3t-key-value"
    assert "s3cr3t" not in repr(creds) and "s3cr3t" not in str(creds) and "s3cr3t" not in f"{creds!r}"


def test_no_keyring_means_no_credentials_not_a_crash() -> None:
    # The test run uses keyring's null backend: nothing stored, nothing raised.
    assert secrets.load("777") is None


def test_api_key_is_redacted_from_log_records(caplog: pytest.LogCaptureFixture) -> None:
    logs.register_secret("s3cr3t-key-value")
    logger = logging.getLogger("test.redaction")
    handler = logging.StreamHandler()
    handler.addFilter(logs.RedactingFilter())
    caplog.handler.addFilter(logs.RedactingFilter())
    logger.warning("headers were {'Api-Key': 's3cr3t-key-value', 'Client-Id': '1'}")
    logger.warning("key %s leaked", "s3cr3t-key-value")
    text = caplog.text
    assert "s3cr3t" not in text and text.count("***") >= 2
