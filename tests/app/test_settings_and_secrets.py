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
    assert warning is not None and warning.code == "settings_damaged" and "reset" in str(warning)
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
    assert warning is not None and "sync_interval_s" in str(warning) and "auto_print" in str(warning)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("personal_data_days", 1e30),  # a float where days are counted
        ("personal_data_days", 10**30),
        ("personal_data_days", 0),  # would erase every finished buyer's details at once
        ("personal_data_days", -1),
        ("sync_interval_s", 1),
        ("sync_interval_s", 10**9),
        ("language", "fr_FR"),
        ("label_format", "epl"),
        ("label_size", "10x10"),
        ("label_dpi", 600),
        ("client_id", "12ab"),
        ("api_url", "ftp://api-seller.ozon.ru"),
        ("gs_substitute", "<GROUP-SEPARATOR>"),  # longer than a scanner's prefix/suffix setting
    ],
)
def test_values_out_of_range_fall_back_to_defaults(tmp_path: Path, name: str, value: object) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": settings.SETTINGS_VERSION, "client_id": "42", name: value}))
    loaded, warning = settings.load(path)
    assert getattr(loaded, name) == getattr(settings.Settings(), name)
    assert warning is not None and warning.code == "settings_reset" and warning.params["names"] == name
    assert (loaded.client_id == "42") is (name != "client_id")


def test_values_inside_their_range_are_kept_and_tidied(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    stored = {
        "version": 2,
        "personal_data_days": 14,
        "sync_interval_s": 3600,
        "label_format": "ZPL",
        "label_size": "58×40",
    }
    path.write_text(json.dumps(stored))
    loaded, warning = settings.load(path)
    assert warning is None
    assert (loaded.personal_data_days, loaded.sync_interval_s) == (14, 3600)
    assert (loaded.label_format, loaded.label_size) == ("zpl", "58x40")
    assert settings.problems(loaded) == []
    assert settings.problems(loaded.replace(personal_data_days=3, language="xx")) == ["language", "personal_data_days"]


def test_a_version_1_file_is_upgraded_and_its_renamed_settings_survive(tmp_path: Path) -> None:
    # Written by Packdesk 0.1: no version, `sender` (now `label_sender`), a value parked in `extra`.
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {"client_id": "42", "sender": "ООО Ромашка", "extra": {"sounds": False, "old_thing": 1}, "label_dpi": 300},
            ensure_ascii=False,
        )
    )
    loaded, warning = settings.load(path)
    assert warning is None
    assert (loaded.client_id, loaded.label_sender, loaded.sounds, loaded.label_dpi) == ("42", "ООО Ромашка", False, 300)
    assert loaded.version == settings.SETTINGS_VERSION
    settings.save(path, loaded)  # saved in the new shape, read back the same
    stored = json.loads(path.read_text())
    assert stored["version"] == settings.SETTINGS_VERSION and "sender" not in stored and "extra" not in stored
    assert settings.load(path) == (loaded, None)


def test_every_upgrade_step_exists() -> None:
    assert sorted(settings.UPGRADES) == list(range(1, settings.SETTINGS_VERSION))


def test_context_reports_the_repaired_settings(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("not json at all")
    ctx = open_context(str(tmp_path))
    try:
        assert [m.code for m in ctx.startup_messages] == ["settings_damaged"]
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
