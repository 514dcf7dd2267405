"""Reading request bodies the way Ozon's gateway does: lenient about id types, strict about ranges.

Every failure raises a 400 that names the field by its dotted path (``filter.since``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from .clock import parse_time
from .errors import invalid


class Fields:
    def __init__(self, data: Any, where: str = "") -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise invalid(where or "body", "must be a JSON object")
        self.data: dict[str, Any] = data
        self.where = where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return self.data.get(key) not in (None, "", [], {})

    def obj(self, key: str, required: bool = False) -> Fields:
        value = self.data.get(key)
        if value is None and required:
            raise invalid(self.name(key), "value is required")
        return Fields(value, self.name(key))

    def text(
        self, key: str, required: bool = False, default: str = "", min_len: int = 0, max_len: int | None = None
    ) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise invalid(self.name(key), "value is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise invalid(self.name(key), "must be a string")
        value = str(value)
        if len(value) < min_len or (max_len is not None and len(value) > max_len):
            bound = f"[{min_len}, {max_len}]" if max_len is not None else f"at least {min_len}"
            raise invalid(self.name(key), f"value length must be {bound} runes")
        return value

    def number(
        self, key: str, required: bool = False, default: int | None = None, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise invalid(self.name(key), "value is required")
            return default
        result = to_int(value, self.name(key))
        if (lo is not None and result < lo) or (hi is not None and result > hi):
            raise invalid(self.name(key), f"value must be inside range [{lo}, {hi}]")
        return result

    def real(self, key: str, default: float = 0.0, lo: float = 0.0) -> float:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise invalid(self.name(key), "must be a number")
        try:
            result = float(value)
        except ValueError:
            raise invalid(self.name(key), "must be a number") from None
        if not result >= lo:  # also refuses NaN
            raise invalid(self.name(key), f"value must be at least {lo}")
        return result

    def limit(self, key: str = "limit", default: int | None = None, hi: int = 100, lo: int = 1) -> int:
        value = self.number(key, required=default is None, default=default, lo=lo, hi=hi)
        assert value is not None
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise invalid(self.name(key), "must be a boolean")
        return value

    def time(self, key: str, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise invalid(self.name(key), "value is required")
            return None
        if not isinstance(value, str):
            raise invalid(self.name(key), "must be an RFC 3339 timestamp")
        try:
            return parse_time(value)
        except ValueError:
            raise invalid(self.name(key), f"cannot parse {value!r} as an RFC 3339 timestamp") from None

    def items(self, key: str, max_items: int | None = None, required: bool = False) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            value = []
        if not isinstance(value, list):
            raise invalid(self.name(key), "must be an array")
        if required and not value:
            raise invalid(self.name(key), "value must contain at least 1 item(s)")
        if max_items is not None and len(value) > max_items:
            raise invalid(self.name(key), f"value must contain at most {max_items} item(s)")
        return value

    def ids(self, key: str, max_items: int | None = None, required: bool = False) -> list[int]:
        name = self.name(key)
        return [to_int(v, f"{name}[{i}]") for i, v in enumerate(self.items(key, max_items, required))]

    def texts(self, key: str, max_items: int | None = None, required: bool = False) -> list[str]:
        out = []
        for i, v in enumerate(self.items(key, max_items, required)):
            if isinstance(v, bool) or not isinstance(v, str | int):
                raise invalid(f"{self.name(key)}[{i}]", "must be a string")
            out.append(str(v))
        return out

    def choice(self, key: str, allowed: Collection[str], default: str) -> str:
        """An enum value, matched case-insensitively; returns the canonical spelling from ``allowed``."""
        value = self.text(key, default=default)
        for option in allowed:
            if option.lower() == value.lower():
                return option
        raise invalid(self.name(key), f"value must be one of {', '.join(allowed)}")

    def period(self, key: str, start: str = "from", end: str = "to") -> tuple[datetime | None, datetime | None]:
        sub = self.obj(key)
        lo, hi = sub.time(start), sub.time(end)
        if lo is not None and hi is not None and lo > hi:
            raise invalid(sub.name(start), f"must not be after {end}")
        return lo, hi


def to_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise invalid(name, "must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise invalid(name, "must be an integer")


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, name: str = "cursor") -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(cursor, validate=True))
    except (binascii.Error, ValueError):
        raise invalid(name, "malformed cursor") from None
    if not isinstance(payload, dict):
        raise invalid(name, "malformed cursor")
    return payload
