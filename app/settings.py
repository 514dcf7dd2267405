"""Settings: each one declared once, with its default and the values it may take; stored as JSON
with an atomic write and a version, and upgraded step by step when an older Packdesk wrote them.

Reading never fails: a damaged file is moved aside (settings.json.corrupt-<time>) and defaults are
used; a value of the wrong type or out of its range falls back to its default. Either way the
caller gets a `SettingsNotice` to show (a translatable code with its params).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import atomic
from app.errors import UserError

log = logging.getLogger(__name__)

OZON_API_URL = "https://api-seller.ozon.ru"
SETTINGS_VERSION = 2

LANGUAGES = ("", "zh_CN", "ru_RU", "en")  # "" = the system's language
LABEL_FORMATS = ("pdf", "zpl", "tspl")
LABEL_SIZES = ("75x120", "58x40", "100x150")
LABEL_DPIS = (203, 300)
SYNC_INTERVAL_S = (15, 3600)
# Ozon's rules limit keeping buyers' details; below two weeks a return would arrive with no name.
PERSONAL_DATA_DAYS = (14, 90)
BACKUP_EVERY_HOURS = (1, 168)
BACKUP_KEEP = (1, 100)


def _setting(
    default: Any,
    *,
    choices: tuple[Any, ...] = (),
    between: tuple[int, int] | None = None,
    pattern: str = "",
    tidy: Callable[[Any], Any] | None = None,
) -> Any:
    """A declared setting: `tidy` normalises a stored value before it is checked."""
    rule = {"choices": choices, "between": between, "pattern": pattern, "tidy": tidy}
    return field(default=default, metadata=rule)


def _lower(value: Any) -> Any:
    return value.strip().lower().replace("×", "x").replace(" ", "") if isinstance(value, str) else value


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    # Ozon account. The Api-Key is never here: it lives in the OS keyring (app/secrets.py).
    client_id: str = _setting("", pattern=r"\d{0,32}")
    api_url: str = _setting(OZON_API_URL, pattern=r"https?://[^\s/]+(/\S*)?")
    # None = decide by whether an account is set up; True/False = forced.
    demo_mode: bool | None = None
    database_url: str = ""  # empty = SQLite file in the data folder
    # This desk's name among the shop's desks (empty = the computer's name); shown to the other desks.
    desk_name: str = _setting("", pattern=r"[^\x00-\x1f]{0,60}")
    sync_interval_s: int = _setting(60, between=SYNC_INTERVAL_S)
    language: str = _setting("", choices=LANGUAGES)
    # Printing
    label_printer: str = ""
    document_printer: str = ""
    label_format: str = _setting("pdf", choices=LABEL_FORMATS, tidy=_lower)
    label_size: str = _setting("75x120", choices=LABEL_SIZES, tidy=_lower)
    label_dpi: int = _setting(203, choices=LABEL_DPIS)
    auto_print: bool = True
    # The sender line on Packdesk's own labels (rFBS); empty = the warehouse's name.
    label_sender: str = ""
    # Packing: what this desk's scanner sends instead of the GS separator inside a Честный ЗНАК code
    # ("" = the scanner sends GS itself). Digits are fine ("029"): only where a separator belongs.
    gs_substitute: str = _setting("", pattern=r"[^\r\n]{0,8}")
    # Handover: the shop is on Ozon's trusted acceptance (carriages are approved with their box count).
    trusted_acceptance: bool = False
    sounds: bool = True
    # Chats: a desktop notification and a sound when a buyer writes.
    chat_notify: bool = True
    chat_sound: bool = True
    # The shop's working hours in local time (auto-replies may answer only outside them).
    work_hours: str = _setting("09:00-21:00", pattern=r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")
    # Personal data of finished orders is purged after this many days (Ozon's rules).
    personal_data_days: int = _setting(30, between=PERSONAL_DATA_DAYS)
    # Backups of the database (app/backup.py): into this folder ("" = none), every N hours, the last N kept.
    backup_folder: str = ""
    backup_every_hours: int = _setting(24, between=BACKUP_EVERY_HOURS)
    backup_keep: int = _setting(7, between=BACKUP_KEEP)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


class SettingsNotice(UserError):
    """Something in the settings file had to be repaired; shown once at start-up."""


# -- upgrades: one step per version, each carrying the old file's values over ----------------------


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """v2: `sender` is `label_sender` (it only ever named the sender on labels); the free-form
    `extra` bag is gone (nothing read it; settings that were parked there are carried over)."""
    raw = dict(raw)
    if "sender" in raw:
        raw.setdefault("label_sender", raw.pop("sender"))
    extra = raw.pop("extra", None)
    if isinstance(extra, dict):
        for key, value in extra.items():
            raw.setdefault(key, value)
    return raw


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored settings object up to SETTINGS_VERSION (a file without a version is v1)."""
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        version = 1
    while version < SETTINGS_VERSION:
        raw = UPGRADES[version](raw)
        version += 1
    return {**raw, "version": max(version, SETTINGS_VERSION)}


# -- validation -----------------------------------------------------------------------------------


def _type_ok(value: Any, default: Any, name: str) -> bool:
    if name == "demo_mode":
        return value is None or isinstance(value, bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def checked(name: str, value: Any) -> tuple[bool, Any]:
    """(valid, tidied value) of one setting, by its declaration."""
    declared = {f.name: f for f in fields(Settings)}[name]
    rule = declared.metadata
    if rule.get("tidy"):
        value = rule["tidy"](value)
    if not _type_ok(value, declared.default, name):
        return False, value
    if rule.get("choices") and value not in rule["choices"]:
        return False, value
    between = rule.get("between")
    if between and not between[0] <= value <= between[1]:
        return False, value
    if rule.get("pattern") and not re.fullmatch(rule["pattern"], value):
        return False, value
    return True, value


def problems(settings: Settings) -> list[str]:
    """The names of the settings whose value is not one they may take (for a form before saving)."""
    return [
        f.name for f in fields(Settings) if f.name != "version" and not checked(f.name, getattr(settings, f.name))[0]
    ]


# -- reading and writing --------------------------------------------------------------------------


def load(path: Path) -> tuple[Settings, SettingsNotice | None]:
    """Read settings; return them and a notice for the seller when something had to be repaired."""
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
        return Settings(), SettingsNotice(
            "settings_damaged",
            f"The settings file was damaged and has been reset. The old file was kept as {aside.name}.",
            file=aside.name,
        )
    stored_version = raw.get("version")
    raw = upgrade(raw)
    known = {f.name for f in fields(Settings)} - {"version"}
    values: dict[str, Any] = {}
    bad: list[str] = []
    for name in sorted(known & raw.keys()):
        ok, value = checked(name, raw[name])
        if ok:
            values[name] = value
        else:
            bad.append(name)
    unknown = sorted(raw.keys() - known - {"version"})
    if unknown:
        log.info("settings file has settings this Packdesk does not know, ignored: %s", ", ".join(unknown))
    settings = Settings(**values)
    if isinstance(stored_version, int) and stored_version > SETTINGS_VERSION:
        log.warning("settings file was written by a newer Packdesk (version %s)", stored_version)
    if bad:
        log.warning("settings %s had invalid values; defaults used", ", ".join(bad))
        names = ", ".join(bad)
        return settings, SettingsNotice(
            "settings_reset", f"Some settings were invalid and were reset to defaults: {names}", names=names
        )
    return settings, None


def save(path: Path, settings: Settings) -> None:
    """Atomic: the old file stays until the new one is whole on disk."""
    data = json.dumps(dataclasses.asdict(settings), ensure_ascii=False, indent=2)
    atomic.write_bytes(path, data.encode("utf-8"))
