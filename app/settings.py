"""Settings, declared once with their defaults, stored as JSON with an atomic write.

A corrupt file is moved aside (settings.json.corrupt-<time>), defaults are used, and the caller
gets a message to show. A value of the wrong type falls back to its default the same way.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import atomic

log = logging.getLogger(__name__)

OZON_API_URL = "https://api-seller.ozon.ru"
SETTINGS_VERSION = 1


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    # Ozon account. The Api-Key is never here: it lives in the OS keyring (app/secrets.py).
    client_id: str = ""
    api_url: str = OZON_API_URL
    # None = decide by whether an account is set up; True/False = forced.
    demo_mode: bool | None = None
    database_url: str = ""  # empty = SQLite file in the data folder
    sync_interval_s: int = 60
    language: str = ""  # "", "zh_CN", "ru_RU", "en"
    # Printing
    label_printer: str = ""
    document_printer: str = ""
    label_format: str = "pdf"
    label_size: str = "75x120"
    label_dpi: int = 203
    auto_print: bool = True
    # The sender line on Packdesk's own labels (rFBS); empty = the warehouse's name.
    sender: str = ""
    # Packing: what this desk's scanner sends instead of the GS separator inside a Честный ЗНАК code
    # ("" = the scanner sends GS itself).
    gs_substitute: str = ""
    # Handover: the shop is on Ozon's trusted acceptance (carriages are approved with their box count).
    trusted_acceptance: bool = False
    sounds: bool = True
    # Personal data of finished orders is purged after this many days (Ozon's rules).
    personal_data_days: int = 30
    extra: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _type_ok(value: Any, default: Any, name: str) -> bool:
    if name == "demo_mode":
        return value is None or isinstance(value, bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def load(path: Path) -> tuple[Settings, str | None]:
    """Read settings; return them and a message for the user when something had to be repaired."""
    if not path.exists():
        return Settings(), None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        try:
            path.replace(aside)
        except OSError:
            aside = path
        log.warning("settings file %s is unreadable (%s); moved to %s", path, exc, aside)
        return Settings(), f"The settings file was damaged and has been reset. The old file was kept as {aside.name}."
    defaults = Settings()
    values: dict[str, Any] = {}
    bad: list[str] = []
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value = raw[f.name]
        if _type_ok(value, getattr(defaults, f.name), f.name):
            values[f.name] = value
        else:
            bad.append(f.name)
    settings = dataclasses.replace(defaults, **values)
    if bad:
        log.warning("settings %s had invalid values; defaults used", ", ".join(bad))
        return settings, "Some settings were invalid and were reset to defaults: " + ", ".join(bad)
    return settings, None


def save(path: Path, settings: Settings) -> None:
    """Atomic: the old file stays until the new one is whole on disk."""
    data = json.dumps(dataclasses.asdict(settings), ensure_ascii=False, indent=2)
    atomic.write_bytes(path, data.encode("utf-8"))
